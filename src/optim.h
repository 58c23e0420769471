/* optim.h — Adam and SGD with momentum over one flat parameter buffer.
 *
 * A network keeps params, grads and the optimizer moments in single allocations of n floats, so
 * one call updates the whole network. Adam keeps beta^t products as state (no pow()), so the
 * update is the same bits in every build. SGD momentum follows PyTorch: v = mu*v + g; p -= lr*v.
 *
 *   wg_optim_config cfg = {WG_OPTIM_ADAM, 2e-4f, 0.5f, 0.999f, 1e-8f, 0.f};
 *   wg_optim_state st = {0};  // beta products start at 1
 *   wg_optim_step(&cfg, &st, params, grads, m, v, n);
 */
#ifndef WG_OPTIM_H
#define WG_OPTIM_H
#include <stddef.h>

typedef enum { WG_OPTIM_ADAM = 0, WG_OPTIM_SGD = 1 } wg_optim_kind;

typedef struct {
  wg_optim_kind kind;
  float lr, beta1, beta2, eps;   /* Adam */
  float momentum;                /* SGD */
} wg_optim_config;

typedef struct { long long t; float beta1_t, beta2_t; } wg_optim_state;

void wg_optim_state_init(wg_optim_state *st);
/* m is Adam's first moment or SGD's velocity; v is unused by SGD (may be NULL). */
void wg_optim_step(const wg_optim_config *cfg, wg_optim_state *st, float *params,
                   const float *grads, float *m, float *v, size_t n);
/* Scalar twin of the SIMD Adam update, for tests. */
void wg_adam_update_ref(float *params, const float *grads, float *m, float *v, size_t n, float lr,
                        float beta1, float beta2, float eps, float bc1, float bc2);

#endif
