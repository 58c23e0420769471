/* gradcheck.h — finite-difference gradient checks for the native tests.
 *
 * The loss is a function of the whole context; gradcheck perturbs up to `max_probe` entries of
 * `x` (spread over the array) by ±h, takes the central difference in double and compares it with
 * the analytic gradient: |num - ana| <= atol + rtol * max(|num|, |ana|). When the central
 * difference straddles a kink (ReLU, LeakyReLU), one of the one-sided differences is the true
 * derivative, so a match with either of them is accepted; so is a match of the central difference
 * at h/3 ... h/81 (strong curvature next to a kink, or another kink within h, bends the wider
 * difference). Returns the number of mismatches
 * (printing the first few), so a test CHECKs that it is 0.
 *
 *   int bad = gradcheck("dense dW", w, n, grad_w, loss_fn, &ctx, 1e-2f, 1e-3, 2e-2, 40);
 */
#ifndef WG_GRADCHECK_H
#define WG_GRADCHECK_H
#include <math.h>
#include <stdio.h>

typedef double (*wg_loss_fn)(void *ctx);

static inline int gradcheck(const char *what, float *x, int n, const float *analytic,
                            wg_loss_fn loss, void *ctx, float h, double atol, double rtol,
                            int max_probe) {
  int bad = 0, stride = n > max_probe ? n / max_probe : 1;
  for (int i = 0; i < n; i += stride) {
    float saved = x[i];
    x[i] = saved + h; double lp = loss(ctx);
    x[i] = saved - h; double lm = loss(ctx);
    x[i] = saved;
    double num = (lp - lm) / (2.0 * (double)h), ana = analytic[i];
    double tol = atol + rtol * fmax(fabs(num), fabs(ana));
    if (!(fabs(num - ana) <= tol)) {
      double l0 = loss(ctx), fwd = (lp - l0) / (double)h, bwd = (l0 - lm) / (double)h;
      double tol1 = atol + rtol * fmax(fabs(fwd), fabs(bwd)) + fabs(fwd - bwd) * 0.05;
      int kink = fabs(fwd - bwd) > 4 * tol;   /* the two sides disagree: a kink lies in between */
      if (kink && (fabs(fwd - ana) <= tol1 || fabs(bwd - ana) <= tol1)) continue;
      /* Strong curvature near a kink, or several kinks within h (an L1 loss over many pixels):
       * a central difference at h/3 ... h/81 must then agree. */
      int near = 0;
      for (float hs = h / 3; hs > h / 100 && !near; hs /= 3) {
        x[i] = saved + hs; double lps = loss(ctx);
        x[i] = saved - hs; double lms = loss(ctx);
        x[i] = saved;
        double nums = (lps - lms) / (2.0 * (double)hs);
        near = fabs(nums - ana) <= atol + rtol * fmax(fabs(nums), fabs(ana));
      }
      if (near) continue;
      if (bad < 3) fprintf(stderr, "  %s[%d]: numeric %.6g vs analytic %.6g\n", what, i, num, ana);
      bad++;
    }
  }
  return bad;
}

/* Fills with uniform values in [lo, hi) from a small LCG (tests need no real RNG). */
static inline void fill_uniform(float *x, int n, float lo, float hi, unsigned *state) {
  for (int i = 0; i < n; i++) {
    *state = *state * 1664525u + 1013904223u;
    x[i] = lo + (hi - lo) * (float)(*state >> 8) / 16777216.f;
  }
}

/* sum(r * y) in double: the scalar whose gradient with respect to y is r. */
static inline double dot_loss(const float *r, const float *y, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += (double)r[i] * (double)y[i];
  return s;
}
#endif
