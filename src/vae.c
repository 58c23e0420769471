/* vae.c — the VAE: training step, encoder, and evaluation of the per-image loss.
 *
 * The decoder ends in a sigmoid; training stops one layer short and uses BCE on the logits,
 * which is the same loss without the sigmoid's saturation (log of values rounded to 0 or 1).
 * Loss per image = sum over pixels of BCE + KL(q(z|x) || N(0, I)); the step minimises its batch mean.
 */
#include <string.h>
#include "loss.h"
#include "mathf.h"
#include "model_internal.h"

/* Splits the encoder output h (B, 2L) into mu and logvar (B, L) each. */
static void wg__split(const float *h, float *mu, float *lv, int batch, int L) {
  for (int b = 0; b < batch; b++) {
    memcpy(mu + (size_t)b * L, h + (size_t)b * 2 * L, sizeof(float) * (size_t)L);
    memcpy(lv + (size_t)b * L, h + (size_t)b * 2 * L + L, sizeof(float) * (size_t)L);
  }
}

/* z = mu + exp(logvar / 2) * eps; keeps sigma for the backward pass. */
static void wg__reparameterise(float *z, float *sigma, const float *mu, const float *lv,
                               const float *eps, int n) {
  for (int i = 0; i < n; i++) {
    sigma[i] = wg_expf(0.5f * lv[i]);
    z[i] = mu[i] + sigma[i] * eps[i];
  }
}

wg_status wg__vae_grads(wg_model *m, const float *x, const float *eps, int batch) {
  wg_net *E = &m->nets[0], *Dec = &m->nets[1];
  wg_arena *A = &m->arena;
  int L = m->latent, P = wg_model_image_size(m);
  size_t nl = (size_t)batch * L;
  float *mu = wg_arena_floats(A, nl), *lv = wg_arena_floats(A, nl);
  float *z = wg_arena_floats(A, nl), *sigma = wg_arena_floats(A, nl), *dz = wg_arena_floats(A, nl);
  float *dmu = wg_arena_floats(A, nl), *dlv = wg_arena_floats(A, nl);
  float *dh = wg_arena_floats(A, 2 * nl), *dlogits = wg_arena_floats(A, (size_t)batch * P);
  if (!mu || !lv || !z || !sigma || !dz || !dmu || !dlv || !dh || !dlogits) goto oom;

  wg_frame fe, fd;
  float *h = wg_net_forward(E, A, &fe, x, batch, 1, &m->rng_dropout, E->n_layers);
  if (!h) goto oom;
  wg__split(h, mu, lv, batch, L);
  wg__reparameterise(z, sigma, mu, lv, eps, (int)nl);
  float *logits = wg_net_forward(Dec, A, &fd, z, batch, 1, &m->rng_dropout, Dec->n_layers - 1);
  if (!logits) goto oom;

  float inv_b = 1.f / batch;
  double recon = wg_bce_logits(dlogits, logits, x, 0.f, batch * P, inv_b);
  double kl = wg_gaussian_kl(dmu, dlv, mu, lv, (int)nl, inv_b);
  wg_net_zero_grads(E);
  wg_net_zero_grads(Dec);
  wg_status st = wg_net_backward(Dec, A, &fd, Dec->n_layers - 1, dlogits, dz, 1);
  if (st) return st;
  /* Through the reparameterisation: dz/dmu = 1, dz/dlogvar = eps * sigma / 2. */
  for (int b = 0; b < batch; b++)
    for (int j = 0; j < L; j++) {
      size_t i = (size_t)b * L + j;
      dh[(size_t)b * 2 * L + j] = dmu[i] + dz[i];
      dh[(size_t)b * 2 * L + L + j] = dlv[i] + dz[i] * eps[i] * 0.5f * sigma[i];
    }
  st = wg_net_backward(E, A, &fe, E->n_layers, dh, NULL, 1);
  if (st) return st;

  m->n_losses = 3;
  m->losses[0] = (float)((recon + kl) / batch);
  m->exact_losses[0] = (recon + kl) / batch;
  m->exact_losses[1] = recon / batch;
  m->losses[1] = (float)(recon / batch);
  m->losses[2] = (float)(kl / batch);
  return WG_OK;
oom:
  return wg_fail(WG_ERR_NOMEM, "out of memory during a VAE step (batch %d)", batch);
}

