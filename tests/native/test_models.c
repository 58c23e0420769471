/* test_models.c — model configs, the GAN and VAE gradients end to end, checkpoints and
 * determinism of training. */
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include "gradcheck.h"
#include "modelcheck.h"
#include "model_internal.h"
#include "safetensors.h"
#include "test.h"

static const char *TINY_GAN = "{\"model\":\"gan\",\"height\":4,\"width\":3,\"channels\":1,\"latent\":3,"
                              "\"hidden\":[5],\"disc_hidden\":[6],\"seed\":3}";
static const char *TINY_VAE = "{\"model\":\"vae\",\"height\":4,\"width\":3,\"channels\":1,\"latent\":2,"
                              "\"hidden\":[5],\"seed\":4}";

static wg_dataset *tiny_dataset(int n, unsigned seed) {
  wg_dataset *ds = wg_dataset_create(n, 4, 3, 1, 0);
  for (int i = 0; i < n * 12; i++) { seed = seed * 1664525u + 1013904223u; ds->pixels[i] = (uint8_t)(seed >> 24); }
  return ds;
}

static void test_config_errors(void) {
  const char *cases[] = {
    "{\"model\":\"diffusion\"}", "unknown model \"diffusion\"",
    "{\"latent\":3}", "missing \"model\"",
    "{\"model\":\"gan\",\"lr\":null}", "\"lr\" must be a finite number",
    "{\"model\":\"gan\",\"lr\":-1}", "\"lr\" must be in",
    "{\"model\":\"gan\",\"beta1\":1.5}", "\"beta1\" must be in",
    "{\"model\":\"gan\",\"learning_rate\":0.1}", "unknown option \"learning_rate\"",
    "{\"model\":\"gan\",\"channels\":2}", "\"channels\" must be 1",
    "{\"model\":\"gan\",\"latent\":2.5}", "whole number",
    "{\"model\":\"gan\",\"encoder\":[]}", "a gan has \"generator\" and \"discriminator\", not \"encoder\"",
    "{\"model\":\"vae\",\"decoder\":[{\"type\":\"dense\",\"units\":784}]}", "must end with a sigmoid",
    "{\"model\":\"gan\",\"generator\":[{\"type\":\"dense\",\"units\":10}]}", "generator outputs 10 values",
    "{\"model\":\"gan\",", "not valid JSON",
    "{\"model\":\"gan\",\"optimizer\":\"rmsprop\"}", "unknown optimizer",
    "{\"model\":\"gan\",\"init\":\"xavier\"}", "unknown init \"xavier\"",
    "{\"model\":\"gan\",\"init_std\":0.1}", "\"init_std\" goes with",
    "{\"model\":\"gan\",\"init\":\"normal\",\"init_std\":0}", "\"init_std\" must be in",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i += 2) {
    wg_model *m = (wg_model *)1;
    wg_status st = wg_model_create(cases[i], &m);
    CHECK_MSG(st != WG_OK && m == NULL && strstr(wg_last_error(), cases[i + 1]), "%s -> %s", cases[i], wg_last_error());
  }
}

static void test_canonical_config_round_trips(void) {
  wg_model *m, *m2;
  CHECK(wg_model_create("{\"model\":\"gan\"}", &m) == WG_OK);
  const char *cfg = wg_model_config_json(m);
  CHECK(strstr(cfg, "\"units\":256") && strstr(cfg, "\"momentum\":0.8") && strstr(cfg, "\"lr\":0.0002"));
  CHECK(wg_model_create(cfg, &m2) == WG_OK);
  CHECK(strcmp(cfg, wg_model_config_json(m2)) == 0);
  CHECK(m->nets[0].n_params == m2->nets[0].n_params);
  /* Classic MLP GAN sizes: G 100-256-512-1024-784 with 3 batch norms, D 784-512-256-1. */
  CHECK(m->nets[0].n_params == (size_t)(100 * 256 + 256 + 512 + 256 * 512 + 512 + 1024 + 512 * 1024 + 1024 + 2048 + 1024 * 784 + 784));
  CHECK(m->nets[1].n_params == (size_t)(784 * 512 + 512 + 512 * 256 + 256 + 256 + 1));
  wg_model_free(m); wg_model_free(m2);
}

