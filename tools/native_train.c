/* native_train.c — trains a model with the native build of the core and writes a checkpoint.
 *
 * Exists so the tests can check that the native and wasm builds give byte-identical checkpoints
 * after the same training run (determinism across builds).
 *
 *   wasmgen_native CONFIG_JSON IMAGES.idx STEPS BATCH OUT.safetensors [DATASET_ID]
 * DATASET_ID is what the JS API records as the data's identity ("mnist-train:8337").
 * WASMGEN_THREADS=N in the environment trains with N threads (the checkpoint is the same bytes);
 * WASMGEN_DATASET_B=IMAGES_B.idx gives a two-domain model (CycleGAN) its domain B;
 * WASMGEN_LABELS=LABELS.idx gives the images their labels (conditional models, classifiers).
 *
 *   wasmgen_native --metrics tests/reference/metric_fixtures/metrics.json
 * prints, one JSON line per fixture case, the metrics of its features as the native build computes
 * them (17 digits: exact doubles), for the same cross-build comparison of src/metrics.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "json.h"
#include "metrics.h"
#include "model.h"
#include "threads.h"

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static float *json_floats(const wg_json *obj, const char *key, size_t *n) {
  const wg_json *a = wg_json_get(obj, key);
  if (!a || a->type != WG_JSON_ARRAY) return NULL;
  float *out = malloc(sizeof(float) * (a->length + 1));
  for (size_t i = 0; out && i < a->length; i++) out[i] = (float)a->items[i].number;
  *n = a->length;
  return out;
}

static int json_int(const wg_json *obj, const char *key) {
  const wg_json *v = wg_json_get(obj, key);
  return v && v->type == WG_JSON_NUMBER ? (int)v->number : 0;
}

static double fid_of(const float *x, int nx, const float *y, int ny, int d) {
  wg_feature_stats a = {0}, b = {0};   /* zeroed: freeing one that was never initialised is safe */
  double *m = malloc(sizeof(double) * 2 * ((size_t)d * d + d)), fid = -1;
  double *m1 = m, *c1 = m + d, *m2 = c1 + (size_t)d * d, *c2 = m2 + d;
  if (m && !wg_feature_stats_init(&a, d) && !wg_feature_stats_init(&b, d) && !wg_feature_stats_add(&a, x, nx) &&
      !wg_feature_stats_add(&b, y, ny) && !wg_feature_stats_finalize(&a, m1, c1) &&
      !wg_feature_stats_finalize(&b, m2, c2) && wg_fid(m1, c1, m2, c2, d, &fid)) fid = -1;
  wg_feature_stats_free(&a); wg_feature_stats_free(&b);
  free(m);
  return fid;
}

static int print_metrics(const char *path) {
  size_t len, nx, ny, nl, np;
  unsigned char *text = read_file(path, &len);
  wg_json *doc = NULL;
  if (!text || wg_json_parse((const char *)text, len, &doc)) { fprintf(stderr, "cannot read %s\n", path); free(text); return 1; }
  free(text);
  const wg_json *cases = wg_json_get(doc, "cases");
  for (size_t c = 0; cases && c < cases->length; c++) {
    const wg_json *k = &cases->items[c];
    const int d = json_int(k, "dim"), classes = json_int(k, "classes");
    const wg_json *sub = wg_json_get(k, "kid_subsets");
    float *x = json_floats(k, "real", &nx), *y = json_floats(k, "fake", &ny);
    float *logits = json_floats(k, "logits", &nl), *probs = json_floats(k, "probs", &np);
    wg_feature_gram g;
    double kid[2] = {0, 0}, pr[2] = {0, 0}, is_logits = 0, is_probs = 0;
    int ok = x && y && logits && probs && d > 0 && classes > 0 &&
             !wg_feature_gram_compute(&g, x, (int)nx / d, y, (int)ny / d, d);
    if (ok) {
      ok = !wg_kid_gram(&g, json_int(sub, "subsets"), json_int(sub, "size"), (uint64_t)json_int(sub, "seed"), kid) &&
           !wg_precision_recall_gram(&g, json_int(k, "k"), pr) &&
           !wg_inception_score(logits, (int)nl / classes, classes, 1, &is_logits) &&
           !wg_inception_score(probs, (int)np / classes, classes, 0, &is_probs);
      wg_feature_gram_free(&g);
    }
    if (ok)
      printf("{\"fid\":%.17g,\"kid\":[%.17g,%.17g],\"pr\":[%.17g,%.17g],\"is\":[%.17g,%.17g]}\n",
             fid_of(x, (int)nx / d, y, (int)ny / d, d), kid[0], kid[1], pr[0], pr[1], is_logits, is_probs);
    free(x); free(y); free(logits); free(probs);
    if (!ok) { fprintf(stderr, "error: %s\n", wg_last_error()); wg_json_free(doc); return 1; }
  }
  wg_json_free(doc);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--metrics") == 0) return print_metrics(argv[2]);
  if (argc != 6 && argc != 7) {
    fprintf(stderr, "usage: %s CONFIG_JSON IMAGES.idx STEPS BATCH OUT.safetensors [DATASET_ID]\n"
                    "       %s --metrics METRIC_FIXTURES.json\n", argv[0], argv[0]);
    return 2;
  }
  const char *threads = getenv("WASMGEN_THREADS");
  if (threads) wg_threads_start(atoi(threads));
  size_t len;
  unsigned char *bytes = read_file(argv[2], &len);
  if (!bytes) { fprintf(stderr, "cannot read %s\n", argv[2]); return 1; }
  /* Conditional models and classifiers: the labels from the IDX file named by WASMGEN_LABELS. */
  const char *path_labels = getenv("WASMGEN_LABELS");
  size_t labels_len = 0;
  unsigned char *labels = path_labels ? read_file(path_labels, &labels_len) : NULL;
  if (path_labels && !labels) { fprintf(stderr, "cannot read %s\n", path_labels); free(bytes); return 1; }
  wg_dataset *ds = wg_api_dataset_from_idx(bytes, (uint32_t)len, labels, (uint32_t)labels_len);
  free(bytes);
  free(labels);
  /* Two-domain models: domain B from the IDX file named by WASMGEN_DATASET_B. */
  const char *path_b = getenv("WASMGEN_DATASET_B");
  wg_dataset *ds_b = NULL;
  if (path_b) {
    unsigned char *bb = read_file(path_b, &len);
    if (!bb) { fprintf(stderr, "cannot read %s\n", path_b); return 1; }
    ds_b = wg_api_dataset_from_idx(bb, (uint32_t)len, NULL, 0);
    free(bb);
  }
  wg_model *m = NULL;
  uint8_t *out = NULL;
  size_t out_len = 0;
  int ok = ds && wg_model_create(argv[1], &m) == WG_OK;
  if (ok && argc == 7) wg_api_model_set_dataset(m, argv[6]);
  ok = ok && (!path_b || ds_b) && wg_model_train2(m, ds, ds_b, atoi(argv[3]), atoi(argv[4])) == WG_OK &&
           wg_model_save(m, &out, &out_len) == WG_OK;
  if (!ok) fprintf(stderr, "error: %s\n", wg_last_error());
  if (ok) {
    FILE *f = fopen(argv[5], "wb");
    ok = f && fwrite(out, 1, out_len, f) == out_len;
    if (f) fclose(f);
  }
  free(out);
  wg_model_free(m);
  wg_dataset_free(ds);
  wg_dataset_free(ds_b);
  wg_threads_stop();
  return ok ? 0 : 1;
}
