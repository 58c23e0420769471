/* metrics.h — sample-quality metrics on feature vectors and class probabilities: FID, KID,
 * improved precision/recall, Inception-style score, class histogram/coverage and label accuracy.
 *
 * Features are float32 rows (n, dim), e.g. a judge network's penultimate layer; everything is
 * accumulated in float64 in a fixed order, and the few transcendental functions are our own
 * (+ - * / and sqrt only), so every build gives the same bits. "x" is the real/reference set and
 * "y" the generated one wherever the two roles differ (precision vs recall).
 *
 *   wg_feature_stats s; wg_feature_stats_init(&s, dim);
 *   wg_feature_stats_add(&s, batch, n);  ...                      // any number of batches
 *   wg_feature_stats_finalize(&s, mean, cov);                     // (dim), (dim, dim)
 *   wg_fid(mean, cov, ref_mean, ref_cov, dim, &fid);
 *
 *   wg_feature_gram g;                                            // pairwise dot products, once
 *   wg_feature_gram_compute(&g, real, n_real, fake, n_fake, dim);
 *   double kid[2], pr[2];
 *   wg_kid_gram(&g, 100, 1000, seed, kid);                        // mean, std over subsets
 *   wg_precision_recall_gram(&g, 3, pr);                          // precision, recall
 *   wg_feature_gram_free(&g);
 */
#ifndef WG_METRICS_H
#define WG_METRICS_H
#include <stdint.h>
#include "error.h"
#include "rng.h"

/* ---- mean and covariance, streamed ---------------------------------------------------------- */

/* Sums of (x - shift) and of their outer products, with shift = the first sample seen: centring on
 * a sample keeps the final  cov = (outer - sum sum^T / n) / (n - 1)  free of the cancellation the
 * raw second moment would suffer for features far from the origin. */
typedef struct {
  int dim;
  double count;
  double *shift;  /* (dim) first sample */
  double *sum;    /* (dim) sum of (x - shift) */
  double *outer;  /* (dim, dim) upper triangle used: sum of (x - shift)(x - shift)^T */
} wg_feature_stats;

wg_status wg_feature_stats_init(wg_feature_stats *s, int dim);
/* Adds n rows (n, dim); refuses NaN/infinite features (naming the row and column) and adds none
 * of the batch then. */
wg_status wg_feature_stats_add(wg_feature_stats *s, const float *x, int n);
/* mean (dim) and the unbiased covariance (dim, dim), divided by n - 1 as numpy.cov; needs n >= 2. */
wg_status wg_feature_stats_finalize(const wg_feature_stats *s, double *mean, double *cov);
void wg_feature_stats_free(wg_feature_stats *s);

/* ---- FID -------------------------------------------------------------------------------------- */

/* Fréchet distance of two Gaussians:  |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2).
 * Both square roots come from Jacobi eigen-decompositions with negative eigenvalues (rounding
 * noise of a positive semi-definite matrix) clamped to 0; the result is clamped at 0 too. */
wg_status wg_fid(const double *mu1, const double *cov1, const double *mu2, const double *cov2, int dim,
                 double *out);

/* Eigenvalues (n) and eigenvectors (columns of vecs, (n, n) row-major) of the symmetric matrix a
 * (n, n), which is overwritten. Cyclic Jacobi rotations until the off-diagonal part is below
 * 1e-30 of the matrix's squared norm (or 100 sweeps). Unsorted. */
wg_status wg_symmetric_eigen(double *a, int n, double *vals, double *vecs);

/* ---- pairwise metrics: KID, precision/recall ------------------------------------------------ */

/* Dot products of every pair within and across the two sets, in float64 (the products of two
 * floats are exact in double), from which both the KID kernel and the squared distances of the
 * k-NN metrics are read. Memory: 8 (nx^2 + ny^2 + nx ny) bytes, 96 MB for 2,000 + 2,000; refused
 * above 1 GiB (about 6,000 samples per set). */
typedef struct {
  int nx, ny, dim;
  double *xx;  /* (nx, nx) */
  double *yy;  /* (ny, ny) */
  double *xy;  /* (nx, ny) */
} wg_feature_gram;

/* x: real/reference (nx, dim), y: generated (ny, dim); both need >= 2 rows of finite values. */
wg_status wg_feature_gram_compute(wg_feature_gram *g, const float *x, int nx, const float *y, int ny, int dim);
void wg_feature_gram_free(wg_feature_gram *g);

/* KID: unbiased MMD^2 with the kernel k(a, b) = (a.b / dim + 1)^3, averaged over `subsets` pairs
 * of random subsets of min(nx, size) and min(ny, size) rows; out[0] = mean, out[1] = standard
 * deviation over the subsets (population, as torch-fidelity's np.std). Subsets: see
 * wg_kid_draw_subset; a set no larger than `size` is used whole in every subset (with both sets
 * whole, the full-set MMD^2 is computed once and the std is 0). Seeded from WG_STREAM_METRICS. */
wg_status wg_kid_gram(const wg_feature_gram *g, int subsets, int size, uint64_t seed, double *out);

/* The subset scheme, public so the reference script can reproduce it: m of n indices by a partial
 * Fisher-Yates shuffle of 0..n-1 (for i < m: swap(p[i], p[i + below(n - i)])), first m sorted
 * ascending (perm: scratch of n ints). For each subset the x indices are drawn, then the y
 * indices, from one PCG32 stream. */
void wg_kid_draw_subset(wg_rng *rng, int n, int m, int *perm, int *out);

/* Improved precision and recall (Kynkäänniemi et al. 2019) with the k-th nearest neighbour radius
 * (self excluded): precision = share of y inside some x sample's ball, recall = share of x inside
 * some y sample's ball (ball: squared distance <= squared radius). out[0] = precision, out[1] = recall. */
wg_status wg_precision_recall_gram(const wg_feature_gram *g, int k, double *out);

/* ---- class-probability metrics ---------------------------------------------------------------- */

/* exp(E_x KL(p(y|x) || p(y))) with p(y) the mean of p(y|x) over the n samples; probs are rows
 * (n, classes) of probabilities, or of logits when from_logits (softmax taken in float64). */
wg_status wg_inception_score(const float *probs, int n, int classes, int from_logits, double *out);

/* Predicted label (argmax, first on ties) of each row (n, classes) into labels (n). */
wg_status wg_argmax_rows(const float *probs, int n, int classes, int *labels);

/* counts (classes) of the argmax labels of probs (n, classes). */
wg_status wg_class_histogram(const float *probs, int n, int classes, int *counts);

/* Classes that hold at least share * n / classes samples (share of a uniform class's due). */
int wg_classes_covered(const int *counts, int classes, double share);

/* Accuracy of predicted (argmax) vs intended labels (n); per-class counts indexed by the intended
 * label (correct, total: (classes) each, may be NULL). */
wg_status wg_label_accuracy(const float *probs, const int *intended, int n, int classes, int *correct,
                            int *total, double *accuracy);

/* out[j] = a . b_j for the nb rows of b (nb, d), in float64 (SIMD; the _ref twin is the scalar
 * definition, equal to the last bit). */
void wg_pairwise_dots(double *out, const double *a, const double *b, int nb, int d);
void wg_pairwise_dots_ref(double *out, const double *a, const double *b, int nb, int d);

/* Our float64 exp and log (+ - * / only; within 2 ulp of libm, tested), so scores match across builds. */
double wg_exp_d(double x);
double wg_log_d(double x);

#endif
