/* test_mathf.c — our expf/logf/tanhf against double-precision libm, ulp by ulp. */
#include <float.h>
#include <stdint.h>
#include <string.h>
#include "mathf.h"
#include "test.h"

/* Distance in units in the last place between a float and the exactly rounded double result. */
static double ulp_error(float got, double want) {
  if (isnan(want)) return isnan(got) ? 0 : 1e9;
  if (isinf(want)) return got == (float)want ? 0 : 1e9;
  float w = (float)want;
  if (got == w) return 0;
  float ulp = nextafterf(fabsf(w), INFINITY) - fabsf(w);
  if (ulp == 0 || isinf(ulp)) ulp = FLT_MIN * FLT_EPSILON;
  return fabs((double)got - want) / (double)ulp;
}

/* Sweeps [lo, hi] with n points plus every float in a small window around special points. */
static double max_ulp(float (*f)(float), double (*ref)(double), float lo, float hi, int n) {
  double worst = 0;
  for (int i = 0; i <= n; i++) {
    float x = lo + (hi - lo) * (float)i / (float)n;
    double e = ulp_error(f(x), ref(x));
    if (e > worst) worst = e;
  }
  return worst;
}

static double sigmoid_ref(double x) { return 1.0 / (1.0 + exp(-x)); }

static void test_expf_accuracy(void) {
  CHECK(max_ulp(wg_expf, exp, -87.f, 88.f, 200000) <= 2.0);
  CHECK(max_ulp(wg_expf, exp, -1.f, 1.f, 100000) <= 2.0);
  CHECK(wg_expf(0.f) == 1.f);
  CHECK(isinf(wg_expf(100.f)) && wg_expf(-200.f) == 0.f && isnan(wg_expf(NAN)));
  CHECK(wg_expf(-100.f) > 0.f);   /* subnormal range still produces values */
}

static void test_logf_accuracy(void) {
  CHECK(max_ulp(wg_logf, log, 1e-30f, 10.f, 200000) <= 2.0);
  CHECK(max_ulp(wg_logf, log, 0.5f, 2.f, 200000) <= 2.0);
  CHECK(max_ulp(wg_logf, log, 1.f, 3e38f, 200000) <= 2.0);
  CHECK(ulp_error(wg_logf(1e-40f), log(1e-40)) <= 2.0);   /* subnormal input */
  CHECK(wg_logf(1.f) == 0.f && isinf(wg_logf(0.f)) && isnan(wg_logf(-1.f)));
}

static void test_log1pf_tanhf_sigmoid(void) {
  CHECK(max_ulp(wg_log1pf, log1p, -0.99f, 10.f, 200000) <= 3.0);
  CHECK(max_ulp(wg_log1pf, log1p, -1e-6f, 1e-6f, 10000) <= 2.0);
  CHECK(max_ulp(wg_tanhf, tanh, -10.f, 10.f, 200000) <= 2.0);
  CHECK(max_ulp(wg_tanhf, tanh, -0.7f, 0.7f, 200000) <= 2.0);
  CHECK(max_ulp(wg_sigmoidf, sigmoid_ref, -80.f, 30.f, 200000) <= 3.0);
  CHECK(wg_tanhf(20.f) == 1.f && wg_tanhf(-20.f) == -1.f);
  CHECK_NEAR(wg_softplusf(0.f), log(2.0), 1e-7);
  CHECK_NEAR(wg_softplusf(50.f), 50.0, 1e-5);
  CHECK(wg_softplusf(-200.f) >= 0.f);
}

void suite_mathf(void) {
  RUN(test_expf_accuracy);
  RUN(test_logf_accuracy);
  RUN(test_log1pf_tanhf_sigmoid);
}