wg_status wg__vae_step(wg_model *m, const float *x, int batch) {
  size_t nl = (size_t)batch * m->latent;
  float *eps = wg_arena_floats(&m->arena, nl);
  if (!eps) return wg_fail(WG_ERR_NOMEM, "out of memory during a VAE step (batch %d)", batch);
  wg_rng_fill_normal(&m->rng_noise, eps, (int)nl, 0.f, 1.f);
  return wg__vae_grads(m, x, eps, batch);
}

wg_status wg_model_encode(wg_model *m, const float *x, int n, float *mu, float *logvar) {
  if (m->kind != WG_MODEL_VAE) return wg_fail(WG_ERR_STATE, "encode: only a VAE has an encoder");
  if (n < 1) return wg_fail(WG_ERR_ARG, "encode: n must be >= 1");
  wg_net *E = &m->nets[0];
  int L = m->latent, P = wg_model_image_size(m);
  for (int i0 = 0; i0 < n; i0 += 256) {
    int b = n - i0 < 256 ? n - i0 : 256;
    wg_arena_reset(&m->arena);
    wg_frame fr;
    float *h = wg_net_forward(E, &m->arena, &fr, x + (size_t)i0 * P, b, 0, NULL, E->n_layers);
    if (!h) return wg_fail(WG_ERR_NOMEM, "out of memory while encoding");
    wg__split(h, mu + (size_t)i0 * L, logvar + (size_t)i0 * L, b, L);
  }
  return WG_OK;
}

wg_status wg_model_evaluate(wg_model *m, const wg_dataset *ds, int limit, double *out) {
  if (m->kind != WG_MODEL_VAE) return wg_fail(WG_ERR_STATE, "evaluate: the loss is defined for a VAE");
  if (!ds || ds->height != m->height || ds->width != m->width || ds->channels != m->channels)
    return wg_fail(WG_ERR_MISMATCH, "evaluate: dataset images do not match the model's size");
  int n = limit > 0 && limit < ds->n ? limit : ds->n;
  wg_net *E = &m->nets[0], *Dec = &m->nets[1];
  int L = m->latent, P = wg_model_image_size(m);
  wg_rng r;
  wg_rng_seed(&r, m->seed, WG_STREAM_EVAL);
  double recon = 0.0, kl = 0.0;
  for (int i0 = 0; i0 < n; i0 += 100) {
    int b = n - i0 < 100 ? n - i0 : 100;
    size_t nl = (size_t)b * L;
    wg_arena_reset(&m->arena);
    wg_arena *A = &m->arena;
    float *x = wg_arena_floats(A, (size_t)b * P), *mu = wg_arena_floats(A, nl);
    float *lv = wg_arena_floats(A, nl), *eps = wg_arena_floats(A, nl);
    float *z = wg_arena_floats(A, nl), *sigma = wg_arena_floats(A, nl);
    if (!x || !mu || !lv || !eps || !z || !sigma) return wg_fail(WG_ERR_NOMEM, "out of memory in evaluate");
    const uint8_t *src = ds->pixels + (size_t)i0 * P;
    for (size_t k = 0; k < (size_t)b * P; k++) x[k] = (float)src[k] * (1.f / 255.f);
    wg_frame fe, fd;
    float *h = wg_net_forward(E, A, &fe, x, b, 0, NULL, E->n_layers);
    if (!h) return wg_fail(WG_ERR_NOMEM, "out of memory in evaluate");
    wg__split(h, mu, lv, b, L);
    wg_rng_fill_normal(&r, eps, (int)nl, 0.f, 1.f);
    wg__reparameterise(z, sigma, mu, lv, eps, (int)nl);
    float *logits = wg_net_forward(Dec, A, &fd, z, b, 0, NULL, Dec->n_layers - 1);
    if (!logits) return wg_fail(WG_ERR_NOMEM, "out of memory in evaluate");
    recon += wg_bce_logits(NULL, logits, x, 0.f, b * P, 1.f);
    kl += wg_gaussian_kl(NULL, NULL, mu, lv, (int)nl, 1.f);
  }
  out[0] = (recon + kl) / n;
  out[1] = recon / n;
  out[2] = kl / n;
  return WG_OK;
}
