/* api_image.c — exported wrapper for decoding users' image files (see imageio.h), kept apart
 * from api.c so image I/O grows without touching the model ABI.
 *
 *   int info[4];
 *   if (wg_api_image_load(bytes, len, 28, 1, out, info)) printf("%d: %s\n", info[3], wg_api_last_error());
 */
#include "api.h"
#include "imageio.h"

/* Decodes one PNG/JPEG/BMP/GIF file into out (channels * size * size bytes, planar (C, H, W)),
 * centre-cropped and resized. Returns a status; info[0..3] = width, height and channels in the
 * file (0 when unknown) and the wg_image_problem that explains a failure (0 for a bad argument). */
WG_API int wg_api_image_load(const uint8_t *bytes, uint32_t len, int size, int channels, uint8_t *out, int *info);

/* Reads only the header: info[0..3] = width, height, channels in the file, wg_image_problem. */
WG_API int wg_api_image_probe(const uint8_t *bytes, uint32_t len, int *info);

int wg_api_image_probe(const uint8_t *bytes, uint32_t len, int *info) {
  wg_image_problem why = WG_IMAGE_OK;
  wg_image_info file = {0};
  wg_status st = wg_image_probe(bytes, len, &file, &why);
  info[0] = file.width; info[1] = file.height; info[2] = file.channels; info[3] = (int)why;
  return (int)st;
}

int wg_api_image_load(const uint8_t *bytes, uint32_t len, int size, int channels, uint8_t *out, int *info) {
  wg_image_problem why = WG_IMAGE_OK;
  wg_image_info file;
  info[0] = info[1] = info[2] = 0;
  wg_status st = wg_image_probe(bytes, len, &file, &why);
  if (!st) {
    info[0] = file.width; info[1] = file.height; info[2] = file.channels;
    st = wg_image_load_square(bytes, len, size, channels, out, &why);
  }
  info[3] = (int)why;
  return (int)st;
}
