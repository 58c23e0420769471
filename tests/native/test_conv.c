/* test_conv.c — finite-difference gradient checks of the spatial layers, a whole conv net
 * (reshape, conv, transposed conv, batch norm 2d, instance norm, upsample, pool, flatten), and
 * the dcgan / convvae presets end to end. */
#include <stdlib.h>
#include <string.h>
#include "conv.h"
#include "gradcheck.h"
#include "modelcheck.h"
#include "model_internal.h"
#include "net.h"
#include "test.h"

/* A net from a layer-list literal plus input and upstream gradient: loss = sum(r * net(x)). */
typedef struct { wg_net net; wg_arena arena; float *x, *r; int B; } net_case;

static double net_case_loss(void *p) {
  net_case *c = p;
  wg_arena_reset(&c->arena);
  wg_frame fr;
  float *y = wg_net_forward(&c->net, &c->arena, &fr, c->x, c->B, 1, NULL, c->net.n_layers);
  return y ? dot_loss(c->r, y, c->B * c->net.out_features) : NAN;
}

static int check_net(const char *spec, int B, int C, int H, int W, float rtol) {
  wg_json *doc;
  if (wg_json_parse(spec, strlen(spec), &doc) != WG_OK) { fprintf(stderr, "  %s\n", wg_last_error()); return 1; }
  net_case c = {0};
  c.B = B;
  wg_status st = wg_net_build(&c.net, "N", doc, C, H, W);
  wg_json_free(doc);
  if (st) { fprintf(stderr, "  build: %s\n", wg_last_error()); return 1; }
  wg_rng r; wg_rng_seed(&r, 5, 1);
  wg_net_init_params(&c.net, &r);
  int n_in = B * C * H * W, n_out = B * c.net.out_features;
  c.x = malloc(sizeof(float) * n_in); c.r = malloc(sizeof(float) * n_out);
  float *dx = malloc(sizeof(float) * n_in), *g = malloc(sizeof(float) * (c.net.n_params + 1));
  unsigned seed = 21;
  fill_uniform(c.x, n_in, -1.f, 1.f, &seed);
  fill_uniform(c.r, n_out, -1.f, 1.f, &seed);
  net_case_loss(&c);
  wg_frame fr;
  wg_arena_reset(&c.arena);
  wg_net_forward(&c.net, &c.arena, &fr, c.x, B, 1, NULL, c.net.n_layers);
  wg_net_zero_grads(&c.net);
  int bad = wg_net_backward(&c.net, &c.arena, &fr, c.net.n_layers, c.r, dx, 1) != WG_OK;
  memcpy(g, c.net.grads, sizeof(float) * c.net.n_params);
  bad += gradcheck("params", c.net.params, (int)c.net.n_params, g, net_case_loss, &c, 1e-2f, 2e-3, rtol, 150);
  bad += gradcheck("input", c.x, n_in, dx, net_case_loss, &c, 1e-2f, 2e-3, rtol, 80);
  free(c.x); free(c.r); free(dx); free(g);
  wg_net_free(&c.net); wg_arena_free(&c.arena);
  return bad;
}

static void test_conv2d_grads(void) {
  CHECK(check_net("[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":[3,2],\"stride\":[2,1],\"padding\":[1,0]}]", 2, 2, 7, 5, 1e-2f) == 0);
  CHECK(check_net("[{\"type\":\"conv2d\",\"out_channels\":5,\"kernel\":5,\"stride\":2,\"padding\":2,\"bias\":false}]", 3, 3, 9, 8, 1e-2f) == 0);
}

static void test_conv_transpose2d_grads(void) {
  CHECK(check_net("[{\"type\":\"conv_transpose2d\",\"out_channels\":3,\"kernel\":5,\"stride\":2,\"padding\":2,\"output_padding\":1}]", 2, 4, 4, 3, 1e-2f) == 0);
  CHECK(check_net("[{\"type\":\"conv_transpose2d\",\"out_channels\":2,\"kernel\":4,\"stride\":2,\"padding\":1,\"bias\":false}]", 2, 3, 3, 5, 1e-2f) == 0);
}

