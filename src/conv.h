/* conv.h — spatial layers on NCHW float32 tensors: convolution, transposed convolution,
 * instance norm, 2× upsampling, padding and average pooling; forward/backward side by side.
 *
 * Conventions as in layers.h: outputs, inputs, weights, sizes; backward ADDS into parameter
 * gradients and WRITES the input gradient (NULL skips it). Weights use PyTorch's layouts:
 * Conv2d (OC, IC, KH, KW), ConvTranspose2d (IC, OC, KH, KW). Convolutions lower to the packed
 * GEMM through im2col/col2im over chunks of the batch; chunking keeps scratch memory bounded
 * and does not change results (GEMM accumulates in increasing k across chunks). Scratch comes
 * from the caller's arena and is handed back before returning. The four convolution functions
 * return WG_ERR_NOMEM when the scratch cannot be had, else WG_OK.
 *
 *   wg_conv_geom g = {IC, H, W, OC, OH, OW, KH, KW, SH, SW, PH, PW};
 *   wg_conv2d_forward(y, x, w, b, B, &g, &arena);
 *   wg_conv2d_backward(dx, dw, db, dy, x, w, B, &g, &arena);
 */
#ifndef WG_CONV_H
#define WG_CONV_H
#include "arena.h"
#include "error.h"

/* Geometry of a (transposed) convolution. For conv2d, (ic, h, w) is the input and (oc, oh, ow)
 * the output; for the transposed convolution the roles are swapped the same way PyTorch does:
 * its input is (ic, h, w) = the "output" side of the equivalent conv. */
typedef struct {
  int ic, h, w;       /* input channels and size */
  int oc, oh, ow;     /* output channels and size */
  int kh, kw, sh, sw, ph, pw;
} wg_conv_geom;

/* y (B, OC, OH, OW) = conv(x (B, IC, H, W), w (OC, IC, KH, KW)) + b (OC or NULL). */
wg_status wg_conv2d_forward(float *y, const float *x, const float *w, const float *b, int B,
                            const wg_conv_geom *g, wg_arena *scratch);
wg_status wg_conv2d_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                             const float *w, int B, const wg_conv_geom *g, wg_arena *scratch);

/* y (B, OC, OH, OW) = conv_transpose(x (B, IC, H, W), w (IC, OC, KH, KW)) + b, where
 * OH = (H-1)*SH - 2*PH + KH + output_padding (the caller computes OH/OW). */
wg_status wg_conv_transpose2d_forward(float *y, const float *x, const float *w, const float *b,
                                      int B, const wg_conv_geom *g, wg_arena *scratch);
wg_status wg_conv_transpose2d_backward(float *dx, float *dw, float *db, const float *dy,
                                       const float *x, const float *w, int B,
                                       const wg_conv_geom *g, wg_arena *scratch);

/* Instance norm over each (image, channel) plane of S values; gamma/beta per channel or NULL.
 * Saves xhat (B, C, S) and invstd (B, C) for backward. */
void wg_instancenorm_forward(float *y, float *xhat, float *invstd, const float *x,
                             const float *gamma, const float *beta, int B, int C, int S, float eps);
void wg_instancenorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                              const float *xhat, const float *invstd, const float *gamma, int B,
                              int C, int S);

/* 2× upsampling of (N planes of H×W) to 2H×2W: nearest, or bilinear with PyTorch's
 * align_corners=False sampling. N = batch × channels. */
void wg_upsample_nearest2x_forward(float *y, const float *x, int N, int H, int W);
void wg_upsample_nearest2x_backward(float *dx, const float *dy, int N, int H, int W);
void wg_upsample_bilinear2x_forward(float *y, const float *x, int N, int H, int W);
void wg_upsample_bilinear2x_backward(float *dx, const float *dy, int N, int H, int W);

/* Spatial padding of N planes of H×W by ph rows above and below and pw columns left and right:
 * zeros, the mirror image without the edge (PyTorch's ReflectionPad2d: needs ph < H, pw < W), or
 * copies of the edge (ReplicationPad2d). Backward adds every padded cell's gradient to the cell
 * it copies, so dx is written in full. */
typedef enum { WG_PAD_ZERO = 0, WG_PAD_REFLECT = 1, WG_PAD_REPLICATE = 2 } wg_pad_mode;
void wg_pad2d_forward(float *y, const float *x, int N, int H, int W, int ph, int pw, wg_pad_mode mode);
void wg_pad2d_backward(float *dx, const float *dy, int N, int H, int W, int ph, int pw, wg_pad_mode mode);

/* Average pooling with zero padding counted in the divisor (PyTorch's count_include_pad=True):
 * the divisor is the window clipped to the padded input. N planes of H×W -> OH×OW. */
void wg_avgpool2d_forward(float *y, const float *x, int N, int H, int W, int OH, int OW, int KH,
                          int KW, int SH, int SW, int PH, int PW);
void wg_avgpool2d_backward(float *dx, const float *dy, int N, int H, int W, int OH, int OW,
                           int KH, int KW, int SH, int SW, int PH, int PW);

#endif
