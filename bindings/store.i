/* store.i: the store and the omnichannel history (store.h). */

%constant int TABLE_CUSTOMERS = CX_TABLE_CUSTOMERS;
%constant int TABLE_TOUCHPOINTS = CX_TABLE_TOUCHPOINTS;
%constant int TABLE_INTERACTIONS = CX_TABLE_INTERACTIONS;
%constant int TABLE_CASES = CX_TABLE_CASES;
%constant int TABLE_QUESTIONS = CX_TABLE_QUESTIONS;
%constant int TABLE_FEEDBACK = CX_TABLE_FEEDBACK;
%constant int TABLE_TRANSACTIONS = CX_TABLE_TRANSACTIONS;
%constant int TYPE_STRING = CX_TYPE_STRING;
%constant int TYPE_INT = CX_TYPE_INT;
%constant int TYPE_REAL = CX_TYPE_REAL;
%constant int TYPE_TIME = CX_TYPE_TIME;
%constant int INBOUND = CX_INBOUND;
%constant int OUTBOUND = CX_OUTBOUND;
%constant int HANDLED = CX_HANDLED;
%constant int MISSED = CX_MISSED;
%constant int ABANDONED = CX_ABANDONED;
%constant int METRIC_NPS = CX_METRIC_NPS;
%constant int METRIC_CSAT = CX_METRIC_CSAT;
%constant int METRIC_CES = CX_METRIC_CES;
%constant int METRIC_CUSTOM = CX_METRIC_CUSTOM;
%constant int VOCAB_CHANNEL = CX_VOCAB_CHANNEL;
%constant int VOCAB_STAGE = CX_VOCAB_STAGE;
%constant int VOCAB_TOUCHPOINT_KIND = CX_VOCAB_TOUCHPOINT_KIND;
%constant int VOCAB_PRIORITY = CX_VOCAB_PRIORITY;
%constant int VOCAB_INTERACTION_KIND = CX_VOCAB_INTERACTION_KIND;
%constant int VOCAB_AGENT = CX_VOCAB_AGENT;
%constant int VOCAB_SEGMENT = CX_VOCAB_SEGMENT;
%constant int VOCAB_REGION = CX_VOCAB_REGION;
%constant int VOCAB_PLAN = CX_VOCAB_PLAN;
%constant int VOCAB_ATTRIBUTE = CX_VOCAB_ATTRIBUTE;

%{
static int cxb_column_of(int table, cxb_colref c)
{
    int col = c.idx;
    if (c.name && cxb_check(cx_column_find(&col, table, c.name)) < 0)
        return -1;
    return col;
}
%}

/** An in-memory store of customer-experience data: customers, touchpoints,
 *  interactions, service cases, survey questions, feedback and transactions.
 *  Every add checks all its arguments first: a call that raises changes
 *  nothing. Tables, sets and enumerations are given by number
 *  (cxkit.TABLE_CASES) or by name ("cases"). */
typedef struct Store {} Store;

