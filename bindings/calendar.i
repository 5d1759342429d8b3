/* calendar.i: business-hours calendars (calendar.h). */

/** A business-hours calendar in a fixed UTC offset: weekly opening hours
 *  and holidays; durations and due times counted in open time. */
typedef struct Calendar {} Calendar;

%extend Calendar {
    /** @brief A calendar closed all week.
     *  @param offset_minutes its UTC offset, -840 to 840 (180 for +03:00). */
    Calendar(int offset_minutes = 0) {
        cx_calendar *h = NULL;
        if (cxb_check(cx_calendar_new(&h, offset_minutes)) < 0)
            return NULL;
        Calendar *c = calloc(1, sizeof *c);
        if (!c || !(c->ref = cxb_ref_new(h, cxb_calendar_destroy))) {
            if (c)
                free(c);
            else
                cx_calendar_free(h);
            cxb_fail(CX_ENOMEM, "out of memory");
            return NULL;
        }
        return c;
    }
    ~Calendar() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cxb_ref_drop($self->ref);
        free($self);
    }
    /** @brief Release the calendar (queries using it keep it alive). */
    void close() {
        cxb_ref_drop($self->ref);
        $self->ref = NULL;
    }
    /** @brief Open every week on an ISO weekday (1 = Monday .. 7 = Sunday)
     *  from `start_minute` to `end_minute` of the local day (540 = 09:00). */
    void add_hours(int weekday, int start_minute, int end_minute) {
        cxb_check(cx_calendar_add_hours(cxb_calendar($self), weekday, start_minute, end_minute));
    }
    /** @brief Close a whole local day. */
    void add_holiday(int year, int month, int day) {
        cxb_check(cx_calendar_add_holiday(cxb_calendar($self), year, month, day));
    }
    /** @brief Whether the calendar is open at an instant. */
    bool is_open(cx_time t) {
        int v = 0;
        cxb_check(cx_calendar_is_open(&v, cxb_calendar($self), t));
        return v != 0;
    }
    /** @brief Open time between two instants, in milliseconds. */
    int64_t business_ms(cx_time from, cx_time to) {
        int64_t v = 0;
        cxb_check(cx_calendar_business_ms(&v, cxb_calendar($self), from, to));
        return v;
    }
    /** @brief The instant when `ms` milliseconds of open time have elapsed
     *  after `from`: an SLA due time. */
    cx_time add_business_ms(cx_time from, int64_t ms) {
        cx_time v = CX_TIME_NONE;
        cxb_check(cx_calendar_add_business_ms(&v, cxb_calendar($self), from, ms));
        return v;
    }
}
