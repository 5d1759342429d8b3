-- Lifecycle and value (lifecycle.h) from Lua: the aml Kaplan-Meier table
-- with R's figures, cohorts, RFM, the summary, the models (the CDNOW BG/NBD
-- fit when the file is there), health, care rules (the store analyses as
-- Result tables), errors, closed handles and ownership in any collection
-- order.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local DAY = 86400000
local AS_OF = "2024-04-01T00:00:00Z"
local AML_TIME = { 9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45 }
local AML_EVENT = { 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1 }
local AML_GROUP = {}
for i = 1, 23 do AML_GROUP[i] = i <= 11 and 1 or 2 end
local CDNOW = os.getenv("CXKIT_CDNOW") or "/work/shared/data/cdnow_customers_summary.csv"

-- A: Jan 5, Feb 10, Mar 3 (100, 50, 30); B: Jan 20 (20); C: Feb 14, Mar 20 (40, 60);
-- A has an open high-priority case and a detractor answer about it.
local function shop()
  local s = cx.Store()
  s:add_customer("A", "consumer"); s:add_customer("B", "business"); s:add_customer("C", "consumer")
  for _, t in ipairs { { "A", "2024-01-05", 100 }, { "A", "2024-02-10", 50 }, { "A", "2024-03-03", 30 },
    { "B", "2024-01-20", 20 }, { "C", "2024-02-14", 40 }, { "C", "2024-03-20", 60 } } do
    s:add_transaction(t[1], t[2] .. "T12:00:00Z", t[3])
  end
  s:add_case("T-1", "A", "phone", "high", "agent", "2024-03-01T09:00:00Z")
  s:add_feedback("A", "nps", 3, "2024-03-02T09:00:00Z", nil, nil, "T-1")
  return s
end

local function near(a, b, tol) assert(math.abs(a - b) <= tol, ("%.10g is not %.10g"):format(a, b)) end