static void test_norm_upsample_pool_grads(void) {
  CHECK(check_net("[{\"type\":\"batchnorm\",\"momentum\":0.9}]", 3, 4, 3, 5, 2e-2f) == 0);
  CHECK(check_net("[{\"type\":\"instancenorm\",\"affine\":true}]", 2, 3, 4, 5, 2e-2f) == 0);
  CHECK(check_net("[{\"type\":\"instancenorm\"}]", 2, 3, 4, 5, 2e-2f) == 0);
  CHECK(check_net("[{\"type\":\"upsample\",\"mode\":\"nearest\"}]", 2, 3, 3, 4, 1e-2f) == 0);
  CHECK(check_net("[{\"type\":\"upsample\",\"mode\":\"bilinear\"}]", 2, 3, 3, 4, 1e-2f) == 0);
  CHECK(check_net("[{\"type\":\"avgpool\",\"kernel\":3,\"stride\":2,\"padding\":1}]", 2, 3, 7, 6, 1e-2f) == 0);
}

/* Each mode, with paddings as wide as reflect allows (H - 1) so cells are copied more than once. */
static void test_pad_grads(void) {
  CHECK(check_net("[{\"type\":\"pad\",\"padding\":[3,2],\"mode\":\"reflect\"}]", 2, 3, 4, 3, 1e-2f) == 0);
  CHECK(check_net("[{\"type\":\"pad\",\"padding\":[1,3],\"mode\":\"replicate\"}]", 2, 3, 4, 3, 1e-2f) == 0);
  CHECK(check_net("[{\"type\":\"pad\",\"padding\":2}]", 2, 3, 4, 3, 1e-2f) == 0);
  /* Reflect then a conv, as the ResNet generator's stem. */
  CHECK(check_net("[{\"type\":\"pad\",\"padding\":1,\"mode\":\"reflect\"},"
                  "{\"type\":\"conv2d\",\"out_channels\":2,\"kernel\":3}]", 2, 2, 5, 4, 1e-2f) == 0);
  /* Values: a 1x3 row [1, 2, 3] padded by 2 columns. */
  const char *modes[] = {"reflect", "replicate", "zero"};
  const float want[3][7] = {{3, 2, 1, 2, 3, 2, 1}, {1, 1, 1, 2, 3, 3, 3}, {0, 0, 1, 2, 3, 0, 0}};
  for (int k = 0; k < 3; k++) {
    float x[3] = {1, 2, 3}, y[7];
    wg_pad2d_forward(y, x, 1, 1, 3, 0, 2, (wg_pad_mode)(k == 0 ? WG_PAD_REFLECT : k == 1 ? WG_PAD_REPLICATE : WG_PAD_ZERO));
    for (int j = 0; j < 7; j++) CHECK_MSG(y[j] == want[k][j], "%s[%d] = %g", modes[k], j, (double)y[j]);
  }
}

static void test_conv_net_grads(void) {
  const char *spec =
    "[{\"type\":\"dense\",\"units\":36},{\"type\":\"reshape\",\"shape\":[4,3,3]},{\"type\":\"batchnorm\"},"
    "{\"type\":\"leaky_relu\",\"slope\":0.2},"
    "{\"type\":\"conv_transpose2d\",\"out_channels\":3,\"kernel\":5,\"stride\":2,\"padding\":2,\"output_padding\":1},"
    "{\"type\":\"instancenorm\",\"affine\":true},{\"type\":\"tanh\"},{\"type\":\"upsample\",\"mode\":\"bilinear\"},"
    "{\"type\":\"conv2d\",\"out_channels\":2,\"kernel\":3,\"stride\":2,\"padding\":1},{\"type\":\"avgpool\",\"kernel\":2},"
    "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":3}]";
  CHECK(check_net(spec, 3, 5, 1, 1, 3e-2f) == 0);
}

static void test_residual_add_forward(void) {
  /* out = tanh(tanh(x)) + tanh(x): the skip reads layer 0's output even though layer 1 follows it. */
  const char *spec = "[{\"type\":\"tanh\"},{\"type\":\"tanh\"},{\"type\":\"add\",\"from\":0}]";
  wg_json *doc;
  CHECK(wg_json_parse(spec, strlen(spec), &doc) == WG_OK);
  wg_net net;
  wg_status st = wg_net_build(&net, "N", doc, 4, 1, 1);
  wg_json_free(doc);
  CHECK(st == WG_OK);
  float x[8] = {-2, -1, -0.5f, 0, 0.25f, 0.5f, 1, 3};
  wg_arena a = {0};
  wg_frame fr;
  float *y = wg_net_forward(&net, &a, &fr, x, 2, 1, NULL, net.n_layers);
  for (int i = 0; i < 8; i++) CHECK_NEAR(y[i], tanh(tanh(x[i])) + tanh(x[i]), 1e-6);
  wg_net_free(&net); wg_arena_free(&a);
}

