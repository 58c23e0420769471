/* test_idx.c — IDX parsing (MNIST layout, ranks 1/3/4, every header check and its message) and
 * the images/labels pair check. */
#include "test.h"
#include "idx.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Header for `rank` dims followed by `data_len` bytes of i % 251; caller frees. */
static uint8_t *idx_file(int rank, const uint32_t *dims, size_t data_len, size_t *len) {
  size_t h = 4 + 4 * (size_t)rank;
  uint8_t *b = malloc(h + data_len + 1);
  if (!b) return NULL;
  b[0] = 0, b[1] = 0, b[2] = 0x08, b[3] = (uint8_t)rank;
  for (int i = 0; i < rank; i++) {
    b[4 + 4 * i] = (uint8_t)(dims[i] >> 24), b[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
    b[6 + 4 * i] = (uint8_t)(dims[i] >> 8), b[7 + 4 * i] = (uint8_t)dims[i];
  }
  for (size_t i = 0; i < data_len; i++) b[h + i] = (uint8_t)(i % 251);
  *len = h + data_len;
  return b;
}

static int idx_rejects(const uint8_t *b, size_t len, const char *needle) {
  wg_idx idx;
  memset(&idx, 0xAB, sizeof idx);
  wg_status st = wg_idx_parse(b, len, &idx);
  int zeroed = idx.rank == 0 && idx.count == 0 && idx.data == NULL;
  if (st == WG_ERR_FORMAT && zeroed && strstr(wg_last_error(), needle)) return 1;
  fprintf(stderr, "  status %d, zeroed %d, message \"%s\", wanted \"%s\"\n", (int)st, zeroed, wg_last_error(), needle);
  return 0;
}

static int dims_reject(int rank, const uint32_t *dims, size_t data_len, const char *needle) {
  size_t len;
  uint8_t *b = idx_file(rank, dims, data_len, &len);
  int ok = b && idx_rejects(b, len, needle);
  free(b);
  return ok;
}

static void test_idx_parse_ok(void) {
  uint32_t d3[3] = {2, 3, 4};  /* big-endian dims: 0x00000002 ... */
  size_t len;
  uint8_t *b = idx_file(3, d3, 24, &len);
  CHECK(b);
  wg_idx idx;
  wg_status st = wg_idx_parse(b, len, &idx);
  int ok = st == WG_OK && idx.rank == 3 && idx.dims[0] == 2 && idx.dims[1] == 3 && idx.dims[2] == 4 &&
           idx.count == 24 && idx.data == b + 16 && idx.data[23] == 23;
  free(b);
  CHECK_MSG(ok, "%s", wg_last_error());

  /* Multi-byte dims decode big-endian (60000 = 0x0000EA60, 258 = 0x00000102). */
  uint32_t d1[1] = {60000};
  b = idx_file(1, d1, 60000, &len);
  CHECK(b);
  st = wg_idx_parse(b, len, &idx);
  ok = st == WG_OK && idx.rank == 1 && idx.dims[0] == 60000 && idx.count == 60000 && b[6] == 0xEA && b[7] == 0x60;
  free(b);
  CHECK(ok);

  uint32_t d4[4] = {2, 258, 3, 3};
  b = idx_file(4, d4, 2 * 258 * 3 * 3, &len);
  CHECK(b);
  st = wg_idx_parse(b, len, &idx);
  ok = st == WG_OK && idx.rank == 4 && idx.dims[1] == 258 && idx.dims[3] == 3 && idx.count == 4644 &&
       idx.data == b + 20;
  free(b);
  CHECK(ok);
}

static void test_idx_magic_and_rank(void) {
  static const uint8_t bad1[] = {1, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7};
  CHECK(idx_rejects(bad1, sizeof bad1, "idx: bad magic (expected 00 00 08 xx, got 01 00 08 03)"));
  static const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0};  /* still gzipped */
  CHECK(idx_rejects(gz, sizeof gz, "got 1f 8b 08 00"));
  static const uint8_t f32[] = {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0};  /* float type */
  CHECK(idx_rejects(f32, sizeof f32, "got 00 00 0d 01): only type 08 (uint8) is supported"));
  static const uint8_t r2[] = {0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 5};
  CHECK(idx_rejects(r2, sizeof r2, "idx: rank 2 is not supported (expected 1, 3 or 4)"));
  static const uint8_t r0[] = {0, 0, 8, 0};
  CHECK(idx_rejects(r0, sizeof r0, "rank 0 is not supported"));
  static const uint8_t r5[] = {0, 0, 8, 5, 0, 0, 0, 1};
  CHECK(idx_rejects(r5, sizeof r5, "rank 5 is not supported"));
  static const uint8_t r255[] = {0, 0, 8, 255};
  CHECK(idx_rejects(r255, sizeof r255, "rank 255"));
}

