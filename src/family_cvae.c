/* family_cvae.c — conditional VAE: the class one-hot joined to the encoder's input ([x, y]) and
 * to the latent ([z, y]) at the decoder's input. Losses (loss, recon, kl), training and the
 * evaluation are the VAE's (family_vae.c).
 *
 *   cvae     encoder [x, y] -> 400 -> 2*latent; decoder [z, y] -> 400 -> image (sigmoid); latent 2.
 */
#include "model_internal.h"


static wg_status cvae_step(wg_model *m, const wg_batch *b) { return wg__vae_objective(m, b, WG_JOIN_FLAT); }

static void cvae_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  *c = k == 0 ? wg_model_image_size(m) + m->classes : m->latent + m->classes;
  *h = *w = 1;
}

static const wg_preset_def cvae_presets[] = {
  /* Latent 2: with 20 dimensions the encoder, which sees the image, puts the class into z, the
   * decoder reads it from there and prior samples ignore the label asked for (25% of samples
   * judged as their class after 650 steps, against 95% with latent 2 after 1,600, seed 1). */
  {"cvae", "conditional MLP VAE (one-hot class joined to the input and to the latent; latent 2)", 2, 0.f, 0, wg__vae_mlp_widths, NULL, 0, wg__vae_mlp_layers},
};

static const char *const cvae_eval_names[] = {"loss", "recon", "kl", NULL};

const wg_family wg_family_cvae = {
  .name = "cvae",
  WG_VAE_FAMILY_FIELDS,
  .tiny_config = "{\"model\":\"cvae\",\"height\":4,\"width\":3,\"latent\":2,\"classes\":3,\"hidden\":[5],\"seed\":7}",
  .caps = WG_CAP_SAMPLE | WG_CAP_ENCODE | WG_CAP_CLASSES,
  .presets = cvae_presets, .n_presets = 1,
  .eval_names = cvae_eval_names,
  .net_input = cvae_net_input,
  .step = cvae_step,
};
