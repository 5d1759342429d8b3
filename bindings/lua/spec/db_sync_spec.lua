-- The SQLite side of ids, sync and erasure: a saved file keeps event ids and
-- links, cx.db_import_csv with existing = "update", cx.db_forget.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  assert.truthy(tostring(err):match(pattern), tostring(err))
end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local function store()
  local s = cx.Store()
  s:add_touchpoint("web", "web", "consideration")
  for k, c in ipairs { "C-1", "C-2", "C-3" } do
    s:add_customer(c, "consumer")
    s:set_attribute(c, "name", "اسم " .. c)
    s:add_interaction(c, "web", 1000 * k, "visit", "inbound", nil, nil, 0, "handled", 0, "I-" .. k)
    s:add_feedback(c, "nps", 8, 1000 * k + 1, nil, "I-" .. k, nil, "comment " .. c, "F-" .. k)
    s:add_transaction(c, 1000 * k + 2, 10.0 * k, "X-" .. k)
  end
  return s
end

local function dump(s)
  local out = {}
  for _, t in ipairs { "customers", "interactions", "feedback", "transactions" } do
    for i = 0, s:rows(t) - 1 do
      local r, keys = s:record(t, i), {}
      for k in pairs(r) do keys[#keys + 1] = k end
      table.sort(keys)
      for _, k in ipairs(keys) do out[#out + 1] = t .. i .. "." .. k .. "=" .. tostring(r[k]) end
    end
  end
  return table.concat(out, "\n")
end

describe("cxkit SQLite ids, sync and erasure", function()
  it("saves and loads ids and links", function()
    local s, db = store(), os.tmpname()
    s:save(db)
    assert.are.equal(2, cx.db_schema_version(db))
    assert.are.equal(dump(s), dump(cx.Store.load(db)))
    os.remove(db)
  end)

  it("imports a CSV into a file twice with existing = 'update'", function()
    local db, csv = os.tmpname(), os.tmpname()
    os.remove(db)
    write(csv, "id,segment\nC-1,consumer\nC-2,vip\n")
    local o = cx.import_options { existing = "update" }
    local rep = cx.db_import_csv(db, "customers", csv, o)
    assert.are.equal(2, rep:added())
    rep = cx.db_import_csv(db, "customers", csv, o)
    assert.are.equal(0, rep:added())
    assert.are.equal(2, rep:unchanged())
    os.remove(db); os.remove(csv)
  end)

  it("forgets customers in a file as in a store", function()
    local s, db = store(), os.tmpname()
    s:save(db)
    local rows = cx.db_forget(db, { "C-2" })
    assert.are.equal("integer", math.type(rows))
    assert.are.equal(s:forget({ "C-2" }), rows)
    assert.are.equal(dump(s), dump(cx.Store.load(db)))
    fails("^NotFound: [%w_.:]+: .*nobody", cx.db_forget, db, { "C-1", "nobody" })
    assert.are.equal(dump(s), dump(cx.Store.load(db)))
    os.remove(db)
  end)
end)
