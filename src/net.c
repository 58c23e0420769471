/* net.c — building a net from its JSON layer list, and running it forward and backward. */
#include "net.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "layers.h"

typedef struct { const char *name; wg_layer_kind kind; } wg__kind_name;
static const wg__kind_name wg__kinds[] = {
  {"dense", WG_LAYER_DENSE}, {"relu", WG_LAYER_RELU}, {"leaky_relu", WG_LAYER_LEAKY_RELU},
  {"tanh", WG_LAYER_TANH}, {"sigmoid", WG_LAYER_SIGMOID}, {"batchnorm", WG_LAYER_BATCHNORM},
  {"dropout", WG_LAYER_DROPOUT},
};
#define WG__N_KINDS (int)(sizeof wg__kinds / sizeof wg__kinds[0])

static const char *wg__kind_str(wg_layer_kind k) {
  for (int i = 0; i < WG__N_KINDS; i++) if (wg__kinds[i].kind == k) return wg__kinds[i].name;
  return "?";
}

static wg_status wg__parse_layer(wg_layer *L, const wg_json *spec, const char *where, int in) {
  if (!spec || spec->type != WG_JSON_OBJECT)
    return wg_fail(WG_ERR_ARG, "%s: each layer must be an object like {\"type\":\"dense\",\"units\":256}", where);
  const wg_json *type = wg_json_get(spec, "type");
  if (!type || type->type != WG_JSON_STRING)
    return wg_fail(WG_ERR_ARG, "%s: missing \"type\" (one of dense, relu, leaky_relu, tanh, sigmoid, batchnorm, dropout)", where);
  int found = 0;
  for (int i = 0; i < WG__N_KINDS; i++)
    if (strcmp(type->string, wg__kinds[i].name) == 0) { L->kind = wg__kinds[i].kind; found = 1; }
  if (!found)
    return wg_fail(WG_ERR_ARG, "%s: unknown layer type \"%s\" (expected dense, relu, leaky_relu, tanh, sigmoid, batchnorm or dropout)", where, type->string);
  L->in_features = in;
  L->out_features = in;
  wg_cfg c = {spec, where};
  wg_status st = WG_OK;
  double v;
  switch (L->kind) {
    case WG_LAYER_DENSE: {
      const char *keys[] = {"type", "units", "bias", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_int(&c, "units", -1, 1, 1 << 20, &v))) return st;
      if (v < 0) return wg_fail(WG_ERR_ARG, "%s: dense layer needs \"units\"", where);
      L->out_features = (int)v;
      int bias = 1;
      if ((st = wg_cfg_bool(&c, "bias", 1, &bias))) return st;
      L->n_w = (size_t)in * (size_t)L->out_features;
      L->n_b = bias ? (size_t)L->out_features : 0;
      break;
    }
    case WG_LAYER_LEAKY_RELU: {
      const char *keys[] = {"type", "slope", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_num(&c, "slope", 0.2, 0.0, 1.0, &v))) return st;
      L->slope = (float)v;
      break;
    }
    case WG_LAYER_BATCHNORM: {
      const char *keys[] = {"type", "momentum", "eps", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_num(&c, "momentum", 0.9, 0.0, 0.99999, &v))) return st;
      L->momentum = (float)v;
      if ((st = wg_cfg_num(&c, "eps", 1e-5, 1e-12, 1.0, &v))) return st;
      L->eps = (float)v;
      L->n_w = L->n_b = (size_t)in;
      break;
    }
    case WG_LAYER_DROPOUT: {
      const char *keys[] = {"type", "p", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_num(&c, "p", 0.5, 0.0, 0.99, &v))) return st;
      L->p = (float)v;
      break;
    }
    default: {
      const char *keys[] = {"type", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
    }
  }
  return WG_OK;
}

wg_status wg_net_build(wg_net *net, const char *name, const wg_json *spec, int in_features) {
  memset(net, 0, sizeof *net);
  snprintf(net->name, sizeof net->name, "%s", name);
  if (!spec || spec->type != WG_JSON_ARRAY || spec->length == 0)
    return wg_fail(WG_ERR_ARG, "config: \"%s\" must be a non-empty array of layers", name);
  if (spec->length > WG_MAX_LAYERS)
    return wg_fail(WG_ERR_ARG, "config: \"%s\" has %zu layers (at most %d)", name, spec->length, WG_MAX_LAYERS);
  int features = in_features;
  size_t n_params = 0, n_state = 0;
  for (size_t i = 0; i < spec->length; i++) {
    char where[64];
    snprintf(where, sizeof where, "config: %s layer %zu", name, i);
    wg_layer *L = &net->layers[i];
    wg_status st = wg__parse_layer(L, &spec->items[i], where, features);
    if (st) return st;
    L->w_off = n_params; n_params += L->n_w;
    L->b_off = n_params; n_params += L->n_b;
    if (L->kind == WG_LAYER_BATCHNORM) { L->stat_off = n_state; n_state += 2 * (size_t)features; }
    if (n_params > ((size_t)1 << 28))
      return wg_fail(WG_ERR_ARG, "config: %s has more than 2^28 parameters", name);
    features = L->out_features;
  }
  net->n_layers = (int)spec->length;
  net->in_features = in_features;
  net->out_features = features;
  net->n_params = n_params;
  net->n_state = n_state;
  size_t np = n_params ? n_params : 1, ns = n_state ? n_state : 1;
  net->params = calloc(np, sizeof(float));
  net->grads = calloc(np, sizeof(float));
  net->opt_m = calloc(np, sizeof(float));
  net->opt_v = calloc(np, sizeof(float));
  net->state = calloc(ns, sizeof(float));
  wg_optim_state_init(&net->opt_state);
  if (!net->params || !net->grads || !net->opt_m || !net->opt_v || !net->state) {
    wg_net_free(net);
    return wg_fail(WG_ERR_NOMEM, "out of memory allocating %zu parameters for %s", n_params, name);
  }
  return WG_OK;
}

