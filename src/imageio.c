/* imageio.c — image files to square training images (see imageio.h). */
#include "imageio.h"
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* stb_image, reduced to what we accept. STBI_NO_SIMD keeps JPEG decoding the same bits in the
 * native (SSE2) and wasm builds. stb's own dimension cap is lifted so that its header readers
 * report any size and ours (with the real numbers in the message) is the one that refuses. */
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_NO_STDIO
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STBI_NO_SIMD
#define STBI_ASSERT(x) ((void)0)   /* never abort on a file; assert would also pull WASI imports into wasm */
/* Zeroed allocations: stb_image's JPEG decoder reads some buffers before writing them on broken
 * files (found by MemorySanitizer); zeroing makes such files decode the same way every time. */
#define STBI_MALLOC(sz) calloc(1, (sz))
#define STBI_REALLOC(p, sz) realloc((p), (sz))
#define STBI_FREE(p) free(p)
#define STBI_MAX_DIMENSIONS 0x7fffffff
/* build/stb/stb_image.h: Debian's header with its JPEG bit reader guarded (tools/harden-stb.js),
 * included as a system header so that its own warnings stay quiet. */
#include <stb_image.h>
#ifndef WG_STB_HARDENED
#error "stb_image.h is not the guarded copy: run tools/harden-stb.js and put -isystem build/stb first (build.sh does both)"
#endif

/* File signatures: the four formats we decode, then a few common ones we name when refusing. */
typedef struct { size_t offset; const char *magic; size_t magic_len; wg_image_format format; const char *name; } wg__signature;

static const wg__signature wg__signatures[] = {
  {0, "\x89PNG\r\n\x1a\n", 8, WG_FORMAT_PNG, "PNG"},
  {0, "\xff\xd8\xff", 3, WG_FORMAT_JPEG, "JPEG"},
  {0, "BM", 2, WG_FORMAT_BMP, "BMP"},
  {0, "GIF87a", 6, WG_FORMAT_GIF, "GIF"},
  {0, "GIF89a", 6, WG_FORMAT_GIF, "GIF"},
  {8, "WEBP", 4, WG_FORMAT_UNKNOWN, "WebP"},
  {0, "II*\0", 4, WG_FORMAT_UNKNOWN, "TIFF"},
  {0, "MM\0*", 4, WG_FORMAT_UNKNOWN, "TIFF"},
  {4, "ftypavif", 8, WG_FORMAT_UNKNOWN, "AVIF"},
  {4, "ftypheic", 8, WG_FORMAT_UNKNOWN, "HEIC"},
  {4, "ftypmif1", 8, WG_FORMAT_UNKNOWN, "HEIF"},
  {0, "\xff\x0a", 2, WG_FORMAT_UNKNOWN, "JPEG XL"},
  {0, "8BPS", 4, WG_FORMAT_UNKNOWN, "Photoshop"},
  {0, "\0\0\1\0", 4, WG_FORMAT_UNKNOWN, "ICO"},
  {0, "<svg", 4, WG_FORMAT_UNKNOWN, "SVG"},
  {0, "<?xml", 5, WG_FORMAT_UNKNOWN, "SVG/XML"},
};

static const wg__signature *wg__sniff(const uint8_t *bytes, size_t len) {
  for (size_t i = 0; i < sizeof wg__signatures / sizeof wg__signatures[0]; i++) {
    const wg__signature *s = &wg__signatures[i];
    if (len >= s->offset + s->magic_len && memcmp(bytes + s->offset, s->magic, s->magic_len) == 0) return s;
  }
  return NULL;
}

/* stb's reason for the last failure; cleared before each stb call so it is never a stale one. */
static const char *wg__stb_reason(void) {
  return stbi_failure_reason() ? stbi_failure_reason() : "unknown error";
}

/* Reads byte i, or 0 past the end as stb's reader does. */
static unsigned wg__byte_at(const uint8_t *bytes, size_t len, size_t i) { return i < len ? bytes[i] : 0; }

/* True when every Huffman table of the DHT segment whose marker is at i has at most 256 codes.
 * The stb_image in Debian 12 (2.27) lacks that check and writes past its tables otherwise. */
static int wg__dht_fits(const uint8_t *bytes, size_t len, size_t i) {
  size_t end = i + 2 + (wg__byte_at(bytes, len, i + 2) << 8 | wg__byte_at(bytes, len, i + 3));
  for (size_t pos = i + 4; pos < end && pos < len;) {
    unsigned q = bytes[pos];
    if (q >> 4 > 1 || (q & 15) > 3) return 1;   /* stb refuses this table before building it */
    size_t codes = 0;
    for (size_t k = 1; k <= 16; k++) codes += wg__byte_at(bytes, len, pos + k);
    if (codes > 256) return 0;
    pos += 17 + codes;
  }
  return 1;
}

