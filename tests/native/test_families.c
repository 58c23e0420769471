#define _GNU_SOURCE   /* memmem */
/* test_families.c — every family in the registry, through the objective interface: gradients of
 * every net against the loss it minimises, training and bit-identical resume, describe(), and
 * the label checks of conditional models. Adding a family to registry.c adds it here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "modelcheck.h"
#include "test.h"

static wg_dataset *labelled_dataset(const wg_model *m, int n, unsigned seed) {
  int with_labels = m->classes > 0;
  wg_dataset *ds = wg_dataset_create(n, m->height, m->width, m->channels, with_labels);
  int P = wg_model_image_size(m);
  for (int i = 0; i < n * P; i++) { seed = seed * 1664525u + 1013904223u; ds->pixels[i] = (uint8_t)(seed >> 24); }
  for (int i = 0; with_labels && i < n; i++) ds->labels[i] = (uint8_t)(i % m->classes);
  return ds;
}

static void test_every_family_gradients(void) {
  CHECK(wg_family_count() >= 6);
  for (int i = 0; i < wg_family_count(); i++) {
    const wg_family *f = wg_family_at(i);
    wg_model *m;
    CHECK_MSG(f->tiny_config && wg_model_create(f->tiny_config, &m) == WG_OK, "%s: %s", f->name, wg_last_error());
    if (!f->tiny_config) continue;
    CHECK(m->family == f && m->n_nets == f->n_roles);
    int B = 5, P = wg_model_image_size(m);
    float *x = malloc(sizeof(float) * B * P), *x_b = NULL;
    int labels[5];
    unsigned seed = 11 + (unsigned)i;
    fill_uniform(x, B * P, f->image_shift, f->image_shift + f->image_scale, &seed);
    if (f->caps & WG_CAP_TWO_DOMAINS) {
      x_b = malloc(sizeof(float) * B * P);
      fill_uniform(x_b, B * P, f->image_shift, f->image_shift + f->image_scale, &seed);
    }
    for (int b = 0; b < B; b++) labels[b] = m->classes ? (b * 7 + 1) % m->classes : 0;
    int bad = check_model_grads2(m, x, x_b, m->classes ? labels : NULL, B, 1e-2f, 2e-4, 3e-2, 120);
    CHECK_MSG(bad == 0, "family %s: %d gradient mismatches", f->name, bad);
    free(x); free(x_b);
    wg_model_free(m);
  }
}

static uint8_t *save(wg_model *m, size_t *len) {
  uint8_t *b = NULL;
  return wg_model_save(m, &b, len) == WG_OK ? b : NULL;
}

/* 12 steps straight == 5 steps, save, load, 7 steps: the same checkpoint bytes, every family. */
static void test_every_family_resumes_bit_identically(void) {
  for (int i = 0; i < wg_family_count(); i++) {
    const wg_family *f = wg_family_at(i);
    wg_model *a, *b, *c;
    CHECK(wg_model_create(f->tiny_config, &a) == WG_OK && wg_model_create(f->tiny_config, &b) == WG_OK);
    wg_dataset *ds = labelled_dataset(a, 23, 5);
    /* Two-domain families get a second domain of another size. */
    wg_dataset *ds_b = f->caps & WG_CAP_TWO_DOMAINS ? labelled_dataset(a, 9, 6) : NULL;
    CHECK_MSG(wg_model_train2(a, ds, ds_b, 12, 4) == WG_OK, "%s: %s", f->name, wg_last_error());
    CHECK(wg_model_train2(b, ds, ds_b, 5, 4) == WG_OK);
    size_t la, lb;
    uint8_t *mid = save(b, &lb);
    CHECK(mid && wg_model_load(mid, lb, &c) == WG_OK && c->step == 5);
    CHECK(wg_model_train2(c, ds, ds_b, 7, 4) == WG_OK);
    uint8_t *straight = save(a, &la), *resumed = save(c, &lb);
    CHECK_MSG(straight && resumed && la == lb && memcmp(straight, resumed, la) == 0, "family %s", f->name);
    /* Training moved the weights and every loss is finite. */
    CHECK(memcmp(a->nets[0].params, b->nets[0].params, sizeof(float) * a->nets[0].n_params) != 0);
    for (int l = 0; l < f->n_losses; l++) CHECK(isfinite(a->losses[l]));
    free(mid); free(straight); free(resumed);
    wg_model_free(a); wg_model_free(b); wg_model_free(c); wg_dataset_free(ds); wg_dataset_free(ds_b);
  }
}