static void test_residual_add_grads(void) {
  /* Layer 1's output is both the next layer's input and the skip: it must not be overwritten in
   * place by layer 2's tanh, and its gradient is the sum of both paths. */
  CHECK(check_net("[{\"type\":\"dense\",\"units\":12},{\"type\":\"tanh\"},{\"type\":\"tanh\"},"
                  "{\"type\":\"dense\",\"units\":12},{\"type\":\"add\",\"from\":1},{\"type\":\"tanh\"},"
                  "{\"type\":\"dense\",\"units\":3}]", 3, 5, 1, 1, 2e-2f) == 0);
  /* A conv residual block around reshape/flatten. */
  CHECK(check_net("[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":3,\"padding\":1},{\"type\":\"tanh\"},"
                  "{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":3,\"padding\":1},{\"type\":\"sigmoid\"},"
                  "{\"type\":\"add\",\"from\":1},{\"type\":\"add\",\"from\":4},{\"type\":\"flatten\"},"
                  "{\"type\":\"dense\",\"units\":2}]", 2, 2, 5, 4, 2e-2f) == 0);
}

static void test_shape_errors(void) {
  const char *cases[] = {
    "[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":9}]", "larger than the padded input",
    "[{\"type\":\"conv2d\",\"kernel\":3}]", "needs \"out_channels\"",
    "[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":3,\"output_padding\":1}]", "belongs to conv_transpose2d",
    "[{\"type\":\"conv_transpose2d\",\"out_channels\":3,\"kernel\":3,\"stride\":2,\"output_padding\":2}]", "smaller than the stride",
    "[{\"type\":\"reshape\",\"shape\":[3,3,3]}]", "cannot reshape 50 values",
    "[{\"type\":\"upsample\",\"mode\":\"cubic\"}]", "\"nearest\" or \"bilinear\"",
    "[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":[3,3,3]}]", "[height, width]",
    "[{\"type\":\"relu\"},{\"type\":\"add\",\"from\":1}]", "must name an earlier layer",
    "[{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":4},{\"type\":\"add\",\"from\":0}]", "cannot add layer 0's output [50, 1, 1] to [4, 1, 1]",
    "[{\"type\":\"pad\",\"padding\":5,\"mode\":\"reflect\"}]", "must be smaller than the input 5x5",
    "[{\"type\":\"pad\",\"padding\":1,\"mode\":\"circular\"}]", "\"zero\", \"reflect\" or \"replicate\"",
    "[{\"type\":\"pad\"}]", "pad needs \"padding\"",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i += 2) {
    wg_json *doc;
    CHECK(wg_json_parse(cases[i], strlen(cases[i]), &doc) == WG_OK);
    wg_net net;
    wg_status st = wg_net_build(&net, "G", doc, 2, 5, 5);
    wg_json_free(doc);
    CHECK_MSG(st == WG_ERR_ARG && strstr(wg_last_error(), cases[i + 1]), "%s -> %s", cases[i], wg_last_error());
  }
}

static void test_presets_shapes(void) {
  wg_model *m;
  CHECK(wg_model_create("{\"model\":\"dcgan\"}", &m) == WG_OK);
  const wg_net *G = &m->nets[0], *D = &m->nets[1];
  /* 28x28: z -> dense 6272 -> BN -> ReLU -> (128,7,7) -> convT -> (64,14,14) -> BN -> ReLU -> convT -> (1,28,28) -> tanh */
  CHECK(G->layers[1].kind == WG_LAYER_BATCHNORM && G->layers[1].in_c == 6272);
  CHECK(G->layers[3].out_c == 128 && G->layers[3].out_h == 7);
  CHECK(G->layers[4].kind == WG_LAYER_CONV_TRANSPOSE2D && G->layers[4].out_c == 64 && G->layers[4].out_h == 14);
  CHECK(G->layers[7].out_c == 1 && G->layers[7].out_h == 28 && G->layers[8].kind == WG_LAYER_TANH);
  CHECK(D->layers[0].out_c == 64 && D->layers[0].out_h == 14 && D->layers[2].out_c == 128 && D->layers[2].out_h == 7);
  CHECK(D->out_features == 1);
  wg_model_free(m);
  CHECK(wg_model_create("{\"model\":\"dcgan\",\"height\":64,\"width\":64,\"channels\":3}", &m) == WG_OK);
  CHECK(m->nets[0].layers[3].out_c == 256 && m->nets[0].layers[3].out_h == 8);
  CHECK(m->nets[0].out_features == 3 * 64 * 64);
  wg_model_free(m);
  CHECK(wg_model_create("{\"model\":\"dcgan\",\"height\":32,\"width\":32,\"channels\":3}", &m) == WG_OK);
  wg_model_free(m);
  CHECK(wg_model_create("{\"model\":\"convvae\"}", &m) == WG_OK);
  CHECK(m->latent == 16 && m->nets[0].out_features == 32 && m->nets[1].out_features == 784);
  CHECK(m->nets[0].layers[0].out_c == 32 && m->nets[0].layers[2].out_c == 64 && m->nets[0].layers[2].out_h == 7);
  /* The canonical config rebuilds the same model. */
  wg_model *again;
  CHECK(wg_model_create(wg_model_config_json(m), &again) == WG_OK);
  CHECK(strcmp(wg_model_config_json(m), wg_model_config_json(again)) == 0);
  wg_model_free(m); wg_model_free(again);
  CHECK(wg_model_create("{\"model\":\"dcgan\",\"height\":30}", &m) == WG_ERR_ARG && strstr(wg_last_error(), "divisible"));
}

