/* imagewrite.c — JPEG encoding with stb_image_write (PNG goes through the npm package fast-png).
 * Only the JPEG writer is compiled in, writing to memory (no stdio). */
#include <stdlib.h>
#include <string.h>
#include "api.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

typedef struct { uint8_t *data; size_t len, cap; int failed; } wg__buffer;

static void wg__append(void *context, void *data, int size) {
  wg__buffer *b = context;
  if (b->failed || size <= 0) return;
  if (b->len + (size_t)size > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + (size_t)size) cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) { b->failed = 1; return; }
    b->data = p; b->cap = cap;
  }
  memcpy(b->data + b->len, data, (size_t)size);
  b->len += (size_t)size;
}

int wg_api_encode_jpeg(const uint8_t *rgba, int width, int height, int quality, uint8_t **out,
                       uint32_t *out_len) {
  *out = NULL; *out_len = 0;
  if (width < 1 || height < 1 || width > 16384 || height > 16384)
    return (int)wg_fail(WG_ERR_ARG, "jpeg: invalid size %dx%d", width, height);
  if (quality < 1 || quality > 100) return (int)wg_fail(WG_ERR_ARG, "jpeg: quality must be in [1, 100]");
  wg__buffer b = {0};
  if (!stbi_write_jpg_to_func(wg__append, &b, width, height, 4, rgba, quality) || b.failed) {
    free(b.data);
    return (int)wg_fail(WG_ERR_NOMEM, "jpeg: encoding failed (out of memory)");
  }
  *out = b.data;
  *out_len = (uint32_t)b.len;
  return 0;
}

int wg_api_image_decode(const uint8_t *bytes, uint32_t len, int channels, float **out, int *info) {
  wg_image_problem why;
  int w = 0, h = 0;
  wg_status st = wg_image_decode(bytes, len, channels, out, &w, &h, &why);
  info[0] = w; info[1] = h; info[2] = (int)why;
  return (int)st;
}