static void test_describe(void) {
  for (int i = 0; i < wg_family_count(); i++) {
    const wg_family *f = wg_family_at(i);
    wg_model *m;
    CHECK(wg_model_create(f->tiny_config, &m) == WG_OK);
    const char *d = wg_model_describe(m);
    wg_json *doc;
    CHECK_MSG(wg_json_parse(d, strlen(d), &doc) == WG_OK, "%s", d);
    const wg_json *nets = wg_json_get(doc, "nets"), *losses = wg_json_get(doc, "losses");
    CHECK(strcmp(wg_json_get(doc, "family")->string, f->name) == 0);
    CHECK(nets && (int)nets->length == f->n_roles && losses && (int)losses->length == f->n_losses);
    for (int k = 0; k < f->n_roles; k++) {
      const wg_json *net = &nets->items[k];
      CHECK(strcmp(wg_json_get(net, "role")->string, f->roles[k].role) == 0);
      CHECK(wg_json_get(net, "params")->number == (double)m->nets[k].n_params);
      const wg_json *layers = wg_json_get(net, "layers");
      CHECK((int)layers->length == m->nets[k].n_layers);
      const wg_json *last = wg_json_get(&layers->items[layers->length - 1], "output");
      CHECK(last->items[0].number * last->items[1].number * last->items[2].number == m->nets[k].out_features);
    }
    const wg_json *caps = wg_json_get(doc, "capabilities");
    CHECK(wg_json_get(caps, "sample")->boolean == ((f->caps & WG_CAP_SAMPLE) != 0));
    CHECK(wg_json_get(caps, "classes")->boolean == ((f->caps & WG_CAP_CLASSES) != 0));
    /* Translating families name the net of each direction; the others say null. */
    const wg_json *tr = wg_json_get(doc, "translators");
    CHECK(tr && (tr->type == WG_JSON_OBJECT) == ((f->caps & WG_CAP_TRANSLATE) != 0));
    if (f->caps & WG_CAP_TRANSLATE) {
      CHECK(strcmp(wg_json_get(tr, "ab")->string, f->roles[f->translators[0]].role) == 0);
      CHECK(strcmp(wg_json_get(tr, "ba")->string, f->roles[f->translators[1]].role) == 0);
    }
    wg_json_free(doc);
    wg_model_free(m);
  }
}

static const wg_family *first_with(unsigned caps, unsigned without) {
  for (int i = 0; i < wg_family_count(); i++) {
    const wg_family *f = wg_family_at(i);
    if ((f->caps & caps) == caps && !(f->caps & without)) return f;
  }
  return NULL;
}

