-- Bad input raises Lua errors, never crashes; closed handles raise.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  assert.truthy(tostring(err):match(pattern), tostring(err))
end

describe("cxkit errors", function()
  it("maps every status to a kind in the message", function()
    local s = H.small()
    fails("^Exists: [%w_.:]+: .*C%-1", s.add_customer, s, "C-1")
    fails("^NotFound", s.find, s, "customers", "none")
    fails("^Order", s.add_case, s, "T-9", "C-1", "phone", nil, nil, 1000, nil, 500)
    fails("^Range", s.add_feedback, s, "C-1", "nps", 11, 0)
    fails("^IO", s.import_csv, s, "customers", "/nonexistent/x.csv")
    fails("^Invalid: [%w_.:]+: unknown table", s.rows, s, "tables")
    assert.are.equal(cx.EIO, cx.last_error_code())
  end)
  it("raises on closed handles", function()
    local s = cx.Store()
    local q = cx.Query(s)
    q:add("nps")
    local r = q:run()
    s:close(); s:close()
    fails("closed", s.rows, s, "customers")
    r:close()
    fails("closed", r.totable, r)
    q:close()
    fails("closed", q.run, q)
  end)
  it("raises on nil, wrong types and out-of-range values", function()
    local s = cx.Store()
    fails("required", cx.Query, nil)
    fails("", cx.Query, cx.Calendar())
    fails("", s.add_customer, s, {})
    fails("Invalid", s.add_customer, s, nil)
    fails("not an integer", s.rows, s, 0.5)
    fails("Range", s.reserve, s, "customers", -1)
    fails("", s.rows, s, {})
    fails("Invalid", s.rows, s, 99)
    fails("", s.add_customers, s, "abc")
    fails("", cx.Store.rows, cx.Calendar(), "customers")
  end)
  it("keeps the parent alive while a child lives", function()
    local s = cx.Store()
    s:add_customer("a")
    s:add_feedback("a", "nps", 9, 0)
    local q = cx.Query(s)
    local h = s:history("a")
    s = nil
    collectgarbage(); collectgarbage()
    q:add("nps")
    assert.are.equal(1, q:run():get(0, "nps_n"))
    assert.are.equal(9.0, h:entry(0).score)
  end)
  it("names the Lua method and carries the status's name and number", function()
    local s = H.small()
    local function err_of(f, ...)
      local ok, err = pcall(f, ...)
      assert.is_false(ok)
      assert.are.equal("string", type(err))
      return err
    end
    -- a method: the object in snake case, ':' and the method, never the C function
    local e = err_of(s.add_customer, s, "C-1")
    assert.are.equal("Exists: store:add_customer: customer 'C-1' already exists [CX_EEXISTS -4]", e)
    assert.is_nil(e:find("cx_", 1, true))
    e = err_of(s.history, s, "nobody")
    assert.are.equal("NotFound: store:history: no customer 'nobody' [CX_ENOTFOUND -3]", e)
    local o = cx.ImportOptions()
    assert.truthy(err_of(o.set_existing, o, "merge"):match("^Invalid: import_options:set_existing: .* %[CX_EINVAL %-1%]$"))
    -- a function, a constructor, a static method, an argument's typemap
    assert.truthy(err_of(cx.time_parse, "2024-13-01"):match("^Parse: cx%.time_parse: .* %[CX_EPARSE %-6%]$"))
    assert.truthy(err_of(cx.Query, nil):match("^Invalid: cx%.Query: .* %[CX_EINVAL %-1%]$"))
    assert.truthy(err_of(cx.Result.deserialize, "xx"):match("^Parse: cx%.Result%.deserialize: "))
    assert.truthy(err_of(s.add_transaction, s, "C-1", 1.5, 1):match("^Range: store:add_transaction: argument 3: "))
    -- every code the library raises, with its name and number
    local q = cx.Query(s)
    q:add("nps")
    local r = q:run()
    local cases = {
      { "EINVAL", function() return err_of(r.column_ints, r, "nps") end, "result:column_ints" },
      { "ENOTFOUND", function() return err_of(s.find, s, "customers", "none") end, "store:find" },
      { "EEXISTS", function() return err_of(s.add_customer, s, "C-1") end, "store:add_customer" },
      { "ERANGE", function() return err_of(s.add_feedback, s, "C-1", "nps", 11, 0) end, "store:add_feedback" },
      { "EORDER", function() return err_of(s.add_case, s, "T-9", "C-1", "phone", nil, nil, 1000, nil, 500) end,
        "store:add_case" },
      { "EIO", function() return err_of(s.import_csv, s, "customers", "/nonexistent/x.csv") end, "store:import_csv" },
    }
    for _, c in ipairs(cases) do
      local msg = c[2]()
      local info = cx.error_info(msg)
      assert.are.equal(cx[c[1]], info.code, msg)
      assert.are.equal("CX_" .. c[1], info.name, msg)
      assert.are.equal(c[3], info.method, msg)
      assert.truthy(msg:find(" [CX_" .. c[1] .. " " .. cx[c[1]] .. "]", 1, true), msg)
      assert.are.equal(msg, info.kind .. ": " .. info.method .. ": " .. info.message .. " [" .. info.name .. " " ..
                       info.code .. "]")
    end
    -- raised from Lua code (option tables), the same form
    local info = cx.error_info(err_of(cx.import_options, { exsting = "update" }))
    assert.are.same({ "Invalid", cx.EINVAL, "CX_EINVAL", "cx.import_options" },
                    { info.kind, info.code, info.name, info.method })
    assert.is_nil(cx.error_info("Oops: not ours [CX_EINVAL -1]"))
    assert.is_nil(cx.error_info({}))
  end)
end)
