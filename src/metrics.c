/* metrics.c — FID, KID, precision/recall, Inception-style score and class statistics (metrics.h).
 *
 * Everything sums in float64 in a fixed order; no libm transcendental is used (own exp/log below,
 * sqrt is exactly rounded by IEEE), so native and wasm builds agree bit for bit. */
#include "metrics.h"
#include "simd.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- float64 exp and log from + - * / ------------------------------------------------------ */

/* ln 2 split so that k * LN2_HI is exact for |k| < 2^20 (LN2_HI has 32 significant bits). */
static const double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;

double wg_exp_d(double x) {
  if (x != x) return x;
  if (x > 709.78) return INFINITY;
  if (x < -745.2) return 0.0;
  double k = floor(x * 1.4426950408889634 + 0.5);   /* x / ln 2, rounded */
  double r = (x - k * LN2_HI) - k * LN2_LO;          /* |r| <= 0.35 */
  /* Taylor series to r^17/17!, < 1e-19 for |r| <= 0.35, summed from the small end (Horner). */
  double p = 1.0;
  for (int n = 17; n >= 1; n--) p = 1.0 + p * r / (double)n;
  return ldexp(p, (int)k);
}

double wg_log_d(double x) {
  if (x != x || x < 0) return NAN;
  if (x == 0) return -INFINITY;
  if (isinf(x)) return x;
  int e;
  double m = frexp(x, &e);                 /* x = m 2^e, m in [0.5, 1), exact */
  if (m < 0.70710678118654752) { m *= 2.0; e--; }
  /* log m = 2 atanh(u), u = (m - 1)/(m + 1), |u| <= 0.172: 2 (u + u^3/3 + ... + u^25/25). */
  double u = (m - 1.0) / (m + 1.0), u2 = u * u, s = 0.0;
  for (int n = 25; n >= 3; n -= 2) s = (s + 1.0 / (double)n) * u2;
  double log_m = 2.0 * u + 2.0 * u * s;
  return (double)e * LN2_HI + (log_m + (double)e * LN2_LO);
}

/* ---- streamed mean and covariance ------------------------------------------------------------ */

static wg_status check_finite(const float *x, int n, int dim, const char *what) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < dim; j++)
      if (!isfinite(x[(size_t)i * dim + j]))
        return wg_fail(WG_ERR_ARG, "%s: feature %d of sample %d is %s", what, j, i,
                       isnan(x[(size_t)i * dim + j]) ? "NaN" : "infinite");
  return WG_OK;
}

wg_status wg_feature_stats_init(wg_feature_stats *s, int dim) {
  memset(s, 0, sizeof *s);
  if (dim < 1 || dim > 4096) return wg_fail(WG_ERR_ARG, "feature stats: dim must be 1..4096 (got %d)", dim);
  s->dim = dim;
  s->shift = calloc((size_t)dim, sizeof(double));
  s->sum = calloc((size_t)dim, sizeof(double));
  s->outer = calloc((size_t)dim * dim, sizeof(double));
  if (!s->shift || !s->sum || !s->outer) {
    wg_feature_stats_free(s);
    return wg_fail(WG_ERR_NOMEM, "feature stats: out of memory for dim %d", dim);
  }
  return WG_OK;
}

void wg_feature_stats_free(wg_feature_stats *s) {
  free(s->shift); free(s->sum); free(s->outer);
  memset(s, 0, sizeof *s);
}

wg_status wg_feature_stats_add(wg_feature_stats *s, const float *x, int n) {
  if (!s->sum) return wg_fail(WG_ERR_STATE, "feature stats: not initialised");
  if (n < 0 || (n > 0 && !x)) return wg_fail(WG_ERR_ARG, "feature stats: bad batch (n = %d)", n);
  wg_status st = check_finite(x, n, s->dim, "feature stats");
  if (st) return st;
  const int d = s->dim;
  double *c = malloc(sizeof(double) * (size_t)d);
  if (!c) return wg_fail(WG_ERR_NOMEM, "feature stats: out of memory");
  for (int i = 0; i < n; i++) {
    const float *row = x + (size_t)i * d;
    if (s->count == 0) for (int j = 0; j < d; j++) s->shift[j] = row[j];
    for (int j = 0; j < d; j++) { c[j] = (double)row[j] - s->shift[j]; s->sum[j] += c[j]; }
    for (int a = 0; a < d; a++) {
      double *o = s->outer + (size_t)a * d;
      for (int b = a; b < d; b++) o[b] += c[a] * c[b];
    }
    s->count += 1;
  }
  free(c);
  return WG_OK;
}

