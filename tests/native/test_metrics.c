/* test_metrics.c — sample-quality metrics (src/metrics.h) against the SciPy/NumPy references of
 * tests/reference/metric_fixtures (make_metric_fixtures.py), plus the properties that must hold
 * whatever the reference says: FID(x, x) = 0, symmetry, FID of a pure shift = d t^2 and rising with
 * t, a collapsed set's recall = 0, streamed statistics = one-shot statistics bit for bit, and the
 * errors on bad input.
 *
 * Tolerances against the reference (relative, |ours - ref| / |ref|):
 *   FID 1e-6 (the criterion; measured ~1e-13), mean/cov 1e-12, KID (whole sets and the
 *   100-subset mean/std) 1e-10, IS 1e-12; precision and recall exactly (the script checks that no
 *   distance is within 1e-9 of a radius, so no rounding can flip a count).
 */
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "json.h"
#include "metrics.h"
#include "rng.h"
#include "simd.h"
#include "test.h"

static const char *fixture_path(void) {
  const char *p = getenv("WG_METRIC_FIXTURES");
  return p ? p : "tests/reference/metric_fixtures/metrics.json";
}

static float *floats_of(const wg_json *obj, const char *key, size_t want) {
  const wg_json *a = wg_json_get(obj, key);
  if (!a || a->type != WG_JSON_ARRAY || a->length != want) return NULL;
  float *out = malloc(sizeof(float) * (want ? want : 1));
  for (size_t i = 0; i < want; i++) out[i] = (float)a->items[i].number;
  return out;
}

static double num_of(const wg_json *obj, const char *key) {
  const wg_json *v = wg_json_get(obj, key);
  return v && v->type == WG_JSON_NUMBER ? v->number : NAN;
}

static double rel_err(double got, double ref) { return fabs(got - ref) / fmax(fabs(ref), 1e-300); }

static void stats_of(const float *x, int n, int d, double *mean, double *cov) {
  wg_feature_stats s;
  wg_feature_stats_init(&s, d);
  wg_feature_stats_add(&s, x, n);
  wg_feature_stats_finalize(&s, mean, cov);
  wg_feature_stats_free(&s);
}

static double fid_of(const float *x, int nx, const float *y, int ny, int d) {
  double *m1 = malloc(sizeof(double) * d), *c1 = malloc(sizeof(double) * d * d);
  double *m2 = malloc(sizeof(double) * d), *c2 = malloc(sizeof(double) * d * d);
  stats_of(x, nx, d, m1, c1);
  stats_of(y, ny, d, m2, c2);
  double fid = -1;
  if (wg_fid(m1, c1, m2, c2, d, &fid)) fid = -1;
  free(m1); free(c1); free(m2); free(c2);
  return fid;
}

static float *normal_features(int n, int d, uint64_t seed, float offset) {
  float *x = malloc(sizeof(float) * (size_t)n * d);
  wg_rng r;
  wg_rng_seed(&r, seed, WG_STREAM_EVAL);
  for (int i = 0; i < n * d; i++) x[i] = offset + wg_rng_normal(&r) * (1.0f + 0.1f * (float)(i % d));
  return x;
}

/* ---- reference fixtures ------------------------------------------------------------------------ */

