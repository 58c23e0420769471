/* test_safetensors.c — the writer's exact bytes, write/read round trips (names, shapes, bits,
 * metadata) and every way the reader must reject a hostile file, with the message it gives. */
#include "test.h"
#include "safetensors.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 8-byte little-endian length of `header`, the header, then `data_len` bytes of `data` (or zeros). */
static uint8_t *st_file(const char *header, const uint8_t *data, size_t data_len, size_t *len) {
  size_t h = strlen(header);
  uint8_t *b = calloc(1, 8 + h + data_len + 1);
  if (!b) return NULL;
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)h >> (8 * i));
  memcpy(b + 8, header, h);
  if (data) memcpy(b + 8 + h, data, data_len);
  *len = 8 + h + data_len;
  return b;
}

/* Reads and expects WG_ERR_FORMAT, a zeroed file and `needle` in the message. */
static int st_rejects(const uint8_t *bytes, size_t len, const char *needle) {
  wg_st_file f;
  memset(&f, 0xAB, sizeof f);
  wg_status st = wg_st_read(bytes, len, &f);
  int zeroed = f.tensors == NULL && f.n_tensors == 0 && f.meta_keys == NULL && f.meta_values == NULL &&
               f.n_meta == 0;
  if (st == WG_ERR_FORMAT && zeroed && strstr(wg_last_error(), needle)) return 1;
  fprintf(stderr, "  status %d, zeroed %d, message \"%s\", wanted \"%s\"\n", (int)st, zeroed, wg_last_error(),
          needle);
  if (st == WG_OK) wg_st_file_free(&f);
  return 0;
}

static int header_rejects(const char *header, size_t data_len, const char *needle) {
  size_t len;
  uint8_t *b = st_file(header, NULL, data_len, &len);
  int ok = b && st_rejects(b, len, needle);
  if (!ok) fprintf(stderr, "  header: %s\n", header);
  free(b);
  return ok;
}

static int contains(const uint8_t *hay, size_t n, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; i + k <= n; i++)
    if (!memcmp(hay + i, needle, k)) return 1;
  return 0;
}

static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static void test_st_exact_bytes(void) {
  /* A golden file: checks key order, no spaces, padding, LE length and LE floats. */
  wg_st_writer w;
  wg_st_writer_init(&w);
  float a[2] = {1.0f, -2.0f}, s = 0.5f;
  int64_t shape[1] = {2};
  wg_st_add_meta(&w, "k", "v");
  wg_st_add_tensor(&w, "a", shape, 1, a);
  wg_st_add_tensor(&w, "s", NULL, 0, &s);
  uint8_t *out = NULL;
  size_t n = 0;
  wg_status st = wg_st_finish(&w, &out, &n);
  wg_st_writer_free(&w);
  CHECK(st == WG_OK && out);
  static const char header[] = "{\"__metadata__\":{\"k\":\"v\"},"
                               "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                               "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}    ";
  static const uint8_t len_bytes[8] = {0x88, 0, 0, 0, 0, 0, 0, 0};
  static const uint8_t data[12] = {0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F};
  int same = n == 8 + 136 + 12 && !memcmp(out, len_bytes, 8) && !memcmp(out + 8, header, 136) &&
             !memcmp(out + 144, data, 12);
  if (!same) fprintf(stderr, "  got %zu bytes: %.*s\n", n, (int)(n > 8 ? n - 8 : 0), (const char *)out + 8);
  free(out);
  CHECK(same);
}

