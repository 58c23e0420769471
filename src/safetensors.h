/* safetensors.h — read and write the safetensors format (float32 tensors + string metadata).
 *
 * Layout: 8-byte little-endian header length N, then N bytes of JSON
 *   {"__metadata__": {"k": "v", ...}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...}
 * padded with spaces to a multiple of 8, then the raw little-endian data. The reader treats the
 * file as hostile: it checks the header length against the file size, parses the JSON strictly,
 * accepts only dtype F32, checks shapes (rank <= 8, product with overflow-safe arithmetic),
 * that every offset pair is in range, that byte length == 4 * element count, and that tensors
 * do not overlap, before anyone touches data.
 *
 *   wg_st_writer w; wg_st_writer_init(&w);
 *   wg_st_add_meta(&w, "config", json_text);
 *   int64_t shape[2] = {256, 100};
 *   wg_st_add_tensor(&w, "G.0.weight", shape, 2, weights);   // data is copied at finish
 *   uint8_t *bytes; size_t n;
 *   if (wg_st_finish(&w, &bytes, &n) == WG_OK) { ... free(bytes); }
 *   wg_st_writer_free(&w);
 *
 *   wg_st_file f;
 *   if (wg_st_read(bytes, n, &f) != WG_OK) puts(wg_last_error());
 *   const wg_st_tensor *t = wg_st_find(&f, "G.0.weight");   // t->data points into `bytes`
 *   const char *cfg = wg_st_meta(&f, "config");              // NULL when absent
 *   wg_st_file_free(&f);
 */
#ifndef WG_SAFETENSORS_H
#define WG_SAFETENSORS_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define WG_ST_MAX_RANK 8

typedef struct {
  char *name;
  int rank;
  int64_t shape[WG_ST_MAX_RANK];
  int64_t count;         /* product of shape (1 for rank 0) */
  const uint8_t *data;   /* little-endian float32, count*4 bytes, possibly unaligned: read with memcpy */
} wg_st_tensor;

typedef struct {
  wg_st_tensor *tensors; int n_tensors;
  char **meta_keys; char **meta_values; int n_meta;
} wg_st_file;

wg_status wg_st_read(const uint8_t *bytes, size_t len, wg_st_file *out);
const wg_st_tensor *wg_st_find(const wg_st_file *f, const char *name);
const char *wg_st_meta(const wg_st_file *f, const char *key);
/* Copies tensor data to `dst` (count floats), converting from little-endian. */
void wg_st_copy(const wg_st_tensor *t, float *dst);
void wg_st_file_free(wg_st_file *f);

typedef struct {
  struct wg_st_pending { char *name; int rank; int64_t shape[WG_ST_MAX_RANK]; const float *data; } *items;
  int n_items, cap_items;
  char **meta_keys; char **meta_values; int n_meta, cap_meta;
  int failed;
} wg_st_writer;

void wg_st_writer_init(wg_st_writer *w);
/* Pointers must stay valid until wg_st_finish; names and metadata strings are copied. */
void wg_st_add_tensor(wg_st_writer *w, const char *name, const int64_t *shape, int rank, const float *data);
void wg_st_add_meta(wg_st_writer *w, const char *key, const char *value);
/* Tensors are written in the order added; on success *out is malloc'd (caller frees). */
wg_status wg_st_finish(wg_st_writer *w, uint8_t **out, size_t *out_len);
void wg_st_writer_free(wg_st_writer *w);

#endif
