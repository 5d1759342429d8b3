/* Tests of customer attributes kept as columns (src/store/attrs.c, issue
 * 14): a name most customers have moves from the hash map to a column of
 * 4 bytes a customer; every reader finds the same values either way, and
 * imports that fail, clones, save/load, forget and pseudonyms keep them. */
#include "cx_test.h"

#include "../src/store/store_private.h"

#define NCUST 300

static uint32_t name_id(const cx_store *s, const char *name)
{
    return cxi_pool_find(&s->sets[CX_VOCAB_ATTRIBUTE], name, strlen(name));
}

/* Whether attribute `name` is kept as a column (covering `rows` rows at least). */
static bool has_column(const cx_store *s, const char *name, size_t rows)
{
    uint32_t k = name_id(s, name);
    return k != CXI_NONE && k < s->attrs.nnames && s->attrs.cols[k].v && s->attrs.cols[k].cap >= rows;
}

static void cid(char *id, size_t n, int i) { snprintf(id, n, "C-%03d", i); }

/* NCUST customers; "tier" for each, "lang" for every third, "vip" for 3. */
static cx_store *attr_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    char id[16], v[32];
    for (int i = 0; i < NCUST; i++) {
        cid(id, sizeof id, i);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
    }
    for (int i = 0; i < NCUST; i++) {
        cid(id, sizeof id, i);
        snprintf(v, sizeof v, "tier-%d", i % 7);
        OK(cx_customer_set_attribute(s, id, "tier", v));
        if (i % 3 == 0)
            OK(cx_customer_set_attribute(s, id, "lang", i % 2 ? "ar" : "en"));
        if (i % 100 == 1)
            OK(cx_customer_set_attribute(s, id, "vip", "yes"));
    }
    return s;
}

/* Every attribute of every customer as text, one line each, for comparing stores. */
static char *dump(const cx_store *s, const char *const *names, size_t nn)
{
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    out[0] = 0;
    for (size_t r = 0; r < s->t[CX_TABLE_CUSTOMERS].n; r++) {
        const char *id = cxi_customer_id(s, (uint32_t)r);
        for (size_t k = 0; k < nn; k++) {
            const char *v;
            OK(cx_customer_get_attribute(&v, s, id, names[k]));
            char line[128];
            int n = snprintf(line, sizeof line, "%s %s=%s\n", id, names[k], v ? v : "(none)");
            if (len + (size_t)n + 1 > cap) {
                cap *= 2;
                out = realloc(out, cap);
                ck_assert_ptr_nonnull(out);
            }
            memcpy(out + len, line, (size_t)n + 1);
            len += (size_t)n;
        }
    }
    return out;
}

static const char *const names[] = {"tier", "lang", "vip", "absent"};
#define NNAMES (sizeof names / sizeof names[0])

START_TEST(common_names_become_columns)
{
    cx_store *s = attr_store();
    EXPECT(has_column(s, "tier", NCUST), "tier should be a column");
    EXPECT(has_column(s, "lang", NCUST), "lang (a third of the customers) should be a column");
    EXPECT(!has_column(s, "vip", 1), "vip (3 customers) should stay in the map");
    ck_assert_uint_eq(s->attrs.map.count, 3);
    ck_assert_uint_eq(s->attrs.count, NCUST + NCUST / 3 + 3);
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-010", "tier"));
    ck_assert_str_eq(v, "tier-3");
    OK(cx_customer_get_attribute(&v, s, "C-001", "lang"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "C-003", "lang"));
    ck_assert_str_eq(v, "ar");
    OK(cx_customer_get_attribute(&v, s, "C-101", "vip"));
    ck_assert_str_eq(v, "yes");
    /* removed from a column, set again, replaced */
    OK(cx_customer_set_attribute(s, "C-010", "tier", NULL));
    OK(cx_customer_get_attribute(&v, s, "C-010", "tier"));
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(s->attrs.nname[name_id(s, "tier")], NCUST - 1);
    OK(cx_customer_set_attribute(s, "C-010", "tier", "gold"));
    OK(cx_customer_get_attribute(&v, s, "C-010", "tier"));
    ck_assert_str_eq(v, "gold");
    ck_assert_uint_eq(s->attrs.nname[name_id(s, "tier")], NCUST);
    /* customers added one at a time after the column: in the map first,
     * then the column grows to take them */
    char id[16];
    for (int i = NCUST; i < 2 * NCUST; i++) {
        cid(id, sizeof id, i);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        OK(cx_customer_set_attribute(s, id, "tier", i % 2 ? "odd" : "even"));
    }
    EXPECT(has_column(s, "tier", 2 * NCUST), "the tier column should grow with the customers");
    ck_assert_uint_eq(s->attrs.nmap[name_id(s, "tier")], 0);
    OK(cx_customer_get_attribute(&v, s, "C-599", "tier"));
    ck_assert_str_eq(v, "odd");
    OK(cx_customer_get_attribute(&v, s, "C-300", "tier"));
    ck_assert_str_eq(v, "even");
    cx_store_free(s);
}
END_TEST

