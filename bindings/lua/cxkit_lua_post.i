/*
 * cxkit_lua_post.i: Lua extras that need the lifecycle classes, so it is
 * included after every module (cxkit_lua.i comes before them).
 */

%extend Cohorts {
    /** Every cohort, as a sequence of tables: cohort (label), start, size,
     *  active and retention (sequences by period since start). */
    cxb_lua_cohorts totable() {
        cxb_lua_cohorts r = {cxb_cohorts($self)};
        return r;
    }
}
%extend RFM {
    /** Every row, as a sequence of tables (as rows()). */
    cxb_rows totable() {
        cxb_rows o = {0, NULL, NULL, NULL};
        const cx_rfm *t = cxb_rfm($self);
        if (!t)
            return o;
        o = cxb_rows_new(cx_rfm_count(t));
        for (size_t i = 0; i < o.n && !cxb_code; i++)
            cxb_rfm_row(&o.r[i], t, i);
        return cxb_rows_done(o);
    }
}
%extend Health {
    /** Every row, as a sequence of tables (as rows()). */
    cxb_rows totable() {
        cxb_rows o = {0, NULL, NULL, NULL};
        const cx_health *h = cxb_health($self);
        if (!h)
            return o;
        o = cxb_rows_new(cx_health_count(h));
        for (size_t i = 0; i < o.n && !cxb_code; i++)
            cxb_health_row(&o.r[i], h, i);
        return cxb_rows_done(o);
    }
}

/* The fits and CLV also as module functions: cx.fit_bgnbd(x, t_x, T). */
%luacode {
local cx = cxkit
for _, f in ipairs({ "fit_bgnbd", "fit_paretonbd", "fit_gammagamma", "fit_bgbb", "fit_sbg", "clv" }) do
  cx[f] = cx.Model[f]
end
}