static void test_st_roundtrip(void) {
  float w0[6] = {0.0f, -0.0f, 1e-45f, 3.4028235e38f, -1.5f, 0.1f};
  float scalar = from_bits(0x7FC12345u);  /* NaN with a payload: bits must survive */
  float inf[1] = {from_bits(0xFF800000u)};
  float big[3 * 4 * 5];
  for (int i = 0; i < 60; i++) big[i] = (float)i * 0.25f - 7.0f;
  int64_t s0[2] = {2, 3}, s2[1] = {1}, s3[3] = {3, 4, 5}, s4[2] = {0, 7}, s5[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  const char *meta_v = "{\"lr\": 2e-4, \"name\": \"q\\\"\\\\\"}\n\ttab \x01 \xC3\xA9\xF0\x9F\x98\x80";

  wg_st_writer w;
  wg_st_writer_init(&w);
  wg_st_add_tensor(&w, "G.0.weight", s0, 2, w0);
  wg_st_add_tensor(&w, "scalar", NULL, 0, &scalar);
  wg_st_add_meta(&w, "config", meta_v);
  wg_st_add_tensor(&w, "weird \"name\"\\\n", s2, 1, inf);
  wg_st_add_tensor(&w, "D.conv", s3, 3, big);
  wg_st_add_tensor(&w, "empty", s4, 2, NULL);  /* zero elements: data may be NULL */
  wg_st_add_tensor(&w, "rank8", s5, 8, w0);
  wg_st_add_meta(&w, "format", "pt");
  uint8_t *bytes = NULL;
  size_t n = 0;
  wg_status st = wg_st_finish(&w, &bytes, &n);
  wg_st_writer_free(&w);
  CHECK(st == WG_OK && bytes);

  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | bytes[i];
  CHECK(hlen % 8 == 0 && 8 + hlen + 4 * (6 + 1 + 1 + 60 + 0 + 1) == n);
  size_t last = 8 + hlen - 1;  /* padding is spaces after the closing brace */
  while (bytes[last] == ' ') last--;
  CHECK(bytes[8] == '{' && bytes[last] == '}' && 8 + hlen - 1 - last < 8);

  wg_st_file f;
  st = wg_st_read(bytes, n, &f);
  CHECK_MSG(st == WG_OK, "%s", wg_last_error());
  const char *names[] = {"G.0.weight", "scalar", "weird \"name\"\\\n", "D.conv", "empty", "rank8"};
  int ranks[] = {2, 0, 1, 3, 2, 8};
  int64_t counts[] = {6, 1, 1, 60, 0, 1};
  const float *srcs[] = {w0, &scalar, inf, big, NULL, w0};
  int ok = f.n_tensors == 6 && f.n_meta == 2;
  /* Order as added, laid out back to back from the start of the data section. */
  const uint8_t *expect = bytes + 8 + hlen;
  for (int i = 0; ok && i < 6; i++) {
    const wg_st_tensor *t = &f.tensors[i];
    ok = !strcmp(t->name, names[i]) && t->rank == ranks[i] && t->count == counts[i] && t->data == expect &&
         wg_st_find(&f, names[i]) == t;
    expect += 4 * counts[i];
    float got[60];
    wg_st_copy(t, got);
    for (int64_t j = 0; ok && j < t->count; j++) ok = bits(got[j]) == bits(srcs[i][j]);
    if (!ok) fprintf(stderr, "  tensor %d (%s) differs\n", i, names[i]);
  }
  ok = ok && f.tensors[0].shape[0] == 2 && f.tensors[0].shape[1] == 3 && f.tensors[3].shape[2] == 5 &&
       f.tensors[4].shape[0] == 0 && f.tensors[4].shape[1] == 7 && f.tensors[5].shape[7] == 1;
  ok = ok && wg_st_meta(&f, "config") && !strcmp(wg_st_meta(&f, "config"), meta_v) &&
       !strcmp(wg_st_meta(&f, "format"), "pt") && !strcmp(f.meta_keys[0], "config");
  ok = ok && wg_st_find(&f, "nope") == NULL && wg_st_meta(&f, "nope") == NULL && wg_st_find(&f, "__metadata__") == NULL;
  wg_st_file_free(&f);
  CHECK(f.tensors == NULL && f.n_tensors == 0 && f.n_meta == 0);
  free(bytes);
  CHECK(ok);
}

static void test_st_no_metadata(void) {
  wg_st_writer w;
  wg_st_writer_init(&w);
  float x[3] = {1, 2, 3};
  int64_t shape[1] = {3};
  wg_st_add_tensor(&w, "x", shape, 1, x);
  uint8_t *bytes = NULL;
  size_t n = 0;
  CHECK(wg_st_finish(&w, &bytes, &n) == WG_OK);
  /* finish does not consume the writer: a second call gives the same file. */
  uint8_t *again = NULL;
  size_t n2 = 0;
  int same = wg_st_finish(&w, &again, &n2) == WG_OK && n2 == n && !memcmp(again, bytes, n);
  free(again);
  wg_st_writer_free(&w);
  int has_meta = contains(bytes, n, "__metadata__");
  wg_st_file f;
  wg_status st = wg_st_read(bytes, n, &f);
  free(bytes);
  CHECK(same && !has_meta && st == WG_OK);
  CHECK(f.n_meta == 0 && f.meta_keys == NULL && f.n_tensors == 1);
  wg_st_file_free(&f);

  /* An empty writer still makes a valid file. */
  wg_st_writer_init(&w);
  CHECK(wg_st_finish(&w, &bytes, &n) == WG_OK && n == 16 && !memcmp(bytes + 8, "{}      ", 8));
  st = wg_st_read(bytes, n, &f);
  free(bytes);
  wg_st_writer_free(&w);
  CHECK(st == WG_OK && f.n_tensors == 0 && f.n_meta == 0);
  wg_st_file_free(&f);
}

static void test_st_reads_foreign_files(void) {
  /* As the Python library writes them: sorted keys, spaces, metadata first, unpadded header,
   * and an odd (unaligned) offset that wg_st_copy must still read. */
  const char *header = "{\"__metadata__\": {\"format\": \"pt\"}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], "
                       "\"data_offsets\": [1, 5]}, \"b\": {\"data_offsets\": [5, 13], \"shape\": [2, 1], "
                       "\"dtype\": \"F32\", \"extra\": [1]}, \"z\": {\"dtype\": \"F32\", \"shape\": [0], "
                       "\"data_offsets\": [13, 13]}}";
  const uint8_t data[13] = {0xEE, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC1, 0x00, 0x00, 0x80, 0x7F};
  size_t len;
  uint8_t *b = st_file(header, data, sizeof data, &len);
  CHECK(b);
  wg_st_file f;
  wg_status st = wg_st_read(b, len, &f);
  if (st != WG_OK) free(b);
  CHECK_MSG(st == WG_OK, "%s", wg_last_error());
  const wg_st_tensor *a = wg_st_find(&f, "a"), *bt = wg_st_find(&f, "b"), *z = wg_st_find(&f, "z");
  float va, vb[2];
  int ok = a && bt && z && a->count == 1 && bt->count == 2 && bt->rank == 2 && z->count == 0;
  if (ok) {
    wg_st_copy(a, &va);
    wg_st_copy(bt, vb);
    wg_st_copy(z, NULL);  /* nothing to copy */
    ok = va == 1.0f && vb[0] == -10.0f && isinf(vb[1]) && !strcmp(wg_st_meta(&f, "format"), "pt");
  }
  wg_st_file_free(&f);
  free(b);
  CHECK(ok);
}

static void test_st_truncated(void) {
  float x[4] = {1, 2, 3, 4};
  int64_t shape[2] = {2, 2};
  wg_st_writer w;
  wg_st_writer_init(&w);
  wg_st_add_meta(&w, "m", "value");
  wg_st_add_tensor(&w, "x", shape, 2, x);
  uint8_t *bytes = NULL;
  size_t n = 0;
  CHECK(wg_st_finish(&w, &bytes, &n) == WG_OK);
  wg_st_writer_free(&w);
  size_t hlen = n - 8 - 16;
  /* Named cut points: inside the length, inside the header, at the data, inside the data. */
  int ok = st_rejects(bytes, 0, "too short") && st_rejects(bytes, 7, "file is 7 bytes, too short") &&
           st_rejects(bytes, 8, "exceeds the file") && st_rejects(bytes, 8 + hlen / 2, "exceeds the file") &&
           st_rejects(bytes, 8 + hlen - 1, "exceeds the file") &&
           st_rejects(bytes, 8 + hlen, "data_offsets [0, 16] out of range (data section is 0 bytes)") &&
           st_rejects(bytes, n - 1, "data_offsets [0, 16] out of range (data section is 15 bytes)");
  /* And every other cut fails too. */
  for (size_t cut = 0; ok && cut < n; cut++) ok = st_rejects(bytes, cut, "safetensors: ");
  /* Extra bytes after the data are tolerated (not referenced by any tensor). */
  wg_st_file f;
  uint8_t *longer = calloc(1, n + 4);
  if (longer) memcpy(longer, bytes, n);
  ok = ok && longer && wg_st_read(longer, n + 4, &f) == WG_OK && f.n_tensors == 1;
  if (ok) wg_st_file_free(&f);
  free(longer);
  free(bytes);
  CHECK(ok);
  CHECK(st_rejects(NULL, 0, "too short"));
}

static void test_st_header_length(void) {
  uint8_t b[24] = {0};
  memcpy(b + 8, "{}      {}      ", 16);
  b[0] = 17;  /* one more than the 16 bytes present */
  CHECK(st_rejects(b, sizeof b, "header length 17 exceeds the file (16 bytes after the length field"));
  memset(b, 0xFF, 8);  /* 2^64 - 1 must not wrap anything */
  CHECK(st_rejects(b, sizeof b, "header length 18446744073709551615 exceeds the file"));
  memset(b, 0, 8);
  b[7] = 0x80;
  CHECK(st_rejects(b, sizeof b, "exceeds the file"));
  memset(b, 0, 8);  /* an empty header is not JSON */
  CHECK(st_rejects(b, sizeof b, "bad header JSON: json: unexpected end of input"));

  /* Above the 100 MB cap in a file big enough to hold it (calloc'd pages stay untouched). */
  size_t big = 100u * 1000u * 1000u + 16;
  uint8_t *p = calloc(1, big + 8);
  CHECK(p);
  uint64_t h = 100u * 1000u * 1000u + 1;
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(h >> (8 * i));
  int ok = st_rejects(p, big + 8, "header length 100000001 exceeds the limit");
  free(p);
  CHECK(ok);
}

static void test_st_bad_json(void) {
  CHECK(header_rejects("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}} x", 4,
                       "bad header JSON: json: trailing characters"));
  CHECK(header_rejects("{\"a\": 1,}", 0, "bad header JSON"));
  CHECK(header_rejects("{\"a\": \"\\q\"}", 0, "invalid escape"));
  CHECK(header_rejects("[1, 2]", 0, "header is not a JSON object"));
  CHECK(header_rejects("\"str\"", 0, "header is not a JSON object"));
  CHECK(header_rejects("null    ", 0, "header is not a JSON object"));
}

static void test_st_metadata_errors(void) {
  CHECK(header_rejects("{\"__metadata__\": [\"a\"]}", 0, "__metadata__ must be an object"));
  CHECK(header_rejects("{\"__metadata__\": \"x\"}", 0, "__metadata__ must be an object"));
  CHECK(header_rejects("{\"__metadata__\": {\"a\": \"ok\", \"epochs\": 3}}", 0,
                       "__metadata__ value for 'epochs' is not a string"));
  CHECK(header_rejects("{\"__metadata__\": {\"cfg\": {\"lr\": \"1\"}}}", 0, "value for 'cfg' is not a string"));
  CHECK(header_rejects("{\"__metadata__\": {\"n\": null}}", 0, "not a string"));
  CHECK(header_rejects("{\"__metadata__\": {}, \"__metadata__\": {}}", 0, "__metadata__ appears twice"));
  /* Metadata escapes decode. */
  size_t len;
  uint8_t *b = st_file("{\"__metadata__\": {\"k\\u00e9\": \"a\\\"b\\n\\uD83D\\uDE00\"}}", NULL, 0, &len);
  CHECK(b);
  wg_st_file f;
  wg_status st = wg_st_read(b, len, &f);
  free(b);
  CHECK(st == WG_OK);
  int ok = f.n_meta == 1 && !strcmp(wg_st_meta(&f, "k\xC3\xA9"), "a\"b\n\xF0\x9F\x98\x80");
  wg_st_file_free(&f);
  CHECK(ok);
}

static void test_st_dtype_errors(void) {
  CHECK(header_rejects("{\"G.0.weight\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4,
                       "tensor 'G.0.weight': dtype 'F16' is not supported (only F32)"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4, "'BF16'"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"f32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "'f32'"));
  CHECK(header_rejects("{\"t\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "tensor 't': missing or non-string dtype"));
  CHECK(header_rejects("{\"t\": {\"dtype\": 32, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "non-string dtype"));
  CHECK(header_rejects("{\"t\": [\"F32\"]}", 4, "tensor 't': entry is not an object"));
  CHECK(header_rejects("{\"t\": \"F32\"}", 4, "entry is not an object"));
}

static void test_st_shape_errors(void) {
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4, "tensor 't': missing or non-array shape"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": 1, \"data_offsets\": [0, 4]}}", 4, "non-array shape"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4,
                       "tensor 't': shape[0] is not a non-negative integer"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1, 2.5], \"data_offsets\": [0, 4]}}", 4,
                       "shape[1] is not a non-negative integer"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [\"1\"], \"data_offsets\": [0, 4]}}", 4, "shape[0]"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [9007199254740992], \"data_offsets\": [0, 4]}}", 4,
                       "shape[0] is not"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1e300], \"data_offsets\": [0, 4]}}", 4, "shape[0] is not"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 4]}}", 4,
                       "tensor 't': rank 9 exceeds the maximum 8"));
  /* Integral values written as 1.0 or 1e0 are fine. */
  size_t len;
  uint8_t *b = st_file("{\"t\": {\"dtype\": \"F32\", \"shape\": [1.0, 2e0], \"data_offsets\": [0, 8.0]}}", NULL, 8, &len);
  CHECK(b);
  wg_st_file f;
  wg_status st = wg_st_read(b, len, &f);
  free(b);
  CHECK(st == WG_OK && f.tensors[0].count == 2);
  wg_st_file_free(&f);
}

static void test_st_offset_errors(void) {
  /* The exact message callers see. */
  CHECK(header_rejects("{\"G.0.weight\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 12]}}", 8, ""));
  CHECK(!strcmp(wg_last_error(),
                "safetensors: tensor 'G.0.weight': data_offsets [0, 12] out of range (data section is 8 bytes)"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", 8,
                       "data_offsets [8, 4] out of range"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 8,
                       "tensor 't': data_offsets must be two non-negative integers"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", 8, "two non-negative"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]}}", 8, "two non-negative"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0.5, 4.5]}}", 8, "two non-negative"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": {\"0\": 4}}}", 8, "two non-negative"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1]}}", 8, "two non-negative"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 18446744073709551620]}}", 8,
                       "two non-negative"));
  /* Size mismatches: too few bytes, too many, not a multiple of 4, scalar. */
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 12]}}", 16,
                       "tensor 't': shape [2,2] (4 elements) does not match data_offsets [0, 12] (12 bytes"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 16, "does not match"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 5]}}", 16, "does not match"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 0]}}", 16,
                       "shape [] (1 element) does not match"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 4]}}", 16, "does not match"));
  /* Products that wrap 64 bits to 0 or to a small number must not match a small byte range. */
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 0]}}",
                       16, "too many elements"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 1, 1, 1, 1, 1, 2], "
                       "\"data_offsets\": [0, 0]}}", 16, "does not match"));
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [1073741824, 4], \"data_offsets\": [0, 0]}}", 16,
                       "does not match"));  /* 2^32 elements: *4 wraps 32 bits */
  CHECK(header_rejects("{\"t\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 0]}}",
                       16, "shape[0] is not"));
  /* A zero dim makes any huge other dims harmless. */
  size_t len;
  uint8_t *b = st_file("{\"t\": {\"dtype\": \"F32\", \"shape\": [4294967296, 0, 4294967296], \"data_offsets\": [4, 4]}}",
                       NULL, 8, &len);
  CHECK(b);
  wg_st_file f;
  wg_status st = wg_st_read(b, len, &f);
  free(b);
  CHECK(st == WG_OK && f.tensors[0].count == 0 && f.tensors[0].shape[2] == 4294967296);
  wg_st_file_free(&f);
}

