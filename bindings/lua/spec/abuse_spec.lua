-- Abuse a script may try, which must raise Lua errors and never crash the
-- host: objects freed by an explicit __gc and then used or collected again,
-- and strings with an embedded NUL (which a C string would silently cut).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error matching " .. pattern)
  assert.truthy(tostring(err):match(pattern), tostring(err))
end

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p '" .. tmp .. "'")
local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- One object of every class, each with a method to call on it. The store
-- they borrow from is a fresh one per call, so that freeing it is tested too.
local function objects()
  local s = H.small()
  local q = cx.Query(s)
  q:add("csat")
  local jo = cx.JourneyOptions(s)
  local csv = tmp .. "/customers.csv"
  local f = assert(io.open(csv, "w"))
  f:write("id\nX-1\n")
  f:close()
  return {
    { "Store", s, function(o) return o:rows("customers") end },
    { "Calendar", cx.Calendar(), function(o) return o:is_open(0) end },
    { "Query", q, function(o) return o:run() end },
    { "Result", q:run(), function(o) return o:rows() end },
    { "History", s:history("C-1"), function(o) return o:count() end },
    { "Monitor", cx.Monitor(3600000), function(o) return o:add_contact(0, "handled") end },
    { "ImportOptions", cx.ImportOptions(), function(o) return o:set_strict(true) end },
    { "ImportReport", cx.Store():import_csv("customers", csv), function(o) return o:read() end },
    { "JourneyOptions", jo, function(o) return o:set_gap(1000) end },
    { "Journeys", cx.Journeys(s, jo), function(o) return o:count() end },
    { "Funnel", cx.Funnel(s), function(o) return o:set_window(1000) end },
    { "Survival", cx.Survival.from_store(s, "transactions", 86400000, "2024-06-01"),
      function(o) return o:group_count() end },
    { "Summary", cx.Summary(s, "2024-06-01"), function(o) return o:count() end },
    { "Model", cx.Model("bgnbd", { 1, 2, 3, 4 }), function(o) return o:kind() end },
    { "HealthOptions", cx.HealthOptions(), function(o) return o:set_weight("nps", 1) end },
    { "CareRules", cx.CareRules(), function(o) return o:count() end },
  }
end

