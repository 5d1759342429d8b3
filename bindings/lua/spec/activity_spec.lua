-- The lifecycle of the base (cx.lifecycle) and stickiness (cx.stickiness)
-- from Lua, pinned on hand-made customers.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local function four()
  local s = cx.Store()
  for _, c in ipairs { "A", "B", "C", "D" } do s:add_customer(c) end
  for _, e in ipairs {
    { "A", "2024-04-05T10:00:00Z" }, { "A", "2024-01-01T10:00:00Z" }, { "A", "2024-01-02T10:00:00Z" },
    { "B", "2024-02-03T09:00:00Z" }, { "B", "2024-02-03T18:00:00Z" }, { "A", "2024-02-10T10:00:00Z" },
    { "B", "2024-02-20T10:00:00Z" }, { "C", "2024-03-31T23:30:00Z" } } do
    s:add_transaction(e[1], cx.time_parse(e[2]), 10)
  end
  return s
end

describe("cxkit activity", function()
  it("counts the lifecycle by hand", function()
    local rows = cx.lifecycle(four()):totable()
    assert.are.equal(4, #rows)
    local want = { { 1, 1, 0, 0, 0 }, { 2, 1, 1, 0, 0 }, { 1, 1, 0, 0, 2 }, { 1, 0, 0, 1, 1 } }
    for i, w in ipairs(want) do
      local r = rows[i]
      assert.are.same(w, { r.active, r.new, r.returning, r.resurrecting, r.dormant })
      assert.are.equal(math.type(r.active), "integer")
    end
    assert.are.equal("2024-03", rows[3].period_label)
    assert.are.equal(0.5, rows[3].quick_ratio)
    local shifted = cx.lifecycle(four(), "transactions", "first_activity", "month", 60):totable()
    assert.are.equal(0, shifted[3].active)
  end)

  it("counts active days by hand", function()
    local rows = cx.stickiness(four()):totable()
    assert.are.equal(121, #rows)
    assert.are.equal(1, rows[2].customers) -- A on 1 and 2 January
    assert.are.equal(2, rows[2].days)
    assert.are.equal(1, rows[33].customers) -- B on two days of February
    assert.are.equal(2, rows[33].active)
    local ok, err = pcall(cx.stickiness, four(), "transactions", "first_activity", "fortnight")
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("bucket", 1, true))
  end)
end)
