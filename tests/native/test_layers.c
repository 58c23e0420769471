/* test_layers.c — every layer's backward against finite differences of its forward, and the
 * whole-net backward through a mixed stack. */
#include <stdlib.h>
#include <string.h>
#include "gradcheck.h"
#include "layers.h"
#include "net.h"
#include "test.h"

/* Loss = sum(r * layer(x)) for whichever layer `kind` names; parameters live in the context. */
typedef struct {
  int kind, B, IN, OUT;
  float *x, *w, *b, *r, *y, *xhat, *invstd, *mask, *rm, *rv;
  float slope;
} layer_ctx;

enum { K_DENSE, K_RELU, K_LRELU, K_TANH, K_SIGMOID, K_BN };

static double layer_loss(void *p) {
  layer_ctx *c = p;
  int n = c->B * c->IN;
  switch (c->kind) {
    case K_DENSE: wg_dense_forward(c->y, c->x, c->w, c->b, c->B, c->IN, c->OUT); return dot_loss(c->r, c->y, c->B * c->OUT);
    case K_RELU: wg_relu_forward(c->y, c->x, n); break;
    case K_LRELU: wg_leaky_relu_forward(c->y, c->x, n, c->slope); break;
    case K_TANH: wg_tanh_forward(c->y, c->x, n); break;
    case K_SIGMOID: wg_sigmoid_forward(c->y, c->x, n); break;
    case K_BN:
      wg_batchnorm_forward_train(c->y, c->xhat, c->invstd, c->x, c->w, c->b, c->rm, c->rv, c->B,
                                 c->IN, 1, 0.9f, 1e-5f);
      break;
  }
  return dot_loss(c->r, c->y, n);
}

static layer_ctx make_ctx(int kind, int B, int IN, int OUT, unsigned *seed) {
  layer_ctx c = {kind, B, IN, OUT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.2f};
  int big = B * (IN > OUT ? IN : OUT);
  c.x = malloc(sizeof(float) * big); c.y = malloc(sizeof(float) * big); c.r = malloc(sizeof(float) * big);
  c.w = malloc(sizeof(float) * IN * (OUT > 1 ? OUT : 1)); c.b = malloc(sizeof(float) * (OUT > IN ? OUT : IN));
  c.xhat = malloc(sizeof(float) * big); c.invstd = malloc(sizeof(float) * IN); c.mask = malloc(sizeof(float) * big);
  c.rm = calloc(IN, sizeof(float)); c.rv = calloc(IN, sizeof(float));
  fill_uniform(c.x, big, -2.f, 2.f, seed);
  fill_uniform(c.r, big, -1.f, 1.f, seed);
  fill_uniform(c.w, IN * (OUT > 1 ? OUT : 1), -0.5f, 0.5f, seed);
  fill_uniform(c.b, OUT > IN ? OUT : IN, -0.5f, 0.5f, seed);
  /* Keep inputs away from the kinks of relu/leaky relu, where the derivative jumps. */
  for (int i = 0; i < big; i++) if (fabsf(c.x[i]) < 0.05f) c.x[i] = 0.3f;
  return c;
}

static void free_ctx(layer_ctx *c) {
  free(c->x); free(c->y); free(c->r); free(c->w); free(c->b); free(c->xhat); free(c->invstd);
  free(c->mask); free(c->rm); free(c->rv);
}

