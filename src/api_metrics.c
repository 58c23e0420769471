/* api_metrics.c — exported wrappers over the sample-quality metrics (metrics.h) for wasm/metrics.js.
 *
 * Feature statistics and pairwise products are handles, so JS can stream batches into one
 * statistics object and compute KID and precision/recall from one set of pairwise products.
 *
 *   wg_feature_stats *s = wg_api_stats_create(84);
 *   wg_api_stats_add(s, batch, 500); ...; wg_api_stats_finalize(s, mean, cov); wg_api_stats_free(s);
 *   wg_feature_gram *g = wg_api_gram_create(real, 2000, fake, 2000, 84);
 *   wg_api_kid(g, 100, 1000, 0, kid); wg_api_precision_recall(g, 3, pr); wg_api_gram_free(g);
 */
#include <stdlib.h>
#include "api.h"
#include "metrics.h"

WG_API wg_feature_stats *wg_api_stats_create(int dim);
WG_API int wg_api_stats_add(wg_feature_stats *s, const float *x, int n);
WG_API double wg_api_stats_count(const wg_feature_stats *s);
/* mean (dim) and covariance (dim, dim) as float64 */
WG_API int wg_api_stats_finalize(const wg_feature_stats *s, double *mean, double *cov);
WG_API void wg_api_stats_free(wg_feature_stats *s);
WG_API int wg_api_fid(const double *mu1, const double *cov1, const double *mu2, const double *cov2, int dim,
                      double *out);
/* x: real/reference rows (nx, dim), y: generated rows (ny, dim). 0 on failure. */
WG_API wg_feature_gram *wg_api_gram_create(const float *x, int nx, const float *y, int ny, int dim);
WG_API void wg_api_gram_free(wg_feature_gram *g);
/* out[0..1] = mean, std over the subsets */
WG_API int wg_api_kid(const wg_feature_gram *g, int subsets, int size, double seed, double *out);
/* out[0..1] = precision, recall */
WG_API int wg_api_precision_recall(const wg_feature_gram *g, int k, double *out);
WG_API int wg_api_inception_score(const float *probs, int n, int classes, int from_logits, double *out);
WG_API int wg_api_class_histogram(const float *probs, int n, int classes, int *counts);
WG_API int wg_api_classes_covered(const int *counts, int classes, double share);
WG_API int wg_api_label_accuracy(const float *probs, const int *intended, int n, int classes, int *correct,
                                 int *total, double *out);

wg_feature_stats *wg_api_stats_create(int dim) {
  wg_feature_stats *s = malloc(sizeof *s);
  if (!s) { wg_fail(WG_ERR_NOMEM, "feature stats: out of memory"); return NULL; }
  if (wg_feature_stats_init(s, dim)) { free(s); return NULL; }
  return s;
}
int wg_api_stats_add(wg_feature_stats *s, const float *x, int n) { return (int)wg_feature_stats_add(s, x, n); }
double wg_api_stats_count(const wg_feature_stats *s) { return s->count; }
int wg_api_stats_finalize(const wg_feature_stats *s, double *mean, double *cov) {
  return (int)wg_feature_stats_finalize(s, mean, cov);
}
void wg_api_stats_free(wg_feature_stats *s) {
  if (!s) return;
  wg_feature_stats_free(s);
  free(s);
}

int wg_api_fid(const double *mu1, const double *cov1, const double *mu2, const double *cov2, int dim, double *out) {
  return (int)wg_fid(mu1, cov1, mu2, cov2, dim, out);
}

wg_feature_gram *wg_api_gram_create(const float *x, int nx, const float *y, int ny, int dim) {
  wg_feature_gram *g = malloc(sizeof *g);
  if (!g) { wg_fail(WG_ERR_NOMEM, "features: out of memory"); return NULL; }
  if (wg_feature_gram_compute(g, x, nx, y, ny, dim)) { free(g); return NULL; }
  return g;
}
void wg_api_gram_free(wg_feature_gram *g) {
  if (!g) return;
  wg_feature_gram_free(g);
  free(g);
}

int wg_api_kid(const wg_feature_gram *g, int subsets, int size, double seed, double *out) {
  if (!(seed >= 0 && seed <= 9007199254740991.0))
    return (int)wg_fail(WG_ERR_ARG, "kid: seed must be a whole number in [0, 2^53)");
  return (int)wg_kid_gram(g, subsets, size, (uint64_t)seed, out);
}
int wg_api_precision_recall(const wg_feature_gram *g, int k, double *out) {
  return (int)wg_precision_recall_gram(g, k, out);
}

int wg_api_inception_score(const float *probs, int n, int classes, int from_logits, double *out) {
  return (int)wg_inception_score(probs, n, classes, from_logits, out);
}
int wg_api_class_histogram(const float *probs, int n, int classes, int *counts) {
  return (int)wg_class_histogram(probs, n, classes, counts);
}
int wg_api_classes_covered(const int *counts, int classes, double share) {
  return wg_classes_covered(counts, classes, share);
}
int wg_api_label_accuracy(const float *probs, const int *intended, int n, int classes, int *correct, int *total,
                          double *out) {
  return (int)wg_label_accuracy(probs, intended, n, classes, correct, total, out);
}
