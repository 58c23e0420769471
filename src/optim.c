/* optim.c — the parameter updates; Adam runs on 4-wide vectors with a scalar tail. */
#include "optim.h"
#include <math.h>
#include "simd.h"
#include "threads.h"

void wg_optim_state_init(wg_optim_state *st) { st->t = 0; st->beta1_t = 1.f; st->beta2_t = 1.f; }

/* p -= lr * (m/bc1) / (sqrt(v/bc2) + eps), with m, v updated first. */
static inline void wg__adam_one(float *p, float g, float *m, float *v, float lr, float b1,
                                float b2, float eps, float bc1, float bc2) {
  float mm = b1 * *m + (1.f - b1) * g;
  float vv = b2 * *v + (1.f - b2) * (g * g);
  *m = mm; *v = vv;
  *p = *p - lr * (mm / bc1) / (sqrtf(vv / bc2) + eps);
}

void wg_adam_update_ref(float *params, const float *grads, float *m, float *v, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2) {
  for (size_t i = 0; i < n; i++)
    wg__adam_one(params + i, grads[i], m + i, v + i, lr, beta1, beta2, eps, bc1, bc2);
}

static void wg__adam_update(float *params, const float *grads, float *m, float *v, size_t n,
                            float lr, float beta1, float beta2, float eps, float bc1, float bc2) {
  wg_v4 b1 = wg_v4_splat(beta1), nb1 = wg_v4_splat(1.f - beta1);
  wg_v4 b2 = wg_v4_splat(beta2), nb2 = wg_v4_splat(1.f - beta2);
  wg_v4 vlr = wg_v4_splat(lr), veps = wg_v4_splat(eps), vbc1 = wg_v4_splat(bc1), vbc2 = wg_v4_splat(bc2);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    wg_v4 g = wg_v4_load(grads + i);
    wg_v4 mm = wg_v4_add(wg_v4_mul(b1, wg_v4_load(m + i)), wg_v4_mul(nb1, g));
    wg_v4 vv = wg_v4_add(wg_v4_mul(b2, wg_v4_load(v + i)), wg_v4_mul(nb2, wg_v4_mul(g, g)));
    wg_v4_store(m + i, mm); wg_v4_store(v + i, vv);
    wg_v4 step = wg_v4_div(wg_v4_mul(vlr, wg_v4_div(mm, vbc1)),
                           wg_v4_add(wg_v4_sqrt(wg_v4_div(vv, vbc2)), veps));
    wg_v4_store(params + i, wg_v4_sub(wg_v4_load(params + i), step));
  }
  for (; i < n; i++)
    wg__adam_one(params + i, grads[i], m + i, v + i, lr, beta1, beta2, eps, bc1, bc2);
}

/* Adam over the threads in fixed chunks: element-wise, so the chunking changes no bit. */
typedef struct { float *params; const float *grads; float *m, *v; float lr, b1, b2, eps, bc1, bc2; } wg__adam_job;

static void wg__adam_range(void *ctx, size_t lo, size_t hi) {
  const wg__adam_job *j = ctx;
  wg__adam_update(j->params + lo, j->grads + lo, j->m + lo, j->v + lo, hi - lo, j->lr, j->b1, j->b2,
                  j->eps, j->bc1, j->bc2);
}

void wg_optim_step(const wg_optim_config *cfg, wg_optim_state *st, float *params,
                   const float *grads, float *m, float *v, size_t n) {
  st->t++;
  if (cfg->kind == WG_OPTIM_ADAM) {
    st->beta1_t *= cfg->beta1;
    st->beta2_t *= cfg->beta2;
    wg__adam_job job = {params, grads, m, v, cfg->lr, cfg->beta1, cfg->beta2, cfg->eps,
                        1.f - st->beta1_t, 1.f - st->beta2_t};
    wg_parallel_range(n, WG_ELEMENTWISE_CHUNK, wg__adam_range, &job);
  } else {
    for (size_t i = 0; i < n; i++) {
      m[i] = cfg->momentum * m[i] + grads[i];
      params[i] -= cfg->lr * m[i];
    }
  }
}
