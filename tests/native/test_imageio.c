/* test_imageio.c — image files to training images: formats, crop and resize arithmetic,
 * orientation, size caps, and refusing broken or foreign files without crashing. Test images
 * are written in memory with stb_image_write (PNG, BMP); the JPEG and GIF are fixed byte strings
 * (stb_image_write's JPEG encoder trips UBSan). */
#include <stdlib.h>
#include <string.h>
#include "imageio.h"
#include "rng.h"
#include "test.h"

/* the writer itself is compiled once, in src/imagewrite.c */
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

typedef struct { uint8_t *data; size_t len; } membuf;

static void membuf_write(void *context, void *data, int size) {
  membuf *m = context;
  uint8_t *grown = realloc(m->data, m->len + (size_t)size);
  if (!grown) return;
  memcpy(grown + m->len, data, (size_t)size);
  m->data = grown;
  m->len += (size_t)size;
}

enum { PNG, BMP };

/* An encoded image of w x h interleaved pixels with `comp` channels; free .data afterwards. */
static membuf encode(int format, int w, int h, int comp, const uint8_t *pixels) {
  membuf m = {0};
  if (format == PNG) stbi_write_png_to_func(membuf_write, &m, w, h, comp, pixels, w * comp);
  if (format == BMP) stbi_write_bmp_to_func(membuf_write, &m, w, h, comp, pixels);
  return m;
}

/* 16 x 16 grey JPEG (quality 95): rows 0-7 ramp x * 16 left to right, rows 8-15 the mirror
 * 255 - x * 16, so a flipped decode is caught. */
static const uint8_t jpeg_16x16[] =
  "\xff\xd8\xff\xe0\x00\x10\x4a\x46\x49\x46\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43"
  "\x00\x02\x01\x01\x01\x01\x01\x02\x01\x01\x01\x02\x02\x02\x02\x02\x04\x03\x02\x02\x02\x02\x05\x04"
  "\x04\x03\x04\x06\x05\x06\x06\x06\x05\x06\x06\x06\x07\x09\x08\x06\x07\x09\x07\x06\x06\x08\x0b\x08"
  "\x09\x0a\x0a\x0a\x0a\x0a\x06\x08\x0b\x0c\x0b\x0a\x0c\x09\x0a\x0a\x0a\xff\xc0\x00\x0b\x08\x00\x10"
  "\x00\x10\x01\x01\x11\x00\xff\xc4\x00\x1f\x00\x00\x01\x05\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00"
  "\x00\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\xff\xc4\x00\xb5\x10\x00\x02\x01\x03"
  "\x03\x02\x04\x03\x05\x05\x04\x04\x00\x00\x01\x7d\x01\x02\x03\x00\x04\x11\x05\x12\x21\x31\x41\x06"
  "\x13\x51\x61\x07\x22\x71\x14\x32\x81\x91\xa1\x08\x23\x42\xb1\xc1\x15\x52\xd1\xf0\x24\x33\x62\x72"
  "\x82\x09\x0a\x16\x17\x18\x19\x1a\x25\x26\x27\x28\x29\x2a\x34\x35\x36\x37\x38\x39\x3a\x43\x44\x45"
  "\x46\x47\x48\x49\x4a\x53\x54\x55\x56\x57\x58\x59\x5a\x63\x64\x65\x66\x67\x68\x69\x6a\x73\x74\x75"
  "\x76\x77\x78\x79\x7a\x83\x84\x85\x86\x87\x88\x89\x8a\x92\x93\x94\x95\x96\x97\x98\x99\x9a\xa2\xa3"
  "\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9"
  "\xca\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xf1\xf2\xf3\xf4"
  "\xf5\xf6\xf7\xf8\xf9\xfa\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\xfc\xdf\xff\x00\x82\x6d\xff\x00"
  "\xcb\x87\xfc\x06\xbf\xa0\x0f\xf8\x26\xdf\xfc\xb8\x7f\xc0\x6b\xbc\xff\x00\x82\x92\x7f\xcb\xff\x00"
  "\xfc\x0a\xbf\x9f\xff\x00\xf8\x29\x27\xfc\xbf\xff\x00\xc0\xab\xff\xd9";

