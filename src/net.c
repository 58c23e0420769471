/* net.c — building a net from its JSON layer list, and running it forward and backward. */
#include "net.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "conv.h"
#include "layers.h"

typedef struct { const char *name; wg_layer_kind kind; } wg__kind_name;
static const wg__kind_name wg__kinds[] = {
  {"dense", WG_LAYER_DENSE}, {"relu", WG_LAYER_RELU}, {"leaky_relu", WG_LAYER_LEAKY_RELU},
  {"tanh", WG_LAYER_TANH}, {"sigmoid", WG_LAYER_SIGMOID}, {"batchnorm", WG_LAYER_BATCHNORM},
  {"dropout", WG_LAYER_DROPOUT}, {"conv2d", WG_LAYER_CONV2D},
  {"conv_transpose2d", WG_LAYER_CONV_TRANSPOSE2D}, {"instancenorm", WG_LAYER_INSTANCENORM},
  {"upsample", WG_LAYER_UPSAMPLE}, {"avgpool", WG_LAYER_AVGPOOL}, {"reshape", WG_LAYER_RESHAPE},
  {"flatten", WG_LAYER_FLATTEN}, {"add", WG_LAYER_ADD}, {"pad", WG_LAYER_PAD},
};
#define WG__N_KINDS (int)(sizeof wg__kinds / sizeof wg__kinds[0])
#define WG__KIND_LIST "dense, relu, leaky_relu, tanh, sigmoid, batchnorm, dropout, conv2d, " \
                      "conv_transpose2d, instancenorm, upsample, avgpool, reshape, flatten, add or pad"

static const char *wg__kind_str(wg_layer_kind k) {
  for (int i = 0; i < WG__N_KINDS; i++) if (wg__kinds[i].kind == k) return wg__kinds[i].name;
  return "?";
}

/* A size given as one number or as [height, width]. */
static wg_status wg__pair(const wg_cfg *c, const char *key, int def, int lo, int hi, int *a, int *b) {
  const wg_json *v = wg_json_get(c->obj, key);
  if (v && v->type == WG_JSON_ARRAY) {
    if (v->length != 2) return wg_fail(WG_ERR_ARG, "%s: \"%s\" must be a number or [height, width]", c->where, key);
    int out[2];
    for (int i = 0; i < 2; i++) {
      double x = v->items[i].number;
      if (v->items[i].type != WG_JSON_NUMBER || x != floor(x) || x < lo || x > hi)
        return wg_fail(WG_ERR_ARG, "%s: \"%s\" entries must be whole numbers in [%d, %d]", c->where, key, lo, hi);
      out[i] = (int)x;
    }
    *a = out[0]; *b = out[1];
    return WG_OK;
  }
  double x;
  wg_status st = wg_cfg_int(c, key, def, lo, hi, &x);
  if (st) return st;
  *a = *b = (int)x;
  return WG_OK;
}

static void wg__set_out(wg_layer *L, int c, int h, int w) {
  L->out_c = c; L->out_h = h; L->out_w = w;
  L->out_features = c * h * w;
}

