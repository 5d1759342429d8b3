/*
 * gen-demo: writes seeded, synthetic customer-experience data as the CSV
 * files cx_import_csv() reads (customers, touchpoints, cases, interactions,
 * questions, feedback, transactions), for the shipped demo (examples/data/)
 * and for benchmarks (bench/import.sh).
 *
 * Usage: gen-demo [--seed S] [--customers N] [--scale-events N] OUT_DIR
 *
 * Each customer is simulated on their own: a journey through the stages
 * (awareness, consideration, purchase, onboarding, retention, advocacy) with
 * drop-outs, repeat orders, deliveries, service cases with their contacts,
 * surveys whose answers follow what happened, and churn that follows
 * dissatisfaction. One pain point is planted on purpose: the home_delivery
 * touchpoint (see examples/data/README.md for what and how strongly).
 *
 * Determinism: every customer draws from a PRNG (splitmix64) seeded from the
 * seed and the customer's number only, so the same seed gives the same bytes,
 * and customer k is the same person whatever the number of customers.
 *
 * Streaming: a customer's records are built in fixed buffers (reused, never
 * allocated per row), sorted by time and written at once, so memory stays
 * small and constant whatever the size. Rows are grouped by customer and in
 * time order within a customer. Times are ISO-8601 at +03:00 (Riyadh).
 *
 * Ids: every interaction, survey answer and purchase carries an id, as a CRM
 * export would ("I-000123", "F-...", "X-...": the row's 1-based number in
 * its file), and an answer names the interaction it rates by that id, so
 * the files can be imported again, split or in any order (cx_import_options_
 * set_existing()).
 *
 * It writes CSV text itself and does not link the library.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- time -------------------------------------------------------------- */

#define SEC_MS 1000LL
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define TZ_S 10800 /* +03:00, the offset every time is written at */

static const int64_t T0 = 1704056400000LL;    /* 2024-01-01T00:00:00+03:00 */
static const int64_t T_END = 1767214800000LL; /* 2026-01-01T00:00:00+03:00, first time excluded */

/* Local (+03:00) midnight of the day holding t. */
static int64_t day_of(int64_t t)
{
    int64_t local = t / SEC_MS + TZ_S;
    int64_t d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    return (d * 86400 - TZ_S) * SEC_MS;
}

/* ---- PRNG: splitmix64 -------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next_u64(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unif(rng *r) { return (double)(next_u64(r) >> 11) * 0x1.0p-53; }

static double unif_in(rng *r, double a, double b) { return a + (b - a) * unif(r); }

static bool chance(rng *r, double p) { return unif(r) < p; }

static int below(rng *r, int n) { return (int)(unif(r) * n); }

static double normal(rng *r)
{
    double u = unif(r), v = unif(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static double expo(rng *r, double mean) { return -log(1.0 - unif(r)) * mean; }

/* Log-normal with the given median and log-scale sigma. */
static double lognorm(rng *r, double median, double sigma) { return median * exp(sigma * normal(r)); }

static int poisson(rng *r, double lambda)
{
    double l = exp(-lambda), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= unif(r);
    } while (p > l && k < 50);
    return k - 1;
}