/* 4 x 2 palette GIF: top row white; bottom row black, red, black, red. */
static const uint8_t gif_4x2[] =
  "GIF87a\x04\x00\x02\x00\x81\x00\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x2c\x00\x00"
  "\x00\x00\x04\x00\x02\x00\x00\x08\x09\x00\x03\x08\x0c\x00\x40\x40\xc1\x80\x00\x3b";

static void test_png_same_size_is_exact(void) {
  uint8_t grey[5 * 5], rgb[4 * 4 * 3], out[4 * 4 * 3];
  for (int i = 0; i < 25; i++) grey[i] = (uint8_t)(i * 10);
  for (int i = 0; i < 48; i++) rgb[i] = (uint8_t)(i * 5 + 1);
  wg_image_problem why;
  membuf g = encode(PNG, 5, 5, 1, grey), c = encode(PNG, 4, 4, 3, rgb);
  CHECK(g.data && c.data);
  CHECK(wg_image_load_square(g.data, g.len, 5, 1, out, &why) == WG_OK && why == WG_IMAGE_OK);
  CHECK(memcmp(out, grey, 25) == 0);
  CHECK(wg_image_load_square(c.data, c.len, 4, 3, out, &why) == WG_OK);
  for (int ch = 0; ch < 3; ch++)   /* interleaved file, planar output */
    for (int p = 0; p < 16; p++) CHECK(out[ch * 16 + p] == rgb[p * 3 + ch]);
  free(g.data); free(c.data);
}

static void test_grey_rgb_conversions_and_alpha(void) {
  uint8_t red[3] = {255, 0, 0}, grey[1] = {90}, rgba[4 * 4] = {200, 200, 200, 128, 200, 200, 200, 0,
                                                                 200, 200, 200, 255, 10, 20, 30, 255};
  uint8_t out[3 * 2 * 2];
  CHECK(wg_image_fit_square(red, 1, 1, 3, 1, 1, out) == WG_OK);
  CHECK(out[0] == 76);                               /* BT.601: 0.299 * 255 */
  CHECK(wg_image_fit_square(grey, 1, 1, 1, 1, 3, out) == WG_OK);
  CHECK(out[0] == 90 && out[1] == 90 && out[2] == 90);
  CHECK(wg_image_fit_square(rgba, 2, 2, 4, 2, 3, out) == WG_OK);
  CHECK(out[0] == 100 && out[1] == 0 && out[2] == 200 && out[3] == 10);   /* red plane */
  CHECK(out[4 + 3] == 20 && out[8 + 3] == 30);
  uint8_t grey_alpha[2] = {240, 64};
  CHECK(wg_image_fit_square(grey_alpha, 1, 1, 2, 1, 1, out) == WG_OK);
  CHECK(out[0] == 60);
}

static void test_area_average_when_shrinking(void) {
  uint8_t blocks[4 * 4], out[4];
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++) blocks[y * 4 + x] = (uint8_t)((y / 2) * 100 + (x / 2) * 40 + (x % 2) * 2 + (y % 2) * 4);
  CHECK(wg_image_fit_square(blocks, 4, 4, 1, 2, 1, out) == WG_OK);
  CHECK(out[0] == 3 && out[1] == 43 && out[2] == 103 && out[3] == 143);   /* each 2x2 block's mean */
  /* 3 -> 2: output 0 covers source 0 and half of 1, output 1 half of 1 and 2. */
  uint8_t ramp[3 * 3] = {0, 90, 180, 0, 90, 180, 0, 90, 180};
  CHECK(wg_image_fit_square(ramp, 3, 3, 1, 2, 1, out) == WG_OK);
  CHECK(out[0] == 30 && out[1] == 150 && out[2] == 30 && out[3] == 150);
}

static void test_bilinear_when_enlarging(void) {
  uint8_t two[2 * 2] = {0, 100, 0, 100}, out[4 * 4];
  CHECK(wg_image_fit_square(two, 2, 2, 1, 4, 1, out) == WG_OK);
  for (int y = 0; y < 4; y++) {   /* pixel centres at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped) */
    CHECK(out[y * 4 + 0] == 0 && out[y * 4 + 1] == 25 && out[y * 4 + 2] == 75 && out[y * 4 + 3] == 100);
  }
  uint8_t flat = 77, big[9 * 9];
  CHECK(wg_image_fit_square(&flat, 1, 1, 1, 9, 1, big) == WG_OK);
  for (int i = 0; i < 81; i++) CHECK(big[i] == 77);
}

