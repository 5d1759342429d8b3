-- Data protection: Store:forget() (erasure), cx.pseudonym(), Store:pseudonymize()
-- and Result:pseudonymize().
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local KEY = "\0k\255ey of sixteen+ bytes"

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  assert.truthy(tostring(err):match(pattern), tostring(err))
end

-- Three customers with every kind of record; those in `without` are never added.
local function build(without)
  without = without or {}
  local s = cx.Store()
  s:add_touchpoint("web", "web", "consideration")
  s:add_touchpoint("phone", "phone", "service")
  local people = {
    { "C-1", "consumer", "الرياض", "سارة", "نورة" },
    { "C-2", "vip", "جدة", "Omar \"=cmd\"", "خالد" },
    { "C-3", "consumer", "الدمام", "<script>x</script>", "نورة" },
  }
  for k, p in ipairs(people) do
    local c, seg, region, name, agent = p[1], p[2], p[3], p[4], p[5]
    if not without[c] then
      local day = "2024-03-0" .. k
      s:add_customer(c, seg, region, "basic", "2024-01-0" .. k)
      s:set_attribute(c, "name", name)
      s:set_attribute(c, "email", c:lower() .. "@example.com")
      s:add_case("T-" .. k, c, "phone", "high", agent, day .. "T09:00:00Z", day .. "T09:30:00Z", day .. "T15:00:00Z")
      s:add_interaction(c, "web", day .. "T08:00:00Z", "visit", "inbound", nil, nil, 0, "handled", 0, "I-" .. k .. "-a")
      s:add_interaction(c, "phone", day .. "T09:00:00Z", "contact", "inbound", agent, "T-" .. k, 300000 * k, "handled",
        0, "I-" .. k .. "-b")
      s:add_feedback(c, "nps", 13 - 3 * k, day .. "T16:00:00Z", "phone", "I-" .. k .. "-b", "T-" .. k,
        "comment of " .. name, "F-" .. k)
      s:add_feedback(c, "ces", 1 + k, day .. "T16:05:00Z")
      s:add_transaction(c, day .. "T12:00:00Z", 100.0 * k, "X-" .. k)
      s:add_transaction(c, "2024-04-0" .. k .. "T12:00:00Z", 10.0 * k)
    end
  end
  return s
end

local TABLES = { "customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions" }
local function snapshot(s)
  local out = {}
  for _, t in ipairs(TABLES) do
    for i = 0, s:rows(t) - 1 do
      local r, keys = s:record(t, i), {}
      for k in pairs(r) do keys[#keys + 1] = k end
      table.sort(keys)
      local parts = { t }
      for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(r[k]) end
      out[#out + 1] = table.concat(parts, "|")
    end
  end
  for _, set in ipairs { "agent", "segment", "region", "plan", "attribute" } do
    for i = 0, s:vocab_count(set) - 1 do out[#out + 1] = set .. ":" .. s:vocab_name(set, i) end
  end
  return table.concat(out, "\n")
end

local function nps_by_agent(s)
  local q = cx.Query(s)
  q:add("nps"); q:add("handle_time")
  q:group_by("agent")
  local out = {}
  for _, r in ipairs(q:run():totable()) do
    out[#out + 1] = tostring(r.agent) .. " " .. tostring(r.nps) .. " " .. tostring(r.nps_n) .. " " ..
      tostring(r.handle_time_mean)
  end
  return table.concat(out, "\n")
end

describe("cxkit erasure and pseudonyms", function()
  it("forgets a customer: the store is the one that never had them", function()
    local s = build()
    local rows = s:forget({ "C-2" })
    assert.are.equal(8, rows)
    assert.are.equal("integer", math.type(rows))
    local fresh = build { ["C-2"] = true }
    assert.are.equal(snapshot(fresh), snapshot(s))
    assert.are.equal(nps_by_agent(fresh), nps_by_agent(s))
    fails("^NotFound", s.find, s, "interactions", "I-2-b")
    assert.are.equal(16, build():forget({ "C-1", "C-3", "C-1" }))
  end)

  it("refuses an unknown id, naming it, and erases nothing", function()
    local s = build()
    local before = snapshot(s)
    fails("^NotFound: [%w_.:]+: .*no customer 'nobody'", s.forget, s, { "C-1", "nobody" })
    fails("expected a string", s.forget, s, { "C-1", 7 })
    fails("^Invalid: [%w_.:]+: ids is required", s.forget, s, nil)
    assert.are.equal(before, snapshot(s))
  end)

  it("gives HMAC-SHA-256 pseudonyms (RFC 4231 test cases 1 and 2)", function()
    assert.are.equal("b0344c61d8db38535ca8afceaf0bf12b", cx.pseudonym(string.rep("\11", 20), "Hi There"))
    assert.are.equal("5bdcc146bf60754e6a042426089575c7", cx.pseudonym("Jefe", "what do ya want for nothing?"))
    assert.are.equal(32, #cx.pseudonym(KEY, "سارة العتيبي"))
    assert.are_not.equal(cx.pseudonym(KEY, "C-1"), cx.pseudonym(KEY .. "!", "C-1"))
    fails("^Invalid: [%w_.:]+: .*key is empty", cx.pseudonym, "", "C-1")
  end)

  it("pseudonymises a store's ids and the listed attributes", function()
    local s = build()
    local before = nps_by_agent(s)
    s:pseudonymize(KEY, { "email", "no_such_attribute" })
    local p1 = cx.pseudonym(KEY, "C-1")
    local c1 = s:record("customers", s:find("customers", p1))
    assert.are.equal(cx.pseudonym(KEY, "c-1@example.com"), c1.email)
    assert.are.equal("سارة", c1.name)
    for _, t in ipairs { "cases", "interactions", "feedback", "transactions" } do
      assert.are.equal(p1, s:record(t, 0).customer)
    end
    assert.are.equal("comment of سارة", s:record("feedback", 0).comment)
    fails("^NotFound", s.find, s, "customers", "C-1")
    assert.are.equal(before, nps_by_agent(s))
    local t = build()
    t:pseudonymize(KEY, nil, true)
    assert.is_nil(t:record("feedback", 0).comment)
    assert.are.equal("c-1@example.com", t:record("customers", 0).email)
    local u = build()
    local snap = snapshot(u)
    fails("^Invalid: [%w_.:]+: .*key is empty", u.pseudonymize, u, "", { "email" })
    assert.are.equal(snap, snapshot(u))
  end)

  it("pseudonymises the text columns of a result", function()
    local s = build()
    local q = cx.Query(s)
    q:add("nps")
    q:group_by("segment")
    local r = q:run()
    fails("^Invalid", r.pseudonymize, r, KEY, { "nps" })
    assert.are.equal("consumer", r:row(0).segment)
    r:pseudonymize(KEY, { "segment" })
    assert.are.equal(cx.pseudonym(KEY, "consumer"), r:row(0).segment)
    assert.are.equal(cx.pseudonym(KEY, "vip"), r:row(1).segment)
  end)
  it("clones a store to pseudonymise the copy", function()
    local s = build()
    local before = snapshot(s)
    local shared = s:clone()
    assert.are.equal(before, snapshot(shared))
    shared:pseudonymize(KEY, { "name", "email" }, true)
    assert.are.equal(before, snapshot(s))
    assert.are.equal(cx.pseudonym(KEY, "C-1"), shared:record("customers", 0).id)
    assert.are.equal(nps_by_agent(s), nps_by_agent(shared))
    s:close()
    assert.are.equal(3, shared:rows("customers"))
    fails("closed", s.clone, s)
  end)
end)
