/* family_cvae.c — conditional VAE: the class one-hot joined to the encoder's input ([x, y]) and
 * to the latent ([z, y]) at the decoder's input. Losses (loss, recon, kl), training and the
 * evaluation are the VAE's (family_vae.c).
 *
 *   cvae     encoder [x, y] -> 400 -> 2*latent; decoder [z, y] -> 400 -> image (sigmoid).
 */
#include "model_internal.h"


static wg_status cvae_step(wg_model *m, const wg_batch *b) { return wg__vae_objective(m, b, WG_JOIN_FLAT); }

static void cvae_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  *c = k == 0 ? wg_model_image_size(m) + m->classes : m->latent + m->classes;
  *h = *w = 1;
}

static const wg_preset_def cvae_presets[] = {
  {"cvae", "conditional MLP VAE (one-hot class joined to the input and to the latent)", 20, 0.f, 0, wg__vae_mlp_widths, NULL, 0, wg__vae_mlp_layers},
};

static const char *const cvae_eval_names[] = {"loss", "recon", "kl", NULL};

const wg_family wg_family_cvae = {
  .name = "cvae",
  .tiny_config = "{\"model\":\"cvae\",\"height\":4,\"width\":3,\"latent\":2,\"classes\":3,\"hidden\":[5],\"seed\":7}",
  .n_roles = 2,
  .roles = {{"encoder", "encoder"}, {"decoder", "decoder"}},
  .n_losses = 3,
  .losses = {{"loss", "loss"}, {"recon", "loss"}, {"kl", "loss"}},
  .minimises = {0, 0},
  .caps = WG_CAP_SAMPLE | WG_CAP_ENCODE | WG_CAP_CLASSES,
  .generator = 1,
  .lr = 1e-3f, .beta1 = 0.9f,
  .image_scale = 1.f, .image_shift = 0.f,
  .presets = cvae_presets, .n_presets = 1,
  .eval_names = cvae_eval_names,
  .net_input = cvae_net_input,
  .check = wg__vae_check,
  .step = cvae_step,
  .generate = wg__vae_generate,
  .encode = wg__vae_encode,
  .evaluate = wg__vae_evaluate,
};
