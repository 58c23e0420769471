/* test_losses.c — each loss's value against a direct formula and its gradient against finite
 * differences. */
#include <math.h>
#include <stdlib.h>
#include "gradcheck.h"
#include "loss.h"
#include "test.h"

typedef struct { int kind, n; float *a, *b, *t; } loss_ctx;
enum { L_BCE, L_MSE, L_L1, L_KL };

static double loss_value(void *p) {
  loss_ctx *c = p;
  switch (c->kind) {
    case L_BCE: return wg_bce_logits(NULL, c->a, c->t, 0.f, c->n, 1.f);
    case L_MSE: return wg_mse(NULL, c->a, c->t, c->n, 1.f);
    case L_L1: return wg_l1(NULL, c->a, c->t, c->n, 1.f);
    default: return wg_gaussian_kl(NULL, NULL, c->a, c->b, c->n, 1.f);
  }
}

static void test_bce_logits(void) {
  float x[6] = {-30.f, -2.f, -0.1f, 0.f, 1.5f, 40.f}, t[6] = {0.f, 1.f, 0.3f, 1.f, 0.f, 1.f}, g[6];
  double l = wg_bce_logits(g, x, t, 0.f, 6, 0.5f);
  double want = 0;
  for (int i = 0; i < 6; i++) {
    double s = 1.0 / (1.0 + exp(-(double)x[i]));
    /* stable reference: softplus(x) - x*t */
    want += (x[i] > 0 ? x[i] + log1p(exp(-x[i])) : log1p(exp(x[i]))) - x[i] * t[i];
    CHECK_NEAR(g[i], 0.5 * (s - t[i]), 1e-6);
  }
  CHECK_NEAR(l, want, 1e-5 * fabs(want));
  CHECK(isfinite(wg_bce_logits(NULL, x, NULL, 1.f, 6, 1.f)));   /* no overflow at |x| = 40 */
  loss_ctx c = {L_BCE, 6, x, NULL, t};
  float ga[6]; wg_bce_logits(ga, x, t, 0.f, 6, 1.f);
  CHECK(gradcheck("bce", x, 6, ga, loss_value, &c, 1e-2f, 1e-4, 1e-2, 6) == 0);
}

static void test_mse_l1(void) {
  float p[5] = {0.1f, -0.7f, 2.f, 0.5f, -1.f}, t[5] = {0.f, 0.3f, 1.f, -0.5f, -1.2f}, g[5];
  CHECK_NEAR(wg_mse(g, p, t, 5, 1.f), 0.01 + 1.0 + 1.0 + 1.0 + 0.04, 1e-5);
  loss_ctx c = {L_MSE, 5, p, NULL, t};
  CHECK(gradcheck("mse", p, 5, g, loss_value, &c, 1e-2f, 1e-4, 1e-3, 5) == 0);
  CHECK_NEAR(wg_l1(g, p, t, 5, 1.f), 0.1 + 1.0 + 1.0 + 1.0 + 0.2, 1e-5);
  c.kind = L_L1;
  CHECK(gradcheck("l1", p, 5, g, loss_value, &c, 1e-3f, 1e-4, 1e-3, 5) == 0);
}

static void test_gaussian_kl(void) {
  float mu[4] = {0.f, 1.f, -0.5f, 2.f}, lv[4] = {0.f, -1.f, 0.7f, 0.2f}, dmu[4], dlv[4];
  double l = wg_gaussian_kl(dmu, dlv, mu, lv, 4, 1.f);
  double want = 0;
  for (int i = 0; i < 4; i++) want += -0.5 * (1 + lv[i] - mu[i] * mu[i] - exp(lv[i]));
  CHECK_NEAR(l, want, 1e-5);
  CHECK(wg_gaussian_kl(NULL, NULL, (float[]){0.f}, (float[]){0.f}, 1, 1.f) == 0.0);   /* KL(N(0,1)||N(0,1)) */
  loss_ctx c = {L_KL, 4, mu, lv, NULL};
  CHECK(gradcheck("kl dmu", mu, 4, dmu, loss_value, &c, 1e-2f, 1e-4, 1e-3, 4) == 0);
  CHECK(gradcheck("kl dlogvar", lv, 4, dlv, loss_value, &c, 1e-2f, 1e-4, 1e-3, 4) == 0);
}

typedef struct { float *x; const int *labels; int n, k; } xent_ctx;
static double xent_value(void *p) {
  xent_ctx *c = p;
  return wg_softmax_xent(NULL, NULL, c->x, c->labels, c->n, c->k, 1.f);
}

static void test_softmax_xent(void) {
  /* 3 rows of 4 classes, one with large logits (the max subtraction keeps it finite). */
  float x[12] = {0.2f, -1.f, 3.f, 0.5f, -2.f, -2.f, -2.f, -2.f, 80.f, 10.f, -50.f, 0.f}, g[12], pr[12];
  int labels[3] = {2, 1, 0};
  double l = wg_softmax_xent(g, pr, x, labels, 3, 4, 0.5f);
  double want = 0;
  for (int i = 0; i < 3; i++) {
    double mx = -1e30, sum = 0;
    for (int c = 0; c < 4; c++) mx = fmax(mx, x[i * 4 + c]);
    for (int c = 0; c < 4; c++) sum += exp((double)x[i * 4 + c] - mx);
    want += log(sum) + mx - x[i * 4 + labels[i]];
    double rowsum = 0;
    for (int c = 0; c < 4; c++) {
      double p = exp((double)x[i * 4 + c] - mx) / sum;
      CHECK_NEAR(pr[i * 4 + c], p, 1e-6);
      CHECK_NEAR(g[i * 4 + c], 0.5 * (p - (c == labels[i])), 1e-6);
      rowsum += pr[i * 4 + c];
    }
    CHECK_NEAR(rowsum, 1.0, 1e-6);
  }
  CHECK_NEAR(l, want, 1e-5 * fabs(want));
  CHECK_NEAR(pr[4], 0.25, 1e-7);   /* equal logits: uniform */
  /* probabilities only (no labels): the loss is 0 and the gradient untouched */
  float g2[12] = {7.f};
  CHECK(wg_softmax_xent(g2, pr, x, NULL, 3, 4, 1.f) == 0.0 && g2[0] == 7.f);
  float xs[12] = {0.2f, -1.f, 3.f, 0.5f, -2.f, 1.f, -0.3f, 0.f, 2.f, 1.f, -1.f, 0.f}, ga[12];
  wg_softmax_xent(ga, NULL, xs, labels, 3, 4, 1.f);
  xent_ctx c = {xs, labels, 3, 4};
  CHECK(gradcheck("softmax_xent", xs, 12, ga, xent_value, &c, 1e-2f, 1e-4, 1e-3, 12) == 0);
}

void suite_losses(void) {
  RUN(test_softmax_xent);
  RUN(test_bce_logits);
  RUN(test_mse_l1);
  RUN(test_gaussian_kl);
}
