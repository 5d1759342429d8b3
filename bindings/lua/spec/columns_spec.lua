-- Issue 13: whole result columns in one call (result:column_reals,
-- column_ints, column_strings), equal to the cells read one by one.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local function results(s)
  local q = cx.Query(s)
  q:add("nps")
  q:add("resolution")
  q:group_by_time("month", 180)
  q:group_by("channel")
  return { q:run(), cx.cohorts(s, "transactions", "first_activity", "quarter", -300), cx.Journeys(s):list() }
end

describe("cxkit result columns", function()
  it("reads whole columns as the cells read one by one", function()
    local s = H.load_demo(cx.Store())
    for _, r in ipairs(results(s)) do
      local n = r:rows()
      assert.is_true(n > 0)
      for c = 0, r:columns() - 1 do
        local t, name = r:column_type(c), r:column_name(c)
        if t == cx.TYPE_STRING then
          local got = r:column_strings(name)
          assert.are.equal(n, #got)
          for i = 1, n do
            local cell = r:get(i - 1, c)
            if cell == nil then cell = false end
            assert.are.equal(cell, got[i], name)
          end
        else
          local reals = r:column_reals(c)
          assert.are.equal(n, #reals)
          if t ~= cx.TYPE_REAL then
            local ints = r:column_ints(name)
            assert.are.equal(n, #ints)
            for i = 1, n do
              local cell = r:get(i - 1, c)
              assert.is_true(math.type(ints[i]) == "integer")
              if cell == nil then
                assert.are.equal(math.mininteger, ints[i], name)
                assert.is_true(reals[i] ~= reals[i])
              else
                assert.are.equal(cell, ints[i], name)
                assert.are.equal(cell + 0.0, reals[i], name)
              end
            end
          else
            for i = 1, n do
              local cell = r:get(i - 1, c)
              assert.is_true(cell == reals[i] or (cell ~= cell and reals[i] ~= reals[i]), name)
            end
          end
        end
      end
    end
  end)
  it("refuses the wrong column type, an unknown column and a closed result", function()
    local r = cx.cohorts(H.small(), "transactions", "first_activity", "month")
    local ok, err = pcall(r.column_reals, r, "cohort_label")
    assert.is_false(ok)
    assert.truthy(err:match("^Invalid: result:column_reals: column 'cohort_label' is text %[CX_EINVAL %-1%]$"), err)
    ok, err = pcall(r.column_strings, r, "size")
    assert.truthy(err:match("is not text"), err)
    ok, err = pcall(r.column_ints, r, "nope")
    assert.truthy(err:match("^NotFound: result:column_ints: "), err)
    ok, err = pcall(r.column_ints, r, r:columns())
    assert.truthy(err:match("^Range: "), err)
    r:close()
    ok, err = pcall(r.column_ints, r, 0)
    assert.truthy(err:match("Result is closed"), err)
  end)
end)
