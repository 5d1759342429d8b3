-- Thread counts (issue 14): imports, queries and journeys give the same
-- store, result and index with 1, 2 or 3 threads (set_threads, the option
-- threads).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx
local tables = { "customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions" }

local function load(threads)
  local s = cx.Store()
  for _, t in ipairs(tables) do
    local rep = s:import_csv(t, H.data .. "/" .. t .. ".csv", { threads = threads })
    assert(rep:rejected() == 0)
  end
  return s
end

-- Every cell equal (NaN equal to NaN: a value that is not a number).
local function same_rows(a, b)
  if #a ~= #b then return false end
  for i, row in ipairs(a) do
    for k, v in pairs(row) do
      local w = b[i][k]
      if not (v == w or (v ~= v and w ~= w)) then return false, i, k end
    end
    for k in pairs(b[i]) do if row[k] == nil then return false, i, k end end
  end
  return true
end

describe("cxkit threads", function()
  it("imports the same store with any thread count", function()
    local ref = load(1)
    for _, n in ipairs { 2, 3 } do
      local s = load(n)
      for _, t in ipairs(tables) do
        assert.are.equal(ref:rows(t), s:rows(t))
        assert.are.same(ref:record(t, ref:rows(t) - 1), s:record(t, s:rows(t) - 1))
      end
      assert.are.same(ref:record("interactions", 1234), s:record("interactions", 1234))
    end
  end)
  it("runs a query to the same result with any thread count", function()
    local s = load(2)
    local function run(n)
      local q = cx.Query(s)
      for _, m in ipairs { "nps", "csat", "fcr", "resolution", "handle_time" } do q:add(m) end
      q:group_by("channel")
      q:group_by("agent")
      q:set_threads(n)
      return q:run():totable()
    end
    local ref = run(1)
    assert.is_true(#ref > 1)
    for _, n in ipairs { 2, 3, 0 } do assert.is_true(same_rows(ref, run(n))) end
  end)
  it("builds the same journeys with any thread count", function()
    -- the demo's 35 000 interactions: two parts of the build from 2 threads on
    local s = load(1)
    local function views(n)
      local j = cx.Journeys(s, cx.journey_options(s, { threads = n, level = "channel", collapse = true }))
      return { j:list():totable(), j:paths(1000):totable(), j:transitions(2):totable(), j:attribution(1):totable() }
    end
    local ref = views(1)
    assert.is_true(#ref[1] > 1000)
    for _, n in ipairs { 2, 3, 0 } do
      local got = views(n)
      for k = 1, #ref do assert.is_true(same_rows(ref[k], got[k])) end
    end
  end)
  it("refuses a bad thread count", function()
    local ok, err = pcall(function() cx.ImportOptions():set_threads(-1) end)
    assert.is_false(ok)
    assert.truthy(err:match("thread count"))
    ok, err = pcall(function() cx.Query(cx.Store()):set_threads(1025) end)
    assert.is_false(ok)
    assert.truthy(err:match("thread count"))
    ok, err = pcall(function() cx.JourneyOptions(cx.Store()):set_threads(-1) end)
    assert.is_false(ok)
    assert.truthy(err:match("thread count"))
  end)
end)
