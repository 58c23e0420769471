/* api.c — thin exported wrappers over the core for the JS package (see api.h). */
#include "api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "augment.h"
#include "family.h"
#include "gemm.h"
#include "idx.h"
#include "simd.h"
#include "synthesis.h"

void *wg_api_malloc(size_t n) { return malloc(n ? n : 1); }
void wg_api_free(void *p) { free(p); }
const char *wg_api_last_error(void) { return wg_last_error(); }
int wg_api_last_status(void) { return (int)wg_last_status(); }
const char *wg_api_simd(void) { return WG_SIMD_NAME; }

wg_model *wg_api_model_create(const char *config_json) {
  wg_model *m;
  return wg_model_create(config_json, &m) == WG_OK ? m : NULL;
}
void wg_api_model_free(wg_model *m) { wg_model_free(m); }
const char *wg_api_model_config(const wg_model *m) { return wg_model_config_json(m); }

const char *wg_api_model_describe(const wg_model *m) { return wg_model_describe(m); }
const char *wg_api_registry(void) { return wg_registry_json(); }
double wg_api_model_step(const wg_model *m) { return (double)wg_model_step(m); }
double wg_api_model_epoch(const wg_model *m) { return (double)wg_model_epoch(m); }
const float *wg_api_model_losses(const wg_model *m) { return wg_model_losses(m); }
void wg_api_model_guard(const wg_model *m, double *out) { wg_model_guard_info(m, out); }
double wg_api_model_arena_peak(const wg_model *m) { return (double)wg_model_arena_peak(m); }
void wg_api_model_set_dataset(wg_model *m, const char *id) { wg_model_set_dataset(m, id); }
const char *wg_api_model_dataset(const wg_model *m) { return wg_model_dataset(m); }

int wg_api_model_train(wg_model *m, const wg_dataset *ds, int steps, int batch) {
  return (int)wg_model_train(m, ds, steps, batch);
}
int wg_api_model_sample(wg_model *m, int n, double seed, const int *labels, double truncation, float *out) {
  if (!(seed >= 0 && seed <= 9007199254740991.0))
    return (int)wg_fail(WG_ERR_ARG, "sample: seed must be a whole number in [0, 2^53)");
  return (int)wg_model_sample(m, n, (uint64_t)seed, labels, (float)truncation, out);
}
int wg_api_model_decode(wg_model *m, const float *z, const int *labels, int n, float *out) {
  return (int)wg_model_decode(m, z, labels, n, out);
}
int wg_api_model_decode_mixed(wg_model *m, const float *z, const float *class_weights, int n, float *out) {
  return (int)wg_model_decode_mixed(m, z, class_weights, n, out);
}
int wg_api_model_encode(wg_model *m, const float *x, const int *labels, int n, float *mu, float *logvar) {
  return (int)wg_model_encode(m, x, labels, n, mu, logvar);
}
int wg_api_model_classify(wg_model *m, const float *x, int n, float *probs) {
  return (int)wg_model_classify(m, x, n, probs, NULL);
}
int wg_api_model_train2(wg_model *m, const wg_dataset *ds, const wg_dataset *ds_b, int steps, int batch) {
  return (int)wg_model_train2(m, ds, ds_b, steps, batch);
}
int wg_api_model_translate(wg_model *m, const float *x, int n, int direction, float *out) {
  return (int)wg_model_translate(m, x, n, direction, out);
}
int wg_api_model_judge(wg_model *m, const float *x, int n, float *probs, float *features) {
  return (int)wg_model_classify(m, x, n, probs, features);
}
int wg_api_model_feature_size(const wg_model *m) { return wg_model_feature_size(m); }
int wg_api_model_evaluate(wg_model *m, const wg_dataset *ds, int limit, double *out) {
  return (int)wg_model_evaluate(m, ds, limit, out);
}

int wg_api_model_save(const wg_model *m, uint8_t **out_ptr, uint32_t *out_len) {
  size_t len;
  wg_status st = wg_model_save(m, out_ptr, &len);
  if (st) return (int)st;
  if (len > 0xffffffffu) { free(*out_ptr); *out_ptr = NULL; return (int)wg_fail(WG_ERR_NOMEM, "checkpoint too large"); }
  *out_len = (uint32_t)len;
  return 0;
}
wg_model *wg_api_model_load(const uint8_t *bytes, uint32_t len) {
  wg_model *m;
  return wg_model_load(bytes, len, &m) == WG_OK ? m : NULL;
}