wg_status wg_feature_stats_finalize(const wg_feature_stats *s, double *mean, double *cov) {
  if (!s->sum) return wg_fail(WG_ERR_STATE, "feature stats: not initialised");
  if (s->count < 2) return wg_fail(WG_ERR_ARG, "feature stats: need at least 2 samples (got %.0f)", s->count);
  const int d = s->dim;
  const double n = s->count;
  for (int a = 0; a < d; a++) mean[a] = s->shift[a] + s->sum[a] / n;
  for (int a = 0; a < d; a++)
    for (int b = a; b < d; b++) {
      double v = (s->outer[(size_t)a * d + b] - s->sum[a] * s->sum[b] / n) / (n - 1);
      cov[(size_t)a * d + b] = v;
      cov[(size_t)b * d + a] = v;
    }
  return WG_OK;
}

/* ---- symmetric eigen-decomposition and FID -------------------------------------------------- */

wg_status wg_symmetric_eigen(double *a, int n, double *vals, double *vecs) {
  if (n < 1) return wg_fail(WG_ERR_ARG, "eigen: size must be >= 1 (got %d)", n);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) vecs[(size_t)i * n + j] = i == j;
  double total = 0;
  for (size_t i = 0; i < (size_t)n * n; i++) total += a[i] * a[i];
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0;
    for (int p = 0; p < n; p++)
      for (int q = p + 1; q < n; q++) off += a[(size_t)p * n + q] * a[(size_t)p * n + q];
    if (off <= 1e-30 * total || off == 0) break;
    for (int p = 0; p < n - 1; p++)
      for (int q = p + 1; q < n; q++) {
        double apq = a[(size_t)p * n + q];
        if (apq == 0) continue;
        /* Rotation J (c at pp and qq, s at pq, -s at qp) with (J^T A J)_pq = 0: t = tan of the
         * smaller angle solving t^2 + 2 theta t - 1 = 0. */
        double theta = (a[(size_t)q * n + q] - a[(size_t)p * n + p]) / (2.0 * apq);
        double t = fabs(theta) > 1e150 ? 0.5 / theta
                                       : (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
        double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; k++) {   /* A J: columns p and q */
          double *row = a + (size_t)k * n;
          double akp = row[p], akq = row[q];
          row[p] = c * akp - s * akq;
          row[q] = s * akp + c * akq;
        }
        double *rp = a + (size_t)p * n, *rq = a + (size_t)q * n;
        for (int k = 0; k < n; k++) {   /* J^T (A J): rows p and q */
          double apk = rp[k], aqk = rq[k];
          rp[k] = c * apk - s * aqk;
          rq[k] = s * apk + c * aqk;
        }
        rp[q] = rq[p] = 0.0;
        for (int k = 0; k < n; k++) {   /* V J */
          double *row = vecs + (size_t)k * n;
          double vkp = row[p], vkq = row[q];
          row[p] = c * vkp - s * vkq;
          row[q] = s * vkp + c * vkq;
        }
      }
  }
  for (int i = 0; i < n; i++) vals[i] = a[(size_t)i * n + i];
  return WG_OK;
}

static int all_finite_d(const double *x, size_t n) {
  for (size_t i = 0; i < n; i++) if (!isfinite(x[i])) return 0;
  return 1;
}