static void test_centre_crop(void) {
  uint8_t wide[2 * 6], tall[6 * 2], out[4];
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 6; x++) wide[y * 6 + x] = (x == 2 || x == 3) ? 200 : 10;
  CHECK(wg_image_fit_square(wide, 6, 2, 1, 2, 1, out) == WG_OK);
  for (int i = 0; i < 4; i++) CHECK(out[i] == 200);
  for (int y = 0; y < 6; y++)
    for (int x = 0; x < 2; x++) tall[y * 2 + x] = (y == 2 || y == 3) ? 200 : 10;
  CHECK(wg_image_fit_square(tall, 2, 6, 1, 2, 1, out) == WG_OK);
  for (int i = 0; i < 4; i++) CHECK(out[i] == 200);
  /* A 5x3 image keeps its middle columns 1..3. */
  uint8_t five[3 * 5];
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 5; x++) five[y * 5 + x] = (uint8_t)(x * 50);
  uint8_t three[9];
  CHECK(wg_image_fit_square(five, 5, 3, 1, 3, 1, three) == WG_OK);
  CHECK(three[0] == 50 && three[1] == 100 && three[2] == 150);
}

/* The top of the picture is row 0 in every format (BMP files store rows bottom-up). */
static void test_top_row_first_in_every_format(void) {
  uint8_t pixels[4 * 4 * 3] = {0}, out[4 * 4];
  for (int i = 0; i < 4 * 3; i++) pixels[i] = 255;
  wg_image_problem why;
  for (int format = PNG; format <= BMP; format++) {
    membuf m = encode(format, 4, 4, 3, pixels);
    CHECK(m.data);
    wg_status st = wg_image_load_square(m.data, m.len, 4, 1, out, &why);
    free(m.data);
    CHECK_MSG(st == WG_OK, "format %d: %s", format, wg_last_error());
    for (int x = 0; x < 4; x++) CHECK_MSG(out[x] > 230 && out[12 + x] < 25, "format %d x %d: %d %d", format, x, out[x], out[12 + x]);
  }
  uint8_t jpeg[16 * 16];
  CHECK(wg_image_load_square(jpeg_16x16, sizeof jpeg_16x16 - 1, 16, 1, jpeg, &why) == WG_OK);
  CHECK(jpeg[0] < 10 && jpeg[15 * 16] > 245);
  uint8_t rgb[3 * 4 * 2];
  CHECK(wg_image_load_square(gif_4x2, sizeof gif_4x2 - 1, 2, 3, rgb, &why) == WG_OK);
  /* 4x2 crops to the middle 2x2: white above; red and black below. */
  CHECK(rgb[0] == 255 && rgb[1] == 255 && rgb[2] == 255 && rgb[3] == 0);   /* red plane */
  CHECK(rgb[4] == 255 && rgb[4 + 2] == 0 && rgb[4 + 3] == 0);             /* green plane */
}

static void test_jpeg_is_close_to_its_source(void) {
  uint8_t out[16 * 16];
  wg_image_problem why;
  CHECK(wg_image_load_square(jpeg_16x16, sizeof jpeg_16x16 - 1, 16, 1, out, &why) == WG_OK);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++) {
      int want = y < 8 ? x * 16 : 255 - x * 16;
      CHECK_MSG(abs(out[y * 16 + x] - want) <= 6, "(%d, %d): %d vs %d", x, y, out[y * 16 + x], want);
    }
}

static void test_probe_reports_format_and_size(void) {
  uint8_t pixels[6 * 3 * 4] = {0};
  membuf m = encode(PNG, 6, 3, 4, pixels);
  wg_image_info info;
  wg_image_problem why;
  CHECK(wg_image_probe(m.data, m.len, &info, &why) == WG_OK);
  free(m.data);
  CHECK(info.format == WG_FORMAT_PNG && info.width == 6 && info.height == 3 && info.channels == 4);
  CHECK(wg_image_probe(gif_4x2, sizeof gif_4x2 - 1, &info, &why) == WG_OK);
  CHECK(info.format == WG_FORMAT_GIF && info.width == 4 && info.height == 2);
}

