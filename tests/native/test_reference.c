/* test_reference.c — every spatial layer, and the softmax cross-entropy loss, against PyTorch:
 * forward outputs and all gradients from the committed fixtures (tests/reference/make_fixtures.py), relative error <= 1e-4
 * measured per array as max|ours - torch| / max|torch|. */
#include <stdlib.h>
#include <string.h>
#include "conv.h"
#include "json.h"
#include "layers.h"
#include "loss.h"
#include "fixture.h"
#include "test.h"

#define TOL 1e-4

static const char *fixture_dir(void) {
  const char *d = getenv("WG_FIXTURES");
  return d ? d : "tests/reference/fixtures";
}

/* Float copy of a JSON number array (or of obj[key] / obj[key]["data"]). */
static float *floats(const wg_json *arr, size_t *n) {
  if (!arr || arr->type != WG_JSON_ARRAY) return NULL;
  float *out = malloc(sizeof(float) * (arr->length + 1));
  for (size_t i = 0; i < arr->length; i++) out[i] = (float)arr->items[i].number;
  if (n) *n = arr->length;
  return out;
}
static float *tensor(const wg_json *doc, const char *group, const char *name) {
  const wg_json *t = wg_json_get(wg_json_get(doc, group), name);
  if (t && t->type == WG_JSON_OBJECT) t = wg_json_get(t, "data");
  return floats(t, NULL);
}
static int param(const wg_json *doc, const char *key, int idx) {
  const wg_json *v = wg_json_get(wg_json_get(doc, "params"), key);
  if (!v) return -1;
  if (v->type == WG_JSON_ARRAY) return (int)v->items[idx].number;
  if (v->type == WG_JSON_BOOL) return v->boolean;
  return (int)v->number;
}
static double paramf(const wg_json *doc, const char *key) {
  return wg_json_get(wg_json_get(doc, "params"), key)->number;
}

/* Relative error of `got` against doc[key] (a flat array or grad_tensors[name]). */
static double rel_error(const float *got, const wg_json *ref_arr, size_t n) {
  if (!ref_arr || ref_arr->length != n) return 1e9;
  double max_ref = 1e-12, max_diff = 0;
  for (size_t i = 0; i < n; i++) {
    double r = ref_arr->items[i].number, d = fabs((double)got[i] - r);
    if (fabs(r) > max_ref) max_ref = fabs(r);
    if (d > max_diff || d != d) max_diff = d != d ? 1e9 : d;
  }
  return max_diff / max_ref;
}

static int compare(const char *name, const char *what, const float *got, const wg_json *ref, size_t n) {
  double e = rel_error(got, ref, n);
  if (e <= TOL) return 0;
  fprintf(stderr, "  %s: %s relative error %.3g\n", name, what, e);
  return 1;
}