wg_status wg_fid(const double *mu1, const double *cov1, const double *mu2, const double *cov2, int dim,
                 double *out) {
  if (dim < 1 || dim > 4096) return wg_fail(WG_ERR_ARG, "fid: dim must be 1..4096 (got %d)", dim);
  const size_t dd = (size_t)dim * dim;
  if (!all_finite_d(mu1, dim) || !all_finite_d(mu2, dim) || !all_finite_d(cov1, dd) || !all_finite_d(cov2, dd))
    return wg_fail(WG_ERR_ARG, "fid: the statistics contain NaN or infinite values");
  double *work = malloc(sizeof(double) * (4 * dd + dim));
  if (!work) return wg_fail(WG_ERR_NOMEM, "fid: out of memory for dim %d", dim);
  double *a = work, *vecs = work + dd, *root = work + 2 * dd, *tmp = work + 3 * dd, *vals = work + 4 * dd;
  /* S1^1/2 = V diag(sqrt(max(l, 0))) V^T */
  memcpy(a, cov1, sizeof(double) * dd);
  wg_symmetric_eigen(a, dim, vals, vecs);
  for (int k = 0; k < dim; k++) vals[k] = vals[k] > 0 ? sqrt(vals[k]) : 0.0;
  for (int i = 0; i < dim; i++)
    for (int j = 0; j < dim; j++) {
      double s = 0;
      for (int k = 0; k < dim; k++) s += vecs[(size_t)i * dim + k] * vals[k] * vecs[(size_t)j * dim + k];
      root[(size_t)i * dim + j] = s;
    }
  /* M = S1^1/2 S2 S1^1/2 (symmetric PSD; its eigenvalues are those of S1 S2) */
  for (int i = 0; i < dim; i++)
    for (int j = 0; j < dim; j++) {
      double s = 0;
      for (int k = 0; k < dim; k++) s += root[(size_t)i * dim + k] * cov2[(size_t)k * dim + j];
      tmp[(size_t)i * dim + j] = s;
    }
  for (int i = 0; i < dim; i++)
    for (int j = 0; j <= i; j++) {
      double s = 0;
      for (int k = 0; k < dim; k++) s += tmp[(size_t)i * dim + k] * root[(size_t)k * dim + j];
      a[(size_t)i * dim + j] = s;
    }
  for (int i = 0; i < dim; i++)   /* symmetrise from the lower triangle: rounding made M slightly asymmetric */
    for (int j = i + 1; j < dim; j++) a[(size_t)i * dim + j] = a[(size_t)j * dim + i];
  wg_symmetric_eigen(a, dim, vals, vecs);
  double tr_root = 0, tr1 = 0, tr2 = 0, dmu = 0;
  for (int k = 0; k < dim; k++) tr_root += vals[k] > 0 ? sqrt(vals[k]) : 0.0;
  for (int k = 0; k < dim; k++) {
    tr1 += cov1[(size_t)k * dim + k];
    tr2 += cov2[(size_t)k * dim + k];
    dmu += (mu1[k] - mu2[k]) * (mu1[k] - mu2[k]);
  }
  free(work);
  double fid = dmu + tr1 + tr2 - 2.0 * tr_root;
  *out = fid > 0 ? fid : 0.0;
  return WG_OK;
}

/* ---- pairwise dot products ----------------------------------------------------------------------- */

/* Each dot product is two float64 partial sums, over even and over odd k, added at the end (odd d:
 * the last product joins the even sum): the scalar twin's order, which the SIMD version keeps with
 * one 2-lane vector per dot, so both give the same bits. */
void wg_pairwise_dots_ref(double *out, const double *a, const double *b, int nb, int d) {
  for (int j = 0; j < nb; j++) {
    const double *bj = b + (size_t)j * d;
    double e = 0, o = 0;
    int k = 0;
    for (; k + 2 <= d; k += 2) { e += a[k] * bj[k]; o += a[k + 1] * bj[k + 1]; }
    if (k < d) e += a[k] * bj[k];
    out[j] = e + o;
  }
}

