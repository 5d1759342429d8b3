-- Ownership: no leak over a million create/free cycles; any collection order.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local function rss_kb()
  local f = io.open("/proc/self/statm")
  local pages = f:read("*n"); pages = f:read("*n")
  f:close()
  return pages * 4
end

local function cycles(n)
  for _ = 1, n do
    local s = cx.Store()
    local q = cx.Query(s)
    if _ % 1000 == 0 then collectgarbage() end
  end
  collectgarbage(); collectgarbage()
end

describe("cxkit memory", function()
  it("does not leak over 10^6 create/free cycles", function()
    -- three windows of a third of a million cycles: a leak grows the RSS
    -- in every window (3 bytes a cycle: 1 MB a window), while the heap's
    -- layout may grow it once (seen once in a fresh Debian run: a single
    -- 10^6-cycle window over 4 MB)
    cycles(20000)
    local least, grew = math.huge, {}
    for w = 1, 3 do
      local before = rss_kb()
      cycles(333334)
      grew[w] = rss_kb() - before
      least = math.min(least, grew[w])
    end
    assert.is_true(least < 1024, "RSS grew by " .. table.concat(grew, ", ") .. " kB in the three windows")
  end)
  it("survives any collection order", function()
    math.randomseed(5)
    for _ = 1, 300 do
      local s = cx.Store()
      s:add_customer("a")
      local cal = cx.Calendar()
      local objs = { s, cal }
      for _ = 1, 3 do
        local q = cx.Query(s)
        q:set_calendar(cal)
        objs[#objs + 1] = q
        objs[#objs + 1] = s:history("a")
      end
      while #objs > 0 do
        local o = table.remove(objs, math.random(#objs))
        if math.random() < 0.5 then o:close() end
        o = nil
        collectgarbage()
      end
      s, cal = nil, nil
      collectgarbage()
    end
  end)
  it("frees the arrays and texts of put, forget and pseudonym calls, also when they fail", function()
    local s = cx.Store()
    s:add_touchpoint("w", "web", "consideration")
    local key = string.rep("k", 32)
    local function cycle()
      s:put_customer("c", "consumer")
      s:put_interaction("I", "c", "w", 0)
      s:add_feedbacks({ "c" }, { "nps" }, { 9 }, { 1 }, nil, { "I" }, nil, nil, { "F" })
      s:add_transactions({ "c" }, { 0 }, { 1 }, { "X" })
      assert(not pcall(s.forget, s, { "c", "nobody" }))
      assert(not pcall(s.add_transactions, s, { "c" }, { 0 }, { 1 }, { "X", "Y" }))
      s:forget({ "c" })
      cx.pseudonym(key, "c")
    end
    for _ = 1, 2000 do cycle() end
    collectgarbage(); collectgarbage()
    local before = rss_kb()
    for i = 1, 50000 do
      cycle()
      if i % 1000 == 0 then collectgarbage() end
    end
    collectgarbage(); collectgarbage()
    assert.are.equal(0, s:rows("customers"))
    local grown = rss_kb() - before
    assert.is_true(grown < 4096, "RSS grew by " .. grown .. " kB")
  end)
end)
