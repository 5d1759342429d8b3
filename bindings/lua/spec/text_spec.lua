-- Voice of the customer (text.h) from Lua: tokens, the text index of a
-- store's comments, themes and their merge over shards, search against a
-- brute-force scan, trends, errors and closed handles.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local cx = H.cx

local DAY = 86400000
local COMMENTS = {
  { 2, "home_delivery", "Late delivery again, the courier never came" },
  { 1, "home_delivery", "التوصيل متأخر والمندوب لم يتصل" },
  { 3, "home_delivery", "late delivery and a damaged parcel" },
  { 10, "home_delivery", "fast delivery, thank you" },
  { 9, "call_centre", "helpful agent, great service" },
  { 10, "call_centre", "خدمة ممتازة شكرا" },
  { 0, "call_centre", "rude agent, not helpful" },
  { 2, "home_delivery", "لم يصل الطلب حتى الآن" },
}

local function store(comments, from, to)
  local s = cx.Store()
  s:add_customer("c1")
  s:add_touchpoint("home_delivery", "delivery", "purchase")
  s:add_touchpoint("call_centre", "phone", "service")
  local t0 = cx.time_parse("2024-01-10T10:00:00Z")
  for i = from or 1, to or #comments do
    local c = comments[i]
    s:add_feedback("c1", "nps", c[1], t0 + (i - 1) * 20 * DAY, c[2], nil, nil, c[3])
  end
  return s
end

-- counts as sorted "group|class|kind|term=tokens/comments" lines
local function lines(r)
  local out = {}
  for i = 0, r:rows() - 1 do
    out[#out + 1] = string.format("%s|%s|%s|%s=%d/%d", r:get(i, "group") or "-", r:get(i, "class"),
      r:get(i, "kind"), r:get(i, "term") or "-", r:get(i, "tokens"), r:get(i, "comments"))
  end
  table.sort(out)
  return table.concat(out, "\n")
end

