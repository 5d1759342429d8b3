/* libFuzzer target (issue 15): proactive-care rules (src/lifecycle/care.c)
 * and the health score, on a small store of demo data. Care rules are data
 * given through cx_care_rules_add() and its setters (there is no rule
 * text): the input is read as a list of rules with every parameter, the
 * as-of time and, optionally, BG/NBD parameters for P(alive). Checked: each
 * setter refuses exactly the values its documentation refuses, evaluation
 * fails cleanly or gives rows sorted as documented, naming stored
 * customers and rules that exist, and nothing changes the store. */
#include "fuzz_base.h"
#include <math.h>

static cx_store *base;
static uint64_t base_digest;

static double real_of(fz_in *in)
{
    unsigned how = fz_u8(in);
    if ((how & 15) == 0) { /* any bit pattern: NaN, infinities, negatives */
        uint64_t bits = fz_u64(in);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    return (double)(int16_t)(fz_u8(in) << 8 | fz_u8(in)) / (double)(how & 15);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base) {
        base = fz_load_base();
        base_digest = fz_store_digest(base);
    }
    fz_in in = {data, size};
    cx_time jan2025 = 1735689600000LL;
    cx_time as_of = jan2025 + (cx_time)(fz_u32(&in) % (3u * 366 * 24 * 60)) * 60000 - 200LL * 86400000;

    cx_model *model = NULL;
    cx_summary *summary = NULL;
    if (fz_u8(&in) & 1) {
        double p[4];
        for (int i = 0; i < 4; i++)
            p[i] = (fz_u8(&in) + 1) / 16.0;
        if (cx_model_new(&model, CX_MODEL_BGNBD, p, 4) != CX_OK)
            fz_fail("cx_model_new refused positive BG/NBD parameters");
        if (cx_summary_new(&summary, base, as_of, NULL) != CX_OK) {
            cx_model_free(model);
            model = NULL;
        }
    }

    cx_care_rules *rules = NULL;
    if (cx_care_rules_new(&rules) != CX_OK)
        abort();
    static const char *const prios[] = {NULL, "low", "normal", "high", "urgent", "no-such", ""};
    unsigned n = fz_u8(&in) % 9;
    for (unsigned i = 0; i < n && in.n; i++) {
        int kind = (int)fz_u8(&in) % (CX_CARE_KIND_COUNT + 1);
        int priority = (int)(int8_t)fz_u8(&in);
        double threshold = real_of(&in);
        int64_t window = (int64_t)(int32_t)fz_u32(&in) * 60000;
        size_t rule = 99;
        size_t before = cx_care_rules_count(rules);
        int rc = cx_care_rules_add(&rule, rules, (cx_care_kind)kind, priority, threshold, window);
        if (rc == CX_OK) {
            if (kind >= CX_CARE_KIND_COUNT || !isfinite(threshold) || threshold < 0 || window < 0)
                fz_fail("cx_care_rules_add accepted kind %d threshold %g window %lld", kind, threshold,
                        (long long)window);
            if (rule != before || cx_care_rules_count(rules) != before + 1)
                fz_fail("rule numbered %zu after %zu rules", rule, before);
        } else if (cx_care_rules_count(rules) != before)
            fz_fail("a refused rule was added");
        double min_value = real_of(&in);
        int64_t baseline = (int64_t)(int32_t)fz_u32(&in) * 60000;
        size_t target = fz_u8(&in) % (cx_care_rules_count(rules) + 1);
        rc = cx_care_rules_set_min_value(rules, target, min_value);
        if (rc == CX_OK && (!isfinite(min_value) || min_value < 0 || target >= cx_care_rules_count(rules)))
            fz_fail("cx_care_rules_set_min_value accepted %g for rule %zu", min_value, target);
        rc = cx_care_rules_set_baseline(rules, target, baseline);
        if (rc == CX_OK && (baseline < 0 || target >= cx_care_rules_count(rules)))
            fz_fail("cx_care_rules_set_baseline accepted %lld for rule %zu", (long long)baseline, target);
        cx_care_rules_set_priority(rules, target, prios[fz_u8(&in) % 7]);
    }

    cx_result *r = (cx_result *)&r;
    int rc = cx_care_evaluate(&r, rules, base, as_of, model, summary);
    if (rc != CX_OK) {
        if (r)
            fz_fail("a failed cx_care_evaluate (%d) set its out-parameter", rc);
        if (rc != CX_EINVAL && rc != CX_ERANGE && rc != CX_ENOTFOUND)
            fz_fail("cx_care_evaluate returned %d", rc);
    } else {
        size_t cc, cr, ck, cn, cp, ct;
        if (cx_result_column_find(&cc, r, "customer") || cx_result_column_find(&cr, r, "rule") ||
            cx_result_column_find(&ck, r, "kind") || cx_result_column_find(&cn, r, "kind_name") ||
            cx_result_column_find(&cp, r, "priority") || cx_result_column_find(&ct, r, "time"))
            fz_fail("a care list lacks a documented column");
        int64_t last_p = INT64_MAX, last_t = INT64_MIN;
        for (size_t i = 0; i < cx_result_row_count(r); i++) {
            const char *cust = NULL, *kname = NULL, *want = NULL;
            int64_t rule = -1, kind = -1, p = 0, t = 0;
            size_t row;
            cx_result_get_string(&cust, r, i, cc);
            cx_result_get_string(&kname, r, i, cn);
            cx_result_get_int(&rule, r, i, cr);
            cx_result_get_int(&kind, r, i, ck);
            cx_result_get_int(&p, r, i, cp);
            cx_result_get_int(&t, r, i, ct);
            if (!cust || cx_store_find(&row, base, CX_TABLE_CUSTOMERS, cust) != CX_OK)
                fz_fail("care row %zu names a customer the store lacks", i);
            if (rule < 0 || (size_t)rule >= cx_care_rules_count(rules))
                fz_fail("care row %zu names rule %lld", i, (long long)rule);
            if (cx_care_kind_name(&want, (cx_care_kind)kind) != CX_OK || !kname || strcmp(want, kname) != 0)
                fz_fail("care row %zu: kind %lld named '%s'", i, (long long)kind, kname ? kname : "(null)");
            if (p > last_p || (p == last_p && t != CX_TIME_NONE && last_t != CX_TIME_NONE && t < last_t))
                fz_fail("care rows %zu and %zu out of order", i - 1, i);
            last_p = p;
            last_t = t;
        }
        cx_result_free(r);
    }
    cx_result *h = NULL;
    rc = cx_health_run(&h, base, NULL, as_of, model, summary);
    if (rc != CX_OK && rc != CX_EINVAL)
        fz_fail("cx_health_run returned %d", rc);
    cx_result_free(h);
    if (fz_store_digest(base) != base_digest)
        fz_fail("evaluating care rules changed the store");
    cx_care_rules_free(rules);
    cx_summary_free(summary);
    cx_model_free(model);
    return 0;
}
