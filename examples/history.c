/*
 * Example: build a small store, print one customer's omnichannel history
 * (every interaction, case, survey answer and purchase, across channels, in
 * time order), and show how errors are reported.
 *
 * Usage: cx-history [CUSTOMER_ID] [UTC_OFFSET_MINUTES]
 *        (defaults: the customer "C-1001", offset +03:00)
 */
#include <cxkit/cxkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stops the example with the library's message when a call fails. */
#define CHECK(call)                                                                 \
    do {                                                                            \
        int rc_ = (call);                                                           \
        if (rc_ != CX_OK) {                                                         \
            fprintf(stderr, "%s failed: %s (%s)\n", #call, cx_last_error(),         \
                    cx_strerror(rc_));                                              \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

static cx_time at(const char *iso)
{
    cx_time t;
    CHECK(cx_time_parse(&t, iso, strlen(iso)));
    return t;
}

static void build(cx_store *s)
{
    CHECK(cx_customer_add(s, "C-1001", "consumer", "الرياض", "premium", at("2024-01-15")));
    CHECK(cx_customer_add(s, "C-1002", "business", "جدة", "basic", at("2024-02-01")));
    CHECK(cx_customer_set_attribute(s, "C-1001", "name", "سارة العتيبي"));
    CHECK(cx_customer_set_attribute(s, "C-1001", "language", "ar"));

    CHECK(cx_touchpoint_add(s, "instagram_ad", "ads", "awareness", "marketing", 0, 1.0));
    CHECK(cx_touchpoint_add(s, "website", "web", "consideration", "sales", 1, 2.0));
    CHECK(cx_touchpoint_add(s, "checkout", "web", "purchase", "sales", 1, 3.0));
    CHECK(cx_touchpoint_add(s, "delivery", "delivery", "purchase", "logistics", 1, 3.0));
    CHECK(cx_touchpoint_add(s, "support_phone", "phone", "service", "service", 1, 2.0));
    CHECK(cx_touchpoint_add(s, "support_whatsapp", "whatsapp", "service", "service", 1, 2.0));
    CHECK(cx_touchpoint_add(s, "help_center", "self_service", "service", "self_service", 0, 1.0));

    /* The journey: an ad, the site, a purchase, a late delivery, then a
     * service case that moves from WhatsApp to the phone. */
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1001", "instagram_ad", at("2024-03-01T09:12:00+03:00"), "view",
                             CX_OUTBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1001", "website", at("2024-03-01T20:40:00+03:00"), "visit",
                             CX_INBOUND, NULL, NULL, 310000, CX_HANDLED, 0));
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1001", "checkout", at("2024-03-02T10:05:00+03:00"), "purchase",
                             CX_INBOUND, NULL, NULL, 95000, CX_HANDLED, 420.0));
    CHECK(cx_transaction_add(NULL, s, NULL, "C-1001", at("2024-03-02T10:05:00+03:00"), 420.0));
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1001", "delivery", at("2024-03-09T16:30:00+03:00"), "delivery",
                             CX_OUTBOUND, NULL, NULL, 0, CX_HANDLED, 0));

    CHECK(cx_case_add(s, "T-77", "C-1001", "whatsapp", "high", "نورة", at("2024-03-09T17:00:00+03:00"),
                      at("2024-03-09T17:45:00+03:00"), CX_TIME_NONE, 0, 1));
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1001", "support_whatsapp", at("2024-03-09T17:00:00+03:00"),
                             "contact", CX_INBOUND, "نورة", "T-77", 540000, CX_HANDLED, 0));
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1001", "support_phone", at("2024-03-10T11:20:00+03:00"), "contact",
                             CX_INBOUND, NULL, "T-77", 0, CX_MISSED, 0));
    CHECK(cx_interaction_add(NULL, s, "CALL-3", "C-1001", "support_phone", at("2024-03-10T11:35:00+03:00"),
                             "contact", CX_INBOUND, "خالد", "T-77", 720000, CX_HANDLED, 0));
    CHECK(cx_case_update(s, "T-77", at("2024-03-09T17:45:00+03:00"), at("2024-03-10T11:47:00+03:00"), 0, 3));
    CHECK(cx_feedback_add(NULL, s, NULL, "C-1001", "csat", 2, at("2024-03-10T12:00:00+03:00"), "support_phone",
                          "CALL-3", "T-77", "التوصيل تأخر أسبوعاً والاتصال الأول لم يُرد عليه"));
    CHECK(cx_feedback_add(NULL, s, NULL, "C-1001", "nps", 6, at("2024-03-11T09:00:00+03:00"), NULL, NULL,
                          NULL, NULL));
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1001", "help_center", at("2024-03-20T08:00:00+03:00"), "view",
                             CX_INBOUND, NULL, NULL, 60000, CX_HANDLED, 0));

    /* Another customer, so the history has something to leave out. */
    CHECK(cx_interaction_add(NULL, s, NULL, "C-1002", "website", at("2024-03-05T12:00:00+03:00"), "visit",
                             CX_INBOUND, NULL, NULL, 120000, CX_HANDLED, 0));
}

static const char *str(const cx_store *s, int table, int col, size_t row)
{
    const char *v;
    CHECK(cx_store_get_string(&v, s, table, col, row));
    return v ? v : "-";
}

