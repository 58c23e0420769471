/* family_classifier.c — image classifiers trained with softmax cross-entropy; preset "lenet".
 *
 * One net, "classifier": images (mapped from [0, 1] to [-1, 1]) -> one logit per class. Losses: loss (mean softmax
 * cross-entropy of the batch) and accuracy (of the batch, in [0, 1]). The evaluation reports the
 * same over a dataset in eval mode. The evaluation tools use trained classifiers as judges of
 * generated images.
 *
 *   lenet    conv 5x5 pad 2 (16) -> ReLU -> avgpool 2 -> conv 5x5 (32) -> ReLU -> avgpool 2
 *            -> flatten -> dense 120 -> ReLU -> dense 84 -> ReLU -> dense classes.
 *            "hidden" is [conv1, conv2, dense1, dense2].
 */
#include <stdlib.h>
#include <string.h>
#include "layerspec.h"
#include "loss.h"
#include "model_internal.h"

static double wg__accuracy(const float *logits, const int *labels, int n, int K) {
  int right = 0;
  for (int i = 0; i < n; i++) {
    const float *x = logits + (size_t)i * K;
    int best = 0;
    for (int c = 1; c < K; c++) if (x[c] > x[best]) best = c;
    right += best == labels[i];
  }
  return (double)right / n;
}

static wg_status classifier_step(wg_model *m, const wg_batch *b) {
  wg_net *C = &m->nets[0];
  wg_arena *A = &m->arena;
  int K = m->classes;
  float *grad = wg_arena_floats(A, (size_t)b->n * K);
  if (!grad) goto oom;
  wg_frame fr;
  float *logits = wg_net_forward(C, A, &fr, b->x, b->n, 1, &m->rng_dropout, C->n_layers);
  if (!logits) goto oom;
  double loss = wg_softmax_xent(grad, NULL, logits, b->labels, b->n, K, 1.f / b->n);
  wg_net_zero_grads(C);
  wg_status st = wg_net_backward(C, A, &fr, C->n_layers, grad, NULL, 1);
  if (st) return st;
  m->exact_losses[0] = loss / b->n;
  m->exact_losses[1] = wg__accuracy(logits, b->labels, b->n, K);
  return WG_OK;
oom:
  return wg_fail(WG_ERR_NOMEM, "out of memory during a classifier step (batch %d)", b->n);
}

/* Class probabilities and, when features is not NULL, the penultimate layer's output (the input
 * of the last layer: the judge features FID/KID/precision/recall compare), from one forward pass. */
static wg_status classifier_classify(wg_model *m, const float *x, int n, float *probs, float *features) {
  wg_net *C = &m->nets[0];
  int P = wg_model_image_size(m), K = m->classes, L = C->n_layers, F = C->layers[L - 1].in_features;
  for (int i0 = 0; i0 < n; i0 += 256) {   /* chunks bound the arena size */
    int b = n - i0 < 256 ? n - i0 : 256;
    wg_arena_reset(&m->arena);
    float *in = wg_arena_floats(&m->arena, (size_t)b * P);   /* the family's input range */
    if (!in) return wg_fail(WG_ERR_NOMEM, "out of memory for %d images", b);
    const float *src = x + (size_t)i0 * P;
    for (size_t k = 0; k < (size_t)b * P; k++) in[k] = src[k] * m->family->image_scale + m->family->image_shift;
    wg_frame fr;
    float *logits = wg_net_forward(C, &m->arena, &fr, in, b, 0, NULL, L);
    if (!logits) return wg_fail(WG_ERR_NOMEM, "out of memory running %s", C->name);
    wg_softmax_xent(NULL, probs + (size_t)i0 * K, logits, NULL, b, K, 1.f);
    if (features) memcpy(features + (size_t)i0 * F, fr.acts[L - 1], sizeof(float) * (size_t)b * F);
  }
  return WG_OK;
}

static int classifier_feature_size(const wg_model *m) {
  const wg_net *C = &m->nets[0];
  return C->layers[C->n_layers - 1].in_features;
}