/* Four rows of b at a time, so each pair a[k], a[k+1] is loaded once per four dots. */
void wg_pairwise_dots(double *out, const double *a, const double *b, int nb, int d) {
  int j = 0;
  for (; j + 4 <= nb; j += 4) {
    const double *b0 = b + (size_t)j * d, *b1 = b0 + d, *b2 = b1 + d, *b3 = b2 + d;
    wg_d2 s0 = wg_d2_zero(), s1 = wg_d2_zero(), s2 = wg_d2_zero(), s3 = wg_d2_zero();
    int k = 0;
    for (; k + 2 <= d; k += 2) {
      wg_d2 av = wg_d2_load(a + k);
      s0 = wg_d2_add(s0, wg_d2_mul(av, wg_d2_load(b0 + k)));
      s1 = wg_d2_add(s1, wg_d2_mul(av, wg_d2_load(b1 + k)));
      s2 = wg_d2_add(s2, wg_d2_mul(av, wg_d2_load(b2 + k)));
      s3 = wg_d2_add(s3, wg_d2_mul(av, wg_d2_load(b3 + k)));
    }
    double e0 = wg_d2_lane0(s0), e1 = wg_d2_lane0(s1), e2 = wg_d2_lane0(s2), e3 = wg_d2_lane0(s3);
    if (k < d) { e0 += a[k] * b0[k]; e1 += a[k] * b1[k]; e2 += a[k] * b2[k]; e3 += a[k] * b3[k]; }
    out[j] = e0 + wg_d2_lane1(s0); out[j + 1] = e1 + wg_d2_lane1(s1);
    out[j + 2] = e2 + wg_d2_lane1(s2); out[j + 3] = e3 + wg_d2_lane1(s3);
  }
  wg_pairwise_dots_ref(out + j, a, b + (size_t)j * d, nb - j, d);
}

static double *to_double(const float *x, size_t n) {
  double *d = malloc(sizeof(double) * (n ? n : 1));
  if (d) for (size_t i = 0; i < n; i++) d[i] = x[i];
  return d;
}

void wg_feature_gram_free(wg_feature_gram *g) {
  free(g->xx); free(g->yy); free(g->xy);
  memset(g, 0, sizeof *g);
}

wg_status wg_feature_gram_compute(wg_feature_gram *g, const float *x, int nx, const float *y, int ny, int dim) {
  memset(g, 0, sizeof *g);
  if (dim < 1 || dim > 4096) return wg_fail(WG_ERR_ARG, "features: dim must be 1..4096 (got %d)", dim);
  if (nx < 2 || ny < 2)
    return wg_fail(WG_ERR_ARG, "features: need at least 2 samples in each set (got %d real, %d generated)", nx, ny);
  /* 1 GiB of products keeps clear of the 2 GiB wasm heap: about 6,000 samples per set. */
  const double products = (double)nx * nx + (double)ny * ny + (double)nx * ny;
  if (products > 134217728.0)
    return wg_fail(WG_ERR_ARG, "features: %d real and %d generated samples need %.1f GiB of pairwise products for KID "
                   "and precision/recall (limit 1 GiB, about 6000 samples per set); use fewer samples",
                   nx, ny, products * 8 / 1073741824.0);
  wg_status st = check_finite(x, nx, dim, "real features");
  if (!st) st = check_finite(y, ny, dim, "generated features");
  if (st) return st;
  double *xd = to_double(x, (size_t)nx * dim), *yd = to_double(y, (size_t)ny * dim);
  g->xx = malloc(sizeof(double) * (size_t)nx * nx);
  g->yy = malloc(sizeof(double) * (size_t)ny * ny);
  g->xy = malloc(sizeof(double) * (size_t)nx * ny);
  if (!xd || !yd || !g->xx || !g->yy || !g->xy) {
    free(xd); free(yd); wg_feature_gram_free(g);
    return wg_fail(WG_ERR_NOMEM, "features: out of memory for %d x %d pairwise products", nx, ny);
  }
  g->nx = nx; g->ny = ny; g->dim = dim;
  for (int i = 0; i < nx; i++) {   /* upper triangle, mirrored */
    double *row = g->xx + (size_t)i * nx;
    wg_pairwise_dots(row + i, xd + (size_t)i * dim, xd + (size_t)i * dim, nx - i, dim);
    for (int j = i + 1; j < nx; j++) g->xx[(size_t)j * nx + i] = row[j];
  }
  for (int i = 0; i < ny; i++) {
    double *row = g->yy + (size_t)i * ny;
    wg_pairwise_dots(row + i, yd + (size_t)i * dim, yd + (size_t)i * dim, ny - i, dim);
    for (int j = i + 1; j < ny; j++) g->yy[(size_t)j * ny + i] = row[j];
  }
  for (int i = 0; i < nx; i++) wg_pairwise_dots(g->xy + (size_t)i * ny, xd + (size_t)i * dim, yd, ny, dim);
  free(xd); free(yd);
  return WG_OK;
}