%newobject Store::history;
%newobject Store::clone;
%extend Store {
    /** @brief Create an empty store. */
    Store() {
        cx_store *h = NULL;
        return cxb_store_wrap(cx_store_new(&h), &h);
    }
    ~Store() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cxb_ref_drop($self->ref);
        free($self);
    }
    /** @brief Release the store now. Methods then raise; queries and
     *  histories made from it keep it alive until they are freed. Closing
     *  twice does nothing. */
    void close() {
        cxb_ref_drop($self->ref);
        $self->ref = NULL;
    }
    /** @brief Whether close() was called. */
    bool closed() { return $self->ref == NULL; }

    /** @brief A copy of the store: every record, name, id and attribute.
     *  Change the copy (pseudonymize() it before an export that leaves the
     *  building, say) while the original stays as it is. Python's
     *  copy.copy() and copy.deepcopy() make the same copy. */
    Store *clone() {
        cx_store *h = NULL;
        cx_store *s = cxb_store($self);
        if (!s)
            return NULL;
        return cxb_store_wrap(cx_store_clone(&h, s), &h);
    }
    /** @brief Bytes allocated by the store (columns, strings, indexes). */
    size_t memory() {
        size_t n = 0;
        cxb_check(cx_store_memory(&n, cxb_store($self)));
        return n;
    }
    /** @brief Make room for `rows` more rows in a table before a bulk load. */
    void reserve(cxb_table table, size_t rows) {
        cxb_check(cx_store_reserve(cxb_store($self), table, rows));
    }
    /** @brief Give back the memory kept for changes to come: the columns'
     *  room beyond their rows, the index of the ids of interactions,
     *  feedback and transactions (built again by the first find by id) and
     *  their text where most are a prefix and a number (kept as numbers,
     *  the text made again by the first read of one), and columns whose
     *  rows mostly hold one value (kept sparse). Nothing stored changes;
     *  call it once the store is loaded. */
    void compact() {
        cxb_check(cx_store_compact(cxb_store($self)));
    }
    /** @brief Number of rows in a table. */
    size_t rows(cxb_table table) {
        size_t n = 0;
        cxb_check(cx_store_rows(&n, cxb_store($self), table));
        return n;
    }
    /** @brief The row of a record by its id: a customer, touchpoint, case or
     *  question, or an interaction, feedback or transaction added with an id.
     *  @exception NotFound when there is no such record. */
    size_t find(cxb_table table, const char *id) {
        size_t n = 0;
        cxb_check(cx_store_find(&n, cxb_store($self), table, id));
        return n;
    }
    /** @brief Add a name to a named set (a new channel, stage, kind or
     *  priority, for example); adding a name already there changes nothing.
     *  @return the name's index in the set. */
    size_t define(cxb_vocab set, const char *name) {
        size_t n = 0;
        cxb_check(cx_vocab_define(&n, cxb_store($self), set, name));
        return n;
    }
    /** @brief Number of names in a named set. */
    size_t vocab_count(cxb_vocab set) {
        size_t n = 0;
        cxb_check(cx_vocab_count(&n, cxb_store($self), set));
        return n;
    }
    /** @brief The name at an index of a named set. */
    const char *vocab_name(cxb_vocab set, size_t index) {
        const char *s = NULL;
        cxb_check(cx_vocab_name(&s, cxb_store($self), set, index));
        return s;
    }
    /** @brief The index of a name in a named set.
     *  @exception NotFound when the set does not hold it. */
    size_t vocab_find(cxb_vocab set, const char *name) {
        size_t n = 0;
        cxb_check(cx_vocab_find(&n, cxb_store($self), set, name));
        return n;
    }

    /** @brief Add a customer.
     *  @param id the CRM's id, unique.
     *  @param segment segment name, or None.
     *  @param region region name, or None.
     *  @param plan plan name, or None.
     *  @param acquired acquisition time, or None.
     *  @exception Exists when the id is taken. */
    void add_customer(const char *id, const char *segment = NULL, const char *region = NULL,
                      const char *plan = NULL, cx_time acquired = CX_TIME_NONE) {
        cxb_check(cx_customer_add(cxb_store($self), id, segment, region, plan, acquired));
    }
    /** @brief Set or replace a free attribute of a customer; a value of
     *  None (Lua: nil) removes it. */
    void set_attribute(const char *customer, const char *key, const char *value) {
        cxb_check(cx_customer_set_attribute(cxb_store($self), customer, key, value));
    }
    /** @brief A free attribute of a customer, or None when it has none.
     *  @exception NotFound when there is no such customer. */
    const char *get_attribute(const char *customer, const char *key) {
        const char *v = NULL;
        cxb_check(cx_customer_get_attribute(&v, cxb_store($self), customer, key));
        return v;
    }
    /** @brief Add a touchpoint.
     *  @param name unique name.
     *  @param channel a defined channel ("phone", "web", ...).
     *  @param stage a defined stage ("awareness", ..., "service").
     *  @param kind a defined touchpoint kind, or None.
     *  @param is_key whether it is a key touchpoint.
     *  @param weight importance weight, >= 0. */
    void add_touchpoint(const char *name, const char *channel, const char *stage, const char *kind = NULL,
                        bool is_key = false, double weight = 1.0) {
        cxb_check(cx_touchpoint_add(cxb_store($self), name, channel, stage, kind, is_key, weight));
    }
    /** @brief Add an interaction of a customer with a touchpoint.
     *  @param customer an existing customer's id.
     *  @param touchpoint an existing touchpoint's name.
     *  @param time when it happened.
     *  @param kind an interaction kind ("visit", "contact", ...), or None.
     *  @param direction "inbound" or "outbound".
     *  @param agent the agent's name, or None.
     *  @param case_id a case of the same customer, or None.
     *  @param duration_ms duration in milliseconds.
     *  @param outcome "handled", "missed" or "abandoned".
     *  @param value monetary value.
     *  @param id the source system's id (unique among interactions), or
     *  None. It comes last so that calls without it keep their meaning;
     *  feedback names the interaction it rates by this id.
     *  @return the new row.
     *  @exception Exists when the id is taken. */
    size_t add_interaction(const char *customer, const char *touchpoint, cx_time time, const char *kind = NULL,
                           cxb_direction direction = CX_INBOUND, const char *agent = NULL,
                           const char *case_id = NULL, int64_t duration_ms = 0, cxb_outcome outcome = CX_HANDLED,
                           double value = 0.0, const char *id = NULL) {
        size_t row = 0;
        cxb_check(cx_interaction_add(&row, cxb_store($self), id, customer, touchpoint, time, kind, direction, agent,
                                     case_id, duration_ms, outcome, value));
        return row;
    }
    /** @brief Add a service case.
     *  @param id the case id, unique.
     *  @param customer an existing customer's id.
     *  @param channel the defined channel where it was opened.
     *  @param priority a defined priority, or None.
     *  @param agent the owning agent, or None.
     *  @param opened when it was opened.
     *  @param first_response first answer, or None.
     *  @param resolved final resolution, or None while open.
     *  @param reopens times reopened.
     *  @param contacts customer contacts in the case.
     *  @exception Order when the times are out of order. */
    void add_case(const char *id, const char *customer, const char *channel, const char *priority,
                  const char *agent, cx_time opened, cx_time first_response = CX_TIME_NONE,
                  cx_time resolved = CX_TIME_NONE, int reopens = 0, int contacts = 1) {
        cxb_check(cx_case_add(cxb_store($self), id, customer, channel, priority, agent, opened, first_response,
                              resolved, reopens, contacts));
    }
    /** @brief Replace the changing fields of a case (first response,
     *  resolution, reopens, contacts). */
    void update_case(const char *id, cx_time first_response, cx_time resolved, int reopens, int contacts) {
        cxb_check(cx_case_update(cxb_store($self), id, first_response, resolved, reopens, contacts));
    }
    /** @brief Define a survey question and its scale ("nps", "csat" and "ces"
     *  are built in).
     *  @param name unique name.
     *  @param metric "nps", "csat", "ces" or "custom".
     *  @param scale_min lowest answer.
     *  @param scale_max highest answer.
     *  @param higher_is_better whether a high answer is good (easy, for CES). */
    void add_question(const char *name, cxb_metric metric, double scale_min, double scale_max,
                      bool higher_is_better = true) {
        cxb_check(cx_question_add(cxb_store($self), name, metric, scale_min, scale_max, higher_is_better));
    }
    /** @brief Add a survey answer.
     *  @param customer an existing customer's id.
     *  @param question an existing question's name.
     *  @param score the answer, within the question's scale.
     *  @param time when it was given.
     *  @param touchpoint the touchpoint it rates, or None.
     *  @param interaction the id of the interaction it rates (of the same
     *  customer), or None.
     *  @param case_id the case it rates, or None.
     *  @param comment free text, or None.
     *  @param id the source system's id (unique among feedback), or None.
     *  @return the new row.
     *  @exception NotFound naming the interaction id when there is none. */
    size_t add_feedback(const char *customer, const char *question, double score, cx_time time,
                        const char *touchpoint = NULL, const char *interaction = NULL,
                        const char *case_id = NULL, const char *comment = NULL, const char *id = NULL) {
        size_t row = 0;
        cxb_check(cx_feedback_add(&row, cxb_store($self), id, customer, question, score, time, touchpoint,
                                  interaction, case_id, comment));
        return row;
    }
    /** @brief Add a purchase.
     *  @param id the source system's id (unique among transactions), or None.
     *  @return the new row. */
    size_t add_transaction(const char *customer, cx_time time, double amount, const char *id = NULL) {
        size_t row = 0;
        cxb_check(cx_transaction_add(&row, cxb_store($self), id, customer, time, amount));
        return row;
    }

    /* Synchronising: a put adds a record whose id is new and replaces the
     * one with its id otherwise (every field, None meaning none as in an
     * add). It returns what it did by name, as records give enumerations:
     * "added", "updated" (the values differed) or "unchanged". The id (or
     * name) comes first, as the key the put matches on. A refused put
     * raises and changes nothing. */

    /** @brief Add a customer, or replace the segment, region, plan and
     *  acquisition time of the one with this id (its attributes stay).
     *  @return "added", "updated" or "unchanged". */
    const char *put_customer(const char *id, const char *segment = NULL, const char *region = NULL,
                             const char *plan = NULL, cx_time acquired = CX_TIME_NONE) {
        int change = -1;
        cxb_check(cx_customer_put(&change, cxb_store($self), id, segment, region, plan, acquired));
        return cxb_enum_name(CXB_E_CHANGE, change);
    }
    /** @brief Add a touchpoint, or replace the one with this name (arguments
     *  as add_touchpoint()).
     *  @return "added", "updated" or "unchanged". */
    const char *put_touchpoint(const char *name, const char *channel, const char *stage, const char *kind = NULL,
                               bool is_key = false, double weight = 1.0) {
        int change = -1;
        cxb_check(cx_touchpoint_put(&change, cxb_store($self), name, channel, stage, kind, is_key, weight));
        return cxb_enum_name(CXB_E_CHANGE, change);
    }
    /** @brief Add an interaction, or replace the one with this id (the other
     *  arguments as add_interaction()). None as id always adds.
     *  @return "added", "updated" or "unchanged".
     *  @exception Invalid when the customer changes while feedback rates it. */
    const char *put_interaction(const char *id, const char *customer, const char *touchpoint, cx_time time,
                                const char *kind = NULL, cxb_direction direction = CX_INBOUND,
                                const char *agent = NULL, const char *case_id = NULL, int64_t duration_ms = 0,
                                cxb_outcome outcome = CX_HANDLED, double value = 0.0) {
        int change = -1;
        cxb_check(cx_interaction_put(&change, NULL, cxb_store($self), id, customer, touchpoint, time, kind,
                                     direction, agent, case_id, duration_ms, outcome, value));
        return cxb_enum_name(CXB_E_CHANGE, change);
    }
    /** @brief Add a case, or replace the one with this id by its later state
     *  (arguments as add_case()).
     *  @return "added", "updated" or "unchanged".
     *  @exception Invalid when the customer changes while interactions or
     *  feedback refer to the case. */
    const char *put_case(const char *id, const char *customer, const char *channel, const char *priority,
                         const char *agent, cx_time opened, cx_time first_response = CX_TIME_NONE,
                         cx_time resolved = CX_TIME_NONE, int reopens = 0, int contacts = 1) {
        int change = -1;
        cxb_check(cx_case_put(&change, cxb_store($self), id, customer, channel, priority, agent, opened,
                              first_response, resolved, reopens, contacts));
        return cxb_enum_name(CXB_E_CHANGE, change);
    }
    /** @brief Add a question, or replace the one with this name (arguments
     *  as add_question()).
     *  @return "added", "updated" or "unchanged".
     *  @exception Range when an answer already given falls outside the new scale. */
    const char *put_question(const char *name, cxb_metric metric, double scale_min, double scale_max,
                             bool higher_is_better = true) {
        int change = -1;
        cxb_check(cx_question_put(&change, cxb_store($self), name, metric, scale_min, scale_max, higher_is_better));
        return cxb_enum_name(CXB_E_CHANGE, change);
    }
    /** @brief Add a survey answer, or replace the one with this id (the other
     *  arguments as add_feedback()). None as id always adds.
     *  @return "added", "updated" or "unchanged". */
    const char *put_feedback(const char *id, const char *customer, const char *question, double score, cx_time time,
                             const char *touchpoint = NULL, const char *interaction = NULL,
                             const char *case_id = NULL, const char *comment = NULL) {
        int change = -1;
        cxb_check(cx_feedback_put(&change, NULL, cxb_store($self), id, customer, question, score, time, touchpoint,
                                  interaction, case_id, comment));
        return cxb_enum_name(CXB_E_CHANGE, change);
    }
    /** @brief Add a purchase, or replace the one with this id. None as id
     *  always adds.
     *  @return "added", "updated" or "unchanged". */
    const char *put_transaction(const char *id, const char *customer, cx_time time, double amount) {
        int change = -1;
        cxb_check(cx_transaction_put(&change, NULL, cxb_store($self), id, customer, time, amount));
        return cxb_enum_name(CXB_E_CHANGE, change);
    }

    /* Bulk loading: one C call for n records, all or nothing. Optional
     * arrays may be omitted (None / nil); entries of optional text arrays
     * may be None (Python) or false (Lua). */

    /** @brief Add many customers in one call, all or nothing (sequences or
     *  numpy arrays of equal length).
     *  @exception Error naming the index of the first bad record. */
    void add_customers(cxb_strv ids, cxb_ostrv segments, cxb_ostrv regions,
                       cxb_ostrv plans, cxb_otimev acquired) {
        size_t failed = 0, n = ids.n;
        cx_store *s = cxb_store($self);
        if (s && cxb_req("ids", n) && cxb_len_ok("segments", segments.n, n) && cxb_len_ok("regions", regions.n, n) &&
            cxb_len_ok("plans", plans.n, n) && cxb_len_ok("acquired", acquired.n, n))
            cxb_check(cx_customer_add_batch(&failed, s, n, ids.v, segments.v, regions.v, plans.v,
                                                  acquired.v));
    }
    /** @brief Add many interactions in one call, all or nothing.
     *  Times are milliseconds (numpy int64 or datetime64 arrays, or
     *  sequences of ints or datetimes); directions and outcomes are numbers
     *  or names; ids are the interactions' own ids (entries None / false
     *  for none), or omitted.
     *  @exception Error naming the index of the first bad record. */
    void add_interactions(cxb_strv customers, cxb_strv touchpoints, cxb_timev times,
                          cxb_ostrv kinds, cxb_ointv directions,
                          cxb_ostrv agents, cxb_ostrv case_ids,
                          cxb_oi64v durations, cxb_ointv outcomes,
                          cxb_of64v values, cxb_ostrv ids) {
        size_t failed = 0, n = customers.n;
        cx_store *s = cxb_store($self);
        if (s && cxb_req("customers", n) && cxb_req_len("touchpoints", touchpoints.n, n) && cxb_req_len("times", times.n, n) &&
            cxb_len_ok("kinds", kinds.n, n) && cxb_len_ok("directions", directions.n, n) &&
            cxb_len_ok("agents", agents.n, n) && cxb_len_ok("case_ids", case_ids.n, n) &&
            cxb_len_ok("durations", durations.n, n) && cxb_len_ok("outcomes", outcomes.n, n) &&
            cxb_len_ok("values", values.n, n) && cxb_len_ok("ids", ids.n, n))
            cxb_check(cx_interaction_add_batch(&failed, s, n, ids.v, customers.v, touchpoints.v, times.v, kinds.v,
                                                     directions.v, agents.v, case_ids.v, durations.v, outcomes.v,
                                                     values.v));
    }
    /** @brief Add many survey answers in one call, all or nothing.
     *  interactions are the ids of the interactions rated (entries None /
     *  false for none); ids the answers' own ids.
     *  @exception Error naming the index of the first bad record. */
    void add_feedbacks(cxb_strv customers, cxb_strv questions, cxb_f64v scores, cxb_timev times,
                       cxb_ostrv touchpoints, cxb_ostrv interactions,
                       cxb_ostrv case_ids, cxb_ostrv comments, cxb_ostrv ids) {
        size_t failed = 0, n = customers.n;
        cx_store *s = cxb_store($self);
        if (s && cxb_req("customers", n) && cxb_req_len("questions", questions.n, n) && cxb_req_len("scores", scores.n, n) &&
            cxb_req_len("times", times.n, n) && cxb_len_ok("touchpoints", touchpoints.n, n) &&
            cxb_len_ok("interactions", interactions.n, n) && cxb_len_ok("case_ids", case_ids.n, n) &&
            cxb_len_ok("comments", comments.n, n) && cxb_len_ok("ids", ids.n, n))
            cxb_check(cx_feedback_add_batch(&failed, s, n, ids.v, customers.v, questions.v, scores.v, times.v,
                                                  touchpoints.v, interactions.v, case_ids.v, comments.v));
    }
    /** @brief Add many purchases in one call, all or nothing (ids: the
     *  transactions' own ids, or omitted).
     *  @exception Error naming the index of the first bad record. */
    void add_transactions(cxb_strv customers, cxb_timev times, cxb_f64v amounts, cxb_ostrv ids) {
        size_t failed = 0, n = customers.n;
        cx_store *s = cxb_store($self);
        if (s && cxb_req("customers", n) && cxb_req_len("times", times.n, n) && cxb_req_len("amounts", amounts.n, n) &&
            cxb_len_ok("ids", ids.n, n))
            cxb_check(cx_transaction_add_batch(&failed, s, n, ids.v, customers.v, times.v, amounts.v));
    }

    /* Data protection: erasure and pseudonyms (GDPR article 17, PDPL). */

    /** @brief Erase customers and everything that refers to them (their
     *  attributes, interactions, cases, feedback with comments,
     *  transactions, and set names nothing else uses), as if they had
     *  never been added: rows after them move up. All or nothing.
     *  A SQLite file the store was saved to is erased with db_forget().
     *  @param ids the customers' ids (a sequence; repeats allowed).
     *  @return the number of rows removed, over all tables.
     *  @exception NotFound naming the first unknown id (nothing is erased). */
    size_t forget(cxb_strv ids) {
        size_t rows = 0;
        cx_store *s = cxb_store($self);
        if (s && cxb_req("ids", ids.n))
            cxb_check(cx_customer_forget(&rows, s, ids.n, ids.v));
        return rows;
    }
    /** @brief Replace every customer id by its pseudonym under a key
     *  (cxkit.pseudonym()), and every value of the given customer
     *  attributes too; drop every feedback comment when asked. Results and
     *  exports then show pseudonyms only and join as before. It cannot be
     *  undone: use it on a copy made for sharing.
     *  @param key the secret key (bytes; Lua: a string), at least 1 byte.
     *  @param attributes attribute names to pseudonymise (names the store
     *  does not know are skipped).
     *  @param drop_comments remove every feedback comment (free text may
     *  name people).
     *  @exception Exists when two ids get one pseudonym (nothing changes). */
    void pseudonymize(const char *key, size_t key_len, cxb_ostrv attributes, bool drop_comments = false) {
        cx_store *s = cxb_store($self);
        size_t n = attributes.n == CXB_OMITTED ? 0 : attributes.n;
        if (s)
            cxb_check(cx_store_pseudonymize(s, key, key_len, n, n ? attributes.v : NULL,
                                            drop_comments ? CX_PSEUDONYMIZE_DROP_COMMENTS : 0));
    }

    /** @brief One value of a table: text (None when missing), int, float
     *  or time. The column is given by number or name ("opened"). */
    cxb_value get(cxb_table table, cxb_colref column, size_t row) {
        cxb_value v = {0};
        cx_store *s = cxb_store($self);
        int col = cxb_column_of(table, column);
        if (s && col >= 0)
            v = cxb_store_cell(s, table, col, row);
        return v;
    }
    /** @brief A whole record as a dict (Lua: a table) keyed by column name;
     *  a customer's free attributes are included. */
    cxb_row record(cxb_table table, size_t row) {
        cxb_row r;
        r.n = 0;
        cx_store *s = cxb_store($self);
        if (s)
            cxb_store_record(&r, s, table, row);
        return r;
    }
    /** @brief A customer's interactions, cases (at their opening), feedback
     *  and transactions in time order, within [from, to) when given.
     *  @exception NotFound when there is no such customer. */
    History *history(const char *customer, cx_time from = CX_TIME_NONE, cx_time to = CX_TIME_NONE) {
        cx_history *h = NULL;
        cx_store *s = cxb_store($self);
        if (cxb_check(cx_history_new(&h, s, customer, from, to)) < 0)
            return NULL;
        History *o = calloc(1, sizeof *o);
        if (!o) {
            cx_history_free(h);
            cxb_fail(CX_ENOMEM, "out of memory");
            return NULL;
        }
        o->h = h;
        o->store = cxb_ref_take($self->ref);
        return o;
    }
}