/* "init": "normal" (DCGAN): conv/dense weights N(0, std), biases 0, norm scales N(1, std); the
 * config keeps it, so a checkpoint's model is built the same way again. */
static void test_normal_init(void) {
  wg_model *m, *m2;
  CHECK(wg_model_create("{\"model\":\"dcgan\",\"init\":\"normal\",\"init_std\":0.05}", &m) == WG_OK);
  CHECK(strstr(wg_model_config_json(m), "\"init\":\"normal\",\"init_std\":0.05"));
  int weights = 0, norms = 0;
  for (int k = 0; k < 2; k++) {
    const wg_net *net = &m->nets[k];
    for (int i = 0; i < net->n_layers; i++) {
      const wg_layer *L = &net->layers[i];
      if (!L->n_w) continue;
      const float *w = net->params + L->w_off, *b = net->params + L->b_off;
      int norm = L->kind == WG_LAYER_BATCHNORM || L->kind == WG_LAYER_INSTANCENORM;
      double s = 0, s2 = 0;
      for (size_t j = 0; j < L->n_w; j++) { s += w[j]; s2 += (double)w[j] * w[j]; }
      double mean = s / (double)L->n_w, sd = sqrt(s2 / (double)L->n_w - mean * mean);
      double tol = 4 * 0.05 / sqrt((double)L->n_w) + 1e-6;
      CHECK_MSG(fabs(mean - (norm ? 1 : 0)) < tol, "%s layer %d: mean %g", net->name, i, mean);
      if (L->n_w >= 256) CHECK_MSG(fabs(sd - 0.05) < 0.01, "%s layer %d: std %g", net->name, i, sd);
      for (size_t j = 0; j < L->n_b; j++) CHECK(b[j] == 0.f);
      weights += !norm; norms += norm;
    }
  }
  CHECK(weights >= 4 && norms >= 2);
  CHECK(wg_model_create(wg_model_config_json(m), &m2) == WG_OK);
  CHECK(memcmp(m->nets[0].params, m2->nets[0].params, m->nets[0].n_params * sizeof(float)) == 0);
  wg_model_free(m); wg_model_free(m2);
  /* A DCGAN asked for PyTorch's init says so in its config, so rebuilding keeps it. */
  CHECK(wg_model_create("{\"model\":\"dcgan\",\"init\":\"pytorch\"}", &m) == WG_OK);
  CHECK(strstr(wg_model_config_json(m), "\"init\":\"pytorch\""));
  CHECK(wg_model_create(wg_model_config_json(m), &m2) == WG_OK);
  CHECK(m2->init_std == 0.f && memcmp(m->nets[0].params, m2->nets[0].params, m->nets[0].n_params * sizeof(float)) == 0);
  wg_model_free(m); wg_model_free(m2);
}

static void test_train_errors(void) {
  wg_model *m;
  CHECK(wg_model_create(TINY_GAN, &m) == WG_OK);
  wg_dataset *ds = tiny_dataset(10, 1);
  wg_dataset *wrong = wg_dataset_create(10, 5, 3, 1, 0);
  CHECK(wg_model_train(m, ds, 1, 1) == WG_ERR_ARG && strstr(wg_last_error(), "batch size"));
  CHECK(wg_model_train(m, ds, 1, 11) == WG_ERR_ARG && strstr(wg_last_error(), "larger than the dataset"));
  CHECK(wg_model_train(m, wrong, 1, 4) == WG_ERR_MISMATCH && strstr(wg_last_error(), "5x3x1"));
  CHECK(wg_model_encode(m, NULL, NULL, 1, NULL, NULL) == WG_ERR_STATE);
  CHECK(m->step == 0);
  wg_dataset_free(ds); wg_dataset_free(wrong); wg_model_free(m);
}

static uint8_t *save(wg_model *m, size_t *len) {
  uint8_t *b = NULL;
  if (wg_model_save(m, &b, len) != WG_OK) return NULL;
  return b;
}

