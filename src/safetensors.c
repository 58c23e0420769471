/* safetensors.c — read and write safetensors files holding float32 tensors and string metadata.
 *
 * Checkpoints arrive from users and the network, so the reader validates everything before any
 * tensor data is handed out: the 8-byte header length against the file size and a 100 MB cap,
 * the JSON (strictly, via wg_json_parse), every dtype, shape and offset pair, the byte length
 * against the element count (with overflow-safe arithmetic, since size_t is 32 bits on wasm32),
 * and that no two tensors share bytes. The writer lays tensors out contiguously in the order they
 * were added and writes every integer and float byte by byte in little-endian order, so a file
 * is the same on any host.
 */
#include "safetensors.h"
#include "json.h"
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WG__ST_MAX_HEADER (100u * 1000u * 1000u)
#define WG__ST_MAX_INT 9007199254740992.0 /* 2^53: beyond this a JSON number is not an exact integer */

static char *wg__st_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* ---- reader ---- */

/* A non-negative integer that a double represents exactly. */
static int wg__st_uint(const wg_json *v, uint64_t *out) {
  if (!v || v->type != WG_JSON_NUMBER) return 0;
  double d = v->number;
  if (!(d >= 0 && d < WG__ST_MAX_INT) || d != (double)(uint64_t)d) return 0;
  *out = (uint64_t)d;
  return 1;
}

static wg_status wg__st_meta(const wg_json *m, wg_st_file *out) {
  if (m->type != WG_JSON_OBJECT)
    return wg_fail(WG_ERR_FORMAT, "safetensors: __metadata__ must be an object");
  if (m->length > (size_t)INT_MAX) return wg_fail(WG_ERR_FORMAT, "safetensors: too many metadata entries");
  if (!m->length) return WG_OK;
  out->meta_keys = calloc(m->length, sizeof(char *));
  out->meta_values = calloc(m->length, sizeof(char *));
  if (!out->meta_keys || !out->meta_values) return wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
  for (size_t i = 0; i < m->length; i++) {
    if (m->items[i].type != WG_JSON_STRING)
      return wg_fail(WG_ERR_FORMAT, "safetensors: __metadata__ value for '%s' is not a string", m->keys[i]);
    char *k = wg__st_strdup(m->keys[i]), *v = malloc(m->items[i].length + 1);
    if (!k || !v) {
      free(k), free(v);
      return wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
    }
    memcpy(v, m->items[i].string, m->items[i].length + 1);
    out->meta_keys[out->n_meta] = k;
    out->meta_values[out->n_meta++] = v;
  }
  return WG_OK;
}

/* Validates one tensor entry against the data section of `data_len` bytes; fills t (not name)
 * and its [begin, end) offsets. */
