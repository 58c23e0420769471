/* error.c — the last-error buffer (single-threaded: one wasm instance runs one call at a time). */
#include "error.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char wg__error[512];
static wg_status wg__status;

wg_status wg_fail(wg_status status, const char *fmt, ...) {
  /* Formatted into a copy first: callers may pass wg_last_error() itself as an argument to
   * add context ("checkpoint: ...: %s"). */
  char message[sizeof wg__error];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  memcpy(wg__error, message, sizeof wg__error);
  wg__status = status;
  return status;
}

const char *wg_last_error(void) { return wg__error; }
wg_status wg_last_status(void) { return wg__status; }
void wg_clear_error(void) { wg__error[0] = 0; wg__status = WG_OK; }
