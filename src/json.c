/* json.c — a strict recursive-descent JSON reader and the wg_strbuf string builder.
 *
 * The reader parses bytes we do not trust (safetensors headers, model configs), so it never reads
 * past `len`, bounds nesting at 64 levels (recursion depth stays small on the wasm stack), and
 * rejects anything RFC 8259 does not allow: trailing garbage, invalid escapes, raw control
 * characters, lone surrogates, malformed UTF-8, and numbers that overflow a double. Numbers are
 * checked against the JSON grammar by hand before strtod sees them, so strtod never gets to accept
 * its own extensions (hex, "inf", "nan") and a non-"C" locale's decimal point is handled. Strings
 * are decoded in a single allocation per string; arrays and objects grow geometrically.
 */
#include "json.h"
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WG__JSON_MAX_DEPTH 64
/* Longer than any double printed by a sane writer (%.17g is at most 24 characters). */
#define WG__JSON_MAX_NUMBER 511

typedef struct {
  const unsigned char *s;
  size_t len, pos;
  int depth;
} wg__jp;

static void wg__json_free_contents(wg_json *v) {
  size_t i;
  switch (v->type) {
    case WG_JSON_STRING: free(v->string); break;
    case WG_JSON_OBJECT:
      for (i = 0; i < v->length; i++) free(v->keys[i]);
      free(v->keys);
      /* fall through */
    case WG_JSON_ARRAY:
      for (i = 0; i < v->length; i++) wg__json_free_contents(&v->items[i]);
      free(v->items);
      break;
    default: break;
  }
  memset(v, 0, sizeof *v);
}

static wg_status wg__jp_nomem(void) { return wg_fail(WG_ERR_NOMEM, "json: out of memory"); }

static void wg__jp_skip_ws(wg__jp *p) {
  while (p->pos < p->len) {
    unsigned char c = p->s[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    p->pos++;
  }
}

/* Names the offending byte for error messages: end of input, a printable char or a hex code. */
static wg_status wg__jp_unexpected(const wg__jp *p, const char *wanted) {
  if (p->pos >= p->len)
    return wg_fail(WG_ERR_FORMAT, "json: unexpected end of input (expected %s) at byte %zu", wanted,
                   p->pos);
  unsigned char c = p->s[p->pos];
  if (c >= 0x20 && c < 0x7f)
    return wg_fail(WG_ERR_FORMAT, "json: unexpected character '%c' (expected %s) at byte %zu", c,
                   wanted, p->pos);
  return wg_fail(WG_ERR_FORMAT, "json: unexpected byte 0x%02x (expected %s) at byte %zu", c, wanted,
                 p->pos);
}

static int wg__hex4(const unsigned char *h, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char c = h[i];
    unsigned d;
    if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
    else return 0;
    v = v << 4 | d;
  }
  *out = v;
  return 1;
}

static size_t wg__put_utf8(unsigned char *o, unsigned cp) {
  if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | cp >> 6);
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | cp >> 12);
    o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | cp >> 18);
  o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Length of the well-formed UTF-8 sequence at s[0..avail), or 0 when it is malformed
 * (overlong, encoded surrogate, above U+10FFFF, truncated or bad continuation byte). */
