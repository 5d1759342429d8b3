/*
 * cxkit_lua_post.i: Lua extras that need the classes, so it is included
 * after every module (cxkit_lua.i comes before them).
 */

/* The fits and CLV also as module functions: cx.fit_bgnbd(x, t_x, T). */
%luacode {
local cx = cxkit
for _, f in ipairs({ "fit_bgnbd", "fit_paretonbd", "fit_gammagamma", "fit_bgbb", "fit_sbg", "clv" }) do
  cx[f] = cx.Model[f]
end
}

/* cx.import_options{strict = true, existing = "update", create_customers = true,
 * reject_path = "rejects.csv", delimiter = ";", columns = {client = "id", notes = false}}:
 * the ImportOptions setters in one call, as cx.journey_options does for
 * journeys (a column mapped to false is ignored). */
%luacode {
local cx = cxkit
local known = { strict = "set_strict", create_customers = "set_create_customers", existing = "set_existing",
  reject_path = "set_reject_path", delimiter = "set_delimiter", threads = "set_threads" }
function cx.import_options(t)
  local o = cx.ImportOptions()
  for k, v in pairs(t or {}) do
    if known[k] then
      o[known[k]](o, v)
    elseif k == "columns" then
      for file_column, column in pairs(v) do o:map_column(file_column, column or nil) end
    else
      local all = { columns = true }
      for name in pairs(known) do all[name] = true end
      cx._error("Invalid", "cx.import_options", "unknown option '" .. tostring(k) .. "'" .. cx._did_you_mean(k, all), 2)
    end
  end
  return o
end
}

/* ---- issue 13: readable objects, options tables, error details ------------------------- */

/* print(obj) and tostring(obj) say what an object holds, # counts its rows
 * (a Result's rows, a Store's customers, a History's entries, ...). A
 * closed object says "(closed)". */
