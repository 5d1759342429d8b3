-- The Lua examples run and find what the demo data plants.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local H = require "helper"
local root = os.getenv("CXKIT_SOURCE_ROOT") or "."
describe("examples/lua", function()
  it("cx_analysis.lua runs", function()
    local p = io.popen("lua5.4 " .. root .. "/examples/lua/cx_analysis.lua 2>&1")
    local out = p:read("a")
    local ok = p:close()
    assert.is_true(ok, out)
    assert.truthy(out:find("Loaded 3000 customers, 35247 interactions", 1, true))
    assert.truthy(out:find("worst delivery", 1, true))
    assert.truthy(out:find("Per-agent daily report", 1, true))
    assert.truthy(out:find("Omnichannel history of C-100002", 1, true))
    assert.truthy(out:find("Journeys: 9047, of which 7632 converted", 1, true))
    assert.truthy(out:find("  first pain point: home_delivery (", 1, true))
    assert.truthy(out:find("Attribution of 7632 purchases by channel", 1, true))
    assert.truthy(out:find("  2024-Q1    269  46.8%", 1, true)) -- lifecycle
    assert.truthy(out:find("Top customers by 12-month CLV", 1, true))
    assert.truthy(out:find("Contact now (as of 2025-12-31): 53 entries", 1, true))
  end)
  it("cx_sync.lua runs: a second import changes nothing, forget erases", function()
    local p = io.popen("lua5.4 " .. root .. "/examples/lua/cx_sync.lua 2>&1")
    local out = p:read("a")
    local ok = p:close()
    assert.is_true(ok, out)
    local again = out:match("The same files again:\n(.-)\n\n")
    local lines = 0
    for line in again:gmatch("[^\n]+") do
      local read, added, updated, unchanged, rejected =
        line:match("read +(%d+) +added +(%d+) +updated +(%d+) +unchanged +(%d+) +rejected (%d+)")
      assert.are.same({ "0", "0", read, "0" }, { added, updated, unchanged, rejected })
      lines = lines + 1
    end
    assert.are.equal(7, lines)
    assert.truthy(out:find("customers     read      3  added      1  updated      1  unchanged      1", 1, true))
    local removed = tonumber(out:match("Forgot C%-100002: (%d+) rows removed"))
    local s = H.load_demo(H.cx.Store())
    assert.are.equal(s:history("C-100002"):count() + 1, removed)
    assert.truthy(out:find("and it is gone: NotFound: store:history: no customer 'C-100002' [CX_ENOTFOUND -3]", 1, true))
    assert.truthy(out:find("(= cx.pseudonym(key, id): true)", 1, true))
  end)
end)