static void test_metric_fixtures(void) {
  size_t len;
  char *text = read_text(fixture_path(), &len);
  CHECK_MSG(text != NULL, "cannot read %s (run from the repository root)", fixture_path());
  wg_json *doc = NULL;
  CHECK(wg_json_parse(text, len, &doc) == WG_OK);
  free(text);
  const wg_json *cases = wg_json_get(doc, "cases");
  CHECK(cases && cases->type == WG_JSON_ARRAY && cases->length >= 2);
  double worst_fid = 0, worst_kid = 0, worst_stats = 0, worst_is = 0;
  for (size_t c = 0; c < cases->length; c++) {
    const wg_json *k = &cases->items[c];
    const int d = (int)num_of(k, "dim"), nx = (int)num_of(k, "n_real"), ny = (int)num_of(k, "n_fake");
    float *x = floats_of(k, "real", (size_t)nx * d), *y = floats_of(k, "fake", (size_t)ny * d);
    CHECK(x && y);
    /* mean and covariance */
    double *mean = malloc(sizeof(double) * d), *cov = malloc(sizeof(double) * d * d);
    stats_of(x, nx, d, mean, cov);
    const wg_json *ref_mean = wg_json_get(k, "mean_real"), *ref_cov = wg_json_get(k, "cov_real");
    CHECK(ref_mean && ref_mean->length == (size_t)d && ref_cov && ref_cov->length == (size_t)d * d);
    double scale = 0, err = 0;
    for (int i = 0; i < d * d; i++) scale = fmax(scale, fabs(ref_cov->items[i].number));
    for (int i = 0; i < d * d; i++) err = fmax(err, fabs(cov[i] - ref_cov->items[i].number) / scale);
    for (int i = 0; i < d; i++) err = fmax(err, rel_err(mean[i], ref_mean->items[i].number));
    worst_stats = fmax(worst_stats, err);
    free(mean); free(cov);
    /* FID */
    double fid = fid_of(x, nx, y, ny, d);
    worst_fid = fmax(worst_fid, rel_err(fid, num_of(k, "fid")));
    /* KID on the whole sets (one subset of everything) and over the reference's 100 subsets */
    wg_feature_gram g;
    CHECK(wg_feature_gram_compute(&g, x, nx, y, ny, d) == WG_OK);
    double kid[2], pr[2];
    CHECK(wg_kid_gram(&g, 1, 1000000, 0, kid) == WG_OK);
    worst_kid = fmax(worst_kid, rel_err(kid[0], num_of(k, "kid_full")));
    CHECK(kid[1] == 0);
    const wg_json *sub = wg_json_get(k, "kid_subsets");
    CHECK(wg_kid_gram(&g, (int)num_of(sub, "subsets"), (int)num_of(sub, "size"), (uint64_t)num_of(sub, "seed"), kid) == WG_OK);
    worst_kid = fmax(worst_kid, rel_err(kid[0], num_of(sub, "mean")));
    worst_kid = fmax(worst_kid, rel_err(kid[1], num_of(sub, "std")));
    /* precision and recall: counts, so exact */
    CHECK(wg_precision_recall_gram(&g, (int)num_of(k, "k"), pr) == WG_OK);
    CHECK_MSG(pr[0] == num_of(k, "precision") && pr[1] == num_of(k, "recall"), "%s: P %g R %g, reference %g %g",
              wg_json_get(k, "name")->string, pr[0], pr[1], num_of(k, "precision"), num_of(k, "recall"));
    wg_feature_gram_free(&g);
    /* Inception-style score from logits and from probabilities */
    const int classes = (int)num_of(k, "classes"), nl = (int)num_of(k, "n_logits");
    float *logits = floats_of(k, "logits", (size_t)nl * classes), *probs = floats_of(k, "probs", (size_t)nl * classes);
    CHECK(logits && probs);
    double is_logits, is_probs;
    CHECK(wg_inception_score(logits, nl, classes, 1, &is_logits) == WG_OK);
    CHECK(wg_inception_score(probs, nl, classes, 0, &is_probs) == WG_OK);
    worst_is = fmax(worst_is, fmax(rel_err(is_logits, num_of(k, "is_logits")), rel_err(is_probs, num_of(k, "is_probs"))));
    free(logits); free(probs); free(x); free(y);
  }
  wg_json_free(doc);
  printf("  metric fixtures: worst relative error FID %.2e, mean/cov %.2e, KID %.2e, IS %.2e\n",
         worst_fid, worst_stats, worst_kid, worst_is);
  CHECK(worst_fid <= 1e-6);
  CHECK(worst_stats <= 1e-12);
  CHECK(worst_kid <= 1e-10);
  CHECK(worst_is <= 1e-12);
}

/* ---- properties ------------------------------------------------------------------------------ */