/* The same attributes through a CSV import: the import's end moves them. */
START_TEST(import_settles_into_columns)
{
    tmpdir_setup();
    FILE *f = fopen(P("customers.csv"), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "id,segment,tier,lang\n");
    for (int i = 0; i < NCUST; i++)
        fprintf(f, "C-%03d,consumer,tier-%d,%s\n", i, i % 7, i % 3 == 0 ? (i % 2 ? "ar" : "en") : "");
    fclose(f);
    cx_store *s, *ref = attr_store();
    OK(cx_store_new(&s));
    cx_import_report *r;
    OK(cx_import_csv(&r, s, CX_TABLE_CUSTOMERS, P("customers.csv"), NULL));
    cx_import_report_free(r);
    EXPECT(has_column(s, "tier", NCUST) && has_column(s, "lang", NCUST), "the import should leave columns");
    /* ref has "vip" too: compare the two others */
    char *a = dump(s, names, 2), *b = dump(ref, names, 2);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    cx_store_free(s);
    cx_store_free(ref);
    tmpdir_teardown();
}
END_TEST

/* A failed import that set, replaced and removed attributes, in columns
 * and in the map, of old customers and new ones: all back as they were,
 * a pair it added to an old customer included. */
START_TEST(failed_import_restores_attributes)
{
    tmpdir_setup();
    cx_store *s = attr_store();
    char *before = dump(s, names, NNAMES);
    FILE *f = fopen(P("customers.csv"), "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "id,tier,lang,vip\n");
    fprintf(f, "C-001,tier-9,en,\n"); /* lang new (an old value), vip removed */
    fprintf(f, "C-003,,,yes\n");      /* tier and lang removed, vip new */
    fprintf(f, "C-900,tier-1,ar,no\n"); /* a new customer */
    fprintf(f, "C-004,tier-0,,\n");
    fprintf(f, "C-005,tier-2,en,\n");
    fprintf(f, ",broken,,\n"); /* no id: the strict import fails here */
    fclose(f);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *r = NULL;
    ck_assert_int_ne(cx_import_csv(&r, s, CX_TABLE_CUSTOMERS, P("customers.csv"), o), CX_OK);
    ck_assert_ptr_null(r);
    char *after = dump(s, names, NNAMES);
    ck_assert_str_eq(before, after);
    ck_assert_uint_eq(s->t[CX_TABLE_CUSTOMERS].n, NCUST);
    ck_assert_uint_eq(s->attrs.count, NCUST + NCUST / 3 + 3);
    free(after);
    /* without the broken row it lands */
    f = fopen(P("customers.csv"), "w");
    fprintf(f, "id,tier,lang,vip\nC-001,tier-9,en,\nC-900,tier-1,ar,no\n");
    fclose(f);
    OK(cx_import_csv(&r, s, CX_TABLE_CUSTOMERS, P("customers.csv"), o));
    cx_import_report_free(r);
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-001", "lang"));
    ck_assert_str_eq(v, "en");
    OK(cx_customer_get_attribute(&v, s, "C-001", "vip"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "C-900", "tier"));
    ck_assert_str_eq(v, "tier-1");
    free(before);
    cx_import_options_free(o);
    cx_store_free(s);
    tmpdir_teardown();
}
END_TEST

START_TEST(clone_save_load_keep_attributes)
{
    tmpdir_setup();
    cx_store *s = attr_store(), *c, *l;
    char *want = dump(s, names, NNAMES);
    OK(cx_store_clone(&c, s));
    char *got = dump(c, names, NNAMES);
    ck_assert_str_eq(want, got);
    free(got);
    EXPECT(has_column(c, "tier", NCUST), "the clone keeps the column");
    /* the clone is its own */
    OK(cx_customer_set_attribute(c, "C-000", "tier", "changed"));
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-000", "tier"));
    ck_assert_str_eq(v, "tier-0");
    OK(cx_db_save(s, P("a.db")));
    OK(cx_db_load(&l, P("a.db")));
    got = dump(l, names, NNAMES);
    ck_assert_str_eq(want, got);
    free(got);
    EXPECT(has_column(l, "tier", NCUST), "a loaded store has the column");
    /* a removal from a column reaches the file */
    OK(cx_customer_set_attribute(s, "C-006", "tier", NULL));
    OK(cx_db_save(s, P("a.db")));
    cx_store_free(l);
    OK(cx_db_load(&l, P("a.db")));
    OK(cx_customer_get_attribute(&v, l, "C-006", "tier"));
    ck_assert_ptr_null(v);
    free(want);
    cx_store_free(l);
    cx_store_free(c);
    cx_store_free(s);
    tmpdir_teardown();
}
END_TEST

/* Customer `id` (the i-th) added to s with "tier" tier-(i % tiers), "lang"
 * "ar" when lang_every divides i, "vip" "yes" when i % vip_every is vip_at:
 * a reference built one call at a time. */
static void add_with_attrs(cx_store *s, const char *id, int i, int tiers, int lang_every, int vip_every, int vip_at)
{
    char v[32];
    OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
    snprintf(v, sizeof v, "tier-%d", i % tiers);
    OK(cx_customer_set_attribute(s, id, "tier", v));
    if (i % lang_every == 0)
        OK(cx_customer_set_attribute(s, id, "lang", "ar"));
    if (i % vip_every == vip_at)
        OK(cx_customer_set_attribute(s, id, "vip", "yes"));
}

/* Forgetting customers renumbers the rows of the columns. */
START_TEST(forget_keeps_the_others)
{
    cx_store *s = attr_store(), *ref;
    OK(cx_store_new(&ref));
    char id[16];
    const char *gone[NCUST / 2];
    char ids[NCUST / 2][16];
    size_t ngone = 0;
    for (int i = 0; i < NCUST; i++) {
        cid(id, sizeof id, i);
        if (i % 2 == 0) {
            memcpy(ids[ngone], id, sizeof id);
            gone[ngone] = ids[ngone];
            ngone++;
            continue;
        }
        add_with_attrs(ref, id, i, 7, 3, 100, 1);
    }
    size_t rows;
    OK(cx_customer_forget(&rows, s, ngone, gone));
    char *a = dump(s, names, NNAMES), *b = dump(ref, names, NNAMES);
    ck_assert_str_eq(a, b);
    EXPECT(has_column(s, "tier", NCUST / 2), "the kept customers' tier is still a column");
    ck_assert_uint_eq(s->attrs.count, ref->attrs.count);
    free(a);
    free(b);
    cx_store_free(ref);
    cx_store_free(s);
}
END_TEST

/* One value under a listed name and an unlisted one: hashed under the
 * first only, wherever the pairs are kept. */
START_TEST(pseudonyms_by_name)
{
    cx_store *s = attr_store();
    char id[16];
    for (int i = 0; i < NCUST; i++) {
        cid(id, sizeof id, i);
        OK(cx_customer_set_attribute(s, id, "nick", "tier-1")); /* a value "tier" has too */
    }
    OK(cx_customer_set_attribute(s, "C-002", "rare", "tier-1"));
    EXPECT(has_column(s, "nick", NCUST), "nick should be a column");
    OK(cx_store_pseudonymize(s, "key", 3, 2, (const char *const[]){"nick", "rare"}, 0));
    char want[CX_PSEUDONYM_SIZE];
    OK(cx_pseudonym(want, "key", 3, "tier-1"));
    const char *v;
    OK(cx_customer_get_attribute(&v, s, cxi_customer_id(s, 1), "nick"));
    ck_assert_str_eq(v, want);
    OK(cx_customer_get_attribute(&v, s, cxi_customer_id(s, 2), "rare"));
    ck_assert_str_eq(v, want);
    OK(cx_customer_get_attribute(&v, s, cxi_customer_id(s, 1), "tier"));
    ck_assert_str_eq(v, "tier-1");
    OK(cx_customer_get_attribute(&v, s, cxi_customer_id(s, 3), "lang"));
    ck_assert_str_eq(v, "ar");
    cx_store_free(s);
}
END_TEST

/* Out of memory while settling: nothing is lost, the pairs stay in the map. */
START_TEST(settle_out_of_memory_keeps_pairs)
{
    for (size_t k = 1; k <= 40; k++) {
        cxt_alloc a = {0};
        cx_store *s;
        OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &a));
        char id[16], v[16];
        for (int i = 0; i < 100; i++) {
            cid(id, sizeof id, i);
            OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        }
        /* the first 63 stay in the map; the 64th settles: refuse the k-th
         * allocation from there on */
        for (int i = 0; i < 63; i++) {
            cid(id, sizeof id, i);
            snprintf(v, sizeof v, "v%d", i % 5);
            OK(cx_customer_set_attribute(s, id, "tier", v));
        }
        cxt_alloc_fail_nth(&a, k, true);
        int rc = cx_customer_set_attribute(s, "C-063", "tier", "v3");
        cxt_alloc_allow(&a, -1);
        const char *got;
        for (int i = 0; i < 64; i++) {
            cid(id, sizeof id, i);
            snprintf(v, sizeof v, "v%d", i % 5);
            OK(cx_customer_get_attribute(&got, s, id, "tier"));
            if (i == 63 && rc != CX_OK)
                ck_assert_ptr_null(got);
            else
                ck_assert_str_eq(got, i == 63 ? "v3" : v);
        }
        cx_store_free(s);
        cxt_alloc_done(&a);
    }
}
END_TEST