/* Index drawn from weights (they need not sum to 1). */
static int pick(rng *r, const double *w, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += w[i];
    double x = unif(r) * sum;
    for (int i = 0; i < n - 1; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

#define PICK(r, w) pick(r, w, (int)(sizeof(w) / sizeof(w)[0]))
#define COUNT(a) ((int)(sizeof(a) / sizeof(a)[0]))

/* A time of day a customer acts at: few at night, most from 10:00 to 23:00. */
static int64_t daytime(rng *r, int64_t day)
{
    static const double hour_w[24] = {2, 1, 0.5, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.5, 4.5, 5,
                                      5, 5, 5, 5, 5, 5, 5, 5.5, 6, 6, 5, 3.5};
    int h = PICK(r, hour_w);
    return day + h * HOUR_MS + (int64_t)(unif(r) * (double)HOUR_MS);
}

/* A time in office hours [h0, h1) of that day. */
static int64_t between_hours(rng *r, int64_t day, int h0, int h1)
{
    return day + h0 * HOUR_MS + (int64_t)(unif(r) * (double)(h1 - h0) * (double)HOUR_MS);
}

/* ---- vocabulary -------------------------------------------------------- */

enum { SEG_CONSUMER, SEG_BUSINESS, SEG_VIP };
static const char *const segments[] = {"consumer", "business", "vip"};
static const double segment_w[] = {0.78, 0.14, 0.08};
static const char *const plans[] = {"basic", "plus", "premium"};
static const char *const regions[] = {"الرياض", "جدة", "الدمام", "مكة المكرمة", "المدينة المنورة",
                                      "الخبر", "أبها", "تبوك", "بريدة"};
static const double region_w[] = {35, 25, 12, 8, 6, 5, 4, 3, 2};

static const char *const ar_first[] = {"محمد", "أحمد", "عبدالله", "خالد", "فهد", "سلطان", "ناصر", "يوسف",
                                       "عمر", "فيصل", "فاطمة", "نورة", "سارة", "ريم", "هند", "ليلى",
                                       "منى", "أمل", "جود", "لمى"};
static const char *const ar_last[] = {"العتيبي", "القحطاني", "الغامدي", "الزهراني", "الشهري", "الحربي",
                                      "الدوسري", "المطيري", "الشمري", "العنزي", "السبيعي", "البقمي",
                                      "الرشيدي", "الشهراني", "المالكي", "الجهني"};
static const char *const lat_first[] = {"John", "Priya", "Ahmed", "Maria", "Liam", "Aisha", "Rahul",
                                        "Grace", "Karim", "Elena", "Omar", "Sophie"};
static const char *const lat_last[] = {"Smith", "Sharma", "Khan", "Garcia", "O'Neil", "Haddad", "Nair",
                                       "Okafor", "Benali", "Rossi", "Farouk", "Dubois"};

/* Agents: speed multiplies their handling and resolution times, skill adds
 * to the quality of the cases they own (mild background variation). */
static const struct agent {
    const char *name;
    double speed, skill;
} agents[] = {
    {"سارة العتيبي", 0.95, 0.10},   {"محمد القحطاني", 1.00, 0.00}, {"Fatima Al-Zahrani", 0.90, 0.05},
    {"Omar Haddad", 1.10, -0.05},   {"نورة الشمري", 1.00, 0.05},   {"Khalid Mansour", 1.20, -0.10},
    {"ليلى الحربي", 0.85, 0.10},    {"Youssef Benali", 1.05, 0.00}, {"عبدالله الدوسري", 1.00, -0.05},
    {"Maria Santos", 0.95, 0.05},   {"ريم الغامدي", 1.15, -0.10},  {"Ahmed Farouk", 1.00, 0.00},
};
#define NAGENTS COUNT(agents)

enum {
    TP_SEARCH_ADS, TP_SOCIAL_ADS, TP_WEBSITE, TP_APP_BROWSE, TP_PRESALES_BOT, TP_WEB_CHECKOUT,
    TP_APP_CHECKOUT, TP_STORE_CHECKOUT, TP_HOME_DELIVERY, TP_STORE_PICKUP, TP_UNBOXING, TP_WELCOME_EMAIL,
    TP_APP_ONBOARDING, TP_LOYALTY, TP_NEWSLETTER, TP_WINBACK, TP_REVIEW, TP_SOCIAL_SHARE, TP_CALL_CENTER,
    TP_EMAIL_SUPPORT, TP_LIVE_CHAT, TP_WHATSAPP, TP_SUPPORT_BOT, TP_HELP_CENTER, TP_SOCIAL_CARE,
    TP_STORE_DESK, TP_COUNT
};

static const struct touchpoint {
    const char *name, *channel, *stage, *kind;
    int key;
    double weight;
} touchpoints[TP_COUNT] = {
    [TP_SEARCH_ADS] = {"search_ads", "ads", "awareness", "marketing", 0, 0.5},
    [TP_SOCIAL_ADS] = {"social_ads", "social", "awareness", "marketing", 0, 0.5},
    [TP_WEBSITE] = {"website", "web", "consideration", "sales", 1, 1.0},
    [TP_APP_BROWSE] = {"app_browse", "mobile_app", "consideration", "sales", 0, 0.8},
    [TP_PRESALES_BOT] = {"presales_chatbot", "chatbot", "consideration", "self_service", 0, 0.5},
    [TP_WEB_CHECKOUT] = {"web_checkout", "web", "purchase", "sales", 1, 1.5},
    [TP_APP_CHECKOUT] = {"app_checkout", "mobile_app", "purchase", "sales", 1, 1.5},
    [TP_STORE_CHECKOUT] = {"store_checkout", "store", "purchase", "sales", 1, 1.2},
    [TP_HOME_DELIVERY] = {"home_delivery", "delivery", "purchase", "logistics", 1, 1.5},
    [TP_STORE_PICKUP] = {"store_pickup", "store", "purchase", "logistics", 0, 0.8},
    [TP_UNBOXING] = {"unboxing", "packaging", "onboarding", "product", 0, 0.7},
    [TP_WELCOME_EMAIL] = {"welcome_email", "email", "onboarding", "marketing", 0, 0.5},
    [TP_APP_ONBOARDING] = {"app_onboarding", "mobile_app", "onboarding", "product", 1, 1.0},
    [TP_LOYALTY] = {"loyalty_program", "mobile_app", "retention", "marketing", 0, 0.8},
    [TP_NEWSLETTER] = {"newsletter", "email", "retention", "marketing", 0, 0.3},
    [TP_WINBACK] = {"winback_offer", "email", "retention", "marketing", 0, 0.5},
    [TP_REVIEW] = {"product_review", "web", "advocacy", "marketing", 0, 0.6},
    [TP_SOCIAL_SHARE] = {"social_share", "social", "advocacy", "marketing", 0, 0.6},
    [TP_CALL_CENTER] = {"call_center", "phone", "service", "service", 1, 1.2},
    [TP_EMAIL_SUPPORT] = {"email_support", "email", "service", "service", 0, 1.0},
    [TP_LIVE_CHAT] = {"live_chat", "chat", "service", "service", 1, 1.0},
    [TP_WHATSAPP] = {"whatsapp_support", "whatsapp", "service", "service", 1, 1.0},
    [TP_SUPPORT_BOT] = {"support_chatbot", "chatbot", "service", "self_service", 0, 0.6},
    [TP_HELP_CENTER] = {"help_center", "self_service", "service", "self_service", 0, 0.6},
    [TP_SOCIAL_CARE] = {"social_care", "social", "service", "service", 0, 0.7},
    [TP_STORE_DESK] = {"store_service_desk", "store", "service", "service", 0, 0.8},
};

/* Where service cases are opened, and how often. */
static const int case_tps[] = {TP_CALL_CENTER, TP_WHATSAPP, TP_LIVE_CHAT, TP_EMAIL_SUPPORT, TP_SOCIAL_CARE,
                               TP_STORE_DESK};
static const double case_tp_w[] = {35, 25, 20, 12, 5, 3};

enum { K_VISIT, K_VIEW, K_CONTACT, K_PURCHASE, K_DELIVERY, K_MESSAGE, K_REVIEW };
static const char *const kinds[] = {"visit", "view", "contact", "purchase", "delivery", "message", "review"};
enum { IN, OUT };
static const char *const directions[] = {"inbound", "outbound"};
enum { HANDLED, MISSED, ABANDONED };
static const char *const outcomes[] = {"handled", "missed", "abandoned"};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};

/* Survey questions: the first three are built into every store; the other
 * two are written to questions.csv. */
enum { Q_NPS, Q_CSAT, Q_CES, Q_CES5, Q_ONTIME };
static const char *const questions[] = {"nps", "csat", "ces", "ces_5", "delivery_on_time"};

/* Comments by context and sentiment, in Arabic and English, whose themes
 * follow what happened (issue 17): a late, damaged or failed home delivery,
 * repeated contacts about one case, a rude or a helpful agent. Some hold
 * commas, quotes and line breaks on purpose, to exercise CSV quoting. Which
 * list a comment comes from never changes the random draws (one below()
 * per comment), so the rest of the data does not depend on these texts. */
enum { CTX_DELIVERY, CTX_SERVICE, CTX_GENERAL, CTX_LATE, CTX_DAMAGED, CTX_FAILED, CTX_REPEAT, CTX_RUDE };
enum { NEG, NEUTRAL, POS };
static const char *const c_late_neg[] = {
    "التوصيل تأخر كثيراً",
    "الطلب وصل متأخر ثلاثة أيام، ولم يتواصل معي أحد",
    "Late delivery again, second time this month",
    "Delivery window was 9-5, driver came at 10pm, no call.",
    "تأخير، ثم تأخير، ثم إلغاء الموعد",
    "The delivery was late by four days and nobody told me",
    "تأخر التوصيل عن الموعد المحدد",
    "Very late delivery, the tracking was never updated",
};
static const char *const c_damaged_neg[] = {
    "وصلت الكرتونة ممزقة\nوالمنتج مكسور",
    "The box was wet and crushed.\nI want a replacement, not a voucher.",
    "The parcel arrived damaged",
    "الطلب وصل تالف والتغليف سيء",
};
static const char *const c_failed_neg[] = {
    "المندوب كتب \"العميل غير متواجد\" وأنا كنت في البيت طوال اليوم",
    "Courier marked it \"delivered\" but nothing arrived.",
    "لا أحد يرد على رقم المندوب",
    "The delivery never arrived, the courier did not call",
    "لم يصل الطلب والمندوب لم يتصل",
};
static const char *const c_delivery_neg[] = {
    "The delivery slot was inconvenient",
    "المندوب لم يتصل قبل التوصيل",
};
static const char *const c_repeat_neg[] = {
    "اتصلت أربع مرات ولم تُحل المشكلة",
    "I had to explain the problem again on every channel: chat, phone, WhatsApp...",
    "Ticket closed without asking me, had to reopen it",
    "أغلقوا البلاغ قبل حل المشكلة",
    "I called three times about the same problem",
};
static const char *const c_service_neg[] = {
    "الانتظار على الخط أكثر من نصف ساعة",
    "They said \"we'll call you back\". They didn't.",
    "Long wait on the phone, nobody answered",
};
static const char *const c_rude_neg[] = {
    "The agent was rude and not helpful",
    "الموظف كان غير محترم ولم يساعدني",
    "Rude agent, hung up on me",
    "تعامل الموظف سيء جداً",
};
static const char *const c_general_neg[] = {
    "السعر ارتفع والجودة نزلت",
    "The app keeps logging me out",
    "Checkout failed twice, \"payment declined\" with a valid card",
};
static const char *const c_neutral[] = {
    "لا بأس",
    "OK, nothing special",
    "Good products, but the checkout asks for too many details\n(address twice)",
    "مقبول",
};
static const char *const c_delivery_pos[] = {
    "كل شيء وصل في موعده",
    "Fast delivery, well packed. Thank you!",
    "المندوب محترم ووصل قبل الموعد",
    "On time delivery, great courier",
};
static const char *const c_service_pos[] = {
    "الموظفة كانت متعاونة جداً، شكراً",
    "Great support on WhatsApp, solved in minutes",
    "Solved on the first call \U0001F44D",
    "Helpful agent, very polite",
    "الموظف متعاون وحل المشكلة بسرعة",
};
static const char *const c_general_pos[] = {
    "خدمة ممتازة، شكراً لكم",
    "تجربة رائعة \U0001F44D",
    "Love the app, \"reorder\" button saves me time",
};

/* ---- buffered CSV output ----------------------------------------------- */

typedef struct out {
    FILE *f;
    const char *path;
    size_t n;
    uint64_t rows;
    char buf[1 << 17];
} out;

static void die(const char *msg, const char *path)
{
    fprintf(stderr, "gen-demo: %s%s%s%s%s\n", msg, path ? " " : "", path ? path : "", errno ? ": " : "",
            errno ? strerror(errno) : "");
    exit(1);
}

static void o_flush(out *o)
{
    if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
        die("cannot write", o->path);
    o->n = 0;
}

static inline void o_room(out *o, size_t k)
{
    if (o->n + k > sizeof o->buf)
        o_flush(o);
}

static void o_mem(out *o, const char *s, size_t len)
{
    if (len > sizeof o->buf / 2) {
        o_flush(o);
        if (fwrite(s, 1, len, o->f) != len)
            die("cannot write", o->path);
        return;
    }
    o_room(o, len);
    memcpy(o->buf + o->n, s, len);
    o->n += len;
}

static void o_str(out *o, const char *s) { o_mem(o, s, strlen(s)); }

static inline void o_chr(out *o, char c)
{
    o_room(o, 1);
    o->buf[o->n++] = c;
}

/* A text field, quoted (quotes doubled) when it holds a comma, quote or line break. */
static void o_text(out *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        o_str(o, s);
        return;
    }
    o_chr(o, '"');
    for (; *s; s++) {
        if (*s == '"')
            o_chr(o, '"');
        o_chr(o, *s);
    }
    o_chr(o, '"');
}