static void test_streamed_stats_match_one_shot(void) {
  const int n = 97, d = 13;
  float *x = normal_features(n, d, 3, 40.f);
  double m1[13], c1[169], m2[13], c2[169];
  stats_of(x, n, d, m1, c1);
  wg_feature_stats s;
  CHECK(wg_feature_stats_init(&s, d) == WG_OK);
  CHECK(wg_feature_stats_add(&s, x, 1) == WG_OK);
  CHECK(wg_feature_stats_add(&s, x + d, 0) == WG_OK);
  CHECK(wg_feature_stats_add(&s, x + d, 40) == WG_OK);
  CHECK(wg_feature_stats_add(&s, x + 41 * d, n - 41) == WG_OK);
  CHECK(wg_feature_stats_finalize(&s, m2, c2) == WG_OK);
  wg_feature_stats_free(&s);
  CHECK(memcmp(m1, m2, sizeof m1) == 0 && memcmp(c1, c2, sizeof c1) == 0);
  /* far from the origin (offset 40) the variance is still right: column j has std 1 + 0.1 j */
  for (int j = 0; j < d; j++) CHECK_NEAR(c1[j * d + j] / ((1 + 0.1 * j) * (1 + 0.1 * j)), 1.0, 0.35);
  free(x);
}

static void test_fid_properties(void) {
  const int n = 300, d = 16;
  float *x = normal_features(n, d, 1, 0.f), *y = normal_features(n, d, 2, 0.f);
  CHECK_NEAR(fid_of(x, n, x, n, d), 0.0, 1e-9);
  double xy = fid_of(x, n, y, n, d), yx = fid_of(y, n, x, n, d);
  CHECK(xy > 0);
  CHECK(rel_err(xy, yx) < 1e-9);
  /* A pure shift by t in every dimension leaves the covariance: FID = d t^2 exactly (up to rounding). */
  float *shifted = malloc(sizeof(float) * n * d);
  double last = -1;
  for (int s = 0; s <= 5; s++) {
    const float t = 0.25f * s;
    for (int i = 0; i < n * d; i++) shifted[i] = x[i] + t;
    double fid = fid_of(x, n, shifted, n, d);
    CHECK_MSG(fabs(fid - d * (double)t * t) < 1e-6, "shift %g: FID %g, expected %g", t, fid, d * (double)t * t);
    CHECK(fid > last);
    last = fid;
  }
  /* and shifting the second sample set (a different draw) away from x also rises monotonically */
  last = xy;
  for (int s = 1; s <= 4; s++) {
    for (int i = 0; i < n * d; i++) shifted[i] = y[i] + 0.2f * s;
    double fid = fid_of(x, n, shifted, n, d);
    CHECK(fid > last);
    last = fid;
  }
  free(x); free(y); free(shifted);
}

/* Rounding can leave a covariance with slightly negative eigenvalues; they count as 0, not as their
 * magnitude. S1 = diag(4, -0.01): S1^1/2 = diag(2, 0), so FID = 0 + 3.99 + 2 - 2 * 2 = 1.99
 * (taking |l| would give diag(2, 0.1) and 1.79). */
static void test_fid_clamps_negative_eigenvalues(void) {
  const double mu[2] = {0, 0}, s1[4] = {4, 0, 0, -0.01}, s2[4] = {1, 0, 0, 1};
  double fid;
  CHECK(wg_fid(mu, s1, mu, s2, 2, &fid) == WG_OK);
  CHECK_NEAR(fid, 1.99, 1e-12);
}

static void test_symmetric_eigen(void) {
  enum { N = 20 };
  double a[N * N], keep[N * N], vals[N], vecs[N * N];
  wg_rng r;
  wg_rng_seed(&r, 9, WG_STREAM_EVAL);
  for (int i = 0; i < N; i++)
    for (int j = 0; j <= i; j++) a[i * N + j] = a[j * N + i] = wg_rng_normal(&r);
  memcpy(keep, a, sizeof a);
  CHECK(wg_symmetric_eigen(a, N, vals, vecs) == WG_OK);
  double worst = 0;
  for (int i = 0; i < N; i++)
    for (int k = 0; k < N; k++) {   /* A v_k = l_k v_k and V^T V = I */
      double av = 0, vv = 0;
      for (int j = 0; j < N; j++) { av += keep[i * N + j] * vecs[j * N + k]; vv += vecs[j * N + i] * vecs[j * N + k]; }
      worst = fmax(worst, fabs(av - vals[k] * vecs[i * N + k]));
      worst = fmax(worst, fabs(vv - (i == k)));
    }
  CHECK_MSG(worst < 1e-12, "eigen residual %g", worst);
}

