/* layerspec.h — writers of layer-list JSON that the family presets share.
 *
 * A preset is only a generator of text: presets and user-defined architectures take the same path
 * (JSON layer lists -> wg_net_build).
 *
 *   wg_strbuf sb = {0};
 *   int hidden[] = {256, 512};
 *   wg_spec_dense_stack(&sb, hidden, 2, WG_SPEC_LRELU, 0.8, 784, WG_SPEC_TANH);
 *   // [{"type":"dense","units":256},{"type":"leaky_relu","slope":0.2},{"type":"batchnorm",...},...]
 */
#ifndef WG_LAYERSPEC_H
#define WG_LAYERSPEC_H
#include "json.h"

#define WG_SPEC_LRELU "{\"type\":\"leaky_relu\",\"slope\":0.2}"
#define WG_SPEC_RELU "{\"type\":\"relu\"}"
#define WG_SPEC_TANH "{\"type\":\"tanh\"}"
#define WG_SPEC_SIGMOID "{\"type\":\"sigmoid\"}"

/* [dense(h0), act, (batchnorm), dense(h1), ..., dense(out), (final_act)]; batch norm after each
 * hidden activation when bn_momentum > 0; final_act may be NULL. */
void wg_spec_dense_stack(wg_strbuf *sb, const int *hidden, int n_hidden, const char *act,
                         double bn_momentum, int out, const char *final_act);
/* One stride-2 convolution object (no brackets): type "conv2d" or "conv_transpose2d". */
void wg_spec_conv(wg_strbuf *sb, const char *type, int out, int k, int pad, int out_pad);
/* Upsampling stages of the DCGAN generator: the smallest k with side / 2^k <= 8. */
int wg_spec_dcgan_stages(int height, int width);

#endif