static void o_u64(out *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    o_room(o, (size_t)n);
    while (n)
        o->buf[o->n++] = tmp[--n];
}

/* An amount in hundredths, as "123.45" (or "0"). */
static void o_cents(out *o, int64_t c)
{
    if (c == 0) {
        o_chr(o, '0');
        return;
    }
    o_u64(o, (uint64_t)(c / 100));
    o_room(o, 3);
    o->buf[o->n++] = '.';
    o->buf[o->n++] = (char)('0' + c % 100 / 10);
    o->buf[o->n++] = (char)('0' + c % 10);
}

static inline void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* A time as "2024-03-05T14:23:11+03:00". */
static void o_time(out *o, int64_t t)
{
    int64_t local = t / SEC_MS + TZ_S; /* all times are after 1970 */
    int64_t z = local / 86400 + 719468;
    int sod = (int)(local % 86400);
    /* civil_from_days (H. Hinnant) */
    int64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    o_room(o, 25);
    char *p = o->buf + o->n;
    put2(p, (int)(y / 100));
    put2(p + 2, (int)(y % 100));
    p[4] = '-';
    put2(p + 5, (int)m);
    p[7] = '-';
    put2(p + 8, (int)d);
    p[10] = 'T';
    put2(p + 11, sod / 3600);
    p[13] = ':';
    put2(p + 14, sod / 60 % 60);
    p[16] = ':';
    put2(p + 17, sod % 60);
    memcpy(p + 19, "+03:00", 6);
    o->n += 25;
}

static void o_end_row(out *o)
{
    o_chr(o, '\n');
    o->rows++;
}

static void o_open(out *o, const char *dir, const char *name, const char *header)
{
    static char paths[8][4200];
    static int npaths;
    char *path = paths[npaths++];
    snprintf(path, sizeof paths[0], "%s/%s.csv", dir, name);
    o->path = path;
    o->n = 0;
    o->rows = 0;
    errno = 0;
    o->f = fopen(path, "wb");
    if (!o->f)
        die("cannot create", path);
    o_str(o, header);
    o_chr(o, '\n');
}

static void o_close(out *o)
{
    o_flush(o);
    errno = 0;
    if (fclose(o->f) != 0)
        die("cannot write", o->path);
}

/* ---- one customer's records -------------------------------------------- */

#define MAX_EV 1024
#define MAX_FB 512
#define MAX_CASE 128
#define MAX_TX 256

typedef struct ev { /* an interaction */
    int64_t t, dur_ms, cents;
    int16_t case_ix; /* into the customer's cases, -1 for none */
    uint8_t tp, kind, dir, outcome;
    int8_t agent; /* -1 for none */
} ev;

typedef struct fb { /* a survey answer */
    int64_t t;
    int16_t ev_ix, case_ix; /* -1 for none */
    int8_t tp;              /* -1 for none */
    uint8_t q;
    int8_t score;
    const char *comment;
} fb;

#define MAX_REOPENS 2 /* the most a case is reopened */

typedef struct kase {
    int64_t opened, first, resolved; /* -1 for missing */
    /* the cycles, for case_events.csv: reopenings[i] starts cycle i + 2;
     * cycle_res[i] ends cycle i + 1 (-1 while open) */
    int64_t reopenings[MAX_REOPENS], cycle_res[MAX_REOPENS + 1];
    int16_t reopens, contacts;
    uint8_t tp, prio;
    int8_t agent;
} kase;

typedef struct tx {
    int64_t t, cents;
} tx;

typedef struct sim {
    rng r;
    double S; /* running satisfaction: about -2 (angry) to +2 (delighted) */
    int seg;
    bool full;       /* a buffer filled up: stop simulating this customer */
    int64_t last_nps; /* time of the last relationship NPS survey */
    int nev, nfb, ncase, ntx;
    ev evs[MAX_EV];
    fb fbs[MAX_FB];
    kase cases[MAX_CASE];
    tx txs[MAX_TX];
    uint16_t perm[MAX_EV], ev_rank[MAX_EV], case_perm[MAX_CASE], case_rank[MAX_CASE], fb_perm[MAX_FB];
} sim;

static int add_ev(sim *s, int64_t t, int tp, int kind, int dir, int agent, int case_ix, int64_t dur_ms, int outcome,
                  int64_t cents)
{
    if (t < T0 || t >= T_END)
        return -1;
    if (s->nev == MAX_EV) {
        s->full = true;
        return -1;
    }
    ev *e = &s->evs[s->nev];
    e->t = t;
    e->tp = (uint8_t)tp;
    e->kind = (uint8_t)kind;
    e->dir = (uint8_t)dir;
    e->agent = (int8_t)agent;
    e->case_ix = (int16_t)case_ix;
    e->dur_ms = dur_ms < 0 ? 0 : dur_ms;
    e->outcome = (uint8_t)outcome;
    e->cents = cents;
    if (case_ix >= 0 && dir == IN)
        s->cases[case_ix].contacts++;
    return s->nev++;
}

static void add_fb(sim *s, int64_t t, int q, int score, int tp, int ev_ix, int case_ix, const char *comment)
{
    if (t < T0 || t >= T_END)
        return;
    if (s->nfb == MAX_FB) {
        s->full = true;
        return;
    }
    s->fbs[s->nfb++] = (fb){t, (int16_t)ev_ix, (int16_t)case_ix, (int8_t)tp, (uint8_t)q, (int8_t)score, comment};
}

static void add_tx(sim *s, int64_t t, int64_t cents)
{
    if (t < T0 || t >= T_END)
        return;
    if (s->ntx == MAX_TX) {
        s->full = true;
        return;
    }
    s->txs[s->ntx++] = (tx){t, cents};
}

/* Moves the running satisfaction towards the quality of an experience. */
static void feel(sim *s, double q, double weight)
{
    double a = 0.22 * weight;
    if (a > 0.6)
        a = 0.6;
    s->S += a * (q - s->S);
}

static int clampi(double x, int lo, int hi)
{
    long v = lround(x);
    return v < lo ? lo : v > hi ? hi : (int)v;
}

/* Answers: q is the quality of what is rated (about -3 to +1), S the mood. */
static int csat_score(sim *s, double q) { return clampi(3.85 + 0.95 * q + 0.4 * s->S + 0.75 * normal(&s->r), 1, 5); }
static int nps_score(sim *s, double q) { return clampi(7.6 + 1.5 * q + 1.2 * s->S + 1.4 * normal(&s->r), 0, 10); }
static int ces_score(sim *s, double qe) { return clampi(5.4 + 1.0 * qe + 0.9 * normal(&s->r), 1, 7); }