wg_dataset *wg_api_dataset_create(int n, int height, int width, int channels, int with_labels) {
  return wg_dataset_create(n, height, width, channels, with_labels);
}

wg_dataset *wg_api_dataset_from_idx(const uint8_t *images, uint32_t images_len,
                                    const uint8_t *labels, uint32_t labels_len) {
  wg_idx im, lb;
  if (wg_idx_parse(images, images_len, &im)) return NULL;
  if (im.rank != 3 && im.rank != 4) {
    wg_fail(WG_ERR_FORMAT, "idx: an images file has 3 or 4 dimensions (N, H, W[, C]), this one has %d", im.rank);
    return NULL;
  }
  if (labels) {
    if (wg_idx_parse(labels, labels_len, &lb)) return NULL;
    if (wg_idx_check_pair(&im, &lb, 256)) return NULL;
  }
  int n = (int)im.dims[0], h = (int)im.dims[1], w = (int)im.dims[2];
  int c = im.rank == 4 ? (int)im.dims[3] : 1;
  if (c != 1 && c != 3) {
    wg_fail(WG_ERR_FORMAT, "idx: images have %d channels; only 1 (grey) or 3 (RGB) are supported", c);
    return NULL;
  }
  wg_dataset *ds = wg_dataset_create(n, h, w, c, labels != NULL);
  if (!ds) return NULL;
  size_t plane = (size_t)h * w;
  for (size_t i = 0; i < (size_t)n; i++) {   /* IDX stores (H, W, C); we keep (C, H, W) */
    const uint8_t *src = im.data + i * plane * c;
    uint8_t *dst = ds->pixels + i * plane * c;
    for (size_t p = 0; p < plane; p++)
      for (int k = 0; k < c; k++) dst[(size_t)k * plane + p] = src[p * c + k];
  }
  if (labels) memcpy(ds->labels, lb.data, (size_t)n);
  return ds;
}

void wg_api_dataset_free(wg_dataset *ds) { wg_dataset_free(ds); }
uint8_t *wg_api_dataset_pixels(const wg_dataset *ds, int *info) {
  info[0] = ds->n; info[1] = ds->height; info[2] = ds->width; info[3] = ds->channels;
  return ds->pixels;
}
uint8_t *wg_api_dataset_labels(const wg_dataset *ds) { return ds->labels; }

int wg_api_blend(float *out, const float *a, const float *b, const float *mask, float alpha,
                 int pyramid_levels, int C, int H, int W) {
  if (pyramid_levels >= 0) return (int)wg_blend_pyramid(out, a, b, mask, pyramid_levels, C, H, W);
  return (int)wg_blend_alpha(out, a, b, mask, alpha, C, H, W);
}
int wg_api_fill_diffusion(float *img, const float *mask, int iterations, int C, int H, int W) {
  return (int)wg_fill_diffusion(img, mask, iterations, C, H, W);
}

int wg_api_transform(const char *ops, const float *in, int C, int H, int W, double seed,
                     float **out, int *hw) {
  wg_ops chain;
  wg_status st = wg_ops_parse(&chain, ops, 0);
  if (st) return (int)st;
  wg_rng rng;
  wg_rng_seed(&rng, (uint64_t)(seed >= 0 ? seed : 0), WG_STREAM_AUGMENT);
  return (int)wg_ops_apply(&chain, in, C, H, W, out, &hw[0], &hw[1], &rng);
}

int wg_api_augment(const char *ops, float *images, int n, int C, int H, int W, double seed) {
  if (n < 0 || C < 1 || H < 1 || W < 1) return (int)wg_fail(WG_ERR_ARG, "augment: bad image shape");
  wg_ops chain;
  wg_status st = wg_ops_parse(&chain, ops, 1);
  if (st) return (int)st;
  wg_rng rng;
  wg_rng_seed(&rng, (uint64_t)(seed >= 0 ? seed : 0), WG_STREAM_AUGMENT);
  size_t size = (size_t)C * H * W;
  for (int k = 0; k < n; k++) {
    if ((st = wg_ops_augment(&chain, images + (size_t)k * size, C, H, W, &rng))) return (int)st;
  }
  return WG_OK;
}

void wg_api_gemm(int layout, int M, int N, int K, const float *A, const float *B, float *C) {
  if (layout == 0) wg_gemm_nn(M, N, K, A, K, B, N, C, N, 0);
  else if (layout == 1) wg_gemm_nt(M, N, K, A, K, B, K, C, N, 0);
  else wg_gemm_tn(M, N, K, A, M, B, N, C, N, 0);
}
