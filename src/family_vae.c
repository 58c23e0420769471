/* family_vae.c — VAEs; presets "vae" (MLP) and "convvae".
 *
 * The decoder ends in a sigmoid; training stops one layer short and uses BCE on the logits,
 * which is the same loss without the sigmoid's saturation (log of values rounded to 0 or 1).
 * Loss per image = sum over pixels of BCE + KL(q(z|x) || N(0, I)); the step minimises its batch
 * mean. Losses: loss, recon, kl. wg__vae_objective also serves the conditional VAE (cvae), whose
 * encoder sees [x, one-hot] and decoder [z, one-hot].
 *
 *   vae      encoder image -> 400 -> 2*latent; decoder latent -> 400 -> image (sigmoid).
 *   convvae  encoder conv 4x4 s2 (32) -> conv 4x4 s2 (64) -> flatten -> dense 2*latent;
 *            decoder dense -> (64, h/4, w/4) -> convT 4x4 s2 (32) -> convT 4x4 s2 -> sigmoid.
 */
#include <stdlib.h>
#include <string.h>
#include "layerspec.h"
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

/* [rows, one-hot(labels)] into the arena, or rows themselves when there are no labels. */
static const float *wg__joined(wg_arena *A, const float *rows, int width, const int *labels, int n, int K) {
  if (!labels) return rows;
  float *out = wg_arena_floats(A, (size_t)n * (width + K));
  if (!out) return NULL;
  wg__concat_rows(out, rows, width, NULL, K, n);
  wg__put_one_hot(out, width + K, width, labels, n, K);
  return out;
}

wg_status wg__vae_objective(wg_model *m, const wg_batch *bt, wg_label_join join) {
  wg_net *E = &m->nets[0], *Dec = &m->nets[1];
  wg_arena *A = &m->arena;
  int batch = bt->n, L = m->latent, P = wg_model_image_size(m), K = m->classes;
  const int *labels = join == WG_JOIN_FLAT ? bt->labels : NULL;
  size_t nl = (size_t)batch * L;
  float *eps = wg_arena_floats(A, nl);
  if (!eps) goto oom;
  wg_rng_fill_normal(&m->rng_noise, eps, (int)nl, 0.f, 1.f);
  float *mu = wg_arena_floats(A, nl), *lv = wg_arena_floats(A, nl);
  float *z = wg_arena_floats(A, nl), *sigma = wg_arena_floats(A, nl);
  float *dmu = wg_arena_floats(A, nl), *dlv = wg_arena_floats(A, nl);
  float *dh = wg_arena_floats(A, 2 * nl), *dlogits = wg_arena_floats(A, (size_t)batch * P);
  float *dz = wg_arena_floats(A, (size_t)batch * Dec->in_features);
  if (!mu || !lv || !z || !sigma || !dz || !dmu || !dlv || !dh || !dlogits) goto oom;

  const float *x_in = wg__joined(A, bt->x, P, labels, batch, K);
  if (!x_in) goto oom;
  wg_frame fe, fd;
  float *h = wg_net_forward(E, A, &fe, x_in, batch, 1, &m->rng_dropout, E->n_layers);
  if (!h) goto oom;
  wg__split(h, mu, lv, batch, L);
  wg__reparameterise(z, sigma, mu, lv, eps, (int)nl);
  const float *z_in = wg__joined(A, z, L, labels, batch, K);
  if (!z_in) goto oom;
  float *logits = wg_net_forward(Dec, A, &fd, z_in, batch, 1, &m->rng_dropout, Dec->n_layers - 1);
  if (!logits) goto oom;

  float inv_b = 1.f / batch;
  double recon = wg_bce_logits(dlogits, logits, bt->x, 0.f, batch * P, inv_b);
  double kl = wg_gaussian_kl(dmu, dlv, mu, lv, (int)nl, inv_b);
  wg_net_zero_grads(E);
  wg_net_zero_grads(Dec);
  wg_status st = wg_net_backward(Dec, A, &fd, Dec->n_layers - 1, dlogits, dz, 1);
  if (st) return st;
  int Zin = Dec->in_features;   /* L, or L + K with the label joined: its gradient is dropped */
  /* Through the reparameterisation: dz/dmu = 1, dz/dlogvar = eps * sigma / 2. */
  for (int b = 0; b < batch; b++)
    for (int j = 0; j < L; j++) {
      size_t i = (size_t)b * L + j;
      float g = dz[(size_t)b * Zin + j];
      dh[(size_t)b * 2 * L + j] = dmu[i] + g;
      dh[(size_t)b * 2 * L + L + j] = dlv[i] + g * eps[i] * 0.5f * sigma[i];
    }
  st = wg_net_backward(E, A, &fe, E->n_layers, dh, NULL, 1);
  if (st) return st;

  m->exact_losses[0] = (recon + kl) / batch;
  m->exact_losses[1] = recon / batch;
  m->exact_losses[2] = kl / batch;
  return WG_OK;
oom:
  return wg_fail(WG_ERR_NOMEM, "out of memory during a VAE step (batch %d)", batch);
}

