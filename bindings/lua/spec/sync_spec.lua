-- Ids of events, feedback linked by interaction id, the put calls and
-- synchronising imports (existing = "reject" | "skip" | "update").
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local TABLES = { "customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions" }

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  assert.truthy(tostring(err):match(pattern), tostring(err))
end

-- Every record of every table as text, to compare two states of a store.
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
  return table.concat(out, "\n")
end

local function base()
  local s = cx.Store()
  s:add_customer("C-1", "consumer", "الرياض")
  s:add_customer("C-2", "business")
  s:add_touchpoint("web", "web", "consideration")
  s:add_touchpoint("phone", "phone", "service")
  s:add_case("T-1", "C-1", "phone", "high", "نورة", "2024-03-01T10:00:00Z")
  return s
end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

describe("cxkit ids and sync", function()
  it("gives events ids and links feedback to an interaction by id", function()
    local s = base()
    local row = s:add_interaction("C-1", "phone", "2024-03-01T10:00:00Z", "contact", "inbound", nil, "T-1", 0,
      "handled", 0, "I-1")
    s:add_interaction("C-1", "web", "2024-03-02T10:00:00Z")
    local fb = s:add_feedback("C-1", "csat", 4, "2024-03-01T11:00:00Z", nil, "I-1", nil, nil, "F-1")
    local tx = s:add_transaction("C-1", "2024-03-03T10:00:00Z", 120.5, "X-1")
    assert.are.equal(row, s:find("interactions", "I-1"))
    assert.are.equal("integer", math.type(s:find("interactions", "I-1")))
    assert.are.equal(fb, s:find("feedback", "F-1"))
    assert.are.equal(tx, s:find("transactions", "X-1"))
    assert.are.equal("I-1", s:record("interactions", row).id)
    assert.is_nil(s:record("interactions", 1).id)
    assert.are.equal("I-1", s:record("feedback", fb).interaction)
    assert.are.equal("F-1", s:get("feedback", "id", fb))
    fails("^NotFound: [%w_.:]+: .*I%-404", s.find, s, "interactions", "I-404")
  end)

  it("refuses bad links and duplicate ids, naming them, and changes nothing", function()
    local s = base()
    s:add_interaction("C-1", "web", 0, nil, "inbound", nil, nil, 0, "handled", 0, "I-1")
    local before = snapshot(s)
    fails("^NotFound: [%w_.:]+: .*customer 'C%-1': no interaction 'I%-9'", s.add_feedback, s, "C-1", "nps", 9, 10, nil, "I-9")
    fails("^Invalid: [%w_.:]+: .*interaction 'I%-1' belongs to another customer", s.add_feedback, s, "C-2", "nps", 9, 10, nil,
      "I-1")
    fails("^Exists: [%w_.:]+: .*interaction 'I%-1' already exists", s.add_interaction, s, "C-2", "web", 5, nil, "inbound", nil,
      nil, 0, "handled", 0, "I-1")
    fails("^NotFound: [%w_.:]+: .*I%-9", s.put_feedback, s, "F-1", "C-1", "nps", 9, 10, nil, "I-9")
    assert.are.equal(before, snapshot(s))
  end)

  it("puts records and says what changed, by name", function()
    local s = base()
    s:set_attribute("C-1", "name", "سارة")
    assert.are.equal("unchanged", s:put_customer("C-1", "consumer", "الرياض"))
    assert.are.equal("updated", s:put_customer("C-1", "vip", "الرياض"))
    assert.are.equal("سارة", s:get_attribute("C-1", "name"))
    assert.are.equal("added", s:put_customer("C-3", nil, nil, nil, "2024-01-01"))
    assert.are.equal("unchanged", s:put_touchpoint("web", "web", "consideration"))
    assert.are.equal("updated", s:put_touchpoint("web", "web", "purchase", nil, false, 2.0))
    assert.are.equal("added", s:put_case("T-2", "C-2", "web", nil, nil, 0))
    assert.are.equal("updated", s:put_case("T-2", "C-2", "web", nil, nil, 0, 60000, 120000, 0, 2))
    assert.are.equal("added", s:put_interaction("I-1", "C-1", "phone", 1000, "contact", "inbound", nil, "T-1"))
    assert.are.equal("unchanged", s:put_interaction("I-1", "C-1", "phone", 1000, "contact", "inbound", nil, "T-1"))
    assert.are.equal("updated", s:put_interaction("I-1", "C-1", "phone", 1000, "contact", "inbound", nil, "T-1", 0,
      "missed"))
    assert.are.equal("added", s:put_interaction(nil, "C-1", "web", 2000))
    assert.are.equal("added", s:put_interaction(nil, "C-1", "web", 2000))
    assert.are.equal(3, s:rows("interactions"))
    assert.are.equal("added", s:put_question("effort", "ces", 1, 7, false))
    assert.are.equal("updated", s:put_question("effort", "ces", 1, 5, false))
    assert.are.equal("added", s:put_feedback("F-1", "C-1", "effort", 2, 3000, nil, "I-1"))
    assert.are.equal("unchanged", s:put_feedback("F-1", "C-1", "effort", 2, 3000, nil, "I-1"))
    assert.are.equal("updated", s:put_feedback("F-1", "C-1", "effort", 3, 3000))
    assert.is_nil(s:record("feedback", s:find("feedback", "F-1")).interaction)
    assert.are.equal("added", s:put_transaction("X-1", "C-2", 4000, 10.0))
    assert.are.equal("unchanged", s:put_transaction("X-1", "C-2", 4000, 10))
    assert.are.equal("updated", s:put_transaction("X-1", "C-2", 4000, 12.5))
    s:set_attribute("C-1", "name", nil)
    assert.is_nil(s:get_attribute("C-1", "name"))
  end)

  it("refuses a case or interaction moved while others refer to it", function()
    local s = base()
    s:add_interaction("C-1", "phone", 1000, nil, "inbound", nil, "T-1", 0, "handled", 0, "I-1")
    s:add_feedback("C-1", "nps", 9, 2000, nil, "I-1", nil, nil, "F-1")
    local before = snapshot(s)
    fails("^Invalid: [%w_.:]+: .*case 'T%-1' cannot move to customer 'C%-2'", s.put_case, s, "T-1", "C-2", "phone", "high",
      "نورة", "2024-03-01T10:00:00Z")
    fails("^Invalid: [%w_.:]+: .*interaction 'I%-1' cannot move to customer 'C%-2'", s.put_interaction, s, "I-1", "C-2",
      "phone", 1000)
    fails("^Range: [%w_.:]+: .*question 'nps'", s.put_question, s, "nps", "nps", 0, 5)
    assert.are.equal(before, snapshot(s))
  end)

  it("loads ids and interaction ids in bulk", function()
    local s = base()
    s:add_interactions({ "C-1", "C-2", "C-1" }, { "web", "phone", "web" }, { 0, 1000, 2000 }, nil, nil, nil, nil,
      nil, nil, nil, { "I-0", false, "I-2" })
    assert.are.equal(2, s:find("interactions", "I-2"))
    assert.is_nil(s:record("interactions", 1).id)
    s:add_feedbacks({ "C-1", "C-1" }, { "nps", "nps" }, { 9, 3 }, { 10, 20 }, nil, { "I-0", false }, nil, nil,
      { "F-0", "F-1" })
    assert.are.equal("I-0", s:record("feedback", 0).interaction)
    assert.is_nil(s:record("feedback", 1).interaction)
    s:add_transactions({ "C-2" }, { 30 }, { 5 }, { "X-1" })
    assert.are.equal(0, s:find("transactions", "X-1"))
    local before = snapshot(s)
    fails("^NotFound: [%w_.:]+: .*record 1", s.add_feedbacks, s, { "C-1", "C-1" }, { "nps", "nps" }, { 9, 9 }, { 1, 2 }, nil,
      { "I-0", "I-404" })
    fails("ids has 1 entries", s.add_transactions, s, { "C-1", "C-1" }, { 0, 1 }, { 1, 1 }, { "X-9" })
    assert.are.equal(before, snapshot(s))
  end)

  it("imports the same files twice with existing = 'update': everything unchanged", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    local files = {
      customers = "id,segment,name\nC-1,consumer,سارة\nC-2,business,\"Omar, \"\"the boss\"\"\"\n",
      touchpoints = "name,channel,stage\nweb,web,consideration\nphone,phone,service\n",
      interactions = "id,customer,touchpoint,time\nI-1,C-1,phone,2024-03-01T10:00:00Z\nI-2,C-2,web,2024-03-02T10:00:00Z\n",
      feedback = "id,customer,question,score,time,interaction\nF-1,C-1,csat,4,2024-03-01T11:00:00Z,I-1\n",
      transactions = "id,customer,time,amount\nX-1,C-2,2024-03-03T10:00:00Z,99.5\n",
    }
    local order = { "customers", "touchpoints", "interactions", "feedback", "transactions" }
    for t, text in pairs(files) do write(dir .. "/" .. t .. ".csv", text) end
    local s = cx.Store()
    local o = cx.import_options { existing = "update" }
    for _, t in ipairs(order) do
      local rep = s:import_csv(t, dir .. "/" .. t .. ".csv", o)
      assert.are.equal(0, rep:rejected())
      assert.are.equal(rep:accepted(), rep:added())
    end
    local before = snapshot(s)
    for _, t in ipairs(order) do
      local rep = s:import_csv(t, dir .. "/" .. t .. ".csv", o)
      assert.are.equal(0, rep:added())
      assert.are.equal(0, rep:updated())
      assert.are.equal(rep:read(), rep:unchanged())
      assert.are.equal("integer", math.type(rep:unchanged()))
    end
    assert.are.equal(before, snapshot(s))
    -- a changed row updates; "skip" keeps the stored record; "reject" (the default) refuses it
    write(dir .. "/transactions.csv", "id,customer,time,amount\nX-1,C-2,2024-03-03T10:00:00Z,120\n")
    local rep = s:import_csv("transactions", dir .. "/transactions.csv", cx.import_options { existing = "skip" })
    assert.are.equal(1, rep:unchanged())
    assert.are.equal(99.5, s:get("transactions", "amount", 0))
    rep = s:import_csv("transactions", dir .. "/transactions.csv", o)
    assert.are.equal(1, rep:updated())
    assert.are.equal(120.0, s:get("transactions", "amount", 0))
    rep = s:import_csv("transactions", dir .. "/transactions.csv")
    assert.are.equal(1, rep:rejected())
    assert.truthy(rep:reason(0):match("'X%-1' already exists"))
    local strict = cx.ImportOptions()
    strict:set_strict(true)
    strict:set_existing(cx.EXISTING_REJECT)
    fails("^Exists: [%w_.:]+: .*line 2", s.import_csv, s, "transactions", dir .. "/transactions.csv", strict)
    fails("^Invalid: [%w_.:]+: unknown existing%-record rule name 'merge'", cx.import_options, { existing = "merge" })
    fails("^Invalid: cx%.import_options: unknown option 'exists'", cx.import_options, { exists = "update" })
    for t in pairs(files) do os.remove(dir .. "/" .. t .. ".csv") end
    os.remove(dir)
  end)
end)
