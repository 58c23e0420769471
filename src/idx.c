/* idx.c — parse IDX files (the MNIST / Fashion-MNIST container) and check image/label pairs.
 *
 * Dataset files are downloaded or picked by the user, so the parser trusts nothing: it checks the
 * magic and type, accepts only ranks 1, 3 and 4, caps each dimension (so a corrupt header cannot
 * ask for petabytes), computes the element count without overflow on 32-bit size_t (wasm32), and
 * requires the file to hold exactly header + data bytes. Errors spell out the expected and actual
 * sizes, since "truncated download" is by far the most common cause.
 */
#include "idx.h"
#include <stdio.h>
#include <string.h>

#define WG__IDX_MAX_DIM (1u << 24)

/* "10000x28x28" for error messages. */
static void wg__idx_dims(const uint32_t *dims, int rank, char *buf, size_t size) {
  size_t k = 0;
  buf[0] = 0;
  for (int i = 0; i < rank && k < size; i++)
    k += (size_t)snprintf(buf + k, size - k, "%s%u", i ? "x" : "", (unsigned)dims[i]);
}

wg_status wg_idx_parse(const uint8_t *bytes, size_t len, wg_idx *out) {
  if (!out) return wg_fail(WG_ERR_ARG, "idx: out is NULL");
  memset(out, 0, sizeof *out);
  if (!bytes && len) return wg_fail(WG_ERR_ARG, "idx: bytes is NULL");
  if (len < 4)
    return wg_fail(WG_ERR_FORMAT, "idx: truncated file: %zu bytes, too short for the 4-byte magic", len);
  if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
    return wg_fail(WG_ERR_FORMAT, "idx: bad magic (expected 00 00 08 xx, got %02x %02x %02x %02x)%s",
                   bytes[0], bytes[1], bytes[2], bytes[3],
                   bytes[0] == 0 && bytes[1] == 0 ? ": only type 08 (uint8) is supported" : "");
  int rank = bytes[3];
  if (rank != 1 && rank != 3 && rank != 4)
    return wg_fail(WG_ERR_FORMAT, "idx: rank %d is not supported (expected 1, 3 or 4)", rank);
  size_t header = 4 + 4 * (size_t)rank;
  if (len < header)
    return wg_fail(WG_ERR_FORMAT, "idx: truncated file: rank %d needs a %zu-byte header but the file has %zu bytes",
                   rank, header, len);

  uint32_t dims[4];
  size_t count = 1;
  for (int i = 0; i < rank; i++) {
    const uint8_t *b = bytes + 4 + 4 * i;
    dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    if (dims[i] == 0) return wg_fail(WG_ERR_FORMAT, "idx: dimension %d is 0", i);
    if (dims[i] > WG__IDX_MAX_DIM)
      return wg_fail(WG_ERR_FORMAT, "idx: dimension %d is %u, above the limit of %u", i, (unsigned)dims[i],
                     WG__IDX_MAX_DIM);
    if (count > SIZE_MAX / dims[i]) {
      char d[64];
      wg__idx_dims(dims, i + 1, d, sizeof d);
      return wg_fail(WG_ERR_FORMAT, "idx: element count %s%s overflows this platform's size_t", d,
                     i + 1 < rank ? "x..." : "");
    }
    count *= dims[i];
  }

  size_t remain = len - header;
  if (remain != count) {
    char d[64];
    wg__idx_dims(dims, rank, d, sizeof d);
    if (remain < count)
      return wg_fail(WG_ERR_FORMAT,
                     "idx: truncated file: header says %s = %zu bytes of data but only %zu remain", d, count,
                     remain);
    return wg_fail(WG_ERR_FORMAT, "idx: header says %s = %zu bytes of data but %zu remain (%zu extra)", d, count,
                   remain, remain - count);
  }
  out->rank = rank;
  memcpy(out->dims, dims, (size_t)rank * sizeof dims[0]);
  out->count = count;
  out->data = bytes + header;
  return WG_OK;
}

wg_status wg_idx_check_pair(const wg_idx *images, const wg_idx *labels, int max_classes) {
  if (!images) return wg_fail(WG_ERR_ARG, "idx: images is NULL");
  if (images->rank != 3 && images->rank != 4)
    return wg_fail(WG_ERR_FORMAT, "idx: images must have rank 3 or 4 (N x H x W [x C]), got rank %d",
                   images->rank);
  if (!labels) return WG_OK;
  if (labels->rank != 1)
    return wg_fail(WG_ERR_FORMAT, "idx: labels must have rank 1, got rank %d", labels->rank);
  if (images->dims[0] != labels->dims[0])
    return wg_fail(WG_ERR_FORMAT, "idx: %u images but %u labels", (unsigned)images->dims[0],
                   (unsigned)labels->dims[0]);
  /* max_classes <= 0 means the MNIST default of 10 digits. */
  int classes = max_classes > 0 ? max_classes : 10;
  for (size_t i = 0; i < labels->count; i++)
    if (labels->data[i] >= classes)
      return wg_fail(WG_ERR_FORMAT, "idx: label %d at index %zu is out of range (0..%d)", labels->data[i], i,
                     classes - 1);
  return WG_OK;
}
