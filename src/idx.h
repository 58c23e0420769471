/* idx.h — parse the IDX format of MNIST / Fashion-MNIST (already decompressed bytes).
 *
 * An IDX file is: two zero bytes, a type byte (0x08 = uint8, the only type accepted), the rank
 * (1 for labels, 3 for images N×H×W, 4 for N×H×W×C), then `rank` big-endian uint32 dimensions,
 * then the data. The parser checks the magic, type, rank, that every dimension is > 0, that the
 * element count does not overflow and that the file holds exactly header + count bytes
 * (a truncated or padded file is an error naming the expected and actual sizes).
 *
 *   wg_idx idx;
 *   if (wg_idx_parse(bytes, len, &idx) != WG_OK) puts(wg_last_error());
 *   // idx.rank, idx.dims[0..rank), idx.data (points into bytes), idx.count
 */
#ifndef WG_IDX_H
#define WG_IDX_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct {
  int rank;
  uint32_t dims[4];
  size_t count;          /* product of dims */
  const uint8_t *data;   /* count bytes inside the parsed buffer */
} wg_idx;

wg_status wg_idx_parse(const uint8_t *bytes, size_t len, wg_idx *out);

/* Checks that an images file (rank 3 or 4) and a labels file (rank 1) belong together:
 * same N, labels all < 10 ... or < max_classes. `labels` may be NULL (no labels). */
wg_status wg_idx_check_pair(const wg_idx *images, const wg_idx *labels, int max_classes);

#endif
