/*
 * The report's inline SVG charts (tools/cxkit_svg.c, compiled into this
 * test): escaping of hostile text and invalid UTF-8, numbers whatever the
 * value, the exact number of marks of every chart (NaN rows, zero counts,
 * nothing to draw), Sankey aggregation, RTL mirroring, truncation of long
 * Arabic labels on character boundaries, arguments, and well-formed XML
 * (a tag-balance check here, and Python's xml.etree when /usr/bin/python3
 * exists). The charts are also left in SVG_DEMO_DIR/svg-demo.html.
 */
#include "cx_test.h"

#include <ctype.h>

#include "cxkit_svg.h"

#ifndef SVG_DEMO_DIR
#define SVG_DEMO_DIR "."
#endif

static const svg_ctx LTR = {false, "No data", "small sample (n < 30)", "n", "Number at risk"};
static const svg_ctx RTL = {true, "\xd9\x84\xd8\xa7 \xd8\xa8\xd9\x8a\xd8\xa7\xd9\x86\xd8\xa7\xd8\xaa",
                            "\xd8\xb9\xd9\x8a\xd9\x86\xd8\xa9 \xd8\xb5\xd8\xba\xd9\x8a\xd8\xb1\xd8\xa9", "n",
                            "\xd8\xb9\xd8\xaf\xd8\xaf \xd8\xa7\xd9\x84\xd9\x85\xd8\xb9\xd8\xb1\xd8\xb6\xd9\x8a\xd9\x86"};

/* ---- helpers ----------------------------------------------------------- */

static size_t count_of(const char *s, const char *needle)
{
    size_t k = 0, n = strlen(needle);
    for (const char *p = strstr(s, needle); p; p = strstr(p + n, needle))
        k++;
    return k;
}

/* data-marks="K" of the root, and the elements of class mark */
static void expect_marks(const char *s, size_t want)
{
    char attr[64];
    snprintf(attr, sizeof attr, "data-marks=\"%zu\"", want);
    EXPECT(strstr(s, attr), "no %s in:\n%s", attr, s);
    size_t got = count_of(s, "class=\"mark");
    EXPECT(got == want, "%zu marks, expected %zu:\n%s", got, want, s);
}

/* A strict enough XML check: tags balance, attributes quoted, entities
 * known, no '<' or '&' loose in text, valid UTF-8 throughout. */
static void expect_well_formed(const char *s)
{
    const char *stack[64];
    size_t slen[64], depth = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; u[i];) {
        if (u[i] >= 0x80) { /* a valid UTF-8 sequence */
            size_t len = u[i] >= 0xF0 ? 4 : u[i] >= 0xE0 ? 3 : u[i] >= 0xC2 ? 2 : 0;
            EXPECT(len, "bad UTF-8 lead byte at %zu", i);
            for (size_t k = 1; k < len; k++)
                EXPECT((u[i + k] & 0xC0) == 0x80, "bad UTF-8 at %zu", i);
            i += len;
            continue;
        }
        if (u[i] < 0x20 && u[i] != '\n' && u[i] != '\t')
            ck_abort_msg("control character %d at %zu", u[i], i);
        if (s[i] == '&') {
            static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
            bool ok = false;
            for (size_t k = 0; k < 5; k++)
                ok |= strncmp(s + i, ent[k], strlen(ent[k])) == 0;
            EXPECT(ok, "loose & at %zu: %.20s", i, s + i);
            i++;
            continue;
        }
        if (s[i] != '<') {
            EXPECT(s[i] != '>', "loose > at %zu", i);
            i++;
            continue;
        }
        bool closing = s[i + 1] == '/';
        size_t a = i + 1 + closing, z = a;
        while (s[z] && (isalnum((unsigned char)s[z]) || s[z] == '-' || s[z] == ':'))
            z++;
        EXPECT(z > a, "a tag without a name at %zu: %.30s", i, s + i);
        size_t j = z;
        if (closing) {
            EXPECT(s[j] == '>', "bad end tag at %zu", i);
            EXPECT(depth > 0, "end tag without a start at %zu", i);
            depth--;
            EXPECT(slen[depth] == z - a && strncmp(stack[depth], s + a, z - a) == 0, "</%.*s> closes <%.*s>",
                   (int)(z - a), s + a, (int)slen[depth], stack[depth]);
            i = j + 1;
            continue;
        }
        /* attributes: name="value" with no < or raw & inside */
        for (;;) {
            while (s[j] == ' ' || s[j] == '\n')
                j++;
            if (s[j] == '>' || (s[j] == '/' && s[j + 1] == '>'))
                break;
            size_t n0 = j;
            while (isalnum((unsigned char)s[j]) || s[j] == '-' || s[j] == ':')
                j++;
            EXPECT(j > n0 && s[j] == '=' && s[j + 1] == '"', "bad attribute at %zu: %.40s", n0, s + n0);
            j += 2;
            while (s[j] && s[j] != '"') {
                EXPECT(s[j] != '<', "< in an attribute at %zu", j);
                j++;
            }
            EXPECT(s[j] == '"', "unterminated attribute");
            j++;
        }
        if (s[j] == '/') {
            i = j + 2;
            continue;
        }
        EXPECT(depth < 64, "too deep");
        stack[depth] = s + a;
        slen[depth++] = z - a;
        i = j + 1;
    }
    EXPECT(depth == 0, "%zu elements left open, the first <%.*s>", depth, (int)slen[0], stack[0]);
}

/* the number after `attr="` in the first element that has `marker` */
static double attr_after(const char *s, const char *marker, const char *attr)
{
    const char *p = strstr(s, marker);
    EXPECT(p, "no %s", marker);
    const char *start = p;
    while (start > s && *start != '<')
        start--;
    char key[32];
    snprintf(key, sizeof key, " %s=\"", attr);
    const char *q = strstr(start, key);
    const char *end = strchr(start, '>');
    EXPECT(q && q < end, "no %s in the element of %s", attr, marker);
    return strtod(q + strlen(key), NULL);
}

static int file_no;
static void dump(const char *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/svg-test-%ld-%d.svg", SVG_DEMO_DIR, (long)getpid(), file_no++);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(s, f);
        fclose(f);
    }
}