static void test_idx_truncated(void) {
  uint32_t d3[3] = {10000, 28, 28};
  CHECK(dims_reject(3, d3, 5000, ""));
  CHECK(!strcmp(wg_last_error(),
                "idx: truncated file: header says 10000x28x28 = 7840000 bytes of data but only 5000 remain"));
  CHECK(dims_reject(3, d3, 0, "but only 0 remain"));
  CHECK(dims_reject(3, d3, 7840000 - 1, "but only 7839999 remain"));
  CHECK(dims_reject(3, d3, 7840000 + 3, "header says 10000x28x28 = 7840000 bytes of data but 7840003 remain (3 extra)"));

  /* Cut inside the magic and inside the dims. */
  size_t len;
  uint8_t *b = idx_file(3, d3, 7840000, &len);
  CHECK(b);
  int ok = idx_rejects(b, 0, "0 bytes, too short for the 4-byte magic") && idx_rejects(b, 3, "3 bytes") &&
           idx_rejects(b, 4, "rank 3 needs a 16-byte header but the file has 4 bytes") &&
           idx_rejects(b, 15, "file has 15 bytes") && idx_rejects(b, 16, "only 0 remain") &&
           idx_rejects(b, len - 1, "only 7839999 remain");
  wg_idx idx;
  ok = ok && wg_idx_parse(b, len, &idx) == WG_OK && idx.count == 7840000;
  free(b);
  CHECK(ok);
  CHECK(idx_rejects(NULL, 0, "too short"));
}

static void test_idx_dims(void) {
  uint32_t zero[3] = {5, 0, 28};
  CHECK(dims_reject(3, zero, 0, "idx: dimension 1 is 0"));
  uint32_t zero_n[1] = {0};
  CHECK(dims_reject(1, zero_n, 0, "dimension 0 is 0"));
  uint32_t cap[3] = {1, (1u << 24) + 1, 1};
  CHECK(dims_reject(3, cap, 1, "idx: dimension 1 is 16777217, above the limit of 16777216"));
  uint32_t max[1] = {0xFFFFFFFFu};
  CHECK(dims_reject(1, max, 1, "dimension 0 is 4294967295"));
  /* At the cap each dim is fine, but the product overflows a 64-bit (or 32-bit) size_t. */
  uint32_t huge[4] = {1u << 24, 1u << 24, 1u << 24, 1u << 24};
  CHECK(dims_reject(4, huge, 16, "overflows"));
  /* 2^24 x 2^24 x 1 fits 64 bits: then it is the file that is too short. */
  uint32_t big[3] = {1u << 24, 1u << 24, 1};
  if (sizeof(size_t) >= 8) CHECK(dims_reject(3, big, 16, "header says 16777216x16777216x1 = 281474976710656 bytes"));
  else CHECK(dims_reject(3, big, 16, "overflows"));
}

static void test_idx_pair(void) {
  uint32_t di[3] = {6, 2, 2}, dl[1] = {6};
  size_t li, ll;
  uint8_t *bi = idx_file(3, di, 24, &li), *bl = idx_file(1, dl, 6, &ll);
  CHECK(bi && bl);
  wg_idx images, labels;
  int ok = wg_idx_parse(bi, li, &images) == WG_OK && wg_idx_parse(bl, ll, &labels) == WG_OK;
  ok = ok && wg_idx_check_pair(&images, &labels, 10) == WG_OK;  /* labels 0..5 */
  ok = ok && wg_idx_check_pair(&images, NULL, 10) == WG_OK;
  ok = ok && wg_idx_check_pair(&images, &labels, 0) == WG_OK;  /* default 10 classes */
  ok = ok && wg_idx_check_pair(&images, &labels, 6) == WG_OK;   /* max label 5 < 6 */
  ok = ok && wg_idx_check_pair(&images, &labels, 5) == WG_ERR_FORMAT &&
       strstr(wg_last_error(), "idx: label 5 at index 5 is out of range (0..4)");
  /* Labels and images swapped, or a labels file where images are expected. */
  ok = ok && wg_idx_check_pair(&labels, &labels, 10) == WG_ERR_FORMAT &&
       strstr(wg_last_error(), "images must have rank 3 or 4");
  ok = ok && wg_idx_check_pair(&images, &images, 10) == WG_ERR_FORMAT &&
       strstr(wg_last_error(), "labels must have rank 1, got rank 3");
  ok = ok && wg_idx_check_pair(NULL, &labels, 10) == WG_ERR_ARG;
  free(bi);
  free(bl);
  CHECK(ok);

  /* The messages named in the spec, on hand-built headers (no need for 10000-image buffers). */
  uint8_t lab[10] = {1, 2, 3, 4, 5, 11, 0, 9, 9, 9};
  wg_idx im = {3, {10000, 28, 28, 0}, 7840000, NULL};
  wg_idx lb = {1, {9999, 0, 0, 0}, 9999, lab};
  CHECK(wg_idx_check_pair(&im, &lb, 10) == WG_ERR_FORMAT);
  CHECK(!strcmp(wg_last_error(), "idx: 10000 images but 9999 labels"));
  wg_idx im10 = {4, {10, 28, 28, 1}, 7840, NULL};
  wg_idx lb10 = {1, {10, 0, 0, 0}, 10, lab};
  CHECK(wg_idx_check_pair(&im10, &lb10, 10) == WG_ERR_FORMAT);
  CHECK(!strcmp(wg_last_error(), "idx: label 11 at index 5 is out of range (0..9)"));
  CHECK(wg_idx_check_pair(&im10, &lb10, 12) == WG_OK);
  CHECK(wg_idx_check_pair(&im10, &lb10, 1000) == WG_OK);
}

void suite_idx(void) {
  RUN(test_idx_parse_ok);
  RUN(test_idx_magic_and_rank);
  RUN(test_idx_truncated);
  RUN(test_idx_dims);
  RUN(test_idx_pair);
}
