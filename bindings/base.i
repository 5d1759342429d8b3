/* base.i: status codes, errors, version, time (common.h, version.h, time.h). */

/* Status codes (cx_status): the .code of exceptions. */
%constant int OK = CX_OK;
%constant int EINVAL = CX_EINVAL;
%constant int ENOMEM = CX_ENOMEM;
%constant int ENOTFOUND = CX_ENOTFOUND;
%constant int EEXISTS = CX_EEXISTS;
%constant int ERANGE = CX_ERANGE;
%constant int EPARSE = CX_EPARSE;
%constant int EBUFSIZE = CX_EBUFSIZE;
%constant int EORDER = CX_EORDER;
%constant int ELIMIT = CX_ELIMIT;
%constant int EIO = CX_EIO;
%constant int EVERSION = CX_EVERSION;
%constant int ROW_NONE = CX_ROW_NONE;

%{
static const char *cxb_strerror(int status) { return cx_strerror(status); }
static const char *cxb_last_error(void) { return cx_last_error(); }
static int cxb_last_error_code(void) { return cx_last_error_code(); }
static void cxb_error_clear(void) { cx_error_clear(); }
static int cxb_version(void) { return cx_version(); }
static const char *cxb_version_string(void) { return cx_version_string(); }
static cx_time cxb_time_parse(const char *text)
{
    cx_time t = CX_TIME_NONE;
    if (!text)
        cxb_fail(CX_EINVAL, "time_parse: text is required");
    else
        cxb_check(cx_time_parse(&t, text, strlen(text)));
    return t;
}
static const char *cxb_time_format(cx_time t, int offset_minutes)
{
    static _Thread_local char buf[CX_TIME_FORMAT_MAX];
    if (cxb_check(cx_time_format(buf, sizeof buf, t, offset_minutes)) < 0)
        return NULL;
    return buf;
}
static const char *cxb_pseudonym(const char *key, size_t key_len, const char *value)
{
    static _Thread_local char buf[CX_PSEUDONYM_SIZE];
    if (cxb_check(cx_pseudonym(buf, key, key_len, value)) < 0)
        return NULL;
    return buf;
}
static cx_time cxb_time_from_utc(int year, int month, int day, int hour, int min, int sec)
{
    cx_time t = CX_TIME_NONE;
    cxb_check(cx_time_from_utc(&t, year, month, day, hour, min, sec));
    return t;
}
%}

%rename(strerror) cxb_strerror;
/** @brief A short, static description of a status code ("not found").
 *  @param status a status code (any int). */
const char *cxb_strerror(int status);

%rename(last_error) cxb_last_error;
/** @brief The message of the library's last failure on this thread ("" when
 *  none). Exceptions carry it already. */
const char *cxb_last_error(void);

%rename(last_error_code) cxb_last_error_code;
/** @brief The status code of the library's last failure on this thread (0 when none). */
int cxb_last_error_code(void);

%rename(error_clear) cxb_error_clear;
/** @brief Forget this thread's last error. */
void cxb_error_clear(void);

%rename(version) cxb_version;
/** @brief The version of the library in use: MAJOR * 1000000 + MINOR * 1000 + PATCH. */
int cxb_version(void);

%rename(version_string) cxb_version_string;
/** @brief The version of the library in use as text ("0.3.0"). */
const char *cxb_version_string(void);

%rename(pseudonym) cxb_pseudonym;
/** @brief The pseudonym of a value under a secret key: the first 16 bytes
 *  of HMAC-SHA-256(key, value) as 32 lowercase hex digits, the same as
 *  Python's hmac.new(key, value.encode(), "sha256").hexdigest()[:32].
 *  @param key the key (bytes; Lua: a string), at least 1 byte; keep it
 *  secret and long (16 random bytes or more).
 *  @param value the text.
 *  @exception Invalid for an empty key. */
const char *cxb_pseudonym(const char *key, size_t key_len, const char *value);

%rename(time_parse) cxb_time_parse;
/** @brief Parse an ISO-8601 date or date-time, e.g. "2024-03-01T09:12:00+03:00"
 *  (UTC when it has no offset).
 *  @param text the text.
 *  @return the time.
 *  @exception Parse when the text is not a valid time. */
cx_time cxb_time_parse(const char *text);

%rename(time_format) cxb_time_format;
/** @brief Print a time as ISO-8601 in a UTC offset.
 *  @param t the time.
 *  @param offset_minutes the UTC offset, -1439 to 1439 (180 for +03:00).
 *  @return text such as "2024-03-01T09:12:00+03:00". */
const char *cxb_time_format(cx_time t, int offset_minutes = 0);

%rename(time_from_utc) cxb_time_from_utc;
/** @brief The time of a UTC date and time of day.
 *  @exception Range for a date or time that does not exist. */
cx_time cxb_time_from_utc(int year, int month, int day, int hour = 0, int min = 0, int sec = 0);