/* every chart the test makes: well-formed, no NaN or inf printed, dumped */
static void check_chart(const sbuf *b)
{
    EXPECT(!b->oom && b->p, "no output");
    expect_well_formed(b->p);
    EXPECT(!strstr(b->p, "nan") && !strstr(b->p, "inf") && !strstr(b->p, "NaN"), "nan/inf in:\n%s", b->p);
    EXPECT(strncmp(b->p, "<svg ", 5) == 0 && strstr(b->p, "style=\"direction:ltr"), "not an svg root:\n%s", b->p);
    EXPECT(strstr(b->p, "viewBox=\"0 0 640 ") && strstr(b->p, "width=\"100%\""), "no viewBox:\n%s", b->p);
    const char *dm = strstr(b->p, "data-marks=\"");
    EXPECT(dm, "no data-marks");
    size_t k = strtoul(dm + 12, NULL, 10);
    EXPECT(count_of(b->p, "class=\"mark") == k, "data-marks=%zu, %zu marks", k, count_of(b->p, "class=\"mark"));
    dump(b->p);
}

static char *esc(const char *s, size_t n)
{
    static char out[1024];
    sbuf b = {0};
    sb_esc(&b, s, n);
    EXPECT(!b.oom, "oom");
    snprintf(out, sizeof out, "%s", b.p ? b.p : "");
    sb_free(&b);
    return out;
}

static char *num(double v, int digits)
{
    static char out[128];
    sbuf b = {0};
    sb_num(&b, v, digits);
    snprintf(out, sizeof out, "%s", b.p ? b.p : "");
    sb_free(&b);
    return out;
}

