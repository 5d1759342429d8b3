-- Buy-till-you-die depth (issue 16) from Lua: the population distribution
-- of purchases against lifetimes 0.11.3 (tests/data/btyd/README.md), summing
-- to one; E[X(t)]; the calibration / holdout table; every customer in one
-- Result; standard errors in params().
package.path = (os.getenv("CXKIT_SOURCE_ROOT") or ".") .. "/bindings/lua/spec/?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local BGNBD = { 0.24259292827982198, 4.413532265271817, 0.79288596644060017, 2.4257523826255123 }
local PMF_T78 = { 0.49160116616757554, 0.21030706604435537, 0.096645855547765225, 0.054978608209032873,
  0.034989856125966813 }
local EX_T = { 0.053184736895631614, 0.43176098952267022, 1.1950162284462018, 1.8579717035277727 }

local function rel(x, want, tol)
  assert(math.abs(x - want) <= tol * math.abs(want), ("%.17g, expected %.17g"):format(x, want))
end

describe("cxkit buy-till-you-die", function()
  it("gives lifetimes' P(X(t) = n) and E[X(t)]", function()
    local bg = cx.Model("bgnbd", BGNBD)
    local p = bg:purchase_pmf(78, 4)
    assert.are.equal(5, #p)
    for n = 1, 5 do rel(p[n], PMF_T78[n], 1e-11) end
    local e = bg:population_expected({ 1, 10, 39, 78 })
    for i = 1, 4 do rel(e[i], EX_T[i], 1e-12) end
  end)

  it("sums to one with E[X(t)] as its mean", function()
    for _, m in ipairs({ cx.Model("bgnbd", BGNBD), cx.Model("pareto_nbd", { 0.553, 10.58, 0.606, 11.67 }),
      cx.Model("bgbb", { 1.2, 0.75, 0.66, 2.8 }) }) do
      local p, sum, mean = m:purchase_pmf(26, 3000), 0, 0
      for n = #p, 1, -1 do
        sum = sum + p[n]
        mean = mean + (n - 1) * p[n]
      end
      assert(math.abs(sum - 1) < 1e-9, sum)
      rel(mean, m:population_expected({ 26 })[1], 1e-8)
    end
  end)

  it("tabulates calibration against holdout and every customer", function()
    local bg = cx.Model("bgnbd", BGNBD)
    local x, tx, T, ho = { 0, 0, 1, 2, 5, 9 }, { 0, 0, 10, 20, 30, 35 }, { 39, 30, 39, 39, 39, 39 }, { 0, 1, 1, 2, 4, 6 }
    local t = bg:calibration(x, tx, T, ho, 39, 2):totable()
    assert.are.equal(3, #t)
    assert.are.same({ "0", "1", "2+" }, { t[1].label, t[2].label, t[3].label })
    assert.are.same({ 2, 1, 3 }, { t[1].customers, t[2].customers, t[3].customers })
    rel(t[3].actual, 4, 1e-15)
    local e = bg:expected(x, tx, T, 39)
    rel(t[3].expected, (e[4] + e[5] + e[6]) / 3, 1e-14)
    local c = bg:customers(x, tx, T, 39):totable()
    local pa = bg:p_alive(x, tx, T)
    assert.are.equal(6, #c)
    for i = 1, 6 do
      assert.are.equal(pa[i], c[i].p_alive)
      assert.are.equal(e[i], c[i].expected_purchases)
    end
    local gg = cx.Model("gamma_gamma", { 6.25, 3.74, 15.44 })
    local mean = { 0, 0, 20, 30, 12, 40 }
    local w = bg:customers(x, tx, T, 39, gg, mean, 6, 4, 0.01):totable()
    local clv = cx.clv(bg, gg, x, tx, T, mean, 6, 4, 0.01):totable()
    for i = 1, 6 do assert.are.equal(clv[i].clv, w[i].clv) end
    assert.has_error(function() bg:calibration(x, tx, T, ho, 0) end)
    assert.has_error(function() bg:purchase_pmf(10, -1) end)
    assert.has_error(function() gg:population_expected({ 1 }) end)
  end)

  it("reports lifetimes' standard errors", function()
    local f = io.open(os.getenv("CXKIT_CDNOW") or "/work/shared/data/cdnow_customers_summary.csv")
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
    local SE = { 0.012557320698193205, 0.3782214570439269, 0.18571907191204595, 0.7053453435329281 }
    local p = cx.fit_bgnbd(x, tx, T):params():totable()
    for i, r in ipairs(p) do
      rel(r.std_error, SE[i], 2e-6)
      rel(r.lower * r.upper, r.value * r.value, 1e-12) -- symmetric on the log scale
    end
    local given = cx.Model("bgnbd", BGNBD):params():totable()
    assert.is_true(given[1].std_error ~= given[1].std_error) -- NaN
  end)
end)
