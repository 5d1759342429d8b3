-- Survival (issue 16) from Lua: Kaplan-Meier standard errors, the origin row
-- and late entry; the weighted log-rank family. The expected figures were
-- printed by R (survival 3.5.3): tests/data/r/survival_reference.R, whose
-- output is tests/data/r/survival_reference.out.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local DATA = debug.getinfo(1, "S").source:match("^@(.*/)") .. "../../../tests/data/r/"

-- The numeric columns of a delimited file with a header line, by name.
local function columns(name, sep)
  local f = assert(io.open(DATA .. name))
  local head, cols = {}, {}
  for h in f:read("l"):gmatch("[^" .. sep .. "]+") do head[#head + 1] = h; cols[h] = {} end
  for line in f:lines() do
    local i = 0
    for v in line:gmatch("[^" .. sep .. "]+") do
      i = i + 1
      local x = tonumber(v)
      cols[head[i]][#cols[head[i]] + 1] = math.type(x) == "float" and x or math.tointeger(x)
    end
  end
  f:close()
  return cols
end

local function near(a, b, tol) assert(math.abs(a - b) <= tol, ("%.10g is not %.10g"):format(a, b)) end

describe("cxkit survival", function()
  it("gives Greenwood standard errors and the origin row (R survfit0)", function()
    local aml = columns("aml.csv", ",")
    local s = cx.Survival(aml.time, aml.cens, aml.group, 0.95, "log")
    local t = s:table():totable()
    assert.are.same({ "1", 0, 11, 1, 0 }, { t[1].group, t[1].time, t[1].at_risk, t[1].survival, t[1].std_err })
    assert.are.same({ "2", 0, 12 }, { t[12].group, t[12].time, t[12].at_risk })
    near(t[2].std_err, 0.0866784, 5e-8)
    near(t[13].std_err, 0.1075829, 5e-8)
    assert.is_true(t[#t].std_err ~= t[#t].std_err) -- NaN once S is 0
    near(s:curve():row(0).std_err, 0.0866784, 5e-8)
  end)

  it("handles late entry (Surv(W, T, D))", function()
    local aids = columns("multicenter_aids_cohort.tsv", "\t")
    local s = cx.Survival(aids.T, aids.D, nil, 0.95, "log", aids.W)
    local t = s:table():totable()
    assert.are.same({ 0, 37 }, { t[1].time, t[1].at_risk })
    local row
    for _, r in ipairs(t) do if r.time == 1.619 then row = r end end
    assert.are.same({ 40, 2 }, { row.at_risk, row.events })
    near(row.survival, 0.723475, 5e-7)
    near(row.std_err, 0.0650984, 5e-8)
    near(row.lo, 0.606502, 5e-7)
    assert.are.equal(3.062, s:median(0))
    assert.has_error(function() cx.Survival({ 1, 2 }, { 1, 1 }, nil, 0.95, "log", { 0, 2 }) end)
  end)

  it("runs the weighted log-rank family (survdiff and the definitions)", function()
    local ly = columns("lymphoma.csv", ",")
    local lr = cx.LogRank(ly.Time, ly.Censor, ly.Stage_group, nil, nil, "fh", 0.5, 0)
    local t = lr:test()
    near(t.chi2, 6.22032612, 5e-8)
    near(t.p, 0.01262918483, 5e-11)
    assert.are.equal(1, t.df)
    local g = lr:groups():totable()
    assert.are.same({ 1, 19 }, { g[1].group, g[1].subjects })
    near(g[1].observed, 6.250708132, 5e-9)
    near(g[2].expected, 30.41444188, 5e-8)
    near(lr:variance(0, 1), -7.198866288, 5e-9)
    near(cx.LogRank(ly.Time, ly.Censor, ly.Stage_group, nil, nil, "gehan"):test().chi2, 5.099789, 5e-7)
    near(cx.LogRank(ly.Time, ly.Censor, ly.Stage_group, nil, nil, "peto_peto"):test().chi2, 5.487718349, 5e-9)

    local gen = columns("generated.csv", ",")
    lr = cx.LogRank(gen.time, gen.event, gen.group, gen.stratum, gen.entry, "tarone_ware")
    assert.are.equal(3, lr:group_count())
    near(lr:test().chi2, 10.55692134, 5e-8)
    near(lr:variance(0, 1), -154.9584017, 5e-7)
    assert.has_error(function() lr:variance(3, 0) end)
    assert.has_error(function() cx.LogRank({ 1, 2 }, { 1, 1 }, { 0, 1 }, nil, nil, "wilcoxon") end,
      "Invalid: cx.LogRank: weight 'wilcoxon' is not one of logrank, fleming_harrington (fh), gehan, tarone_ware, peto_peto [CX_EINVAL -1]")
    lr:close()
    assert.has_error(function() lr:test() end, "Invalid: log_rank:test: LogRank is closed [CX_EINVAL -1]")
    -- one group more than the most is refused at once
    local n = cx.LOGRANK_MAX_GROUPS + 1
    local t, e, g = {}, {}, {}
    for i = 1, n do t[i], e[i], g[i] = 1 + i % 7, 1, i end
    local ok, err = pcall(cx.LogRank, t, e, g)
    assert.is_false(ok)
    assert.matches("1001 groups: the test compares at most 1000", tostring(err), 1, true)
  end)

  it("fits Cox models as R's coxph", function()
    local a = columns("anderson.csv", " ")
    local o = cx.CoxOptions()
    o:add_covariate("Rx", a.Rx)
    o:add_covariate("logWBC", a.logWBC)
    o:add_covariate("sex", a.sex)
    local c = cx.Cox(a.t, a.status, o)
    assert.are.equal(3, c:term_count())
    local co = c:coefficients(0.95):totable()
    assert.are.equal("logWBC", co[2].term)
    near(co[2].coef, 1.6819424137, 5e-8)
    near(co[2].se, 0.3365835523, 5e-8)
    near(co[2].robust_se, 0.3474253966, 5e-8)
    local t = c:tests():totable()
    assert.are.same({ "likelihood_ratio", "wald", "score" }, { t[1].test, t[2].test, t[3].test })
    near(t[3].chi2, 48.01464837, 5e-7)
    assert.are.equal(4, c:loglik().iterations)
    near(c:predict({ 1, 3, 0 }, 20), 0.0586417, 5e-8)
    local z = c:zph("identity"):totable()
    assert.are.same({ "sex", 1 }, { z[3].term, z[3].df })
    near(z[3].chi2, 3.83422888556, 5e-10)
    near(c:zph():row(3).chi2, 5.87931763196, 5e-10)

    local gen = columns("generated.csv", ",")
    local levels = {}
    for i, g in ipairs(gen.group) do levels[i] = tostring(g) end
    o = cx.CoxOptions("efron", 20, gen.stratum, gen.entry)
    o:add_factor("group", levels, "0")
    c = cx.Cox(gen.time, gen.event, o)
    co = c:coefficients():totable()
    assert.are.same({ "group=1", "group=2" }, { co[1].term, co[2].term })
    near(co[1].coef, -0.2257145334, 5e-9)
    near(co[2].robust_se, 0.297489095, 5e-9)
    -- covariates from a store's customers: the plan (reference placebo) and a numeric attribute
    local st = cx.Store()
    local ids = {}
    for i = 1, #a.t do
      ids[i] = ("C%02d"):format(i)
      st:add_customer(ids[i], "consumer", nil, a.Rx[i] == 1 and "treated" or "placebo")
      st:set_attribute(ids[i], "logWBC", ("%.17g"):format(a.logWBC[i]))
      st:set_attribute(ids[i], "sex", tostring(a.sex[i]))
    end
    o = cx.CoxOptions()
    o:add_customer_column(st, ids, "plan", "placebo")
    o:add_customer_attribute(st, ids, "logWBC")
    o:add_customer_attribute(st, ids, "sex")
    co = cx.Cox(a.t, a.status, o):coefficients():totable()
    assert.are.same({ "plan=treated", "logWBC", "sex" }, { co[1].term, co[2].term, co[3].term })
    near(co[1].coef, 1.5035912129, 5e-8)
    near(co[3].coef, 0.3146780488, 5e-8)

    assert.has_error(function() cx.CoxOptions("exact") end, "Invalid: cx.CoxOptions: ties 'exact' is not one of efron, breslow [CX_EINVAL -1]")
    c:close()
    assert.has_error(function() c:tests() end, "Invalid: cox:tests: Cox is closed [CX_EINVAL -1]")
  end)
end)

describe("cxkit survival of a store", function()
  -- the store of tests/data/r/store_reference.R (data from 2024-01-01 on)
  local function r_store()
    local s = cx.Store()
    for _, t in ipairs({ "customers", "touchpoints", "cases", "interactions", "feedback", "transactions" }) do
      assert.are.equal(0, s:import_csv(t, DATA .. "store_" .. t .. ".csv"):rejected())
    end
    return s
  end
  local AS_OF, FROM, DAY = "2025-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 86400000

  it("gives R's subjects and late-entry curves", function()
    local s = r_store()
    local sub = s:survival_subjects("transactions", 90 * DAY, AS_OF, nil, "segment", DAY, FROM):totable()
    assert.are.equal(175, #sub)
    local ev, late, tt = 0, 0, 0
    for _, r in ipairs(sub) do
      ev = ev + r.event; tt = tt + r.time
      if r.entry > 0 then late = late + 1 end
    end
    assert.are.same({ 122, 59 }, { ev, late })
    near(tt, 32145.1223958333, 1e-8)
    assert.are.same({ "C0010", "consumer" }, { sub[5].customer, sub[5].group })
    near(sub[5].entry, 149.5437037, 5e-8)
    local sv = cx.Survival.from_store(s, "transactions", 90 * DAY, AS_OF, nil, "segment", DAY, 0.95, "log_log", FROM)
    near(sv:median("consumer"), 110.5629, 5e-4)
    near(sv:at(30, "smb"), 0.585459, 5e-7)
    assert.has_error(function() s:survival_subjects("transactions", 90 * DAY, AS_OF, nil, nil, DAY, "2026-01-01T00:00:00Z") end)
  end)

  it("fits a Cox model from the store as R's coxph", function()
    local s = r_store()
    -- strata(segment): an array in the subjects' order
    local sub = s:survival_subjects("transactions", 90 * DAY, AS_OF, nil, "segment", DAY, FROM):totable()
    local code, strata = { consumer = 0, smb = 1, enterprise = 2 }, {}
    for i, r in ipairs(sub) do strata[i] = code[r.group] end
    local o = cx.CoxOptions("breslow", 20, strata)
    o:add_store_column("plan", "basic")
    o:add_store_signal("detractor")
    local co = cx.Cox.fit_store(s, AS_OF, o, "transactions", 90 * DAY, nil, DAY, FROM):coefficients():totable()
    assert.are.same({ "plan=plus", "plan=pro", "detractor" }, { co[1].term, co[2].term, co[3].term })
    -- the time-varying detractor flag (counting-process rows, cluster = customer)
    near(co[1].coef, -0.3974814456, 2e-7)
    near(co[3].coef, 0.8533590663, 2e-7)
    near(co[3].se, 0.2103507923, 2e-7)
    near(co[3].robust_se, 0.2302357713, 2e-7)
    assert.has_error(function() o:add_store_signal("nps") end,
      "Invalid: cox_options:add_store_signal: signal 'nps' is not one of detractor, detractor_share, cases, resolution_hours, reopens, channel_share [CX_EINVAL -1]")
  end)
end)