wg_status wg__vae_generate(wg_model *m, const float *z, const float *cond, int n, float *out) {
  return wg__generate_images(m, 1, z, cond, n, out);
}

typedef struct { float *mu, *logvar; int L; } wg__enc_ctx;

static void wg__emit_latents(void *ctx, const float *h, int i0, int n) {
  wg__enc_ctx *c = ctx;
  wg__split(h, c->mu + (size_t)i0 * c->L, c->logvar + (size_t)i0 * c->L, n, c->L);
}

wg_status wg__vae_encode(wg_model *m, const float *x, const float *cond, int n, float *mu, float *logvar) {
  wg__enc_ctx c = {mu, logvar, m->latent};
  return wg__net_apply_joined(m, 0, x, cond, n, wg__emit_latents, &c);
}

/* Mean per-image loss, recon and KL, with a fixed noise stream; images' labels when conditional. */
wg_status wg__vae_evaluate(wg_model *m, const wg_dataset *ds, int n, double *out) {
  wg_net *E = &m->nets[0], *Dec = &m->nets[1];
  int L = m->latent, P = wg_model_image_size(m), K = m->classes;
  int conditional = (m->family->caps & WG_CAP_CLASSES) != 0;
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
    int *labels = conditional ? (int *)wg_arena_alloc(A, sizeof(int) * (size_t)b) : NULL;
    if (!x || !mu || !lv || !eps || !z || !sigma || (conditional && !labels)) goto oom;
    const uint8_t *src = ds->pixels + (size_t)i0 * P;
    for (size_t k = 0; k < (size_t)b * P; k++) x[k] = (float)src[k] * (1.f / 255.f);
    if (conditional) for (int i = 0; i < b; i++) labels[i] = ds->labels[i0 + i];
    const float *x_in = wg__joined(A, x, P, labels, b, K);
    if (!x_in) goto oom;
    wg_frame fe, fd;
    float *h = wg_net_forward(E, A, &fe, x_in, b, 0, NULL, E->n_layers);
    if (!h) goto oom;
    wg__split(h, mu, lv, b, L);
    wg_rng_fill_normal(&r, eps, (int)nl, 0.f, 1.f);
    wg__reparameterise(z, sigma, mu, lv, eps, (int)nl);
    const float *z_in = wg__joined(A, z, L, labels, b, K);
    if (!z_in) goto oom;
    float *logits = wg_net_forward(Dec, A, &fd, z_in, b, 0, NULL, Dec->n_layers - 1);
    if (!logits) goto oom;
    recon += wg_bce_logits(NULL, logits, x, 0.f, b * P, 1.f);
    kl += wg_gaussian_kl(NULL, NULL, mu, lv, (int)nl, 1.f);
  }
  out[0] = (recon + kl) / n;
  out[1] = recon / n;
  out[2] = kl / n;
  return WG_OK;
oom:
  return wg_fail(WG_ERR_NOMEM, "out of memory in evaluate");
}

static wg_status vae_step(wg_model *m, const wg_batch *b) { return wg__vae_objective(m, b, WG_JOIN_NONE); }

static void vae_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  if (k == 0) { *c = m->channels; *h = m->height; *w = m->width; }
  else { *c = m->latent; *h = *w = 1; }
}

/* Shapes every VAE-like family needs: [mu, logvar] out of the encoder, a sigmoid image out of the decoder. */
wg_status wg__vae_check(const wg_model *m) {
  int P = wg_model_image_size(m);
  const wg_net *E = &m->nets[0], *Dec = &m->nets[1];
  if (E->out_features != 2 * m->latent)
    return wg_fail(WG_ERR_ARG, "config: encoder outputs %d values but needs 2 x latent = %d (mu and log-variance)", E->out_features, 2 * m->latent);
  if (Dec->out_features != P)
    return wg_fail(WG_ERR_ARG, "config: decoder outputs %d values but images are %dx%dx%d = %d", Dec->out_features, m->height, m->width, m->channels, P);
  if (Dec->layers[Dec->n_layers - 1].kind != WG_LAYER_SIGMOID)
    return wg_fail(WG_ERR_ARG, "config: the VAE decoder must end with a sigmoid layer");
  return WG_OK;
}