static void test_unsupported_files_are_named(void) {
  wg_image_problem why;
  uint8_t out[4];
  const uint8_t webp[] = "RIFF\x24\0\0\0WEBPVP8 ", text[] = "hello, this is not an image";
  CHECK(wg_image_load_square(webp, sizeof webp - 1, 2, 1, out, &why) == WG_ERR_FORMAT);
  CHECK(why == WG_IMAGE_UNSUPPORTED && strstr(wg_last_error(), "WebP"));
  CHECK(wg_image_load_square(text, sizeof text - 1, 2, 1, out, &why) == WG_ERR_FORMAT);
  CHECK(why == WG_IMAGE_UNSUPPORTED && strstr(wg_last_error(), "not a PNG, JPEG, BMP or GIF"));
  CHECK(wg_image_load_square(text, 0, 2, 1, out, &why) == WG_ERR_FORMAT && why == WG_IMAGE_UNSUPPORTED);
  CHECK(wg_image_load_square(NULL, 0, 2, 1, out, &why) == WG_ERR_FORMAT && why == WG_IMAGE_UNSUPPORTED);
}

static void test_corrupt_files_are_refused(void) {
  uint8_t pixels[8 * 8] = {0}, out[8 * 8];
  membuf m = encode(PNG, 8, 8, 1, pixels);
  wg_image_problem why;
  CHECK(wg_image_load_square(m.data, 40, 8, 1, out, &why) == WG_ERR_FORMAT);   /* IHDR, no IDAT */
  CHECK(why == WG_IMAGE_CORRUPT && strstr(wg_last_error(), "corrupt PNG"));
  CHECK(wg_image_load_square(m.data, 12, 8, 1, out, &why) == WG_ERR_FORMAT && why == WG_IMAGE_CORRUPT);
  free(m.data);
  uint8_t bad_table[sizeof jpeg_16x16];   /* a DHT declaring 16 x 32 = 512 codes */
  memcpy(bad_table, jpeg_16x16, sizeof bad_table);
  uint8_t *dht = memchr(bad_table + 2, 0xc4, sizeof bad_table - 2);
  CHECK(dht && dht[-1] == 0xff);
  memset(dht + 4, 32, 16);
  CHECK(wg_image_load_square(bad_table, sizeof bad_table - 1, 8, 1, out, &why) == WG_ERR_FORMAT);
  CHECK(why == WG_IMAGE_CORRUPT && strstr(wg_last_error(), "Huffman"));
  const uint8_t jpeg_start[] = "\xff\xd8\xff\xe0 this JPEG stops here";
  CHECK(wg_image_load_square(jpeg_start, sizeof jpeg_start - 1, 8, 1, out, &why) == WG_ERR_FORMAT);
  CHECK(why == WG_IMAGE_CORRUPT);
}

/* Writes width and height into a PNG's IHDR (stb does not check chunk CRCs). */
static void set_png_size(uint8_t *png, uint32_t w, uint32_t h) {
  for (int i = 0; i < 4; i++) {
    png[16 + i] = (uint8_t)(w >> (24 - 8 * i));
    png[20 + i] = (uint8_t)(h >> (24 - 8 * i));
  }
}

