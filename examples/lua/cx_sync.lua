-- cx_sync.lua: keep a store in step with a CRM, then honour an erasure request.
--
-- Imports the demo data (examples/data/*.csv) with existing = "update" and
-- prints what each import did; imports the same files again (nothing
-- changes: every record is there with the same values); imports a later
-- CRM export of three customers (one changed, one new, one as before);
-- forgets a customer (GDPR article 17, Saudi PDPL); and pseudonymises the
-- customer ids of a result before sharing it.
--
-- Usage: lua5.4 cx_sync.lua [DATA_DIR]   (default: the demo data)
-- From the build tree: LUA_CPATH="build/bindings/lua/?.so;;" lua5.4 ...
local cx = require "cxkit"

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local data = arg[1] or os.getenv("CXKIT_DATA") or (here .. "/../data")
-- every table after the tables its rows refer to
local TABLES = { "customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions" }

local store = cx.Store()
local update = cx.import_options { existing = "update" }

local function sync(files, title)
  print(title)
  for _, f in ipairs(files) do
    local r = store:import_csv(f[1], f[2], update)
    print(("  %-13s read %6d  added %6d  updated %6d  unchanged %6d  rejected %d"):format(f[1], r:read(), r:added(),
      r:updated(), r:unchanged(), r:rejected()))
  end
end

local files = {}
for _, t in ipairs(TABLES) do files[#files + 1] = { t, data .. "/" .. t .. ".csv" } end
sync(files, "First import (existing='update'):")
sync(files, "\nThe same files again:")

-- a later export of the CRM: the first customer moved to the vip segment,
-- the second as before, one new
local src = assert(io.open(data .. "/customers.csv"))
local header, first, second = src:read("l"), src:read("l"), src:read("l")
src:close()
first = first:gsub("^([^,]*),[^,]*,", "%1,vip,", 1)
local crm = os.tmpname()
local out = assert(io.open(crm, "w"))
out:write(header, "\n", first, "\n", second, "\n",
  "C-900001,consumer,الرياض,basic,2026-01-05T10:00:00+03:00,ريم القحطاني,ar\n")
out:close()
sync({ { "customers", crm } }, "\nA later CRM export of three customers:")
os.remove(crm)

-- an erasure request
local who = "C-100002"
local before = {}
for _, t in ipairs(TABLES) do before[t] = store:rows(t) end
local removed = store:forget({ who })
local parts = {}
for _, t in ipairs(TABLES) do
  if before[t] ~= store:rows(t) then parts[#parts + 1] = ("%s %d"):format(t, before[t] - store:rows(t)) end
end
print(("\nForgot %s: %d rows removed (%s)"):format(who, removed, table.concat(parts, ", ")))
local _, err = pcall(store.history, store, who)
print("  and it is gone: " .. tostring(err))

-- share the value ranking without customer ids
local rnd = assert(io.open("/dev/urandom", "rb"))
local key = rnd:read(32) -- keep it secret; the same key gives the same pseudonyms
rnd:close()
local top = cx.rfm(store, "2026-01-01T00:00:00+03:00")
local id = top:row(0).customer
top:pseudonymize(key, { "customer" })
print(("\nRFM table shared under pseudonyms: %s is now %s (= cx.pseudonym(key, id): %s)"):format(id,
  top:row(0).customer, tostring(cx.pseudonym(key, id) == top:row(0).customer)))
