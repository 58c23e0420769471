/* fuzz_image.c — libFuzzer target for users' image files (src/imageio.h).
 *
 * Every input goes through wg_image_probe, then wg_image_load_square twice, as the app uses it:
 * 28x28 grey and 32x32 RGB (stb_image PNG/JPEG/BMP/GIF decoding, our header caps and JPEG
 * Huffman-table pre-check, centre crop, area/bilinear resize, alpha compositing). The oracle:
 * probe and load agree (a file that probes fine and then fails to decode must say CORRUPT or
 * TOO_LARGE; a refused probe means a refused load with the same problem), the grey and RGB
 * loads agree, and decoding the same bytes twice gives the same pixels (determinism: an
 * uninitialised read in a decoder shows up here even under ASan; tools/fuzz.sh also builds this
 * target with MSan as image_msan, which finds those reads directly).
 *
 * Inputs without a known image signature also drive wg_image_fit_square directly: bytes 0..3
 * pick width and height (1..64), source channels (1..4), output size (1..96) and channels, the
 * rest are the pixels, so the resizer sees shapes that decoding rarely produces.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "imageio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what) {
  fprintf(stderr, "fuzz_image: %s: %s\n", what, wg_last_error());
  abort();
}

static uint8_t grey[28 * 28], grey2[28 * 28], rgb[3 * 32 * 32], fit[3 * 96 * 96];

static void fit_square_mode(const uint8_t *data, size_t size) {
  if (size < 4) return;
  int width = 1 + data[0] % 64, height = 1 + data[1] % 64, src_channels = 1 + data[2] % 4;
  int out_size = 1 + data[3] % 96, channels = data[2] & 0x80 ? 3 : 1;
  size_t need = (size_t)width * height * src_channels;
  if (size - 4 < need) return;
  uint8_t *src = malloc(need);   /* exact-size copy so ASan sees any read past the pixels */
  if (!src) return;
  memcpy(src, data + 4, need);
  if (wg_image_fit_square(src, width, height, src_channels, out_size, channels, fit) != WG_OK)
    fuzz_fail("fit_square refused valid arguments");
  free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wg_image_info info;
  wg_image_problem probe_why, why;
  wg_status probed = wg_image_probe(data, size, &info, &probe_why);
  if (probed != WG_OK && probe_why == WG_IMAGE_OK) fuzz_fail("probe failed without a reason");
  if (probed == WG_OK && (info.width < 1 || info.height < 1 || info.channels < 1 || info.channels > 4))
    fuzz_fail("probe accepted an image with a bad size or channel count");

  wg_status st = wg_image_load_square(data, size, 28, 1, grey, &why);
  if (probed != WG_OK && (st == WG_OK || why != probe_why)) fuzz_fail("load disagrees with probe's refusal");
  if (probed == WG_OK && st != WG_OK && why != WG_IMAGE_CORRUPT && why != WG_IMAGE_TOO_LARGE)
    fuzz_fail("load failed with no file problem");
  wg_status st3 = wg_image_load_square(data, size, 32, 3, rgb, &why);
  if ((st == WG_OK) != (st3 == WG_OK)) fuzz_fail("grey and RGB loads disagree");
  if (st == WG_OK) {
    if (wg_image_load_square(data, size, 28, 1, grey2, &why) != WG_OK) fuzz_fail("a second load failed");
    if (memcmp(grey, grey2, sizeof grey) != 0) fuzz_fail("two loads of the same bytes differ");
  }

  if (probed != WG_OK && probe_why == WG_IMAGE_UNSUPPORTED && info.format == WG_FORMAT_UNKNOWN)
    fit_square_mode(data, size);
  return 0;
}