/* Finds every DHT stb could read: before the first scan it walks segments by their lengths
 * (scanning for the next 0xFF after each, as stb resynchronises); from the first scan on, where
 * entropy-coded data has no lengths, it checks every 0xFF 0xC4 pair. */
static int wg__jpeg_huffman_tables_fit(const uint8_t *bytes, size_t len) {
  size_t i = 2;
  while (i + 1 < len) {
    if (bytes[i] != 0xff || bytes[i + 1] == 0xff) { i++; continue; }
    unsigned marker = bytes[i + 1];
    if (marker == 0xda) break;
    if (marker == 0xc4 && !wg__dht_fits(bytes, len, i)) return 0;
    i += 2 + (wg__byte_at(bytes, len, i + 2) << 8 | wg__byte_at(bytes, len, i + 3));
  }
  for (; i + 1 < len; i++)
    if (bytes[i] == 0xff && bytes[i + 1] == 0xc4 && !wg__dht_fits(bytes, len, i)) return 0;
  return 1;
}

/* Walks the PNG chunk list before stb_image sees it (problems found by the fuzzer): a
 * zero-length IDAT sends stb_image 2.27 into memcpy from a null pointer, and a chunk claiming
 * more bytes than the file holds makes it grow its buffer towards 2 GB before noticing.
 * Returns NULL when the chunks fit, else what is wrong. */
static const char *wg__png_chunks_problem(const uint8_t *bytes, size_t len) {
  size_t i = 8;
  while (i + 8 <= len) {
    size_t n = ((size_t)bytes[i] << 24) | ((size_t)bytes[i + 1] << 16) | ((size_t)bytes[i + 2] << 8) | bytes[i + 3];
    if (memcmp(bytes + i + 4, "IEND", 4) == 0) return NULL;
    if (n > len - i - 8 || len - i - 8 - n < 4) return "a chunk runs past the end of the file";
    if (memcmp(bytes + i + 4, "IDAT", 4) == 0 && n == 0) return "an empty IDAT chunk";
    i += 12 + n;
  }
  return NULL;
}

/* stb_image 2.27 reads a 1-, 4- or 8-bit BMP's palette into an uninitialised stack array of 256
 * entries and fills only the psize entries the file holds (psize comes from the pixel data
 * offset); a pixel whose index is psize or more decodes to stack garbage (found by the fuzzer:
 * MSan, and under ASan two loads of one file differ). This mirrors stb's reading (w and h are
 * the header's, already checked against our caps) and returns 1 when every index has an entry. */
static int wg__bmp_palette_fits(const uint8_t *bytes, size_t len, int w, int h) {
  uint32_t u[2];
  for (int k = 0; k < 2; k++)   /* the pixel data offset (byte 10) and the header size (byte 14) */
    u[k] = wg__byte_at(bytes, len, 10 + 4 * k) | wg__byte_at(bytes, len, 11 + 4 * k) << 8 |
           wg__byte_at(bytes, len, 12 + 4 * k) << 16 | (uint32_t)wg__byte_at(bytes, len, 13 + 4 * k) << 24;
  long long offset = (int32_t)u[0], hsz = (int32_t)u[1];
  size_t at = hsz == 12 ? 24 : 28;
  unsigned bpp = wg__byte_at(bytes, len, at) | wg__byte_at(bytes, len, at + 1) << 8;
  if (bpp != 1 && bpp != 4 && bpp != 8) return 1;   /* no palette, or stb refuses the file */
  long long psize = hsz == 12 ? (offset - 14 - 24) / 3 : (offset - 14 - hsz) / 4;
  if (hsz != 12 && offset - 14 - hsz < 0 && (offset - 14 - hsz) % 4) psize--;   /* stb's >> 2 rounds down */
  if (psize > 256) return 1;                 /* stb refuses it */
  if (psize < 1) return 0;                   /* stb refuses 0 and reads no entry at all when negative */
  if (psize >= 1LL << bpp) return 1;
  /* stb reads the palette, then skips to the offset (to the end of the file when that is behind) */
  long long skip = offset - 14 - hsz - psize * (hsz == 12 ? 3 : 4);
  size_t pos = skip < 0 || (unsigned long long)offset >= len ? len : (size_t)offset;
  size_t row = bpp == 1 ? ((size_t)w + 7) >> 3 : bpp == 4 ? ((size_t)w + 1) >> 1 : (size_t)w;
  size_t stride = row + (-row & 3);
  for (int y = 0; y < h && pos < len; y++, pos += stride)   /* bytes past the end read as 0 */
    for (size_t x = 0; x < (size_t)w; x++) {
      unsigned b = wg__byte_at(bytes, len, pos + x * bpp / 8);
      unsigned index = bpp == 8 ? b : bpp == 4 ? (x & 1 ? b & 15 : b >> 4) : (b >> (7 - (x & 7))) & 1;
      if (index >= psize) return 0;
    }
  return 1;
}