static void test_conditional_label_errors(void) {
  const wg_family *f = first_with(WG_CAP_CLASSES | WG_CAP_SAMPLE, 0);
  CHECK(f != NULL);
  wg_model *m;
  CHECK(wg_model_create(f->tiny_config, &m) == WG_OK);
  int P = wg_model_image_size(m), labels[3] = {0, 1, 2}, bad[3] = {0, 3, 1};
  float out[3 * 64];
  CHECK(wg_model_sample(m, 3, 1, NULL, 0.f, out) == WG_ERR_ARG && strstr(wg_last_error(), "conditional"));
  CHECK(wg_model_sample(m, 3, 1, bad, 0.f, out) == WG_ERR_ARG && strstr(wg_last_error(), "label 3") && strstr(wg_last_error(), "0..2"));
  CHECK(wg_model_sample(m, 3, 1, labels, 0.f, out) == WG_OK);
  /* Different classes give different images for the same z. */
  float z[3 * 8] = {0}, same[3 * 64];
  int one[3] = {1, 1, 1};
  CHECK(wg_model_decode(m, z, labels, 3, out) == WG_OK && wg_model_decode(m, z, one, 3, same) == WG_OK);
  CHECK(memcmp(out + P, same + P, sizeof(float) * P) == 0);   /* row 1 has class 1 in both */
  CHECK(memcmp(out, same, sizeof(float) * P) != 0);           /* row 0: class 0 vs 1 */
  /* Data without labels, or with a label past the model's classes. */
  wg_dataset *plain = wg_dataset_create(10, m->height, m->width, m->channels, 0);
  memset(plain->pixels, 0, (size_t)10 * P);
  CHECK(wg_model_train(m, plain, 1, 4) == WG_ERR_ARG && strstr(wg_last_error(), "needs class labels"));
  wg_dataset *wide = labelled_dataset(m, 10, 3);
  wide->labels[7] = 9;
  CHECK(wg_model_train(m, wide, 1, 4) == WG_ERR_ARG && strstr(wg_last_error(), "image 7 has label 9"));
  CHECK(m->step == 0);
  wg_dataset_free(plain); wg_dataset_free(wide); wg_model_free(m);
  /* An unconditional model refuses labels. */
  const wg_family *u = first_with(WG_CAP_SAMPLE, WG_CAP_CLASSES);
  CHECK(wg_model_create(u->tiny_config, &m) == WG_OK);
  CHECK(wg_model_sample(m, 3, 1, labels, 0.f, out) == WG_ERR_ARG && strstr(wg_last_error(), "not conditional"));
  wg_model_free(m);
  /* A classifier does not sample; a generator does not classify. */
  const wg_family *cl = first_with(WG_CAP_CLASSIFY, 0);
  CHECK(wg_model_create(cl->tiny_config, &m) == WG_OK);
  CHECK(wg_model_sample(m, 3, 1, NULL, 0.f, out) == WG_ERR_STATE && strstr(wg_last_error(), "does not generate"));
  wg_model_free(m);
  CHECK(wg_model_create(u->tiny_config, &m) == WG_OK);
  CHECK(wg_model_classify(m, out, 1, out, NULL) == WG_ERR_STATE && strstr(wg_last_error(), "not a classifier"));
  wg_model_free(m);
}

/* Truncation redraws only the values past the threshold, from the same stream after the fill. */
static void test_truncation(void) {
  wg_model *m;
  CHECK(wg_model_create(first_with(WG_CAP_SAMPLE, WG_CAP_CLASSES)->tiny_config, &m) == WG_OK);
  int n = 4, L = m->latent, P = wg_model_image_size(m);
  float *z = malloc(sizeof(float) * n * L), *want = malloc(sizeof(float) * n * P), *got = malloc(sizeof(float) * n * P);
  wg_rng r;
  wg_rng_seed(&r, 9, WG_STREAM_SAMPLE);
  wg_rng_fill_normal(&r, z, n * L, 0.f, 1.f);
  int redrawn = 0;
  for (int i = 0; i < n * L; i++)
    while (fabsf(z[i]) > 0.5f) { z[i] = wg_rng_normal(&r); redrawn++; }
  CHECK(redrawn > 0);
  CHECK(wg_model_decode(m, z, NULL, n, want) == WG_OK);
  CHECK(wg_model_sample(m, n, 9, NULL, 0.5f, got) == WG_OK && memcmp(want, got, sizeof(float) * n * P) == 0);
  CHECK(wg_model_sample(m, n, 9, NULL, 0.f, got) == WG_OK && memcmp(want, got, sizeof(float) * n * P) != 0);
  CHECK(wg_model_sample(m, n, 9, NULL, -1.f, got) == WG_ERR_ARG && strstr(wg_last_error(), "truncation"));
  free(z); free(want); free(got);
  wg_model_free(m);
}

