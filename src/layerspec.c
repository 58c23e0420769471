/* layerspec.c — layer-list JSON writers for presets (see layerspec.h). */
#include "layerspec.h"

void wg_spec_dense_stack(wg_strbuf *sb, const int *hidden, int n_hidden, const char *act,
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

void wg_spec_conv(wg_strbuf *sb, const char *type, int out, int k, int pad, int out_pad) {
  wg_strbuf_printf(sb, "{\"type\":\"%s\",\"out_channels\":%d,\"kernel\":%d,\"stride\":2,\"padding\":%d",
                   type, out, k, pad);
  if (out_pad) wg_strbuf_printf(sb, ",\"output_padding\":%d", out_pad);
  wg_strbuf_puts(sb, "}");
}

int wg_spec_dcgan_stages(int height, int width) {
  int side = height > width ? height : width, k = 1;
  while ((side >> k) > 8) k++;
  return k;
}