%luacode {
local cx = cxkit
local tables = { "customers", "touchpoints", "interactions", "cases", "questions", "feedback", "transactions" }

local function describe(name, f)
  return function(o)
    local ok, text = pcall(f, o)
    if ok then
      return "cxkit." .. name .. (text ~= "" and " " .. text or "")
    end
    return "cxkit." .. name .. " (closed)"
  end
end

local function counted(method)
  return function(o) return o[method](o) end
end

local shows = {
  Store = function(s)
    if s:closed() then error("closed") end
    local parts = {}
    for _, t in ipairs(tables) do parts[#parts + 1] = t .. "=" .. s:rows(t) end
    return table.concat(parts, ", ")
  end,
  Result = function(r)
    return string.format("%d rows x %d columns: %s", r:rows(), r:columns(), table.concat(r:column_names(), ", "))
  end,
  History = function(h) return string.format("%d entries", h:count()) end,
  Journeys = function(j) return string.format("%d journeys, %d converted", j:count(), j:conversion_count()) end,
  Survival = function(v) return string.format("%d groups", v:group_count()) end,
  Summary = function(m) return string.format("%d customers", m:count()) end,
  Paths = function(p) return string.format("%d paths of %d states", p:count(), p:state_count()) end,
  CareRules = function(c) return string.format("%d rules", c:count()) end,
  ImportReport = function(r)
    return string.format("read=%d accepted=%d (added=%d updated=%d unchanged=%d) rejected=%d",
      r:read(), r:accepted(), r:added(), r:updated(), r:unchanged(), r:rejected())
  end,
}
local lengths = { Store = function(s) return s:rows("customers") end, Result = counted("rows"),
  History = counted("count"), Journeys = counted("count"), Survival = counted("group_count"),
  Summary = counted("count"), CareRules = counted("count"), Paths = counted("count") }

-- one instance of each class, for its metatable (shared by every instance)
local function metatable_of(name)
  local ok, mt = pcall(function()
    if name == "Store" then return getmetatable(cx.Store()) end
    local s = cx.Store()
    local makers = {
      Result = function() local q = cx.Query(s); q:add("nps"); return q:run() end,
      History = function() s:add_customer("x"); return s:history("x") end,
      Journeys = function() return cx.Journeys(s) end,
      Survival = function() return cx.Survival({ 1 }, { 1 }) end,
      Summary = function() return cx.Summary(s, 0) end,
      CareRules = function() return cx.CareRules() end,
      Paths = function() return cx.Paths() end,
      ImportReport = function()
        local path = os.tmpname()
        local f = assert(io.open(path, "w")); f:write("id\n"); f:close()
        local rep = s:import_csv("customers", path)
        os.remove(path)
        return rep
      end,
    }
    return getmetatable(makers[name]())
  end)
  return ok and mt or nil
end

for name in pairs(shows) do
  local mt = metatable_of(name)
  if mt then
    mt.__tostring = describe(name, shows[name])
    if lengths[name] then mt.__len = lengths[name] end
  end
end
for _, name in ipairs({ "Query", "ImportOptions", "JourneyOptions", "Funnel", "Calendar", "HealthOptions",
                        "Monitor", "Model" }) do
  local ok, mt = pcall(function()
    local s = cx.Store()
    local makers = { Query = function() return cx.Query(s) end, ImportOptions = function() return cx.ImportOptions() end,
      JourneyOptions = function() return cx.JourneyOptions(s) end, Funnel = function() return cx.Funnel(s) end,
      Calendar = function() return cx.Calendar() end, HealthOptions = function() return cx.HealthOptions() end,
      Monitor = function() return cx.Monitor() end,
      Model = function() return cx.Model.fit_sbg({ 1, 2, 3, 3 }, { 1, 1, 0, 0 }) end }
    return getmetatable(makers[name]())
  end)
  if ok and mt then mt.__tostring = function() return "cxkit." .. name end end
end
}

/* Imports take a table of options too:
 * store:import_csv("customers", path, {existing = "update", strict = true}). */
%luacode {
local cx = cxkit
local mt = getmetatable(cx.Store())
for _, name in ipairs({ "import_csv", "import_jsonl" }) do
  local f = mt[".fn"][name]
  mt[".fn"][name] = function(self, t, path, options)
    if type(options) == "table" then options = cx.import_options(options) end
    return f(self, t, path, options)
  end
end
local db_import = cx.db_import_csv
cx.db_import_csv = function(db, t, path, options)
  if type(options) == "table" then options = cx.import_options(options) end
  return db_import(db, t, path, options)
end
}

/* Errors: every failure of the module is a Lua error string
 *   "Kind: method: message [CX_ECODE -n]"
 * ("NotFound: store:history: no customer 'x' [CX_ENOTFOUND -3]"): the kind
 * (the name of the Python exception class), the Lua method that failed
 * (obj:method for a method, cx.name for a function, a constructor or a
 * static method), the library's message, and the status's C name and
 * number. A string, so that err:match(...) and printing work as for any
 * Lua error; cx.error_info(err) reads it as a table
 *   {kind = "NotFound", code = cx.ENOTFOUND (-3), name = "CX_ENOTFOUND",
 *    method = "store:history", message = "no customer 'x'"},
 * and gives nil for an error that is not the module's. */
%luacode {
local cx = cxkit
local codes = { Invalid = cx.EINVAL, NoMemory = cx.ENOMEM, NotFound = cx.ENOTFOUND, Exists = cx.EEXISTS,
  Range = cx.ERANGE, Parse = cx.EPARSE, BufSize = cx.EBUFSIZE, Order = cx.EORDER, Limit = cx.ELIMIT,
  IO = cx.EIO, Version = cx.EVERSION }
local names = {}
for _, n in ipairs({ "EINVAL", "ENOMEM", "ENOTFOUND", "EEXISTS", "ERANGE", "EPARSE", "EBUFSIZE", "EORDER",
                     "ELIMIT", "EIO", "EVERSION" }) do names[cx[n]] = "CX_" .. n end
function cx.error_info(err)
  if type(err) ~= "string" then return nil end
  local kind, rest = err:match("^(%a+): (.*)$")
  if not kind or not codes[kind] then return nil end
  local text, name, num = rest:match("^(.*) %[(CX_E%u+) (%-?%d+)%]$")
  if not text or tonumber(num) ~= codes[kind] then text = rest end
  local method, message = text:match("^([%w_.]+[:.][%w_]+): (.*)$")
  if not method then method, message = text:match("^(cx%.[%w_]+): (.*)$") end
  return { kind = kind, code = codes[kind], name = names[codes[kind]], method = method, message = message or text }
end
-- the same error raised from Lua code (option tables); level as for error()
function cx._error(kind, method, message, level)
  error(kind .. ": " .. method .. ": " .. message .. " [" .. names[codes[kind]] .. " " .. codes[kind] .. "]",
        (level or 1) + 1)
end
}