static void test_st_overlap_and_duplicates(void) {
  CHECK(header_rejects("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
                       "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12,
                       "tensors 'a' [0, 8] and 'b' [4, 12] overlap"));
  /* Found regardless of header order, and for identical ranges and containment. */
  CHECK(header_rejects("{\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]}, "
                       "\"c\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [16, 20]}, "
                       "\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [12, 20]}}", 20,
                       "tensors 'b' [8, 16] and 'a' [12, 20] overlap"));
  CHECK(header_rejects("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, "
                       "\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 8, "overlap"));
  CHECK(header_rejects("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, "
                       "\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 16, "overlap"));
  CHECK(header_rejects("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, "
                       "\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}, "
                       "\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", 12,
                       "tensor 'a' appears twice"));
  /* Adjacent ranges, gaps and empty tensors inside others are not overlaps. */
  size_t len;
  uint8_t *b = st_file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, "
                       "\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}, "
                       "\"c\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}, "
                       "\"e\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [2, 2]}, "
                       "\"g\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [16, 20]}}", NULL, 20, &len);
  CHECK(b);
  wg_st_file f;
  wg_status st = wg_st_read(b, len, &f);
  free(b);
  CHECK_MSG(st == WG_OK, "%s", wg_last_error());
  int ok = f.n_tensors == 5 && !strcmp(f.tensors[2].name, "c");
  wg_st_file_free(&f);
  CHECK(ok);
}

static void test_st_failure_frees(void) {
  /* Errors after many tensors and metadata were copied must free them all and zero `out`. */
  char header[8192] = "{\"__metadata__\": {\"a\": \"1\", \"b\": \"2\"}";
  size_t k = strlen(header);
  for (int i = 0; i < 40; i++)
    k += (size_t)snprintf(header + k, sizeof header - k,
                          ", \"tensor_%d\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [%d, %d]}", i, 4 * i,
                          4 * i + 4);
  snprintf(header + k, sizeof header - k, ", \"bad\": {\"dtype\": \"I8\", \"shape\": [1], \"data_offsets\": [0, 1]}}");
  CHECK(header_rejects(header, 160, "tensor 'bad': dtype 'I8'"));
  snprintf(header + k, sizeof header - k, ", \"tensor_7\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}}");
  CHECK(header_rejects(header, 160, "tensor 'tensor_7' appears twice"));
  snprintf(header + k, sizeof header - k, ", \"late\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [156, 164]}}");
  CHECK(header_rejects(header, 164, "tensors 'tensor_39' [156, 160] and 'late' [156, 164] overlap"));
}

static void test_st_mutations(void) {
  /* Single-byte changes anywhere in a real file: the reader either rejects it or returns tensors
   * whose data lies inside the buffer (ASan checks the rest). */
  float x[6] = {1, 2, 3, 4, 5, 6};
  int64_t s1[2] = {2, 2}, s2[1] = {2};
  wg_st_writer w;
  wg_st_writer_init(&w);
  wg_st_add_meta(&w, "k", "v\"");
  wg_st_add_tensor(&w, "a", s1, 2, x);
  wg_st_add_tensor(&w, "b", s2, 1, x + 4);
  uint8_t *bytes = NULL;
  size_t n = 0;
  CHECK(wg_st_finish(&w, &bytes, &n) == WG_OK);
  wg_st_writer_free(&w);
  static const uint8_t repl[] = {'0', '9', '1', '[', ']', '{', '}', '"', ',', ':', '-', ' ', 'x', 0, 0x80, 0xFF};
  int ok = 1;
  for (size_t i = 0; ok && i < n; i++)
    for (size_t r = 0; ok && r < sizeof repl; r++) {
      uint8_t save = bytes[i];
      bytes[i] = repl[r];
      wg_st_file f;
      wg_status st = wg_st_read(bytes, n, &f);
      if (st == WG_OK) {
        for (int t = 0; ok && t < f.n_tensors; t++) {
          const wg_st_tensor *tt = &f.tensors[t];
          ok = tt->data >= bytes && tt->data + 4 * tt->count <= bytes + n;
          float tmp[16];
          if (ok && tt->count <= 16) wg_st_copy(tt, tmp);
        }
        wg_st_file_free(&f);
      } else {
        ok = st == WG_ERR_FORMAT && f.n_tensors == 0 && f.tensors == NULL;
      }
      bytes[i] = save;
    }
  free(bytes);
  CHECK(ok);
}

static void test_st_writer_errors(void) {
  float x[2] = {1, 2};
  int64_t shape[1] = {2}, neg[1] = {-1}, huge[2] = {INT64_MAX / 2, 4};
  struct { const char *what; int rank; const char *name; const int64_t *shape; const float *data; } cases[] = {
    {"negative", 1, "n", neg, x}, {"too large", 2, "h", huge, x}, {"rank", 9, "r", shape, x},
    {"rank", -1, "r", shape, x}, {"NULL", 1, "d", shape, NULL}, {"__metadata__", 1, "__metadata__", shape, x},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_st_writer w;
    wg_st_writer_init(&w);
    wg_st_add_tensor(&w, "ok", shape, 1, x);
    wg_st_add_tensor(&w, cases[i].name, cases[i].shape, cases[i].rank, cases[i].data);
    int recorded = strstr(wg_last_error(), cases[i].what) != NULL;
    uint8_t *out = (uint8_t *)x;
    size_t n = 99;
    wg_status st = wg_st_finish(&w, &out, &n);
    wg_st_writer_free(&w);
    CHECK_MSG(recorded && st == WG_ERR_ARG && out == NULL && n == 0 && strstr(wg_last_error(), "earlier"),
              "case %zu: %s", i, wg_last_error());
  }
  wg_st_writer w;
  wg_st_writer_init(&w);
  wg_st_add_tensor(&w, "a", shape, 1, x);
  wg_st_add_tensor(&w, "a", shape, 1, x);
  CHECK(strstr(wg_last_error(), "tensor 'a' added twice"));
  wg_st_add_meta(&w, "k", "v");  /* ignored after a failure */
  CHECK(w.failed && w.n_items == 1 && w.n_meta == 0);
  uint8_t *out;
  size_t n;
  CHECK(wg_st_finish(&w, &out, &n) == WG_ERR_ARG);
  wg_st_writer_free(&w);
  wg_st_writer_init(&w);
  wg_st_add_meta(&w, "k", "v");
  wg_st_add_meta(&w, "k", "w");
  CHECK(w.failed && strstr(wg_last_error(), "metadata key 'k' added twice"));
  wg_st_writer_free(&w);

  /* Many tensors and metadata entries (the growth paths). */
  wg_st_writer_init(&w);
  float one = 1.0f;
  char name[32];
  for (int i = 0; i < 300; i++) {
    snprintf(name, sizeof name, "t%d", i);
    wg_st_add_tensor(&w, name, NULL, 0, &one);
    wg_st_add_meta(&w, name, name);
  }
  CHECK(!w.failed && wg_st_finish(&w, &out, &n) == WG_OK);
  wg_st_writer_free(&w);
  wg_st_file f;
  wg_status st = wg_st_read(out, n, &f);
  free(out);
  CHECK(st == WG_OK);
  int ok = f.n_tensors == 300 && f.n_meta == 300 && !strcmp(f.tensors[299].name, "t299") &&
           !strcmp(wg_st_meta(&f, "t123"), "t123");
  wg_st_file_free(&f);
  CHECK(ok);
}

void suite_safetensors(void) {
  RUN(test_st_exact_bytes);
  RUN(test_st_roundtrip);
  RUN(test_st_no_metadata);
  RUN(test_st_reads_foreign_files);
  RUN(test_st_truncated);
  RUN(test_st_header_length);
  RUN(test_st_bad_json);
  RUN(test_st_metadata_errors);
  RUN(test_st_dtype_errors);
  RUN(test_st_shape_errors);
  RUN(test_st_offset_errors);
  RUN(test_st_overlap_and_duplicates);
  RUN(test_st_failure_frees);
  RUN(test_st_mutations);
  RUN(test_st_writer_errors);
}