/* Runs one fixture; returns the number of mismatching arrays (0 = pass), -1 if unsupported. */
static int run_fixture(const wg_json *doc) {
  const char *layer = wg_json_get(doc, "layer")->string, *name = wg_json_get(doc, "name")->string;
  const wg_json *ishape = wg_json_get(doc, "input_shape"), *oshape = wg_json_get(doc, "output_shape");
  int B = (int)ishape->items[0].number;
  size_t n_in, n_out, n_w = 0, n_b = 0;
  float *x = floats(wg_json_get(doc, "input"), &n_in);
  float *dy = floats(wg_json_get(doc, "grad_output"), &n_out);
  float *y = calloc(n_out + 1, sizeof(float)), *dx = calloc(n_in + 1, sizeof(float));
  const wg_json *tw = wg_json_get(wg_json_get(wg_json_get(doc, "tensors"), "weight"), "data");
  const wg_json *tb = wg_json_get(wg_json_get(wg_json_get(doc, "tensors"), "bias"), "data");
  float *w = floats(tw, &n_w), *b = floats(tb, &n_b);
  float *dw = calloc(n_w + 1, sizeof(float)), *db = calloc(n_b + 1, sizeof(float));
  const wg_json *gt = wg_json_get(doc, "grad_tensors");
  int bad = 0, C = ishape->length == 4 ? (int)ishape->items[1].number : 0;
  int H = ishape->length == 4 ? (int)ishape->items[2].number : 0, W = ishape->length == 4 ? (int)ishape->items[3].number : 0;
  int grads_checked = 1;
  if (!strcmp(layer, "conv2d") || !strcmp(layer, "conv_transpose2d")) {
    int t = layer[4] == '_';
    wg_conv_geom g = {C, H, W, (int)oshape->items[1].number, (int)oshape->items[2].number,
                      (int)oshape->items[3].number, param(doc, "kernel", 0), param(doc, "kernel", 1),
                      param(doc, "stride", 0), param(doc, "stride", 1), param(doc, "padding", 0),
                      param(doc, "padding", 1)};
    wg_arena scratch = {0};
    if (t) {
      wg_conv_transpose2d_forward(y, x, w, b, B, &g, &scratch);
      wg_conv_transpose2d_backward(dx, dw, b ? db : NULL, dy, x, w, B, &g, &scratch);
    } else {
      wg_conv2d_forward(y, x, w, b, B, &g, &scratch);
      wg_conv2d_backward(dx, dw, b ? db : NULL, dy, x, w, B, &g, &scratch);
    }
    wg_arena_free(&scratch);
  } else if (!strcmp(layer, "batchnorm2d")) {
    float *rm = tensor(doc, "tensors", "running_mean"), *rv = tensor(doc, "tensors", "running_var");
    float eps = (float)paramf(doc, "eps"), momentum = 1.f - (float)paramf(doc, "momentum_pytorch");
    const wg_json *mode = wg_json_get(wg_json_get(doc, "params"), "mode");
    if (mode && !strcmp(mode->string, "eval")) {
      wg_batchnorm_forward_eval(y, x, w, b, rm, rv, B, C, H * W, eps);
      wg_batchnorm_backward_eval(dx, dw, db, dy, x, w, rm, rv, B, C, H * W, eps);
    } else {
      float *xhat = malloc(sizeof(float) * n_in), *invstd = malloc(sizeof(float) * C);
      wg_batchnorm_forward_train(y, xhat, invstd, x, w, b, rm, rv, B, C, H * W, momentum, eps);
      wg_batchnorm_backward(dx, dw, db, dy, xhat, invstd, w, B, C, H * W);
      bad += compare(name, "running_mean", rm, wg_json_get(wg_json_get(doc, "after"), "running_mean"), (size_t)C);
      bad += compare(name, "running_var", rv, wg_json_get(wg_json_get(doc, "after"), "running_var"), (size_t)C);
      free(xhat); free(invstd);
    }
    free(rm); free(rv);
  } else if (!strcmp(layer, "instancenorm2d")) {
    float *xhat = malloc(sizeof(float) * n_in), *invstd = malloc(sizeof(float) * B * C);
    wg_instancenorm_forward(y, xhat, invstd, x, w, b, B, C, H * W, (float)paramf(doc, "eps"));
    wg_instancenorm_backward(dx, w ? dw : NULL, b ? db : NULL, dy, xhat, invstd, w, B, C, H * W);
    free(xhat); free(invstd);
  } else if (!strcmp(layer, "upsample_nearest2x")) {
    wg_upsample_nearest2x_forward(y, x, B * C, H, W);
    wg_upsample_nearest2x_backward(dx, dy, B * C, H, W);
  } else if (!strcmp(layer, "upsample_bilinear2x")) {
    wg_upsample_bilinear2x_forward(y, x, B * C, H, W);
    wg_upsample_bilinear2x_backward(dx, dy, B * C, H, W);
  } else if (!strcmp(layer, "avgpool2d")) {
    int OH = (int)oshape->items[2].number, OW = (int)oshape->items[3].number;
    int kh = param(doc, "kernel", 0), kw = param(doc, "kernel", 1), sh = param(doc, "stride", 0);
    int sw = param(doc, "stride", 1), ph = param(doc, "padding", 0), pw = param(doc, "padding", 1);
    wg_avgpool2d_forward(y, x, B * C, H, W, OH, OW, kh, kw, sh, sw, ph, pw);
    wg_avgpool2d_backward(dx, dy, B * C, H, W, OH, OW, kh, kw, sh, sw, ph, pw);
  } else if (!strcmp(layer, "pad2d")) {
    const char *mode = wg_json_get(wg_json_get(doc, "params"), "mode")->string;
    wg_pad_mode pm = !strcmp(mode, "reflect") ? WG_PAD_REFLECT : !strcmp(mode, "replicate") ? WG_PAD_REPLICATE : WG_PAD_ZERO;
    int ph = param(doc, "padding", 0), pw = param(doc, "padding", 1);
    wg_pad2d_forward(y, x, B * C, H, W, ph, pw, pm);
    wg_pad2d_backward(dx, dy, B * C, H, W, ph, pw, pm);
  } else if (!strcmp(layer, "linear")) {
    int IN = param(doc, "in_features", 0), OUT = param(doc, "out_features", 0);
    wg_dense_forward(y, x, w, b, B, IN, OUT);
    wg_dense_backward(dx, dw, b ? db : NULL, dy, x, w, B, IN, OUT);
  } else if (!strcmp(layer, "softmax_xent")) {
    /* output: the summed loss; grad_output: the one scale of the gradient; probs: the softmax */
    int K = param(doc, "classes", 0), rows = B;
    const wg_json *jl = wg_json_get(doc, "labels");
    int *labels = malloc(sizeof(int) * (size_t)rows);
    float *probs = malloc(sizeof(float) * n_in);
    for (int i = 0; i < rows; i++) labels[i] = (int)jl->items[i].number;
    y[0] = (float)wg_softmax_xent(dx, probs, x, labels, rows, K, dy[0]);
    bad += compare(name, "probs", probs, wg_json_get(doc, "probs"), n_in);
    free(labels); free(probs);
  } else {
    fprintf(stderr, "  %s: unknown layer %s\n", name, layer);
    bad = -1000;
    grads_checked = 0;
  }
  if (grads_checked) {
    bad += compare(name, "output", y, wg_json_get(doc, "output"), n_out);
    bad += compare(name, "grad_input", dx, wg_json_get(doc, "grad_input"), n_in);
    if (wg_json_get(gt, "weight")) bad += compare(name, "grad weight", dw, wg_json_get(gt, "weight"), n_w);
    if (wg_json_get(gt, "bias")) bad += compare(name, "grad bias", db, wg_json_get(gt, "bias"), n_b);
  }
  free(x); free(dy); free(y); free(dx); free(w); free(b); free(dw); free(db);
  return bad;
}