static wg_status wg__refuse(wg_image_problem *why, wg_image_problem problem, wg_status st) {
  *why = problem;
  return st;
}

wg_status wg_image_probe(const uint8_t *bytes, size_t len, wg_image_info *info, wg_image_problem *why) {
  memset(info, 0, sizeof *info);
  *why = WG_IMAGE_OK;
  if (!bytes || len == 0)
    return wg__refuse(why, WG_IMAGE_UNSUPPORTED, wg_fail(WG_ERR_FORMAT, "the file is empty"));
  const wg__signature *sig = wg__sniff(bytes, len);
  if (!sig)
    return wg__refuse(why, WG_IMAGE_UNSUPPORTED,
                      wg_fail(WG_ERR_FORMAT, "not a PNG, JPEG, BMP or GIF image"));
  if (sig->format == WG_FORMAT_UNKNOWN)
    return wg__refuse(why, WG_IMAGE_UNSUPPORTED,
                      wg_fail(WG_ERR_FORMAT, "%s images are not supported (use PNG, JPEG, BMP or GIF)", sig->name));
  info->format = sig->format;
  if (len > INT_MAX)
    return wg__refuse(why, WG_IMAGE_TOO_LARGE, wg_fail(WG_ERR_ARG, "the file is over 2 GB"));
  if (sig->format == WG_FORMAT_JPEG && !wg__jpeg_huffman_tables_fit(bytes, len))
    return wg__refuse(why, WG_IMAGE_CORRUPT, wg_fail(WG_ERR_FORMAT, "corrupt JPEG (a Huffman table has over 256 codes)"));
  const char *png_problem = sig->format == WG_FORMAT_PNG ? wg__png_chunks_problem(bytes, len) : NULL;
  if (png_problem) return wg__refuse(why, WG_IMAGE_CORRUPT, wg_fail(WG_ERR_FORMAT, "corrupt PNG (%s)", png_problem));
  int w, h, comp;
  /* stbi_info tries every format in turn, so its failure reason names the last one tried: ours
   * is more useful. */
  if (!stbi_info_from_memory(bytes, (int)len, &w, &h, &comp))
    return wg__refuse(why, WG_IMAGE_CORRUPT, wg_fail(WG_ERR_FORMAT, "corrupt %s header", sig->name));
  /* A negative BMP height means rows stored top-down: valid, and stb's loader takes its magnitude
   * (its info call reports the raw value). */
  if (sig->format == WG_FORMAT_BMP && h < 0 && h > -WG_IMAGE_MAX_SIDE - 1) h = -h;
  if (w <= 0 || h <= 0)
    return wg__refuse(why, WG_IMAGE_CORRUPT, wg_fail(WG_ERR_FORMAT, "corrupt %s header (size %dx%d)", sig->name, w, h));
  if (w > WG_IMAGE_MAX_SIDE || h > WG_IMAGE_MAX_SIDE || (long long)w * h > WG_IMAGE_MAX_PIXELS)
    return wg__refuse(why, WG_IMAGE_TOO_LARGE,
                      wg_fail(WG_ERR_ARG, "%dx%d pixels is too large (limits: %d per side, %d megapixels)",
                              w, h, WG_IMAGE_MAX_SIDE, WG_IMAGE_MAX_PIXELS >> 20));
  if (sig->format == WG_FORMAT_BMP && !wg__bmp_palette_fits(bytes, len, w, h))
    return wg__refuse(why, WG_IMAGE_CORRUPT,
                      wg_fail(WG_ERR_FORMAT, "corrupt BMP (a pixel uses a colour its palette does not have)"));
  info->width = w;
  info->height = h;
  info->channels = comp;
  return WG_OK;
}

