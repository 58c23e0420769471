/* imageio.h — decoding users' image files (PNG, JPEG, BMP, GIF) into square training images.
 *
 * Decoding is stb_image with only those four formats compiled in. Nothing in a file is trusted:
 * the signature picks the format, and the header's size is checked against WG_IMAGE_MAX_SIDE and
 * WG_IMAGE_MAX_PIXELS before a single pixel is decoded. Every refusal says why, as one of the
 * wg_image_problem values (so callers can group skipped files) plus a message in wg_last_error().
 *
 * wg_image_load_square turns any decodable image into a training image: centre-cropped to a
 * square, resized to size x size (area averaging when shrinking, bilinear when enlarging),
 * converted to 1 (grey) or 3 (RGB) channels and written planar (C, H, W) like wg_dataset pixels.
 * Transparent pixels are composited over black (the background of MNIST-like data). Rows stay in
 * file order: the top of the picture is row 0.
 *
 *   wg_image_problem why;
 *   uint8_t out[28 * 28];
 *   if (wg_image_load_square(bytes, len, 28, 1, out, &why)) printf("skip: %s\n", wg_last_error());
 */
#ifndef WG_IMAGEIO_H
#define WG_IMAGEIO_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

enum { WG_IMAGE_MAX_SIDE = 8192, WG_IMAGE_MAX_PIXELS = 32 << 20, WG_IMAGE_MAX_OUT_SIDE = 1024 };

typedef enum {
  WG_IMAGE_OK = 0,
  WG_IMAGE_UNSUPPORTED = 1,   /* not PNG, JPEG, BMP or GIF (named when recognised, e.g. WebP) */
  WG_IMAGE_CORRUPT = 2,       /* a supported format whose data cannot be decoded */
  WG_IMAGE_TOO_LARGE = 3      /* over the side or pixel cap, or no memory to decode it */
} wg_image_problem;

typedef enum { WG_FORMAT_UNKNOWN = 0, WG_FORMAT_PNG, WG_FORMAT_JPEG, WG_FORMAT_BMP, WG_FORMAT_GIF } wg_image_format;

typedef struct {
  wg_image_format format;
  int width, height;
  int channels;   /* in the file: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA */
} wg_image_info;

/* Reads the format and size from the header only; fails (with *why set) on anything that
 * wg_image_load_square would refuse before decoding. */
wg_status wg_image_probe(const uint8_t *bytes, size_t len, wg_image_info *info, wg_image_problem *why);

/* Decodes, crops and resizes into out (channels * size * size bytes, planar). size is in
 * [1, WG_IMAGE_MAX_OUT_SIDE], channels 1 or 3; a bad size or channels fails with WG_ERR_ARG and
 * *why == WG_IMAGE_OK, since that is the caller's mistake, not the file's. */
wg_status wg_image_load_square(const uint8_t *bytes, size_t len, int size, int channels, uint8_t *out,
                               wg_image_problem *why);

/* Decodes at the file's own size into *out (malloc'd, channels * height * width floats in
 * [0, 1], planar), grey or RGB, alpha composited over black. For the image tools (transforms,
 * blending, inpainting), which keep sizes. */
wg_status wg_image_decode(const uint8_t *bytes, size_t len, int channels, float **out, int *width,
                          int *height, wg_image_problem *why);

/* The crop-and-resize step on already decoded interleaved pixels (src_channels 1..4, layout as
 * wg_image_info.channels). */
wg_status wg_image_fit_square(const uint8_t *src, int width, int height, int src_channels, int size,
                              int channels, uint8_t *out);

#endif
