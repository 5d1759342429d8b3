-- Journeys, funnels, attribution and pain points (journey.h) from Lua:
-- values pinned on a small hand-made store, errors, closed handles and
-- ownership in any collection order.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local DAY = 86400000

-- A: ad > site > checkout (converts, 100), then site; B and D: ad > site;
-- C: site > checkout (converts, 50).
local function shop()
  local s = cx.Store()
  for _, c in ipairs { "A", "B", "C", "D" } do s:add_customer(c) end
  s:add_touchpoint("ad", "ads", "awareness")
  s:add_touchpoint("site", "web", "consideration")
  s:add_touchpoint("checkout", "web", "purchase")
  s:add_touchpoint("support", "phone", "service")
  local t0 = cx.time_parse("2024-03-01T10:00:00Z")
  for _, e in ipairs {
    { "A", "ad", 0, "view", 0 }, { "A", "site", 1, "visit", 0 }, { "A", "checkout", 2, "purchase", 100 },
    { "A", "site", 10, "visit", 0 }, { "B", "ad", 0, "view", 0 }, { "B", "site", 3, "visit", 0 },
    { "C", "site", 1, "visit", 0 }, { "C", "checkout", 4, "purchase", 50 },
    { "D", "ad", 2, "view", 0 }, { "D", "site", 5, "visit", 0 } } do
    s:add_interaction(e[1], e[2], t0 + e[3] * DAY, e[4], "inbound", nil, nil, 0, "handled", e[5])
  end
  return s
end

local function by(rows, key)
  local m = {}
  for _, r in ipairs(rows) do m[r[key]] = r end
  return m
end

