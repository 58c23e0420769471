/* presets.c — layer lists of the named architectures (see presets.h). */
#include "presets.h"
#include <string.h>

#define LRELU "{\"type\":\"leaky_relu\",\"slope\":0.2}"
#define RELU "{\"type\":\"relu\"}"

/* Upsampling stages of the DCGAN generator: the smallest k with side/2^k <= 8. */
static int wg__dcgan_stages(int height, int width) {
  int side = height > width ? height : width, k = 1;
  while ((side >> k) > 8) k++;
  return k;
}

int wg_preset_default_widths(wg_preset_kind kind, int height, int width, int *out) {
  switch (kind) {
    case WG_PRESET_GAN: out[0] = 256; out[1] = 512; out[2] = 1024; return 3;
    case WG_PRESET_VAE: out[0] = 400; return 1;
    case WG_PRESET_CONVVAE: out[0] = 32; out[1] = 64; return 2;
    case WG_PRESET_DCGAN: {
      int k = wg__dcgan_stages(height, width);
      for (int j = 0; j < k; j++) out[j] = 64 << (k - 1 - j);   /* e.g. 128, 64 */
      return k;
    }
  }
  return 0;
}

int wg_preset_default_latent(wg_preset_kind kind) {
  return kind == WG_PRESET_GAN || kind == WG_PRESET_DCGAN ? 100 : kind == WG_PRESET_VAE ? 20 : 16;
}

static void wg__dense_stack(wg_strbuf *sb, const int *hidden, int n_hidden, const char *act,
                            double bn_momentum, int out, const char *final_act) {
  wg_strbuf_puts(sb, "[");
  for (int i = 0; i < n_hidden; i++) {
    wg_strbuf_printf(sb, "{\"type\":\"dense\",\"units\":%d},%s", hidden[i], act);
    if (bn_momentum > 0) wg_strbuf_printf(sb, ",{\"type\":\"batchnorm\",\"momentum\":%g}", bn_momentum);
    wg_strbuf_puts(sb, ",");
  }
  wg_strbuf_printf(sb, "{\"type\":\"dense\",\"units\":%d}", out);
  if (final_act) wg_strbuf_printf(sb, ",%s", final_act);
  wg_strbuf_puts(sb, "]");
}

static void wg__conv(wg_strbuf *sb, const char *type, int out, int k, int pad, int out_pad) {
  wg_strbuf_printf(sb, "{\"type\":\"%s\",\"out_channels\":%d,\"kernel\":%d,\"stride\":2,\"padding\":%d",
                   type, out, k, pad);
  if (out_pad) wg_strbuf_printf(sb, ",\"output_padding\":%d", out_pad);
  wg_strbuf_puts(sb, "}");
}

static wg_status wg__dcgan(const wg_preset *p, wg_strbuf *g, wg_strbuf *d) {
  int k = p->n_hidden, f = 1 << k;
  if (p->height % f || p->width % f)
    return wg_fail(WG_ERR_ARG, "config: dcgan with %d upsampling stages needs height and width divisible by %d, got %dx%d (e.g. 28, 32 or 64)", k, f, p->height, p->width);
  int bh = p->height / f, bw = p->width / f;
  /* Batch norm on the flat dense output (per feature, as the TF DCGAN tutorial): per-channel
   * statistics over the 7x7 map would keep the dense bias's z-independent pattern and make the
   * samples look alike. */
  wg_strbuf_printf(g, "[{\"type\":\"dense\",\"units\":%d},{\"type\":\"batchnorm\"}," RELU
                   ",{\"type\":\"reshape\",\"shape\":[%d,%d,%d]}", p->hidden[0] * bh * bw, p->hidden[0], bh, bw);
  for (int j = 1; j < k; j++) {
    wg_strbuf_puts(g, ",");
    wg__conv(g, "conv_transpose2d", p->hidden[j], 5, 2, 1);
    wg_strbuf_puts(g, ",{\"type\":\"batchnorm\"}," RELU);
  }
  wg_strbuf_puts(g, ",");
  wg__conv(g, "conv_transpose2d", p->channels, 5, 2, 1);
  wg_strbuf_puts(g, ",{\"type\":\"tanh\"}]");
  wg_strbuf_puts(d, "[");
  for (int j = k - 1; j >= 0; j--) {
    wg__conv(d, "conv2d", p->hidden[j], 5, 2, 0);   /* padding 2: 5x5 at stride 2 halves the side */
    wg_strbuf_puts(d, "," LRELU ",");
  }
  wg_strbuf_puts(d, "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":1}]");
  return WG_OK;
}

static wg_status wg__convvae(const wg_preset *p, wg_strbuf *e, wg_strbuf *dec) {
  int k = p->n_hidden, f = 1 << k;
  if (p->height % f || p->width % f)
    return wg_fail(WG_ERR_ARG, "config: convvae with %d stages needs height and width divisible by %d, got %dx%d", k, f, p->height, p->width);
  int bh = p->height / f, bw = p->width / f, top = p->hidden[k - 1];
  wg_strbuf_puts(e, "[");
  for (int j = 0; j < k; j++) {
    wg__conv(e, "conv2d", p->hidden[j], 4, 1, 0);
    wg_strbuf_puts(e, "," RELU ",");
  }
  wg_strbuf_printf(e, "{\"type\":\"flatten\"},{\"type\":\"dense\",\"units\":%d}]", 2 * p->latent);
  wg_strbuf_printf(dec, "[{\"type\":\"dense\",\"units\":%d}," RELU ",{\"type\":\"reshape\",\"shape\":[%d,%d,%d]}",
                   top * bh * bw, top, bh, bw);
  for (int j = k - 2; j >= 0; j--) {
    wg_strbuf_puts(dec, ",");
    wg__conv(dec, "conv_transpose2d", p->hidden[j], 4, 1, 0);
    wg_strbuf_puts(dec, "," RELU);
  }
  wg_strbuf_puts(dec, ",");
  wg__conv(dec, "conv_transpose2d", p->channels, 4, 1, 0);
  wg_strbuf_puts(dec, ",{\"type\":\"sigmoid\"}]");
  return WG_OK;
}

wg_status wg_preset_layers(const wg_preset *p, wg_strbuf *first, wg_strbuf *second) {
  int P = p->height * p->width * p->channels;
  wg_status st = WG_OK;
  switch (p->kind) {
    case WG_PRESET_GAN:
      wg__dense_stack(first, p->hidden, p->n_hidden, LRELU, 0.8, P, "{\"type\":\"tanh\"}");
      wg__dense_stack(second, p->disc, p->n_disc, LRELU, 0, 1, NULL);
      break;
    case WG_PRESET_VAE: {
      wg__dense_stack(first, p->hidden, p->n_hidden, RELU, 0, 2 * p->latent, NULL);
      int rev[16];
      for (int i = 0; i < p->n_hidden; i++) rev[i] = p->hidden[p->n_hidden - 1 - i];
      wg__dense_stack(second, rev, p->n_hidden, RELU, 0, P, "{\"type\":\"sigmoid\"}");
      break;
    }
    case WG_PRESET_DCGAN: st = wg__dcgan(p, first, second); break;
    case WG_PRESET_CONVVAE: st = wg__convvae(p, first, second); break;
  }
  if (!st && (first->failed || second->failed)) st = wg_fail(WG_ERR_NOMEM, "out of memory");
  return st;
}
