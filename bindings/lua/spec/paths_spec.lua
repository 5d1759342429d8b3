-- Attribution from path counts (cx.Paths, Journeys:path_counts) from Lua:
-- a chain solved by hand, the same Markov column as Journeys:attribution()
-- after merging two shards, and refused input that changes nothing.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local DAY = 86400000

local function by(rows, key)
  local m = {}
  for _, r in ipairs(rows) do m[r[key]] = r end
  return m
end

local function near(a, b) return math.abs(a - b) <= 1e-9 * (1 + math.abs(b)) end

-- A: ad > site > checkout (converts, 100); B, D: ad > site; C: site > checkout (50)
local function shop(customers)
  local s = cx.Store()
  for c in customers:gmatch(".") do s:add_customer(c) end
  s:add_touchpoint("ad", "ads", "awareness")
  s:add_touchpoint("site", "web", "consideration")
  s:add_touchpoint("checkout", "web", "purchase")
  local t0 = cx.time_parse("2024-03-01T10:00:00Z")
  for _, e in ipairs {
    { "A", "ad", 0, "view", 0 }, { "A", "site", 1, "visit", 0 }, { "A", "checkout", 2, "purchase", 100 },
    { "B", "ad", 0, "view", 0 }, { "B", "site", 3, "visit", 0 },
    { "C", "site", 1, "visit", 0 }, { "C", "checkout", 4, "purchase", 50 },
    { "D", "ad", 2, "view", 0 }, { "D", "site", 5, "visit", 0 } } do
    if customers:find(e[1], 1, true) then
      s:add_interaction(e[1], e[2], t0 + e[3] * DAY, e[4], "inbound", nil, nil, 0, "handled", e[5])
    end
  end
  return s
end

describe("cxkit paths", function()
  it("solves a chain by hand", function()
    local p = cx.Paths()
    p:add("a > b", 1, 0, 10)
    p:add("a", 0, 1)
    p:add("b", 1, 1, 20)
    assert.are.equal(3, p:count())
    assert.are.equal(3, #p)
    assert.are.equal(2, p:state_count())
    assert.are.equal("cxkit.Paths 3 paths of 2 states", tostring(p))
    local att = p:attribution(1)
    assert.are.equal("b", att:get(0, "name"))
    local a = by(att:totable(), "name")
    assert.is_true(near(a.a.removal_effect, 1 / 3))
    assert.is_true(near(a.a.markov, 0.5))
    assert.is_true(near(a.b.markov_value, 22.5))
    assert.are.equal(2.0, a.b.last_touch)
  end)

  it("merges shards into the journeys' attribution", function()
    local want = by(cx.Journeys(shop("ABCD")):attribution(1):totable(), "name")
    local p = cx.Paths()
    for _, part in ipairs { "AB", "CD" } do
      local c = cx.Journeys(shop(part)):path_counts("|"):totable()
      local paths, conv, nulls, value = {}, {}, {}, {}
      for i, r in ipairs(c) do
        paths[i], conv[i], nulls[i], value[i] = r.path, r.conversions, r.nulls, r.value
      end
      p:add_batch(paths, conv, nulls, value, "|")
    end
    local got = by(p:attribution(1):totable(), "name")
    for name, r in pairs(want) do
      assert.is_true(near(got[name].markov, r.markov), name)
      assert.is_true(near(got[name].linear, r.linear), name)
    end
    local t = p:table(" > "):totable()
    local seen = {}
    for _, r in ipairs(t) do seen[r.path] = true end
    assert.is_true(seen["ad > site > checkout"])
  end)

  it("counts the step matrix", function()
    local m = cx.Journeys(shop("ABCD")):step_matrix(2):totable()
    assert.are.equal(1, m[1].step)
    assert.are.equal("ad", m[1].name)
    assert.are.equal(3, m[1].journeys)
    assert.are.equal(math.type(m[1].journeys), "integer")
    local ended = 0
    for _, r in ipairs(m) do if r.step == 2 and r.name == nil then ended = r.journeys end end
    assert.are.equal(0, ended)
  end)

  it("reads a CSV file of path counts", function()
    local name = os.tmpname()
    local f = assert(io.open(name, "w"))
    f:write('path,conv,nul\n"a > b",2,1\nb,1,0\n')
    f:close()
    local p = cx.Paths()
    p:import_csv(name, "path", "conv", "nul", nil)
    assert.are.equal(2, p:count())
    f = assert(io.open(name, "w"))
    f:write("path,conv\nc,x\n")
    f:close()
    local ok, err = pcall(p.import_csv, p, name, "path", "conv", nil, nil)
    os.remove(name)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find(":2, column 2", 1, true))
    assert.are.equal(2, p:count())
  end)

  it("refuses bad input and changes nothing", function()
    local p = cx.Paths()
    p:add("a > b", 1, 2, 3)
    local ok, err = pcall(p.add_batch, p, { "c > d", "e > > f" }, { 1, 1 })
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("row 1", 1, true))
    assert.is_truthy(tostring(err):find("state 2 is empty", 1, true))
    assert.are.equal(1, p:count())
    assert.are.equal(2, p:state_count())
    ok, err = pcall(p.add, p, "a", -1)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("must be finite, >= 0 and <= 1e30", 1, true))
    ok, err = pcall(p.add, p, "a", 1, 0, -5) -- a negative value
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("value -5 must be finite, >= 0", 1, true))
    -- a sequence with a hole, or with a key that is no index: where
    ok, err = pcall(p.add_batch, p, { "c > d", nil, "e" }, { 1, 1, 1 })
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("entry 2 is nil and 1 of the table's 2 entries come after it", 1, true))
    ok, err = pcall(p.add_batch, p, { "c > d" }, { 1, x = 2 })
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find('got a table with the key "x"', 1, true))
    assert.are.equal(1, p:count())
    ok, err = pcall(p.attribution, p, 9)
    assert.is_false(ok)
    p:close()
    ok, err = pcall(p.count, p)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("closed", 1, true))
  end)
  it("gives the same table on any number of threads", function()
    -- 60 channels wandering at order 2: the removals iterated eight at a
    -- time, the groups shared out among the threads
    local p, x = cx.Paths(), 5
    local function rnd(n)
      x = (x * 1103515245 + 12345) % 2147483648
      return x % n
    end
    for _ = 1, 100 do
      local st = {}
      for k = 1, 50 do st[k] = "c" .. rnd(60) end
      local conv = rnd(3)
      p:add(table.concat(st, ">"), conv, 1 + rnd(4), conv * (10 + rnd(90)))
    end
    local want = p:attribution(2):totable()
    assert.are.equal(60, #want)
    for _, n in ipairs { 2, 3, 0 } do
      p:set_threads(n)
      local got = p:attribution(2):totable()
      for i, r in ipairs(want) do
        assert.are.equal(r.name, got[i].name)
        assert.are.equal(r.removal_effect, got[i].removal_effect)
        assert.are.equal(r.markov_value, got[i].markov_value)
      end
    end
    local ok, err = pcall(p.set_threads, p, -1)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("-1 is not a thread count", 1, true))
  end)
end)
