/* json.h — a small, strict JSON reader and a string builder for writing JSON.
 *
 * The reader builds a tree from bytes that are not trusted (checkpoint headers, model configs):
 * it checks every length, limits nesting depth (64) and rejects trailing garbage, invalid
 * escapes, control characters in strings and numbers that do not fit a double. Strings are
 * decoded to UTF-8 (\uXXXX including surrogate pairs). Object keys keep their order.
 *
 *   wg_json *doc;
 *   if (wg_json_parse(text, len, &doc) != WG_OK) return wg_last_error();
 *   const wg_json *lr = wg_json_get(doc, "lr");      // NULL when absent or doc not an object
 *   double v = lr && lr->type == WG_JSON_NUMBER ? lr->number : 2e-4;
 *   wg_json_free(doc);
 *
 *   wg_strbuf sb = {0};
 *   wg_strbuf_puts(&sb, "{\"name\":"); wg_strbuf_json_string(&sb, "G.0.weight");
 *   wg_strbuf_printf(&sb, ",\"n\":%d}", 3);   // sb.data is NUL-terminated, sb.len bytes
 *   free(sb.data);
 */
#ifndef WG_JSON_H
#define WG_JSON_H
#include <stddef.h>
#include "error.h"

typedef enum {
  WG_JSON_NULL, WG_JSON_BOOL, WG_JSON_NUMBER, WG_JSON_STRING, WG_JSON_ARRAY, WG_JSON_OBJECT
} wg_json_type;

typedef struct wg_json wg_json;
struct wg_json {
  wg_json_type type;
  int boolean;       /* WG_JSON_BOOL */
  double number;     /* WG_JSON_NUMBER */
  char *string;      /* WG_JSON_STRING: NUL-terminated UTF-8 (may contain NUL via \u0000) */
  size_t length;     /* string length in bytes, or item count for arrays and objects */
  wg_json *items;    /* ARRAY/OBJECT: `length` children */
  char **keys;       /* OBJECT: `length` keys (NUL-terminated) parallel to items */
};

/* Parses exactly `len` bytes. On failure *out is NULL and the message names the byte offset. */
wg_status wg_json_parse(const char *text, size_t len, wg_json **out);
void wg_json_free(wg_json *doc);
/* Member of an object by key (first match), or NULL. */
const wg_json *wg_json_get(const wg_json *obj, const char *key);

/* Growable NUL-terminated string. On allocation failure `failed` is set and further appends
 * are ignored; check it once at the end. */
typedef struct { char *data; size_t len, cap; int failed; } wg_strbuf;
void wg_strbuf_puts(wg_strbuf *sb, const char *s);
void wg_strbuf_putn(wg_strbuf *sb, const char *s, size_t n);
void wg_strbuf_printf(wg_strbuf *sb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends `s` as a quoted, escaped JSON string. */
void wg_strbuf_json_string(wg_strbuf *sb, const char *s);

#endif
