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
  reject_path = "set_reject_path", delimiter = "set_delimiter" }
function cx.import_options(t)
  local o = cx.ImportOptions()
  for k, v in pairs(t or {}) do
    if known[k] then
      o[known[k]](o, v)
    elseif k == "columns" then
      for file_column, column in pairs(v) do o:map_column(file_column, column or nil) end
    else
      error("Invalid: import_options: unknown option '" .. tostring(k) .. "'", 2)
    end
  end
  return o
end
}