static wg_status classifier_evaluate(wg_model *m, const wg_dataset *ds, int n, double *out) {
  int P = wg_model_image_size(m), K = m->classes;
  double loss = 0.0, right = 0.0;
  for (int i0 = 0; i0 < n; i0 += 256) {
    int b = n - i0 < 256 ? n - i0 : 256;
    wg_arena_reset(&m->arena);
    float *x = wg_arena_floats(&m->arena, (size_t)b * P);
    int *labels = wg_arena_alloc(&m->arena, sizeof(int) * (size_t)b);
    if (!x || !labels) return wg_fail(WG_ERR_NOMEM, "out of memory in evaluate");
    const uint8_t *src = ds->pixels + (size_t)i0 * P;
    for (size_t k = 0; k < (size_t)b * P; k++)
      x[k] = (float)src[k] * (1.f / 255.f) * m->family->image_scale + m->family->image_shift;
    for (int i = 0; i < b; i++) labels[i] = ds->labels[i0 + i];
    wg_frame fr;
    wg_net *C = &m->nets[0];
    float *logits = wg_net_forward(C, &m->arena, &fr, x, b, 0, NULL, C->n_layers);
    if (!logits) return wg_fail(WG_ERR_NOMEM, "out of memory in evaluate");
    loss += wg_softmax_xent(NULL, NULL, logits, labels, b, K, 1.f);
    right += wg__accuracy(logits, labels, b, K) * b;
  }
  out[0] = loss / n;
  out[1] = right / n;
  return WG_OK;
}

static void classifier_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  (void)k;
  *c = m->channels; *h = m->height; *w = m->width;
}

static wg_status classifier_check(const wg_model *m) {
  const wg_net *C = &m->nets[0];
  if (C->out_features != m->classes)
    return wg_fail(WG_ERR_ARG, "config: the classifier outputs %d values but there are %d classes (one logit each)", C->out_features, m->classes);
  int last = C->layers[C->n_layers - 1].kind;
  if (last == WG_LAYER_SIGMOID || last == WG_LAYER_TANH || last == WG_LAYER_RELU)
    return wg_fail(WG_ERR_ARG, "config: the classifier must end in logits (a dense or conv layer); the loss applies the softmax");
  return WG_OK;
}

static int lenet_widths(int h, int w, int *out) {
  (void)h; (void)w;
  out[0] = 16; out[1] = 32; out[2] = 120; out[3] = 84;
  return 4;
}

static wg_status lenet_layers(const wg_preset_sizes *p, wg_strbuf *lists) {
  if (p->n_hidden != 4)
    return wg_fail(WG_ERR_ARG, "config: \"hidden\" of a lenet is [conv1, conv2, dense1, dense2] channel and unit counts");
  if (p->height < 12 || p->width < 12)
    return wg_fail(WG_ERR_ARG, "config: lenet needs images of at least 12x12, got %dx%d", p->height, p->width);
  const int *h = p->hidden;
  wg_strbuf_printf(&lists[0],
    "[{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":5,\"padding\":2}," WG_SPEC_RELU
    ",{\"type\":\"avgpool\",\"kernel\":2,\"stride\":2}"
    ",{\"type\":\"conv2d\",\"out_channels\":%d,\"kernel\":5}," WG_SPEC_RELU
    ",{\"type\":\"avgpool\",\"kernel\":2,\"stride\":2},{\"type\":\"flatten\"}"
    ",{\"type\":\"dense\",\"units\":%d}," WG_SPEC_RELU ",{\"type\":\"dense\",\"units\":%d}," WG_SPEC_RELU
    ",{\"type\":\"dense\",\"units\":%d}]", h[0], h[1], h[2], h[3], p->classes);
  return WG_OK;
}

static const wg_preset_def classifier_presets[] = {
  {"lenet", "LeNet-style classifier (conv 16-32, dense 120-84; the evaluation judge)", 0, 0.f, 0, lenet_widths, NULL, 0, lenet_layers},
};

static const char *const classifier_eval_names[] = {"loss", "accuracy", NULL};

const wg_family wg_family_classifier = {
  .name = "classifier",
  .tiny_config = "{\"model\":\"lenet\",\"height\":12,\"width\":12,\"classes\":3,\"hidden\":[2,3,5,4],\"seed\":8}",
  .n_roles = 1,
  .roles = {{"classifier", "classifier"}},
  .n_losses = 2,
  .losses = {{"loss", "loss"}, {"accuracy", "accuracy"}},
  .minimises = {0},
  .caps = WG_CAP_CLASSIFY | WG_CAP_CLASSES,
  .lr = 1e-3f, .beta1 = 0.9f,
  .image_scale = 2.f, .image_shift = -1.f,   /* centred inputs train faster than [0, 1] */
  .presets = classifier_presets, .n_presets = 1,
  .eval_names = classifier_eval_names,
  .net_input = classifier_net_input,
  .check = classifier_check,
  .step = classifier_step,
  .classify = classifier_classify,
  .feature_size = classifier_feature_size,
  .evaluate = classifier_evaluate,
};