static void test_dense_grad(void) {
  unsigned seed = 11;
  layer_ctx c = make_ctx(K_DENSE, 5, 7, 6, &seed);
  float dx[35], dw[42] = {0}, db[6] = {0};
  layer_loss(&c);
  wg_dense_backward(dx, dw, db, c.r, c.x, c.w, 5, 7, 6);
  CHECK(gradcheck("dense dx", c.x, 35, dx, layer_loss, &c, 1e-2f, 1e-3, 1e-2, 64) == 0);
  CHECK(gradcheck("dense dw", c.w, 42, dw, layer_loss, &c, 1e-2f, 1e-3, 1e-2, 64) == 0);
  CHECK(gradcheck("dense db", c.b, 6, db, layer_loss, &c, 1e-2f, 1e-3, 1e-2, 64) == 0);
  /* Parameter gradients accumulate: a second backward doubles them. */
  float dw2[42]; memcpy(dw2, dw, sizeof dw);
  wg_dense_backward(NULL, dw, NULL, c.r, c.x, c.w, 5, 7, 6);
  for (int i = 0; i < 42; i++) CHECK_NEAR(dw[i], 2.0 * dw2[i], 1e-5 * (1 + fabs(dw2[i])));
  free_ctx(&c);
}

static void check_activation(int kind, const char *name) {
  unsigned seed = 5 + kind;
  layer_ctx c = make_ctx(kind, 4, 9, 9, &seed);
  float dx[36];
  layer_loss(&c);
  switch (kind) {
    case K_RELU: wg_relu_backward(dx, c.r, c.y, 36); break;
    case K_LRELU: wg_leaky_relu_backward(dx, c.r, c.y, 36, c.slope); break;
    case K_TANH: wg_tanh_backward(dx, c.r, c.y, 36); break;
    case K_SIGMOID: wg_sigmoid_backward(dx, c.r, c.y, 36); break;
  }
  int bad = gradcheck(name, c.x, 36, dx, layer_loss, &c, 1e-3f, 2e-3, 1e-2, 64);
  free_ctx(&c);
  CHECK(bad == 0);
}

static void test_activation_grads(void) {
  check_activation(K_RELU, "relu");
  check_activation(K_LRELU, "leaky_relu");
  check_activation(K_TANH, "tanh");
  check_activation(K_SIGMOID, "sigmoid");
}

static void test_batchnorm_grad(void) {
  unsigned seed = 3;
  layer_ctx c = make_ctx(K_BN, 6, 5, 5, &seed);
  for (int i = 0; i < 5; i++) c.w[i] = 0.5f + 0.2f * i;
  float dx[30], dg[5] = {0}, dbeta[5] = {0};
  layer_loss(&c);
  wg_batchnorm_backward(dx, dg, dbeta, c.r, c.xhat, c.invstd, c.w, 6, 5, 1);
  CHECK(gradcheck("bn dx", c.x, 30, dx, layer_loss, &c, 1e-2f, 2e-3, 2e-2, 64) == 0);
  CHECK(gradcheck("bn dgamma", c.w, 5, dg, layer_loss, &c, 1e-2f, 1e-3, 1e-2, 64) == 0);
  CHECK(gradcheck("bn dbeta", c.b, 5, dbeta, layer_loss, &c, 1e-2f, 1e-3, 1e-2, 64) == 0);
  /* Normalised output: per-channel mean 0 and variance 1 before gamma/beta. */
  for (int ch = 0; ch < 5; ch++) {
    double m = 0, v = 0;
    for (int b = 0; b < 6; b++) m += c.xhat[b * 5 + ch];
    for (int b = 0; b < 6; b++) v += c.xhat[b * 5 + ch] * c.xhat[b * 5 + ch];
    CHECK_NEAR(m / 6, 0.0, 1e-5);
    CHECK_NEAR(v / 6, 1.0, 1e-3);
  }
  free_ctx(&c);
}

static void test_batchnorm_running_stats_and_eval(void) {
  float x[8] = {1, 10, 3, 20, 5, 30, 7, 40}, y[8], xhat[8], invstd[2];
  float g[2] = {1, 1}, b[2] = {0, 0}, rm[2] = {0, 0}, rv[2] = {1, 1};
  wg_batchnorm_forward_train(y, xhat, invstd, x, g, b, rm, rv, 4, 2, 1, 0.8f, 1e-5f);
  /* Keras-style momentum: running = 0.8*running + 0.2*batch; unbiased variance. */
  CHECK_NEAR(rm[0], 0.2 * 4.0, 1e-6);
  CHECK_NEAR(rm[1], 0.2 * 25.0, 1e-5);
  CHECK_NEAR(rv[0], 0.8 + 0.2 * (20.0 / 3.0), 1e-5);
  wg_batchnorm_forward_eval(y, x, g, b, rm, rv, 4, 2, 1, 1e-5f);
  CHECK_NEAR(y[0], (1 - rm[0]) / sqrt(rv[0] + 1e-5), 1e-5);
}