static const char *comment_for(sim *s, int ctx, int sentiment)
{
    static const double p[] = {0.45, 0.12, 0.18};
    if (!chance(&s->r, p[sentiment]))
        return NULL;
    switch (sentiment) {
    case NEUTRAL:
        return c_neutral[below(&s->r, COUNT(c_neutral))];
    case NEG:
        switch (ctx) {
        case CTX_LATE: return c_late_neg[below(&s->r, COUNT(c_late_neg))];
        case CTX_DAMAGED: return c_damaged_neg[below(&s->r, COUNT(c_damaged_neg))];
        case CTX_FAILED: return c_failed_neg[below(&s->r, COUNT(c_failed_neg))];
        case CTX_DELIVERY: return c_delivery_neg[below(&s->r, COUNT(c_delivery_neg))];
        case CTX_REPEAT: return c_repeat_neg[below(&s->r, COUNT(c_repeat_neg))];
        case CTX_RUDE: return c_rude_neg[below(&s->r, COUNT(c_rude_neg))];
        case CTX_SERVICE: return c_service_neg[below(&s->r, COUNT(c_service_neg))];
        default: return c_general_neg[below(&s->r, COUNT(c_general_neg))];
        }
    default:
        if (ctx == CTX_DELIVERY || ctx == CTX_LATE || ctx == CTX_DAMAGED || ctx == CTX_FAILED)
            return c_delivery_pos[below(&s->r, COUNT(c_delivery_pos))];
        if (ctx == CTX_SERVICE || ctx == CTX_REPEAT || ctx == CTX_RUDE)
            return c_service_pos[below(&s->r, COUNT(c_service_pos))];
        return c_general_pos[below(&s->r, COUNT(c_general_pos))];
    }
}

/* A post-event survey: each question asked with its probability; the
 * answers follow the quality q (CSAT, NPS) and the effort quality qe (CES). */
static void survey(sim *s, int64_t t, int tp, int ev_ix, int case_ix, double q, double qe, int ctx, double p_csat,
                   double p_ces, double p_nps)
{
    int64_t when = t + (int64_t)(lognorm(&s->r, 3.0, 1.0) * (double)HOUR_MS);
    bool commented = false;
    if (chance(&s->r, p_csat)) {
        int v = csat_score(s, q);
        const char *c = comment_for(s, ctx, v <= 2 ? NEG : v == 3 ? NEUTRAL : POS);
        commented = c != NULL;
        add_fb(s, when, Q_CSAT, v, tp, ev_ix, case_ix, c);
    }
    if (chance(&s->r, p_ces))
        add_fb(s, when, Q_CES, ces_score(s, qe), tp, ev_ix, case_ix, NULL);
    if (chance(&s->r, p_nps)) {
        int v = nps_score(s, q);
        const char *c = commented ? NULL : comment_for(s, ctx, v <= 6 ? NEG : v <= 8 ? NEUTRAL : POS);
        add_fb(s, when, Q_NPS, v, tp, ev_ix, case_ix, c);
    }
}

/* Quality of an ordinary touchpoint visit: mostly fine, sometimes not. */
static double ordinary_quality(sim *s) { return 0.45 + 0.4 * normal(&s->r) - (chance(&s->r, 0.05) ? 1.5 : 0.0); }

static int64_t minutes(sim *s, double median, double sigma)
{
    return (int64_t)(lognorm(&s->r, median, sigma) * (double)MIN_MS);
}

/* ---- service cases ----------------------------------------------------- */

static bool is_live(int tp) { return tp == TP_CALL_CENTER || tp == TP_LIVE_CHAT || tp == TP_STORE_DESK; }

enum { CAUSE_OTHER, CAUSE_LATE, CAUSE_DAMAGED, CAUSE_FAILED };

/* Opens a case at `at` and plays it out: contacts, replies, resolution,
 * reopenings, the survey after it. Returns the quality the customer felt. */
