/* net.h — a network as data: an ordered list of layers over flat parameter buffers.
 *
 * A net is built from a JSON array of layer specs (the same config the JS API, CLI and page use):
 *   [{"type":"dense","units":256}, {"type":"leaky_relu","slope":0.2},
 *    {"type":"batchnorm","momentum":0.8}, {"type":"dropout","p":0.3}, {"type":"tanh"},
 *    {"type":"pad","padding":3,"mode":"reflect"}, {"type":"reshape","shape":[16,7,7]}, {"type":"conv_transpose2d","out_channels":8,"kernel":5,
 *     "stride":2,"padding":2,"output_padding":1}, {"type":"conv2d",...}, {"type":"flatten"}, ...]
 * Layers track (C, H, W) shapes; dense flattens its input implicitly. {"type":"add","from":J}
 * adds the output of earlier layer J (same shape) to its input: a residual connection.
 * Parameters, gradients and optimizer moments live in one allocation each, carved by the layer
 * table; batch-norm running statistics live in `state`. Parameters are named as PyTorch's
 * nn.Sequential state_dict would name them ("G.0.weight", "G.2.running_mean"), so checkpoints load
 * into the equivalent PyTorch module.
 *
 * Forward fills a frame (saved activations, from the caller's arena) that backward consumes, so one
 * net can run several times in a step (e.g. the discriminator on real and on fake images).
 *
 *   wg_net net;
 *   if (wg_net_build(&net, "G", spec, in_features) != WG_OK) ...;
 *   wg_net_init_params(&net, &init_rng);
 *   wg_frame fr;
 *   float *y = wg_net_forward(&net, &arena, &fr, x, batch, 1, &dropout_rng);
 *   wg_net_backward(&net, &arena, &fr, dy, dx_or_NULL, 1);   // adds into net.grads
 */
#ifndef WG_NET_H
#define WG_NET_H
#include <stddef.h>
#include "arena.h"
#include "error.h"
#include "json.h"
#include "optim.h"
#include "rng.h"

typedef enum {
  WG_LAYER_DENSE, WG_LAYER_RELU, WG_LAYER_LEAKY_RELU, WG_LAYER_TANH, WG_LAYER_SIGMOID,
  WG_LAYER_BATCHNORM, WG_LAYER_DROPOUT, WG_LAYER_CONV2D, WG_LAYER_CONV_TRANSPOSE2D,
  WG_LAYER_INSTANCENORM, WG_LAYER_UPSAMPLE, WG_LAYER_AVGPOOL, WG_LAYER_RESHAPE, WG_LAYER_FLATTEN,
  WG_LAYER_ADD, WG_LAYER_PAD
} wg_layer_kind;

typedef struct {
  wg_layer_kind kind;
  int in_features, out_features;   /* per example: C*H*W */
  int in_c, in_h, in_w, out_c, out_h, out_w;   /* shapes; a flat vector is (features, 1, 1) */
  float slope;                     /* leaky_relu */
  float momentum, eps;             /* batchnorm, instancenorm (eps) */
  float p;                         /* dropout probability */
  int kh, kw, sh, sw, ph, pw;      /* conv, conv_transpose, avgpool */
  int oph, opw;                    /* conv_transpose output padding */
  int bilinear;                    /* upsample: 0 nearest, 1 bilinear */
  int affine;                      /* instancenorm with gamma/beta */
  int pad_mode;                    /* pad: wg_pad_mode (conv.h); sizes in ph, pw */
  int from;                        /* add: the output of layer `from` is added (a residual skip) */
  int output_read_later;           /* a later add reads this layer's output: keep it intact */
  size_t w_off, b_off;             /* into params/grads; weight (OUT, IN) or gamma (C); bias or beta */
  size_t n_w, n_b;                 /* counts; 0 when the layer has none */
  size_t stat_off;                 /* batchnorm: running mean then running var (C each) in state */
} wg_layer;

#define WG_MAX_LAYERS 64

typedef struct {
  char name[16];                   /* prefix of parameter names, e.g. "G" */
  int n_layers;
  wg_layer layers[WG_MAX_LAYERS];
  int in_features, out_features;
  size_t n_params;
  float *params, *grads, *opt_m, *opt_v;   /* (n_params) each */
  size_t n_state;
  float *state;                            /* (n_state) running statistics */
  wg_optim_state opt_state;
} wg_net;

typedef struct {
  int batch;
  float *acts[WG_MAX_LAYERS + 1];  /* acts[i] = input of layer i (B, in_features); acts[n] = output */
  float *aux[WG_MAX_LAYERS];       /* batch/instance norm: xhat then invstd; dropout: mask */
} wg_frame;

/* Parses the layer list for inputs of shape (C, H, W) — a flat vector is (features, 1, 1) — and
 * allocates zeroed buffers. On error nothing stays allocated. */
wg_status wg_net_build(wg_net *net, const char *name, const wg_json *spec, int in_c, int in_h,
                       int in_w);
/* At most 2^28 parameters per net; wg_net_build_capped also fails with WG_ERR_MISMATCH, before
 * allocating anything, when the layers hold more than max_params. */
#define WG_NET_MAX_PARAMS ((size_t)1 << 28)
wg_status wg_net_build_capped(wg_net *net, const char *name, const wg_json *spec, int in_c,
                              int in_h, int in_w, size_t max_params);
void wg_net_free(wg_net *net);
/* PyTorch's defaults: Linear weights and biases U(-1/sqrt(in), 1/sqrt(in)); BN gamma 1, beta 0,
 * running mean 0, running var 1. */
void wg_net_init_params(wg_net *net, wg_rng *rng);
/* The DCGAN paper's initialisation (Radford et al. 2015): dense and conv weights N(0, std), biases
 * 0, batch/instance-norm scales N(1, std) and shifts 0. */
void wg_net_init_normal(wg_net *net, wg_rng *rng, float std);
/* Writes the canonical JSON of the layer list (defaults filled in) to sb. */
void wg_net_spec_json(const wg_net *net, wg_strbuf *sb);

/* Returns the output (B, out_features) or NULL when the arena is out of memory. `upto` limits the
 * pass to the first `upto` layers (use net->n_layers for all). */
float *wg_net_forward(wg_net *net, wg_arena *arena, wg_frame *fr, const float *x, int batch,
                      int training, wg_rng *dropout_rng, int upto);
/* Backpropagates dy through the layers the frame saw. Adds parameter gradients when
 * param_grads != 0; writes dx (B, in_features) when not NULL. Returns WG_ERR_NOMEM on arena
 * exhaustion. */
wg_status wg_net_backward(wg_net *net, wg_arena *arena, const wg_frame *fr, int upto,
                          const float *dy, float *dx, int param_grads);
void wg_net_zero_grads(wg_net *net);
void wg_net_update(wg_net *net, const wg_optim_config *cfg);

/* Name of parameter/state tensor k of layer i ("G.0.weight" ...) for checkpoints. */
typedef struct { const char *suffix; float *data; size_t count; int rank; long long shape[4]; } wg_tensor_ref;
/* Fills up to 4 tensor refs of layer i (weight, bias, running_mean, running_var) and returns the count. */
int wg_net_layer_tensors(const wg_net *net, int i, wg_tensor_ref *out);

#endif