static size_t wg__utf8_len(const unsigned char *s, size_t avail) {
  unsigned char c = s[0];
  size_t n;
  unsigned cp, min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1Fu; min = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0Fu; min = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07u; min = 0x10000; }
  else return 0;
  if (avail < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

/* p->pos is at the opening quote. The decoded string is never longer than its raw form, so one
 * allocation of the raw length suffices. */
static wg_status wg__jp_string(wg__jp *p, char **out, size_t *out_len) {
  size_t start = p->pos, end = start + 1;
  while (end < p->len && p->s[end] != '"') end += p->s[end] == '\\' ? 2 : 1;
  if (end >= p->len)
    return wg_fail(WG_ERR_FORMAT, "json: unterminated string starting at byte %zu", start);

  unsigned char *buf = malloc(end - start);
  if (!buf) return wg__jp_nomem();
  size_t n = 0, i = start + 1;
  while (i < end) {
    unsigned char c = p->s[i];
    if (c < 0x20) {
      free(buf);
      return wg_fail(WG_ERR_FORMAT, "json: raw control character 0x%02x in string at byte %zu", c, i);
    }
    if (c >= 0x80) {
      size_t k = wg__utf8_len(p->s + i, end - i);
      if (!k) {
        free(buf);
        return wg_fail(WG_ERR_FORMAT, "json: invalid UTF-8 in string at byte %zu", i);
      }
      memcpy(buf + n, p->s + i, k);
      n += k, i += k;
      continue;
    }
    if (c != '\\') { buf[n++] = c; i++; continue; }

    unsigned char e = p->s[i + 1];  /* in range: the scan above stopped on an unescaped quote */
    static const char escaped[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
    const char *simple = e ? strchr(escaped, e) : NULL;
    if (simple) {
      buf[n++] = (unsigned char)decoded[simple - escaped];
      i += 2;
      continue;
    }
    if (e != 'u') {
      free(buf);
      if (e >= 0x20 && e < 0x7f)
        return wg_fail(WG_ERR_FORMAT, "json: invalid escape '\\%c' at byte %zu", e, i);
      return wg_fail(WG_ERR_FORMAT, "json: invalid escape (backslash then byte 0x%02x) at byte %zu", e, i);
    }
    unsigned cp, lo;
    if (end - i < 6 || !wg__hex4(p->s + i + 2, &cp)) {
      free(buf);
      return wg_fail(WG_ERR_FORMAT, "json: invalid \\u escape (need 4 hex digits) at byte %zu", i);
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      free(buf);
      return wg_fail(WG_ERR_FORMAT, "json: lone low surrogate \\u%04X at byte %zu", cp, i);
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end - i < 12 || p->s[i + 6] != '\\' || p->s[i + 7] != 'u' || !wg__hex4(p->s + i + 8, &lo) ||
          lo < 0xDC00 || lo > 0xDFFF) {
        free(buf);
        return wg_fail(WG_ERR_FORMAT,
                       "json: lone high surrogate \\u%04X (not followed by \\uDC00-\\uDFFF) at byte %zu",
                       cp, i);
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 6;
    }
    n += wg__put_utf8(buf + n, cp);
    i += 6;
  }
  buf[n] = 0;
  p->pos = end + 1;
  *out = (char *)buf;
  if (out_len) *out_len = n;
  return WG_OK;
}

static wg_status wg__jp_number(wg__jp *p, double *out) {
  const unsigned char *s = p->s;
  size_t start = p->pos, i = start, len = p->len;
  if (i < len && s[i] == '-') i++;
  if (i < len && s[i] == '0') i++;
  else if (i < len && s[i] >= '1' && s[i] <= '9') { while (i < len && s[i] >= '0' && s[i] <= '9') i++; }
  else goto bad;
  if (i < len && s[i] == '.') {
    i++;
    if (!(i < len && s[i] >= '0' && s[i] <= '9')) goto bad;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    if (!(i < len && s[i] >= '0' && s[i] <= '9')) goto bad;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
  }

  size_t n = i - start;
  if (n > WG__JSON_MAX_NUMBER)
    return wg_fail(WG_ERR_FORMAT, "json: number too long (%zu characters, limit %d) at byte %zu", n,
                   WG__JSON_MAX_NUMBER, start);
  char tmp[WG__JSON_MAX_NUMBER + 1], *endp;
  memcpy(tmp, s + start, n);
  tmp[n] = 0;
  double v = strtod(tmp, &endp);
  if (endp != tmp + n) {
    /* Only a locale whose decimal point is not '.' stops strtod early on a validated token. */
    const char *dp = localeconv()->decimal_point;
    char *dot = memchr(tmp, '.', n);
    if (dot && dp && dp[0] && !dp[1]) *dot = dp[0];
    v = strtod(tmp, &endp);
    if (endp != tmp + n)
      return wg_fail(WG_ERR_FORMAT, "json: cannot convert number '%s' at byte %zu", tmp, start);
  }
  if (isinf(v))  /* underflow to 0 or a subnormal is fine; overflow is not */
    return wg_fail(WG_ERR_FORMAT, "json: number %s overflows a double at byte %zu", tmp, start);
  p->pos = i;
  *out = v;
  return WG_OK;
bad:
  p->pos = i;
  return wg__jp_unexpected(p, "a digit in number");
}

static wg_status wg__jp_value(wg__jp *p, wg_json *out);

/* Grows a child array (and the parallel key array for objects) geometrically. */
static int wg__jp_grow(wg_json *v, size_t *cap) {
  if (v->length < *cap) return 1;
  size_t ncap = *cap ? *cap * 2 : 4;
  if (ncap > SIZE_MAX / sizeof(wg_json)) return 0;
  wg_json *items = realloc(v->items, ncap * sizeof *items);
  if (!items) return 0;
  v->items = items;
  if (v->type == WG_JSON_OBJECT) {
    char **keys = realloc(v->keys, ncap * sizeof *keys);
    if (!keys) return 0;
    v->keys = keys;
  }
  *cap = ncap;
  return 1;
}

/* Arrays and objects share the loop; `out->length` counts only complete members so a failure
 * midway can free exactly what was built. */
static wg_status wg__jp_container(wg__jp *p, wg_json *out, int is_object) {
  unsigned char close = is_object ? '}' : ']';
  size_t cap = 0;
  wg_status st;
  if (++p->depth > WG__JSON_MAX_DEPTH)
    return wg_fail(WG_ERR_FORMAT, "json: nesting deeper than %d levels at byte %zu", WG__JSON_MAX_DEPTH,
                   p->pos);
  out->type = is_object ? WG_JSON_OBJECT : WG_JSON_ARRAY;
  p->pos++;
  wg__jp_skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == close) {
    p->pos++;
    p->depth--;
    return WG_OK;
  }
  for (;;) {
    char *key = NULL;
    wg__jp_skip_ws(p);
    if (is_object) {
      if (p->pos >= p->len || p->s[p->pos] != '"') { st = wg__jp_unexpected(p, "a string key"); goto fail; }
      if ((st = wg__jp_string(p, &key, NULL)) != WG_OK) goto fail;
      wg__jp_skip_ws(p);
      if (p->pos >= p->len || p->s[p->pos] != ':') {
        free(key);
        st = wg__jp_unexpected(p, "':'");
        goto fail;
      }
      p->pos++;
    }
    if (!wg__jp_grow(out, &cap)) { free(key); st = wg__jp_nomem(); goto fail; }
    memset(&out->items[out->length], 0, sizeof(wg_json));
    if ((st = wg__jp_value(p, &out->items[out->length])) != WG_OK) { free(key); goto fail; }
    if (is_object) out->keys[out->length] = key;
    out->length++;

    wg__jp_skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ',') { p->pos++; continue; }
    if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; break; }
    st = wg__jp_unexpected(p, is_object ? "',' or '}'" : "',' or ']'");
    goto fail;
  }
  p->depth--;
  return WG_OK;
