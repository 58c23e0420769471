/* family_gan.c — GANs with the non-saturating loss; presets "gan" (MLP) and "dcgan".
 *
 * As in the PyTorch-GAN reference, the generator's loss uses D as it is and the discriminator's
 * loss sees the same fake batch (detached). Both gradients are therefore taken before either
 * update, and D(fake) is computed once and backpropagated twice: towards G (target 1, no D
 * gradients) and for D itself (target 0). Losses: d_loss = (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2,
 * g_loss = BCE(D(G(z)), 1), and the mean D outputs on real and fake images.
 *
 * wg__gan_objective also serves the conditional families (cgan, cdcgan): the class is joined to
 * G's input as a one-hot row and to D's input as a row or as constant planes.
 *
 *   gan      G z -> 256 -> 512 -> 1024 -> image (LeakyReLU 0.2, BatchNorm 0.8, tanh);
 *            D image -> 512 -> 256 -> 1 logit (LeakyReLU 0.2).
 *   dcgan    G dense -> BN -> ReLU -> (F0, h/2^k, w/2^k) -> [convT 5x5 s2 -> BN -> ReLU]...
 *            -> convT 5x5 s2 -> tanh; D conv 5x5 s2 + LeakyReLU 0.2 per stage -> flatten -> dense 1.
 *            28x28 uses k = 2 (7 -> 14 -> 28); 32x32 k = 2 (8 -> ...); 64x64 k = 3.
 */
#include <stdlib.h>
#include <string.h>
#include "layerspec.h"
#include "loss.h"
#include "model_internal.h"

wg_status wg__gan_objective(wg_model *m, const wg_batch *bt, wg_label_join join) {
  wg_net *G = &m->nets[0], *D = &m->nets[1];
  wg_arena *A = &m->arena;
  int batch = bt->n, P = wg_model_image_size(m), K = m->classes, L = m->latent;
  int HW = m->height * m->width, Din = D->in_features;
  float *z = wg_arena_floats(A, (size_t)batch * L);
  float *grad = wg_arena_floats(A, (size_t)batch);
  float *dfake = wg_arena_floats(A, (size_t)batch * P);
  if (!z || !grad || !dfake) goto oom;
  wg_rng_fill_normal(&m->rng_noise, z, batch * L, 0.f, 1.f);
  const float *g_in = z;
  float *d_fake_in = NULL, *d_real_in = NULL, *dd = NULL;
  if (join != WG_JOIN_NONE) {
    float *gz = wg_arena_floats(A, (size_t)batch * (L + K));
    d_fake_in = wg_arena_floats(A, (size_t)batch * Din);
    d_real_in = wg_arena_floats(A, (size_t)batch * Din);
    dd = wg_arena_floats(A, (size_t)batch * Din);
    if (!gz || !d_fake_in || !d_real_in || !dd) goto oom;
    wg__concat_rows(gz, z, L, NULL, K, batch);
    wg__put_one_hot(gz, L + K, L, bt->labels, batch, K);
    g_in = gz;
  }

  wg_frame fg, fd;
  float *fake = wg_net_forward(G, A, &fg, g_in, batch, 1, &m->rng_dropout, G->n_layers);
  if (!fake) goto oom;
  const float *d_in = fake;
  if (join == WG_JOIN_FLAT) {
    wg__concat_rows(d_fake_in, fake, P, NULL, K, batch);
    wg__put_one_hot(d_fake_in, P + K, P, bt->labels, batch, K);
    d_in = d_fake_in;
  } else if (join == WG_JOIN_PLANES) {
    wg__concat_label_planes(d_fake_in, fake, m->channels, HW, bt->labels, batch, K);
    d_in = d_fake_in;
  }
  /* D's frame on the fake batch lives only until both of its backward passes are done, then its
   * memory serves the real batch: peak memory holds G's frame and one D frame. */
  wg_arena_mark before_d = wg_arena_save(A);
  float *logits = wg_net_forward(D, A, &fd, d_in, batch, 1, &m->rng_dropout, D->n_layers);
  if (!logits) goto oom;
  double d_fake_mean = wg__mean_sigmoid(logits, batch);

  /* Generator: maximise log D(G(z)), i.e. BCE against target 1, mean over the batch. */
  double g_loss = wg_bce_logits(grad, logits, NULL, 1.f, batch, 1.f / batch);
  wg_status st = wg_net_backward(D, A, &fd, D->n_layers, grad, join ? dd : dfake, 0);
  if (st) return st;
  if (join)   /* the image part of D's input gradient; the label part has no parameters */
    for (int i = 0; i < batch; i++) memcpy(dfake + (size_t)i * P, dd + (size_t)i * Din, sizeof(float) * (size_t)P);
  /* Discriminator: (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2, means over the batch; fake half first. */
  wg_net_zero_grads(D);
  double d_fake = wg_bce_logits(grad, logits, NULL, 0.f, batch, 0.5f / batch);
  st = wg_net_backward(D, A, &fd, D->n_layers, grad, NULL, 1);
  if (st) return st;
  wg_arena_restore(A, before_d);

  wg_net_zero_grads(G);
  st = wg_net_backward(G, A, &fg, G->n_layers, dfake, NULL, 1);
  if (st) return st;

  d_in = bt->x;
  if (join == WG_JOIN_FLAT) {
    wg__concat_rows(d_real_in, bt->x, P, NULL, K, batch);
    wg__put_one_hot(d_real_in, P + K, P, bt->labels, batch, K);
    d_in = d_real_in;
  } else if (join == WG_JOIN_PLANES) {
    wg__concat_label_planes(d_real_in, bt->x, m->channels, HW, bt->labels, batch, K);
    d_in = d_real_in;
  }
  logits = wg_net_forward(D, A, &fd, d_in, batch, 1, &m->rng_dropout, D->n_layers);
  if (!logits) goto oom;
  double d_real = wg_bce_logits(grad, logits, NULL, 1.f, batch, 0.5f / batch);
  st = wg_net_backward(D, A, &fd, D->n_layers, grad, NULL, 1);
  if (st) return st;

  m->exact_losses[0] = 0.5 * (d_real + d_fake) / batch;
  m->exact_losses[1] = g_loss / batch;
  m->exact_losses[2] = wg__mean_sigmoid(logits, batch);
  m->exact_losses[3] = d_fake_mean;
  return WG_OK;
oom:
  return wg_fail(WG_ERR_NOMEM, "out of memory during a GAN step (batch %d)", batch);
}