void wg_net_free(wg_net *net) {
  free(net->params); free(net->grads); free(net->opt_m); free(net->opt_v); free(net->state);
  net->params = net->grads = net->opt_m = net->opt_v = net->state = NULL;
}

void wg_net_init_params(wg_net *net, wg_rng *rng) {
  for (int i = 0; i < net->n_layers; i++) {
    wg_layer *L = &net->layers[i];
    if (L->kind == WG_LAYER_DENSE) {
      float bound = 1.f / sqrtf((float)L->in_features);
      float *w = net->params + L->w_off, *b = net->params + L->b_off;
      for (size_t k = 0; k < L->n_w; k++) w[k] = (2.f * wg_rng_uniform(rng) - 1.f) * bound;
      for (size_t k = 0; k < L->n_b; k++) b[k] = (2.f * wg_rng_uniform(rng) - 1.f) * bound;
    } else if (L->kind == WG_LAYER_BATCHNORM) {
      for (size_t k = 0; k < L->n_w; k++) net->params[L->w_off + k] = 1.f;
      for (size_t k = 0; k < L->n_b; k++) net->params[L->b_off + k] = 0.f;
      float *mean = net->state + L->stat_off, *var = mean + L->in_features;
      for (int k = 0; k < L->in_features; k++) { mean[k] = 0.f; var[k] = 1.f; }
    }
  }
}

void wg_net_spec_json(const wg_net *net, wg_strbuf *sb) {
  wg_strbuf_puts(sb, "[");
  for (int i = 0; i < net->n_layers; i++) {
    const wg_layer *L = &net->layers[i];
    wg_strbuf_printf(sb, "%s{\"type\":\"%s\"", i ? "," : "", wg__kind_str(L->kind));
    switch (L->kind) {
      case WG_LAYER_DENSE:
        wg_strbuf_printf(sb, ",\"units\":%d", L->out_features);
        if (!L->n_b) wg_strbuf_puts(sb, ",\"bias\":false");
        break;
      case WG_LAYER_LEAKY_RELU: wg_strbuf_puts(sb, ",\"slope\":"); wg_cfg_put_float(sb, L->slope); break;
      case WG_LAYER_BATCHNORM:
        wg_strbuf_puts(sb, ",\"momentum\":"); wg_cfg_put_float(sb, L->momentum);
        wg_strbuf_puts(sb, ",\"eps\":"); wg_cfg_put_float(sb, L->eps);
        break;
      case WG_LAYER_DROPOUT: wg_strbuf_puts(sb, ",\"p\":"); wg_cfg_put_float(sb, L->p); break;
      default: break;
    }
    wg_strbuf_puts(sb, "}");
  }
  wg_strbuf_puts(sb, "]");
}

float *wg_net_forward(wg_net *net, wg_arena *arena, wg_frame *fr, const float *x, int batch,
                      int training, wg_rng *dropout_rng, int upto) {
  fr->batch = batch;
  fr->acts[0] = (float *)x;
  for (int i = 0; i < upto; i++) {
    wg_layer *L = &net->layers[i];
    size_t n_out = (size_t)batch * (size_t)L->out_features;
    int n = (int)n_out;
    float *in = fr->acts[i];
    float *out = wg_arena_floats(arena, n_out);
    if (!out) return NULL;
    fr->aux[i] = NULL;
    float *p = net->params;
    switch (L->kind) {
      case WG_LAYER_DENSE:
        wg_dense_forward(out, in, p + L->w_off, L->n_b ? p + L->b_off : NULL, batch,
                         L->in_features, L->out_features);
        break;
      case WG_LAYER_RELU: wg_relu_forward(out, in, n); break;
      case WG_LAYER_LEAKY_RELU: wg_leaky_relu_forward(out, in, n, L->slope); break;
      case WG_LAYER_TANH: wg_tanh_forward(out, in, n); break;
      case WG_LAYER_SIGMOID: wg_sigmoid_forward(out, in, n); break;
      case WG_LAYER_BATCHNORM: {
        float *mean = net->state + L->stat_off, *var = mean + L->in_features;
        if (training && batch > 1) {
          float *aux = wg_arena_floats(arena, n_out + (size_t)L->in_features);
          if (!aux) return NULL;
          fr->aux[i] = aux;
          wg_batchnorm_forward_train(out, aux, aux + n_out, in, p + L->w_off, p + L->b_off, mean,
                                     var, batch, L->in_features, 1, L->momentum, L->eps);
        } else {
          wg_batchnorm_forward_eval(out, in, p + L->w_off, p + L->b_off, mean, var, batch,
                                    L->in_features, 1, L->eps);
        }
        break;
      }
      case WG_LAYER_DROPOUT:
        if (training && L->p > 0.f) {
          float *mask = wg_arena_floats(arena, n_out);
          if (!mask) return NULL;
          fr->aux[i] = mask;
          wg_dropout_forward(out, mask, in, n, L->p, dropout_rng);
        } else {
          memcpy(out, in, sizeof(float) * n_out);
        }
        break;
    }
    fr->acts[i + 1] = out;
  }
  return fr->acts[upto];
}