static void test_determinism_and_resume(void) {
  const char *cfgs[2] = {TINY_GAN, TINY_VAE};
  for (int k = 0; k < 2; k++) {
    wg_dataset *ds = tiny_dataset(23, 5);
    wg_model *a, *b;
    CHECK(wg_model_create(cfgs[k], &a) == WG_OK && wg_model_create(cfgs[k], &b) == WG_OK);
    CHECK(wg_model_train(a, ds, 12, 4) == WG_OK);   /* crosses epoch boundaries (23 / 4) */
    CHECK(wg_model_train(b, ds, 5, 4) == WG_OK);
    size_t lb, la;
    uint8_t *mid = save(b, &lb);
    wg_model *c;
    CHECK(mid && wg_model_load(mid, lb, &c) == WG_OK);
    CHECK(c->step == 5);
    CHECK(wg_model_train(c, ds, 7, 4) == WG_OK);
    uint8_t *straight = save(a, &la), *resumed = save(c, &lb);
    CHECK(straight && resumed && la == lb && memcmp(straight, resumed, la) == 0);
    free(mid); free(straight); free(resumed);
    wg_model_free(a); wg_model_free(b); wg_model_free(c); wg_dataset_free(ds);
  }
}

/* Rewrites a checkpoint with one metadata value replaced (or one tensor's name changed). */
static uint8_t *rewrite(const uint8_t *bytes, size_t len, const char *key, const char *value,
                        const char *rename_from, const char *rename_to, size_t *out_len) {
  wg_st_file f;
  if (wg_st_read(bytes, len, &f)) return NULL;
  wg_st_writer w; wg_st_writer_init(&w);
  for (int i = 0; i < f.n_meta; i++)
    wg_st_add_meta(&w, f.meta_keys[i], strcmp(f.meta_keys[i], key) == 0 ? value : f.meta_values[i]);
  float **copies = calloc((size_t)f.n_tensors, sizeof(float *));
  for (int i = 0; i < f.n_tensors; i++) {
    copies[i] = malloc(sizeof(float) * (size_t)(f.tensors[i].count + 1));
    wg_st_copy(&f.tensors[i], copies[i]);
    const char *name = rename_from && strcmp(f.tensors[i].name, rename_from) == 0 ? rename_to : f.tensors[i].name;
    wg_st_add_tensor(&w, name, f.tensors[i].shape, f.tensors[i].rank, copies[i]);
  }
  uint8_t *out = NULL;
  wg_st_finish(&w, &out, out_len);
  wg_st_writer_free(&w);
  for (int i = 0; i < f.n_tensors; i++) free(copies[i]);
  free(copies);
  wg_st_file_free(&f);
  return out;
}

static void test_checkpoint_errors(void) {
  wg_model *m, *other;
  CHECK(wg_model_create(TINY_GAN, &m) == WG_OK);
  size_t len, len2;
  uint8_t *b = save(m, &len);
  CHECK(b != NULL);
  wg_model *out = (wg_model *)1;
  for (size_t cut = 0; cut < len; cut += len / 13 + 1) {   /* truncated anywhere */
    CHECK(wg_model_load(b, cut, &out) != WG_OK && out == NULL);
  }
  uint8_t *v2 = rewrite(b, len, "format_version", "3", NULL, NULL, &len2);
  CHECK(wg_model_load(v2, len2, &out) == WG_ERR_FORMAT && strstr(wg_last_error(), "newer"));
  free(v2);
  uint8_t *nf = rewrite(b, len, "format", "pytorch", NULL, NULL, &len2);
  CHECK(wg_model_load(nf, len2, &out) == WG_ERR_FORMAT && strstr(wg_last_error(), "not a wasmgen checkpoint"));
  free(nf);
  /* Another architecture's config with these tensors: shape mismatch named. */
  const char *bigger = "{\"model\":\"gan\",\"height\":4,\"width\":3,\"channels\":1,\"latent\":4,"
                       "\"hidden\":[5],\"disc_hidden\":[6],\"seed\":3}";
  CHECK(wg_model_create(bigger, &other) == WG_OK);
  uint8_t *arch = rewrite(b, len, "config", wg_model_config_json(other), NULL, NULL, &len2);
  CHECK(wg_model_load(arch, len2, &out) == WG_ERR_MISMATCH && strstr(wg_last_error(), "G.0.weight") &&
        strstr(wg_last_error(), "[5, 3]") && strstr(wg_last_error(), "[5, 4]"));
  free(arch);
  uint8_t *ren = rewrite(b, len, "", "", "D.2.bias", "D.9.bias", &len2);
  CHECK(wg_model_load(ren, len2, &out) == WG_ERR_MISMATCH && strstr(wg_last_error(), "D.2.bias"));
  free(ren);
  free(b);
  wg_model_free(m); wg_model_free(other);
}

