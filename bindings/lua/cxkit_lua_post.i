/*
 * cxkit_lua_post.i: Lua extras that need the lifecycle classes, so it is
 * included after every module (cxkit_lua.i comes before them).
 */

/* The fits and CLV also as module functions: cx.fit_bgnbd(x, t_x, T). */
%luacode {
local cx = cxkit
for _, f in ipairs({ "fit_bgnbd", "fit_paretonbd", "fit_gammagamma", "fit_bgbb", "fit_sbg", "clv" }) do
  cx[f] = cx.Model[f]
end
}