describe("cxkit journeys", function()
  it("counts and lists journeys", function()
    local j = cx.Journeys(shop())
    assert.are.equal(5, j:count())
    assert.are.equal(2, j:conversion_count())
    assert.are.equal("integer", math.type(j:count()))
    assert.is_true(j:byte_count() > 0)
    local rows = j:list():totable()
    assert.are.equal(5, #rows)
    assert.are.equal("ad > site > checkout", rows[1].path)
    assert.are.equal(100.0, rows[1].value)
    assert.are.equal(2 * DAY, rows[1]["end"] - rows[1].start)
    assert.are.equal("integer", math.type(rows[1].start))
  end)

  it("pins paths, transitions and attribution", function()
    local j = cx.Journeys(shop())
    local top = j:paths(2)
    assert.are.equal(2, top:rows())
    assert.are.equal("ad > site", top:get(0, "path"))
    assert.are.equal(2, top:get(0, "journeys"))
    assert.are.equal("path", top:column_names()[1])
    local p = top:totable()[1]
    assert.is_true(p.nps ~= p.nps) -- NaN without answers
    local tr = {}
    for _, r in ipairs(j:transitions(1):totable()) do tr[r.from .. "->" .. r.to] = r end
    assert.are.equal(3, tr["START->ad"].count)
    assert.is_true(math.abs(tr["START->ad"].probability - 0.6) < 1e-12)
    local att = by(j:attribution(1):totable(), "name")
    assert.are.equal(1.0, att.ad.first_touch)
    assert.are.equal(2.0, att.checkout.last_touch)
    assert.is_true(math.abs(att.site.linear - 5 / 6) < 1e-12)
    assert.is_true(math.abs(att.checkout.removal_effect - 1) < 1e-12)
  end)

  it("takes options as an object or a table", function()
    local s = shop()
    local o = cx.JourneyOptions(s)
    o:set_level("channel")
    o:set_collapse(true)
    assert.are.equal("ads > web", cx.Journeys(s, o):list():get(0, "path"))
    local j = cx.Journeys(s, cx.journey_options(s, { level = "channel", collapse = true }))
    assert.are.equal("ads > web", j:list():get(0, "path"))
    j = cx.Journeys(s, cx.journey_options(s, { conversion = { "touchpoint", "site" }, cut_at_conversion = false }))
    assert.are.equal(4, j:conversion_count())
    j = cx.Journeys(s, cx.journey_options(s, { conversion = { "purchase", { "stage", "purchase" } },
      gap_ms = 5 * DAY, repeat_contacts = { "contact", DAY }, position_weights = { 0.3, 0.5 }, min_support = 1 }))
    assert.are.equal(5, j:count())
  end)

  it("keeps post-purchase steps with the order", function()
    local s = shop()
    local t0 = cx.time_parse("2024-03-01T10:00:00Z")
    s:add_interaction("A", "support", t0 + 3 * DAY, "contact")
    local rows = cx.Journeys(s):list()
    assert.are.equal("ad > site > checkout > support", rows:get(0, "path"))
    assert.are.equal(1, rows:get(0, "events_after_conversion"))
    assert.are.equal("site", rows:get(1, "path"))
    local att = by(cx.Journeys(s):attribution(1):totable(), "name")
    assert.are.equal(0, att.support.markov)
    assert.are.equal(0, att.support.first_touch)
    local old = cx.Journeys(s, cx.journey_options(s, { boundary = "conversion" }))
    assert.are.equal("support > site", old:list():get(1, "path"))
    local o = cx.JourneyOptions(s)
    o:set_boundary(cx.JOURNEYS_BOUNDARY_GAP)
    assert.are.equal("ad > site > checkout > support > site", cx.Journeys(s, o):list():get(0, "path"))
    o = cx.JourneyOptions(s)
    o:set_post_purchase("touchpoint", "site")
    assert.are.equal("ad > site > checkout", cx.Journeys(s, o):list():get(0, "path"))
    o:add_post_purchase("stage", "service")
    local j = cx.Journeys(s, cx.journey_options(s, { post_purchase = { "service", { "touchpoint", "site" } } }))
    assert.are.equal("ad > site > checkout > support > site", j:list():get(0, "path"))
    local pain = by(j:pain_points():totable(), "touchpoint")
    assert.are.equal(1, pain.support.post_purchase_drop_off_n)
    assert.are.equal(100, pain.support.post_purchase_drop_off)
    local ok, err = pcall(o.add_post_purchase, o, "stage", "aftercare")
    assert.is_false(ok)
    assert.matches("aftercare", tostring(err))
    ok, err = pcall(o.set_boundary, o, "sometimes")
    assert.is_false(ok)
    assert.matches("journey boundary", tostring(err))
  end)

  it("runs funnels", function()
    local s = shop()
    local j = cx.Journeys(s)
    local f = cx.Funnel(s)
    for _, st in ipairs { "awareness", "consideration", "purchase" } do f:add_step("stage", st) end
    f:set_window(30 * DAY)
    local rows = j:funnel(f):totable()
    assert.are.same({ 3, 3, 1 }, { rows[1].entered, rows[2].entered, rows[3].entered })
    -- as of day 10 B's and D's 30 days still run: in progress, not dropped
    assert.are.same({ 1, 1, 1 }, { rows[1].completed, rows[2].completed, rows[3].completed })
    assert.are.same({ 0, 0, 0 }, { rows[1].dropped, rows[2].dropped, rows[3].dropped })
    assert.are.same({ 0, 2, 0 }, { rows[1].in_progress, rows[2].in_progress, rows[3].in_progress })
    local who = by(j:funnel_customers(f):totable(), "customer")
    assert.are.equal(3, who.A.furthest)
    assert.are.same({ "completed", "in_progress" }, { who.A.status, who.B.status })
    assert.is_nil(who.C)
    f:set_window(5 * DAY) -- passed by day 10 for both
    rows = j:funnel(f):totable()
    assert.are.same({ 0, 2, 0 }, { rows[1].dropped, rows[2].dropped, rows[3].dropped })
    local early = j:funnel(cx.funnel(s, { { "stage", "awareness" }, { "stage", "consideration" } },
      { window_ms = 30 * DAY, as_of = "2024-03-05T10:00:00Z" })):totable()
    assert.are.same({ 3, 2 }, { early[1].entered, early[2].entered })
    assert.are.same({ 1, 0 }, { early[1].in_progress, early[2].in_progress })
    f:set_as_of(nil)
    local steps = { { "touchpoint", "ad" }, { "touchpoint", "checkout" }, { "touchpoint", "site" } }
    local strict = j:funnel(cx.funnel(s, steps, { strict = true })):totable()
    assert.are.equal(0, strict[2].entered)
    assert.are.equal(1, j:funnel(cx.funnel(s, steps)):totable()[2].entered)
  end)

  it("gives stages, satisfaction and pain points", function()
    local s = shop()
    s:add_feedback("A", "nps", 9, "2024-03-03T11:00:00Z")
    local j = cx.Journeys(s)
    assert.are.equal(3, by(j:stages():totable(), "stage").awareness.reached)
    local conv = by(j:satisfaction("converted"):totable(), "group")
    assert.are.equal(100.0, conv.converted.nps)
    assert.are.equal(3, conv.not_converted.journeys)
    assert.are.equal("consideration", by(j:customer_stages():totable(), "customer").A.current)
    local pain = j:pain_points():totable()
    assert.are.equal(4, #pain)
    assert.are.equal(1, pain[1].rank)
    assert.are.equal(0, #j:drivers():totable())
  end)

  it("raises errors with messages", function()
    local s = shop()
    local j = cx.Journeys(s)
    local ok, err = pcall(j.paths, j, 0)
    assert.is_false(ok)
    assert.truthy(err:match("^Range: [%w_.:]+: .*top_k"))
    ok, err = pcall(j.satisfaction, j, "bogus")
    assert.truthy(err:match("^Invalid: [%w_.:]+: unknown journey grouping name 'bogus'"))
    ok, err = pcall(j.transitions, j, 9)
    assert.truthy(err:match("^Range"))
    local o = cx.JourneyOptions(s)
    ok, err = pcall(o.set_conversion, o, "kind", "nope")
    assert.truthy(err:match("^NotFound: [%w_.:]+: .*nope"))
    ok, err = pcall(cx.Journeys, cx.Store(), o)
    assert.truthy(err:match("^Invalid"))
    ok, err = pcall(j.funnel, j, cx.Funnel(s))
    assert.truthy(err:match("^Invalid"))
    ok, err = pcall(cx.journey_options, s, { levle = "stage" })
    assert.truthy(err:match("unknown option 'levle'"))
    local t = j:paths(1)
    ok, err = pcall(t.column_find, t, "nope")
    assert.truthy(err:match("^NotFound"))
    ok, err = pcall(t.row, t, 7)
    assert.truthy(err:match("^Range"))
  end)

  it("raises on closed handles; results outlive their journeys", function()
    local s = shop()
    local j = cx.Journeys(s)
    local t = j:paths(1)
    j:close()
    j:close()
    local ok, err = pcall(j.count, j)
    assert.truthy(err:match("Journeys is closed"))
    assert.are.equal(2, t:get(0, "journeys"))
    t:close()
    ok, err = pcall(t.rows, t)
    assert.truthy(err:match("Result is closed"))
    local f = cx.Funnel(s)
    f:close()
    ok, err = pcall(f.add_step, f, "stage", "awareness")
    assert.truthy(err:match("Funnel is closed"))
    local o = cx.JourneyOptions(s)
    o:close()
    ok, err = pcall(cx.Journeys, s, o)
    assert.truthy(err:match("JourneyOptions is closed"))
    s:close()
    ok, err = pcall(cx.Journeys, s)
    assert.truthy(err:match("Store is closed"))
  end)

  it("does not leak over create/free cycles", function()
    local s = shop()
    local function rss_kb()
      local f = io.open("/proc/self/statm")
      local _ = f:read("*n")
      local pages = f:read("*n")
      f:close()
      return pages * 4
    end
    local function cycles(n)
      for i = 1, n do
        local j = cx.Journeys(s, cx.JourneyOptions(s))
        local f = cx.Funnel(s)
        f:add_step("stage", "awareness")
        j:funnel(f):row(0)
        j:pain_points():totable()
        if i % 500 == 0 then collectgarbage() end
      end
      collectgarbage(); collectgarbage()
    end
    cycles(2000)
    local before = rss_kb()
    cycles(20000)
    assert.is_true(rss_kb() - before < 4096)
  end)

  it("keeps the store alive and survives any collection order", function()
    local s = shop()
    local j = cx.Journeys(s)
    local f = cx.funnel(s, { { "stage", "awareness" } })
    s:close()
    s = nil
    collectgarbage(); collectgarbage()
    assert.are.equal("ad > site", j:paths(1):get(0, "path"))
    assert.are.equal(3, j:funnel(f):get(0, "entered"))
    math.randomseed(7)
    for _ = 1, 200 do
      local st = cx.Store()
      st:add_customer("a")
      st:add_touchpoint("ad", "ads", "awareness")
      st:add_interaction("a", "ad", 0, "view")
      local o = cx.JourneyOptions(st)
      local jj = cx.Journeys(st, o)
      local ff = cx.Funnel(st)
      ff:add_step("touchpoint", "ad")
      local objs = { st, o, jj, ff, jj:paths(1), jj:funnel(ff), jj:list() }
      st, o, jj, ff = nil, nil, nil, nil
      while #objs > 0 do
        local x = table.remove(objs, math.random(#objs))
        if math.random() < 0.5 then x:close() end
        x = nil
        collectgarbage()
      end
    end
  end)
end)