static wg_status wg__st_tensor(const char *name, const wg_json *e, const uint8_t *data, uint64_t data_len,
                               wg_st_tensor *t, uint64_t *begin, uint64_t *end) {
  if (e->type != WG_JSON_OBJECT)
    return wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s': entry is not an object", name);
  const wg_json *dtype = wg_json_get(e, "dtype"), *shape = wg_json_get(e, "shape"),
                *offs = wg_json_get(e, "data_offsets");
  if (!dtype || dtype->type != WG_JSON_STRING)
    return wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s': missing or non-string dtype", name);
  if (strcmp(dtype->string, "F32") != 0)
    return wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s': dtype '%s' is not supported (only F32)", name,
                   dtype->string);
  if (!shape || shape->type != WG_JSON_ARRAY)
    return wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s': missing or non-array shape", name);
  if (shape->length > WG_ST_MAX_RANK)
    return wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s': rank %zu exceeds the maximum %d", name,
                   shape->length, WG_ST_MAX_RANK);
  /* Up to 8 dims below 2^53 can overflow 64 bits, so remember overflow instead of wrapping; a
   * zero dim makes the count 0 whatever the others are. */
  uint64_t count = 1;
  int overflow = 0, zero = 0;
  t->rank = (int)shape->length;
  for (size_t i = 0; i < shape->length; i++) {
    uint64_t d;
    if (!wg__st_uint(&shape->items[i], &d))
      return wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s': shape[%zu] is not a non-negative integer",
                     name, i);
    t->shape[i] = (int64_t)d;
    if (d == 0) zero = 1;
    else if (count > UINT64_MAX / d) overflow = 1;
    else count *= d;
  }
  if (zero) count = 0, overflow = 0;
  if (!offs || offs->type != WG_JSON_ARRAY || offs->length != 2 || !wg__st_uint(&offs->items[0], begin) ||
      !wg__st_uint(&offs->items[1], end))
    return wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s': data_offsets must be two non-negative integers",
                   name);
  if (*begin > *end || *end > data_len)
    return wg_fail(WG_ERR_FORMAT,
                   "safetensors: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] out of range "
                   "(data section is %" PRIu64 " bytes)", name, *begin, *end, data_len);
  uint64_t nbytes = *end - *begin;
  /* Compared as nbytes/4 == count so nothing is multiplied. */
  if (overflow || nbytes % 4 != 0 || nbytes / 4 != count) {
    char dims[WG_ST_MAX_RANK * 18 + 1] = "";  /* each dim < 2^53: at most 16 digits + ',' */
    size_t k = 0;
    for (int i = 0; i < t->rank; i++)
      k += (size_t)snprintf(dims + k, sizeof dims - k, "%s%" PRId64, i ? "," : "", t->shape[i]);
    char elems[40];
    if (overflow) snprintf(elems, sizeof elems, "too many elements");
    else snprintf(elems, sizeof elems, "%" PRIu64 " element%s", count, count == 1 ? "" : "s");
    return wg_fail(WG_ERR_FORMAT,
                   "safetensors: tensor '%s': shape [%s] (%s) does not match data_offsets [%" PRIu64
                   ", %" PRIu64 "] (%" PRIu64 " bytes; F32 takes 4 bytes per element)", name, dims, elems,
                   *begin, *end, nbytes);
  }
  t->count = (int64_t)count;
  t->data = data + *begin;
  return WG_OK;
}

typedef struct { uint64_t begin, end; int index; } wg__st_range;

static int wg__st_name_cmp(const void *a, const void *b) {
  return strcmp((*(const wg_st_tensor *const *)a)->name, (*(const wg_st_tensor *const *)b)->name);
}

static int wg__st_range_cmp(const void *a, const void *b) {
  const wg__st_range *x = a, *y = b;
  if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return 0;
}

static wg_status wg__st_parse(const wg_json *doc, const uint8_t *data, uint64_t data_len, wg_st_file *out) {
  if (doc->type != WG_JSON_OBJECT) return wg_fail(WG_ERR_FORMAT, "safetensors: header is not a JSON object");
  const wg_json *meta = NULL;
  size_t n = 0;
  for (size_t i = 0; i < doc->length; i++) {
    if (strcmp(doc->keys[i], "__metadata__") != 0) { n++; continue; }
    if (meta) return wg_fail(WG_ERR_FORMAT, "safetensors: __metadata__ appears twice");
    meta = &doc->items[i];
  }
  if (n > (size_t)INT_MAX) return wg_fail(WG_ERR_FORMAT, "safetensors: too many tensors");
  wg_status st;
  if (meta && (st = wg__st_meta(meta, out)) != WG_OK) return st;
  if (!n) return WG_OK;

  wg__st_range *ranges = malloc(n * sizeof *ranges);
  out->tensors = calloc(n, sizeof *out->tensors);
  if (!ranges || !out->tensors) {
    free(ranges);
    return wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
  }
  for (size_t i = 0; i < doc->length; i++) {
    const char *name = doc->keys[i];
    if (!strcmp(name, "__metadata__")) continue;
    wg_st_tensor *t = &out->tensors[out->n_tensors];
    wg__st_range *r = &ranges[out->n_tensors];
    if ((st = wg__st_tensor(name, &doc->items[i], data, data_len, t, &r->begin, &r->end)) != WG_OK) {
      free(ranges);
      return st;
    }
    if (!(t->name = wg__st_strdup(name))) {
      free(ranges);
      return wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
    }
    r->index = out->n_tensors++;
  }

  /* Sorted by offset, each non-empty range must start at or after the previous one's end. Empty
   * tensors own no bytes and so cannot overlap anything. */
  qsort(ranges, n, sizeof *ranges, wg__st_range_cmp);
  st = WG_OK;
  const wg__st_range *prev = NULL;
  for (size_t i = 0; i < n && st == WG_OK; i++) {
    const wg__st_range *r = &ranges[i];
    if (r->begin == r->end) continue;
    if (prev && r->begin < prev->end)
      st = wg_fail(WG_ERR_FORMAT,
                   "safetensors: tensors '%s' [%" PRIu64 ", %" PRIu64 "] and '%s' [%" PRIu64 ", %" PRIu64
                   "] overlap", out->tensors[prev->index].name, prev->begin, prev->end,
                   out->tensors[r->index].name, r->begin, r->end);
    prev = r;
  }
  free(ranges);
  if (st != WG_OK) return st;

  /* Duplicate names, found by sorting so a hostile header with millions of names stays cheap. */
  const wg_st_tensor **by_name = malloc(n * sizeof *by_name);
  if (!by_name) return wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
  for (size_t i = 0; i < n; i++) by_name[i] = &out->tensors[i];
  qsort(by_name, n, sizeof *by_name, wg__st_name_cmp);
  for (size_t i = 1; i < n && st == WG_OK; i++)
    if (!strcmp(by_name[i - 1]->name, by_name[i]->name))
      st = wg_fail(WG_ERR_FORMAT, "safetensors: tensor '%s' appears twice", by_name[i]->name);
  free(by_name);
  return st;
}