static void test_size_caps_apply_before_decoding(void) {
  uint8_t pixels[4] = {0}, out[4];
  membuf m = encode(PNG, 2, 2, 1, pixels);
  wg_image_info info;
  wg_image_problem why;
  set_png_size(m.data, WG_IMAGE_MAX_SIDE + 1, 10);
  CHECK(wg_image_load_square(m.data, m.len, 2, 1, out, &why) == WG_ERR_ARG && why == WG_IMAGE_TOO_LARGE);
  CHECK(strstr(wg_last_error(), "8193x10 pixels is too large"));
  set_png_size(m.data, 6000, 6000);   /* both sides allowed, 36 M pixels are not */
  CHECK(wg_image_probe(m.data, m.len, &info, &why) == WG_ERR_ARG && why == WG_IMAGE_TOO_LARGE);
  set_png_size(m.data, WG_IMAGE_MAX_SIDE, WG_IMAGE_MAX_PIXELS / WG_IMAGE_MAX_SIDE);   /* exactly at the caps */
  CHECK(wg_image_probe(m.data, m.len, &info, &why) == WG_OK && info.width == WG_IMAGE_MAX_SIDE);
  set_png_size(m.data, 1u << 30, 1);   /* far beyond stb's default cap of 2^24: still our message */
  CHECK(wg_image_probe(m.data, m.len, &info, &why) == WG_ERR_ARG && why == WG_IMAGE_TOO_LARGE);
  CHECK(strstr(wg_last_error(), "1073741824x1 pixels is too large"));
  free(m.data);
}

static void test_bad_arguments_are_not_blamed_on_the_file(void) {
  uint8_t pixels[4] = {0}, out[12];
  membuf m = encode(PNG, 2, 2, 1, pixels);
  wg_image_problem why;
  CHECK(wg_image_load_square(m.data, m.len, 0, 1, out, &why) == WG_ERR_ARG && why == WG_IMAGE_OK);
  CHECK(wg_image_load_square(m.data, m.len, 2, 2, out, &why) == WG_ERR_ARG && why == WG_IMAGE_OK);
  CHECK(wg_image_load_square(m.data, m.len, WG_IMAGE_MAX_OUT_SIDE + 1, 1, out, &why) == WG_ERR_ARG);
  free(m.data);
}

/* Every truncation and many random byte flips of valid files either decode or are refused with a
 * reason; AddressSanitizer and UBSan watch for anything worse. */
static void test_damaged_files_never_crash(void) {
  uint8_t pixels[12 * 10 * 3], out[3 * 8 * 8];
  for (size_t i = 0; i < sizeof pixels; i++) pixels[i] = (uint8_t)(i * 37);
  membuf files[4] = {encode(PNG, 12, 10, 3, pixels), encode(BMP, 12, 10, 3, pixels),
                     {(uint8_t *)jpeg_16x16, sizeof jpeg_16x16 - 1}, {(uint8_t *)gif_4x2, sizeof gif_4x2 - 1}};
  wg_rng rng;
  wg_rng_seed(&rng, 7, 0);
  for (int f = 0; f < 4; f++) {
    membuf *m = &files[f];
    uint8_t *copy = malloc(m->len);
    CHECK(copy);
    for (size_t cut = 0; cut < m->len; cut++) {
      wg_image_problem why;
      wg_status st = wg_image_load_square(m->data, cut, 8, 3, out, &why);
      CHECK_MSG(st == WG_OK || (why != WG_IMAGE_OK && wg_last_error()[0]), "file %d cut at %zu", f, cut);
    }
    for (int trial = 0; trial < 300; trial++) {
      memcpy(copy, m->data, m->len);
      for (int k = 0; k < 3; k++) copy[wg_rng_below(&rng, (uint32_t)m->len)] = (uint8_t)wg_rng_u32(&rng);
      wg_image_problem why;
      wg_status st = wg_image_load_square(copy, m->len, 8, 3, out, &why);
      CHECK_MSG(st == WG_OK || (why != WG_IMAGE_OK && wg_last_error()[0]), "file %d trial %d", f, trial);
    }
    free(copy);
  }
  free(files[PNG].data); free(files[BMP].data);
}

void suite_imageio(void) {
  RUN(test_png_same_size_is_exact);
  RUN(test_grey_rgb_conversions_and_alpha);
  RUN(test_area_average_when_shrinking);
  RUN(test_bilinear_when_enlarging);
  RUN(test_centre_crop);
  RUN(test_top_row_first_in_every_format);
  RUN(test_jpeg_is_close_to_its_source);
  RUN(test_probe_reports_format_and_size);
  RUN(test_unsupported_files_are_named);
  RUN(test_corrupt_files_are_refused);
  RUN(test_size_caps_apply_before_decoding);
  RUN(test_bad_arguments_are_not_blamed_on_the_file);
  RUN(test_damaged_files_never_crash);
}