static wg_status wg__parse_conv(wg_layer *L, const wg_cfg *c, const char *where, int transpose) {
  const char *keys[] = {"type", "out_channels", "kernel", "stride", "padding", "output_padding", "bias", NULL};
  wg_status st;
  if ((st = wg_cfg_only(c, keys))) return st;
  if (!transpose && wg_json_get(c->obj, "output_padding"))
    return wg_fail(WG_ERR_ARG, "%s: \"output_padding\" belongs to conv_transpose2d", where);
  double oc;
  if ((st = wg_cfg_int(c, "out_channels", -1, 1, 4096, &oc))) return st;
  if (oc < 0) return wg_fail(WG_ERR_ARG, "%s: needs \"out_channels\"", where);
  if ((st = wg__pair(c, "kernel", -1, 1, 64, &L->kh, &L->kw))) return st;
  if (L->kh < 0) return wg_fail(WG_ERR_ARG, "%s: needs \"kernel\"", where);
  if ((st = wg__pair(c, "stride", 1, 1, 64, &L->sh, &L->sw))) return st;
  if ((st = wg__pair(c, "padding", 0, 0, 64, &L->ph, &L->pw))) return st;
  if ((st = wg__pair(c, "output_padding", 0, 0, 63, &L->oph, &L->opw))) return st;
  int bias = 1;
  if ((st = wg_cfg_bool(c, "bias", 1, &bias))) return st;
  int oh, ow;
  if (!transpose) {
    oh = (L->in_h + 2 * L->ph - L->kh) / L->sh + 1;
    ow = (L->in_w + 2 * L->pw - L->kw) / L->sw + 1;
    if (L->in_h + 2 * L->ph < L->kh || L->in_w + 2 * L->pw < L->kw)
      return wg_fail(WG_ERR_ARG, "%s: kernel %dx%d is larger than the padded input %dx%d", where, L->kh, L->kw, L->in_h + 2 * L->ph, L->in_w + 2 * L->pw);
  } else {
    if (L->oph >= L->sh || L->opw >= L->sw)
      return wg_fail(WG_ERR_ARG, "%s: output_padding must be smaller than the stride", where);
    oh = (L->in_h - 1) * L->sh - 2 * L->ph + L->kh + L->oph;
    ow = (L->in_w - 1) * L->sw - 2 * L->pw + L->kw + L->opw;
    if (oh < 1 || ow < 1) return wg_fail(WG_ERR_ARG, "%s: padding leaves no output", where);
  }
  if ((double)oc * oh * ow > (double)(1 << 24)) return wg_fail(WG_ERR_ARG, "%s: output too large", where);
  wg__set_out(L, (int)oc, oh, ow);
  /* Counted in 64 bits: size_t is 32 bits in wasm, where the product could wrap to a small number. */
  uint64_t n_w = (uint64_t)L->in_c * (uint64_t)oc * (uint64_t)L->kh * (uint64_t)L->kw;
  if (n_w > WG_NET_MAX_PARAMS) return wg_fail(WG_ERR_ARG, "%s: %llu weights, more than 2^28", where, (unsigned long long)n_w);
  L->n_w = (size_t)n_w;
  L->n_b = bias ? (size_t)oc : 0;
  return WG_OK;
}