/* Per-net optimizer groups: a group's own rate is used, kept in the canonical config, and checked. */
static void test_optimizer_groups(void) {
  wg_model *m, *m2;
  CHECK(wg_model_create("{\"model\":\"gan\",\"height\":4,\"width\":3,\"latent\":3,\"hidden\":[5],\"disc_hidden\":[6],"
                        "\"optimizers\":{\"D\":{\"lr\":0.0001,\"beta1\":0.9}}}", &m) == WG_OK);
  CHECK(m->opt[0].lr == 2e-4f && m->opt[1].lr == 1e-4f && m->opt[1].beta1 == 0.9f && m->opt[0].beta1 == 0.5f);
  CHECK(strstr(wg_model_config_json(m), "\"optimizers\":{\"D\":{\"lr\":0.0001,\"beta1\":0.9"));
  CHECK(wg_model_create(wg_model_config_json(m), &m2) == WG_OK);
  CHECK(strcmp(wg_model_config_json(m), wg_model_config_json(m2)) == 0 && m2->opt[1].lr == 1e-4f);
  wg_model_free(m); wg_model_free(m2);
  CHECK(wg_model_create("{\"model\":\"gan\",\"optimizers\":{\"encoder\":{\"lr\":1}}}", &m) == WG_ERR_ARG &&
        strstr(wg_last_error(), "\"encoder\", which is not a net of this model (G, D)"));
  CHECK(wg_model_create("{\"model\":\"gan\",\"optimizers\":{\"D\":{\"rate\":1}}}", &m) == WG_ERR_ARG &&
        strstr(wg_last_error(), "optimizers.D: unknown option \"rate\""));
}

/* CycleGAN's own state: pools that fill and then swap (3 images, batch 4), the linear learning-rate
 * decay, both in checkpoints (straight == resumed, bit for bit); the presets' shapes; the errors
 * of two-domain training and of translate. */
