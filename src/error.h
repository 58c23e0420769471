/* error.h — status codes and the last-error message.
 *
 * Every fallible function returns a wg_status (0 = ok) and, on failure, records a human-readable
 * message that the caller fetches with wg_last_error() (the stbi_failure_reason habit). The
 * library never exits or aborts on user input.
 *
 *   if (wg_json_parse(text, len, &doc) != WG_OK) printf("%s\n", wg_last_error());
 */
#ifndef WG_ERROR_H
#define WG_ERROR_H

typedef enum {
  WG_OK = 0,
  WG_ERR_ARG = 1,      /* invalid argument or configuration */
  WG_ERR_FORMAT = 2,   /* malformed file or data */
  WG_ERR_NOMEM = 3,    /* allocation failed */
  WG_ERR_STATE = 4,    /* call not valid in the current state */
  WG_ERR_MISMATCH = 5  /* data does not fit the model (shape, architecture) */
} wg_status;

/* Records a printf-style message and returns `status`, so callers can `return wg_fail(...)`. */
wg_status wg_fail(wg_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
const char *wg_last_error(void);
/* The status of the last wg_fail (for calls that return a handle, not a status). */
wg_status wg_last_status(void);
void wg_clear_error(void);

#endif