static wg_status wg__parse_layer(wg_layer *L, const wg_json *spec, const char *where) {
  if (!spec || spec->type != WG_JSON_OBJECT)
    return wg_fail(WG_ERR_ARG, "%s: each layer must be an object like {\"type\":\"dense\",\"units\":256}", where);
  const wg_json *type = wg_json_get(spec, "type");
  if (!type || type->type != WG_JSON_STRING)
    return wg_fail(WG_ERR_ARG, "%s: missing \"type\" (one of " WG__KIND_LIST ")", where);
  int found = 0;
  for (int i = 0; i < WG__N_KINDS; i++)
    if (strcmp(type->string, wg__kinds[i].name) == 0) { L->kind = wg__kinds[i].kind; found = 1; }
  if (!found)
    return wg_fail(WG_ERR_ARG, "%s: unknown layer type \"%s\" (expected " WG__KIND_LIST ")", where, type->string);
  wg__set_out(L, L->in_c, L->in_h, L->in_w);
  wg_cfg c = {spec, where};
  wg_status st = WG_OK;
  double v;
  switch (L->kind) {
    case WG_LAYER_DENSE: {
      const char *keys[] = {"type", "units", "bias", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_int(&c, "units", -1, 1, 1 << 20, &v))) return st;
      if (v < 0) return wg_fail(WG_ERR_ARG, "%s: dense layer needs \"units\"", where);
      wg__set_out(L, (int)v, 1, 1);
      int bias = 1;
      if ((st = wg_cfg_bool(&c, "bias", 1, &bias))) return st;
      uint64_t n_w = (uint64_t)L->in_features * (uint64_t)L->out_features;   /* 64 bits: see conv */
      if (n_w > WG_NET_MAX_PARAMS) return wg_fail(WG_ERR_ARG, "%s: %llu weights, more than 2^28", where, (unsigned long long)n_w);
      L->n_w = (size_t)n_w;
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
      L->n_w = L->n_b = (size_t)L->in_c;   /* per channel (per feature for flat inputs) */
      break;
    }
    case WG_LAYER_INSTANCENORM: {
      const char *keys[] = {"type", "eps", "affine", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_num(&c, "eps", 1e-5, 1e-12, 1.0, &v))) return st;
      L->eps = (float)v;
      if ((st = wg_cfg_bool(&c, "affine", 0, &L->affine))) return st;
      if (L->affine) L->n_w = L->n_b = (size_t)L->in_c;
      if (L->in_h * L->in_w < 2) return wg_fail(WG_ERR_ARG, "%s: instancenorm needs spatial inputs (H*W >= 2)", where);
      break;
    }
    case WG_LAYER_DROPOUT: {
      const char *keys[] = {"type", "p", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_num(&c, "p", 0.5, 0.0, 0.99, &v))) return st;
      L->p = (float)v;
      break;
    }
    case WG_LAYER_CONV2D: return wg__parse_conv(L, &c, where, 0);
    case WG_LAYER_CONV_TRANSPOSE2D: return wg__parse_conv(L, &c, where, 1);
    case WG_LAYER_UPSAMPLE: {
      const char *keys[] = {"type", "mode", "scale", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      const char *mode;
      if ((st = wg_cfg_str(&c, "mode", "nearest", &mode))) return st;
      if (strcmp(mode, "nearest") && strcmp(mode, "bilinear"))
        return wg_fail(WG_ERR_ARG, "%s: upsample \"mode\" must be \"nearest\" or \"bilinear\"", where);
      L->bilinear = strcmp(mode, "bilinear") == 0;
      if ((st = wg_cfg_int(&c, "scale", 2, 2, 2, &v))) return st;
      wg__set_out(L, L->in_c, 2 * L->in_h, 2 * L->in_w);
      break;
    }
    case WG_LAYER_AVGPOOL: {
      const char *keys[] = {"type", "kernel", "stride", "padding", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg__pair(&c, "kernel", -1, 1, 64, &L->kh, &L->kw))) return st;
      if (L->kh < 0) return wg_fail(WG_ERR_ARG, "%s: avgpool needs \"kernel\"", where);
      if ((st = wg__pair(&c, "stride", -1, 1, 64, &L->sh, &L->sw))) return st;
      if (L->sh < 0) { L->sh = L->kh; L->sw = L->kw; }   /* PyTorch: stride defaults to kernel */
      if ((st = wg__pair(&c, "padding", 0, 0, 32, &L->ph, &L->pw))) return st;
      if (2 * L->ph > L->kh || 2 * L->pw > L->kw)
        return wg_fail(WG_ERR_ARG, "%s: padding must be at most half the kernel", where);
      if (L->in_h + 2 * L->ph < L->kh || L->in_w + 2 * L->pw < L->kw)
        return wg_fail(WG_ERR_ARG, "%s: kernel is larger than the padded input", where);
      wg__set_out(L, L->in_c, (L->in_h + 2 * L->ph - L->kh) / L->sh + 1, (L->in_w + 2 * L->pw - L->kw) / L->sw + 1);
      break;
    }
    case WG_LAYER_PAD: {
      const char *keys[] = {"type", "padding", "mode", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg__pair(&c, "padding", -1, 0, 64, &L->ph, &L->pw))) return st;
      if (L->ph < 0) return wg_fail(WG_ERR_ARG, "%s: pad needs \"padding\": a number or [height, width]", where);
      const char *mode;
      if ((st = wg_cfg_str(&c, "mode", "zero", &mode))) return st;
      static const char *const modes[] = {"zero", "reflect", "replicate"};
      L->pad_mode = -1;
      for (int k = 0; k < 3; k++) if (strcmp(mode, modes[k]) == 0) L->pad_mode = k;
      if (L->pad_mode < 0) return wg_fail(WG_ERR_ARG, "%s: pad \"mode\" must be \"zero\", \"reflect\" or \"replicate\"", where);
      if (L->pad_mode == WG_PAD_REFLECT && (L->ph >= L->in_h || L->pw >= L->in_w))
        return wg_fail(WG_ERR_ARG, "%s: reflect padding %dx%d must be smaller than the input %dx%d", where, L->ph, L->pw, L->in_h, L->in_w);
      wg__set_out(L, L->in_c, L->in_h + 2 * L->ph, L->in_w + 2 * L->pw);
      break;
    }
    case WG_LAYER_RESHAPE: {
      const char *keys[] = {"type", "shape", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      const wg_json *sh = wg_json_get(spec, "shape");
      if (!sh || sh->type != WG_JSON_ARRAY || sh->length != 3)
        return wg_fail(WG_ERR_ARG, "%s: reshape needs \"shape\": [channels, height, width]", where);
      int d[3];
      for (int i = 0; i < 3; i++) {
        double x = sh->items[i].number;
        if (sh->items[i].type != WG_JSON_NUMBER || x != floor(x) || x < 1 || x > 1 << 20)
          return wg_fail(WG_ERR_ARG, "%s: reshape \"shape\" entries must be whole numbers >= 1", where);
        d[i] = (int)x;
      }
      if ((double)d[0] * d[1] * d[2] != (double)L->in_features)
        return wg_fail(WG_ERR_ARG, "%s: cannot reshape %d values to [%d, %d, %d]", where, L->in_features, d[0], d[1], d[2]);
      wg__set_out(L, d[0], d[1], d[2]);
      break;
    }
    case WG_LAYER_FLATTEN: {
      const char *keys[] = {"type", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      wg__set_out(L, L->in_features, 1, 1);
      break;
    }
    case WG_LAYER_ADD: {   /* `from` is checked against earlier layers in wg_net_build */
      const char *keys[] = {"type", "from", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
      if ((st = wg_cfg_int(&c, "from", -1, 0, WG_MAX_LAYERS, &v))) return st;
      if (v < 0) return wg_fail(WG_ERR_ARG, "%s: add needs \"from\": the index of an earlier layer", where);
      L->from = (int)v;
      break;
    }
    default: {
      const char *keys[] = {"type", NULL};
      if ((st = wg_cfg_only(&c, keys))) return st;
    }
  }
  return WG_OK;
}

wg_status wg_net_build(wg_net *net, const char *name, const wg_json *spec, int in_c, int in_h,
                       int in_w) {
  return wg_net_build_capped(net, name, spec, in_c, in_h, in_w, WG_NET_MAX_PARAMS);
}

wg_status wg_net_build_capped(wg_net *net, const char *name, const wg_json *spec, int in_c,
                              int in_h, int in_w, size_t max_params) {
  memset(net, 0, sizeof *net);
  snprintf(net->name, sizeof net->name, "%s", name);
  if (!spec || spec->type != WG_JSON_ARRAY || spec->length == 0)
    return wg_fail(WG_ERR_ARG, "config: \"%s\" must be a non-empty array of layers", name);
  if (spec->length > WG_MAX_LAYERS)
    return wg_fail(WG_ERR_ARG, "config: \"%s\" has %zu layers (at most %d)", name, spec->length, WG_MAX_LAYERS);
  int c = in_c, h = in_h, w = in_w;
  size_t n_params = 0, n_state = 0;
  for (size_t i = 0; i < spec->length; i++) {
    char where[64];
    snprintf(where, sizeof where, "config: %s layer %zu", name, i);
    wg_layer *L = &net->layers[i];
    L->in_c = c; L->in_h = h; L->in_w = w;
    L->in_features = c * h * w;
    wg_status st = wg__parse_layer(L, &spec->items[i], where);
    if (st) return st;
    if (L->kind == WG_LAYER_ADD) {
      if (L->from >= (int)i)
        return wg_fail(WG_ERR_ARG, "%s: add \"from\": %d must name an earlier layer (0..%zu)", where, L->from, i - 1);
      const wg_layer *src = &net->layers[L->from];
      if (src->out_c != c || src->out_h != h || src->out_w != w)
        return wg_fail(WG_ERR_ARG, "%s: cannot add layer %d's output [%d, %d, %d] to [%d, %d, %d]", where, L->from,
                       src->out_c, src->out_h, src->out_w, c, h, w);
      net->layers[L->from].output_read_later = 1;
    }
    L->w_off = n_params; n_params += L->n_w;
    L->b_off = n_params; n_params += L->n_b;
    if (L->kind == WG_LAYER_BATCHNORM) { L->stat_off = n_state; n_state += 2 * (size_t)L->in_c; }
    if (n_params > WG_NET_MAX_PARAMS)
      return wg_fail(WG_ERR_ARG, "config: %s has more than 2^28 parameters", name);
    if (n_params > max_params)
      return wg_fail(WG_ERR_MISMATCH, "%s has more than %zu parameters", name, max_params);
    c = L->out_c; h = L->out_h; w = L->out_w;
  }
  net->n_layers = (int)spec->length;
  net->in_features = in_c * in_h * in_w;
  net->out_features = c * h * w;
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
    float *w = net->params + L->w_off, *b = net->params + L->b_off;
    int fan_in = 0;
    if (L->kind == WG_LAYER_DENSE) fan_in = L->in_features;
    else if (L->kind == WG_LAYER_CONV2D) fan_in = L->in_c * L->kh * L->kw;
    else if (L->kind == WG_LAYER_CONV_TRANSPOSE2D) fan_in = L->out_c * L->kh * L->kw;   /* PyTorch: dim 1 */
    if (fan_in) {
      float bound = 1.f / sqrtf((float)fan_in);
      for (size_t k = 0; k < L->n_w; k++) w[k] = (2.f * wg_rng_uniform(rng) - 1.f) * bound;
      for (size_t k = 0; k < L->n_b; k++) b[k] = (2.f * wg_rng_uniform(rng) - 1.f) * bound;
    } else if (L->kind == WG_LAYER_BATCHNORM || L->kind == WG_LAYER_INSTANCENORM) {
      for (size_t k = 0; k < L->n_w; k++) w[k] = 1.f;
      for (size_t k = 0; k < L->n_b; k++) b[k] = 0.f;
      if (L->kind == WG_LAYER_BATCHNORM) {
        float *mean = net->state + L->stat_off, *var = mean + L->in_c;
        for (int k = 0; k < L->in_c; k++) { mean[k] = 0.f; var[k] = 1.f; }
      }
    }
  }
}