static void print_history(const cx_store *s, const char *customer, int offset)
{
    cx_history *h;
    CHECK(cx_history_new(&h, s, customer, CX_TIME_NONE, CX_TIME_NONE));
    const char *name;
    CHECK(cx_customer_get_attribute(&name, s, customer, "name"));
    size_t row;
    CHECK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, customer));
    printf("Omnichannel history of %s (%s), segment %s, region %s: %zu entries\n", customer,
           name ? name : "no name", str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, row),
           str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_REGION, row), cx_history_count(h));
    for (size_t i = 0; i < cx_history_count(h); i++) {
        int table;
        size_t r;
        cx_time t;
        char when[CX_TIME_FORMAT_MAX];
        CHECK(cx_history_table(&table, h, i));
        CHECK(cx_history_row(&r, h, i));
        CHECK(cx_history_time(&t, h, i));
        CHECK(cx_time_format(when, sizeof when, t, offset));
        switch (table) {
        case CX_TABLE_INTERACTIONS: {
            size_t tp;
            int64_t tpi, dur;
            CHECK(cx_store_get_int(&tpi, s, table, CX_INTERACTION_TOUCHPOINT, r));
            tp = (size_t)tpi;
            CHECK(cx_store_get_int(&dur, s, table, CX_INTERACTION_DURATION, r));
            printf("  %s  %-12s %-10s %-17s %-8s %-9s agent %-6s case %-5s %4lld s\n", when, "interaction",
                   str(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_CHANNEL, tp),
                   str(s, table, CX_INTERACTION_TOUCHPOINT, r), str(s, table, CX_INTERACTION_KIND, r),
                   str(s, table, CX_INTERACTION_OUTCOME, r), str(s, table, CX_INTERACTION_AGENT, r),
                   str(s, table, CX_INTERACTION_CASE, r), (long long)(dur / 1000));
            break;
        }
        case CX_TABLE_CASES: {
            int64_t resolved, contacts;
            CHECK(cx_store_get_int(&resolved, s, table, CX_CASE_RESOLVED, r));
            CHECK(cx_store_get_int(&contacts, s, table, CX_CASE_CONTACTS, r));
            printf("  %s  %-12s %-10s case %s, priority %s, %s, %lld contacts\n", when, "case opened",
                   str(s, table, CX_CASE_CHANNEL, r), str(s, table, CX_CASE_ID, r),
                   str(s, table, CX_CASE_PRIORITY, r), resolved == CX_TIME_NONE ? "open" : "resolved",
                   (long long)contacts);
            break;
        }
        case CX_TABLE_FEEDBACK: {
            double score;
            CHECK(cx_store_get_real(&score, s, table, CX_FEEDBACK_SCORE, r));
            printf("  %s  %-12s %-10s %s = %g on %s, interaction %s: %s\n", when, "feedback",
                   str(s, table, CX_FEEDBACK_TOUCHPOINT, r), str(s, table, CX_FEEDBACK_QUESTION, r), score,
                   str(s, table, CX_FEEDBACK_CASE, r), str(s, table, CX_FEEDBACK_INTERACTION, r),
                   str(s, table, CX_FEEDBACK_COMMENT, r));
            break;
        }
        case CX_TABLE_TRANSACTIONS: {
            double amount;
            CHECK(cx_store_get_real(&amount, s, table, CX_TRANSACTION_AMOUNT, r));
            printf("  %s  %-12s %.2f\n", when, "purchase", amount);
            break;
        }
        }
    }
    cx_history_free(h);
}

/* Bad input is refused with a message naming the record and the field, and
 * the store is left as it was. */
static void show_errors(cx_store *s)
{
    size_t before, after;
    CHECK(cx_store_rows(&before, s, CX_TABLE_CASES));
    printf("\nError handling (each call is refused, nothing changes):\n");
    int rc = cx_case_add(s, "T-78", "C-1001", "phone", "high", NULL, at("2024-03-12T10:00:00Z"),
                         CX_TIME_NONE, at("2024-03-11T10:00:00Z"), 0, 1);
    printf("  %-11s %s\n", cx_strerror(rc), cx_last_error());
    rc = cx_feedback_add(NULL, s, NULL, "C-1001", "nps", 11, at("2024-03-12T10:00:00Z"), NULL, NULL, NULL,
                         NULL);
    printf("  %-11s %s\n", cx_strerror(rc), cx_last_error());
    rc = cx_interaction_add(NULL, s, NULL, "C-9999", "website", at("2024-03-12T10:00:00Z"), NULL, CX_INBOUND, NULL,
                            NULL, 0, CX_HANDLED, 0);
    printf("  %-11s %s\n", cx_strerror(rc), cx_last_error());
    rc = cx_touchpoint_add(s, "fax", "telefax", "service", NULL, 0, 1);
    printf("  %-11s %s\n", cx_strerror(rc), cx_last_error());
    cx_time t;
    rc = cx_time_parse(&t, "2024-02-30T10:00", 16);
    printf("  %-11s %s\n", cx_strerror(rc), cx_last_error());
    CHECK(cx_store_rows(&after, s, CX_TABLE_CASES));
    printf("  cases before: %zu, after: %zu\n", before, after);
}

int main(int argc, char **argv)
{
    const char *customer = argc > 1 ? argv[1] : "C-1001";
    int offset = argc > 2 ? atoi(argv[2]) : 180;
    if (cx_version() / 1000000 != CX_VERSION_MAJOR) {
        fprintf(stderr, "compiled against cxkit %s but running with %s\n", CX_VERSION_STRING,
                cx_version_string());
        return 1;
    }
    cx_store *s;
    CHECK(cx_store_new(&s));
    build(s);
    printf("cxkit %s\n\n", cx_version_string());
    cx_history *probe;
    int rc = cx_history_new(&probe, s, customer, CX_TIME_NONE, CX_TIME_NONE);
    if (rc) {
        fprintf(stderr, "%s\n", cx_last_error());
        cx_store_free(s);
        return 2;
    }
    cx_history_free(probe);
    print_history(s, customer, offset);
    show_errors(s);
    size_t bytes;
    CHECK(cx_store_memory(&bytes, s));
    printf("\nstore memory: %zu bytes\n", bytes);
    cx_store_free(s);
    return 0;
}