%{
static const char *cxb_table_label(int t)
{
    const char *n = NULL;
    return cx_table_name(&n, t) == CX_OK ? n : NULL;
}

/* Entry `index` of a history: its table, row and time, then its record. */
static void cxb_history_entry(cxb_row *r, const History *self, size_t index)
{
    r->n = 0;
    const cx_history *h = cxb_history(self);
    int t = 0;
    size_t row = 0;
    cx_time time = CX_TIME_NONE;
    if (cxb_check(cx_history_table(&t, h, index)) < 0 || cxb_check(cx_history_row(&row, h, index)) < 0 ||
        cxb_check(cx_history_time(&time, h, index)) < 0)
        return;
    cxb_row_add(r, "table", CX_TYPE_STRING, cxb_table_label(t), 0, 0);
    cxb_row_add(r, "row", CX_TYPE_INT, NULL, (int64_t)row, 0);
    cxb_row_add(r, "time", CX_TYPE_TIME, NULL, time, 0);
    if (self->store)
        cxb_store_record(r, self->store->h, t, row);
}
%}

/** The omnichannel history of one customer: entries (time, table, row) in
 *  time order across channels. It keeps its store alive. */
typedef struct History {} History;

%extend History {
    ~History() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_history_free($self->h);
        cxb_ref_drop($self->store);
        free($self);
    }
    /** @brief Free the history now (methods then raise). */
    void close() {
        cx_history_free($self->h);
        $self->h = NULL;
        cxb_ref_drop($self->store);
        $self->store = NULL;
    }
    /** @brief Number of entries. */
    size_t count() { return cx_history_count(cxb_history($self)); }
    /** @brief The table ("interactions", "cases", "feedback" or
     *  "transactions") of entry `index`. */
    const char *table(size_t index) {
        int t = 0;
        if (cxb_check(cx_history_table(&t, cxb_history($self), index)) < 0)
            return NULL;
        return cxb_table_label(t);
    }
    /** @brief The row (in its table) of entry `index`. */
    size_t row(size_t index) {
        size_t r = 0;
        cxb_check(cx_history_row(&r, cxb_history($self), index));
        return r;
    }
    /** @brief The time of entry `index`. */
    cx_time time(size_t index) {
        cx_time t = CX_TIME_NONE;
        cxb_check(cx_history_time(&t, cxb_history($self), index));
        return t;
    }
    /** @brief Entry `index` as a dict: "table", "row", "time" and the
     *  columns of its record. */
    cxb_row entry(size_t index) {
        cxb_row r;
        cxb_history_entry(&r, $self, index);
        return r;
    }
}