void wg_net_init_normal(wg_net *net, wg_rng *rng, float std) {
  wg_net_init_params(net, rng);   /* running statistics and the layers with nothing to draw */
  for (int i = 0; i < net->n_layers; i++) {
    wg_layer *L = &net->layers[i];
    float *w = net->params + L->w_off, *b = net->params + L->b_off;
    int norm = L->kind == WG_LAYER_BATCHNORM || L->kind == WG_LAYER_INSTANCENORM;
    for (size_t k = 0; k < L->n_w; k++) w[k] = (norm ? 1.f : 0.f) + std * wg_rng_normal(rng);
    for (size_t k = 0; k < L->n_b; k++) b[k] = 0.f;
  }
}

static void wg__put_pair(wg_strbuf *sb, const char *key, int a, int b) {
  if (a == b) wg_strbuf_printf(sb, ",\"%s\":%d", key, a);
  else wg_strbuf_printf(sb, ",\"%s\":[%d,%d]", key, a, b);
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
      case WG_LAYER_INSTANCENORM:
        wg_strbuf_puts(sb, ",\"eps\":"); wg_cfg_put_float(sb, L->eps);
        wg_strbuf_printf(sb, ",\"affine\":%s", L->affine ? "true" : "false");
        break;
      case WG_LAYER_DROPOUT: wg_strbuf_puts(sb, ",\"p\":"); wg_cfg_put_float(sb, L->p); break;
      case WG_LAYER_CONV2D:
      case WG_LAYER_CONV_TRANSPOSE2D:
        wg_strbuf_printf(sb, ",\"out_channels\":%d", L->out_c);
        wg__put_pair(sb, "kernel", L->kh, L->kw);
        wg__put_pair(sb, "stride", L->sh, L->sw);
        wg__put_pair(sb, "padding", L->ph, L->pw);
        if (L->kind == WG_LAYER_CONV_TRANSPOSE2D) wg__put_pair(sb, "output_padding", L->oph, L->opw);
        if (!L->n_b) wg_strbuf_puts(sb, ",\"bias\":false");
        break;
      case WG_LAYER_UPSAMPLE: wg_strbuf_printf(sb, ",\"mode\":\"%s\"", L->bilinear ? "bilinear" : "nearest"); break;
      case WG_LAYER_ADD: wg_strbuf_printf(sb, ",\"from\":%d", L->from); break;
      case WG_LAYER_PAD:
        wg__put_pair(sb, "padding", L->ph, L->pw);
        wg_strbuf_printf(sb, ",\"mode\":\"%s\"", L->pad_mode == WG_PAD_REFLECT ? "reflect" : L->pad_mode == WG_PAD_REPLICATE ? "replicate" : "zero");
        break;
      case WG_LAYER_AVGPOOL:
        wg__put_pair(sb, "kernel", L->kh, L->kw);
        wg__put_pair(sb, "stride", L->sh, L->sw);
        wg__put_pair(sb, "padding", L->ph, L->pw);
        break;
      case WG_LAYER_RESHAPE: wg_strbuf_printf(sb, ",\"shape\":[%d,%d,%d]", L->out_c, L->out_h, L->out_w); break;
      default: break;
    }
    wg_strbuf_puts(sb, "}");
  }
  wg_strbuf_puts(sb, "]");
}

