/* modelcheck.h — gradient checks of whole models through the family interface.
 *
 * A family's step draws its noise and dropout masks from the model's streams; putting the streams
 * back before every evaluation makes the step a deterministic function of the parameters, so
 * finite differences of the loss a net minimises (family->minimises) check that net's gradients.
 *
 *   int bad = check_model_grads(m, x, labels, batch, 1e-2f, 2e-4, 3e-2, 120);
 */
#ifndef WG_MODELCHECK_H
#define WG_MODELCHECK_H
#include <stdlib.h>
#include <string.h>
#include "gradcheck.h"
#include "model_internal.h"

typedef struct { wg_model *m; wg_batch b; wg_rng noise, dropout; int k; } model_grad_ctx;

static double model_grad_loss(void *p) {
  model_grad_ctx *c = p;
  c->m->rng_noise = c->noise;
  c->m->rng_dropout = c->dropout;
  wg_arena_reset(&c->m->arena);
  if (wg__model_step(c->m, &c->b) != WG_OK) return NAN;
  return c->m->exact_losses[c->m->family->minimises[c->k]];
}

/* x_b: the second domain's images for two-domain families, else NULL. */
static inline int check_model_grads2(wg_model *m, const float *x, const float *x_b, const int *labels,
                                     int batch, float h, double atol, double rtol, int probes) {
  model_grad_ctx c = {m, {batch, x, labels, x_b}, m->rng_noise, m->rng_dropout, 0};
  int bad = 0;
  for (int k = 0; k < m->n_nets; k++) {
    c.k = k;
    model_grad_loss(&c);
    wg_net *net = &m->nets[k];
    float *g = malloc(sizeof(float) * net->n_params);
    memcpy(g, net->grads, sizeof(float) * net->n_params);
    bad += gradcheck(net->name, net->params, (int)net->n_params, g, model_grad_loss, &c, h, atol, rtol, probes);
    free(g);
  }
  return bad;
}

static inline int check_model_grads(wg_model *m, const float *x, const int *labels, int batch,
                                    float h, double atol, double rtol, int probes) {
  return check_model_grads2(m, x, NULL, labels, batch, h, atol, rtol, probes);
}

#endif
