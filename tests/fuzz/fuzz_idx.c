/* fuzz_idx.c — libFuzzer target for IDX dataset files (src/idx.h) and wg_api_dataset_from_idx.
 *
 * Input layout: byte 0 is L; when L is 0 there is no labels file and the rest is the images
 * file; otherwise the next min(L, rest) bytes are the labels file and what follows is the images
 * file (labels files are small, images files are not). Each part is copied to its own exact-size
 * heap buffer so ASan catches any read past it. Covers wg_idx_parse on both parts,
 * wg_idx_check_pair (10 classes and 256), and dataset creation, which transposes (N, H, W, C) to
 * (N, C, H, W) and copies the labels. Oracle: dataset creation succeeds exactly when the parts
 * parse as images (rank 3 or 4, 1 or 3 channels, a size wg_dataset_create accepts) and labels
 * that pair with them, and then the pixels and labels are the file's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what) {
  fprintf(stderr, "fuzz_idx: %s: %s\n", what, wg_last_error());
  abort();
}

static uint8_t *copy(const uint8_t *p, size_t n) {
  uint8_t *d = malloc(n ? n : 1);
  if (!d) abort();
  if (n) memcpy(d, p, n);
  return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t rest = size - 1, nl = data[0] < rest ? data[0] : rest;
  int has_labels = data[0] != 0;
  uint8_t *labels = has_labels ? copy(data + 1, nl) : NULL;
  size_t ni = has_labels ? rest - nl : rest;
  uint8_t *images = copy(data + 1 + (has_labels ? nl : 0), ni);

  wg_idx im, lb;
  int im_ok = wg_idx_parse(images, ni, &im) == WG_OK;
  int lb_ok = has_labels && wg_idx_parse(labels, nl, &lb) == WG_OK;
  if (im_ok && (im.data != images + (ni - im.count))) fuzz_fail("images data pointer is off");
  int pair10 = 0, pair256 = 0;
  if (im_ok) {
    pair10 = wg_idx_check_pair(&im, has_labels ? (lb_ok ? &lb : NULL) : NULL, 10) == WG_OK;
    pair256 = wg_idx_check_pair(&im, has_labels ? (lb_ok ? &lb : NULL) : NULL, 256) == WG_OK;
    if (pair10 && !pair256) fuzz_fail("a pair valid for 10 classes is invalid for 256");
  }
  if (lb_ok) (void)wg_idx_check_pair(&lb, &im, 0);   /* swapped arguments must just fail */

  wg_dataset *ds = wg_api_dataset_from_idx(images, (uint32_t)ni, labels, (uint32_t)nl);
  if (ds) {
    if (!im_ok || (has_labels && (!lb_ok || !pair256))) fuzz_fail("dataset made from invalid files");
    int c = im.rank == 4 ? (int)im.dims[3] : 1;
    size_t plane = (size_t)im.dims[1] * im.dims[2];
    if (ds->n != (int)im.dims[0] || ds->height != (int)im.dims[1] || ds->width != (int)im.dims[2] ||
        ds->channels != c)
      fuzz_fail("dataset shape differs from the file");
    for (size_t i = 0; i < (size_t)ds->n; i++)
      for (size_t p = 0; p < plane; p++)
        for (int k = 0; k < c; k++)
          if (ds->pixels[(i * c + k) * plane + p] != im.data[(i * plane + p) * c + k])
            fuzz_fail("dataset pixels differ from the file");
    if (has_labels && memcmp(ds->labels, lb.data, (size_t)ds->n) != 0) fuzz_fail("dataset labels differ");
    if (!has_labels && ds->labels) fuzz_fail("dataset has labels without a labels file");
    wg_api_dataset_free(ds);
  } else if (im_ok && (im.rank == 3 || im.rank == 4) && (!has_labels || (lb_ok && pair256))) {
    int c = im.rank == 4 ? (int)im.dims[3] : 1;
    int fits = im.dims[1] <= 4096 && im.dims[2] <= 4096;
    if ((c == 1 || c == 3) && fits) fuzz_fail("dataset creation refused valid files");
  }
  free(images);
  free(labels);
  return 0;
}
