/*
 * cxkit_lua_post.i: Lua extras that need the lifecycle classes, so it is
 * included after every module (cxkit_lua.i comes before them).
 */

%extend Summary {
    /** Every row, as a sequence of tables (as rows()). */
    cxb_rows totable() {
        cxb_rows o = {0, NULL, NULL, NULL};
        const cx_summary *s = cxb_summary($self);
        if (!s)
            return o;
        o = cxb_rows_new(cx_summary_count(s));
        for (size_t i = 0; i < o.n && !cxb_code; i++)
            cxb_summary_row(&o.r[i], s, i);
        return cxb_rows_done(o);
    }
}
/* The fits and CLV also as module functions: cx.bgnbd_fit(x, t_x, T). */
%luacode {
local cx = cxkit
for _, f in ipairs({ "bgnbd_fit", "paretonbd_fit", "gammagamma_fit", "bgbb_fit", "sbg_fit", "clv" }) do
  cx[f] = cx.Model[f]
end
}
