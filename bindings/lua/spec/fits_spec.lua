-- Fits that never hang (issue 14) from Lua: the shipped demo data, on
-- which the Pareto/NBD fit used to run for minutes, fail at once with a
-- status that says what is degenerate; so do identical customers, no
-- repeat purchase and no dropout signal. No test asserts a duration.
package.path = (os.getenv("CXKIT_SOURCE_ROOT") or ".") .. "/bindings/lua/spec/?.lua;" .. package.path
local H = require "helper"
local cx = H.cx
local WEEK = 7 * 86400000

describe("cxkit fits", function()
  it("says the demo data are degenerate for the Pareto/NBD", function()
    local s = H.load_demo(cx.Store())
    local su = cx.Summary(s, "2025-07-01T00:00:00+03:00", "2026-01-01T00:00:00+03:00", WEEK)
    local x, tx, T = su:column("frequency"), su:column("recency"), su:column("age")
    local ok, err = pcall(cx.fit_paretonbd, x, tx, T)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):match("^Range"))
    assert.is_truthy(tostring(err):find("no spread in purchase rates", 1, true))
    assert.is_truthy(tostring(err):find("boundary estimate: purchase rate r/alpha = 0.05", 1, true))
    local bg = cx.fit_bgnbd(x, tx, T):params():totable()
    assert.is_true(math.abs(bg[1].value - 2.1232213) < 2.1232213e-4)
  end)

  it("names each degenerate case", function()
    local zeros, thirty = {}, {}
    for i = 1, 20 do zeros[i], thirty[i] = 0, 30 end
    assert.has_error(function() cx.fit_paretonbd(zeros, zeros, thirty) end)
    local ok, err = pcall(cx.fit_paretonbd, zeros, zeros, thirty)
    assert.is_truthy(tostring(err):find("no customer made a repeat purchase", 1, true))
    ok, err = pcall(cx.fit_bgnbd, { 3 }, { 12.5 }, { 30 }, { 500 })
    assert.is_false(ok)
    assert.is_truthy(tostring(err):find("all 500 customers have the same", 1, true))
    local x, T = {}, {}
    for i = 1, 600 do x[i], T[i] = 1 + (i - 1) % 9, 30 + (i - 1) % 7 end
    ok, err = pcall(cx.fit_paretonbd, x, T, T)
    assert.is_false(ok)
    assert.is_truthy(tostring(err):match("^Range"))
    assert.is_truthy(tostring(err):find("no dropout signal", 1, true))
  end)
end)