wg_status wg_st_read(const uint8_t *bytes, size_t len, wg_st_file *out) {
  if (!out) return wg_fail(WG_ERR_ARG, "safetensors: out is NULL");
  memset(out, 0, sizeof *out);
  if (!bytes && len) return wg_fail(WG_ERR_ARG, "safetensors: bytes is NULL");
  if (len < 8)
    return wg_fail(WG_ERR_FORMAT, "safetensors: file is %zu bytes, too short for the 8-byte header length", len);
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | bytes[i];
  if (hlen > (uint64_t)(len - 8))
    return wg_fail(WG_ERR_FORMAT,
                   "safetensors: header length %" PRIu64 " exceeds the file (%zu bytes after the length field;"
                   " truncated file?)", hlen, len - 8);
  if (hlen > WG__ST_MAX_HEADER)
    return wg_fail(WG_ERR_FORMAT, "safetensors: header length %" PRIu64 " exceeds the limit of %u bytes", hlen,
                   WG__ST_MAX_HEADER);

  wg_json *doc;
  wg_status st = wg_json_parse((const char *)bytes + 8, (size_t)hlen, &doc);
  if (st != WG_OK) {
    char why[400];  /* copied: wg_fail must not format from its own buffer */
    snprintf(why, sizeof why, "%s", wg_last_error());
    return wg_fail(st, "safetensors: bad header JSON: %s", why);
  }
  st = wg__st_parse(doc, bytes + 8 + hlen, (uint64_t)(len - 8) - hlen, out);
  wg_json_free(doc);
  if (st != WG_OK) wg_st_file_free(out);
  return st;
}

const wg_st_tensor *wg_st_find(const wg_st_file *f, const char *name) {
  if (!f || !name) return NULL;
  for (int i = 0; i < f->n_tensors; i++)
    if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
  return NULL;
}

const char *wg_st_meta(const wg_st_file *f, const char *key) {
  if (!f || !key) return NULL;
  for (int i = 0; i < f->n_meta; i++)
    if (!strcmp(f->meta_keys[i], key)) return f->meta_values[i];
  return NULL;
}

void wg_st_copy(const wg_st_tensor *t, float *dst) {
  const uint8_t *p = t->data;
  for (int64_t i = 0; i < t->count; i++, p += 4) {
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    memcpy(&dst[i], &u, 4);
  }
}

void wg_st_file_free(wg_st_file *f) {
  if (!f) return;
  for (int i = 0; i < f->n_tensors; i++) free(f->tensors[i].name);
  for (int i = 0; i < f->n_meta; i++) free(f->meta_keys[i]), free(f->meta_values[i]);
  free(f->tensors);
  free(f->meta_keys);
  free(f->meta_values);
  memset(f, 0, sizeof *f);
}

/* ---- writer ---- */

void wg_st_writer_init(wg_st_writer *w) { memset(w, 0, sizeof *w); }

/* Next capacity for a growing int-counted array, or 0 when it would overflow. */
static int wg__st_next_cap(int cap, int first, size_t elem) {
  if (!cap) return first;
  if (cap > INT_MAX / 2 || (size_t)cap * 2 > SIZE_MAX / elem) return 0;
  return cap * 2;
}

