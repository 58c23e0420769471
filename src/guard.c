/* guard.c — the divergence guard: no update from a non-finite step, and a way back.
 *
 * A GAN with too high a learning rate can produce inf/NaN losses or gradients; one such update
 * would poison every weight. So each step's update is applied only when every loss and every
 * gradient of every net is finite; otherwise the step is skipped (and batch-norm statistics it
 * touched are restored). After WG_GUARD_PATIENCE skipped steps in a row the model rolls back to
 * the last snapshot of its parameters (taken every WG_GUARD_SNAPSHOT_EVERY good steps), restarts
 * the optimizer moments and halves the learning rate of every optimizer group. Counters, the
 * steps since the snapshot and the snapshot itself travel in checkpoints (checkpoint.c), so a run
 * saved in the middle of a divergence episode resumes exactly as it would have continued.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model_internal.h"

static int wg__all_finite(const float *x, size_t n) {
  /* x - x is 0 for finite values and NaN for inf or NaN: one branch-free pass */
  float acc = 0.f;
  for (size_t i = 0; i < n; i++) acc += x[i] - x[i];
  return acc == 0.f;
}

static void wg__take_snapshot(wg_model *m) {
  for (int k = 0; k < m->n_nets; k++) {
    wg_net *net = &m->nets[k];
    memcpy(m->snapshot[k], net->params, sizeof(float) * net->n_params);
    memcpy(m->snapshot[k] + net->n_params, net->state, sizeof(float) * net->n_state);
  }
  m->good_since_snapshot = 0;
}

static wg_status wg__guard_alloc(wg_model *m) {
  for (int k = 0; k < m->n_nets; k++) {
    wg_net *net = &m->nets[k];
    m->snapshot[k] = malloc(sizeof(float) * (net->n_params + net->n_state + 1));
    m->state_before[k] = malloc(sizeof(float) * (net->n_state + 1));
    if (!m->snapshot[k] || !m->state_before[k]) {
      wg__guard_free(m);
      return wg_fail(WG_ERR_NOMEM, "out of memory for the training snapshot");
    }
  }
  return WG_OK;
}

int wg__guard_snapshot_is_current(const wg_model *m) {
  if (!m->snapshot[0]) return 1;   /* the first step will take it from the weights as they are */
  for (int k = 0; k < m->n_nets; k++) {
    const wg_net *net = &m->nets[k];
    if (memcmp(m->snapshot[k], net->params, sizeof(float) * net->n_params) ||
        memcmp(m->snapshot[k] + net->n_params, net->state, sizeof(float) * net->n_state))
      return 0;
  }
  return 1;
}

wg_status wg__guard_restore(wg_model *m, int good_since_snapshot) {
  if (!m->snapshot[0]) {
    wg_status st = wg__guard_alloc(m);
    if (st) return st;
  }
  wg__take_snapshot(m);
  m->good_since_snapshot = good_since_snapshot;
  return WG_OK;
}

wg_status wg__guard_before(wg_model *m) {
  if (!m->snapshot[0]) {
    wg_status st = wg__guard_alloc(m);
    if (st) return st;
    wg__take_snapshot(m);
  }
  for (int k = 0; k < m->n_nets; k++)
    memcpy(m->state_before[k], m->nets[k].state, sizeof(float) * m->nets[k].n_state);
  return WG_OK;
}

static void wg__rollback(wg_model *m) {
  for (int k = 0; k < m->n_nets; k++) {
    wg_net *net = &m->nets[k];
    memcpy(net->params, m->snapshot[k], sizeof(float) * net->n_params);
    memcpy(net->state, m->snapshot[k] + net->n_params, sizeof(float) * net->n_state);
    memset(net->opt_m, 0, sizeof(float) * net->n_params);
    memset(net->opt_v, 0, sizeof(float) * net->n_params);
    wg_optim_state_init(&net->opt_state);
    m->opt[k].lr *= 0.5f;
  }
  m->rollbacks++;
  m->bad_streak = 0;
}

void wg__guard_undo(wg_model *m) {
  if (!m->state_before[0]) return;
  for (int k = 0; k < m->n_nets; k++)
    memcpy(m->nets[k].state, m->state_before[k], sizeof(float) * m->nets[k].n_state);
}

void wg__guard_after(wg_model *m) {
  int finite = 1;
  for (int i = 0; i < m->family->n_losses && finite; i++) finite = isfinite(m->exact_losses[i]);
  for (int k = 0; k < m->n_nets && finite; k++) finite = wg__all_finite(m->nets[k].grads, m->nets[k].n_params);
  if (finite) {
    /* Every gradient was taken before any update (fakes are detached), so the updates commute;
     * they run in role order. */
    float factor = m->family->lr_factor ? m->family->lr_factor(m) : 1.f;
    for (int k = 0; k < m->n_nets; k++) {
      wg_optim_config cfg = m->opt[k];
      cfg.lr *= factor;   /* the family's schedule; the guard's halving stays in m->opt */
      wg_net_update(&m->nets[k], &cfg);
    }
    m->bad_streak = 0;
    if (++m->good_since_snapshot >= WG_GUARD_SNAPSHOT_EVERY) wg__take_snapshot(m);
    return;
  }
  wg__guard_undo(m);
  m->skipped_steps++;
  if (++m->bad_streak >= WG_GUARD_PATIENCE) wg__rollback(m);
}

void wg__guard_free(wg_model *m) {
  for (int k = 0; k < WG_MAX_NETS; k++) {
    free(m->snapshot[k]); free(m->state_before[k]);
    m->snapshot[k] = m->state_before[k] = NULL;
  }
}