fail:
  wg__json_free_contents(out);
  return st;
}

/* On failure `out` is left zeroed with nothing allocated. */
static wg_status wg__jp_value(wg__jp *p, wg_json *out) {
  wg__jp_skip_ws(p);
  if (p->pos >= p->len) return wg__jp_unexpected(p, "a value");
  unsigned char c = p->s[p->pos];
  size_t rest = p->len - p->pos;
  switch (c) {
    case '{': return wg__jp_container(p, out, 1);
    case '[': return wg__jp_container(p, out, 0);
    case '"':
      out->type = WG_JSON_STRING;
      return wg__jp_string(p, &out->string, &out->length);
    case 't':
      if (rest >= 4 && !memcmp(p->s + p->pos, "true", 4)) {
        out->type = WG_JSON_BOOL, out->boolean = 1, p->pos += 4;
        return WG_OK;
      }
      break;
    case 'f':
      if (rest >= 5 && !memcmp(p->s + p->pos, "false", 5)) {
        out->type = WG_JSON_BOOL, out->boolean = 0, p->pos += 5;
        return WG_OK;
      }
      break;
    case 'n':
      if (rest >= 4 && !memcmp(p->s + p->pos, "null", 4)) {
        out->type = WG_JSON_NULL, p->pos += 4;
        return WG_OK;
      }
      break;
    default:
      if (c == '-' || (c >= '0' && c <= '9')) {
        out->type = WG_JSON_NUMBER;
        wg_status st = wg__jp_number(p, &out->number);
        if (st != WG_OK) memset(out, 0, sizeof *out);
        return st;
      }
      break;
  }
  return wg__jp_unexpected(p, "a value");
}

