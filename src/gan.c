/* gan.c — one training step of a GAN with the non-saturating loss.
 *
 * As in the PyTorch-GAN reference, the generator's loss uses D as it is and the discriminator's
 * loss sees the same fake batch (detached). Both gradients are therefore taken before either
 * update, and D(fake) is computed once and backpropagated twice: towards G (target 1, no D
 * gradients) and for D itself (target 0).
 */
#include <string.h>
#include "loss.h"
#include "mathf.h"
#include "model_internal.h"

static float wg__mean_sigmoid(const float *logits, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += (double)wg_sigmoidf(logits[i]);
  return (float)(s / n);
}

wg_status wg__gan_grads(wg_model *m, const float *x, const float *z, int batch) {
  wg_net *G = &m->nets[0], *D = &m->nets[1];
  wg_arena *A = &m->arena;
  int P = wg_model_image_size(m);
  float *grad = wg_arena_floats(A, (size_t)batch);
  float *dfake = wg_arena_floats(A, (size_t)batch * P);
  if (!grad || !dfake) goto oom;

  wg_frame fg, fd;
  float *fake = wg_net_forward(G, A, &fg, z, batch, 1, &m->rng_dropout, G->n_layers);
  if (!fake) goto oom;
  /* D's frame on the fake batch lives only until both of its backward passes are done, then its
   * memory serves the real batch: peak memory holds G's frame and one D frame. */
  wg_arena_mark before_d = wg_arena_save(A);
  float *logits = wg_net_forward(D, A, &fd, fake, batch, 1, &m->rng_dropout, D->n_layers);
  if (!logits) goto oom;
  float d_fake_mean = wg__mean_sigmoid(logits, batch);

  /* Generator: maximise log D(G(z)), i.e. BCE against target 1, mean over the batch. */
  double g_loss = wg_bce_logits(grad, logits, NULL, 1.f, batch, 1.f / batch);
  wg_status st = wg_net_backward(D, A, &fd, D->n_layers, grad, dfake, 0);
  if (st) return st;
  /* Discriminator: (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2, means over the batch; fake half first. */
  wg_net_zero_grads(D);
  double d_fake = wg_bce_logits(grad, logits, NULL, 0.f, batch, 0.5f / batch);
  st = wg_net_backward(D, A, &fd, D->n_layers, grad, NULL, 1);
  if (st) return st;
  wg_arena_restore(A, before_d);

  wg_net_zero_grads(G);
  st = wg_net_backward(G, A, &fg, G->n_layers, dfake, NULL, 1);
  if (st) return st;

  logits = wg_net_forward(D, A, &fd, x, batch, 1, &m->rng_dropout, D->n_layers);
  if (!logits) goto oom;
  double d_real = wg_bce_logits(grad, logits, NULL, 1.f, batch, 0.5f / batch);
  st = wg_net_backward(D, A, &fd, D->n_layers, grad, NULL, 1);
  if (st) return st;

  m->n_losses = 4;
  m->losses[0] = (float)(0.5 * (d_real + d_fake) / batch);
  m->losses[1] = (float)(g_loss / batch);
  m->losses[2] = wg__mean_sigmoid(logits, batch);
  m->losses[3] = d_fake_mean;
  m->exact_losses[0] = 0.5 * (d_real + d_fake) / batch;
  m->exact_losses[1] = g_loss / batch;
  return WG_OK;
oom:
  return wg_fail(WG_ERR_NOMEM, "out of memory during a GAN step (batch %d)", batch);
}

wg_status wg__gan_step(wg_model *m, const float *x, int batch) {
  float *z = wg_arena_floats(&m->arena, (size_t)batch * m->latent);
  if (!z) return wg_fail(WG_ERR_NOMEM, "out of memory during a GAN step (batch %d)", batch);
  wg_rng_fill_normal(&m->rng_noise, z, batch * m->latent, 0.f, 1.f);
  return wg__gan_grads(m, x, z, batch);
}