static void test_cyclegan_pool_schedule_resume(void) {
  const char *cfg = "{\"model\":\"cyclegan\",\"height\":8,\"width\":8,\"hidden\":[2],\"disc_hidden\":[2],"
                    "\"res_blocks\":1,\"disc_layers\":1,\"pool_size\":3,\"lr_constant_steps\":3,\"lr_decay_steps\":4,\"seed\":5}";
  wg_model *a, *b, *c;
  CHECK_MSG(wg_model_create(cfg, &a) == WG_OK, "%s", wg_last_error());
  CHECK(wg_model_create(cfg, &b) == WG_OK);
  const wg_family *f = a->family;
  /* lr factor per step: 1 for steps 0..2, then 1 - k/5 for k = 1..4, then 0. */
  const float want[9] = {1, 1, 1, 0.8f, 0.6f, 0.4f, 0.2f, 0, 0};
  for (int s = 0; s < 9; s++) { a->step = s; CHECK_NEAR(f->lr_factor(a), want[s], 1e-6); }
  a->step = 0;
  wg_dataset *da = labelled_dataset(a, 11, 5), *db = labelled_dataset(a, 6, 8);
  CHECK(wg_model_train2(a, da, db, 9, 4) == WG_OK);
  CHECK(wg_model_train2(b, da, db, 4, 4) == WG_OK);
  size_t la, lb;
  uint8_t *mid = save(b, &lb);
  CHECK(mid && wg_model_load(mid, lb, &c) == WG_OK);
  CHECK(wg_model_train2(c, da, db, 5, 4) == WG_OK);
  uint8_t *straight = save(a, &la), *resumed = save(c, &lb);
  CHECK(straight && resumed && la == lb && memcmp(straight, resumed, la) == 0);
  /* The pools are full and in the file; at lr factor 0 (steps 7, 8) the weights stop moving. */
  CHECK(memmem(straight, la, "family.pool_a", 13) && memmem(straight, la, "\"pool_count\\\":[3,3]", 19));
  float *before = malloc(sizeof(float) * a->nets[0].n_params);
  memcpy(before, a->nets[0].params, sizeof(float) * a->nets[0].n_params);
  CHECK(wg_model_train2(a, da, db, 1, 4) == WG_OK);
  CHECK(memcmp(before, a->nets[0].params, sizeof(float) * a->nets[0].n_params) == 0);
  free(before); free(mid); free(straight); free(resumed);
  /* Translation: images in [0, 1] of the right count; the two directions use different nets. */
  int P = wg_model_image_size(a);
  float x[2 * 64], ab[2 * 64], ba[2 * 64];
  for (int i = 0; i < 2 * P; i++) x[i] = (float)(i % 7) / 6.f;
  CHECK(wg_model_translate(a, x, 2, 0, ab) == WG_OK && wg_model_translate(a, x, 2, 1, ba) == WG_OK);
  int in_range = 1;
  for (int i = 0; i < 2 * P; i++) in_range &= ab[i] >= 0.f && ab[i] <= 1.f;
  CHECK(in_range && memcmp(ab, ba, sizeof(float) * 2 * P) != 0);
  CHECK(wg_model_translate(a, x, 2, 2, ab) == WG_ERR_ARG && strstr(wg_last_error(), "direction"));
  /* Training errors: no second domain, a second domain of another size or channel count. */
  CHECK(wg_model_train(a, da, 1, 4) == WG_ERR_ARG && strstr(wg_last_error(), "second dataset (domain B)"));
  wg_dataset *rgb = wg_dataset_create(5, 8, 8, 3, 0);
  memset(rgb->pixels, 0, (size_t)5 * 192);
  CHECK(wg_model_train2(a, da, rgb, 1, 4) == WG_ERR_MISMATCH && strstr(wg_last_error(), "dataset B images are 8x8x3"));
  CHECK(wg_model_sample(a, 1, 1, NULL, 0.f, x) == WG_ERR_STATE);
  wg_dataset_free(rgb);
  wg_model_free(a); wg_model_free(b); wg_model_free(c);
  /* A one-domain model refuses a second domain and translation. */
  CHECK(wg_model_create(first_with(WG_CAP_SAMPLE, WG_CAP_CLASSES)->tiny_config, &a) == WG_OK);
  wg_dataset *one = labelled_dataset(a, 10, 2);
  CHECK(wg_model_train2(a, one, one, 1, 4) == WG_ERR_ARG && strstr(wg_last_error(), "takes no second domain"));
  CHECK(wg_model_translate(a, x, 1, 0, ab) == WG_ERR_STATE && strstr(wg_last_error(), "does not translate"));
  wg_dataset_free(one); wg_model_free(a);
  wg_dataset_free(da); wg_dataset_free(db);
  /* Presets: 28x28 grey and 64x64 RGB shapes, the generator's layer budget, bad sizes. */
  CHECK(wg_model_create("{\"model\":\"cyclegan\"}", &a) == WG_OK);
  CHECK(a->n_nets == 4 && a->nets[0].out_features == 784 && a->nets[0].n_layers == 10 + 8 * 3 + 6 + 3);
  CHECK(a->nets[0].layers[9].out_c == 64 && a->nets[0].layers[9].out_h == 7);
  CHECK(a->nets[2].layers[a->nets[2].n_layers - 1].out_h == 5 && a->nets[2].out_features == 25);
  wg_model_free(a);
  CHECK(wg_model_create("{\"model\":\"cyclegan_upsample\",\"height\":64,\"width\":64,\"channels\":3,\"res_blocks\":5}", &a) == WG_OK);
  CHECK(a->nets[1].out_features == 3 * 64 * 64 && a->nets[1].n_layers == 10 + 8 * 5 + 8 + 3);
  wg_model_free(a);
  CHECK(wg_model_create("{\"model\":\"cyclegan\",\"height\":30}", &a) == WG_ERR_ARG && strstr(wg_last_error(), "multiples of 4"));
  CHECK(wg_model_create("{\"model\":\"cyclegan\",\"res_blocks\":6}", &a) == WG_ERR_ARG && strstr(wg_last_error(), "res_blocks"));
  CHECK(wg_model_create("{\"model\":\"gan\",\"pool_size\":3}", &a) == WG_ERR_ARG && strstr(wg_last_error(), "pool_size"));
}

void suite_families(void) {
  RUN(test_every_family_gradients);
  RUN(test_every_family_resumes_bit_identically);
  RUN(test_describe);
  RUN(test_conditional_label_errors);
  RUN(test_truncation);
  RUN(test_optimizer_groups);
  RUN(test_cyclegan_pool_schedule_resume);
}