int wg__vae_mlp_widths(int h, int w, int *out) { (void)h; (void)w; out[0] = 400; return 1; }

wg_status wg__vae_mlp_layers(const wg_preset_sizes *p, wg_strbuf *lists) {
  int P = p->height * p->width * p->channels, rev[WG_MAX_PRESET_WIDTHS];
  wg_spec_dense_stack(&lists[0], p->hidden, p->n_hidden, WG_SPEC_RELU, 0, 2 * p->latent, NULL);
  for (int i = 0; i < p->n_hidden; i++) rev[i] = p->hidden[p->n_hidden - 1 - i];
  wg_spec_dense_stack(&lists[1], rev, p->n_hidden, WG_SPEC_RELU, 0, P, WG_SPEC_SIGMOID);
  return WG_OK;
}

static int convvae_widths(int h, int w, int *out) { (void)h; (void)w; out[0] = 32; out[1] = 64; return 2; }

static wg_status convvae_layers(const wg_preset_sizes *p, wg_strbuf *lists) {
  int k = p->n_hidden, f = 1 << k;
  if (k < 1) return wg_fail(WG_ERR_ARG, "config: \"hidden\" of a convvae needs at least one channel width");
  if (p->height % f || p->width % f)
    return wg_fail(WG_ERR_ARG, "config: convvae with %d stages needs height and width divisible by %d, got %dx%d", k, f, p->height, p->width);
  int bh = p->height / f, bw = p->width / f, top = p->hidden[k - 1];
  wg_strbuf *e = &lists[0], *dec = &lists[1];
  wg_strbuf_puts(e, "[");
  for (int j = 0; j < k; j++) {
    wg_spec_conv(e, "conv2d", p->hidden[j], 4, 1, 0);
    wg_strbuf_puts(e, "," WG_SPEC_RELU ",");
  }
  wg_strbuf_printf(e, "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":%d}]", 2 * p->latent);
  wg_strbuf_printf(dec, "[{\"type\":\"dense\",\"units\":%d}," WG_SPEC_RELU ",{\"type\":\"reshape\",\"shape\":[%d,%d,%d]}",
                   top * bh * bw, top, bh, bw);
  for (int j = k - 2; j >= 0; j--) {
    wg_strbuf_puts(dec, ",");
    wg_spec_conv(dec, "conv_transpose2d", p->hidden[j], 4, 1, 0);
    wg_strbuf_puts(dec, "," WG_SPEC_RELU);
  }
  wg_strbuf_puts(dec, ",");
  wg_spec_conv(dec, "conv_transpose2d", p->channels, 4, 1, 0);
  wg_strbuf_puts(dec, "," WG_SPEC_SIGMOID "]");
  return WG_OK;
}

static const wg_preset_def vae_presets[] = {
  {"vae", "MLP VAE (400 hidden, latent 20)", 20, 0.f, 0, wg__vae_mlp_widths, NULL, 0, wg__vae_mlp_layers},
  {"convvae", "conv VAE (conv 32-64, latent 16)", 16, 0.f, 0, convvae_widths, NULL, 0, convvae_layers},
};

static const char *const vae_eval_names[] = {"loss", "recon", "kl", NULL};

const wg_family wg_family_vae = {
  .name = "vae",
  .tiny_config = "{\"model\":\"vae\",\"height\":4,\"width\":3,\"latent\":2,\"hidden\":[5],\"seed\":4}",
  .n_roles = 2,
  .roles = {{"encoder", "encoder"}, {"decoder", "decoder"}},
  .n_losses = 3,
  .losses = {{"loss", "loss"}, {"recon", "loss"}, {"kl", "loss"}},
  .minimises = {0, 0},
  .caps = WG_CAP_SAMPLE | WG_CAP_ENCODE,
  .generator = 1,
  .lr = 1e-3f, .beta1 = 0.9f,
  .image_scale = 1.f, .image_shift = 0.f,
  .presets = vae_presets, .n_presets = 2,
  .eval_names = vae_eval_names,
  .net_input = vae_net_input,
  .check = wg__vae_check,
  .step = vae_step,
  .generate = wg__vae_generate,
  .encode = wg__vae_encode,
  .evaluate = wg__vae_evaluate,
};