static double service_case(sim *s, int64_t at, int cause)
{
    rng *r = &s->r;
    bool delivery = cause != CAUSE_OTHER;
    if (at >= T_END)
        return 0;
    if (s->ncase == MAX_CASE) {
        s->full = true;
        return 0;
    }
    /* a self-service attempt first, now and then */
    if (chance(r, 0.25)) {
        int tp = chance(r, 0.5) ? TP_SUPPORT_BOT : TP_HELP_CENTER;
        add_ev(s, at - minutes(s, 20, 0.8), tp, tp == TP_SUPPORT_BOT ? K_CONTACT : K_VISIT, IN, -1, -1,
               minutes(s, 3, 0.6), chance(r, 0.5) ? ABANDONED : HANDLED, 0);
    }
    int ci = s->ncase++;
    kase *k = &s->cases[ci];
    int tp = case_tps[PICK(r, case_tp_w)];
    static const double prio_other[] = {0.15, 0.58, 0.20, 0.07}, prio_delivery[] = {0.05, 0.45, 0.38, 0.12};
    int prio = pick(r, delivery ? prio_delivery : prio_other, 4);
    static const double prio_mult[] = {1.5, 1.0, 0.7, 0.45};
    int agent = below(r, NAGENTS);
    const struct agent *ag = &agents[agent];
    k->opened = at;
    k->tp = (uint8_t)tp;
    k->prio = (uint8_t)prio;
    k->agent = (int8_t)agent;
    k->reopens = 0;
    k->contacts = 0;

    /* first response: by channel; a missed call or an abandoned chat waits for a callback */
    bool first_lost = (tp == TP_CALL_CENTER && chance(r, 0.14)) || (tp == TP_LIVE_CHAT && chance(r, 0.08));
    double resp_min;
    switch (tp) {
    case TP_CALL_CENTER: resp_min = first_lost ? lognorm(r, 90, 0.9) : lognorm(r, 2.5, 0.8); break;
    case TP_LIVE_CHAT: resp_min = first_lost ? lognorm(r, 180, 0.9) : lognorm(r, 1.5, 0.8); break;
    case TP_WHATSAPP: resp_min = lognorm(r, 25, 1.0); break;
    case TP_EMAIL_SUPPORT: resp_min = lognorm(r, 300, 0.9); break;
    case TP_SOCIAL_CARE: resp_min = lognorm(r, 120, 1.0); break;
    default: resp_min = lognorm(r, 6, 0.6); break; /* at the store desk */
    }
    resp_min *= prio_mult[prio] * ag->speed;
    int64_t first = at + (int64_t)(resp_min * (double)MIN_MS) + 20 * SEC_MS;
    /* resolution: deliveries take longer, then every reopening adds a round */
    double expect_h = delivery ? 30.0 : 6.0;
    double res_h = lognorm(r, expect_h, 1.0) * prio_mult[prio] * ag->speed;
    int64_t resolved = first + (int64_t)(res_h * (double)HOUR_MS);
    double p_reopen = (delivery ? 0.24 : 0.07) - ag->skill * 0.3;
    int reopens = chance(r, p_reopen) ? (chance(r, 0.25) ? MAX_REOPENS : 1) : 0;
    bool abandoned_case = chance(r, 0.015); /* never resolved */
    /* how many times the customer contacts: chasing grows with the wait */
    double lambda = 0.1 + 0.2 * log1p(res_h / 8.0) + (delivery ? 1.0 : 0.0);
    int extra = poisson(r, lambda);
    if (extra > 10)
        extra = 10;

    /* the contacts */
    int ch_tp = tp, last_in = -1;
    int64_t dur_med = tp == TP_CALL_CENTER ? 6 : tp == TP_LIVE_CHAT ? 12 : tp == TP_WHATSAPP ? 9 : tp == TP_STORE_DESK ? 10 : 0;
    int e = add_ev(s, at, tp, K_CONTACT, IN, first_lost ? -1 : agent, ci,
                   first_lost ? (tp == TP_CALL_CENTER ? 40 * SEC_MS : minutes(s, 4, 0.5))
                              : (dur_med ? minutes(s, (double)dur_med * (delivery ? 1.3 : 1.0), 0.5) : 0),
                   first_lost ? (tp == TP_CALL_CENTER ? MISSED : ABANDONED) : HANDLED, 0);
    if (!first_lost)
        last_in = e;
    if (first_lost || !dur_med) /* the agent's reply: a callback, an email, a message */
        add_ev(s, first, first_lost && tp == TP_CALL_CENTER ? TP_CALL_CENTER : tp == TP_LIVE_CHAT ? TP_EMAIL_SUPPORT : tp,
               K_CONTACT, OUT, agent, ci, minutes(s, 5, 0.5) * (int64_t)(ag->speed * 10) / 10, HANDLED, 0);
    int64_t cur = first;
    for (int i = 0; i < extra; i++) {
        cur += (int64_t)((double)(resolved - cur) * unif_in(r, 0.1, 0.6));
        if (chance(r, 0.35)) /* switches channel inside the same case */
            ch_tp = case_tps[PICK(r, case_tp_w)];
        bool lost = (ch_tp == TP_CALL_CENTER && chance(r, 0.12)) || (ch_tp == TP_LIVE_CHAT && chance(r, 0.06));
        int64_t dm = ch_tp == TP_CALL_CENTER ? 7 : ch_tp == TP_LIVE_CHAT ? 12 : ch_tp == TP_WHATSAPP ? 8 : ch_tp == TP_STORE_DESK ? 10 : 0;
        int x = add_ev(s, cur, ch_tp, K_CONTACT, IN, lost ? -1 : agent, ci,
                       lost ? 35 * SEC_MS : dm ? minutes(s, (double)dm, 0.5) : 0,
                       lost ? (ch_tp == TP_CALL_CENTER ? MISSED : ABANDONED) : HANDLED, 0);
        if (!lost)
            last_in = x;
    }
    /* resolution message, then reopenings */
    int64_t last_res = resolved;
    int done_reopens = 0;
    k->cycle_res[0] = abandoned_case ? -1 : resolved;
    if (!abandoned_case) {
        if (!is_live(ch_tp)) /* on a call, a chat or at the desk it is solved within the contact */
            add_ev(s, resolved, ch_tp, K_CONTACT, OUT, agent, ci, minutes(s, 4, 0.5), HANDLED, 0);
        for (int i = 0; i < reopens; i++) {
            int64_t back = last_res + (int64_t)(unif_in(r, 0.5, 6.0) * (double)DAY_MS);
            if (back >= T_END)
                break;
            int rtp = case_tps[PICK(r, case_tp_w)];
            int x = add_ev(s, back, rtp, K_CONTACT, IN, agent, ci, minutes(s, 8, 0.5), HANDLED, 0);
            if (x >= 0)
                last_in = x;
            k->reopenings[done_reopens] = back;
            done_reopens++;
            last_res = back + (int64_t)(lognorm(r, expect_h * 0.8, 0.9) * ag->speed * (double)HOUR_MS);
            k->cycle_res[done_reopens] = last_res;
            if (!is_live(rtp))
                add_ev(s, last_res, rtp, K_CONTACT, OUT, agent, ci, minutes(s, 4, 0.5), HANDLED, 0);
        }
    }
    k->reopens = (int16_t)done_reopens;
    k->first = first < T_END ? first : -1;
    k->resolved = !abandoned_case && last_res < T_END ? last_res : -1;
    k->cycle_res[done_reopens] = k->resolved; /* a resolution after the period is not known yet */

    /* how it felt: contacts, reopenings, waiting, the agent */
    int contacts = k->contacts > 0 ? k->contacts : 1;
    double total_h = (double)(last_res - at) / (double)HOUR_MS;
    double slow = log2(fmax(1.0, total_h / 8.0));
    double q = 0.9 - 0.25 * (contacts - 1) - 0.6 * done_reopens - 0.2 * slow - (first_lost ? 0.3 : 0.0) +
               ag->skill + 0.3 * normal(r) - (abandoned_case ? 1.5 : 0.0);
    if (q < -3.5)
        q = -3.5;
    double qe = 0.8 - 0.4 * (contacts - 1) - 0.7 * done_reopens - (ch_tp != tp ? 0.3 : 0.0) - 0.1 * slow;
    if (k->resolved >= 0 && chance(r, 0.55)) {
        int ctx = delivery ? (chance(r, 0.5) ? CTX_DELIVERY : CTX_SERVICE) : CTX_SERVICE;
        /* what the comment is about: repeated contacts, else a poor agent */
        if (ctx == CTX_SERVICE && (contacts >= 3 || done_reopens > 0))
            ctx = CTX_REPEAT;
        else if (ctx == CTX_SERVICE && ag->skill < 0)
            ctx = CTX_RUDE;
        survey(s, k->resolved, last_in >= 0 ? s->evs[last_in].tp : k->tp, last_in, ci, q, qe, ctx, 0.8, 0.6, 0.25);
    }
    feel(s, q, 1.2);
    return q;
}

/* ---- the journey ------------------------------------------------------- */

static int64_t order_amount(sim *s)
{
    static const double median[] = {180, 650, 420};
    double a = lognorm(&s->r, median[s->seg], 0.6);
    if (a < 5)
        a = 5;
    return (int64_t)(a * 20 + 0.5) * 5; /* to 0.05 */
}

/* One order at t: checkout, payment, delivery or pickup, and what follows.
 * Returns the quality of the fulfilment and sets *delivery_issue. */