/* Records the first failure; wg_st_finish reports it. */
static void wg__st_wfail(wg_st_writer *w, wg_status st) {
  if (!w->failed) w->failed = (int)st;
}

void wg_st_add_tensor(wg_st_writer *w, const char *name, const int64_t *shape, int rank, const float *data) {
  if (w->failed) return;
  if (!name || rank < 0 || rank > WG_ST_MAX_RANK || (rank && !shape)) {
    wg_fail(WG_ERR_ARG, "safetensors: wg_st_add_tensor: bad name, rank or shape");
    wg__st_wfail(w, WG_ERR_ARG);
    return;
  }
  if (!strcmp(name, "__metadata__")) {
    wg_fail(WG_ERR_ARG, "safetensors: '__metadata__' cannot be a tensor name");
    wg__st_wfail(w, WG_ERR_ARG);
    return;
  }
  int64_t count = 1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0 || (shape[i] > 0 && count > INT64_MAX / 4 / shape[i])) {
      wg_fail(WG_ERR_ARG, "safetensors: tensor '%s': shape[%d] = %" PRId64 " is negative or too large", name,
              i, shape[i]);
      wg__st_wfail(w, WG_ERR_ARG);
      return;
    }
    count *= shape[i];
  }
  if (count && !data) {
    wg_fail(WG_ERR_ARG, "safetensors: tensor '%s': data is NULL", name);
    wg__st_wfail(w, WG_ERR_ARG);
    return;
  }
  for (int i = 0; i < w->n_items; i++)
    if (!strcmp(w->items[i].name, name)) {
      wg_fail(WG_ERR_ARG, "safetensors: tensor '%s' added twice", name);
      wg__st_wfail(w, WG_ERR_ARG);
      return;
    }
  if (w->n_items == w->cap_items) {
    int cap = wg__st_next_cap(w->cap_items, 16, sizeof *w->items);
    void *items = cap ? realloc(w->items, (size_t)cap * sizeof *w->items) : NULL;
    if (!items) {
      wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
      wg__st_wfail(w, WG_ERR_NOMEM);
      return;
    }
    w->items = items, w->cap_items = cap;
  }
  struct wg_st_pending *it = &w->items[w->n_items];
  memset(it, 0, sizeof *it);
  if (!(it->name = wg__st_strdup(name))) {
    wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
    wg__st_wfail(w, WG_ERR_NOMEM);
    return;
  }
  it->rank = rank;
  for (int i = 0; i < rank; i++) it->shape[i] = shape[i];
  it->data = data;
  w->n_items++;
}

void wg_st_add_meta(wg_st_writer *w, const char *key, const char *value) {
  if (w->failed) return;
  if (!key || !value) {
    wg_fail(WG_ERR_ARG, "safetensors: wg_st_add_meta: key or value is NULL");
    wg__st_wfail(w, WG_ERR_ARG);
    return;
  }
  for (int i = 0; i < w->n_meta; i++)
    if (!strcmp(w->meta_keys[i], key)) {
      wg_fail(WG_ERR_ARG, "safetensors: metadata key '%s' added twice", key);
      wg__st_wfail(w, WG_ERR_ARG);
      return;
    }
  if (w->n_meta == w->cap_meta) {
    int cap = wg__st_next_cap(w->cap_meta, 8, sizeof(char *));
    char **k = cap ? realloc(w->meta_keys, (size_t)cap * sizeof *k) : NULL;
    if (k) w->meta_keys = k;
    char **v = k ? realloc(w->meta_values, (size_t)cap * sizeof *v) : NULL;
    if (v) w->meta_values = v;
    if (!k || !v) {
      wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
      wg__st_wfail(w, WG_ERR_NOMEM);
      return;
    }
    w->cap_meta = cap;
  }
  char *k = wg__st_strdup(key), *v = wg__st_strdup(value);
  if (!k || !v) {
    free(k), free(v);
    wg_fail(WG_ERR_NOMEM, "safetensors: out of memory");
    wg__st_wfail(w, WG_ERR_NOMEM);
    return;
  }
  w->meta_keys[w->n_meta] = k;
  w->meta_values[w->n_meta++] = v;
}