describe("cxkit text", function()
  it("normalises Arabic and English", function()
    local t = cx.text_tokens("التوصيل تأخّر كثيراً إلى The Deliveries")
    assert.are.equal(6, t:rows())
    assert.are.equal("تاخر", t:get(1, "token"))
    assert.are.equal("كثير", t:get(2, "term"))
    assert.is_nil(t:get(3, "term"))
    assert.are.equal(1, t:get(4, "stop"))
    assert.are.equal("deliveri", t:get(5, "term"))
    assert.are.equal("arabic", cx.text_language("شكرا جزيلا"))
    assert.are.equal("english", cx.text_language("thanks"))
    local ok, err = pcall(cx.text_tokens, "x", "klingon")
    assert.is_false(ok)
    assert.truthy(tostring(err):match("^Invalid: cx%.text_tokens: unknown language"))
  end)

  it("indexes terms and phrases", function()
    local ix = cx.TextIndex(store(COMMENTS))
    assert.are.equal(#COMMENTS, ix:comment_count())
    local terms = ix:terms(2)
    local found
    for i = 0, terms:rows() - 1 do
      if terms:get(i, "term") == "deliveri" then found = i end
    end
    assert.are.equal(3, terms:get(found, "tokens"))
    assert.are.equal("delivery", terms:get(found, "label"))
    local ph = ix:phrases(2)
    assert.are.equal("late deliveri", ph:get(0, "phrase"))
    assert.is_true(ph:get(0, "pmi") > 0)
  end)

  it("finds themes and merges counts of shards", function()
    local ix = cx.TextIndex(store(COMMENTS))
    local th = ix:themes("nps", "touchpoint", 0, 2)
    assert.is_true(th:rows() > 0)
    local counts = ix:counts("nps", "touchpoint")
    local a = cx.TextIndex(store(COMMENTS, 1, 3)):counts("nps", "touchpoint")
    local b = cx.TextIndex(store(COMMENTS, 4)):counts("nps", "touchpoint")
    local m = cx.text_counts_merge(a, b)
    assert.are.equal(lines(counts), lines(m))
    local bytes = cx.text_counts_serialize(m)
    assert.are.equal("string", type(bytes))
    assert.are.equal(lines(m), lines(cx.text_counts_deserialize(bytes)))
    local same = cx.text_themes(counts, 0, 2)
    assert.are.equal(th:rows(), same:rows())
    for i = 0, th:rows() - 1 do
      assert.are.equal(th:get(i, "term"), same:get(i, "term"))
      assert.are.equal(th:get(i, "z"), same:get(i, "z"))
    end
    local ok, err = pcall(cx.text_counts_deserialize, bytes:sub(1, -2))
    assert.is_false(ok)
    assert.truthy(tostring(err):match("^Parse"))
    ok, err = pcall(ix.counts, ix, "nps", "none", "month", 0, "nowhere")
    assert.truthy(tostring(err):match("^NotFound"))
  end)

  it("searches like a brute-force scan", function()
    local words = { "late", "delivery", "the", "rude", "agent", "not", "helpful", ",", "التوصيل", "متأخر", "لم", "يصل" }
    local seed, comments = 99, {}
    local function rnd(n)
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    end
    for i = 1, 200 do
      local w = {}
      for k = 1, 1 + rnd(7) do w[k] = words[1 + rnd(#words)] end
      comments[i] = { rnd(11), "home_delivery", table.concat(w, " ") }
    end
    local ix = cx.TextIndex(store(comments))
    local function brute(text, terms)
      local t = cx.text_tokens(text)
      for i = 0, t:rows() - #terms do
        local ok = true
        for k = 1, #terms do
          if t:get(i + k - 1, "term") ~= terms[k] or (k > 1 and t:get(i + k - 1, "break") == 1) then ok = false end
        end
        if ok then return true end
      end
      return false
    end
    for _, q in ipairs { { "late delivery", { "late", "deliveri" } }, { "لم يصل", { "لم", "يصل" } }, { "agent", { "agent" } } } do
      local got = ix:search(q[1])
      local want = {}
      for i, c in ipairs(comments) do
        if brute(c[3], q[2]) then want[#want + 1] = i - 1 end
      end
      assert.is_true(#want >= 3)
      assert.are.equal(#want, got:rows())
      for k, row in ipairs(want) do
        assert.are.equal(row, got:get(k - 1, "feedback"))
        assert.are.equal(comments[row + 1][3], got:get(k - 1, "comment"))
      end
    end
    local tr = ix:trend("late", "year")
    local n = 0
    for i = 0, tr:rows() - 1 do n = n + tr:get(i, "comments") end
    assert.are.equal(200, n)
  end)

  it("refuses a closed index", function()
    local ix = cx.TextIndex(store(COMMENTS))
    ix:close()
    local ok, err = pcall(ix.terms, ix)
    assert.is_false(ok)
    assert.truthy(tostring(err):match("closed"))
  end)

  it("scores sentiment with negations", function()
    local lex = cx.TextLexicon()
    lex:add("helpful", 1)
    lex:add("late", -1)
    lex:add("ممتازة", 2)
    assert.are.equal(-1, lex:score("not helpful"))
    assert.are.equal(-2, lex:score("الخدمة لم تكن ممتازة"))
    assert.are.equal(2, lex:hits("helpful and late"))
    local ix = cx.TextIndex(store(COMMENTS))
    local r = ix:sentiment(lex)
    assert.are.equal(#COMMENTS, r:rows())
    for i = 0, r:rows() - 1 do
      assert.are.equal(lex:score(COMMENTS[i + 1][3]), r:get(i, "sentiment"))
    end
    local learned = cx.TextLexicon.learn(ix, "nps", 1, 0.5)
    assert.is_true(learned:terms():rows() > 0)
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("term,polarity\nhelpful,1.5\nrude,-2\n")
    f:close()
    local loaded = cx.TextLexicon.load(path)
    assert.are.equal(-0.5, loaded:score("helpful but rude"))
    assert.are.equal(2, loaded:terms():rows())
    f = assert(io.open(path, "w"))
    f:write("helpful\n")
    f:close()
    local ok, err = pcall(cx.TextLexicon.load, path)
    os.remove(path)
    assert.is_false(ok)
    assert.truthy(tostring(err):match("^Parse: .*line 1"))
  end)
end)