wg_status wg__gan_generate(wg_model *m, const float *z, const float *cond, int n, float *out) {
  return wg__generate_images(m, 0, z, cond, n, out);
}

static wg_status gan_step(wg_model *m, const wg_batch *b) { return wg__gan_objective(m, b, WG_JOIN_NONE); }

static void gan_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  if (k == 0) { *c = m->latent; *h = *w = 1; }
  else { *c = m->channels; *h = m->height; *w = m->width; }
}

/* Shapes every GAN-like family needs: G makes an image in [-1, 1] (no sigmoid), D one logit. */
wg_status wg__gan_check(const wg_model *m) {
  int P = wg_model_image_size(m);
  const wg_net *G = &m->nets[0], *D = &m->nets[1];
  if (G->out_features != P)
    return wg_fail(WG_ERR_ARG, "config: generator outputs %d values but images are %dx%dx%d = %d", G->out_features, m->height, m->width, m->channels, P);
  if (D->out_features != 1)
    return wg_fail(WG_ERR_ARG, "config: discriminator must output 1 logit, not %d", D->out_features);
  if (D->layers[D->n_layers - 1].kind == WG_LAYER_SIGMOID)
    return wg_fail(WG_ERR_ARG, "config: discriminator must end in a logit (no sigmoid); the loss applies it");
  return WG_OK;
}

int wg__gan_mlp_widths(int h, int w, int *out) {
  (void)h; (void)w;
  out[0] = 256; out[1] = 512; out[2] = 1024;
  return 3;
}

wg_status wg__gan_mlp_layers(const wg_preset_sizes *p, wg_strbuf *lists) {
  wg_spec_dense_stack(&lists[0], p->hidden, p->n_hidden, WG_SPEC_LRELU, 0.8, p->height * p->width * p->channels, WG_SPEC_TANH);
  wg_spec_dense_stack(&lists[1], p->disc, p->n_disc, WG_SPEC_LRELU, 0, 1, NULL);
  return WG_OK;
}

