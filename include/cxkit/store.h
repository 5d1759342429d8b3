/**
 * @file store.h
 * @brief The store: customers, touchpoints, interactions, service cases,
 *        survey questions, feedback and transactions, held column-wise in memory.
 */
#ifndef CXKIT_STORE_H
#define CXKIT_STORE_H

#include "cxkit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup store Store: the customer data model
 *
 * A ::cx_store owns every record. It is an opaque handle with its own
 * allocator and no shared state, so any number of stores live side by side.
 *
 * **Threads.** CXKit takes no locks and keeps no global mutable state (each
 * thread's last error is its own), so:
 * - Different stores, and the handles made from them, may be used from
 *   different threads freely: they share nothing.
 * - One store may be read by many threads at once. The calls that take a
 *   `const cx_store *` only read it and may run at the same time from any
 *   number of threads, as long as no thread meanwhile calls anything that
 *   takes the store as `cx_store *` (the adds, `_put` and update calls,
 *   imports, cx_vocab_define(), cx_store_reserve(), cx_store_compact(),
 *   cx_customer_forget(), cx_store_pseudonymize(), cx_store_free()). Those need the store to
 *   themselves. The read-only calls are the getters and finds
 *   (cx_store_rows(), cx_store_find(), cx_store_get_string() and its
 *   siblings, cx_vocab_count(), cx_vocab_name(), cx_vocab_find(),
 *   cx_customer_get_attribute(), cx_store_memory()), cx_history_new(),
 *   cx_store_clone(), cx_export_csv(), cx_export_jsonl(), cx_db_save(), and
 *   every analysis of a store: queries (cx_query_new(), cx_query_run()),
 *   journeys and funnels, cohorts, survival, RFM, summaries, the health
 *   score and the care list. They write nothing into the store: no cache,
 *   counter, sort order or scratch space (`tests/test_threads.c` checks
 *   this under ThreadSanitizer, results compared bit for bit), with two
 *   exceptions: the first cx_history_new() after a change builds an index
 *   of every customer's interactions, cases and transactions that the
 *   store keeps until the next change, and after cx_store_compact() the
 *   first find of an interaction, feedback or transaction by id
 *   (cx_store_find()) builds the index of that table's ids, and the first
 *   read of such an id as text makes the text of that table's ids, each
 *   kept until the next change. Readers that ask at once from several threads may
 *   each build one; the first one published stays (an atomic compare and
 *   swap), the others are freed, so the result is the same.
 * - Handles made from a store (queries, journeys, funnels, summaries,
 *   histories, journeys options) read it while they live: the store must
 *   outlive them and must not change while they are used.
 * - Every other handle follows the same rule as the store: once set up,
 *   the calls that take it `const` (running a query, the analyses of a
 *   journeys handle or funnel, the getters of a summary, survival curve,
 *   model, model data or history, the calls of a calendar or a result,
 *   an import given options) may run on it from several threads at once;
 *   a call that takes it non-const (its setters, cx_result_pseudonymize(),
 *   cx_monitor_read(), its `_free`) needs it to itself.
 * - The allocator: read-only calls on a shared store allocate from the
 *   store's allocator at the same time, and a result or handle may be freed
 *   by another thread than the one that made it. An allocator shared by
 *   threads (through one store or through several) must be safe to call
 *   from all of them at once; malloc, the default, is.
 * - SQLite: every cx_db_ call opens a connection of its own and closes it
 *   before returning (see @ref db).
 *
 * **Failure.** Every add or update call checks all of its arguments and
 * reserves all the memory it needs before it changes anything, so a call that
 * fails leaves the store exactly as it was.
 *
 * **Strings** are NUL-terminated UTF-8 (checked; any script, stored byte for
 * byte) and compared byte for byte. Strings returned by the store are
 * borrowed: they stay valid until the store is freed, except the ids of
 * records cx_customer_forget() erases and the ids of interactions,
 * feedback and transactions read before a cx_store_compact().
 *
 * **Rows** of every table are numbered from 0 in the order they were added.
 * They move only when cx_customer_forget() removes rows: the rows after
 * them move up, keeping their order. A table holds at most 2^32 - 2 rows.
 * Rows are an internal detail: records refer to each other by id.
 *
 * **Ids.** Customers, cases, touchpoints (by name) and questions (by name)
 * always have an id; interactions, feedback and transactions may carry the
 * source system's id (unique within their table). Feedback links to the
 * interaction it rates by that interaction's id, interactions and feedback
 * to cases by case id, everything to its customer by customer id. Records
 * with ids can be synchronised: the `_put` calls (cx_customer_put(), ...)
 * add a record that is new and replace one that exists, and
 * cx_import_options_set_existing() makes imports do the same.
 *
 * **Memory.** Every byte CXKit allocates for a store's work comes from the
 * store's allocator (the one given to cx_store_new_with_allocator() or
 * cx_db_load_with_allocator(); malloc, realloc and free for cx_store_new()),
 * always with the exact size (see ::cx_alloc_fn):
 * - the store itself: columns, names, indexes (what cx_store_memory() counts);
 * - what calls on the store allocate, each with a count of its own, freed
 *   with the object: queries and their results (cx_query_new(),
 *   cx_query_run()), histories, the results of analyses, and the buffers,
 *   attribute names and report of an import into the store
 *   (cx_import_csv(), cx_import_jsonl(); a report keeps the allocator, and
 *   may outlive the store while the allocator stays valid);
 * - the 1 MiB write buffer of cx_export_csv() and cx_export_jsonl(), and
 *   the reject file's buffer of an import, given to the C library with
 *   setvbuf() so that it allocates no stdio buffer of its own.
 *
 * Objects made without a store use the allocator they were created with:
 * import options (cx_import_options_new_with_allocator(), whose allocator
 * cx_db_import_csv() also uses for everything it allocates), calendars
 * (cx_calendar_new_with_allocator()), monitors
 * (cx_monitor_new_with_allocator()); results merged with cx_result_merge()
 * use the allocator of its first input, and cx_result_deserialize() uses malloc.
 *
 * The exceptions, memory that libraries below CXKit allocate with their own
 * process-wide allocators, which CXKit never changes (an application that
 * wants them elsewhere sets them itself, before any call):
 * - the C library's `FILE` of each file a call opens (fopen());
 * - Jansson's parse of each JSON Lines line: see cx_import_jsonl();
 * - SQLite's memory in the cx_db_ calls: see @ref db.
 *
 * Read-only calls (those taking a `const cx_store *`) that allocate, such
 * as queries and exports, may run in several threads at once (see
 * **Threads**): the allocator must then be safe to call from those threads
 * at the same time.
 * @{ */

/** An opaque store of customer-experience data. */
typedef struct cx_store cx_store;

/** The tables of a store. Values are stable. */
typedef enum cx_table {
    CX_TABLE_CUSTOMERS = 0,    /**< Customers, keyed by the CRM's id. */
    CX_TABLE_TOUCHPOINTS = 1,  /**< Touchpoints, keyed by name. */
    CX_TABLE_INTERACTIONS = 2, /**< Interactions of customers with touchpoints. */
    CX_TABLE_CASES = 3,        /**< Service cases (tickets), keyed by id. */
    CX_TABLE_QUESTIONS = 4,    /**< Survey questions with their scales, keyed by name. */
    CX_TABLE_FEEDBACK = 5,     /**< Survey answers. */
    CX_TABLE_TRANSACTIONS = 6  /**< Purchases. */
} cx_table;

/** Number of tables. */
#define CX_TABLE_COUNT 7

/** What a `_put` call (or a synchronising import) did with a record. Values are stable. */
typedef enum cx_change {
    CX_ADDED = 0,    /**< The record was new: it was added. */
    CX_UPDATED = 1,  /**< A record with its id existed and differed: it was replaced. */
    CX_UNCHANGED = 2 /**< A record with its id existed with the same values: nothing changed. */
} cx_change;

/** The type of a column, as read by the getters. */
typedef enum cx_type {
    CX_TYPE_STRING = 1, /**< Text: read with cx_store_get_string(); cx_store_get_int() gives its code (see there). */
    CX_TYPE_INT = 2,    /**< Integer: read with cx_store_get_int() or cx_store_get_real(). */
    CX_TYPE_REAL = 3,   /**< Floating point: read with cx_store_get_real(). */
    CX_TYPE_TIME = 4    /**< A ::cx_time: read with cx_store_get_int(); ::CX_TIME_NONE when missing. */
} cx_type;

/** Columns of ::CX_TABLE_CUSTOMERS. */
typedef enum cx_customer_column {
    CX_CUSTOMER_ID = 0,      /**< string: the CRM's id. */
    CX_CUSTOMER_SEGMENT = 1, /**< string, optional. */
    CX_CUSTOMER_REGION = 2,  /**< string, optional. */
    CX_CUSTOMER_PLAN = 3,    /**< string, optional. */
    CX_CUSTOMER_ACQUIRED = 4 /**< time, optional: when the customer was acquired. */
} cx_customer_column;

/** Columns of ::CX_TABLE_TOUCHPOINTS. */
typedef enum cx_touchpoint_column {
    CX_TOUCHPOINT_NAME = 0,    /**< string: unique name. */
    CX_TOUCHPOINT_CHANNEL = 1, /**< string: a name of ::CX_VOCAB_CHANNEL. */
    CX_TOUCHPOINT_STAGE = 2,   /**< string: a name of ::CX_VOCAB_STAGE. */
    CX_TOUCHPOINT_KIND = 3,    /**< string, optional: a name of ::CX_VOCAB_TOUCHPOINT_KIND. */
    CX_TOUCHPOINT_KEY = 4,     /**< int: 1 for a key touchpoint, else 0. */
    CX_TOUCHPOINT_WEIGHT = 5   /**< real: importance weight, >= 0. */
} cx_touchpoint_column;

/** Columns of ::CX_TABLE_INTERACTIONS. */
typedef enum cx_interaction_column {
    CX_INTERACTION_CUSTOMER = 0,   /**< string: customer id (code: customer row). */
    CX_INTERACTION_TOUCHPOINT = 1, /**< string: touchpoint name (code: touchpoint row). */
    CX_INTERACTION_TIME = 2,       /**< time. */
    CX_INTERACTION_KIND = 3,       /**< string, optional: a name of ::CX_VOCAB_INTERACTION_KIND. */
    CX_INTERACTION_DIRECTION = 4,  /**< string: "inbound" or "outbound" (code: ::cx_direction). */
    CX_INTERACTION_AGENT = 5,      /**< string, optional: a name of ::CX_VOCAB_AGENT. */
    CX_INTERACTION_CASE = 6,       /**< string, optional: case id (code: case row). */
    CX_INTERACTION_DURATION = 7,   /**< int: duration in milliseconds, >= 0. */
    CX_INTERACTION_OUTCOME = 8,    /**< string: "handled", "missed" or "abandoned" (code: ::cx_outcome). */
    CX_INTERACTION_VALUE = 9,      /**< real: monetary value, 0 when none. */
    CX_INTERACTION_ID = 10         /**< string, optional: the source system's id, unique among interactions (no code). */
} cx_interaction_column;

/** Columns of ::CX_TABLE_CASES. */
typedef enum cx_case_column {
    CX_CASE_ID = 0,             /**< string: the helpdesk's id. */
    CX_CASE_CUSTOMER = 1,       /**< string: customer id (code: customer row). */
    CX_CASE_CHANNEL = 2,        /**< string: a name of ::CX_VOCAB_CHANNEL. */
    CX_CASE_PRIORITY = 3,       /**< string, optional: a name of ::CX_VOCAB_PRIORITY. */
    CX_CASE_AGENT = 4,          /**< string, optional: a name of ::CX_VOCAB_AGENT. */
    CX_CASE_OPENED = 5,         /**< time. */
    CX_CASE_FIRST_RESPONSE = 6, /**< time, optional. */
    CX_CASE_RESOLVED = 7,       /**< time, optional: the last resolution; missing while open. */
    CX_CASE_REOPENS = 8,        /**< int: how many times the case was reopened. */
    CX_CASE_CONTACTS = 9        /**< int: number of customer contacts in the case. */
} cx_case_column;

/** Columns of ::CX_TABLE_QUESTIONS. */
typedef enum cx_question_column {
    CX_QUESTION_NAME = 0,            /**< string: unique name ("nps", "csat", "ces" are built in). */
    CX_QUESTION_METRIC = 1,          /**< string: "nps", "csat", "ces" or "custom" (code: ::cx_metric). */
    CX_QUESTION_SCALE_MIN = 2,       /**< real: lowest possible answer. */
    CX_QUESTION_SCALE_MAX = 3,       /**< real: highest possible answer. */
    CX_QUESTION_HIGHER_IS_BETTER = 4 /**< int: 1 when a high answer is good (for CES: easy), else 0. */
} cx_question_column;

/** Columns of ::CX_TABLE_FEEDBACK. */
typedef enum cx_feedback_column {
    CX_FEEDBACK_CUSTOMER = 0,    /**< string: customer id (code: customer row). */
    CX_FEEDBACK_QUESTION = 1,    /**< string: question name (code: question row). */
    CX_FEEDBACK_SCORE = 2,       /**< real: the answer, within the question's scale. */
    CX_FEEDBACK_TIME = 3,        /**< time. */
    CX_FEEDBACK_TOUCHPOINT = 4,  /**< string, optional: touchpoint name (code: touchpoint row). */
    CX_FEEDBACK_INTERACTION = 5, /**< string, optional: the id of the interaction it rates (code: its row). */
    CX_FEEDBACK_CASE = 6,        /**< string, optional: case id (code: case row). */
    CX_FEEDBACK_COMMENT = 7,     /**< string, optional: free text. */
    CX_FEEDBACK_ID = 8           /**< string, optional: the source system's id, unique among feedback (no code). */
} cx_feedback_column;

/** Columns of ::CX_TABLE_TRANSACTIONS. */
typedef enum cx_transaction_column {
    CX_TRANSACTION_CUSTOMER = 0, /**< string: customer id (code: customer row). */
    CX_TRANSACTION_TIME = 1,     /**< time. */
    CX_TRANSACTION_AMOUNT = 2,   /**< real: amount, finite and >= 0. */
    CX_TRANSACTION_ID = 3        /**< string, optional: the source system's id, unique among transactions (no code). */
} cx_transaction_column;

/** Direction of an interaction. */
typedef enum cx_direction {
    CX_INBOUND = 0, /**< Started by the customer. */
    CX_OUTBOUND = 1 /**< Proactive: started by the company. */
} cx_direction;

/** Outcome of an interaction. */
typedef enum cx_outcome {
    CX_HANDLED = 0,  /**< The contact was answered or the event completed. */
    CX_MISSED = 1,   /**< Nobody answered (a missed call). */
    CX_ABANDONED = 2 /**< The customer gave up (left the queue, the chat, the cart). */
} cx_outcome;

/** The metric a survey question measures. */
typedef enum cx_metric {
    CX_METRIC_NPS = 0,   /**< Net Promoter Score: "how likely are you to recommend us", integers 0-10. */
    CX_METRIC_CSAT = 1,  /**< Customer satisfaction. */
    CX_METRIC_CES = 2,   /**< Customer effort; the question says which end is easy. */
    CX_METRIC_CUSTOM = 3 /**< Any other question. */
} cx_metric;

/**
 * @brief Named sets of a store: the vocabularies records refer to.
 *
 * Channels, stages, touchpoint kinds and priorities are *defined* sets: a
 * record may only use a name already in the set, so a typo is an error
 * rather than a new channel. They start with built-in names (listed below)
 * and grow with cx_vocab_define(). The other sets grow by themselves as
 * records use new names.
 */
typedef enum cx_vocab {
    /** Defined. Built in: phone, email, chat, social, sms, whatsapp,
     *  self_service, chatbot, video, in_person, web, mobile_app, store, ads,
     *  delivery, packaging. */
    CX_VOCAB_CHANNEL = 0,
    /** Defined. Built in: awareness, consideration, purchase, onboarding,
     *  retention, advocacy, service. */
    CX_VOCAB_STAGE = 1,
    /** Defined. Built in: service, marketing, sales, product, self_service, logistics. */
    CX_VOCAB_TOUCHPOINT_KIND = 2,
    /** Defined. Built in: low, normal, high, urgent. */
    CX_VOCAB_PRIORITY = 3,
    /** Open. Starts with: visit, view, contact, purchase, delivery, survey. */
    CX_VOCAB_INTERACTION_KIND = 4,
    /** Open: agents who handled interactions and cases. */
    CX_VOCAB_AGENT = 5,
    /** Open: customer segments. */
    CX_VOCAB_SEGMENT = 6,
    /** Open: customer regions. */
    CX_VOCAB_REGION = 7,
    /** Open: customer plans. */
    CX_VOCAB_PLAN = 8,
    /** Open: names of free customer attributes. */
    CX_VOCAB_ATTRIBUTE = 9
} cx_vocab;

/** Number of named sets. */
#define CX_VOCAB_COUNT 10

/**
 * @brief Create an empty store using malloc, realloc and free.
 * @param[out] out the new store, to free with cx_store_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_store_new(cx_store **out);

/**
 * @brief Create an empty store whose memory all comes from `alloc`: the
 *        store's and that of the calls on it (see the **Memory** paragraph
 *        of @ref store for what exactly, and the exceptions).
 * @param[out] out   the new store, to free with cx_store_free().
 * @param[in]  alloc the allocation function (see ::cx_alloc_fn), or NULL for
 *                   malloc, realloc and free (as cx_store_new()); it is
 *                   called from whichever thread uses the store.
 * @param[in]  ud    passed to every call of `alloc` (unused when `alloc` is
 *                   NULL).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_store_new_with_allocator(cx_store **out, cx_alloc_fn alloc, void *ud);

/**
 * @brief Free a store and everything in it.
 * @param[in] store the store, or NULL (then nothing happens).
 */
CX_EXTERN void cx_store_free(cx_store *store);

/**
 * @brief Bytes currently allocated by the store (columns, strings, indexes),
 *        not counting the index cx_history_new() keeps (see there), the
 *        index of ids a find builds after cx_store_compact() nor the text
 *        of those ids a reader makes then (see there), nor the objects
 *        calls on it allocate (queries, results, reports, an import's
 *        buffers), which count their own.
 * @param[out] out   the byte count.
 * @param[in]  store the store.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_store_memory(size_t *out, const cx_store *store);

/**
 * @brief Make room for `rows` more rows in a table's columns, so that a bulk
 *        load grows them once instead of step by step (optional).
 * @param[in] store the store.
 * @param[in] table a ::cx_table.
 * @param[in] rows  how many rows will be added.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOMEM or ::CX_ELIMIT. Nothing stored changes either way.
 */
CX_EXTERN int cx_store_reserve(cx_store *store, cx_table table, size_t rows);

/**
 * @brief Give back the memory a store keeps for changes to come, once it
 *        is loaded and will mostly be read (optional).
 *
 * Frees what the store can make again when it needs it:
 * - the room of every table's columns beyond their rows (imports and
 *   cx_store_reserve() make room ahead; the next add grows the columns
 *   again, by half);
 * - the hash index of the ids of interactions, feedback and transactions.
 *   Finding one of them by id (cx_store_find()) builds it again, once, kept
 *   apart from the store like the index of cx_history_new() (see
 *   **Threads**; cx_store_memory() leaves it out, its bytes come from the
 *   store's allocator);
 * - the text of those ids, where three in four of a table's ids are a
 *   prefix without digits and a number of 1 to 9 digits, all padded to one
 *   width (`I-000042`) or none (`T-1611868`): they are kept as numbers, 4
 *   bytes an id, the others as text. Reading one of them as text
 *   (cx_store_get_string() on the `id` column, or feedback's
 *   `interaction`; exports and cx_db_save() read them so) makes the text
 *   of that table's ids again, once, kept apart like the index (and can
 *   then fail with ::CX_ENOMEM); analyses and finds do not;
 * - the room of the columns whose rows mostly hold one value (an
 *   interaction's agent, case and value, a feedback's case, when most have
 *   none or zero): kept sparse, a bit a row and the other rows' values,
 *   where that takes half the column or less;
 * - the index cx_history_new() keeps.
 *
 * An add or `_put` of interactions, feedback or transactions, an import
 * or cx_store_reserve() takes what readers made back into the store, or
 * makes it there, and makes sparse columns columns again (it can then fail
 * with ::CX_ENOMEM, before anything stored changes; the store may then no
 * longer be compacted): the store is as before compaction until the next one. cx_customer_forget() keeps the store
 * compacted; a copy (cx_store_clone()) is not.
 *
 * Nothing stored changes: every row, id, name and value reads the same,
 * every find finds the same, and every analysis gives the same result. One
 * thing is not kept: the ids of interactions, feedback and transactions
 * borrowed before (cx_store_get_string()) are no longer valid after it;
 * read them again. A shrink the allocator refuses leaves that column as it
 * was, and without memory for the numbers the ids stay text. The figures of
 * issue 14 (`bench-memory`, 10^7 shuffled interactions of the generated
 * data, 3 x 10^6 feedback, 2.2 x 10^6 transactions): 69.5 bytes an
 * interaction loaded, 39.4 compacted, in 1.3 s of CPU.
 * @param[in] store the store.
 * @return ::CX_OK or ::CX_EINVAL (NULL).
 */
CX_EXTERN int cx_store_compact(cx_store *store);

/**
 * @brief Number of rows in a table.
 * @param[out] out   the count.
 * @param[in]  store the store.
 * @param[in]  table a ::cx_table.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_store_rows(size_t *out, const cx_store *store, cx_table table);

/**
 * @brief Find a record by its id in O(1): a customer, touchpoint, case or
 *        question, or an interaction, feedback or transaction that has one.
 * @param[out] out   its row.
 * @param[in]  store the store.
 * @param[in]  table a ::cx_table.
 * @param[in]  id    the id or name.
 * @return ::CX_OK, ::CX_ENOTFOUND or ::CX_EINVAL.
 */
CX_EXTERN int cx_store_find(size_t *out, const cx_store *store, cx_table table, const char *id);

/**
 * @brief Add a name to a named set (see ::cx_vocab); adding a name already
 *        there succeeds and changes nothing.
 * @param[out] out   the name's index in the set; may be NULL.
 * @param[in]  store the store.
 * @param[in]  set   a ::cx_vocab.
 * @param[in]  name  non-empty UTF-8.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_vocab_define(size_t *out, cx_store *store, cx_vocab set, const char *name);

/**
 * @brief Number of names in a named set.
 * @param[out] out   the count.
 * @param[in]  store the store.
 * @param[in]  set   a ::cx_vocab.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_vocab_count(size_t *out, const cx_store *store, cx_vocab set);

/**
 * @brief The name at an index of a named set.
 * @param[out] out   the name, borrowed from the store.
 * @param[in]  store the store.
 * @param[in]  set   a ::cx_vocab.
 * @param[in]  index 0 to cx_vocab_count() - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_vocab_name(const char **out, const cx_store *store, cx_vocab set, size_t index);

/**
 * @brief The index of a name in a named set.
 * @param[out] out   the index.
 * @param[in]  store the store.
 * @param[in]  set   a ::cx_vocab.
 * @param[in]  name  the name.
 * @return ::CX_OK, ::CX_ENOTFOUND or ::CX_EINVAL.
 */
CX_EXTERN int cx_vocab_find(size_t *out, const cx_store *store, cx_vocab set, const char *name);

/**
 * @brief Add a customer.
 * @param[in] store    the store.
 * @param[in] id       the CRM's id: non-empty UTF-8, unique in the store.
 * @param[in] segment  segment name, or NULL.
 * @param[in] region   region name, or NULL.
 * @param[in] plan     plan name, or NULL.
 * @param[in] acquired acquisition time in years 0000-9999 (the times ISO-8601
 *                     text names; ::CX_ERANGE otherwise), or ::CX_TIME_NONE.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS, ::CX_ERANGE, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_customer_add(cx_store *store, const char *id, const char *segment,
                              const char *region, const char *plan, cx_time acquired);

/**
 * @brief Set, replace or remove a free attribute of a customer.
 * @param[in] store    the store.
 * @param[in] customer the customer's id.
 * @param[in] key      attribute name, non-empty UTF-8, not the name of a
 *                     customer column ("id", "segment", "region", "plan",
 *                     "acquired"), which would make exported files ambiguous.
 * @param[in] value    attribute value, UTF-8 (may be empty); NULL removes the attribute.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_customer_set_attribute(cx_store *store, const char *customer,
                                        const char *key, const char *value);

/**
 * @brief Read a free attribute of a customer.
 * @param[out] out      the value, borrowed from the store; NULL when the
 *                      customer has no such attribute.
 * @param[in]  store    the store.
 * @param[in]  customer the customer's id.
 * @param[in]  key      attribute name.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOTFOUND (no such customer).
 */
CX_EXTERN int cx_customer_get_attribute(const char **out, const cx_store *store,
                                        const char *customer, const char *key);

/**
 * @brief Add a touchpoint.
 * @param[in] store   the store.
 * @param[in] name    unique name, non-empty UTF-8.
 * @param[in] channel a name of ::CX_VOCAB_CHANNEL.
 * @param[in] stage   a name of ::CX_VOCAB_STAGE.
 * @param[in] kind    a name of ::CX_VOCAB_TOUCHPOINT_KIND, or NULL.
 * @param[in] is_key  1 for a key touchpoint, 0 otherwise.
 * @param[in] weight  importance weight, finite and >= 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS, ::CX_ENOTFOUND (unknown channel,
 *         stage or kind), ::CX_ERANGE, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_touchpoint_add(cx_store *store, const char *name, const char *channel,
                                const char *stage, const char *kind, int is_key, double weight);

/**
 * @brief Add an interaction of a customer with a touchpoint.
 * @param[out] out_row     the new row; may be NULL.
 * @param[in]  store       the store.
 * @param[in]  id          the source system's id (non-empty UTF-8, unique
 *                         among interactions), or NULL for none.
 * @param[in]  customer    an existing customer's id.
 * @param[in]  touchpoint  an existing touchpoint's name.
 * @param[in]  time        when it happened (not ::CX_TIME_NONE), in years
 *                         0000-9999 (::CX_ERANGE otherwise).
 * @param[in]  kind        a name of ::CX_VOCAB_INTERACTION_KIND, or NULL.
 * @param[in]  direction   a ::cx_direction.
 * @param[in]  agent       the agent's name, or NULL.
 * @param[in]  case_id     an existing case of the same customer, or NULL.
 * @param[in]  duration_ms duration in milliseconds, >= 0.
 * @param[in]  outcome     a ::cx_outcome.
 * @param[in]  value       monetary value, finite (0 when none).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS (the id), ::CX_ENOTFOUND, ::CX_ERANGE, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_interaction_add(size_t *out_row, cx_store *store, const char *id, const char *customer,
                                 const char *touchpoint, cx_time time, const char *kind,
                                 cx_direction direction, const char *agent, const char *case_id,
                                 int64_t duration_ms, cx_outcome outcome, double value);

/**
 * @brief Add a service case.
 * @param[in] store          the store.
 * @param[in] id             the case id, non-empty UTF-8, unique.
 * @param[in] customer       an existing customer's id.
 * @param[in] channel        a name of ::CX_VOCAB_CHANNEL: where the case was opened.
 * @param[in] priority       a name of ::CX_VOCAB_PRIORITY, or NULL.
 * @param[in] agent          the agent who owns it, or NULL.
 * @param[in] opened         when it was opened (not ::CX_TIME_NONE). Every
 *                           time is in years 0000-9999 (::CX_ERANGE otherwise).
 * @param[in] first_response first answer, or ::CX_TIME_NONE; not before `opened`.
 * @param[in] resolved       final resolution, or ::CX_TIME_NONE while open;
 *                           not before `opened` nor `first_response`.
 * @param[in] reopens        times reopened, >= 0.
 * @param[in] contacts       customer contacts in the case, >= 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS, ::CX_ENOTFOUND, ::CX_ERANGE,
 *         ::CX_EORDER, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_case_add(cx_store *store, const char *id, const char *customer,
                          const char *channel, const char *priority, const char *agent,
                          cx_time opened, cx_time first_response, cx_time resolved,
                          int reopens, int contacts);

/**
 * @brief Replace the changing fields of a case (as it progresses, is resolved
 *        or reopened). The same checks as cx_case_add() apply.
 * @param[in] store          the store.
 * @param[in] id             an existing case's id.
 * @param[in] first_response first answer, or ::CX_TIME_NONE (years 0000-9999).
 * @param[in] resolved       last resolution, or ::CX_TIME_NONE when open again.
 * @param[in] reopens        times reopened, >= 0.
 * @param[in] contacts       customer contacts, >= 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND, ::CX_ERANGE or ::CX_EORDER.
 */
CX_EXTERN int cx_case_update(cx_store *store, const char *id, cx_time first_response,
                             cx_time resolved, int reopens, int contacts);

/**
 * @brief Define a survey question and the scale it is asked on.
 *
 * Built in: "nps" (NPS, 0-10), "csat" (CSAT, 1-5, higher better) and "ces"
 * (CES, 1-7, higher is easier).
 *
 * @param[in] store            the store.
 * @param[in] name             unique name, non-empty UTF-8.
 * @param[in] metric           a ::cx_metric.
 * @param[in] scale_min        lowest answer, finite.
 * @param[in] scale_max        highest answer, finite, > `scale_min`. NPS
 *                             questions must be 0 to 10.
 * @param[in] higher_is_better 1 when a high answer is good (for CES: easy), 0
 *                             when low is good; NPS questions must say 1.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS, ::CX_ERANGE, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_question_add(cx_store *store, const char *name, cx_metric metric,
                              double scale_min, double scale_max, int higher_is_better);

/**
 * @brief Add a survey answer.
 * @param[out] out_row     the new row; may be NULL.
 * @param[in]  store       the store.
 * @param[in]  id          the source system's id (non-empty UTF-8, unique
 *                         among feedback), or NULL for none.
 * @param[in]  customer    an existing customer's id.
 * @param[in]  question    an existing question's name.
 * @param[in]  score       the answer: within the question's scale (an integer for NPS).
 * @param[in]  time        when it was given (not ::CX_TIME_NONE), in years
 *                         0000-9999 (::CX_ERANGE otherwise).
 * @param[in]  touchpoint  the touchpoint it rates, or NULL.
 * @param[in]  interaction the id of the interaction it rates (same customer), or NULL.
 * @param[in]  case_id     the case it rates (same customer), or NULL.
 * @param[in]  comment     free text in UTF-8, or NULL.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS (the id), ::CX_ENOTFOUND, ::CX_ERANGE, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_feedback_add(size_t *out_row, cx_store *store, const char *id, const char *customer,
                              const char *question, double score, cx_time time,
                              const char *touchpoint, const char *interaction,
                              const char *case_id, const char *comment);

/**
 * @brief Add a purchase.
 * @param[out] out_row  the new row; may be NULL.
 * @param[in]  store    the store.
 * @param[in]  id       the source system's id (non-empty UTF-8, unique
 *                      among transactions), or NULL for none.
 * @param[in]  customer an existing customer's id.
 * @param[in]  time     when (not ::CX_TIME_NONE), in years 0000-9999
 *                      (::CX_ERANGE otherwise).
 * @param[in]  amount   finite and >= 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS (the id), ::CX_ENOTFOUND, ::CX_ERANGE, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_transaction_add(size_t *out_row, cx_store *store, const char *id, const char *customer,
                                 cx_time time, double amount);

/**
 * @brief Add many customers in one call, all or nothing.
 * Each record is checked as by cx_customer_add(); if one fails, the store is
 * left exactly as it was before the call (the message names the record).
 * Optional arrays may be NULL: every record then lacks that field.
 * @param[out] out_failed the index of the record that failed; may be NULL.
 * @param[in]  store      the store.
 * @param[in]  n          the number of records.
 * @param[in]  ids        n ids (required).
 * @param[in]  segments   n segment names (entries may be NULL), or NULL.
 * @param[in]  regions    n region names, or NULL.
 * @param[in]  plans      n plan names, or NULL.
 * @param[in]  acquired   n acquisition times, or NULL.
 * @return ::CX_OK or the first failing record's status.
 */
CX_EXTERN int cx_customer_add_batch(size_t *out_failed, cx_store *store, size_t n, const char *const *ids,
                                    const char *const *segments, const char *const *regions,
                                    const char *const *plans, const cx_time *acquired);

/**
 * @brief Add many interactions in one call, all or nothing (see
 *        cx_customer_add_batch()). Optional arrays may be NULL: no kind,
 *        inbound, no agent, no case, duration 0, handled, value 0.
 * @param[out] out_failed  the index of the record that failed; may be NULL.
 * @param[in]  store       the store.
 * @param[in]  n           the number of records.
 * @param[in]  ids         n interaction ids (entries may be NULL), or NULL.
 * @param[in]  customers   n customer ids (required).
 * @param[in]  touchpoints n touchpoint names (required).
 * @param[in]  times       n times (required).
 * @param[in]  kinds       n kinds (entries may be NULL), or NULL.
 * @param[in]  directions  n ::cx_direction values, or NULL.
 * @param[in]  agents      n agent names (entries may be NULL), or NULL.
 * @param[in]  case_ids    n case ids (entries may be NULL), or NULL.
 * @param[in]  durations   n durations in ms, or NULL.
 * @param[in]  outcomes    n ::cx_outcome values, or NULL.
 * @param[in]  values      n monetary values, or NULL.
 * @return ::CX_OK or the first failing record's status.
 */
CX_EXTERN int cx_interaction_add_batch(size_t *out_failed, cx_store *store, size_t n, const char *const *ids,
                                       const char *const *customers, const char *const *touchpoints,
                                       const cx_time *times, const char *const *kinds, const int *directions,
                                       const char *const *agents, const char *const *case_ids,
                                       const int64_t *durations, const int *outcomes, const double *values);

/**
 * @brief Add many survey answers in one call, all or nothing (see
 *        cx_customer_add_batch()).
 * @param[out] out_failed   the index of the record that failed; may be NULL.
 * @param[in]  store        the store.
 * @param[in]  n            the number of records.
 * @param[in]  ids          n feedback ids (entries may be NULL), or NULL.
 * @param[in]  customers    n customer ids (required).
 * @param[in]  questions    n question names (required).
 * @param[in]  scores       n answers (required).
 * @param[in]  times        n times (required).
 * @param[in]  touchpoints  n touchpoint names (entries may be NULL), or NULL.
 * @param[in]  interactions n interaction ids (entries may be NULL), or NULL.
 * @param[in]  case_ids     n case ids (entries may be NULL), or NULL.
 * @param[in]  comments     n comments (entries may be NULL), or NULL.
 * @return ::CX_OK or the first failing record's status.
 */
CX_EXTERN int cx_feedback_add_batch(size_t *out_failed, cx_store *store, size_t n, const char *const *ids,
                                    const char *const *customers,
                                    const char *const *questions, const double *scores, const cx_time *times,
                                    const char *const *touchpoints, const char *const *interactions,
                                    const char *const *case_ids, const char *const *comments);

/**
 * @brief Add many purchases in one call, all or nothing (see
 *        cx_customer_add_batch()).
 * @param[out] out_failed the index of the record that failed; may be NULL.
 * @param[in]  store      the store.
 * @param[in]  n          the number of records.
 * @param[in]  ids        n transaction ids (entries may be NULL), or NULL.
 * @param[in]  customers  n customer ids (required).
 * @param[in]  times      n times (required).
 * @param[in]  amounts    n amounts (required).
 * @return ::CX_OK or the first failing record's status.
 */
CX_EXTERN int cx_transaction_add_batch(size_t *out_failed, cx_store *store, size_t n, const char *const *ids,
                                       const char *const *customers,
                                       const cx_time *times, const double *amounts);

/** @} */

/** @defgroup sync Synchronising, forgetting and pseudonymising
 *
 * A CRM feeds the store again and again with records that may already be
 * there. The `_put` calls take the same arguments as the `_add` calls and
 * the record's id: a record whose id is new is added (::CX_ADDED); one
 * whose id exists is replaced by the values given, every field, NULL or
 * ::CX_TIME_NONE meaning none as in an add (::CX_UPDATED), unless they are
 * its values already (::CX_UNCHANGED). So putting the final state of every
 * record, in any order and as often as wanted, gives the store a fresh add
 * of that final state would give. An event without an id (NULL) cannot be
 * matched: it is added.
 *
 * A replacement keeps the record's row and is checked like an add, and also
 * against the records that refer to it: a case cannot move to another
 * customer while interactions or feedback of the first one refer to it, an
 * interaction cannot while feedback rates it, and a question's scale cannot
 * change so that an answer already given falls outside it. A refused put
 * changes nothing. cx_db_save() writes replaced records to the file.
 * @{ */

/**
 * @brief Add a customer, or replace the segment, region, plan and
 *        acquisition time of the one with this id (its attributes stay).
 * @param[out] out_change a ::cx_change; may be NULL.
 * @param store, id, segment, region, plan, acquired as cx_customer_add().
 * @return as cx_customer_add(), never ::CX_EEXISTS.
 */
CX_EXTERN int cx_customer_put(int *out_change, cx_store *store, const char *id, const char *segment,
                              const char *region, const char *plan, cx_time acquired);

/**
 * @brief Add a touchpoint, or replace the one with this name.
 * @param[out] out_change a ::cx_change; may be NULL.
 * @param store, name, channel, stage, kind, is_key, weight as cx_touchpoint_add().
 * @return as cx_touchpoint_add(), never ::CX_EEXISTS.
 */
CX_EXTERN int cx_touchpoint_put(int *out_change, cx_store *store, const char *name, const char *channel,
                                const char *stage, const char *kind, int is_key, double weight);

/**
 * @brief Add an interaction, or replace the one with this id.
 * @param[out] out_change a ::cx_change; may be NULL.
 * @param[out] out_row    its row; may be NULL.
 * @param store, id, customer, touchpoint, time, kind, direction, agent, case_id, duration_ms, outcome, value
 *        as cx_interaction_add().
 * @return as cx_interaction_add(), never ::CX_EEXISTS; ::CX_EINVAL when
 *         the customer changes while feedback rates the interaction.
 */
CX_EXTERN int cx_interaction_put(int *out_change, size_t *out_row, cx_store *store, const char *id,
                                 const char *customer, const char *touchpoint, cx_time time, const char *kind,
                                 cx_direction direction, const char *agent, const char *case_id,
                                 int64_t duration_ms, cx_outcome outcome, double value);

/**
 * @brief Add a case, or replace the one with this id: its later state
 *        (answered, resolved, reopened, reassigned, moved).
 * @param[out] out_change a ::cx_change; may be NULL.
 * @param store, id, customer, channel, priority, agent, opened, first_response, resolved, reopens, contacts
 *        as cx_case_add().
 * @return as cx_case_add(), never ::CX_EEXISTS; ::CX_EINVAL when the
 *         customer changes while interactions or feedback refer to the case.
 */
CX_EXTERN int cx_case_put(int *out_change, cx_store *store, const char *id, const char *customer,
                          const char *channel, const char *priority, const char *agent, cx_time opened,
                          cx_time first_response, cx_time resolved, int reopens, int contacts);

/**
 * @brief Add a question, or replace the one with this name.
 * @param[out] out_change a ::cx_change; may be NULL.
 * @param store, name, metric, scale_min, scale_max, higher_is_better as cx_question_add().
 * @return as cx_question_add(), never ::CX_EEXISTS; ::CX_ERANGE when an
 *         answer already given does not fit the new metric and scale.
 */
CX_EXTERN int cx_question_put(int *out_change, cx_store *store, const char *name, cx_metric metric,
                              double scale_min, double scale_max, int higher_is_better);

/**
 * @brief Add a survey answer, or replace the one with this id.
 * @param[out] out_change a ::cx_change; may be NULL.
 * @param[out] out_row    its row; may be NULL.
 * @param store, id, customer, question, score, time, touchpoint, interaction, case_id, comment
 *        as cx_feedback_add().
 * @return as cx_feedback_add(), never ::CX_EEXISTS.
 */
CX_EXTERN int cx_feedback_put(int *out_change, size_t *out_row, cx_store *store, const char *id,
                              const char *customer, const char *question, double score, cx_time time,
                              const char *touchpoint, const char *interaction, const char *case_id,
                              const char *comment);

/**
 * @brief Add a purchase, or replace the one with this id.
 * @param[out] out_change a ::cx_change; may be NULL.
 * @param[out] out_row    its row; may be NULL.
 * @param store, id, customer, time, amount as cx_transaction_add().
 * @return as cx_transaction_add(), never ::CX_EEXISTS.
 */
CX_EXTERN int cx_transaction_put(int *out_change, size_t *out_row, cx_store *store, const char *id,
                                 const char *customer, cx_time time, double amount);

/**
 * @brief Erase customers and everything that refers to them, for
 *        data-protection requests (GDPR article 17, Saudi PDPL).
 *
 * Removes each customer with its attributes, interactions, cases, feedback
 * (with comments) and transactions, and the names of open sets (agents,
 * segments, regions, plans, interaction kinds beyond the built-in ones,
 * attribute names) that nothing else uses any more. The remaining rows
 * keep their order and move up, so every result computed afterwards is
 * that of a store the customers were never added to. The memory that held
 * the erased strings is overwritten with zeros before it is freed or
 * reused. All or nothing: an unknown id refuses the call and nothing changes.
 * A SQLite file the store was saved to is erased with cx_db_forget().
 *
 * @param[out] out_rows the number of rows removed, over all tables; may be NULL.
 * @param[in]  store    the store.
 * @param[in]  n        the number of customers.
 * @param[in]  ids      n customer ids (repeats allowed).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND (the message names the id) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_customer_forget(size_t *out_rows, cx_store *store, size_t n, const char *const *ids);

/**
 * @brief Copy a store: every record, name, id and attribute, in a new store
 *        using the same allocator. The copy can then be changed (for
 *        instance pseudonymised with cx_store_pseudonymize() before an
 *        export that leaves the building) while the original stays as it is.
 * @param[out] out   the copy, to free with cx_store_free().
 * @param[in]  store the store.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_store_clone(cx_store **out, const cx_store *store);

/** Length of a pseudonym: 32 lowercase hexadecimal digits, then a NUL. */
#define CX_PSEUDONYM_SIZE 33

/**
 * @brief The pseudonym of a value under a key: the first 16 bytes of
 *        HMAC-SHA-256(key, value), as 32 lowercase hexadecimal digits.
 *
 * The same key gives the same pseudonym everywhere (Python's
 * `hmac.new(key, value, 'sha256').hexdigest()[:32]` too), so pseudonymised
 * outputs still join; without the key the value cannot be found again
 * except by guessing and hashing candidates, so keep the key secret and
 * long (at least 16 random bytes).
 *
 * @param[out] out     CX_PSEUDONYM_SIZE bytes.
 * @param[in]  key     the key.
 * @param[in]  key_len its length in bytes, at least 1.
 * @param[in]  value   the value, NUL-terminated.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_pseudonym(char *out, const void *key, size_t key_len, const char *value);

/** Flags of cx_store_pseudonymize(). */
enum {
    CX_PSEUDONYMIZE_DROP_COMMENTS = 1 /**< Remove every feedback comment (free text may name people). */
};

/**
 * @brief Replace every customer id of a store with its pseudonym
 *        (cx_pseudonym()), and every value of the given customer attributes
 *        (names, e-mail addresses, phone numbers) with theirs.
 *
 * Everything computed or exported from the store afterwards (results,
 * exports, reports, a SQLite file saved to a new path) shows pseudonyms
 * only, and joins the same as before. Use it on a copy made for sharing
 * (cx_db_load() of the saved file, for instance): it cannot be undone.
 * The memory that held the replaced values is overwritten with zeros.
 *
 * @param[in] store      the store.
 * @param[in] key        the key.
 * @param[in] key_len    its length in bytes, at least 1.
 * @param[in] nattr      the number of attribute names.
 * @param[in] attributes nattr attribute names (names the store does not
 *                       know are skipped), or NULL when nattr is 0.
 * @param[in] flags      0 or ::CX_PSEUDONYMIZE_DROP_COMMENTS.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EEXISTS (two ids with one pseudonym:
 *         nothing changed) or ::CX_ENOMEM. On failure nothing changes.
 */
CX_EXTERN int cx_store_pseudonymize(cx_store *store, const void *key, size_t key_len, size_t nattr,
                                    const char *const *attributes, int flags);

/** @} */

/** @addtogroup store
 * @{ */

/**
 * @brief The name of a table ("customers", "touchpoints", ...).
 * @param[out] out   a static string.
 * @param[in]  table a ::cx_table.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_table_name(const char **out, cx_table table);

/**
 * @brief Number of columns of a table.
 * @param[out] out   the count.
 * @param[in]  table a ::cx_table.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_column_count(size_t *out, cx_table table);

/**
 * @brief The name of a column ("id", "time", "first_response", ...).
 * @param[out] out    a static string.
 * @param[in]  table  a ::cx_table.
 * @param[in]  column the column's number (its enum value, such as ::CX_CASE_OPENED).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_column_name(const char **out, cx_table table, int column);

/**
 * @brief The type of a column.
 * @param[out] out    a ::cx_type.
 * @param[in]  table  a ::cx_table.
 * @param[in]  column the column's number.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_column_type(int *out, cx_table table, int column);

/**
 * @brief Find a column by name.
 * @param[out] out   the column's number.
 * @param[in]  table a ::cx_table.
 * @param[in]  name  the column's name.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOTFOUND.
 */
CX_EXTERN int cx_column_find(int *out, cx_table table, const char *name);

/**
 * @brief Read a ::CX_TYPE_STRING value.
 * After cx_store_compact(), the first id of an interaction, feedback or
 * transaction read (their `id` column, feedback's `interaction`) makes the
 * text of that table's ids again, kept apart until the next change (see
 * cx_store_compact()): that read can fail with ::CX_ENOMEM.
 * @param[out] out    the text, borrowed from the store; NULL when the optional value is missing.
 * @param[in]  store  the store.
 * @param[in]  table  a ::cx_table.
 * @param[in]  column a column of type ::CX_TYPE_STRING.
 * @param[in]  row    0 to rows - 1.
 * @return ::CX_OK, ::CX_EINVAL (also for a column of another type), ::CX_ERANGE (no such row) or
 *         ::CX_ENOMEM (see above).
 */
CX_EXTERN int cx_store_get_string(const char **out, const cx_store *store, cx_table table,
                                  int column, size_t row);

/**
 * @brief Read an integer, time or code value.
 *
 * For ::CX_TYPE_INT and ::CX_TYPE_TIME columns, the value. For a
 * ::CX_TYPE_STRING column, its code: the row of the referenced record
 * (customer, touchpoint, case, question), the index in the named set, or the
 * enum value (::cx_direction, ::cx_outcome, ::cx_metric); -1 when the optional
 * value is missing. Comments and ids have no code.
 *
 * @param[out] out    the value.
 * @param[in]  store  the store.
 * @param[in]  table  a ::cx_table.
 * @param[in]  column the column.
 * @param[in]  row    0 to rows - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_store_get_int(int64_t *out, const cx_store *store, cx_table table,
                               int column, size_t row);

/**
 * @brief Read a ::CX_TYPE_REAL or ::CX_TYPE_INT value as a double.
 * @param[out] out    the value.
 * @param[in]  store  the store.
 * @param[in]  table  a ::cx_table.
 * @param[in]  column the column.
 * @param[in]  row    0 to rows - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_store_get_real(double *out, const cx_store *store, cx_table table,
                                int column, size_t row);

/** @} */

/** @defgroup history Omnichannel history
 *
 * Everything one customer did, across all channels, in time order: the
 * record an agent needs to see on every channel (seed 004).
 * @{ */

/** An opaque, immutable list of (time, table, row) entries for one customer. */
typedef struct cx_history cx_history;

/**
 * @brief Collect a customer's interactions, cases (at their opening time),
 *        feedback and transactions in time order.
 *
 * Entries with equal times are ordered by table (::cx_table order) then row,
 * so the order is deterministic. The cost is proportional to the customer's
 * own records, not to the size of the store, except for the first history
 * after a change (an add, update, import, erase or rollback), which builds
 * an index of every customer's interactions, cases and transactions: time
 * in proportion to those rows, and 4 bytes a row plus 12 a customer that
 * the store keeps until the next change frees it (so that a store nobody
 * asks histories of keeps none: issue 14). cx_store_memory() leaves it out,
 * so that its figure does not depend on which reader came first.
 * May run from several threads at once (see **Threads**). The history is a
 * snapshot: it does not see records added later, and it does not depend on
 * the store staying alive (but reading its rows does).
 *
 * @param[out] out      the history, to free with cx_history_free().
 * @param[in]  store    the store.
 * @param[in]  customer the customer's id.
 * @param[in]  from     earliest time included, or ::CX_TIME_NONE for no bound.
 * @param[in]  to       first time excluded, or ::CX_TIME_NONE for no bound.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND, ::CX_EORDER (`to` < `from`) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_history_new(cx_history **out, const cx_store *store, const char *customer,
                             cx_time from, cx_time to);

/**
 * @brief Free a history.
 * @param[in] history the history, or NULL.
 */
CX_EXTERN void cx_history_free(cx_history *history);

/**
 * @brief Number of entries.
 * @param[in] history the history; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_history_count(const cx_history *history);

/**
 * @brief The table of entry `index`.
 * @param[out] out     a ::cx_table: interactions, cases, feedback or transactions.
 * @param[in]  history the history.
 * @param[in]  index   0 to count - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_history_table(int *out, const cx_history *history, size_t index);

/**
 * @brief The row (in its table) of entry `index`.
 * @param[out] out     the row.
 * @param[in]  history the history.
 * @param[in]  index   0 to count - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_history_row(size_t *out, const cx_history *history, size_t index);

/**
 * @brief The time of entry `index`.
 * @param[out] out     the time.
 * @param[in]  history the history.
 * @param[in]  index   0 to count - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_history_time(cx_time *out, const cx_history *history, size_t index);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