/* Dropout: the forward keeps each input scaled by 1/(1-p) or zeroes it, draws from its stream,
 * and p = 0 is the identity; the backward is checked by finite differences of the layer's own
 * forward under a fixed mask (the same rng state replays the same mask). */
typedef struct { float *x, *y, *mask, *r; int n; float p; wg_rng start; } dropout_ctx;

static double dropout_loss(void *p) {
  dropout_ctx *c = p;
  wg_rng r = c->start;
  wg_dropout_forward(c->y, c->mask, c->x, c->n, c->p, &r);
  return dot_loss(c->r, c->y, c->n);
}

static void test_dropout(void) {
  enum { N = 2000 };
  unsigned seed = 9;
  float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N), *mask = malloc(sizeof(float) * N);
  float *r = malloc(sizeof(float) * N), *dx = malloc(sizeof(float) * N), *y2 = malloc(sizeof(float) * N);
  fill_uniform(x, N, -2.f, 2.f, &seed);
  fill_uniform(r, N, -1.f, 1.f, &seed);
  dropout_ctx c = {x, y, mask, r, N, 0.3f, {0}};
  wg_rng_seed(&c.start, 1, 4);
  wg_rng rng = c.start;
  wg_dropout_forward(y, mask, x, N, 0.3f, &rng);
  int zeros = 0;
  for (int i = 0; i < N; i++) {
    CHECK(mask[i] == 0.f || mask[i] == 1.f / 0.7f);
    CHECK(y[i] == x[i] * mask[i]);   /* output: dropped to 0 or scaled by 1/(1-p) */
    zeros += mask[i] == 0.f;
  }
  CHECK_NEAR(zeros / (double)N, 0.3, 0.04);
  double mean_in = 0, mean_out = 0;   /* the scaling keeps the expected value */
  for (int i = 0; i < N; i++) { mean_in += fabsf(x[i]); mean_out += fabsf(y[i]); }
  CHECK_NEAR(mean_out / mean_in, 1.0, 0.06);
  /* The mask comes from the stream: the next draw gives another mask, a replay the same. */
  wg_dropout_forward(y2, dx, x, N, 0.3f, &rng);
  CHECK(memcmp(dx, mask, sizeof(float) * N) != 0);
  rng = c.start;
  wg_dropout_forward(y2, dx, x, N, 0.3f, &rng);
  CHECK(memcmp(dx, mask, sizeof(float) * N) == 0 && memcmp(y2, y, sizeof(float) * N) == 0);
  /* p = 0 passes the input through. */
  rng = c.start;
  wg_dropout_forward(y2, dx, x, N, 0.f, &rng);
  CHECK(memcmp(y2, x, sizeof(float) * N) == 0);
  /* Backward against finite differences of wg_dropout_forward itself. */
  wg_dropout_backward(dx, r, mask, N);
  int bad = gradcheck("dropout", x, N, dx, dropout_loss, &c, 1e-2f, 1e-3, 1e-2, 50);
  free(x); free(y); free(mask); free(r); free(dx); free(y2);
  CHECK(bad == 0);
}

/* A whole net: dense -> leaky_relu -> batchnorm -> dense -> tanh -> dropout(0) -> dense -> sigmoid. */
typedef struct { wg_net net; wg_arena arena; float *x, *r; int B; } net_ctx;

static double net_loss(void *p) {
  net_ctx *c = p;
  wg_arena_reset(&c->arena);
  wg_frame fr;
  float *y = wg_net_forward(&c->net, &c->arena, &fr, c->x, c->B, 1, NULL, c->net.n_layers);
  return dot_loss(c->r, y, c->B * c->net.out_features);
}