/* Source pixel x of an interleaved row as `channels` floats, alpha composited over black. */
static void wg__pixel(const uint8_t *p, int src_channels, int channels, float *out) {
  float alpha = (src_channels == 2 || src_channels == 4) ? p[src_channels - 1] / 255.0f : 1.0f;
  if (src_channels <= 2) {
    for (int c = 0; c < channels; c++) out[c] = p[0] * alpha;
  } else if (channels == 3) {
    for (int c = 0; c < 3; c++) out[c] = p[c] * alpha;
  } else {
    out[0] = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * alpha;   /* ITU-R BT.601 luma */
  }
}

/* Resampling weights along one axis, from `side` source samples to `size` output samples:
 * output i reads source first[i] .. first[i] + count[i] - 1 with weights w[i * max_taps + t]. */
typedef struct { int *first, *count, max_taps; float *w; } wg__taps;

static void wg__taps_free(wg__taps *t) { free(t->first); free(t->count); free(t->w); }

static wg_status wg__taps_make(int side, int size, wg__taps *t) {
  double scale = (double)side / size;
  t->max_taps = side >= size ? (int)ceil(scale) + 1 : 2;
  t->first = malloc(sizeof(int) * (size_t)size);
  t->count = malloc(sizeof(int) * (size_t)size);
  t->w = malloc(sizeof(float) * (size_t)size * (size_t)t->max_taps);
  if (!t->first || !t->count || !t->w) {
    wg__taps_free(t);
    return wg_fail(WG_ERR_NOMEM, "out of memory for resampling weights");
  }
  for (int i = 0; i < size; i++) {
    float *w = t->w + (size_t)i * t->max_taps;
    if (side >= size) {   /* area averaging: each source sample weighs by its overlap with the box */
      double a = i * scale, b = (i + 1) * scale;
      int j0 = (int)floor(a), j1 = (int)ceil(b) - 1;
      if (j1 > side - 1) j1 = side - 1;
      t->first[i] = j0;
      t->count[i] = 0;
      for (int j = j0; j <= j1; j++) {
        double overlap = fmin(j + 1.0, b) - fmax((double)j, a);
        if (overlap > 0) w[t->count[i]++] = (float)(overlap / scale);
        else if (t->count[i] == 0) t->first[i]++;
      }
    } else {              /* bilinear between the two nearest source centres, edges clamped */
      double x = (i + 0.5) * scale - 0.5;
      if (x < 0) x = 0;
      if (x > side - 1) x = side - 1;
      int j0 = (int)x;
      double f = x - j0;
      t->first[i] = j0;
      t->count[i] = j0 + 1 < side ? 2 : 1;
      w[0] = (float)(1.0 - f);
      if (t->count[i] == 2) w[1] = (float)f;
    }
  }
  return WG_OK;
}

wg_status wg_image_fit_square(const uint8_t *src, int width, int height, int src_channels, int size,
                              int channels, uint8_t *out) {
  if (!src || !out || width < 1 || height < 1 || src_channels < 1 || src_channels > 4)
    return wg_fail(WG_ERR_ARG, "fit_square: bad source image");
  if (size < 1 || size > WG_IMAGE_MAX_OUT_SIDE)
    return wg_fail(WG_ERR_ARG, "image size must be in [1, %d], got %d", WG_IMAGE_MAX_OUT_SIDE, size);
  if (channels != 1 && channels != 3)
    return wg_fail(WG_ERR_ARG, "channels must be 1 (grey) or 3 (RGB), got %d", channels);
  int side = width < height ? width : height;
  int x0 = (width - side) / 2, y0 = (height - side) / 2;
  wg__taps taps = {0};
  wg_status st = wg__taps_make(side, size, &taps);
  if (st) return st;
  /* Separable: each source row is converted and resampled horizontally into `row`, then added
   * into every output row whose vertical taps include it. */
  float *line = malloc(sizeof(float) * (size_t)side * channels);
  float *row = malloc(sizeof(float) * (size_t)size * channels);
  float *acc = calloc((size_t)size * size * channels, sizeof(float));   /* (size, size, C) */
  if (!line || !row || !acc) {
    st = wg_fail(WG_ERR_NOMEM, "out of memory resizing a %dx%d image", width, height);
    goto done;
  }
  int oy_lo = 0;
  for (int y = 0; y < side; y++) {
    while (oy_lo < size && taps.first[oy_lo] + taps.count[oy_lo] <= y) oy_lo++;
    if (oy_lo == size) break;
    if (taps.first[oy_lo] > y) continue;   /* no output row reads this source row */
    const uint8_t *s = src + ((size_t)(y0 + y) * width + x0) * src_channels;
    for (int x = 0; x < side; x++) wg__pixel(s + (size_t)x * src_channels, src_channels, channels, line + (size_t)x * channels);
    for (int ox = 0; ox < size; ox++) {
      const float *w = taps.w + (size_t)ox * taps.max_taps;
      for (int c = 0; c < channels; c++) {
        float sum = 0;
        for (int t = 0; t < taps.count[ox]; t++) sum += w[t] * line[(size_t)(taps.first[ox] + t) * channels + c];
        row[(size_t)ox * channels + c] = sum;
      }
    }
    for (int oy = oy_lo; oy < size && taps.first[oy] <= y; oy++) {
      int t = y - taps.first[oy];
      if (t >= taps.count[oy]) continue;
      float wy = taps.w[(size_t)oy * taps.max_taps + t];
      float *a = acc + (size_t)oy * size * channels;
      for (int k = 0; k < size * channels; k++) a[k] += wy * row[k];
    }
  }
  size_t plane = (size_t)size * size;
  for (size_t p = 0; p < plane; p++) {
    for (int c = 0; c < channels; c++) {
      float v = acc[p * channels + c] + 0.5f;
      out[(size_t)c * plane + p] = v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
    }
  }
done:
  free(line); free(row); free(acc);
  wg__taps_free(&taps);
  return st;
}