/* ---- KID ---------------------------------------------------------------------------------- */

static int compare_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

void wg_kid_draw_subset(wg_rng *rng, int n, int m, int *perm, int *out) {
  for (int i = 0; i < n; i++) perm[i] = i;
  for (int i = 0; i < m; i++) {
    int j = i + (int)wg_rng_below(rng, (uint32_t)(n - i));
    int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  memcpy(out, perm, sizeof(int) * (size_t)m);
  qsort(out, (size_t)m, sizeof(int), compare_int);
}

static inline double cubic_kernel(double dot, double inv_dim) {
  double t = dot * inv_dim + 1.0;
  return t * t * t;
}

/* KID reads ~100 subsets of half the rows and columns of three 2,000 x 2,000 matrices: visiting the
 * matrices subset by subset would stream 96 MB from memory per subset. Instead each row is visited
 * once for a whole chunk of subsets: its kernel values are computed into krow (in cache) and every
 * subset holding the row sums its own columns from there (gather_sum). A subset's sum runs over its
 * rows in ascending order. */
enum { KID_CHUNK = 128 };

/* sum of krow[id[b]] for b < m, in four interleaved partial sums (b mod 4) so the adds do not wait
 * on each other: ((s0 + s1) + (s2 + s3)) + the last m mod 4 terms, in this fixed order. */
static double gather_sum(const double *krow, const int *id, int m) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int b = 0;
  for (; b + 4 <= m; b += 4) {
    s0 += krow[id[b]]; s1 += krow[id[b + 1]]; s2 += krow[id[b + 2]]; s3 += krow[id[b + 3]];
  }
  double total = (s0 + s1) + (s2 + s3);
  for (; b < m; b++) total += krow[id[b]];
  return total;
}

/* sums[s] = sum of k over pairs a < b of subset s (ids (count, m), sorted) of gram (n, n). */
static void kernel_sums_within(const double *gram, int n, const int *ids, int m, int count, double inv_dim,
                               double *krow, int *cursor, double *sums) {
  for (int s = 0; s < count; s++) { cursor[s] = 0; sums[s] = 0; }
  for (int i = 0; i < n; i++) {
    int ready = 0;
    for (int s = 0; s < count; s++) {
      const int *id = ids + (size_t)s * m;
      if (cursor[s] >= m || id[cursor[s]] != i) continue;
      if (!ready) {
        const double *row = gram + (size_t)i * n;
        for (int j = i + 1; j < n; j++) krow[j] = cubic_kernel(row[j], inv_dim);
        ready = 1;
      }
      sums[s] += gather_sum(krow, id + cursor[s] + 1, m - cursor[s] - 1);
      cursor[s]++;
    }
  }
}

/* sums[s] = sum of k over all pairs of x subset s (ix (count, mx)) and y subset s (iy (count, my)). */
static void kernel_sums_across(const double *gram, int nx, int ny, const int *ix, int mx, const int *iy, int my,
                               int count, double inv_dim, double *krow, int *cursor, double *sums) {
  for (int s = 0; s < count; s++) { cursor[s] = 0; sums[s] = 0; }
  for (int i = 0; i < nx; i++) {
    int ready = 0;
    for (int s = 0; s < count; s++) {
      if (cursor[s] >= mx || ix[(size_t)s * mx + cursor[s]] != i) continue;
      if (!ready) {
        const double *row = gram + (size_t)i * ny;
        for (int j = 0; j < ny; j++) krow[j] = cubic_kernel(row[j], inv_dim);
        ready = 1;
      }
      sums[s] += gather_sum(krow, iy + (size_t)s * my, my);
      cursor[s]++;
    }
  }
}

