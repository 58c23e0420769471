/* family_common.c — small pieces the family files share: chunked eval passes, label joins. */
#include <stdlib.h>
#include <string.h>
#include "mathf.h"
#include "model_internal.h"

wg_status wg__net_apply(wg_model *m, int k, const float *x, int n, int upto, wg_chunk_fn emit, void *ctx) {
  wg_net *net = &m->nets[k];
  for (int i0 = 0; i0 < n; i0 += 256) {   /* chunks bound the arena size */
    int b = n - i0 < 256 ? n - i0 : 256;
    wg_arena_reset(&m->arena);
    wg_frame fr;
    float *y = wg_net_forward(net, &m->arena, &fr, x + (size_t)i0 * net->in_features, b, 0, NULL, upto);
    if (!y) return wg_fail(WG_ERR_NOMEM, "out of memory running %s", net->name);
    emit(ctx, y, i0, b);
  }
  return WG_OK;
}

void wg__put_one_hot(float *rows, int width, int offset, const int *labels, int n, int classes) {
  for (int i = 0; i < n; i++) {
    float *r = rows + (size_t)i * width + offset;
    for (int c = 0; c < classes; c++) r[c] = c == labels[i] ? 1.f : 0.f;
  }
}

void wg__concat_rows(float *out, const float *a, int A, const float *b, int B, int n) {
  for (int i = 0; i < n; i++) {
    memcpy(out + (size_t)i * (A + B), a + (size_t)i * A, sizeof(float) * (size_t)A);
    if (b) memcpy(out + (size_t)i * (A + B) + A, b + (size_t)i * B, sizeof(float) * (size_t)B);
  }
}

void wg__concat_label_planes(float *out, const float *x, int C, int HW, const int *labels, int n,
                             int classes) {
  size_t row = (size_t)(C + classes) * HW;
  for (int i = 0; i < n; i++) {
    float *o = out + i * row;
    memcpy(o, x + (size_t)i * C * HW, sizeof(float) * (size_t)C * HW);
    for (int c = 0; c < classes; c++) {
      float v = c == labels[i] ? 1.f : 0.f;
      for (int p = 0; p < HW; p++) o[(size_t)(C + c) * HW + p] = v;
    }
  }
}

double wg__mean_sigmoid(const float *logits, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += (double)wg_sigmoidf(logits[i]);
  return s / n;
}

typedef struct { wg_model *m; float *out; int P; } wg__gen_ctx;

static void wg__emit_images(void *ctx, const float *y, int i0, int n) {
  wg__gen_ctx *c = ctx;
  float scale = c->m->family->image_scale, shift = c->m->family->image_shift;
  float *o = c->out + (size_t)i0 * c->P;
  if (scale == 1.f && shift == 0.f) { memcpy(o, y, sizeof(float) * (size_t)n * c->P); return; }
  for (size_t k = 0; k < (size_t)n * c->P; k++) o[k] = (y[k] - shift) / scale;
}

wg_status wg__net_apply_joined(wg_model *m, int k, const float *in, const float *cond, int n,
                               wg_chunk_fn emit, void *ctx) {
  wg_net *net = &m->nets[k];
  if (!cond) return wg__net_apply(m, k, in, n, net->n_layers, emit, ctx);
  int K = m->classes, A = net->in_features - K;
  float *joined = malloc(sizeof(float) * (size_t)n * net->in_features);
  if (!joined) return wg_fail(WG_ERR_NOMEM, "out of memory for %d inputs", n);
  wg__concat_rows(joined, in, A, cond, K, n);
  wg_status st = wg__net_apply(m, k, joined, n, net->n_layers, emit, ctx);
  free(joined);
  return st;
}

wg_status wg__generate_images(wg_model *m, int k, const float *in, const float *cond, int n, float *out) {
  wg__gen_ctx c = {m, out, wg_model_image_size(m)};
  return wg__net_apply_joined(m, k, in, cond, n, wg__emit_images, &c);
}
