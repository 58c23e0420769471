/* presets.h — the named architectures, written as layer-list JSON.
 *
 * Presets and user-defined architectures take the same path (JSON layer lists -> wg_net_build),
 * so a preset is only a generator of text:
 *   gan      classic MLP GAN: G z -> 256 -> 512 -> 1024 -> image (LeakyReLU 0.2, BatchNorm 0.8, tanh);
 *            D image -> 512 -> 256 -> 1 logit (LeakyReLU 0.2).
 *   vae      MLP VAE: encoder image -> 400 -> 2*latent; decoder latent -> 400 -> image (sigmoid).
 *   dcgan    DCGAN: G dense -> BN -> ReLU -> (F0, h/2^k, w/2^k) -> [convT 5x5 s2 -> BN -> ReLU]...
 *            -> convT 5x5 s2 -> tanh; D conv 5x5 s2 + LeakyReLU 0.2 per stage -> flatten -> dense 1.
 *            28x28 uses k = 2 (7 -> 14 -> 28); 32x32 k = 2 (8 -> ...); 64x64 k = 3.
 *   convvae  conv VAE: encoder conv 4x4 s2 (32) -> conv 4x4 s2 (64) -> flatten -> dense 2*latent;
 *            decoder dense -> (64, h/4, w/4) -> convT 4x4 s2 (32) -> convT 4x4 s2 -> sigmoid.
 *
 *   wg_preset p = {...};  wg_strbuf a = {0}, b = {0};
 *   if (wg_preset_layers(&p, &a, &b) == WG_OK) ...   // a: G/encoder, b: D/decoder
 */
#ifndef WG_PRESETS_H
#define WG_PRESETS_H
#include "error.h"
#include "json.h"

typedef enum { WG_PRESET_GAN, WG_PRESET_VAE, WG_PRESET_DCGAN, WG_PRESET_CONVVAE } wg_preset_kind;

typedef struct {
  wg_preset_kind kind;
  int height, width, channels, latent;
  const int *hidden; int n_hidden;   /* MLP widths, or conv channel widths (G / encoder order) */
  const int *disc; int n_disc;       /* gan: discriminator widths */
} wg_preset;

/* Default widths for a preset and image size (hidden into `out`, returns the count). */
int wg_preset_default_widths(wg_preset_kind kind, int height, int width, int *out);
int wg_preset_default_latent(wg_preset_kind kind);
/* Writes the two layer lists. Fails with a clear message when the image size does not suit the
 * preset (e.g. dcgan needs sides divisible by 4). */
wg_status wg_preset_layers(const wg_preset *p, wg_strbuf *first, wg_strbuf *second);

#endif