static double order(sim *s, int64_t t, bool first, bool *delivery_issue)
{
    rng *r = &s->r;
    *delivery_issue = false;
    static const double ch_consumer[] = {0.45, 0.40, 0.15}, ch_business[] = {0.6, 0.2, 0.2};
    int ch = pick(r, s->seg == SEG_BUSINESS ? ch_business : ch_consumer, 3);
    int checkout_tp = ch == 0 ? TP_WEB_CHECKOUT : ch == 1 ? TP_APP_CHECKOUT : TP_STORE_CHECKOUT;
    if (ch != 2 && chance(r, 0.08)) /* an abandoned cart first */
        add_ev(s, t - minutes(s, 240, 1.5), checkout_tp, K_PURCHASE, IN, -1, -1, minutes(s, 3, 0.6), ABANDONED, 0);
    int64_t cents = order_amount(s);
    int co = add_ev(s, t, checkout_tp, K_PURCHASE, IN, -1, -1, minutes(s, ch == 2 ? 9 : 5, 0.5), HANDLED, cents);
    if (co < 0)
        return 0;
    add_tx(s, t, cents);
    double qc = ordinary_quality(s);
    feel(s, qc, 0.5);
    survey(s, t, checkout_tp, co, -1, qc, qc, CTX_GENERAL, 0.10, 0.05, 0.03);
    if (ch == 2)
        return qc;

    double pickup_p = s->seg == SEG_VIP ? 0.1 : 0.2;
    if (chance(r, pickup_p)) { /* click and collect */
        int64_t at = daytime(r, day_of(t) + DAY_MS * (1 + below(r, 2)));
        bool issue = chance(r, 0.06); /* not ready when the customer came */
        double q = issue ? -1.2 + 0.3 * normal(r) : ordinary_quality(s);
        int e = add_ev(s, at, TP_STORE_PICKUP, K_DELIVERY, IN, -1, -1, minutes(s, issue ? 25 : 6, 0.5), HANDLED, 0);
        if (e >= 0) {
            feel(s, q, touchpoints[TP_STORE_PICKUP].weight);
            survey(s, at, TP_STORE_PICKUP, e, -1, q, q - (issue ? 0.5 : 0), issue ? CTX_SERVICE : CTX_GENERAL, 0.35,
                   0.2, 0.12);
            if (chance(r, 0.2))
                add_fb(s, at + minutes(s, 180, 0.8), Q_ONTIME, issue ? 0 : 1, TP_STORE_PICKUP, e, -1, NULL);
            if (issue && chance(r, 0.3))
                service_case(s, at + minutes(s, 60, 1.0), CAUSE_OTHER);
        }
        return q;
    }

    /* home delivery: THE PLANTED PAIN POINT (see examples/data/README.md) */
    int64_t promised = day_of(t) + DAY_MS * (1 + below(r, 3));
    double u = unif(r);
    int cause = u < 0.22 ? CAUSE_LATE : u < 0.28 ? CAUSE_DAMAGED : u < 0.33 ? CAUSE_FAILED : CAUSE_OTHER;
    int late_days = 0;
    int64_t at = between_hours(r, promised, 9, 22);
    double q;
    int e;
    switch (cause) {
    case CAUSE_LATE:
        late_days = 1 + (int)expo(r, 2.0);
        if (late_days > 14)
            late_days = 14;
        at += late_days * DAY_MS;
        q = -1.2 - 0.25 * late_days + 0.3 * normal(r);
        break;
    case CAUSE_DAMAGED: q = -2.3 + 0.3 * normal(r); break;
    case CAUSE_FAILED:
        add_ev(s, at, TP_HOME_DELIVERY, K_DELIVERY, OUT, -1, -1, minutes(s, 2, 0.4), MISSED, 0);
        at = between_hours(r, day_of(at) + DAY_MS * (1 + below(r, 2)), 9, 22);
        q = -1.8 + 0.3 * normal(r);
        break;
    default: q = 0.15 + 0.4 * normal(r); break;
    }
    *delivery_issue = cause != CAUSE_OTHER;
    e = add_ev(s, at, TP_HOME_DELIVERY, K_DELIVERY, OUT, -1, -1, minutes(s, 4, 0.5), HANDLED, 0);
    if (e < 0)
        return q;
    feel(s, q, touchpoints[TP_HOME_DELIVERY].weight);
    double ctx_q = *delivery_issue ? q - 0.4 : q; /* receiving a late or broken parcel is work too */
    int ctx = cause == CAUSE_LATE ? CTX_LATE : cause == CAUSE_DAMAGED ? CTX_DAMAGED : cause == CAUSE_FAILED ? CTX_FAILED
                                                                                                : CTX_DELIVERY;
    survey(s, at, TP_HOME_DELIVERY, e, -1, q, ctx_q, ctx, *delivery_issue ? 0.5 : 0.38, 0.25, 0.12);
    if (chance(r, 0.2))
        add_fb(s, at + minutes(s, 180, 0.8), Q_ONTIME, cause == CAUSE_LATE || cause == CAUSE_FAILED ? 0 : 1,
               TP_HOME_DELIVERY, e, -1, NULL);
    if (chance(r, first ? 0.4 : 0.1)) { /* unboxing, rated on its own */
        int64_t ub = at + minutes(s, 90, 1.0);
        int x = add_ev(s, ub, TP_UNBOXING, K_VIEW, IN, -1, -1, minutes(s, 4, 0.5), HANDLED, 0);
        double qu = ordinary_quality(s);
        if (x >= 0)
            survey(s, ub, TP_UNBOXING, x, -1, qu, qu, CTX_GENERAL, 0.15, 0.0, 0.0);
    }
    /* an issue brings the customer to the service desk, more than other troubles do */
    static const double p_case[] = {0, 0.45, 0.85, 0.55};
    if (cause != CAUSE_OTHER && chance(r, p_case[cause])) {
        int64_t open = cause == CAUSE_LATE ? promised + between_hours(r, 0, 15, 23) : at + minutes(s, 60, 1.0);
        service_case(s, open, cause);
    }
    return q;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* The whole life of customer `k`, into s; its customer fields come back
 * through the pointers. */
static void customer(sim *s, uint64_t seed, uint64_t k, int64_t *acquired, int *seg, int *plan, int *region)
{
    rng *r = &s->r;
    r->s = seed * 0x9E3779B97F4A7C15ULL ^ (k + 1) * 0xD1B54A32D192ED03ULL;
    next_u64(r);
    s->nev = s->nfb = s->ncase = s->ntx = 0;
    s->full = false;
    s->seg = PICK(r, segment_w);
    *seg = s->seg;
    static const double plan_w[3][3] = {{0.6, 0.3, 0.1}, {0.35, 0.4, 0.25}, {0, 0.3, 0.7}};
    *plan = pick(r, plan_w[s->seg], 3);
    *region = PICK(r, region_w);
    s->S = 0.35 + 0.45 * normal(r) + 0.1 * *plan;
    /* acquisitions grow over the two years: density rising from 1 to 1.6 */
    double x = (-1.0 + sqrt(1.0 + 1.56 * unif(r))) / 0.6;
    int64_t span = T_END - 7 * DAY_MS - T0;
    int64_t t_acq = daytime(r, day_of(T0 + (int64_t)(x * (double)span)));
    *acquired = t_acq;
    s->last_nps = t_acq;

    /* awareness and consideration */
    if (chance(r, 0.6)) {
        int tp = chance(r, 0.55) ? TP_SEARCH_ADS : TP_SOCIAL_ADS;
        int64_t at = t_acq - (int64_t)(unif_in(r, 1, 25) * (double)DAY_MS);
        bool clicked = chance(r, 0.4); /* an impression is the company's; a click is the customer's */
        add_ev(s, at, tp, clicked ? K_VISIT : K_VIEW, clicked ? IN : OUT, -1, -1, 0, HANDLED, 0);
    }
    int browse = 1 + chance(r, 0.3) + chance(r, 0.1);
    for (int i = 0; i < browse; i++) {
        int64_t at = t_acq - (int64_t)(unif_in(r, 0, 10) * (double)DAY_MS);
        add_ev(s, at, chance(r, 0.55) ? TP_WEBSITE : TP_APP_BROWSE, chance(r, 0.5) ? K_VISIT : K_VIEW, IN, -1, -1,
               minutes(s, 4, 1.0), chance(r, 0.1) ? ABANDONED : HANDLED, 0);
    }
    if (chance(r, 0.15)) {
        int64_t at = t_acq - (int64_t)(unif_in(r, 0, 3) * (double)DAY_MS);
        bool ok = chance(r, 0.8);
        int e = add_ev(s, at, TP_PRESALES_BOT, K_CONTACT, IN, -1, -1, minutes(s, 3, 0.6), ok ? HANDLED : ABANDONED, 0);
        double q = ok ? ordinary_quality(s) : -0.8;
        if (e >= 0)
            survey(s, at, TP_PRESALES_BOT, e, -1, q, q, CTX_GENERAL, 0.15, 0.1, 0.0);
    }

    /* drop-out before the first purchase: a cart left behind */
    if (!chance(r, 0.88)) {
        add_ev(s, t_acq, chance(r, 0.5) ? TP_WEB_CHECKOUT : TP_APP_CHECKOUT, K_PURCHASE, IN, -1, -1, minutes(s, 3, 0.6),
               ABANDONED, 0);
        if (chance(r, 0.3))
            add_ev(s, t_acq + (int64_t)(unif_in(r, 2, 10) * (double)DAY_MS), TP_NEWSLETTER, K_MESSAGE, OUT, -1, -1, 0,
                   HANDLED, 0);
        return;
    }

    /* onboarding */
    add_ev(s, t_acq + minutes(s, 2, 0.5), TP_WELCOME_EMAIL, K_MESSAGE, OUT, -1, -1, 0, HANDLED, 0);
    if (chance(r, 0.5)) {
        int64_t at = t_acq + minutes(s, 60, 2.0);
        int e = add_ev(s, at, TP_APP_ONBOARDING, K_VISIT, IN, -1, -1, minutes(s, 5, 0.6),
                       chance(r, 0.1) ? ABANDONED : HANDLED, 0);
        double q = ordinary_quality(s);
        if (e >= 0)
            survey(s, at, TP_APP_ONBOARDING, e, -1, q, q, CTX_GENERAL, 0.12, 0.12, 0.0);
    }

    /* orders until churn or the end of the period */
    static const double gap_days[] = {100, 60, 50};
    int64_t t = daytime(r, day_of(t_acq + (int64_t)(unif_in(r, 0, 2) * (double)DAY_MS)));
    int64_t last_active = t;
    bool churned = false, first = true;
    while (t < T_END && !s->full) {
        bool issue;
        order(s, t, first, &issue);
        last_active = t;
        first = false;
        /* churn follows dissatisfaction; a delivery gone wrong pushes on top */
        double p_churn = 0.012 + 0.45 * sigmoid(-6.0 * (s->S + 0.05)) + (issue ? 0.08 : 0.0);
        if (chance(r, p_churn)) {
            churned = true;
            break;
        }
        /* the unhappy come back later */
        double mean = gap_days[s->seg] * (s->S < 0 ? 1.0 - 1.2 * s->S : 1.0);
        int64_t next = t + (int64_t)((3.0 + expo(r, mean)) * (double)DAY_MS);
        int64_t gap = next - t;
        /* between orders */
        if (chance(r, fmin(0.5, (double)gap / (double)(60 * DAY_MS) * 0.2)))
            add_ev(s, t + (int64_t)(unif(r) * (double)gap), TP_NEWSLETTER, K_MESSAGE, OUT, -1, -1, 0, HANDLED, 0);
        if (chance(r, 0.15 + 0.08 * *plan)) {
            int64_t at = daytime(r, day_of(t + (int64_t)(unif(r) * (double)gap)));
            add_ev(s, at, TP_LOYALTY, K_VISIT, IN, -1, -1, minutes(s, 3, 0.6), HANDLED, 0);
        }
        if (chance(r, 0.12)) {
            int64_t at = daytime(r, day_of(t + (int64_t)(unif(r) * (double)gap)));
            bool found = chance(r, 0.7);
            int e = add_ev(s, at, TP_HELP_CENTER, K_VISIT, IN, -1, -1, minutes(s, 4, 0.7), found ? HANDLED : ABANDONED, 0);
            if (e >= 0 && chance(r, 0.3)) /* asked on a 1-5 scale where 1 is easiest */
                add_fb(s, at + minutes(s, 2, 0.3), Q_CES5, clampi(found ? 1.8 + 0.8 * normal(r) : 3.8 + 0.8 * normal(r), 1, 5),
                       TP_HELP_CENTER, e, -1, NULL);
            if (!found && chance(r, 0.4))
                service_case(s, at + minutes(s, 15, 0.8), CAUSE_OTHER);
        }
        if (chance(r, 0.08)) /* billing, app, account and product questions */
            service_case(s, daytime(r, day_of(t + (int64_t)(unif(r) * (double)gap))), CAUSE_OTHER);
        if (s->S > 0.6 && chance(r, 0.15)) { /* advocacy */
            int64_t at = daytime(r, day_of(t + (int64_t)(unif_in(r, 0.1, 0.5) * (double)gap)));
            add_ev(s, at, chance(r, 0.6) ? TP_REVIEW : TP_SOCIAL_SHARE, K_REVIEW, IN, -1, -1, minutes(s, 3, 0.6),
                   HANDLED, 0);
        }
        if (next - s->last_nps > 150 * DAY_MS && chance(r, 0.45)) { /* relationship NPS, no touchpoint */
            int64_t at = between_hours(r, day_of(t + gap / 2), 10, 20);
            int v = nps_score(s, 0.0);
            add_fb(s, at, Q_NPS, v, -1, -1, -1, comment_for(s, CTX_GENERAL, v <= 6 ? NEG : v <= 8 ? NEUTRAL : POS));
            s->last_nps = at;
        }
        t = daytime(r, day_of(next));
    }
    if (churned && chance(r, 0.6)) /* the company tries to win them back */
        add_ev(s, between_hours(r, day_of(last_active) + (int64_t)unif_in(r, 45, 90) * DAY_MS, 9, 18), TP_WINBACK,
               K_MESSAGE, OUT, -1, -1, 0, HANDLED, 0);
}

/* ---- writing one customer ---------------------------------------------- */

/* Sorts idx[0..n) by key time (stable: ties keep index order). Insertion
 * sort: a customer's records are few and mostly in order already. */
static void sort_by_time(uint16_t *idx, int n, const void *base, size_t stride)
{
    const char *b = base;
    for (int i = 0; i < n; i++)
        idx[i] = (uint16_t)i;
    for (int i = 1; i < n; i++) {
        uint16_t v = idx[i];
        int64_t tv = *(const int64_t *)(const void *)(b + v * stride);
        int j = i;
        while (j > 0 && *(const int64_t *)(const void *)(b + idx[j - 1] * stride) > tv) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

typedef struct outs {
    out cu, tp, ca, in, qu, fb, tr, ce;
} outs;

static void o_case_id(out *o, uint64_t n)
{
    o_str(o, "TKT-");
    o_u64(o, 100000 + n);
}

static void o_customer_id(out *o, uint64_t k)
{
    o_str(o, "C-");
    o_u64(o, 100001 + k);
}

/* The id of an event: a prefix ("I-", "F-", "X-") and its 1-based number in
 * its file, at least six digits ("I-000123"). Numbers follow the rows, so an
 * id never changes for the same seed, and customer k's ids are the same in
 * the demo and in a --scale-events run. */
static void o_event_id(out *o, const char *prefix, uint64_t n)
{
    o_str(o, prefix);
    for (uint64_t p = 100000; p > 1 && n < p; p /= 10)
        o_chr(o, '0');
    o_u64(o, n);
}

static void write_customer(outs *w, sim *s, uint64_t k, int64_t acquired, int seg, int plan, int region,
                           uint64_t *case_base, uint64_t *ev_base, uint64_t *fb_base, uint64_t *tx_base)
{
    rng *r = &s->r; /* names drawn after the simulation: they do not change it */
    out *o = &w->cu;
    o_customer_id(o, k);
    o_chr(o, ',');
    o_str(o, segments[seg]);
    o_chr(o, ',');
    if (!chance(r, 0.01)) /* a few regions unknown */
        o_str(o, regions[region]);
    o_chr(o, ',');
    o_str(o, plans[plan]);
    o_chr(o, ',');
    if (!chance(r, 0.01)) /* a few acquisition dates lost in a CRM migration */
        o_time(o, acquired);
    o_chr(o, ',');
    bool arabic = chance(r, 0.85);
    if (arabic) {
        char name[160];
        if (chance(r, 0.02)) /* a nickname in quotes */
            snprintf(name, sizeof name, "%s \"أبو %s\" %s", ar_first[below(r, 10)], ar_first[below(r, 10)],
                     ar_last[below(r, COUNT(ar_last))]);
        else
            snprintf(name, sizeof name, "%s %s", ar_first[below(r, COUNT(ar_first))], ar_last[below(r, COUNT(ar_last))]);
        o_text(o, name);
        o_str(o, chance(r, 0.95) ? ",ar" : ",en");
    } else {
        const char *f = lat_first[below(r, COUNT(lat_first))], *l = lat_last[below(r, COUNT(lat_last))];
        char name[80];
        if (chance(r, 0.2)) /* "Last, First" as some CRMs keep it */
            snprintf(name, sizeof name, "%s, %s", l, f);
        else
            snprintf(name, sizeof name, "%s %s", f, l);
        o_text(o, name);
        o_str(o, ",en");
    }
    o_end_row(o);

    /* cases, by opening time */
    sort_by_time(s->case_perm, s->ncase, s->cases, sizeof s->cases[0]);
    for (int i = 0; i < s->ncase; i++)
        s->case_rank[s->case_perm[i]] = (uint16_t)i;
    o = &w->ca;
    for (int i = 0; i < s->ncase; i++) {
        const kase *c = &s->cases[s->case_perm[i]];
        o_case_id(o, *case_base + (uint64_t)i);
        o_chr(o, ',');
        o_customer_id(o, k);
        o_chr(o, ',');
        o_str(o, touchpoints[c->tp].channel);
        o_chr(o, ',');
        o_str(o, priorities[c->prio]);
        o_chr(o, ',');
        o_str(o, agents[c->agent].name);
        o_chr(o, ',');
        o_time(o, c->opened);
        o_chr(o, ',');
        if (c->first >= 0)
            o_time(o, c->first);
        o_chr(o, ',');
        if (c->resolved >= 0)
            o_time(o, c->resolved);
        o_chr(o, ',');
        o_u64(o, (uint64_t)c->reopens);
        o_chr(o, ',');
        o_u64(o, (uint64_t)c->contacts);
        o_end_row(o);
    }

    /* the cases' status changes, case by case: each cycle's opening and
     * resolution, agreeing with cases.csv (its opened, last resolution and
     * reopens) */
    o = &w->ce;
    for (int i = 0; i < s->ncase; i++) {
        const kase *c = &s->cases[s->case_perm[i]];
        for (int y = 0; y <= c->reopens; y++) {
            o_case_id(o, *case_base + (uint64_t)i);
            o_chr(o, ',');
            o_time(o, y ? c->reopenings[y - 1] : c->opened);
            o_str(o, y ? ",reopened" : ",opened");
            o_end_row(o);
            if (c->cycle_res[y] < 0)
                break;
            o_case_id(o, *case_base + (uint64_t)i);
            o_chr(o, ',');
            o_time(o, c->cycle_res[y]);
            o_str(o, ",resolved");
            o_end_row(o);
        }
    }

    /* interactions, by time */
    sort_by_time(s->perm, s->nev, s->evs, sizeof s->evs[0]);
    for (int i = 0; i < s->nev; i++)
        s->ev_rank[s->perm[i]] = (uint16_t)i;
    o = &w->in;
    for (int i = 0; i < s->nev; i++) {
        const ev *e = &s->evs[s->perm[i]];
        o_event_id(o, "I-", *ev_base + (uint64_t)i + 1);
        o_chr(o, ',');
        o_customer_id(o, k);
        o_chr(o, ',');
        o_str(o, touchpoints[e->tp].name);
        o_chr(o, ',');
        o_time(o, e->t);
        o_chr(o, ',');
        o_str(o, kinds[e->kind]);
        o_chr(o, ',');
        o_str(o, directions[e->dir]);
        o_chr(o, ',');
        if (e->agent >= 0)
            o_str(o, agents[e->agent].name);
        o_chr(o, ',');
        if (e->case_ix >= 0)
            o_case_id(o, *case_base + s->case_rank[e->case_ix]);
        o_chr(o, ',');
        o_u64(o, (uint64_t)e->dur_ms);
        o_chr(o, ',');
        o_str(o, outcomes[e->outcome]);
        o_chr(o, ',');
        o_cents(o, e->cents);
        o_end_row(o);
    }

    /* survey answers, by time */
    sort_by_time(s->fb_perm, s->nfb, s->fbs, sizeof s->fbs[0]);
    o = &w->fb;
    for (int i = 0; i < s->nfb; i++) {
        const fb *f = &s->fbs[s->fb_perm[i]];
        o_event_id(o, "F-", *fb_base + (uint64_t)i + 1);
        o_chr(o, ',');
        o_customer_id(o, k);
        o_chr(o, ',');
        o_str(o, questions[f->q]);
        o_chr(o, ',');
        o_u64(o, (uint64_t)f->score);
        o_chr(o, ',');
        o_time(o, f->t);
        o_chr(o, ',');
        if (f->tp >= 0)
            o_str(o, touchpoints[f->tp].name);
        o_chr(o, ',');
        if (f->ev_ix >= 0) /* the id of the interaction it rates */
            o_event_id(o, "I-", *ev_base + s->ev_rank[f->ev_ix] + 1);
        o_chr(o, ',');
        if (f->case_ix >= 0)
            o_case_id(o, *case_base + s->case_rank[f->case_ix]);
        o_chr(o, ',');
        if (f->comment)
            o_text(o, f->comment);
        o_end_row(o);
    }

    /* purchases (already in time order) */
    o = &w->tr;
    for (int i = 0; i < s->ntx; i++) {
        o_event_id(o, "X-", *tx_base + (uint64_t)i + 1);
        o_chr(o, ',');
        o_customer_id(o, k);
        o_chr(o, ',');
        o_time(o, s->txs[i].t);
        o_chr(o, ',');
        o_cents(o, s->txs[i].cents);
        o_end_row(o);
    }
    *case_base += (uint64_t)s->ncase;
    *ev_base += (uint64_t)s->nev;
    *fb_base += (uint64_t)s->nfb;
    *tx_base += (uint64_t)s->ntx;
}

/* ---- main -------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: gen-demo [--seed S] [--customers N] [--scale-events N] OUT_DIR\n"
                    "  --seed S          PRNG seed (default 20240101); same seed, same bytes\n"
                    "  --customers N     number of customers (default 3000)\n"
                    "  --scale-events N  generate customers until interactions.csv has about N rows\n"
                    "                    (about 12 per customer; overrides --customers)\n");
    exit(2);
}

static uint64_t parse_count(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-') {
        fprintf(stderr, "gen-demo: %s '%s' is not a non-negative integer\n", what, s);
        exit(2);
    }
    return (uint64_t)v;
}

static sim the_sim; /* one customer at a time, reused */

int main(int argc, char **argv)
{
    uint64_t seed = 20240101, ncust = 3000, scale = 0;
    bool scaled = false;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = parse_count(argv[++i], "seed");
        else if (strcmp(argv[i], "--customers") == 0 && i + 1 < argc)
            ncust = parse_count(argv[++i], "customer count");
        else if (strcmp(argv[i], "--scale-events") == 0 && i + 1 < argc)
            scale = parse_count(argv[++i], "event count"), scaled = true;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            usage();
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else
            usage();
    }
    if (!dir)
        usage();
    errno = 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        die("cannot create directory", dir);

    static outs w;
    o_open(&w.cu, dir, "customers", "id,segment,region,plan,acquired,name,language");
    o_open(&w.tp, dir, "touchpoints", "name,channel,stage,kind,key,weight");
    o_open(&w.ca, dir, "cases", "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts");
    o_open(&w.in, dir, "interactions", "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value");
    o_open(&w.qu, dir, "questions", "name,metric,scale_min,scale_max,higher_is_better");
    o_open(&w.fb, dir, "feedback", "id,customer,question,score,time,touchpoint,interaction,case,comment");
    o_open(&w.tr, dir, "transactions", "id,customer,time,amount");
    o_open(&w.ce, dir, "case_events", "case,time,event");

    for (int i = 0; i < TP_COUNT; i++) {
        const struct touchpoint *t = &touchpoints[i];
        char line[256];
        snprintf(line, sizeof line, "%s,%s,%s,%s,%d,%g", t->name, t->channel, t->stage, t->kind, t->key, t->weight);
        o_str(&w.tp, line);
        o_end_row(&w.tp);
    }
    /* nps, csat and ces are built into every store; these two are not */
    o_str(&w.qu, "ces_5,ces,1,5,0");
    o_end_row(&w.qu);
    o_str(&w.qu, "delivery_on_time,custom,0,1,1");
    o_end_row(&w.qu);

    uint64_t case_base = 1, ev_base = 0, fb_base = 0, tx_base = 0;
    for (uint64_t k = 0; scaled ? w.in.rows < scale : k < ncust; k++) {
        int64_t acquired;
        int seg, plan, region;
        customer(&the_sim, seed, k, &acquired, &seg, &plan, &region);
        write_customer(&w, &the_sim, k, acquired, seg, plan, region, &case_base, &ev_base, &fb_base, &tx_base);
    }

    out *all[] = {&w.cu, &w.tp, &w.ca, &w.in, &w.qu, &w.fb, &w.tr, &w.ce};
    for (int i = 0; i < COUNT(all); i++)
        o_close(all[i]);
    printf("gen-demo: seed %llu, wrote to %s/:\n", (unsigned long long)seed, dir);
    for (int i = 0; i < COUNT(all); i++)
        printf("  %-28s %10llu rows\n", strrchr(all[i]->path, '/') + 1, (unsigned long long)all[i]->rows);
    return 0;
}
