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
      fails("^Invalid: .*" .. name .. " object was freed", call, o)
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
    fails("^Invalid: .*id.* NUL", s.add_customer, s, "C-9\0x")
    fails("^Invalid: .*segment.* NUL", s.add_customer, s, "C-9", "consumer\0x")
    fails("^Invalid: .*value.* NUL", s.set_attribute, s, "C-1", "name", "a\0b")
    fails("^Invalid: .*key.* NUL", s.set_attribute, s, "C-1", "na\0me", "ab")
    fails("^Invalid: .*comment.* NUL", s.add_feedback, s, "C-1", "csat", 4, 0, nil, nil, nil, "good\0bad")
    fails("^Invalid: .*customer.* NUL", s.add_transaction, s, "C-1\0", 0, 1.0)
    fails("^Invalid: .*name.* NUL", s.define, s, "channel", "fax\0")
    fails("NUL", s.rows, s, "customers\0x")
    fails("NUL", s.get, s, "customers", "id\0x", 0)
    assert.is_nil(s:get_attribute("C-1", "na"))
    assert.are.equal("سارة العتيبي", s:get_attribute("C-1", "name"))
    for t, n in pairs(before) do assert.are.equal(n, s:rows(t), t) end
  end)

  it("are refused in times", function()
    local s = H.small()
    local n = s:rows("transactions")
    fails("^Invalid: .*NUL", s.add_transaction, s, "C-1", "2024-01-01\0junk", 1.0)
    fails("^Invalid: .*NUL", s.add_transactions, s, { "C-1" }, { "2024-01-01\0junk" }, { 1.0 })
    fails("^Invalid: .*NUL", cx.time_parse, "2024-01-01\0junk")
    assert.are.equal(n, s:rows("transactions"))
  end)

  it("are refused in the arrays of the bulk loaders, naming the entry", function()
    local s = H.small()
    local n = s:rows("customers")
    fails("^Invalid: .*entry 2 of ids.* NUL", s.add_customers, s, { "B-1", "B-2\0x" })
    fails("^Invalid: .*entry 1 of .* NUL", s.add_customers, s, { "B-1" }, { "consumer\0" })
    fails("^Invalid: .*entry 1 of .* NUL", s.add_transactions, s, { "C-1\0" }, { 0 }, { 1.0 })
    assert.are.equal(n, s:rows("customers"))
    fails("^Invalid: .*entry 1 of ids.* NUL", s.forget, s, { "C-1\0x" })
    assert.are.equal(n, s:rows("customers"))
  end)

  it("are refused in file paths: nothing is written", function()
    local s = H.small()
    local path = tmp .. "/a.db"
    fails("^Invalid: .*path.* NUL", s.save, s, path .. "\0x")
    assert.is_false(exists(path))
    fails("^Invalid: .*path.* NUL", s.export_csv, s, "customers", tmp .. "/c.csv\0x")
    assert.is_false(exists(tmp .. "/c.csv"))
    fails("^Invalid: .*path.* NUL", cx.Store.load, path .. "\0x")
    local o = cx.ImportOptions()
    fails("^Invalid: .*path.* NUL", o.set_reject_path, o, tmp .. "/r.csv\0x")
    local q = cx.Query(s)
    q:add("csat")
    local r = q:run()
    fails("^Invalid: .*path.* NUL", r.export_csv, r, tmp .. "/r.csv\0x")
    assert.is_false(exists(tmp .. "/r.csv"))
  end)

  it("are refused in enumeration and column names", function()
    local q = cx.Query(H.small())
    fails("^Invalid: .*NUL", q.add, q, "nps\0x")
    q:add("csat")
    local r = q:run()
    fails("^Invalid: .*NUL", r.get, r, 0, "csat\0x")
  end)
end)
