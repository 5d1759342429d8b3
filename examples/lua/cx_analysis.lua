-- cx_analysis.lua: the CX analysis of the demo data with the Lua bindings.
--
-- Loads examples/data/*.csv, then prints the NPS / CSAT / CES / FCR
-- scorecard by channel and by month (Riyadh time), service times in
-- business hours with SLA breaches by priority, the per-agent daily report
-- of the last week, one customer's omnichannel history, and the customer
-- journeys (top paths, a funnel, attribution by channel, pain points); then
-- keeps the store in a SQLite file and loads it back.
--
-- Usage: lua5.4 cx_analysis.lua [DATA_DIR]   (default: the demo data)
-- From the build tree: LUA_CPATH="build/bindings/lua/?.so;;" lua5.4 ...
local cx = require "cxkit"

local RIYADH = 180
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local data = arg[1] or os.getenv("CXKIT_DATA") or (here .. "/../data")

local function f(x, width, prec)
  if x ~= x or x == nil then return string.rep(" ", width - 1) .. "-" end
  return string.format("%" .. width .. "." .. (prec or 1) .. "f", x)
end

local store = cx.Store()
for _, t in ipairs { "customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions" } do
  local rep = store:import_csv(t, data .. "/" .. t .. ".csv")
  if rep:rejected() > 0 then print(t .. ": " .. rep:rejected() .. " rows rejected") end
end
print(string.format("Loaded %d customers, %d interactions, %d cases, %d feedback, %d transactions",
  store:rows("customers"), store:rows("interactions"), store:rows("cases"), store:rows("feedback"),
  store:rows("transactions")))
-- only read from here on: give back the room kept for rows to come and the
-- index of the events' ids (a find by id builds it again)
local loaded = store:memory()
store:compact()
print(string.format("Store memory: %d kB loaded, %d kB compacted", loaded // 1024, store:memory() // 1024))

local function scorecard(by)
  local q = cx.Query(store)
  for _, m in ipairs { "nps", "csat", "ces", "fcr", "cx_index" } do q:add(m) end
  if by == "month" then q:group_by_time("month", RIYADH) else q:group_by(by) end
  local result = q:run()
  local rows = result:totable()
  print(("\nCX scorecard by %s"):format(by))
  print(("  %-13s %6s %15s %6s %6s %5s %6s %6s %6s"):format(by, "NPS", "95% CI", "n", "CSAT%", "CES", "easy%",
    "FCR%", "index"))
  for _, r in ipairs(rows) do
    local label = r[by]
    if by == "month" then label = cx.time_format(label, RIYADH):sub(1, 7) end
    -- nps_small: fewer answers than the query's minimum (30)
    print(("  %-13s %s [%s,%s] %6d%s %s %s %s %s %s"):format(label or "(none)", f(r.nps, 6), f(r.nps_lo, 6),
      f(r.nps_hi, 6), r.nps_n, r.nps_small == 1 and "*" or " ", f(r.csat, 6), f(r.ces, 5, 2), f(r.ces_easy, 6),
      f(r.fcr, 6), f(r.cx_index, 6)))
  end
  print(("  * n < %d: too few answers for the figure to mean much"):format(cx.QUERY_MIN_N_DEFAULT))
  if by == "channel" then
    local best, worst
    for i, r in ipairs(rows) do
      if r.nps_small == 0 then
        if not best or r.nps > rows[best].nps then best = i end
        if not worst or r.nps < rows[worst].nps then worst = i end
      end
    end
    local diff, p = result:compare(best - 1, result, worst - 1, "nps")
    print(("  best %s vs worst %s: NPS differs by %.1f points, p = %.2g%s"):format(rows[best].channel,
      rows[worst].channel, diff, p, p < 0.05 and " (significant at 5 %)" or ""))
  end
end

scorecard("channel")
scorecard("month")

-- service times in business hours: Sunday to Thursday, 08:00-17:00, +03:00
local cal = cx.Calendar(RIYADH)
for _, d in ipairs { 7, 1, 2, 3, 4 } do cal:add_hours(d, 8 * 60, 17 * 60) end
local hour = 3600000
local q = cx.Query(store)
for _, m in ipairs { "first_response", "resolution", "sla_breach", "reopen_rate" } do q:add(m) end
q:group_by("priority")
q:set_calendar(cal)
q:set_sla(nil, nil, 4 * hour, 24 * hour)
q:set_sla("urgent", nil, 1 * hour, 8 * hour)
q:set_sla("high", nil, 2 * hour, 16 * hour)
print("\nService times in business hours (Sun-Thu 08-17, +03:00) by priority")
print(("  %-8s %6s %12s %12s %14s %8s %8s"):format("priority", "cases", "1st resp med", "1st resp p90",
  "resolution med", "SLA br%", "reopen%"))
for _, r in ipairs(q:run():totable()) do
  print(("  %-8s %6d %11.1fh %11.1fh %13.1fh %8.1f %8.1f"):format(r.priority or "(none)", r.reopen_rate_n,
    r.first_response_median / hour, r.first_response_p90 / hour, r.resolution_median / hour, r.sla_breach,
    r.reopen_rate))
end

-- the per-agent daily report of the last week
local daily = cx.Query.agent_daily(store, RIYADH)
daily:set_range("2025-12-24T00:00:00+03:00", "2025-12-31T00:00:00+03:00")
local rows = daily:run():totable()
print(("\nPer-agent daily report, 2025-12-24 to 2025-12-30 (first 12 of %d rows)"):format(#rows))
print(("  %-20s %-10s %8s %9s %8s %8s %6s %6s"):format("agent", "day", "handled", "AHT min", "missed%", "abandon%",
  "CSAT%", "NPS"))
for i = 1, math.min(12, #rows) do
  local r = rows[i]
  print(("  %-20s %-10s %8d %s %s %s %s %s"):format(r.agent or "(none)", cx.time_format(r.day, RIYADH):sub(1, 10),
    r.handle_time_n, f(r.handle_time_mean / 60000, 9), f(r.missed_rate, 8), f(r.abandon_rate, 8), f(r.csat, 6),
    f(r.nps, 6)))
end

-- one customer's omnichannel history
local customer = "C-100002"
local rec = store:record("customers", store:find("customers", customer))
local entries = store:history(customer):totable()
print(("\nOmnichannel history of %s (%s, %s, %s): %d entries"):format(customer, rec.name, rec.region, rec.segment,
  #entries))
for _, e in ipairs(entries) do
  local what
  if e.table == "interactions" then
    what = ("%s %s %s %s"):format(e.touchpoint, e.kind or "", e.direction, e.outcome)
    if e.agent then what = what .. " agent " .. e.agent end
  elseif e.table == "cases" then
    what = ("case %s opened on %s (%s), %d contacts"):format(e.id, e.channel, e.priority, e.contacts)
  elseif e.table == "feedback" then
    what = ("%s = %g"):format(e.question, e.score) .. (e.comment and (' "' .. e.comment .. '"') or "")
    if e.interaction then what = what .. " on " .. e.interaction end -- the id of the interaction it rates
  else
    what = ("purchase %.2f"):format(e.amount)
  end
  print(("  %s  %-12s %s"):format(cx.time_format(e.time, RIYADH):sub(1, 16), e.table, what))
end

-- customer journeys: a purchase converts, and its delivery, unboxing, onboarding and support stay in its
-- journey (boundary "post_purchase", the default); consecutive repeats merged
local day = 86400000
-- built on two threads: the same journeys, sooner on a large store
local j = cx.Journeys(store, cx.journey_options(store, { boundary = "post_purchase", collapse = true,
  repeat_contacts = { "contact", 14 * day }, threads = 2 }))
print(("\nJourneys: %d, of which %d converted"):format(j:count(), j:conversion_count()))
print(("  %6s %7s %9s %6s  %s"):format("n", "conv%", "median h", "NPS", "path"))
for _, r in ipairs(j:paths(5):totable()) do
  print(("  %6d %7.1f %9.1f %s  %s"):format(r.journeys, r.conversion_rate, r.median_duration_ms / 3.6e6, f(r.nps, 6),
    r.path))
end

local funnel = cx.funnel(store, { { "stage", "awareness" }, { "stage", "consideration" }, { "stage", "purchase" },
  { "touchpoint", "home_delivery" } }, { window_ms = 90 * day })
print("\nFunnel within 90 days of the first step, as of the last interaction")
print(("  %-14s %8s %10s %9s %8s %9s"):format("step", "entered", "from 1st%", "completed", "dropped", "still in"))
for _, r in ipairs(j:funnel(funnel):totable()) do
  print(("  %-14s %8d %10.1f %9d %8d %9d"):format(r.name, r.entered, r.conversion_first, r.completed, r.dropped,
    r.in_progress))
end

local by_channel = cx.Journeys(store, cx.journey_options(store, { level = "channel", collapse = true }))
print(("\nAttribution of %d purchases by channel (Markov removal effect beside first / last touch)")
  :format(by_channel:conversion_count()))
local att = by_channel:attribution(1):totable()
for i = 1, math.min(6, #att) do
  local r = att[i]
  print(("  %-12s markov %7.1f  first %7.1f  last %7.1f  linear %7.1f"):format(r.name, r.markov, r.first_touch,
    r.last_touch, r.linear))
end

local pain = j:pain_points():totable()
print("\nPain points, prioritised (signals significantly worse than elsewhere, p < 0.05)")
for i = 1, math.min(5, #pain) do
  local r = pain[i]
  print(("  %d. %-18s flags %d  score %5.1f"):format(r.rank, r.touchpoint, r.flags, r.score))
end
print(("  first pain point: %s (%s)"):format(pain[1].touchpoint, pain[1].reason:match("^[^;]*")))

-- lifecycle: retention, survival by segment, CLV, the care list
local DAY, WEEK = 86400000, 7 * 86400000
local as_of, cal_end = "2026-01-01T00:00:00+03:00", "2025-07-01T00:00:00+03:00"
-- one row per cohort and quarter since its start, in cohort order
local cohorts = cx.cohorts(store, "transactions", "first_activity", "quarter", RIYADH):totable()
local triangle = {}
for _, row in ipairs(cohorts) do
  local last = triangle[#triangle]
  if row.period == 0 then
    last = { label = row.cohort_label, size = row.size, retention = {} }
    triangle[#triangle + 1] = last
  end
  last.retention[#last.retention + 1] = row.retention
end
print("\nRetention by quarter of first purchase (% buying again k quarters later)")
for _, c in ipairs(triangle) do
  local cells = {}
  for k = 2, #triangle do
    local r = c.retention[k]
    cells[#cells + 1] = r and r == r and ("%6.1f%%"):format(100 * r) or "       "
  end
  print(("  %-8s %5d%s"):format(c.label, c.size, table.concat(cells)))
end

local surv = cx.Survival.from_store(store, "all", 180 * DAY, as_of, nil, "segment")
local meds = {}
for _, g in ipairs(surv:summary():totable()) do
  meds[#meds + 1] = ("%s %.0f days"):format(g.group, g.median)
end
print(("\nMedian relationship by segment (churn = 180 days without a purchase or contact): %s; log-rank p = %.3g")
  :format(table.concat(meds, ", "), surv:logrank().p))

-- the default tolerance (a day) accepts purchases stamped a little before
-- their customer's acquisition (clock skew between systems), and counts them
local summary = cx.Summary(store, cal_end, as_of, WEEK)
print(("Summary: %d purchases dated up to a day before their customer's acquisition, kept as clock skew")
  :format(summary:tolerated_count()))
local x, t_x, T, mean = summary:column("frequency"), summary:column("recency"), summary:column("age"),
  summary:column("monetary")
local bg, gg = cx.fit_bgnbd(x, t_x, T), cx.fit_gammagamma(x, mean)
local p = {}
for _, r in ipairs(bg:params():totable()) do p[r.name] = r.value end
print(("BG/NBD on %d customers: r = %.4g, alpha = %.4g, a = %.4g, b = %.4g"):format(summary:count(), p.r, p.alpha,
  p.a, p.b))
-- the model's expectations against the holdout (2025-H2), by calibration frequency
local holdout_weeks = (cx.time_parse(as_of) - cx.time_parse(cal_end)) / WEEK
print("Holdout (2025-H2): mean purchases by calibration frequency, actual vs expected")
for _, r in ipairs(summary:calibration(bg, holdout_weeks, 3):totable()) do
  print(("  x = %-3s %5d customers  %5.2f  %5.2f"):format(r.label, r.customers, r.actual, r.expected))
end
-- CLV of the summary's customers: a Result with their ids, in the summary's order
local clv = summary:clv(bg, gg, 12, 52 / 12, 0.01):totable()
local order = {}
for i = 1, #clv do order[i] = i end
table.sort(order, function(a, b) return clv[a].clv > clv[b].clv end)
print("Top customers by 12-month CLV")
for k = 1, math.min(5, #order) do
  local i = order[k]
  print(("  %-10s x %3.0f  CLV %9.2f"):format(clv[i].customer, x[i], clv[i].clv))
end

local now = cx.Summary(store, as_of, nil, WEEK)
local bg_now = cx.fit_bgnbd(now:column("frequency"), now:column("recency"), now:column("age"))
local health = {}
for _, r in ipairs(cx.health(store, as_of, nil, bg_now, now):totable()) do health[r.customer] = r.score end
local rules = cx.CareRules()
rules:set_baseline(rules:add("sla_breach", 9, 0, 72 * 3600000), 24 * 3600000)
rules:add("detractor_after_case", 8, 6, 30 * DAY)
rules:add("repeat_contacts", 7, 3, 14 * DAY)
rules:add("high_effort", 5, 1 / 6 + 1e-9, 30 * DAY)
local care = rules:evaluate(store, as_of, bg_now, now):totable()
print(("Contact now (as of 2025-12-31): %d entries; the first:"):format(#care))
for i = 1, math.min(3, #care) do
  local c = care[i]
  print(("  %-10s %-20s prio %d  health %5.1f  %s"):format(c.customer, c.kind_name, c.priority, health[c.customer],
    c.reason))
end

-- keep it in SQLite and load it back
local db = os.tmpname()
store:save(db)
local again = cx.Store.load(db)
os.remove(db)
print(("\nSaved to SQLite and loaded back: %d feedback rows"):format(again:rows("feedback")))
