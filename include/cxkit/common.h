/**
 * @file common.h
 * @brief Base definitions shared by every CXKit module: the export macro,
 *        status codes, the last-error API, the allocator hook and time values.
 */
#ifndef CXKIT_COMMON_H
#define CXKIT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup base Base: errors, allocation, time, version
 *
 * Everything here is thread-safe. The library keeps no global mutable state:
 * the only per-process data are the thread-local last-error records.
 * @{ */

/**
 * @def CX_EXTERN
 * @brief Marks a declaration as part of the public ABI: exported from the
 *        shared library (default visibility), everything else being hidden.
 */
#if defined(CX_STATIC_BUILD)
#define CX_EXTERN extern
#elif defined(_WIN32)
#if defined(CX_BUILDING_LIBRARY)
#define CX_EXTERN extern __declspec(dllexport)
#else
#define CX_EXTERN extern __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CX_EXTERN extern __attribute__((visibility("default")))
#else
#define CX_EXTERN extern
#endif

/**
 * @brief Status codes returned by every fallible call.
 *
 * Zero is success, failures are negative. The values are part of the ABI and
 * are never renumbered; new codes are only ever appended.
 */
typedef enum cx_status {
    CX_OK = 0,          /**< Success. */
    CX_EINVAL = -1,     /**< An argument is invalid (NULL handle, empty id, bad enum, bad UTF-8, ...). */
    CX_ENOMEM = -2,     /**< The allocator refused memory; nothing was changed. */
    CX_ENOTFOUND = -3,  /**< A referenced record (customer, touchpoint, case, ...) does not exist. */
    CX_EEXISTS = -4,    /**< A record with that id already exists. */
    CX_ERANGE = -5,     /**< A value is out of its allowed range (score off scale, negative duration, ...). */
    CX_EPARSE = -6,     /**< Text could not be parsed (a malformed time, for example). */
    CX_EBUFSIZE = -7,   /**< A caller-supplied buffer is too small. */
    CX_EORDER = -8,     /**< Times out of order (resolved before opened, inverted range, ...). */
    CX_ELIMIT = -9,     /**< A documented capacity limit was reached (for example 2^32-2 rows in a table). */
    CX_EIO = -10,       /**< An input/output operation failed. */
    CX_EVERSION = -11   /**< Data written by an incompatible version. */
} cx_status;

/**
 * @brief A short, static description of a status code.
 * @param[in] status a ::cx_status value (any int is accepted).
 * @return A static English string such as "not found"; never NULL.
 */
CX_EXTERN const char *cx_strerror(int status);

/**
 * @brief The message of the last failure on the calling thread.
 *
 * Every failing call stores a message naming the function, the record and the
 * field at fault, for example
 * `cx_case_add: case 'C-17': resolved time is before opened time`.
 * Successful calls leave it as it was (as in libgit2), so read it right after
 * the call that failed.
 * @return A thread-local string, valid until the next failing call on this
 *         thread; "" when nothing has failed. Never NULL.
 */
CX_EXTERN const char *cx_last_error(void);

/**
 * @brief The status code of the last failure on the calling thread.
 * @return A negative ::cx_status, or ::CX_OK when nothing has failed since
 *         the thread started or since cx_error_clear().
 */
CX_EXTERN int cx_last_error_code(void);

/** @brief Forget the calling thread's last error. */
CX_EXTERN void cx_error_clear(void);

/**
 * @brief An allocation function supplied by the embedding application.
 *
 * The contract is that of Lua's `lua_Alloc`:
 * - `nsize == 0`: free `ptr` (which may be NULL) and return NULL;
 * - `ptr == NULL`: allocate `nsize` bytes;
 * - otherwise: resize the block `ptr`, of `osize` bytes, to `nsize` bytes
 *   (keeping its contents) and return the new block, or NULL leaving `ptr`
 *   untouched when it cannot.
 *
 * `osize` is always the exact size the block was allocated or last resized
 * with, so a pool or arena allocator needs no headers of its own. Returned
 * blocks must be aligned for any type (like malloc).
 *
 * @param ud    the user data given with the function.
 * @param ptr   the block to free or resize, or NULL.
 * @param osize the size of `ptr`'s block, 0 when `ptr` is NULL.
 * @param nsize the requested size, 0 to free.
 */
typedef void *(*cx_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/**
 * @brief A point in time: milliseconds since 1970-01-01T00:00:00Z (UTC),
 *        leap seconds ignored (POSIX time x 1000).
 *
 * Durations (handle time, for example) are also given in milliseconds.
 */
typedef int64_t cx_time;

/** A missing time (a case not yet resolved, for example): the smallest int64. */
#define CX_TIME_NONE INT64_MIN

/** Marks a missing row reference (no linked interaction, for example). */
#define CX_ROW_NONE (-1)

/** @} */

#ifdef __cplusplus
}
#endif

#endif