wg_status wg_kid_gram(const wg_feature_gram *g, int subsets, int size, uint64_t seed, double *out) {
  if (!g->xx) return wg_fail(WG_ERR_STATE, "kid: no features");
  if (subsets < 1 || subsets > 100000) return wg_fail(WG_ERR_ARG, "kid: subsets must be 1..100000 (got %d)", subsets);
  if (size < 2) return wg_fail(WG_ERR_ARG, "kid: subset size must be >= 2 (got %d)", size);
  const int nx = g->nx, ny = g->ny, n_max = nx > ny ? nx : ny;
  const int mx = nx < size ? nx : size, my = ny < size ? ny : size;
  int *perm = malloc(sizeof(int) * (size_t)n_max), *cursor = malloc(sizeof(int) * KID_CHUNK);
  int *ix = malloc(sizeof(int) * (size_t)mx * KID_CHUNK), *iy = malloc(sizeof(int) * (size_t)my * KID_CHUNK);
  double *krow = malloc(sizeof(double) * (size_t)n_max), *sums = malloc(sizeof(double) * 3 * KID_CHUNK);
  double *values = malloc(sizeof(double) * (size_t)subsets);
  if (!perm || !cursor || !ix || !iy || !krow || !sums || !values) {
    free(perm); free(cursor); free(ix); free(iy); free(krow); free(sums); free(values);
    return wg_fail(WG_ERR_NOMEM, "kid: out of memory");
  }
  /* Both sets used whole: every subset is the same, so it is computed once (std 0). */
  if (mx == nx && my == ny) subsets = 1;
  wg_rng rng;
  wg_rng_seed(&rng, seed, WG_STREAM_METRICS);
  const double inv_dim = 1.0 / (double)g->dim;
  double *sxx = sums, *syy = sums + KID_CHUNK, *sxy = sums + 2 * KID_CHUNK;
  for (int first = 0; first < subsets; first += KID_CHUNK) {
    const int count = subsets - first < KID_CHUNK ? subsets - first : KID_CHUNK;
    for (int s = 0; s < count; s++) {   /* x then y per subset; a set used whole stays in order */
      int *a = ix + (size_t)s * mx, *b = iy + (size_t)s * my;
      if (mx < nx) wg_kid_draw_subset(&rng, nx, mx, perm, a); else for (int i = 0; i < mx; i++) a[i] = i;
      if (my < ny) wg_kid_draw_subset(&rng, ny, my, perm, b); else for (int i = 0; i < my; i++) b[i] = i;
    }
    kernel_sums_within(g->xx, nx, ix, mx, count, inv_dim, krow, cursor, sxx);
    kernel_sums_within(g->yy, ny, iy, my, count, inv_dim, krow, cursor, syy);
    kernel_sums_across(g->xy, nx, ny, ix, mx, iy, my, count, inv_dim, krow, cursor, sxy);
    for (int s = 0; s < count; s++)   /* off-diagonal sums are twice the a < b sums */
      values[first + s] = 2.0 * sxx[s] / ((double)mx * (mx - 1)) + 2.0 * syy[s] / ((double)my * (my - 1))
                          - 2.0 * sxy[s] / ((double)mx * my);
  }
  double mean = 0, var = 0;
  for (int s = 0; s < subsets; s++) mean += values[s];
  mean /= subsets;
  for (int s = 0; s < subsets; s++) var += (values[s] - mean) * (values[s] - mean);
  out[0] = mean;
  out[1] = sqrt(var / subsets);
  free(perm); free(cursor); free(ix); free(iy); free(krow); free(sums); free(values);
  return WG_OK;
}

/* ---- improved precision and recall ------------------------------------------------------------ */

static inline double sq_dist(double gii, double gjj, double gij) {
  double d = gii + gjj - 2.0 * gij;
  return d > 0 ? d : 0.0;
}