/* The SIMD dot products equal their scalar twin bit for bit, for every row count and odd/even d. */
static void test_pairwise_dots_match_scalar(void) {
  enum { NB = 11, D = 37 };
  double a[D], b[NB * D], got[NB], want[NB];
  wg_rng r;
  wg_rng_seed(&r, 4, WG_STREAM_EVAL);
  for (int i = 0; i < D; i++) a[i] = wg_rng_normal(&r);
  for (int i = 0; i < NB * D; i++) b[i] = wg_rng_normal(&r) * 1e3f;
  for (int d = 1; d <= D; d++)
    for (int nb = 0; nb <= NB; nb++) {
      for (int j = 0; j < NB; j++) got[j] = want[j] = -1;
      wg_pairwise_dots(got, a, b, nb, d);
      wg_pairwise_dots_ref(want, a, b, nb, d);
      CHECK_MSG(memcmp(got, want, sizeof got) == 0, "d %d nb %d", d, nb);
    }
  printf("  pairwise dots: SIMD (%s) = scalar bit for bit\n", WG_SIMD_NAME);
}

static void test_exp_log_match_libm(void) {
  double worst_exp = 0, worst_log = 0;
  for (int i = -3000; i <= 3000; i++) {
    double x = i * 0.2337;            /* -701 .. 701 */
    worst_exp = fmax(worst_exp, rel_err(wg_exp_d(x), exp(x)));
    double y = exp(i * 0.0237);       /* 1e-31 .. 1e31 */
    worst_log = fmax(worst_log, fabs(wg_log_d(y) - log(y)) / fmax(fabs(log(y)), 1.0));
  }
  for (int i = 1; i < 2000; i++) {    /* near 1, where log's relative error is hardest */
    double y = 1.0 + (i - 1000) * 1e-6;
    worst_log = fmax(worst_log, rel_err(wg_log_d(y), log(y)));
  }
  printf("  exp max rel err %.2e, log %.2e\n", worst_exp, worst_log);
  CHECK(worst_exp < 5e-16 * 4 && worst_log < 5e-16 * 4);
  CHECK(wg_exp_d(0) == 1 && wg_log_d(1) == 0 && wg_exp_d(800) == INFINITY && wg_log_d(0) == -INFINITY);
}

static void test_kid_subsets(void) {
  enum { N = 50, M = 20 };
  wg_rng r;
  int perm[N], a[M], b[M];
  wg_rng_seed(&r, 5, WG_STREAM_METRICS);
  wg_kid_draw_subset(&r, N, M, perm, a);
  for (int i = 0; i < M; i++) CHECK(a[i] >= 0 && a[i] < N && (i == 0 || a[i] > a[i - 1]));   /* distinct, sorted */
  wg_kid_draw_subset(&r, N, M, perm, b);
  CHECK(memcmp(a, b, sizeof a) != 0);
  /* KID: same seed, same value; another seed, another value; KID of a set against a distant one is large */
  const int n = 120, d = 6;
  float *x = normal_features(n, d, 1, 0.f), *y = normal_features(n, d, 2, 0.f), *far = normal_features(n, d, 2, 3.f);
  wg_feature_gram g, gfar;
  CHECK(wg_feature_gram_compute(&g, x, n, y, n, d) == WG_OK);
  CHECK(wg_feature_gram_compute(&gfar, x, n, far, n, d) == WG_OK);
  double k1[2], k2[2], k3[2], kf[2];
  CHECK(wg_kid_gram(&g, 10, 50, 1, k1) == WG_OK);
  CHECK(wg_kid_gram(&g, 10, 50, 1, k2) == WG_OK);
  CHECK(wg_kid_gram(&g, 10, 50, 2, k3) == WG_OK);
  CHECK(wg_kid_gram(&gfar, 10, 50, 1, kf) == WG_OK);
  CHECK(k1[0] == k2[0] && k1[1] == k2[1]);
  CHECK(k1[0] != k3[0]);
  CHECK(k1[1] > 0);
  CHECK(kf[0] > 10 * fabs(k1[0]) + 10 * k1[1]);
  /* both sets no larger than the subset size: every subset is the whole sets, std 0 */
  double whole1[2], whole100[2];
  CHECK(wg_kid_gram(&g, 1, n, 1, whole1) == WG_OK);
  CHECK(wg_kid_gram(&g, 100, n, 9, whole100) == WG_OK);
  CHECK(whole1[0] == whole100[0] && whole100[1] == 0);
  wg_feature_gram_free(&g); wg_feature_gram_free(&gfar);
  free(x); free(y); free(far);
}