wg_status wg_net_backward(wg_net *net, wg_arena *arena, const wg_frame *fr, int upto,
                          const float *dy, float *dx, int param_grads) {
  int batch = fr->batch;
  const float *grad = dy;
  for (int i = upto - 1; i >= 0; i--) {
    wg_layer *L = &net->layers[i];
    size_t n_in = (size_t)batch * (size_t)L->in_features;
    int n = (int)n_in;
    float *din;
    if (i == 0) {
      if (!dx && !param_grads) break;
      din = dx;   /* may be NULL: the first layer then only adds its parameter gradients */
    } else {
      din = wg_arena_floats(arena, n_in);
      if (!din) return wg_fail(WG_ERR_NOMEM, "out of memory in backward pass of %s", net->name);
    }
    const float *in = fr->acts[i], *out = fr->acts[i + 1];
    float *p = net->params, *g = net->grads;
    switch (L->kind) {
      case WG_LAYER_DENSE:
        wg_dense_backward(din, param_grads ? g + L->w_off : NULL,
                          param_grads && L->n_b ? g + L->b_off : NULL, grad, in, p + L->w_off,
                          batch, L->in_features, L->out_features);
        break;
      case WG_LAYER_RELU: if (din) wg_relu_backward(din, grad, in, n); break;
      case WG_LAYER_LEAKY_RELU: if (din) wg_leaky_relu_backward(din, grad, in, n, L->slope); break;
      case WG_LAYER_TANH: if (din) wg_tanh_backward(din, grad, out, n); break;
      case WG_LAYER_SIGMOID: if (din) wg_sigmoid_backward(din, grad, out, n); break;
      case WG_LAYER_BATCHNORM:
        if (!fr->aux[i])
          return wg_fail(WG_ERR_STATE, "backward through batchnorm needs a training-mode forward with batch > 1");
        wg_batchnorm_backward(din, param_grads ? g + L->w_off : NULL,
                              param_grads ? g + L->b_off : NULL, grad, fr->aux[i],
                              fr->aux[i] + n_in, p + L->w_off, batch, L->in_features, 1);
        break;
      case WG_LAYER_DROPOUT:
        if (!din) break;
        if (fr->aux[i]) wg_dropout_backward(din, grad, fr->aux[i], n);
        else memcpy(din, grad, sizeof(float) * n_in);
        break;
    }
    grad = din;
  }
  return WG_OK;
}

void wg_net_zero_grads(wg_net *net) { memset(net->grads, 0, sizeof(float) * net->n_params); }

void wg_net_update(wg_net *net, const wg_optim_config *cfg) {
  wg_optim_step(cfg, &net->opt_state, net->params, net->grads, net->opt_m, net->opt_v, net->n_params);
}

int wg_net_layer_tensors(const wg_net *net, int i, wg_tensor_ref *out) {
  const wg_layer *L = &net->layers[i];
  int n = 0;
  if (L->kind == WG_LAYER_DENSE) {
    out[n++] = (wg_tensor_ref){"weight", net->params + L->w_off, L->n_w, 2,
                               {L->out_features, L->in_features}};
    if (L->n_b) out[n++] = (wg_tensor_ref){"bias", net->params + L->b_off, L->n_b, 1, {L->out_features, 0}};
  } else if (L->kind == WG_LAYER_BATCHNORM) {
    long long c = L->in_features;
    out[n++] = (wg_tensor_ref){"weight", net->params + L->w_off, L->n_w, 1, {c, 0}};
    out[n++] = (wg_tensor_ref){"bias", net->params + L->b_off, L->n_b, 1, {c, 0}};
    out[n++] = (wg_tensor_ref){"running_mean", net->state + L->stat_off, (size_t)c, 1, {c, 0}};
    out[n++] = (wg_tensor_ref){"running_var", net->state + L->stat_off + c, (size_t)c, 1, {c, 0}};
  }
  return n;
}