/* An import that reserved its customers (a file of more than a few rows)
 * puts each name's pairs into a column from the first on (attrs.h): the
 * same values as one set at a time, the names few customers have back in
 * the map after it, and a failed one leaves the attributes as they were
 * and no column of a name it brought. */
#define NNEW 2000
static void write_new_customers(const char *path, bool broken)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "id,tier,lang,vip,note\n");
    for (int i = NCUST; i < NCUST + NNEW; i++)
        fprintf(f, "C-%04d,tier-%d,%s,%s,%s\n", i, i % 5, i % 10 == 0 ? "ar" : "", i % 400 == 7 ? "yes" : "",
                i % 700 == 3 ? "called" : "");
    if (broken)
        fprintf(f, "C-9999,tier-1,,,,extra\n"); /* a field too many: the strict import fails here */
    fclose(f);
}

START_TEST(import_columns_from_the_first_pair)
{
    static const char *const all[] = {"tier", "lang", "vip", "note", "absent"};
    tmpdir_setup();
    cx_store *s = attr_store(), *ref = attr_store();
    char id[16];
    for (int i = NCUST; i < NCUST + NNEW; i++) { /* ref: the same, one call at a time */
        snprintf(id, sizeof id, "C-%04d", i);
        add_with_attrs(ref, id, i, 5, 10, 400, 7);
        if (i % 700 == 3)
            OK(cx_customer_set_attribute(ref, id, "note", "called"));
    }
    char *before = dump(s, all, 5);
    uint32_t names_before = s->sets[CX_VOCAB_ATTRIBUTE].count;
    size_t count_before = s->attrs.count;
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *r = NULL;
    /* failed: as before, and "note" (new) has no column left */
    write_new_customers(P("customers.csv"), true);
    ck_assert_int_ne(cx_import_csv(&r, s, CX_TABLE_CUSTOMERS, P("customers.csv"), o), CX_OK);
    ck_assert_uint_eq(s->t[CX_TABLE_CUSTOMERS].n, NCUST);
    ck_assert_uint_eq(s->attrs.count, count_before);
    ck_assert_uint_eq(s->sets[CX_VOCAB_ATTRIBUTE].count, names_before);
    for (uint32_t k = names_before; k < s->attrs.nnames; k++)
        EXPECT(!s->attrs.cols[k].v, "name %u, rolled back, still has a column", k);
    char *after = dump(s, all, 5);
    ck_assert_str_eq(before, after);
    free(after);
    /* landed: the values of ref; tier a column, the rare names in the map */
    write_new_customers(P("customers.csv"), false);
    OK(cx_import_csv(&r, s, CX_TABLE_CUSTOMERS, P("customers.csv"), o));
    ck_assert_uint_eq(cx_import_report_added(r), NNEW);
    cx_import_report_free(r);
    char *a = dump(s, all, 5), *b = dump(ref, all, 5);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    EXPECT(has_column(s, "tier", NCUST + NNEW), "tier should be a column");
    EXPECT(!has_column(s, "note", 1), "note (3 customers) should be in the map");
    EXPECT(!has_column(s, "vip", 1), "vip (8 customers) should be in the map");
    /* lang: 100 + 200 of 2300, above an eighth: its column stays */
    EXPECT(has_column(s, "lang", NCUST + NNEW), "lang should keep its column");
    ck_assert_uint_eq(s->attrs.map.count, 3 + 5 + 3);
    ck_assert_uint_eq(s->attrs.count, ref->attrs.count);
    free(before);
    cx_import_options_free(o);
    cx_store_free(s);
    cx_store_free(ref);
    tmpdir_teardown();
}
END_TEST