static void test_precision_recall_properties(void) {
  const int n = 200, d = 10;
  float *x = normal_features(n, d, 1, 0.f);
  float *collapsed = malloc(sizeof(float) * n * d);
  for (int i = 0; i < n; i++) memcpy(collapsed + i * d, x + 7 * d, sizeof(float) * d);   /* one real sample, repeated */
  wg_feature_gram g;
  double pr[2];
  CHECK(wg_feature_gram_compute(&g, x, n, x, n, d) == WG_OK);
  CHECK(wg_precision_recall_gram(&g, 3, pr) == WG_OK);
  CHECK(pr[0] == 1 && pr[1] == 1);
  wg_feature_gram_free(&g);
  CHECK(wg_feature_gram_compute(&g, x, n, collapsed, n, d) == WG_OK);
  CHECK(wg_precision_recall_gram(&g, 3, pr) == WG_OK);
  /* Recall counts only the copied sample itself (distance 0 <= the collapsed set's radius 0). */
  CHECK_MSG(pr[1] == 1.0 / n, "collapsed recall %g", pr[1]);
  CHECK(pr[0] == 1);                                             /* that sample is real */
  wg_feature_gram_free(&g);
  /* A ball includes its boundary: in 1-D, real {0, 1, 2, 3} have 1-NN radius 1, so the fake 4
   * (distance 1 from 3) is inside and 10 is not; the fakes' radius 6 covers every real point. */
  const float line[4] = {0, 1, 2, 3}, fakes[2] = {4, 10};
  CHECK(wg_feature_gram_compute(&g, line, 4, fakes, 2, 1) == WG_OK);
  CHECK(wg_precision_recall_gram(&g, 1, pr) == WG_OK);
  CHECK(pr[0] == 0.5 && pr[1] == 1);
  wg_feature_gram_free(&g);
  free(x); free(collapsed);
}

static void test_class_metrics(void) {
  /* 6 samples of 3 classes: argmax 0, 0, 1, 1, 0, 2 (row 4 ties classes 0 and 1: the first wins) */
  const float p[] = {0.9f, 0.05f, 0.05f,  0.6f, 0.3f, 0.1f,  0.1f, 0.8f, 0.1f,
                     0.2f, 0.7f, 0.1f,    0.4f, 0.4f, 0.2f,  0.1f, 0.2f, 0.7f};
  int counts[3], labels[6];
  CHECK(wg_class_histogram(p, 6, 3, counts) == WG_OK);
  CHECK(counts[0] == 3 && counts[1] == 2 && counts[2] == 1);
  CHECK(wg_argmax_rows(p, 6, 3, labels) == WG_OK && labels[4] == 0 && labels[5] == 2);
  CHECK(wg_classes_covered(counts, 3, 0.5) == 3);   /* need 1 sample each */
  CHECK(wg_classes_covered(counts, 3, 1.0) == 2);   /* need 2 */
  const int collapsed[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 100};
  CHECK(wg_classes_covered(collapsed, 10, 0.5) == 1);
  const int intended[6] = {0, 1, 1, 1, 0, 2};
  int correct[3], total[3];
  double acc;
  CHECK(wg_label_accuracy(p, intended, 6, 3, correct, total, &acc) == WG_OK);
  CHECK_NEAR(acc, 5.0 / 6.0, 1e-15);
  CHECK(correct[0] == 2 && total[0] == 2 && correct[1] == 2 && total[1] == 3 && correct[2] == 1 && total[2] == 1);
  /* IS: confident and balanced over C classes = C; all the same class = 1 */
  float onehot[40 * 4] = {0}, same[40 * 4] = {0};
  for (int i = 0; i < 40; i++) { onehot[i * 4 + i % 4] = 1; same[i * 4 + 2] = 1; }
  double is;
  CHECK(wg_inception_score(onehot, 40, 4, 0, &is) == WG_OK);
  CHECK_NEAR(is, 4.0, 1e-14);
  CHECK(wg_inception_score(same, 40, 4, 0, &is) == WG_OK);
  CHECK_NEAR(is, 1.0, 1e-15);
}