describe("cxkit objects freed by an explicit __gc", function()
  it("raise 'object was freed' afterwards, for every class, and are not freed again", function()
    local all = objects()
    assert.are.equal(16, #all)
    for _, t in ipairs(all) do
      local name, o, call = t[1], t[2], t[3]
      call(o) -- usable before
      getmetatable(o).__gc(o)
      fails("^Invalid: [%w_.:]+: .*" .. name .. " object was freed", call, o)
      fails("object was freed", o.close, o)
      -- a second explicit __gc does nothing
      getmetatable(o).__gc(o)
    end
    all = nil
    collectgarbage(); collectgarbage()
  end)

  it("frees objects in any order: children keep what they borrow", function()
    local s = H.small()
    local q = cx.Query(s)
    q:add("csat")
    local h = s:history("C-1")
    local cal = cx.Calendar()
    q:set_calendar(cal)
    getmetatable(s).__gc(s)
    getmetatable(cal).__gc(cal)
    -- the query and the history still hold the store and the calendar
    assert.are.equal(1, q:run():rows())
    assert.is_true(h:count() > 0)
    fails("Store object was freed", s.rows, s, "customers")
    fails("Calendar object was freed", q.set_calendar, q, cal)
    fails("Store object was freed", cx.Query, s)
    fails("Store object was freed", cx.Journeys, s)
    q, h, s, cal = nil, nil, nil, nil
    collectgarbage(); collectgarbage()
  end)

  it("raise when a freed object is passed as an argument", function()
    local s = H.small()
    local q = cx.Query(s)
    q:add("csat")
    local r, other = q:run(), q:run()
    local opts = cx.ImportOptions()
    getmetatable(other).__gc(other)
    getmetatable(opts).__gc(opts)
    fails("Result object was freed", r.merge, r, other)
    fails("ImportOptions object was freed", s.import_csv, s, "customers", tmp .. "/none.csv", opts)
    -- nil is still "none"
    fails("required", r.merge, r, nil)
  end)

  it("refuses __gc on anything but a cxkit object", function()
    local gc = getmetatable(cx.Store()).__gc
    fails("Invalid", gc, {})
    fails("Invalid", gc, io.stdout)
    fails("Invalid", gc, nil)
    fails("Invalid", gc, "text")
  end)

  it("close() then __gc then collection is safe", function()
    local s = cx.Store()
    s:close()
    getmetatable(s).__gc(s)
    fails("object was freed", s.closed, s)
    s = nil
    collectgarbage()
  end)
end)

describe("strings with an embedded NUL", function()
  it("are refused in ids, attributes, comments and names, naming the argument; nothing changes", function()
    local s = H.small()
    local before = {}
    for _, t in ipairs { "customers", "touchpoints", "interactions", "cases", "feedback", "transactions" } do
      before[t] = s:rows(t)
    end
    fails("^Invalid: [%w_.:]+: .*id.* NUL", s.add_customer, s, "C-9\0x")
    fails("^Invalid: [%w_.:]+: .*segment.* NUL", s.add_customer, s, "C-9", "consumer\0x")
    fails("^Invalid: [%w_.:]+: .*value.* NUL", s.set_attribute, s, "C-1", "name", "a\0b")
    fails("^Invalid: [%w_.:]+: .*key.* NUL", s.set_attribute, s, "C-1", "na\0me", "ab")
    fails("^Invalid: [%w_.:]+: .*comment.* NUL", s.add_feedback, s, "C-1", "csat", 4, 0, nil, nil, nil, "good\0bad")
    fails("^Invalid: [%w_.:]+: .*customer.* NUL", s.add_transaction, s, "C-1\0", 0, 1.0)
    fails("^Invalid: [%w_.:]+: .*name.* NUL", s.define, s, "channel", "fax\0")
    fails("NUL", s.rows, s, "customers\0x")
    fails("NUL", s.get, s, "customers", "id\0x", 0)
    assert.is_nil(s:get_attribute("C-1", "na"))
    assert.are.equal("سارة العتيبي", s:get_attribute("C-1", "name"))
    for t, n in pairs(before) do assert.are.equal(n, s:rows(t), t) end
  end)

  it("are refused in times", function()
    local s = H.small()
    local n = s:rows("transactions")
    fails("^Invalid: [%w_.:]+: .*NUL", s.add_transaction, s, "C-1", "2024-01-01\0junk", 1.0)
    fails("^Invalid: [%w_.:]+: .*NUL", s.add_transactions, s, { "C-1" }, { "2024-01-01\0junk" }, { 1.0 })
    fails("^Invalid: [%w_.:]+: .*NUL", cx.time_parse, "2024-01-01\0junk")
    assert.are.equal(n, s:rows("transactions"))
  end)

  it("are refused in the arrays of the bulk loaders, naming the entry", function()
    local s = H.small()
    local n = s:rows("customers")
    fails("^Invalid: [%w_.:]+: .*entry 2 of ids.* NUL", s.add_customers, s, { "B-1", "B-2\0x" })
    fails("^Invalid: [%w_.:]+: .*entry 1 of .* NUL", s.add_customers, s, { "B-1" }, { "consumer\0" })
    fails("^Invalid: [%w_.:]+: .*entry 1 of .* NUL", s.add_transactions, s, { "C-1\0" }, { 0 }, { 1.0 })
    assert.are.equal(n, s:rows("customers"))
    fails("^Invalid: [%w_.:]+: .*entry 1 of ids.* NUL", s.forget, s, { "C-1\0x" })
    assert.are.equal(n, s:rows("customers"))
  end)

  it("are refused in file paths: nothing is written", function()
    local s = H.small()
    local path = tmp .. "/a.db"
    fails("^Invalid: [%w_.:]+: .*path.* NUL", s.save, s, path .. "\0x")
    assert.is_false(exists(path))
    fails("^Invalid: [%w_.:]+: .*path.* NUL", s.export_csv, s, "customers", tmp .. "/c.csv\0x")
    assert.is_false(exists(tmp .. "/c.csv"))
    fails("^Invalid: [%w_.:]+: .*path.* NUL", cx.Store.load, path .. "\0x")
    local o = cx.ImportOptions()
    fails("^Invalid: [%w_.:]+: .*path.* NUL", o.set_reject_path, o, tmp .. "/r.csv\0x")
    local q = cx.Query(s)
    q:add("csat")
    local r = q:run()
    fails("^Invalid: [%w_.:]+: .*path.* NUL", r.export_csv, r, tmp .. "/r.csv\0x")
    assert.is_false(exists(tmp .. "/r.csv"))
  end)

  it("are refused in enumeration and column names", function()
    local q = cx.Query(H.small())
    fails("^Invalid: [%w_.:]+: .*NUL", q.add, q, "nps\0x")
    q:add("csat")
    local r = q:run()
    fails("^Invalid: [%w_.:]+: .*NUL", r.get, r, 0, "csat\0x")
  end)
end)

local TABLES = { "customers", "touchpoints", "interactions", "cases", "feedback", "transactions" }
local function counts(s)
  local c = {}
  for _, t in ipairs(TABLES) do c[t] = s:rows(t) end
  return c
end
local function same_counts(s, before)
  for t, n in pairs(before) do assert.are.equal(n, s:rows(t), t) end
end

describe("closed and collected cxkit objects", function()
  for index = 1, 16 do
    it("close() then a call raises 'is closed', object " .. index, function()
      local t = objects()[index]
      local name, o, call = t[1], t[2], t[3]
      o:close()
      fails("^Invalid: [%w_.:]+: .*" .. name .. " is closed", call, o)
      o:close() -- a second close does nothing
    end)
  end

  -- every object that borrows from a store, with a call that reads it
  local function children(s)
    local q = cx.Query(s)
    q:add("csat")
    local jo = cx.JourneyOptions(s)
    local f = cx.Funnel(s)
    f:add_step("stage", "consideration")
    return {
      { "Query", q, function(o) return o:run():rows() == 1 end },
      { "History", s:history("C-1"), function(o) return o:count() >= 1 end },
      { "JourneyOptions", jo, function(o) o:set_gap(1000); return true end },
      { "Journeys", cx.Journeys(s, jo), function(o) return o:count() >= 1 end },
      { "Funnel", f, function(o) o:set_window(1000); return true end },
      { "Summary", cx.Summary(s, "2024-06-01"), function(o) return o:count() >= 1 end },
      { "Result", q:run(), function(o) return o:rows() == 1 end },
    }
  end

  for index = 1, 7 do
    it("child " .. index .. " outlives its collected store", function()
      local s = H.small()
      local t = children(s)[index]
      local child, call = t[2], t[3]
      t, s = nil, nil
      collectgarbage(); collectgarbage()
      assert.is_true(call(child))
    end)
  end

  it("a store and four children are collected safely in every one of the 120 orders", function()
    local function permutations(n)
      local out, a = {}, {}
      for i = 1, n do a[i] = i end
      local function gen(k)
        if k == 0 then out[#out + 1] = { table.unpack(a) } return end
        for i = 1, k do
          a[i], a[k] = a[k], a[i]
          gen(k - 1)
          a[i], a[k] = a[k], a[i]
        end
      end
      gen(n)
      return out
    end
    local orders = permutations(5)
    assert.are.equal(120, #orders)
    for _, order in ipairs(orders) do
      local s = H.small()
      local objs = { s }
      for i, c in ipairs(children(s)) do if i <= 4 then objs[#objs + 1] = c[2] end end
      s = nil
      for _, i in ipairs(order) do
        objs[i] = nil
        collectgarbage(); collectgarbage()
      end
    end
  end)
end)

describe("wrong argument types", function()
  local WRONG = {
    { "nil for an id", function(s) s:add_customer(nil) end, "^Invalid: [%w_.:]+: .*customer id is NULL" },
    { "table for an id", function(s) s:add_customer({}) end, "add_customer %(arg 2%), expected 'char const %*' got 'table'" },
    { "Store for an id", function(s) s:add_customer(s) end, "add_customer %(arg 2%).*got 'Store" },
    { "boolean for an id", function(s) s:add_customer(true) end, "add_customer %(arg 2%).*got 'boolean'" },
    { "table for an amount", function(s) s:add_transaction("C-1", 0, {}) end, "arg 4%), expected 'double' got 'table'" },
    { "non-numeric text for an amount", function(s) s:add_transaction("C-1", 0, "ten") end, "arg 4%), expected 'double' got 'string'" },
    { "table for a score", function(s) s:add_feedback("C-1", "csat", {}, 0) end, "expected 'double' got 'table'" },
    { "table for a time", function(s) s:add_transaction("C-1", {}, 1) end, "arg 3%), expected 'cx_time' got 'table'" },
    { "bad text for a time", function(s) s:add_transaction("C-1", "yesterday", 1) end, "^Parse: [%w_.:]+: " },
    { "Store for a table", function(s) s:rows(s) end, "table" },
    { "unknown table", function(s) s:rows("customer") end, "^Invalid: [%w_.:]+: unknown table name 'customer'" },
    { "text for a row", function(s) s:get("customers", "id", "first") end, "" },
    { "Calendar for a Store", function() cx.Query(cx.Calendar()) end, "new_Query %(arg 1%), expected 'Store" },
    { "Store for a Calendar", function(s) cx.Query(s):set_calendar(s) end, "Calendar" },
    { "table for a Result", function(s) local q = cx.Query(s); q:add("csat"); q:run():merge({}) end, "Result" },
    { "string for an array", function(s) s:add_customers("C-9") end, "add_customers %(arg 2%), expected 'cxb_strv' got 'string'" },
    { "map for an array", function(s) s:add_customers({ a = "C-9" }) end, "^Invalid: [%w_.:]+: argument 2: expected a sequence" },
    { "sequence with a hole", function(s) s:add_customers({ "C-8", nil, "C-9" }) end, "^Invalid: [%w_.:]+: .*sequence" },
    { "sequence with an extra key", function(s) s:add_customers({ "C-9", x = 1 }) end, "^Invalid: [%w_.:]+: .*sequence" },
    { "number in an id array", function(s) s:add_customers({ "C-9", 5 }) end, "^Invalid: [%w_.:]+: entry 2: expected a string or false, got number" },
    { "text in a number array", function(s) s:add_transactions({ "C-1" }, { 0 }, { "x" }) end, "^Invalid: [%w_.:]+: .*number" },
    { "text for model parameters", function() cx.Model("bgnbd", "abcd") end, "expected 'cxb_realv' got 'string'" },
    { "text inside model parameters", function() cx.Model("bgnbd", { "a", 1, 1, 1 }) end, "^Invalid: [%w_.:]+: entry 1: expected a number" },
  }
  for _, w in ipairs(WRONG) do
    it(w[1] .. " raises and changes nothing", function()
      local s = H.small()
      local before = counts(s)
      fails(w[3], w[2], s)
      same_counts(s, before)
    end)
  end
end)

describe("huge integers, NaN and infinities", function()
  -- (math.mininteger - 1.0 is -2^63 exactly, an integer: see the next test)
  local HUGE = { math.maxinteger + 1.0, -2 ^ 64, 2 ^ 64, 1e308, -1e308, 0.5 }
  for _, v in ipairs(HUGE) do
    it("refuses " .. tostring(v) .. " where an integer is taken", function()
      local s = H.small()
      local n = s:rows("transactions")
      fails("^Range: [%w_.:]+: argument 3: .* is not an integer", s.add_transaction, s, "C-1", v, 1)
      fails("^Range: [%w_.:]+: entry 1 of .*is not an integer", s.add_transactions, s, { "C-1" }, { v }, { 1 })
      fails("^Range: [%w_.:]+: argument 4: .* is not an integer", s.get, s, "customers", "id", v)
      fails("^Range: [%w_.:]+: argument 1: .* is not an integer", cx.Monitor, v)
      local jo = cx.JourneyOptions(s)
      fails("^Range: [%w_.:]+: argument 2: .* is not an integer", jo.set_gap, jo, v)
      fails("^Range: [%w_.:]+: ", s.rows, s, v)
      assert.are.equal(n, s:rows("transactions"))
    end)
  end

  it("refuses integers beyond what the parameter holds, naming the range", function()
    local s = H.small()
    fails("^Range: [%w_.:]+: argument 2: 9223372036854775807 is out of range", s.rows, s, math.maxinteger)
    fails("^Range: [%w_.:]+: argument 4: %-1 is out of range", s.get, s, "customers", "id", -1)
    fails("^Range: [%w_.:]+: argument 3: %-9223372036854775808 is out of range", s.add_transaction, s, "C-1", math.mininteger, 1)
    fails("^Range: [%w_.:]+: ", s.add_transaction, s, "C-1", math.maxinteger, 1) -- a time past year 9999
    fails("^Range: [%w_.:]+: ", s.get, s, "customers", "id", math.maxinteger)
  end)

  for _, v in ipairs { 0 / 0, math.huge, -math.huge } do
    it("refuses " .. tostring(v) .. " where a number is taken", function()
      local s = H.small()
      local before = counts(s)
      fails("^Range: [%w_.:]+: .*amount", s.add_transaction, s, "C-1", 0, v)
      fails("^Range: [%w_.:]+: .*amount", s.add_transactions, s, { "C-1" }, { 0 }, { v })
      fails("^Range: [%w_.:]+: .*score", s.add_feedback, s, "C-1", "csat", v, 0)
      fails("^Range: [%w_.:]+: .*parameter", cx.Model, "bgnbd", { v, 1, 1, 1 })
      local h = cx.HealthOptions()
      fails("^Range: [%w_.:]+: .*weight", h.set_weight, h, "nps", v)
      fails("^Range: [%w_.:]+: ", s.add_touchpoint, s, "tp-x", "web", "consideration", "sales", true, v)
      same_counts(s, before)
    end)
  end
end)

describe("invalid UTF-8", function()
  local BAD = { "\x80", "C-\xc0\xaf", "\xed\xa0\x80", "\xff\xfe", "\xe2\x82", "\xf4\x90\x80\x80" }
  for _, b in ipairs(BAD) do
    it(("is refused in ids, attributes, comments and names: %q"):format(b), function()
      local s = H.small()
      local before = counts(s)
      fails("^Invalid: [%w_.:]+: .*not valid UTF%-8", s.add_customer, s, b)
      fails("^Invalid: [%w_.:]+: .*not valid UTF%-8", s.add_customer, s, "C-9", b)
      fails("^Invalid: [%w_.:]+: .*not valid UTF%-8", s.set_attribute, s, "C-1", "k", b)
      fails("^Invalid: [%w_.:]+: .*not valid UTF%-8", s.set_attribute, s, "C-1", b, "v")
      fails("^Invalid: [%w_.:]+: .*not valid UTF%-8", s.add_feedback, s, "C-1", "csat", 4, 0, nil, nil, nil, b)
      fails("^Invalid: [%w_.:]+: .*not valid UTF%-8", s.define, s, "channel", b)
      fails("^Invalid: [%w_.:]+: .*UTF%-8", s.add_customers, s, { "ok", b })
      same_counts(s, before)
      assert.is_nil(s:get_attribute("C-1", "k"))
    end)
    it(("is rejected with its row in imported files: %q"):format(b), function()
      local s = H.small()
      local p = tmp .. "/bad.csv"
      local f = assert(io.open(p, "wb"))
      f:write("id,segment\nOK-1,consumer\n" .. b .. ",consumer\nOK-2,business\n")
      f:close()
      local n = s:rows("customers")
      local rep = s:import_csv("customers", p)
      assert.are.equal(1, rep:rejected())
      assert.are.equal(n + 2, s:rows("customers"))
    end)
  end
end)

describe("the monitor", function()
  it("refuses times beyond years 0000-9999 (they overflowed before)", function()
    local m = cx.Monitor(1 << 62)
    fails("^Range: [%w_.:]+: .*time .* is outside years 0000%-9999", m.add_contact, m, math.mininteger + 1, "handled")
    fails("^Range: [%w_.:]+: .*now .* is outside years 0000%-9999", m.read, m, math.mininteger + 1, "missed_rate")
    fails("^Range: [%w_.:]+: .*opened time .* is outside", m.add_case, m, 0, math.mininteger + 1, nil, 1, 0)
    fails("^Range: [%w_.:]+: .*resolved time .* is outside", m.add_case, m, math.maxinteger, 0, nil, 1, 0)
    fails("^Range: [%w_.:]+: .*duration .* longer than years 0000%-9999", m.add_contact, m, 0, "handled", math.maxinteger)
    local hi, lo = cx.time_parse("9999-12-31T23:59:59.999Z"), cx.time_parse("0000-01-01T00:00:00Z")
    m:add_contact(hi, "handled", hi - lo)
    local v, n = m:read(hi, "handle_time")
    assert.are.equal(1, n)
    assert.are.equal(hi - lo, v)
  end)
end)

describe("file paths with arbitrary bytes", function()
  it("are used byte for byte (a Linux file name is bytes, not text)", function()
    local s = H.small()
    local path = tmp .. "/x\xff\xc0\xaf.db"
    s:save(path)
    assert.is_true(exists(path))
    assert.is_false(exists(tmp .. "/x.db"))
    assert.are.equal(s:rows("customers"), cx.Store.load(path):rows("customers"))
    os.remove(path)
  end)
end)