/* A column whose name fewer than an eighth of the customers keep goes
 * back to the map: the values stay. */
START_TEST(sparse_column_returns_to_map)
{
    cx_store *s = attr_store();
    char id[16];
    EXPECT(has_column(s, "lang", NCUST), "lang should be a column");
    /* remove lang from all but 30 of its 100: 30 < ATTRS_COLUMN_MIN / 2 */
    int kept = 0;
    for (int i = 0; i < NCUST; i += 3) {
        cid(id, sizeof id, i);
        if (kept < 30) {
            kept++;
            continue;
        }
        OK(cx_customer_set_attribute(s, id, "lang", NULL));
    }
    EXPECT(!has_column(s, "lang", 1), "lang (30 customers) should be back in the map");
    ck_assert_uint_eq(s->attrs.nmap[name_id(s, "lang")], 30);
    const char *v;
    for (int i = 0; i < NCUST; i += 3) {
        cid(id, sizeof id, i);
        OK(cx_customer_get_attribute(&v, s, id, "lang"));
        if (i / 3 < 30)
            ck_assert_str_eq(v, i % 2 ? "ar" : "en");
        else
            ck_assert_ptr_null(v);
    }
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("attrs");
    TCase *tc = tcase_create("attrs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, common_names_become_columns);
    tcase_add_test(tc, import_settles_into_columns);
    tcase_add_test(tc, failed_import_restores_attributes);
    tcase_add_test(tc, clone_save_load_keep_attributes);
    tcase_add_test(tc, forget_keeps_the_others);
    tcase_add_test(tc, pseudonyms_by_name);
    tcase_add_test(tc, settle_out_of_memory_keeps_pairs);
    tcase_add_test(tc, import_columns_from_the_first_pair);
    tcase_add_test(tc, sparse_column_returns_to_map);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