/* Conv GAN and conv VAE end to end (losses, reparameterisation, frames, reshape/flatten aliasing).
 * The layer lists are the presets' shapes with smooth activations: ReLU kinks and float32
 * rounding of a tiny curved model would otherwise swamp finite differences. */
static void test_conv_models_gradients(void) {
  const char *cfgs[] = {
    "{\"model\":\"dcgan\",\"height\":8,\"width\":8,\"latent\":3,\"seed\":2,"
    "\"generator\":[{\"type\":\"dense\",\"units\":16},{\"type\":\"reshape\",\"shape\":[4,2,2]},"
    "{\"type\":\"batchnorm\"},{\"type\":\"tanh\"},"
    "{\"type\":\"conv_transpose2d\",\"out_channels\":3,\"kernel\":5,\"stride\":2,\"padding\":2,\"output_padding\":1},"
    "{\"type\":\"batchnorm\"},{\"type\":\"tanh\"},"
    "{\"type\":\"conv_transpose2d\",\"out_channels\":1,\"kernel\":5,\"stride\":2,\"padding\":2,\"output_padding\":1},{\"type\":\"tanh\"}],"
    "\"discriminator\":[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":5,\"stride\":2,\"padding\":2},{\"type\":\"tanh\"},"
    "{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":5,\"stride\":2,\"padding\":2},{\"type\":\"tanh\"},"
    "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":1}]}",
    "{\"model\":\"convvae\",\"height\":8,\"width\":4,\"latent\":2,\"seed\":2,"
    "\"encoder\":[{\"type\":\"conv2d\",\"out_channels\":3,\"kernel\":4,\"stride\":2,\"padding\":1},{\"type\":\"tanh\"},"
    "{\"type\":\"conv2d\",\"out_channels\":4,\"kernel\":4,\"stride\":2,\"padding\":1},{\"type\":\"tanh\"},"
    "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":4}],"
    "\"decoder\":[{\"type\":\"dense\",\"units\":8},{\"type\":\"tanh\"},{\"type\":\"reshape\",\"shape\":[4,2,1]},"
    "{\"type\":\"conv_transpose2d\",\"out_channels\":3,\"kernel\":4,\"stride\":2,\"padding\":1},{\"type\":\"tanh\"},"
    "{\"type\":\"conv_transpose2d\",\"out_channels\":1,\"kernel\":4,\"stride\":2,\"padding\":1},{\"type\":\"sigmoid\"}]}",
  };
  for (int k = 0; k < 2; k++) {
    wg_model *m;
    CHECK_MSG(wg_model_create(cfgs[k], &m) == WG_OK, "%s", wg_last_error());
    int B = 3, P = wg_model_image_size(m);
    float *x = malloc(sizeof(float) * B * P);
    unsigned seed = 4;
    fill_uniform(x, B * P, k ? 0.f : -1.f, 1.f, &seed);
    int bad = check_model_grads(m, x, NULL, B, 1e-2f, 1e-4, 2e-2, 150);
    free(x);
    wg_model_free(m);
    CHECK(bad == 0);
  }
}

void suite_conv(void) {
  RUN(test_conv2d_grads);
  RUN(test_conv_transpose2d_grads);
  RUN(test_norm_upsample_pool_grads);
  RUN(test_pad_grads);
  RUN(test_conv_net_grads);
  RUN(test_residual_add_forward);
  RUN(test_residual_add_grads);
  RUN(test_shape_errors);
  RUN(test_presets_shapes);
  RUN(test_conv_models_gradients);
}