/* radius[i] = k-th smallest squared distance from row i of gram (n, n) to the other rows. */
static void knn_radii(const double *gram, int n, int k, double *radius, double *best) {
  for (int i = 0; i < n; i++) {
    const double *row = gram + (size_t)i * n;
    int have = 0;   /* best[0..have) ascending: the smallest distances so far */
    for (int j = 0; j < n; j++) {
      if (j == i) continue;
      double d = sq_dist(row[i], gram[(size_t)j * n + j], row[j]);
      if (have == k && d >= best[k - 1]) continue;
      int p = have < k ? have++ : k - 1;
      while (p > 0 && best[p - 1] > d) { best[p] = best[p - 1]; p--; }
      best[p] = d;
    }
    radius[i] = best[k - 1];
  }
}

wg_status wg_precision_recall_gram(const wg_feature_gram *g, int k, double *out) {
  if (!g->xx) return wg_fail(WG_ERR_STATE, "precision/recall: no features");
  if (k < 1 || k >= g->nx || k >= g->ny)
    return wg_fail(WG_ERR_ARG, "precision/recall: k must be 1..n-1 for both sets (k = %d, %d real, %d generated)",
                   k, g->nx, g->ny);
  const int nx = g->nx, ny = g->ny;
  double *rx = malloc(sizeof(double) * (size_t)nx), *ry = malloc(sizeof(double) * (size_t)ny);
  double *best = malloc(sizeof(double) * (size_t)k);
  unsigned char *y_inside = calloc((size_t)ny, 1);
  if (!rx || !ry || !best || !y_inside) {
    free(rx); free(ry); free(best); free(y_inside);
    return wg_fail(WG_ERR_NOMEM, "precision/recall: out of memory");
  }
  knn_radii(g->xx, nx, k, rx, best);
  knn_radii(g->yy, ny, k, ry, best);
  int x_inside = 0, y_count = 0;
  for (int i = 0; i < nx; i++) {
    const double *row = g->xy + (size_t)i * ny;
    const double gii = g->xx[(size_t)i * nx + i];
    int covered = 0;
    for (int j = 0; j < ny; j++) {
      double d = sq_dist(gii, g->yy[(size_t)j * ny + j], row[j]);
      if (!y_inside[j] && d <= rx[i]) { y_inside[j] = 1; y_count++; }   /* y_j in x_i's ball */
      if (d <= ry[j]) covered = 1;                                       /* x_i in y_j's ball */
    }
    x_inside += covered;
  }
  out[0] = (double)y_count / ny;
  out[1] = (double)x_inside / nx;
  free(rx); free(ry); free(best); free(y_inside);
  return WG_OK;
}

/* ---- class probabilities ------------------------------------------------------------------------ */

static wg_status check_probs(const float *p, int n, int classes, const char *what) {
  if (n < 1 || classes < 1 || !p)
    return wg_fail(WG_ERR_ARG, "%s: need n >= 1 rows of classes >= 1 values (got n = %d, classes = %d)", what, n, classes);
  return check_finite(p, n, classes, what);
}