/* Decodes with stb_image after the probe's checks, for output with `channels` (1 or 3, checked
 * first); *pixels is stb's interleaved buffer. */
static wg_status wg__decode(const uint8_t *bytes, size_t len, int channels, uint8_t **pixels, int *w,
                            int *h, int *comp, wg_image_problem *why) {
  *why = WG_IMAGE_OK;
  if (channels != 1 && channels != 3)
    return wg_fail(WG_ERR_ARG, "channels must be 1 (grey) or 3 (RGB), got %d", channels);
  wg_image_info info;
  wg_status st = wg_image_probe(bytes, len, &info, why);
  if (st) return st;
  stbi__g_failure_reason = NULL;
  *pixels = stbi_load_from_memory(bytes, (int)len, w, h, comp, 0);
  if (!*pixels) {
    const char *reason = wg__stb_reason();
    if (strcmp(reason, "outofmem") == 0)
      return wg__refuse(why, WG_IMAGE_TOO_LARGE,
                        wg_fail(WG_ERR_NOMEM, "not enough memory to decode a %dx%d image", info.width, info.height));
    return wg__refuse(why, WG_IMAGE_CORRUPT, wg_fail(WG_ERR_FORMAT, "corrupt %s data (%s)", wg__sniff(bytes, len)->name, reason));
  }
  return WG_OK;
}

wg_status wg_image_load_square(const uint8_t *bytes, size_t len, int size, int channels, uint8_t *out,
                               wg_image_problem *why) {
  *why = WG_IMAGE_OK;
  if (size < 1 || size > WG_IMAGE_MAX_OUT_SIDE)
    return wg_fail(WG_ERR_ARG, "image size must be in [1, %d], got %d", WG_IMAGE_MAX_OUT_SIDE, size);
  uint8_t *pixels;
  int w, h, comp;
  wg_status st = wg__decode(bytes, len, channels, &pixels, &w, &h, &comp, why);
  if (st) return st;
  st = wg_image_fit_square(pixels, w, h, comp, size, channels, out);
  stbi_image_free(pixels);
  if (st == WG_ERR_NOMEM) *why = WG_IMAGE_TOO_LARGE;
  return st;
}

wg_status wg_image_decode(const uint8_t *bytes, size_t len, int channels, float **out, int *width,
                          int *height, wg_image_problem *why) {
  *out = NULL;
  uint8_t *pixels;
  int w, h, comp;
  wg_status st = wg__decode(bytes, len, channels, &pixels, &w, &h, &comp, why);
  if (st) return st;
  size_t plane = (size_t)w * h;
  float *img = malloc(sizeof(float) * plane * channels);
  if (!img) {
    stbi_image_free(pixels);
    return wg__refuse(why, WG_IMAGE_TOO_LARGE, wg_fail(WG_ERR_NOMEM, "not enough memory for a %dx%d image", w, h));
  }
  for (size_t p = 0; p < plane; p++) {
    float px[3];
    wg__pixel(pixels + p * comp, comp, channels, px);
    for (int c = 0; c < channels; c++) img[(size_t)c * plane + p] = px[c] / 255.f;
  }
  stbi_image_free(pixels);
  *out = img; *width = w; *height = h;
  return WG_OK;
}