static wg_conv_geom wg__geom(const wg_layer *L) {
  return (wg_conv_geom){L->in_c, L->in_h, L->in_w, L->out_c, L->out_h, L->out_w,
                        L->kh, L->kw, L->sh, L->sw, L->ph, L->pw};
}

/* Whether layer j's output buffer must stay as it is (an add reads it later). Reshape and
 * flatten share their input's buffer, so the question passes through them. */
static int wg__output_kept(const wg_net *net, int j) {
  for (; j >= 0; j--) {
    if (net->layers[j].output_read_later) return 1;
    if (net->layers[j].kind != WG_LAYER_RESHAPE && net->layers[j].kind != WG_LAYER_FLATTEN) return 0;
  }
  return 0;
}

float *wg_net_forward(wg_net *net, wg_arena *arena, wg_frame *fr, const float *x, int batch,
                      int training, wg_rng *dropout_rng, int upto) {
  fr->batch = batch;
  fr->acts[0] = (float *)x;
  for (int i = 0; i < upto; i++) {
    wg_layer *L = &net->layers[i];
    float *in = fr->acts[i];
    fr->aux[i] = NULL;
    if (L->kind == WG_LAYER_RESHAPE || L->kind == WG_LAYER_FLATTEN) {
      fr->acts[i + 1] = in;   /* same memory, new shape */
      continue;
    }
    size_t n_out = (size_t)batch * (size_t)L->out_features;
    int n = (int)n_out;
    /* Activations overwrite their input when it is our own buffer: no layer's backward reads
     * its own output except these activations (BN keeps xhat, conv/dense read their inputs). */
    int in_place = in != fr->acts[0] && !wg__output_kept(net, i - 1) &&
                   (L->kind == WG_LAYER_RELU || L->kind == WG_LAYER_LEAKY_RELU ||
                    L->kind == WG_LAYER_TANH || L->kind == WG_LAYER_SIGMOID);
    float *out = in_place ? in : wg_arena_floats(arena, n_out);
    if (!out) return NULL;
    float *p = net->params;
    float *w = p + L->w_off, *b = L->n_b ? p + L->b_off : NULL;
    int S = L->in_h * L->in_w;
    wg_conv_geom g = wg__geom(L);
    switch (L->kind) {
      case WG_LAYER_DENSE: wg_dense_forward(out, in, w, b, batch, L->in_features, L->out_features); break;
      case WG_LAYER_RELU: wg_relu_forward(out, in, n); break;
      case WG_LAYER_LEAKY_RELU: wg_leaky_relu_forward(out, in, n, L->slope); break;
      case WG_LAYER_TANH: wg_tanh_forward(out, in, n); break;
      case WG_LAYER_SIGMOID: wg_sigmoid_forward(out, in, n); break;
      case WG_LAYER_BATCHNORM: {
        float *mean = net->state + L->stat_off, *var = mean + L->in_c;
        if (training && batch * S > 1) {
          float *aux = wg_arena_floats(arena, n_out + (size_t)L->in_c);
          if (!aux) return NULL;
          fr->aux[i] = aux;
          wg_batchnorm_forward_train(out, aux, aux + n_out, in, w, b, mean, var, batch, L->in_c, S,
                                     L->momentum, L->eps);
        } else {
          wg_batchnorm_forward_eval(out, in, w, b, mean, var, batch, L->in_c, S, L->eps);
        }
        break;
      }
      case WG_LAYER_INSTANCENORM: {
        float *aux = wg_arena_floats(arena, n_out + (size_t)batch * L->in_c);
        if (!aux) return NULL;
        fr->aux[i] = aux;
        wg_instancenorm_forward(out, aux, aux + n_out, in, L->affine ? w : NULL, b, batch, L->in_c, S, L->eps);
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
      case WG_LAYER_CONV2D: if (wg_conv2d_forward(out, in, w, b, batch, &g, arena)) return NULL; break;
      case WG_LAYER_CONV_TRANSPOSE2D: if (wg_conv_transpose2d_forward(out, in, w, b, batch, &g, arena)) return NULL; break;
      case WG_LAYER_UPSAMPLE:
        if (L->bilinear) wg_upsample_bilinear2x_forward(out, in, batch * L->in_c, L->in_h, L->in_w);
        else wg_upsample_nearest2x_forward(out, in, batch * L->in_c, L->in_h, L->in_w);
        break;
      case WG_LAYER_AVGPOOL:
        wg_avgpool2d_forward(out, in, batch * L->in_c, L->in_h, L->in_w, L->out_h, L->out_w, L->kh,
                             L->kw, L->sh, L->sw, L->ph, L->pw);
        break;
      case WG_LAYER_PAD:
        wg_pad2d_forward(out, in, batch * L->in_c, L->in_h, L->in_w, L->ph, L->pw, (wg_pad_mode)L->pad_mode);
        break;
      case WG_LAYER_ADD: {
        const float *skip = fr->acts[L->from + 1];
        for (size_t k = 0; k < n_out; k++) out[k] = in[k] + skip[k];
        break;
      }
      case WG_LAYER_RESHAPE: case WG_LAYER_FLATTEN: break;
    }
    fr->acts[i + 1] = out;
  }
  return fr->acts[upto];
}

wg_status wg_net_backward(wg_net *net, wg_arena *arena, const wg_frame *fr, int upto,
                          const float *dy, float *dx, int param_grads) {
  int batch = fr->batch;
  const float *grad = dy;
  /* Two gradient buffers used in turn (a layer reads one and writes the other), handed back to
   * the arena at the end: backward memory is two activations, not one per layer. */
  size_t widest = 0;
  for (int i = 1; i < upto; i++)
    if ((size_t)net->layers[i].in_features > widest) widest = (size_t)net->layers[i].in_features;
  wg_arena_mark mark = wg_arena_save(arena);
  float *bufs[2] = {NULL, NULL};
  if (widest) {
    bufs[0] = wg_arena_floats(arena, widest * (size_t)batch);
    bufs[1] = wg_arena_floats(arena, widest * (size_t)batch);
    if (!bufs[0] || !bufs[1]) return wg_fail(WG_ERR_NOMEM, "out of memory in backward pass of %s", net->name);
  }
  /* Residual skips: an add at layer i sends its output gradient to layer `from`'s output too;
   * it is parked here (copied: the ping-pong buffers get overwritten) until backward gets there. */
  float *skip_grad[WG_MAX_LAYERS] = {0};
  wg_status st = WG_OK;
  for (int i = upto - 1; i >= 0 && !st; i--) {
    wg_layer *L = &net->layers[i];
    if (skip_grad[i]) {   /* grad is d(loss)/d(output of layer i): add the parked skip part */
      size_t n_out = (size_t)batch * (size_t)L->out_features;
      float *sum = grad == bufs[0] ? bufs[1] : bufs[0];
      if (grad == dy || !bufs[0]) { sum = wg_arena_floats(arena, n_out); if (!sum) return wg_fail(WG_ERR_NOMEM, "out of memory in backward pass of %s", net->name); }
      for (size_t k = 0; k < n_out; k++) sum[k] = grad[k] + skip_grad[i][k];
      grad = sum;
    }
    size_t n_in = (size_t)batch * (size_t)L->in_features;
    int n = (int)n_in;
    if (L->kind == WG_LAYER_RESHAPE || L->kind == WG_LAYER_FLATTEN) {
      if (i == 0 && dx) memcpy(dx, grad, sizeof(float) * n_in);
      continue;   /* the gradient keeps its memory, only the shape changes */
    }
    float *din;
    if (i == 0) {
      if (!dx && !param_grads) break;
      din = dx;   /* may be NULL: the first layer then only adds its parameter gradients */
    } else {
      din = grad == bufs[0] ? bufs[1] : bufs[0];
    }
    const float *in = fr->acts[i], *out = fr->acts[i + 1];
    float *p = net->params, *g = net->grads;
    float *w = p + L->w_off;
    float *gw = param_grads && L->n_w ? g + L->w_off : NULL, *gb = param_grads && L->n_b ? g + L->b_off : NULL;
    int S = L->in_h * L->in_w;
    wg_conv_geom geom = wg__geom(L);
    switch (L->kind) {
      case WG_LAYER_DENSE:
        wg_dense_backward(din, gw, gb, grad, in, w, batch, L->in_features, L->out_features);
        break;
      case WG_LAYER_RELU: if (din) wg_relu_backward(din, grad, out, n); break;
      case WG_LAYER_LEAKY_RELU: if (din) wg_leaky_relu_backward(din, grad, out, n, L->slope); break;
      case WG_LAYER_TANH: if (din) wg_tanh_backward(din, grad, out, n); break;
      case WG_LAYER_SIGMOID: if (din) wg_sigmoid_backward(din, grad, out, n); break;
      case WG_LAYER_BATCHNORM:
        if (!fr->aux[i]) {
          st = wg_fail(WG_ERR_STATE, "backward through batchnorm needs a training-mode forward with more than one value per channel");
          break;
        }
        wg_batchnorm_backward(din, gw, gb, grad, fr->aux[i], fr->aux[i] + n_in, w, batch, L->in_c, S);
        break;
      case WG_LAYER_INSTANCENORM:
        wg_instancenorm_backward(din, gw, gb, grad, fr->aux[i], fr->aux[i] + n_in,
                                 L->affine ? w : NULL, batch, L->in_c, S);
        break;
      case WG_LAYER_DROPOUT:
        if (!din) break;
        if (fr->aux[i]) wg_dropout_backward(din, grad, fr->aux[i], n);
        else memcpy(din, grad, sizeof(float) * n_in);
        break;
      case WG_LAYER_CONV2D: st = wg_conv2d_backward(din, gw, gb, grad, in, w, batch, &geom, arena); break;
      case WG_LAYER_CONV_TRANSPOSE2D: st = wg_conv_transpose2d_backward(din, gw, gb, grad, in, w, batch, &geom, arena); break;
      case WG_LAYER_UPSAMPLE:
        if (!din) break;
        if (L->bilinear) wg_upsample_bilinear2x_backward(din, grad, batch * L->in_c, L->in_h, L->in_w);
        else wg_upsample_nearest2x_backward(din, grad, batch * L->in_c, L->in_h, L->in_w);
        break;
      case WG_LAYER_AVGPOOL:
        if (!din) break;
        wg_avgpool2d_backward(din, grad, batch * L->in_c, L->in_h, L->in_w, L->out_h, L->out_w,
                              L->kh, L->kw, L->sh, L->sw, L->ph, L->pw);
        break;
      case WG_LAYER_PAD:
        if (din) wg_pad2d_backward(din, grad, batch * L->in_c, L->in_h, L->in_w, L->ph, L->pw, (wg_pad_mode)L->pad_mode);
        break;
      case WG_LAYER_ADD: {
        size_t n_out = (size_t)batch * (size_t)L->out_features;
        float *park = wg_arena_floats(arena, n_out);
        if (!park) { st = wg_fail(WG_ERR_NOMEM, "out of memory in backward pass of %s", net->name); break; }
        memcpy(park, grad, sizeof(float) * n_out);
        skip_grad[L->from] = park;
        if (din) memcpy(din, grad, sizeof(float) * n_in);
        break;
      }
      case WG_LAYER_RESHAPE: case WG_LAYER_FLATTEN: break;
    }
    grad = din;
  }
  wg_arena_restore(arena, mark);
  return st;
}

void wg_net_zero_grads(wg_net *net) { memset(net->grads, 0, sizeof(float) * net->n_params); }

void wg_net_update(wg_net *net, const wg_optim_config *cfg) {
  wg_optim_step(cfg, &net->opt_state, net->params, net->grads, net->opt_m, net->opt_v, net->n_params);
}

int wg_net_layer_tensors(const wg_net *net, int i, wg_tensor_ref *out) {
  const wg_layer *L = &net->layers[i];
  long long c = L->in_c;
  float *w = net->params + L->w_off, *b = net->params + L->b_off;
  int n = 0;
  switch (L->kind) {
    case WG_LAYER_DENSE:
      out[n++] = (wg_tensor_ref){"weight", w, L->n_w, 2, {L->out_features, L->in_features, 0, 0}};
      break;
    case WG_LAYER_CONV2D:
      out[n++] = (wg_tensor_ref){"weight", w, L->n_w, 4, {L->out_c, L->in_c, L->kh, L->kw}};
      break;
    case WG_LAYER_CONV_TRANSPOSE2D:
      out[n++] = (wg_tensor_ref){"weight", w, L->n_w, 4, {L->in_c, L->out_c, L->kh, L->kw}};
      break;
    case WG_LAYER_BATCHNORM: case WG_LAYER_INSTANCENORM:
      if (L->n_w) out[n++] = (wg_tensor_ref){"weight", w, L->n_w, 1, {c, 0, 0, 0}};
      break;
    default: break;
  }
  if (L->n_b) out[n++] = (wg_tensor_ref){"bias", b, L->n_b, 1, {(long long)L->n_b, 0, 0, 0}};
  if (L->kind == WG_LAYER_BATCHNORM) {
    out[n++] = (wg_tensor_ref){"running_mean", net->state + L->stat_off, (size_t)c, 1, {c, 0, 0, 0}};
    out[n++] = (wg_tensor_ref){"running_var", net->state + L->stat_off + c, (size_t)c, 1, {c, 0, 0, 0}};
  }
  return n;
}