#define STR_EQ(got, want)                                                                                          \
    do {                                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                                      \
        if (strcmp(g_, w_) != 0)                                                                                   \
            ck_abort_msg("%s = \"%s\", expected \"%s\"", #got, g_, w_);                                            \
    } while (0)

#define FFFD "\xEF\xBF\xBD"

/* ---- the buffer, escaping, numbers -------------------------------------- */

START_TEST(buffer)
{
    sbuf b = {0};
    for (int i = 0; i < 1000; i++)
        sb_printf(&b, "%d,", i);
    EXPECT(b.len == strlen(b.p) && strncmp(b.p, "0,1,2,", 6) == 0 && strstr(b.p, ",999,"), "printf");
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    size_t before = b.len;
    sb_printf(&b, "[%s]", big); /* longer than the stack buffer */
    EXPECT(b.len == before + 1001 && b.p[b.len - 1] == ']', "long printf");
    /* once out of memory, writes do nothing and charts fail */
    b.oom = true;
    before = b.len;
    sb_puts(&b, "more");
    sb_esc(&b, "<x>", (size_t)-1);
    sb_num(&b, 1, 1);
    double v = 1;
    const char *lab = "a";
    EXPECT(svg_hbars(&b, &LTR, "x", "t", &lab, &v, NULL, NULL, NULL, NULL, 1, 0, NULL) == -1, "oom chart");
    EXPECT(b.len == before, "written while oom");
    sb_free(&b);
    EXPECT(!b.p && !b.len && !b.oom, "free");
    sb_free(&b);
    sb_free(NULL);
}
END_TEST

START_TEST(escaping)
{
    STR_EQ(esc("<script>alert('x')</script>", (size_t)-1), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    STR_EQ(esc("a\"b & c", (size_t)-1), "a&quot;b &amp; c");
    STR_EQ(esc("<![CDATA[x]]>", (size_t)-1), "&lt;![CDATA[x]]&gt;");
    STR_EQ(esc("=HYPERLINK(\"http://x\")", (size_t)-1), "=HYPERLINK(&quot;http://x&quot;)");
    /* invalid UTF-8: a U+FFFD per bad byte */
    STR_EQ(esc("a\xff" "b", (size_t)-1), "a" FFFD "b");
    STR_EQ(esc("\xC0\x80", (size_t)-1), FFFD FFFD);         /* overlong NUL */
    STR_EQ(esc("\xED\xA0\x80", (size_t)-1), FFFD FFFD FFFD); /* a surrogate */
    STR_EQ(esc("\xF4\x90\x80\x80", (size_t)-1), FFFD FFFD FFFD FFFD); /* above U+10FFFF */
    STR_EQ(esc("x\xE2\x82", (size_t)-1), "x" FFFD FFFD);    /* cut short */
    STR_EQ(esc("\xEF\xBF\xBF", (size_t)-1), FFFD);          /* U+FFFF is no XML character */
    /* valid text stays */
    STR_EQ(esc("\xd8\xb9\xd9\x85\xd9\x8a\xd9\x84 \xe2\x82\xac \xf0\x9f\x98\x80", (size_t)-1),
           "\xd8\xb9\xd9\x85\xd9\x8a\xd9\x84 \xe2\x82\xac \xf0\x9f\x98\x80");
    /* control characters dropped, tab and newline kept, C1 dropped */
    STR_EQ(esc("\x01" "a\tb\nc\x1b[31m\x7f\xc2\x85" "d", (size_t)-1), "a\tb\nc[31md");
    /* an explicit length: an embedded NUL is dropped, the rest is read */
    STR_EQ(esc("a\0b<", 3), "ab");
    STR_EQ(esc("abc", 0), "");
}
END_TEST

START_TEST(numbers)
{
    STR_EQ(num(-0.0, 1), "0.0");
    STR_EQ(num(-0.04, 1), "0.0");
    STR_EQ(num(-0.4, 0), "0");
    STR_EQ(num(-0.06, 1), "-0.1");
    STR_EQ(num(0, 0), "0");
    STR_EQ(num(12, 2), "12.00");
    STR_EQ(num(3.14159, 3), "3.142");
    STR_EQ(num(-42.5, 1), "-42.5");
    STR_EQ(num(NAN, 1), "\xE2\x80\x93");
    STR_EQ(num(INFINITY, 1), "\xE2\x80\x93");
    STR_EQ(num(-INFINITY, 0), "\xE2\x80\x93");
    STR_EQ(num(1e300, 1), "1.0e+300");
    STR_EQ(num(-1e300, 0), "-1e+300");
    STR_EQ(num(123456789012345.0, 0), "123456789012345");
    STR_EQ(num(5, -3), "5");
}
END_TEST

/* ---- mark counts ------------------------------------------------------- */

START_TEST(hbars_marks)
{
    const char *labels[] = {"Promoters", "Passives", "Detractors", "unknown", "Web"};
    double v[] = {42.5, NAN, -12.25, 0, 1e6};
    double lo[] = {40, NAN, -15, NAN, 9e5}, hi[] = {45, NAN, -10, NAN, 1.1e6};
    double n[] = {120, 3, 25, NAN, 10};
    unsigned char small[] = {0, 1, 1, 0, 1};
    sbuf b = {0};
    EXPECT(svg_hbars(&b, &LTR, "nps", "NPS by channel", labels, v, lo, hi, n, small, 5, 1, "%") == 0, "hbars");
    check_chart(&b);
    expect_marks(b.p, 4);
    EXPECT(count_of(b.p, "class=\"mark small\"") == 2, "small marks");
    EXPECT(strstr(b.p, "small sample (n &lt; 30)"), "no small legend");
    EXPECT(strstr(b.p, "<title>Promoters: 42.5%, n=120</title>"), "title:\n%s", b.p);
    EXPECT(strstr(b.p, "<title>unknown: 0.0%</title>"), "title without n");
    EXPECT(strstr(b.p, ">\xE2\x80\x93</text>"), "the NaN row's dash");
    EXPECT(strstr(b.p, ">Passives<title>"), "the NaN row's label");
    EXPECT(count_of(b.p, "class=\"whisker\"") == 3, "whiskers");
    EXPECT(strstr(b.p, "stroke=\"#888\""), "a zero line");
    sb_free(&b);

    /* nothing to draw */
    double nans[] = {NAN, NAN};
    EXPECT(svg_hbars(&b, &LTR, "e", "Empty", labels, nans, NULL, NULL, NULL, NULL, 2, 1, NULL) == 0, "all NaN");
    check_chart(&b);
    expect_marks(b.p, 0);
    EXPECT(strstr(b.p, ">No data</text>"), "no_data text");
    sb_free(&b);
    EXPECT(svg_hbars(&b, &LTR, "e", "Empty", NULL, NULL, NULL, NULL, NULL, NULL, 0, 1, NULL) == 0, "count 0");
    expect_marks(b.p, 0);
    sb_free(&b);

    /* all equal, a single bar, huge values */
    double same[] = {7, 7, 7}, huge[] = {1e300, -1e300, 1e300};
    EXPECT(svg_hbars(&b, &LTR, "s", "Same", labels, same, NULL, NULL, NULL, NULL, 3, 0, NULL) == 0, "same");
    check_chart(&b);
    expect_marks(b.p, 3);
    sb_free(&b);
    EXPECT(svg_hbars(&b, &LTR, "h", "Huge", labels, huge, NULL, NULL, NULL, NULL, 3, 0, NULL) == 0, "huge");
    check_chart(&b);
    expect_marks(b.p, 3);
    sb_free(&b);
    EXPECT(svg_hbars(&b, &LTR, "z", "Zeros", labels, (double[]){0}, NULL, NULL, NULL, NULL, 1, 0, NULL) == 0, "0");
    check_chart(&b);
    expect_marks(b.p, 1);
    sb_free(&b);
}
END_TEST

START_TEST(other_marks)
{
    sbuf b = {0};
    /* grouped bars: 3 categories x 2 series, one NaN */
    const char *cats[] = {"Email", "Phone", "Chat"}, *series[] = {"2024", "2025"};
    double gv[] = {10, 12, NAN, 8, -3, 0};
    EXPECT(svg_grouped_hbars(&b, &LTR, "g", "CSAT", cats, 3, series, 2, gv, 0) == 0, "grouped");
    check_chart(&b);
    expect_marks(b.p, 5);
    EXPECT(strstr(b.p, "<title>Chat \xE2\x80\x94 2025: 0</title>"), "grouped title:\n%s", b.p);
    sb_free(&b);
    double gnan[] = {NAN, NAN};
    EXPECT(svg_grouped_hbars(&b, &LTR, "g", "CSAT", cats, 1, series, 2, gnan, 0) == 0, "grouped NaN");
    expect_marks(b.p, 0);
    sb_free(&b);

    /* funnel: a zero step and a NaN step are marks too */
    const char *steps[] = {"Visit", "Cart", "Checkout", "Paid"};
    double fc[] = {1000, 250, 0, NAN};
    EXPECT(svg_funnel(&b, &LTR, "f", "Funnel", steps, fc, 4) == 0, "funnel");
    check_chart(&b);
    expect_marks(b.p, 4);
    EXPECT(strstr(b.p, "width=\"0\""), "a zero-width step");
    EXPECT(strstr(b.p, "250 \xC2\xB7 25.0% \xC2\xB7 \xE2\x86\x98" "25.0%"), "shares:\n%s", b.p);
    sb_free(&b);
    double fz[] = {0, 0};
    EXPECT(svg_funnel(&b, &LTR, "f", "Funnel", steps, fz, 2) == 0, "all-zero funnel");
    check_chart(&b);
    expect_marks(b.p, 2);
    sb_free(&b);
    EXPECT(svg_funnel(&b, &LTR, "f", "Funnel", NULL, NULL, 0) == 0, "empty funnel");
    expect_marks(b.p, 0);
    sb_free(&b);

    /* line with bands: 2 series, NaN points */
    const char *months[] = {"2025-01", "2025-02", "2025-03", "2025-04"};
    double y1[] = {0.5, NAN, 0.6, 0.55}, lo1[] = {0.4, NAN, 0.5, NAN}, hi1[] = {0.6, NAN, 0.7, NAN};
    double n1[] = {100, 0, 20, 40}, y2[] = {NAN, NAN, NAN, 0.2};
    unsigned char sm1[] = {0, 0, 1, 0};
    svg_series ss[] = {{"Retention", y1, lo1, hi1, n1, sm1}, {"Churn", y2, NULL, NULL, NULL, NULL}};
    EXPECT(svg_line_band(&b, &LTR, "l", "Monthly", months, 4, ss, 2, NAN, NAN, 2) == 0, "line");
    check_chart(&b);
    expect_marks(b.p, 4);
    EXPECT(count_of(b.p, "class=\"band\"") == 2, "two band pieces");
    EXPECT(strstr(b.p, "small sample"), "small legend");
    sb_free(&b);
    double one[] = {3};
    svg_series s1 = {"x", one, NULL, NULL, NULL, NULL};
    EXPECT(svg_line_band(&b, &LTR, "l", "One", months, 1, &s1, 1, NAN, NAN, 0) == 0, "single point");
    check_chart(&b);
    expect_marks(b.p, 1);
    sb_free(&b);
    EXPECT(svg_line_band(&b, &LTR, "l", "Fixed", months, 1, &s1, 1, 0, 10, 0) == 0, "fixed range");
    check_chart(&b);
    sb_free(&b);
    svg_series s0 = {"x", y2, NULL, NULL, NULL, NULL};
    EXPECT(svg_line_band(&b, &LTR, "l", "None", months, 3, &s0, 1, NAN, NAN, 0) == 0, "no point");
    expect_marks(b.p, 0);
    sb_free(&b);

    /* heatmap: 2 x 3 with a NaN cell */
    const char *rows[] = {"2025-01", "2025-02"}, *cols[] = {"M0", "M1", "M2"};
    double hv[] = {1, 0.5, 0.25, 1, 0.6, NAN}, rn[] = {200, 15};
    EXPECT(svg_heatmap(&b, &LTR, "h", "Cohorts", rows, 2, cols, 3, hv, rn, 0, 100, "%") == 0, "heatmap");
    check_chart(&b);
    expect_marks(b.p, 5);
    EXPECT(strstr(b.p, "<title>2025-01 \xE2\x80\x94 M1: 50%, n=200</title>"), "cell title:\n%s", b.p);
    sb_free(&b);
    double hz[] = {0, 0};
    EXPECT(svg_heatmap(&b, &LTR, "h", "Zero", rows, 1, cols, 2, hz, NULL, 0, 1, NULL) == 0, "zero heatmap");
    check_chart(&b);
    expect_marks(b.p, 2);
    sb_free(&b);

    /* step curves: 3 curves (one empty, one small) */
    double t1[] = {1, 3, 7}, s1v[] = {0.9, 0.7, 0.5}, l1[] = {0.85, 0.6, 0.4}, h1[] = {0.95, 0.8, 0.6};
    double t2[] = {2, 5}, s2[] = {0.8, 0.3};
    svg_curve cv[] = {{"Email", t1, s1v, l1, h1, 3, 150, false, NULL},
                      {"Chat", t2, s2, NULL, NULL, 2, 12, true, NULL},
                      {"None yet", NULL, NULL, NULL, NULL, 0, 0, false, NULL}};
    EXPECT(svg_steps(&b, &LTR, "k", "Time to churn", "days", cv, 3) == 0, "steps");
    check_chart(&b);
    expect_marks(b.p, 3);
    EXPECT(count_of(b.p, "class=\"mark small\"") == 1, "small curve");
    EXPECT(count_of(b.p, "class=\"band\"") == 1, "band");
    EXPECT(strstr(b.p, ">days</text>"), "x label");
    EXPECT(strstr(b.p, ">100%</text>") && strstr(b.p, ">0%</text>"), "y axis in %%");
    EXPECT(strstr(b.p, "n=150"), "subjects");
    sb_free(&b);
    EXPECT(svg_steps(&b, &LTR, "k", "None", "days", NULL, 0) == 0, "no curves");
    expect_marks(b.p, 0);
    sb_free(&b);
}
END_TEST

START_TEST(sankey)
{
    const char *p1[] = {"Web", "Cart", "Paid"}, *p2[] = {"Web", "Cart", "Left"}, *p3[] = {"Web", "Call"},
               *p4[] = {"Cart"}, *p5[] = {"Zed"}, *p6[] = {"Web", "Cart"};
    svg_flow f[] = {{p1, 3, 10}, {p2, 3, 5}, {p3, 2, 3}, {p4, 1, 2}, {p1, 3, 1},
                    {p5, 1, 0}, {p5, 1, NAN}, {p6, 2, 4}};
    sbuf b = {0};
    EXPECT(svg_sankey(&b, &LTR, "s", "Journeys", f, 8) == 0, "sankey");
    check_chart(&b);
    /* nodes: (0 Web) (0 Cart) (1 Cart) (1 Call) (2 Paid) (2 Left); links: Web>Cart Web>Call Cart>Paid Cart>Left */
    expect_marks(b.p, 10);
    EXPECT(strstr(b.p, "data-nodes=\"6\" data-links=\"4\""), "data-nodes/links:\n%s", b.p);
    EXPECT(count_of(b.p, "class=\"mark node\"") == 6 && count_of(b.p, "class=\"mark link\"") == 4, "classes");
    EXPECT(strstr(b.p, "<title>Web: 23</title>"), "Web aggregated");
    EXPECT(strstr(b.p, "<title>Cart \xE2\x86\x92 Paid: 11</title>"), "link aggregated");
    EXPECT(strstr(b.p, "<title>Web \xE2\x86\x92 Cart: 20</title>"), "link aggregated");
    EXPECT(!strstr(b.p, "Zed"), "a path of count 0 drawn");
    sb_free(&b);
    /* single-step paths only: nodes, no links */
    svg_flow g[] = {{p4, 1, 2}, {p4, 1, 3}, {p5, 1, 1}};
    EXPECT(svg_sankey(&b, &RTL, "s", "Single", g, 3) == 0, "single steps");
    check_chart(&b);
    expect_marks(b.p, 2);
    EXPECT(strstr(b.p, "data-nodes=\"2\" data-links=\"0\""), "single");
    sb_free(&b);
    EXPECT(svg_sankey(&b, &LTR, "s", "None", f + 5, 2) == 0, "nothing");
    expect_marks(b.p, 0);
    sb_free(&b);
    /* many paths: every position and step of 7 names, counts checked against the data */
    static const char *names[] = {"A", "B", "C", "D", "E", "F", "G"};
    enum { NP = 600, LEN = 6 };
    static const char *st[NP][LEN];
    static svg_flow many[NP];
    unsigned seed = 12;
    unsigned char seen_node[LEN][7] = {{0}}, seen_link[LEN][7][7] = {{{0}}};
    size_t want_nodes = 0, want_links = 0;
    for (size_t p = 0; p < NP; p++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = 1 + (seed >> 16) % LEN, prev = 0;
        for (size_t k = 0; k < len; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t c = (seed >> 16) % 7;
            st[p][k] = names[c];
            if (!seen_node[k][c]) {
                seen_node[k][c] = 1;
                want_nodes++;
            }
            if (k && !seen_link[k][prev][c]) {
                seen_link[k][prev][c] = 1;
                want_links++;
            }
            prev = c;
        }
        many[p] = (svg_flow){st[p], len, 1 + (double)(p % 5)};
    }
    EXPECT(svg_sankey(&b, &LTR, "m", "Many", many, NP) == 0, "many");
    check_chart(&b);
    char attrs[80];
    snprintf(attrs, sizeof attrs, "data-nodes=\"%zu\" data-links=\"%zu\"", want_nodes, want_links);
    EXPECT(strstr(b.p, attrs), "expected %s", attrs);
    sb_free(&b);
    /* a NULL step is refused, nothing written */
    const char *bad[] = {"Web", NULL};
    svg_flow h = {bad, 2, 1};
    EXPECT(svg_sankey(&b, &LTR, "s", "Bad", &h, 1) == -1 && b.len == 0, "NULL step");
}
END_TEST

/* ---- RTL, truncation, hostile text, arguments --------------------------- */

START_TEST(rtl_mirrors)
{
    const char *labels[] = {"Email"};
    double v[] = {10};
    sbuf a = {0}, r = {0};
    EXPECT(svg_hbars(&a, &LTR, "b", "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == 0, "ltr");
    EXPECT(svg_hbars(&r, &RTL, "b", "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == 0, "rtl");
    check_chart(&r);
    double la = attr_after(a.p, "class=\"label\"", "x"), ra = attr_after(r.p, "class=\"label\"", "x");
    double ba = attr_after(a.p, "class=\"mark\"", "x"), br = attr_after(r.p, "class=\"mark\"", "x");
    double bw = attr_after(a.p, "class=\"mark\"", "width");
    EXPECT(la < ba && ra > br, "labels: ltr %g (bar %g), rtl %g (bar %g)", la, ba, ra, br);
    NEAR(ra, 640 - la, 0.05);
    NEAR(br, 640 - ba - bw, 0.05); /* the bar grows leftwards from the mirrored zero */
    EXPECT(strstr(a.p, "class=\"label\" x=\"184\" y=\"21\" dy=\"0.35em\" text-anchor=\"end\""), "ltr anchor");
    EXPECT(strstr(r.p, "class=\"label\" x=\"456\" y=\"21\" dy=\"0.35em\" text-anchor=\"start\""), "rtl anchor");
    /* the value label: after the bar's end in LTR, before it in RTL */
    double va = attr_after(a.p, "class=\"value\"", "x"), vr = attr_after(r.p, "class=\"value\"", "x");
    EXPECT(va > ba + bw && vr < br, "value labels %g %g", va, vr);
    sb_free(&a);
    sb_free(&r);

    /* a line chart: the first month on the left in LTR, on the right in RTL */
    const char *months[] = {"2025-01", "2025-02"};
    double y[] = {1, 2};
    svg_series s = {"s", y, NULL, NULL, NULL, NULL};
    EXPECT(svg_line_band(&a, &LTR, "l", "t", months, 2, &s, 1, NAN, NAN, 0) == 0, "ltr line");
    EXPECT(svg_line_band(&r, &RTL, "l", "t", months, 2, &s, 1, NAN, NAN, 0) == 0, "rtl line");
    double ca = attr_after(a.p, "class=\"mark\"", "cx"), cr = attr_after(r.p, "class=\"mark\"", "cx");
    EXPECT(ca < 320 && cr > 320, "time direction %g %g", ca, cr);
    NEAR(cr, 640 - ca, 0.05);
    sb_free(&a);
    sb_free(&r);

    /* Sankey: the first column on the right in RTL */
    const char *p[] = {"A", "B"};
    svg_flow f = {p, 2, 5};
    EXPECT(svg_sankey(&a, &LTR, "s", "t", &f, 1) == 0 && svg_sankey(&r, &RTL, "s", "t", &f, 1) == 0, "sankey");
    double na = attr_after(a.p, "class=\"mark node\"", "x"), nr = attr_after(r.p, "class=\"mark node\"", "x");
    EXPECT(na < 320 && nr > 320, "sankey direction %g %g", na, nr);
    sb_free(&a);
    sb_free(&r);
}
END_TEST

START_TEST(truncation)
{
    /* 40 Arabic letters (2 bytes each): 27 letters and an ellipsis shown */
    char label[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(label, i % 2 ? "\xd8\xb9" : "\xd9\x84");
    const char *labels[] = {label};
    double v[] = {1};
    sbuf b = {0};
    EXPECT(svg_hbars(&b, &RTL, "t", "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == 0, "hbars");
    check_chart(&b);
    /* isolated (FSI ... PDI) so that the ellipsis ends the right-to-left text */
    char want[300] = "\xE2\x81\xA8";
    memcpy(want + 3, label, 54);
    strcpy(want + 57, "\xE2\x80\xA6\xE2\x81\xA9<title>");
    EXPECT(strstr(b.p, want), "no cut label in:\n%s", b.p);
    snprintf(want, sizeof want, "<title>%s: 1</title>", label);
    EXPECT(strstr(b.p, want), "the whole label in the mark's title");
    sb_free(&b);
    /* exactly 28 code points: not cut; a 3-byte character at the cut is kept whole */
    char l28[200] = "";
    for (int i = 0; i < 28; i++)
        strcat(l28, "\xe2\x82\xac");
    labels[0] = l28;
    EXPECT(svg_hbars(&b, &LTR, "t", "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == 0, "hbars");
    snprintf(want, sizeof want, ">%s<title>", l28);
    EXPECT(strstr(b.p, want) && !strstr(b.p, "\xE2\x80\xA6"), "28 cut");
    sb_free(&b);
    strcat(l28, "x");
    EXPECT(svg_hbars(&b, &LTR, "t", "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == 0, "hbars");
    check_chart(&b);
    memcpy(want, ">", 1);
    memcpy(want + 1, l28, 27 * 3);
    strcpy(want + 1 + 81, "\xE2\x80\xA6<title>");
    EXPECT(strstr(b.p, want), "29 not cut at 27 + ellipsis:\n%s", b.p);
    sb_free(&b);
}
END_TEST

/* an attribute of the <rect> whose <title> holds `marker` */
static double rect_attr(const char *s, const char *marker, const char *attr)
{
    const char *p = strstr(s, marker);
    EXPECT(p, "no %s", marker);
    const char *r = NULL;
    for (const char *q = strstr(s, "<rect "); q && q < p; q = strstr(q + 1, "<rect "))
        r = q;
    EXPECT(r, "no <rect before %s", marker);
    return attr_after(r, "<rect ", attr);
}

/* the number at risk under the curves, and the lifecycle's stacked bars */
START_TEST(risk_and_stacks)
{
    sbuf b = {0};
    /* steps at 0, 10, 25, 60 with 100, 80, 50, 10 at risk just before; the
     * x ticks are 0, 20, 40, 60: at risk 100, 50, 10, 10 */
    double t[] = {0, 10, 25, 60}, s[] = {0.95, 0.8, 0.6, 0.3}, r[] = {100, 80, 50, 10};
    double t2[] = {5}, s2[] = {0.5}, r2[] = {7};
    svg_curve cv[] = {{"A", t, s, NULL, NULL, 4, 100, false, r}, {"B", t2, s2, NULL, NULL, 1, 7, true, r2}};
    EXPECT(svg_steps(&b, &LTR, "k", "KM", "days", cv, 2) == 0, "steps");
    check_chart(&b);
    expect_marks(b.p, 2);
    EXPECT(strstr(b.p, ">Number at risk</text>"), "heading:\n%s", b.p);
    EXPECT(count_of(b.p, "class=\"risk\"") == 8, "two rows of four ticks:\n%s", b.p);
    EXPECT(strstr(b.p, "data-g=\"0\" data-t=\"0\"") && strstr(b.p, "data-g=\"1\" data-t=\"60\""), "ticks:\n%s", b.p);
    const char *want[] = {"data-g=\"0\" data-t=\"0\"", ">100</text>", "data-g=\"0\" data-t=\"20\"", ">50</text>",
                          "data-g=\"0\" data-t=\"40\"", ">10</text>", "data-g=\"0\" data-t=\"60\"", ">10</text>",
                          "data-g=\"1\" data-t=\"0\"", ">7</text>", "data-g=\"1\" data-t=\"20\"", ">0</text>"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i += 2) {
        const char *p = strstr(b.p, want[i]);
        EXPECT(p, "no %s", want[i]);
        const char *e = strstr(p, "</text>");
        EXPECT(e && strncmp(e - strlen(want[i + 1]) + 7, want[i + 1], strlen(want[i + 1])) == 0, "%s: %.80s",
               want[i], p);
    }
    /* mirrored in RTL: the tick 0 on the right */
    double x_ltr = attr_after(b.p, "data-g=\"0\" data-t=\"0\"", "x");
    sb_free(&b);
    EXPECT(svg_steps(&b, &RTL, "k", "KM", "days", cv, 2) == 0, "steps rtl");
    check_chart(&b);
    double x_rtl = attr_after(b.p, "data-g=\"0\" data-t=\"0\"", "x");
    EXPECT(x_ltr < 100 && x_rtl > 540, "tick 0 at %g (ltr), %g (rtl)", x_ltr, x_rtl);
    sb_free(&b);
    /* a Latin name holding a right-to-left override is isolated in the
     * legend (FSI ... PDI): the override ends with it */
    svg_curve rlo[] = {{"ab\xE2\x80\xAE" "cd", t, s, NULL, NULL, 4, 100, false, NULL}};
    EXPECT(svg_steps(&b, &LTR, "k", "KM", "days", rlo, 1) == 0, "steps");
    EXPECT(strstr(b.p, "\xE2\x81\xA8" "ab\xE2\x80\xAE" "cd\xE2\x81\xA9"), "not isolated:\n%s", b.p);
    sb_free(&b);
    /* without at_risk: no rows */
    cv[0].at_risk = cv[1].at_risk = NULL;
    EXPECT(svg_steps(&b, &LTR, "k", "KM", "days", cv, 2) == 0, "steps");
    EXPECT(!strstr(b.p, "class=\"risk\"") && !strstr(b.p, "Number at risk"), "no rows:\n%s", b.p);
    sb_free(&b);

    /* stacked bars: 3 periods, 3 series up and 1 down; zeros draw nothing */
    const char *x[] = {"2025-01", "2025-02", "2025-03"}, *names[] = {"new", "returning", "resurrecting", "dormant"};
    double v[] = {10, 8, 6, /* new */ 0, 5, 4, /* returning */ 0, 2, NAN, /* resurrecting */ 0, 5, 9 /* dormant */};
    unsigned char below[] = {0, 0, 0, 1};
    EXPECT(svg_stacked_bars(&b, &LTR, "life", "Lifecycle", x, 3, names, below, 4, v) == 0, "stacked");
    check_chart(&b);
    expect_marks(b.p, 8);
    EXPECT(strstr(b.p, "<title>2025-03 \xE2\x80\x94 dormant: 9</title>"), "title:\n%s", b.p);
    /* the dormant bar hangs below the zero line, the others stand on it */
    double y_new = rect_attr(b.p, "2025-01 \xE2\x80\x94 new:", "y"), h_new = rect_attr(b.p, "2025-01 \xE2\x80\x94 new:", "height");
    double y_dorm = rect_attr(b.p, "2025-02 \xE2\x80\x94 dormant:", "y");
    EXPECT(y_dorm >= y_new + h_new - 0.11, "dormant at %g, new from %g to %g", y_dorm, y_new, y_new + h_new);
    /* the axis labels counts without a minus sign */
    EXPECT(!strstr(b.p, ">-"), "a negative label:\n%s", b.p);
    sb_free(&b);
    double z[] = {0, 0, 0};
    EXPECT(svg_stacked_bars(&b, &LTR, "life", "Lifecycle", x, 3, names, below, 1, z) == 0, "empty");
    expect_marks(b.p, 0);
    sb_free(&b);
    EXPECT(svg_stacked_bars(&b, &LTR, "life", "t", x, 3, NULL, below, 1, z) == -1, "no names");
    sb_free(&b);
}
END_TEST

START_TEST(hostile)
{
    const char *evil = "<script>alert(\"x\")</script>]]>&'\x01\xff";
    const char *labels[] = {evil, evil};
    double v[] = {1, 2};
    const char *series[] = {evil};
    svg_series ss = {evil, v, NULL, NULL, NULL, NULL};
    const char *steps[] = {evil, "ok"};
    svg_flow f = {steps, 2, 3};
    svg_curve c = {evil, v, v, NULL, NULL, 1, 5, true, v};
    svg_ctx ctx = {false, evil, evil, evil, evil};
    sbuf b = {0};
    unsigned char below[] = {1};
    for (int k = 0; k < 9; k++) {
        int rc = k == 8   ? svg_stacked_bars(&b, &ctx, evil, evil, labels, 2, series, below, 1, v)
                 : k == 0 ? svg_hbars(&b, &ctx, evil, evil, labels, v, NULL, NULL, v, (unsigned char[]){1, 1}, 2, 0, evil)
                 : k == 1 ? svg_grouped_hbars(&b, &ctx, evil, evil, labels, 2, series, 1, v, 0)
                 : k == 2 ? svg_funnel(&b, &ctx, evil, evil, labels, v, 2)
                 : k == 3 ? svg_line_band(&b, &ctx, evil, evil, labels, 2, &ss, 1, NAN, NAN, 0)
                 : k == 4 ? svg_sankey(&b, &ctx, evil, evil, &f, 1)
                 : k == 5 ? svg_heatmap(&b, &ctx, evil, evil, labels, 1, labels, 2, v, v, 0, 1, evil)
                 : k == 6 ? svg_steps(&b, &ctx, evil, evil, evil, &c, 1)
                          : svg_hbars(&b, &ctx, evil, evil, labels, (double[]){NAN}, NULL, NULL, NULL, NULL, 1, 0, evil);
        EXPECT(rc == 0, "chart %d", k);
        check_chart(&b);
        EXPECT(!strstr(b.p, "<script") && !strstr(b.p, "]]>") && strstr(b.p, "&lt;script&gt;"), "chart %d:\n%s", k,
               b.p);
        sb_free(&b);
    }
}
END_TEST

START_TEST(arguments)
{
    const char *labels[] = {"a"};
    double v[] = {1};
    sbuf b = {0};
    EXPECT(svg_hbars(NULL, &LTR, "x", "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == -1, "NULL b");
    EXPECT(svg_hbars(&b, NULL, "x", "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == -1, "NULL ctx");
    EXPECT(svg_hbars(&b, &LTR, NULL, "t", labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == -1, "NULL id");
    EXPECT(svg_hbars(&b, &LTR, "x", NULL, labels, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == -1, "NULL title");
    EXPECT(svg_hbars(&b, &LTR, "x", "t", NULL, v, NULL, NULL, NULL, NULL, 1, 0, NULL) == -1, "NULL labels");
    EXPECT(svg_hbars(&b, &LTR, "x", "t", labels, NULL, NULL, NULL, NULL, NULL, 1, 0, NULL) == -1, "NULL v");
    EXPECT(svg_grouped_hbars(&b, &LTR, "x", "t", labels, 1, labels, 1, NULL, 0) == -1, "grouped");
    EXPECT(svg_funnel(&b, &LTR, "x", "t", labels, NULL, 1) == -1, "funnel");
    svg_series s = {"s", NULL, NULL, NULL, NULL, NULL};
    EXPECT(svg_line_band(&b, &LTR, "x", "t", labels, 1, &s, 1, NAN, NAN, 0) == -1, "line");
    EXPECT(svg_line_band(&b, &LTR, "x", "t", labels, 1, NULL, 1, NAN, NAN, 0) == -1, "line");
    EXPECT(svg_heatmap(&b, &LTR, "x", "t", labels, 1, NULL, 1, v, NULL, 0, 1, NULL) == -1, "heatmap");
    svg_curve c = {"c", NULL, v, NULL, NULL, 1, 1, false, NULL};
    EXPECT(svg_steps(&b, &LTR, "x", "t", "d", &c, 1) == -1, "steps");
    EXPECT(svg_sankey(&b, &LTR, "x", "t", NULL, 1) == -1, "sankey");
    EXPECT(b.len == 0 && !b.oom, "written on failure");
    sb_free(&b);
}
END_TEST

/* ---- the demo page, and Python's parser -------------------------------- */

static void demo_charts(sbuf *page, const svg_ctx *ctx, bool ar)
{
    const char *ch_en[] = {"Email", "Phone", "Live chat", "Social media (Twitter, Facebook and Instagram)", "Store"};
    const char *ch_ar[] = {"\xd8\xa7\xd9\x84\xd8\xa8\xd8\xb1\xd9\x8a\xd8\xaf", "\xd8\xa7\xd9\x84\xd9\x87\xd8\xa7\xd8\xaa\xd9\x81",
                           "\xd8\xa7\xd9\x84\xd8\xaf\xd8\xb1\xd8\xaf\xd8\xb4\xd8\xa9",
                           "\xd9\x88\xd8\xb3\xd8\xa7\xd8\xa6\xd9\x84 \xd8\xa7\xd9\x84\xd8\xaa\xd9\x88\xd8\xa7\xd8\xb5\xd9\x84 "
                           "\xd8\xa7\xd9\x84\xd8\xa7\xd8\xac\xd8\xaa\xd9\x85\xd8\xa7\xd8\xb9\xd9\x8a \xd9\x88\xd8\xa7\xd9\x84"
                           "\xd8\xb4\xd8\xa8\xd9\x83\xd8\xa7\xd8\xaa \xd8\xa7\xd9\x84\xd8\xa3\xd8\xae\xd8\xb1\xd9\x89",
                           "\xd8\xa7\xd9\x84\xd9\x85\xd8\xaa\xd8\xac\xd8\xb1"};
    const char *const *ch = ar ? ch_ar : ch_en;
    double nps[] = {42.3, -12.5, 8, NAN, 65}, lo[] = {35, -20, -2, NAN, 50}, hi[] = {49, -5, 18, NAN, 80};
    double n[] = {320, 150, 90, 4, 18};
    unsigned char small[] = {0, 0, 0, 1, 1};
    svg_hbars(page, ctx, "nps", "NPS by channel", ch, nps, lo, hi, n, small, 5, 1, NULL);
    const char *series[] = {"2024", "2025", ar ? "\xd8\xa7\xd9\x84\xd9\x87\xd8\xaf\xd9\x81" : "Target"};
    double gv[] = {78, 81, 85, 70, 66, 80, 88, 90, 85, 60, NAN, 80, 72, 75, 80};
    svg_grouped_hbars(page, ctx, "csat", "CSAT by channel", ch, 5, series, 3, gv, 0);
    const char *steps[] = {"Visit", "Product page", "Cart", "Checkout", "Paid"};
    double fc[] = {12000, 5400, 1300, 800, 610};
    svg_funnel(page, ctx, "funnel", "Funnel", steps, fc, 5);
    const char *months[] = {"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
                            "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"};
    double y1[12], l1[12], h1[12], y2[12], n1[12];
    unsigned char sm[12] = {0};
    for (int i = 0; i < 12; i++) {
        y1[i] = 30 + 10 * sin(i / 2.0);
        l1[i] = y1[i] - 6;
        h1[i] = y1[i] + 6;
        y2[i] = i == 4 ? NAN : 20 + i;
        n1[i] = 100 + i;
    }
    sm[11] = 1;
    svg_series ss[] = {{"NPS", y1, l1, h1, n1, sm}, {ar ? ch_ar[0] : "CSAT", y2, NULL, NULL, NULL, NULL}};
    svg_line_band(page, ctx, "trend", "Monthly NPS", months, 12, ss, 2, NAN, NAN, 1);
    const char *a1[] = {"Web", "Search", "Product", "Cart", "Paid"}, *a2[] = {"Web", "Search", "Leave"},
               *a3[] = {"Email", "Product", "Cart", "Paid"}, *a4[] = {"Email", "Product", "Leave"},
               *a5[] = {"Web", "Product", "Cart", "Leave"}, *a6[] = {"Call"};
    svg_flow f[] = {{a1, 5, 120}, {a2, 3, 300}, {a3, 4, 80}, {a4, 3, 150}, {a5, 4, 60}, {a6, 1, 40}};
    svg_sankey(page, ctx, "flow", "Journeys", f, 6);
    const char *rows[] = {"2025-01", "2025-02", "2025-03", "2025-04"}, *cols[] = {"M0", "M1", "M2", "M3", "M4", "M5"};
    double hv[24], rn[] = {420, 380, 25, 310};
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 6; c++)
            hv[r * 6 + c] = c + r > 6 ? NAN : pow(0.8, c) - 0.02 * r;
    svg_heatmap(page, ctx, "cohorts", "Retention by cohort", rows, 4, cols, 6, hv, rn, 0, 100, "%");
    double t1[] = {5, 12, 30, 45, 90, 120}, s1[] = {0.95, 0.88, 0.75, 0.7, 0.52, 0.45};
    double lo1[] = {0.92, 0.84, 0.7, 0.64, 0.45, 0.37}, hi1[] = {0.98, 0.92, 0.8, 0.76, 0.59, 0.53};
    double t2[] = {10, 40, 100}, s2[] = {0.8, 0.5, 0.2};
    double r1[] = {540, 500, 420, 300, 220, 90}, r2[] = {14, 9, 4};
    svg_curve cv[] = {{ar ? ch_ar[0] : "Email", t1, s1, lo1, hi1, 6, 540, false, r1},
                      {ar ? ch_ar[2] : "Chat", t2, s2, NULL, NULL, 3, 14, true, r2}};
    svg_steps(page, ctx, "km", "Time to churn", ar ? "\xd8\xa3\xd9\x8a\xd8\xa7\xd9\x85" : "days", cv, 2);
    svg_hbars(page, ctx, "empty", "Nothing", ch, (double[]){NAN}, NULL, NULL, NULL, NULL, 1, 0, NULL);
    const char *per[] = {"2025-01", "2025-02", "2025-03", "2025-04"};
    const char *life_en[] = {"new", "returning", "resurrecting", "dormant"};
    const char *life_ar[] = {"\xd8\xac\xd8\xaf\xd8\xaf", "\xd8\xb9\xd8\xa7\xd8\xa6\xd8\xaf\xd9\x88\xd9\x86",
                             "\xd9\x85\xd8\xb3\xd8\xaa\xd8\xb9\xd8\xa7\xd8\xaf\xd9\x88\xd9\x86",
                             "\xd8\xae\xd8\xa7\xd9\x85\xd9\x84\xd9\x88\xd9\x86"};
    double lv[] = {80, 60, 70, 50, 0, 30, 35, 40, 0, 10, 12, 20, 0, 40, 45, 38};
    svg_stacked_bars(page, ctx, "lifecycle", "Lifecycle", per, 4, ar ? life_ar : life_en,
                     (const unsigned char[]){0, 0, 0, 1}, 4, lv);
}

START_TEST(demo_and_xml)
{
    sbuf page = {0};
    sb_puts(&page, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>svg demo</title>"
                   "<style>body{font-family:sans-serif;max-width:760px;margin:8px} section{display:grid;"
                   "grid-template-columns:1fr 1fr;gap:8px} div{border:1px solid #eee}</style></head><body>\n");
    sbuf l = {0}, r = {0};
    demo_charts(&l, &LTR, false);
    demo_charts(&r, &RTL, true);
    EXPECT(!l.oom && !r.oom, "oom");
    expect_well_formed(l.p);
    expect_well_formed(r.p);
    sb_puts(&page, "<div dir=\"ltr\">");
    sb_puts(&page, l.p);
    sb_puts(&page, "</div><div dir=\"rtl\" lang=\"ar\">");
    sb_puts(&page, r.p);
    sb_puts(&page, "</div></body></html>\n");
    char path[512];
    snprintf(path, sizeof path, "%s/svg-demo.html", SVG_DEMO_DIR);
    FILE *f = fopen(path, "wb");
    EXPECT(f, "cannot write %s", path);
    fputs(page.p, f);
    fclose(f);
    /* the same charts as one XML document each, for Python's parser */
    snprintf(path, sizeof path, "%s/svg-demo-ltr.xml", SVG_DEMO_DIR);
    f = fopen(path, "wb");
    fprintf(f, "<charts>%s</charts>", l.p);
    fclose(f);
    snprintf(path, sizeof path, "%s/svg-demo-rtl.xml", SVG_DEMO_DIR);
    f = fopen(path, "wb");
    fprintf(f, "<charts>%s</charts>", r.p);
    fclose(f);
    sb_free(&page);
    sb_free(&l);
    sb_free(&r);
    if (access("/usr/bin/python3", X_OK) == 0) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && /usr/bin/python3 -c 'import sys, glob, xml.etree.ElementTree as E\n"
                 "fs = sorted(glob.glob(\"svg-test-*.svg\")) + [\"svg-demo-ltr.xml\", \"svg-demo-rtl.xml\"]\n"
                 "for f in fs:\n"
                 "    r = E.parse(f).getroot()\n"
                 "    for s in r.iter(\"{http://www.w3.org/2000/svg}svg\"):\n"
                 "        k = sum(1 for e in s.iter() if \"mark\" in e.get(\"class\", \"\").split())\n"
                 "        assert k == int(s.get(\"data-marks\")), (f, k, s.get(\"data-marks\"))\n"
                 "print(len(fs), \"parsed\", file=sys.stderr)'",
                 SVG_DEMO_DIR);
        int rc = system(cmd);
        EXPECT(rc == 0, "xml.etree rejected a chart (see above), rc %d", rc);
    }
}
END_TEST

int main(void)
{
    /* the charts of an earlier run: each test (a child process) dumps its own */
    if (system("rm -f '" SVG_DEMO_DIR "'/svg-test-*.svg") != 0)
        fprintf(stderr, "cannot clear the charts of an earlier run\n");
    Suite *su = suite_create("svg");
    TCase *tc = tcase_create("charts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, buffer);
    tcase_add_test(tc, escaping);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, hbars_marks);
    tcase_add_test(tc, other_marks);
    tcase_add_test(tc, sankey);
    tcase_add_test(tc, rtl_mirrors);
    tcase_add_test(tc, truncation);
    tcase_add_test(tc, risk_and_stacks);
    tcase_add_test(tc, hostile);
    tcase_add_test(tc, arguments);
    tcase_add_test(tc, demo_and_xml);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