wg_status wg_json_parse(const char *text, size_t len, wg_json **out) {
  if (!out) return wg_fail(WG_ERR_ARG, "json: out is NULL");
  *out = NULL;
  if (!text && len) return wg_fail(WG_ERR_ARG, "json: text is NULL");
  wg__jp p = {(const unsigned char *)text, len, 0, 0};
  wg_json *doc = calloc(1, sizeof *doc);
  if (!doc) return wg__jp_nomem();
  wg_status st = wg__jp_value(&p, doc);
  if (st == WG_OK) {
    wg__jp_skip_ws(&p);
    if (p.pos < p.len) {
      wg__json_free_contents(doc);
      st = wg_fail(WG_ERR_FORMAT, "json: trailing characters after the value at byte %zu", p.pos);
    }
  }
  if (st != WG_OK) {
    free(doc);
    return st;
  }
  *out = doc;
  return WG_OK;
}

void wg_json_free(wg_json *doc) {
  if (!doc) return;
  wg__json_free_contents(doc);
  free(doc);
}

const wg_json *wg_json_get(const wg_json *obj, const char *key) {
  if (!obj || !key || obj->type != WG_JSON_OBJECT) return NULL;
  for (size_t i = 0; i < obj->length; i++)
    if (!strcmp(obj->keys[i], key)) return &obj->items[i];
  return NULL;
}

/* ---- wg_strbuf ---- */

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int wg__sb_reserve(wg_strbuf *sb, size_t extra) {
  if (sb->failed) return 0;
  if (extra > SIZE_MAX - 1 - sb->len) { sb->failed = 1; return 0; }
  size_t need = sb->len + extra + 1;
  if (need <= sb->cap && sb->data) return 1;
  size_t cap = sb->cap > 32 ? sb->cap : 32;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *d = realloc(sb->data, cap);
  if (!d) { sb->failed = 1; return 0; }
  if (!sb->data) d[0] = 0;
  sb->data = d, sb->cap = cap;
  return 1;
}

void wg_strbuf_putn(wg_strbuf *sb, const char *s, size_t n) {
  if (!wg__sb_reserve(sb, n)) return;
  if (n) memcpy(sb->data + sb->len, s, n);
  sb->len += n;
  sb->data[sb->len] = 0;
}

void wg_strbuf_puts(wg_strbuf *sb, const char *s) { wg_strbuf_putn(sb, s, strlen(s)); }

void wg_strbuf_printf(wg_strbuf *sb, const char *fmt, ...) {
  if (!wg__sb_reserve(sb, 0)) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
  va_end(ap);
  if (n < 0) { sb->failed = 1; sb->data[sb->len] = 0; return; }
  if ((size_t)n >= sb->cap - sb->len) {  /* did not fit: grow to the exact size and format again */
    if (!wg__sb_reserve(sb, (size_t)n)) { sb->data[sb->len] = 0; return; }
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
  }
  sb->len += (size_t)n;
}

void wg_strbuf_json_string(wg_strbuf *sb, const char *s) {
  wg_strbuf_putn(sb, "\"", 1);
  const char *run = s;  /* bytes that need no escaping are appended in runs */
  for (;; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    wg_strbuf_putn(sb, run, (size_t)(s - run));
    run = s + 1;
    if (!c) break;
    switch (c) {
      case '"': wg_strbuf_putn(sb, "\\\"", 2); break;
      case '\\': wg_strbuf_putn(sb, "\\\\", 2); break;
      case '\b': wg_strbuf_putn(sb, "\\b", 2); break;
      case '\f': wg_strbuf_putn(sb, "\\f", 2); break;
      case '\n': wg_strbuf_putn(sb, "\\n", 2); break;
      case '\r': wg_strbuf_putn(sb, "\\r", 2); break;
      case '\t': wg_strbuf_putn(sb, "\\t", 2); break;
      default: wg_strbuf_printf(sb, "\\u%04x", c); break;
    }
  }
  wg_strbuf_putn(sb, "\"", 1);
}