static void test_net_backward_grad(void) {
  const char *spec = "[{\"type\":\"dense\",\"units\":6},{\"type\":\"leaky_relu\",\"slope\":0.1},"
                     "{\"type\":\"batchnorm\",\"momentum\":0.8},{\"type\":\"dense\",\"units\":5},"
                     "{\"type\":\"tanh\"},{\"type\":\"dropout\",\"p\":0},{\"type\":\"relu\"},"
                     "{\"type\":\"dense\",\"units\":3,\"bias\":false},{\"type\":\"sigmoid\"}]";
  wg_json *doc;
  CHECK(wg_json_parse(spec, strlen(spec), &doc) == WG_OK);
  net_ctx c = {0};
  c.B = 4;
  wg_status st = wg_net_build(&c.net, "N", doc, 7, 1, 1);
  wg_json_free(doc);
  CHECK(st == WG_OK);
  CHECK(c.net.out_features == 3 && c.net.n_params == (size_t)(7 * 6 + 6 + 12 + 6 * 5 + 5 + 5 * 3));
  wg_rng r; wg_rng_seed(&r, 3, 1);
  wg_net_init_params(&c.net, &r);
  float x[28], rr[12], dx[28];
  unsigned seed = 17;
  fill_uniform(x, 28, -1.f, 1.f, &seed);
  fill_uniform(rr, 12, -1.f, 1.f, &seed);
  c.x = x; c.r = rr;
  wg_frame fr;
  wg_arena_reset(&c.arena);
  wg_net_forward(&c.net, &c.arena, &fr, x, 4, 1, NULL, c.net.n_layers);
  wg_net_zero_grads(&c.net);
  CHECK(wg_net_backward(&c.net, &c.arena, &fr, c.net.n_layers, rr, dx, 1) == WG_OK);
  float *grads = malloc(sizeof(float) * c.net.n_params);
  memcpy(grads, c.net.grads, sizeof(float) * c.net.n_params);
  int bad = gradcheck("net params", c.net.params, (int)c.net.n_params, grads, net_loss, &c,
                      1e-2f, 1e-3, 3e-2, 200);
  bad += gradcheck("net dx", x, 28, dx, net_loss, &c, 1e-2f, 1e-3, 3e-2, 28);
  free(grads);
  wg_net_free(&c.net);
  wg_arena_free(&c.arena);
  CHECK(bad == 0);
}

static void test_net_spec_errors(void) {
  const char *bad[] = {
    "[{\"type\":\"conv9\"}]", "unknown layer type \"conv9\"",
    "[{\"type\":\"dense\"}]", "needs \"units\"",
    "[{\"type\":\"dense\",\"units\":0}]", "\"units\" must be in",
    "[{\"type\":\"dense\",\"units\":4,\"unit\":3}]", "unknown option \"unit\"",
    "[{\"type\":\"leaky_relu\",\"slope\":\"x\"}]", "\"slope\" must be a finite number",
    "[{\"type\":\"dropout\",\"p\":1.5}]", "\"p\" must be in",
    "[]", "non-empty array",
    "[3]", "must be an object",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i += 2) {
    wg_json *doc;
    CHECK(wg_json_parse(bad[i], strlen(bad[i]), &doc) == WG_OK);
    wg_net net;
    wg_status st = wg_net_build(&net, "G", doc, 4, 1, 1);
    wg_json_free(doc);
    CHECK_MSG(st == WG_ERR_ARG && strstr(wg_last_error(), bad[i + 1]), "%s -> %s", bad[i], wg_last_error());
  }
}

void suite_layers(void) {
  RUN(test_dense_grad);
  RUN(test_activation_grads);
  RUN(test_batchnorm_grad);
  RUN(test_batchnorm_running_stats_and_eval);
  RUN(test_dropout);
  RUN(test_net_backward_grad);
  RUN(test_net_spec_errors);
}