wg_status wg_st_finish(wg_st_writer *w, uint8_t **out, size_t *out_len) {
  if (!out || !out_len) return wg_fail(WG_ERR_ARG, "safetensors: wg_st_finish: out is NULL");
  *out = NULL, *out_len = 0;
  if (w->failed)
    return wg_fail((wg_status)w->failed, "safetensors: an earlier wg_st_add_tensor/wg_st_add_meta call failed (%s)",
                   w->failed == WG_ERR_NOMEM ? "out of memory" : "invalid argument");

  wg_strbuf sb = {0};
  wg_strbuf_puts(&sb, "{");
  if (w->n_meta) {
    wg_strbuf_puts(&sb, "\"__metadata__\":{");
    for (int i = 0; i < w->n_meta; i++) {
      if (i) wg_strbuf_puts(&sb, ",");
      wg_strbuf_json_string(&sb, w->meta_keys[i]);
      wg_strbuf_puts(&sb, ":");
      wg_strbuf_json_string(&sb, w->meta_values[i]);
    }
    wg_strbuf_puts(&sb, "}");
  }
  /* Offsets in uint64 (what the format stores); the total must also fit size_t for the buffer. */
  uint64_t offset = 0;
  for (int i = 0; i < w->n_items; i++) {
    const struct wg_st_pending *it = &w->items[i];
    uint64_t count = 1;
    for (int d = 0; d < it->rank; d++) count *= (uint64_t)it->shape[d];  /* bounded at add time */
    uint64_t nbytes = count * 4;
    if (nbytes > UINT64_MAX - offset || offset + nbytes > (uint64_t)SIZE_MAX / 2) {
      free(sb.data);
      return wg_fail(WG_ERR_ARG, "safetensors: total tensor data too large for this platform");
    }
    if (w->n_meta || i) wg_strbuf_puts(&sb, ",");
    wg_strbuf_json_string(&sb, it->name);
    wg_strbuf_puts(&sb, ":{\"dtype\":\"F32\",\"shape\":[");
    for (int d = 0; d < it->rank; d++) wg_strbuf_printf(&sb, "%s%" PRId64, d ? "," : "", it->shape[d]);
    wg_strbuf_printf(&sb, "],\"data_offsets\":[%" PRIu64 ",%" PRIu64 "]}", offset, offset + nbytes);
    offset += nbytes;
  }
  wg_strbuf_puts(&sb, "}");
  while (!sb.failed && sb.len % 8) wg_strbuf_puts(&sb, " ");  /* keeps the data 8-byte aligned */
  if (sb.failed) {
    free(sb.data);
    return wg_fail(WG_ERR_NOMEM, "safetensors: out of memory building the header");
  }
  if (sb.len > SIZE_MAX / 2 - (size_t)offset) {
    free(sb.data);
    return wg_fail(WG_ERR_ARG, "safetensors: file too large for this platform");
  }

  size_t total = 8 + sb.len + (size_t)offset;
  uint8_t *buf = malloc(total);
  if (!buf) {
    free(sb.data);
    return wg_fail(WG_ERR_NOMEM, "safetensors: out of memory (%zu bytes)", total);
  }
  uint64_t hlen = sb.len;
  for (int i = 0; i < 8; i++) buf[i] = (uint8_t)(hlen >> (8 * i));
  memcpy(buf + 8, sb.data, sb.len);
  free(sb.data);
  uint8_t *p = buf + 8 + (size_t)hlen;
  for (int i = 0; i < w->n_items; i++) {
    const struct wg_st_pending *it = &w->items[i];
    uint64_t count = 1;
    for (int d = 0; d < it->rank; d++) count *= (uint64_t)it->shape[d];
    for (size_t j = 0; j < (size_t)count; j++, p += 4) {
      uint32_t u;
      memcpy(&u, &it->data[j], 4);
      p[0] = (uint8_t)u, p[1] = (uint8_t)(u >> 8), p[2] = (uint8_t)(u >> 16), p[3] = (uint8_t)(u >> 24);
    }
  }
  *out = buf, *out_len = total;
  return WG_OK;
}

void wg_st_writer_free(wg_st_writer *w) {
  if (!w) return;
  for (int i = 0; i < w->n_items; i++) free(w->items[i].name);
  for (int i = 0; i < w->n_meta; i++) free(w->meta_keys[i]), free(w->meta_values[i]);
  free(w->items);
  free(w->meta_keys);
  free(w->meta_values);
  memset(w, 0, sizeof *w);
}