int wg__dcgan_widths(int height, int width, int *out) {
  int k = wg_spec_dcgan_stages(height, width);
  for (int j = 0; j < k; j++) out[j] = 64 << (k - 1 - j);   /* e.g. 128, 64 */
  return k;
}

/* The conditional DCGAN uses the same lists: its D's input is only wider (label planes). */
wg_status wg__dcgan_layers(const wg_preset_sizes *p, wg_strbuf *lists) {
  int k = p->n_hidden, f = 1 << k;
  if (k < 1) return wg_fail(WG_ERR_ARG, "config: \"hidden\" of a DCGAN needs at least one channel width");
  if (p->height % f || p->width % f)
    return wg_fail(WG_ERR_ARG, "config: dcgan with %d upsampling stages needs height and width divisible by %d, got %dx%d (e.g. 28, 32 or 64)", k, f, p->height, p->width);
  int bh = p->height / f, bw = p->width / f;
  wg_strbuf *g = &lists[0], *d = &lists[1];
  /* Batch norm on the flat dense output (per feature, as the TF DCGAN tutorial): per-channel
   * statistics over the 7x7 map would keep the dense bias's z-independent pattern and make the
   * samples look alike. */
  wg_strbuf_printf(g, "[{\"type\":\"dense\",\"units\":%d},{\"type\":\"batchnorm\"}," WG_SPEC_RELU
                   ",{\"type\":\"reshape\",\"shape\":[%d,%d,%d]}", p->hidden[0] * bh * bw, p->hidden[0], bh, bw);
  for (int j = 1; j < k; j++) {
    wg_strbuf_puts(g, ",");
    wg_spec_conv(g, "conv_transpose2d", p->hidden[j], 5, 2, 1);
    wg_strbuf_puts(g, ",{\"type\":\"batchnorm\"}," WG_SPEC_RELU);
  }
  wg_strbuf_puts(g, ",");
  wg_spec_conv(g, "conv_transpose2d", p->channels, 5, 2, 1);
  wg_strbuf_puts(g, "," WG_SPEC_TANH "]");
  wg_strbuf_puts(d, "[");
  for (int j = k - 1; j >= 0; j--) {
    wg_spec_conv(d, "conv2d", p->hidden[j], 5, 2, 0);   /* padding 2: 5x5 at stride 2 halves the side */
    wg_strbuf_puts(d, "," WG_SPEC_LRELU ",");
  }
  wg_strbuf_puts(d, "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":1}]");
  return WG_OK;
}

static const int gan_disc_widths[] = {512, 256};

static const wg_preset_def gan_presets[] = {
  {"gan", "MLP GAN (G 256-512-1024, D 512-256)", 100, 0.f, 1, wg__gan_mlp_widths, gan_disc_widths, 2, wg__gan_mlp_layers},
  {"dcgan", "DCGAN (transposed convs 5x5, BN; init N(0, 0.02))", 100, 0.02f, 0, wg__dcgan_widths, NULL, 0, wg__dcgan_layers},
};

const wg_family wg_family_gan = {
  .name = "gan",
  .tiny_config = "{\"model\":\"gan\",\"height\":4,\"width\":3,\"latent\":3,\"hidden\":[5],\"disc_hidden\":[6],\"seed\":3}",
  .n_roles = 2,
  .roles = {{"G", "generator"}, {"D", "discriminator"}},
  .n_losses = 4,
  .losses = {{"d_loss", "loss"}, {"g_loss", "loss"}, {"d_real", "D output"}, {"d_fake", "D output"}},
  .minimises = {1, 0},
  .caps = WG_CAP_SAMPLE,
  .generator = 0,
  .lr = 2e-4f, .beta1 = 0.5f,
  .image_scale = 2.f, .image_shift = -1.f,
  .presets = gan_presets, .n_presets = 2,
  .net_input = gan_net_input,
  .check = wg__gan_check,
  .step = gan_step,
  .generate = wg__gan_generate,
};
