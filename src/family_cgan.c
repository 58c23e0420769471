/* family_cgan.c — conditional MLP GAN: the classic recipe with the class as a one-hot row joined
 * to z (G's input is [z, one-hot]) and to the flattened image (D's input is [x, one-hot]).
 * Losses, training and layer lists are the GAN's (family_gan.c).
 *
 *   cgan     G [z, y] -> 256 -> 512 -> 1024 -> image (tanh); D [x, y] -> 512 -> 256 -> 1 logit.
 */
#include "model_internal.h"


static wg_status cgan_step(wg_model *m, const wg_batch *b) { return wg__gan_objective(m, b, WG_JOIN_FLAT); }

static void cgan_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  *c = k == 0 ? m->latent + m->classes : wg_model_image_size(m) + m->classes;
  *h = *w = 1;
}


static const int cgan_disc_widths[] = {512, 256};

static const wg_preset_def cgan_presets[] = {
  {"cgan", "conditional MLP GAN (one-hot class joined to z and to D's input)", 100, 0.f, 1, wg__gan_mlp_widths, cgan_disc_widths, 2, wg__gan_mlp_layers},
};

const wg_family wg_family_cgan = {
  .name = "cgan",
  .tiny_config = "{\"model\":\"cgan\",\"height\":4,\"width\":3,\"latent\":3,\"classes\":3,\"hidden\":[5],\"disc_hidden\":[6],\"seed\":5}",
  .n_roles = 2,
  .roles = {{"G", "generator"}, {"D", "discriminator"}},
  .n_losses = 4,
  .losses = {{"d_loss", "loss"}, {"g_loss", "loss"}, {"d_real", "D output"}, {"d_fake", "D output"}},
  .minimises = {1, 0},
  .caps = WG_CAP_SAMPLE | WG_CAP_CLASSES,
  .generator = 0,
  .lr = 2e-4f, .beta1 = 0.5f,
  .image_scale = 2.f, .image_shift = -1.f,
  .presets = cgan_presets, .n_presets = 1,
  .net_input = cgan_net_input,
  .check = wg__gan_check,
  .step = cgan_step,
  .generate = wg__gan_generate,
};