static void test_metric_errors(void) {
  wg_feature_stats s;
  double mean[2], cov[4];
  CHECK(wg_feature_stats_init(&s, 2) == WG_OK);
  const float one[2] = {1, 2}, bad[4] = {1, 2, 3, NAN};
  CHECK(wg_feature_stats_add(&s, one, 1) == WG_OK);
  CHECK(wg_feature_stats_finalize(&s, mean, cov) == WG_ERR_ARG);
  CHECK(strstr(wg_last_error(), "at least 2") != NULL);
  CHECK(wg_feature_stats_add(&s, bad, 2) == WG_ERR_ARG);
  CHECK_MSG(strstr(wg_last_error(), "feature 1 of sample 1 is NaN") != NULL, "%s", wg_last_error());
  CHECK(s.count == 1);   /* the bad batch added nothing */
  wg_feature_stats_free(&s);
  CHECK(wg_feature_stats_init(&s, 0) == WG_ERR_ARG);
  wg_feature_gram g;
  CHECK(wg_feature_gram_compute(&g, one, 1, bad, 2, 2) == WG_ERR_ARG);
  CHECK(strstr(wg_last_error(), "at least 2 samples") != NULL);
  CHECK(wg_feature_gram_compute(&g, bad, 2, bad, 2, 2) == WG_ERR_ARG);
  CHECK(strstr(wg_last_error(), "real features") != NULL);
  CHECK(wg_feature_gram_compute(&g, one, 7000, one, 7000, 2) == WG_ERR_ARG);   /* refused before reading */
  CHECK_MSG(strstr(wg_last_error(), "GiB of pairwise products") != NULL, "%s", wg_last_error());
  const float four[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  CHECK(wg_feature_gram_compute(&g, four, 4, four, 4, 2) == WG_OK);
  double out[2];
  CHECK(wg_precision_recall_gram(&g, 4, out) == WG_ERR_ARG);
  CHECK(wg_kid_gram(&g, 0, 10, 1, out) == WG_ERR_ARG);
  CHECK(wg_kid_gram(&g, 10, 1, 1, out) == WG_ERR_ARG);
  wg_feature_gram_free(&g);
  const double mu[2] = {0, 0}, nan_cov[4] = {1, 0, 0, NAN}, id[4] = {1, 0, 0, 1};
  CHECK(wg_fid(mu, nan_cov, mu, id, 2, out) == WG_ERR_ARG);
  const float neg[4] = {0.5f, -0.1f, 0.5f, 0.5f};
  CHECK(wg_inception_score(neg, 2, 2, 0, out) == WG_ERR_ARG);
  CHECK(strstr(wg_last_error(), "logits?") != NULL);
  const int wrong[2] = {0, 2};
  CHECK(wg_label_accuracy(neg, wrong, 2, 2, NULL, NULL, out) == WG_ERR_ARG);
  CHECK(strstr(wg_last_error(), "outside 0..1") != NULL);
}

void suite_metrics(void) {
  RUN(test_metric_fixtures);
  RUN(test_streamed_stats_match_one_shot);
  RUN(test_fid_properties);
  RUN(test_fid_clamps_negative_eigenvalues);
  RUN(test_symmetric_eigen);
  RUN(test_pairwise_dots_match_scalar);
  RUN(test_exp_log_match_libm);
  RUN(test_kid_subsets);
  RUN(test_precision_recall_properties);
  RUN(test_class_metrics);
  RUN(test_metric_errors);
}