static void test_layers_match_pytorch(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/MANIFEST", fixture_dir());
  size_t len;
  char *manifest = read_text(path, &len);
  CHECK_MSG(manifest != NULL, "cannot read %s (run from the repository root or set WG_FIXTURES)", path);
  int cases = 0, failed = 0, kinds_seen = 0;
  const char *kinds[] = {"conv2d", "conv_transpose2d", "batchnorm2d", "instancenorm2d",
                         "upsample_nearest2x", "upsample_bilinear2x", "avgpool2d", "linear",
                         "softmax_xent", "pad2d"};
  for (char *line = strtok(manifest, "\n"); line; line = strtok(NULL, "\n")) {
    if (!*line) continue;
    snprintf(path, sizeof path, "%s/%s", fixture_dir(), line);
    size_t n;
    char *text = read_text(path, &n);
    wg_json *doc = NULL;
    if (!text || wg_json_parse(text, n, &doc) != WG_OK) {
      fprintf(stderr, "  cannot load fixture %s\n", path);
      failed++; free(text); continue;
    }
    const char *layer = wg_json_get(doc, "layer")->string;
    for (int k = 0; k < 10; k++) if (!strcmp(layer, kinds[k])) kinds_seen |= 1 << k;
    if (run_fixture(doc) != 0) failed++;
    cases++;
    wg_json_free(doc);
    free(text);
  }
  free(manifest);
  printf("  %d PyTorch fixtures compared\n", cases);
  CHECK(cases >= 30);
  CHECK(kinds_seen == 0x3ff);   /* every layer kind (and the loss) has fixtures */
  CHECK(failed == 0);
}

void suite_reference(void) {
  RUN(test_layers_match_pytorch);
}