wg_status wg_inception_score(const float *probs, int n, int classes, int from_logits, double *out) {
  wg_status st = check_probs(probs, n, classes, "inception score");
  if (st) return st;
  if (classes < 2) return wg_fail(WG_ERR_ARG, "inception score: need at least 2 classes");
  if (!from_logits)
    for (size_t i = 0; i < (size_t)n * classes; i++)
      if (probs[i] < 0) return wg_fail(WG_ERR_ARG, "inception score: probability %g < 0 in row %d (logits? pass from_logits)",
                                       probs[i], (int)(i / classes));
  /* Rows as float64 probabilities and their logs: p = x / sum(x), or softmax(x) for logits. */
  double *p = malloc(sizeof(double) * (size_t)n * classes), *logp = malloc(sizeof(double) * (size_t)n * classes);
  double *marginal = calloc((size_t)classes, sizeof(double));
  if (!p || !logp || !marginal) {
    free(p); free(logp); free(marginal);
    return wg_fail(WG_ERR_NOMEM, "inception score: out of memory");
  }
  for (int i = 0; i < n; i++) {
    const float *x = probs + (size_t)i * classes;
    double *pi = p + (size_t)i * classes, *li = logp + (size_t)i * classes;
    if (from_logits) {
      double mx = x[0], z = 0;
      for (int c = 1; c < classes; c++) if (x[c] > mx) mx = x[c];
      for (int c = 0; c < classes; c++) z += wg_exp_d((double)x[c] - mx);
      double log_z = wg_log_d(z);
      for (int c = 0; c < classes; c++) { li[c] = ((double)x[c] - mx) - log_z; pi[c] = wg_exp_d(li[c]); }
    } else {
      double z = 0;
      for (int c = 0; c < classes; c++) z += x[c];
      if (!(z > 0)) { free(p); free(logp); free(marginal);
        return wg_fail(WG_ERR_ARG, "inception score: row %d sums to 0", i); }
      for (int c = 0; c < classes; c++) { pi[c] = x[c] / z; li[c] = pi[c] > 0 ? wg_log_d(pi[c]) : 0.0; }
    }
    for (int c = 0; c < classes; c++) marginal[c] += pi[c];
  }
  for (int c = 0; c < classes; c++) marginal[c] /= n;
  double kl_total = 0;
  for (int c = 0; c < classes; c++) marginal[c] = marginal[c] > 0 ? wg_log_d(marginal[c]) : 0.0;  /* now log p(y) */
  for (int i = 0; i < n; i++) {
    double kl = 0;
    for (int c = 0; c < classes; c++) {
      double pc = p[(size_t)i * classes + c];
      if (pc > 0) kl += pc * (logp[(size_t)i * classes + c] - marginal[c]);
    }
    kl_total += kl;
  }
  *out = wg_exp_d(kl_total / n);
  free(p); free(logp); free(marginal);
  return WG_OK;
}

/* First index of the largest value. */
static int argmax_row(const float *x, int classes) {
  int best = 0;
  for (int c = 1; c < classes; c++) if (x[c] > x[best]) best = c;
  return best;
}

wg_status wg_argmax_rows(const float *probs, int n, int classes, int *labels) {
  wg_status st = check_probs(probs, n, classes, "class labels");
  if (st) return st;
  for (int i = 0; i < n; i++) {
    int best = argmax_row(probs + (size_t)i * classes, classes);
    labels[i] = best;
  }
  return WG_OK;
}

wg_status wg_class_histogram(const float *probs, int n, int classes, int *counts) {
  wg_status st = check_probs(probs, n, classes, "class histogram");
  if (st) return st;
  memset(counts, 0, sizeof(int) * (size_t)classes);
  for (int i = 0; i < n; i++) {
    int best = argmax_row(probs + (size_t)i * classes, classes);
    counts[best]++;
  }
  return WG_OK;
}

int wg_classes_covered(const int *counts, int classes, double share) {
  double n = 0;
  for (int c = 0; c < classes; c++) n += counts[c];
  const double need = share * n / classes;
  int covered = 0;
  for (int c = 0; c < classes; c++) covered += counts[c] > 0 && counts[c] >= need;
  return covered;
}

wg_status wg_label_accuracy(const float *probs, const int *intended, int n, int classes, int *correct,
                            int *total, double *accuracy) {
  wg_status st = check_probs(probs, n, classes, "label accuracy");
  if (st) return st;
  for (int i = 0; i < n; i++)
    if (intended[i] < 0 || intended[i] >= classes)
      return wg_fail(WG_ERR_ARG, "label accuracy: intended label %d of sample %d is outside 0..%d", intended[i], i, classes - 1);
  if (correct) memset(correct, 0, sizeof(int) * (size_t)classes);
  if (total) memset(total, 0, sizeof(int) * (size_t)classes);
  int right = 0;
  for (int i = 0; i < n; i++) {
    int best = argmax_row(probs + (size_t)i * classes, classes);
    int ok = best == intended[i];
    right += ok;
    if (correct) correct[intended[i]] += ok;
    if (total) total[intended[i]]++;
  }
  *accuracy = (double)right / n;
  return WG_OK;
}
