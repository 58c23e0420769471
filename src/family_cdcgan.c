/* family_cdcgan.c — conditional DCGAN: the class one-hot joined to z at G's input, and given to
 * D as constant label planes beside the image channels (D's input is (C + classes, H, W)).
 * Losses and training are the GAN's (family_gan.c), layer lists the DCGAN's.
 *
 *   cdcgan   G [z, y] -> dense -> BN -> ReLU -> reshape -> convT 5x5 s2 ... -> tanh;
 *            D [x, planes(y)] -> conv 5x5 s2 + LeakyReLU per stage -> flatten -> dense 1.
 */
#include "model_internal.h"


static wg_status cdcgan_step(wg_model *m, const wg_batch *b) { return wg__gan_objective(m, b, WG_JOIN_PLANES); }

static void cdcgan_net_input(const wg_model *m, int k, int *c, int *h, int *w) {
  if (k == 0) { *c = m->latent + m->classes; *h = *w = 1; }
  else { *c = m->channels + m->classes; *h = m->height; *w = m->width; }
}

static const wg_preset_def cdcgan_presets[] = {
  {"cdcgan", "conditional DCGAN (one-hot at G's input, label planes at D's)", 100, 0.02f, 0, wg__dcgan_widths, NULL, 0, wg__dcgan_layers},
};

const wg_family wg_family_cdcgan = {
  .name = "cdcgan",
  .tiny_config = "{\"model\":\"cdcgan\",\"height\":4,\"width\":4,\"latent\":3,\"classes\":3,\"hidden\":[3],\"seed\":6}",
  .n_roles = 2,
  .roles = {{"G", "generator"}, {"D", "discriminator"}},
  .n_losses = 4,
  .losses = {{"d_loss", "loss"}, {"g_loss", "loss"}, {"d_real", "D output"}, {"d_fake", "D output"}},
  .minimises = {1, 0},
  .caps = WG_CAP_SAMPLE | WG_CAP_CLASSES,
  .generator = 0,
  .lr = 2e-4f, .beta1 = 0.5f,
  .image_scale = 2.f, .image_shift = -1.f,
  .presets = cdcgan_presets, .n_presets = 1,
  .net_input = cdcgan_net_input,
  .check = wg__gan_check,
  .step = cdcgan_step,
  .generate = wg__gan_generate,
};