describe("cxkit lifecycle", function()
  it("builds the retention table", function()
    local c = cx.cohorts(shop(), "transactions", "first_activity", "month", 0)
    -- long format: a row per cohort and period since its start
    assert.are.equal(6, c:rows())
    local t = c:totable()
    assert.are.same({ "2024-01", 0, 2, 2, 1.0 }, { t[1].cohort_label, t[1].period, t[1].size, t[1].active,
      t[1].retention })
    assert.are.same({ "2024-02", 1, 1, 1, 0.5 }, { t[2].period_label, t[2].kept, t[2].lost, t[2].active,
      t[2].retention })
    assert.are.equal(0.5, t[2].churn)
    assert.are.equal("2024-03", t[6].cohort_label)
    assert.are.equal(0, t[6].size)
    assert.is_true(t[6].retention ~= t[6].retention) -- NaN for an empty cohort
    assert.are.equal(0.5, c:row(1).retention)
    assert.has_error(function() cx.cohorts(shop(), "purchases") end, "Invalid: cx.cohorts: unknown activity name 'purchases' (expected one of 'transactions', 'inbound', 'all') [CX_EINVAL -1]")
  end)

  it("pins the aml Kaplan-Meier table (R survival)", function()
    local s = cx.Survival(AML_TIME, AML_EVENT, AML_GROUP, 0.95, "log")
    assert.are.equal(2, s:group_count())
    local g = s:summary():row(0)
    assert.are.same({ "1", 11, 7, 31, 18 }, { g.group, g.subjects, g.events, g.median, g.median_lo })
    local curve = s:curve():totable()
    assert.are.equal(20, #curve)
    near(s:at(31, 0), 0.491, 5e-4)
    near(s:band(31, 0).lo, 0.2549, 5e-5)
    local st = curve[2]
    assert.are.same({ "1", 13, 10, 1, 1 }, { st.group, st.time, st.at_risk, st.events, st.censored })
    near(st.lo, 0.6192489874, 1e-9)
    near(s:at(44.9, "2"), 0.0972222222, 1e-9)
    assert.are.equal(31, s:median(0))
    assert.are.equal(23, s:median("2"))
    local lr = s:logrank()
    near(lr.chi2, 3.396389, 1e-5)
    near(lr.p, 0.06533, 1e-5)
    assert.are.equal(1, lr.df)
    -- booleans for events, the default log-log band, one pooled curve
    local ev = {}
    for i, e in ipairs(AML_EVENT) do ev[i] = e == 1 end
    local p = cx.Survival(AML_TIME, ev)
    assert.are.equal(27, p:median())
    assert.has_error(function() p:logrank() end)
    assert.has_error(function() cx.Survival({ 1, 2, 3 }, { 1, 0 }) end, "Invalid: cx.Survival: event has 2 entries, expected 3 [CX_EINVAL -1]")
    assert.has_error(function() s:median("x") end, "NotFound: survival:median: no survival group labelled 'x' [CX_ENOTFOUND -3]")
  end)

  it("builds survival from a store", function()
    local sv = cx.Survival.from_store(shop(), "transactions", 30 * DAY, AS_OF, nil, "segment")
    assert.are.equal(2, sv:group_count())
    local b = sv:summary():row(1)
    assert.are.same({ "business", 1, 1 }, { b.group, b.subjects, b.events })
    assert.are.equal(1, cx.Survival.from_store(shop(), "all", 30 * DAY, AS_OF):group_count())
  end)

  it("scores RFM and summarises", function()
    local s = shop()
    local r = cx.rfm(s, AS_OF)
    assert.are.equal(3, r:rows())
    local a = r:row(0)
    assert.are.same({ "A", 3, 180 }, { a.customer, a.frequency, a.monetary })
    assert.are.equal(cx.rfm_segment_name(a.segment), a.segment_name)
    assert.are.equal(3, #r:totable())
    assert.are.equal("champions", cx.rfm_segment_name(cx.RFM_CHAMPIONS))
    local su = cx.Summary(s, AS_OF, nil, DAY)
    assert.are.same({ 2, 0, 1 }, su:column("frequency"))
    local t = su:table()
    assert.are.equal(86.5, t:get(0, "age"))
    assert.are.same({ "A", 40 }, { t:row(0).customer, t:row(0).monetary })
    assert.are.equal(3, #t:totable())
    assert.has_error(function() cx.Summary(s, AS_OF, "2024-03-01T00:00:00Z") end)
    assert.are.equal(0, su:tolerated_count())
    assert.are.equal(DAY, cx.SUMMARY_TOLERANCE_DEFAULT)
  end)

  it("tolerates a day of clock skew before acquisition by default", function()
    local s = cx.Store()
    s:add_customer("A", nil, nil, nil, "2024-03-02T00:00:00Z")
    s:add_transaction("A", "2024-03-01T04:00:00Z", 10, "X-1") -- 20 h early
    s:add_transaction("A", "2024-03-10T00:00:00Z", 10, "X-2")
    assert.are.equal(1, cx.Summary(s, "2024-04-01T00:00:00Z"):tolerated_count())
    local ok, err = pcall(cx.Summary, s, "2024-04-01T00:00:00Z", nil, DAY, 0)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("'X-1' (row 0) at", 1, true))
    s:add_customer("B", nil, nil, nil, "2024-03-05T00:00:00Z")
    s:add_transaction("B", "2024-03-03T00:00:00Z", 10, "X-3")
    ok, err = pcall(cx.Summary, s, "2024-04-01T00:00:00Z")
    assert.is_false(ok)
    assert.truthy(tostring(err):find("48.0 h before", 1, true))
  end)

  it("fits and predicts with the models", function()
    local bg = cx.Model("bgnbd", { 0.243, 4.414, 0.793, 2.426 })
    assert.are.equal("bgnbd", bg:kind())
    local p = bg:params()
    assert.are.same({ "r", 0.243, "bgnbd" }, { p:get(0, "name"), p:get(0, "value"), p:get(0, "kind") })
    assert.are.equal(4, p:rows())
    assert.are.same({ 1.0 }, bg:p_alive({ 0 }, { 0 }, { 38.86 }))
    local e = bg:expected({ 2, 0 }, { 30.43, 0 }, { 38.86, 38.86 }, 39)
    assert.is_true(e[1] > e[2] and e[2] > 0)
    local gg = cx.Model("gamma_gamma", { 6.25, 3.74, 15.44 })
    near(gg:expected_spend({ 0 }, { 0 })[1], 6.25 * 15.44 / 2.74, 1e-9)
    local clv = cx.clv(bg, gg, { 2, 0 }, { 30.43, 0 }, { 38.86, 38.86 }, { 50, 0 }, 12, 4, 0.01):totable()
    assert.is_true(clv[1].clv > clv[2].clv and clv[2].clv > 0)
    assert.are.equal(1.0, clv[2].p_alive)
    local v = cx.Summary(shop(), AS_OF, nil, DAY):clv(bg, gg, 6, 7, 0.01)
    assert.are.same({ "A", "B", "C" }, { v:get(0, "customer"), v:get(1, "customer"), v:get(2, "customer") })
    local sbg = cx.Model("sbg", { 0.704, 1.182 })
    near(sbg:sbg_survival({ 1 })[1], 1.182 / (0.704 + 1.182), 1e-12)
    assert.has_error(function() cx.fit_bgnbd({ 1, 0 }, { 1 }, { 2, 2 }) end, "Invalid: cx.Model.fit_bgnbd: t_x has 1 entries, expected 2 [CX_EINVAL -1]")
    assert.has_error(function() cx.fit_bgnbd({ 1, 0 }, { 1, 0 }, { 2, 2 }) end)
    assert.has_error(function() cx.Model("bg", { 1 }) end, "Invalid: cx.Model: unknown model kind name 'bg': did you mean 'sbg'? [CX_EINVAL -1]")
  end)

  it("reproduces the published BG/NBD fit of CDNOW", function()
    local f = io.open(CDNOW)
    if not f then
      pending("no CDNOW summary file")
      return
    end
    local x, tx, T = {}, {}, {}
    f:read("l")
    for line in f:lines() do
      local _, a, b, c = line:match("([^,]+),([^,]+),([^,]+),([^,]+)")
      x[#x + 1], tx[#tx + 1], T[#T + 1] = tonumber(a), tonumber(b), tonumber(c)
    end
    f:close()
    local m = cx.Model.fit_bgnbd(x, tx, T)
    local p = {}
    for _, r in ipairs(m:params():totable()) do p[r.name] = r end
    near(p.r.value, 0.243, 5e-4)
    near(p.alpha.value, 4.414, 5e-4)
    near(p.a.value, 0.793, 5e-4)
    near(p.b.value, 2.426, 5e-4)
    near(p.r.loglik, -9582.4, 0.05)
    assert.is_true(p.r.iterations > 0)
  end)

  it("scores health and lists whom to contact", function()
    local s = shop()
    local h = cx.health(s, AS_OF)
    assert.are.equal(3, h:rows())
    local a = h:row(0)
    assert.are.equal("A", a.customer)
    near(a.nps, 0.3, 1e-12)
    assert.are.equal(3, a.nps_raw)
    assert.are.equal(a.score, h:get(0, "score"))
    assert.are.equal(3, #h:totable())
    local o = cx.HealthOptions()
    for _, k in ipairs { "csat", "ces", "open_cases", "repeat_cases", "recency", "value" } do o:set_weight(k, 0) end
    near(cx.health(s, AS_OF, o):row(0).score, 30, 1e-9)
    o:set_missing("skip")
    local b = cx.health(s, AS_OF, o):row(1)
    assert.is_true(b.score ~= b.score) -- B never answered: nothing to score when missing signals are skipped
    assert.is_truthy(b.missing:find("nps", 1, true))
    assert.has_error(function() o:set_missing("zero") end)
    local rules = cx.CareRules()
    assert.are.equal(0, rules:add("sla_breach", 9, 0, 72 * 3600000))
    rules:add("detractor_after_case", 8, 6, 90 * DAY)
    rules:set_priority(0, "high")
    local care = rules:evaluate(s, AS_OF):totable()
    assert.are.equal(2, #care)
    assert.are.same({ "A", 0, "sla_breach", 9 },
      { care[1].customer, care[1].rule, care[1].kind_name, care[1].priority })
    assert.are.equal(3, care[2].value)
    assert.is_truthy(care[1].reason:find("T-1", 1, true))
    rules:add("low_p_alive", 5, 0.99)
    assert.has_error(function() rules:evaluate(s, AS_OF) end)
    local kinds = {}
    local bg = cx.Model("bgnbd", { 0.243, 4.414, 0.793, 2.426 })
    for _, c in ipairs(rules:evaluate(s, AS_OF, bg, cx.Summary(s, AS_OF, nil, DAY)):totable()) do
      kinds[c.kind_name] = true
    end
    assert.is_true(kinds.low_p_alive)
    local drop = cx.CareRules()
    local k = drop:add("activity_drop", 1, 0.5, 30 * DAY)
    assert.has_error(function() drop:evaluate(s, AS_OF) end)
    drop:set_baseline(k, 60 * DAY)
    drop:set_min_value(k, 1)
    assert.are.equal("B", drop:evaluate(s, AS_OF):row(0).customer)
    assert.has_error(function() cx.health(s, AS_OF, nil, bg) end,
      "Invalid: cx.health: a model and the summary it applies to go together: got a model without a summary [CX_EINVAL -1]")
  end)

  it("raises on closed handles", function()
    local s = shop()
    local objs = { cx.cohorts(s), cx.Survival({ 1, 2 }, { 1, 0 }), cx.rfm(s, AS_OF), cx.Summary(s, AS_OF),
      cx.Model("sbg", { 1, 1 }), cx.HealthOptions(), cx.health(s, AS_OF), cx.CareRules() }
    local calls = { function(o) return o:row(0) end, function(o) return o:median() end,
      function(o) return o:row(0) end, function(o) return o:column("age") end, function(o) return o:params() end,
      function(o) o:set_weight("nps", 1) end, function(o) return o:get(0, "score") end,
      function(o) return o:add("sla_breach", 0, 0, 1) end }
    for i, o in ipairs(objs) do
      calls[i](o)
      o:close()
      assert.has_error(function() calls[i](o) end)
      o:close()
    end
  end)

  it("frees parents and children in any order", function()
    math.randomseed(7)
    for _ = 1, 200 do
      local s = cx.Store()
      s:add_customer("A")
      s:add_transaction("A", "2024-01-05T00:00:00Z", 10)
      local objs = { s, cx.Summary(s, AS_OF), cx.rfm(s, AS_OF), cx.health(s, AS_OF), cx.cohorts(s),
        cx.Survival.from_store(s, "all", DAY, AS_OF), cx.CareRules(), cx.HealthOptions(),
        cx.Model("bgnbd", { 1, 1, 1, 1 }) }
      if math.random() < 0.5 then objs[math.random(#objs)]:close() end
      while #objs > 0 do
        table.remove(objs, math.random(#objs))
        if math.random() < 0.3 then collectgarbage() end
      end
    end
    collectgarbage()
    -- a result outlives its store (it holds copies of the ids)
    local r = (function()
      local s = cx.Store()
      s:add_customer("A")
      s:add_transaction("A", "2024-01-05T00:00:00Z", 10)
      return cx.rfm(s, AS_OF)
    end)()
    collectgarbage()
    assert.are.equal("A", r:row(0).customer)
  end)
end)
