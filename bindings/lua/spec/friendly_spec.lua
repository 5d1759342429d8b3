-- Issue 13: objects print what they hold (__tostring) and count (#), errors
-- answer a misspelt name with the close ones and can be read as a table
-- (cx.error_info), imports take a table of options.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local function err_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  return tostring(err)
end

describe("cxkit objects read well", function()
  it("prints a store's rows per table and counts its customers", function()
    local s = H.small()
    local want = {}
    for _, t in ipairs({ "customers", "touchpoints", "interactions", "cases", "questions", "feedback",
                         "transactions" }) do
      want[#want + 1] = t .. "=" .. s:rows(t)
    end
    assert.are.equal("cxkit.Store " .. table.concat(want, ", "), tostring(s))
    assert.are.equal(s:rows("customers"), #s)
    s:close()
    assert.are.equal("cxkit.Store (closed)", tostring(s))
  end)
  it("prints a result's shape and columns, # is its rows", function()
    local s = H.small()
    local q = cx.Query(s)
    q:add("nps")
    local r = q:run()
    assert.are.equal(string.format("cxkit.Result %d rows x %d columns: %s", r:rows(), r:columns(),
      table.concat(r:column_names(), ", ")), tostring(r))
    assert.is_true(tostring(r):find(": nps, nps_n, nps_lo", 1, true) ~= nil)
    assert.are.equal(r:rows(), #r)
    assert.are.equal(1, #r)
    assert.are.equal("cxkit.Query", tostring(q))
    r:close()
    assert.are.equal("cxkit.Result (closed)", tostring(r))
  end)
  it("prints histories, journeys and import reports", function()
    local s = H.small()
    local h = s:history("C-1")
    assert.are.equal(string.format("cxkit.History %d entries", h:count()), tostring(h))
    assert.are.equal(h:count(), #h)
    local j = cx.Journeys(s)
    assert.are.equal(string.format("cxkit.Journeys %d journeys, %d converted", j:count(), j:conversion_count()),
      tostring(j))
    assert.are.equal(j:count(), #j)
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("id,segment\nC-9,a\n")
    f:close()
    local rep = s:import_csv("customers", path)
    os.remove(path)
    assert.are.equal("cxkit.ImportReport read=1 accepted=1 (added=1 updated=0 unchanged=0) rejected=0", tostring(rep))
    assert.is_nil(tostring(cx.ImportOptions()):find("userdata", 1, true))
  end)
end)

describe("cxkit errors name the close names", function()
  it("answers a misspelt measure, table or rule with the close ones", function()
    local s = H.small()
    local q = cx.Query(s)
    assert.are.equal("Invalid: query:add: unknown measure name 'nsp': did you mean 'nps'? [CX_EINVAL -1]", err_of(q.add, q, "nsp"))
    assert.are.equal("Invalid: store:rows: unknown table name 'customer': did you mean 'customers'? [CX_EINVAL -1]",
      err_of(s.rows, s, "customer"))
    assert.are.equal("Invalid: import_options:set_existing: unknown existing-record rule name 'merge' (expected one of 'reject', 'skip', 'update') [CX_EINVAL -1]",
      err_of(cx.ImportOptions().set_existing, cx.ImportOptions(), "merge"))
    assert.truthy(err_of(cx.import_options, { exsting = "update" })
      :find("Invalid: cx.import_options: unknown option 'exsting': did you mean 'existing'? [CX_EINVAL -1]", 1, true))
    assert.truthy(err_of(cx.journey_options, s, { levle = "channel" })
      :find("Invalid: cx.journey_options: unknown option 'levle': did you mean 'level'? [CX_EINVAL -1]", 1, true))
  end)
  it("reads an error as a table with its code", function()
    local s = H.small()
    local info = cx.error_info(err_of(s.history, s, "nobody"))
    assert.are.same({ kind = "NotFound", code = cx.ENOTFOUND, name = "CX_ENOTFOUND", method = "store:history",
                      message = "no customer 'nobody'" }, info)
    info = cx.error_info(err_of(s.add_customer, s, "C-1"))
    assert.are.equal(cx.EEXISTS, info.code)
    assert.is_nil(cx.error_info("some other error"))
  end)
end)

describe("cxkit imports take a table of options", function()
  it("store:import_csv(table, path, {existing = 'update', strict = true})", function()
    local s = cx.Store()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("id,segment\nC-1,a\n")
    f:close()
    s:import_csv("customers", path)
    f = assert(io.open(path, "w"))
    f:write("id,segment\nC-1,b\n")
    f:close()
    local rep = s:import_csv("customers", path, { existing = "update", strict = true })
    os.remove(path)
    assert.are.equal(1, rep:updated())
    assert.are.equal("b", s:record("customers", 0).segment)
    assert.truthy(err_of(s.import_csv, s, "customers", path, { strickt = true }):find("did you mean 'strict'", 1, true))
  end)
end)