/* The decoder written out by hand for TINY_VAE: latent 2 -> dense 5 -> relu -> dense 12 -> sigmoid. */
static void tiny_vae_decode_by_hand(const wg_net *dec, const float *z, float *out) {
  const wg_layer *l1 = &dec->layers[0], *l2 = &dec->layers[2];
  const float *w1 = dec->params + l1->w_off, *b1 = dec->params + l1->b_off;
  const float *w2 = dec->params + l2->w_off, *b2 = dec->params + l2->b_off;
  float h[5];
  for (int j = 0; j < 5; j++) {
    double s = b1[j];
    for (int k = 0; k < 2; k++) s += (double)w1[j * 2 + k] * z[k];
    h[j] = s > 0 ? (float)s : 0.f;
  }
  for (int j = 0; j < 12; j++) {
    double s = b2[j];
    for (int k = 0; k < 5; k++) s += (double)w2[j * 5 + k] * h[k];
    out[j] = (float)(1.0 / (1.0 + exp(-s)));
  }
}

static void test_sample_and_decode(void) {
  wg_model *m;
  CHECK(wg_model_create(TINY_VAE, &m) == WG_OK);
  CHECK(m->nets[1].n_layers == 4 && m->nets[1].layers[0].n_w == 10 && m->nets[1].layers[2].n_w == 60);
  /* Decoding: each image equals the hand-written decoder of its latent, across a chunk boundary
   * (decode works in chunks of 256). */
  enum { N = 300 };
  float *z = malloc(sizeof(float) * N * 2), *img = malloc(sizeof(float) * N * 12);
  for (int i = 0; i < N * 2; i++) z[i] = (float)sin(0.7 * i) * 2.f;
  CHECK(wg_model_decode(m, z, NULL, N, img) == WG_OK);
  for (int i = 0; i < N; i++) {
    float want[12];
    tiny_vae_decode_by_hand(&m->nets[1], z + 2 * i, want);
    for (int j = 0; j < 12; j++) CHECK_NEAR(img[i * 12 + j], want[j], 2e-6);
  }
  float spread = 0.f;
  for (int i = 12; i < N * 12; i++) spread = fmaxf(spread, fabsf(img[i] - img[i % 12]));
  CHECK(spread > 0.01f);   /* the latents matter */
  free(z); free(img);
  /* Sampling: decodes standard normal draws, the same for one seed, others for another. */
  float a[3 * 12], b[3 * 12], mu[6], lv[6], zs[6];
  CHECK(wg_model_sample(m, 3, 77, NULL, 0.f, a) == WG_OK && wg_model_sample(m, 3, 77, NULL, 0.f, b) == WG_OK);
  CHECK(memcmp(a, b, sizeof a) == 0);
  for (int i = 0; i < 36; i++) CHECK(a[i] >= 0.f && a[i] <= 1.f);
  wg_rng r;
  wg_rng_seed(&r, 77, WG_STREAM_SAMPLE);
  wg_rng_fill_normal(&r, zs, 6, 0.f, 1.f);
  CHECK(wg_model_decode(m, zs, NULL, 3, b) == WG_OK && memcmp(a, b, sizeof a) == 0);
  CHECK(wg_model_sample(m, 3, 78, NULL, 0.f, b) == WG_OK && memcmp(a, b, sizeof a) != 0);
  CHECK(wg_model_encode(m, a, NULL, 3, mu, lv) == WG_OK);
  CHECK(wg_model_sample(m, 0, 1, NULL, 0.f, a) == WG_ERR_ARG);
  CHECK(wg_model_decode(m, zs, NULL, 0, b) == WG_ERR_ARG);
  wg_model_free(m);
}

void suite_models(void) {
  RUN(test_normal_init);
  RUN(test_config_errors);
  RUN(test_canonical_config_round_trips);
  RUN(test_train_errors);
  RUN(test_determinism_and_resume);
  RUN(test_checkpoint_errors);
  RUN(test_sample_and_decode);
}
