/* model.c — model creation from config (with presets), datasets, batching and the train loop.
 * The per-kind training steps live in gan.c and vae.c; checkpoints in checkpoint.c. */
#include "model.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "gemm.h"
#include "model_internal.h"
#include "presets.h"

wg_dataset *wg_dataset_create(int n, int height, int width, int channels, int with_labels) {
  if (n <= 0 || height <= 0 || width <= 0 || (channels != 1 && channels != 3)) {
    wg_fail(WG_ERR_ARG, "dataset: invalid size %d images of %dx%dx%d (channels must be 1 or 3)", n, height, width, channels);
    return NULL;
  }
  if (height > 4096 || width > 4096 || (size_t)n * height * width * channels > ((size_t)1 << 31)) {
    wg_fail(WG_ERR_ARG, "dataset: %d images of %dx%dx%d is too large (max 2 GiB of pixels)", n, height, width, channels);
    return NULL;
  }
  wg_dataset *ds = calloc(1, sizeof *ds);
  if (!ds) { wg_fail(WG_ERR_NOMEM, "out of memory for dataset"); return NULL; }
  ds->n = n; ds->height = height; ds->width = width; ds->channels = channels;
  ds->pixels = malloc((size_t)n * height * width * channels);
  ds->labels = with_labels ? calloc((size_t)n, 1) : NULL;
  if (!ds->pixels || (with_labels && !ds->labels)) {
    wg_dataset_free(ds);
    wg_fail(WG_ERR_NOMEM, "out of memory for dataset of %d images", n);
    return NULL;
  }
  return ds;
}

void wg_dataset_free(wg_dataset *ds) {
  if (!ds) return;
  free(ds->pixels); free(ds->labels); free(ds);
}

static const char *wg__preset_names[] = {"gan", "vae", "dcgan", "convvae"};

static wg_status wg__hidden_list(const wg_cfg *c, const char *key, const int *def, int n_def,
                                 int *out, int *n_out) {
  const wg_json *v = wg_json_get(c->obj, key);
  if (!v) { memcpy(out, def, sizeof(int) * (size_t)n_def); *n_out = n_def; return WG_OK; }
  if (v->type != WG_JSON_ARRAY || v->length > 16)
    return wg_fail(WG_ERR_ARG, "config: \"%s\" must be an array of up to 16 layer widths", key);
  for (size_t i = 0; i < v->length; i++) {
    double x = v->items[i].number;
    if (v->items[i].type != WG_JSON_NUMBER || x != floor(x) || x < 1 || x > 65536)
      return wg_fail(WG_ERR_ARG, "config: \"%s\"[%zu] must be a whole number in [1, 65536]", key, i);
    out[i] = (int)x;
  }
  *n_out = (int)v->length;
  return WG_OK;
}

/* Builds net k from the config member `key`, or from the preset text when absent. */
static wg_status wg__build_net(wg_model *m, int k, const wg_json *cfg, const char *key,
                               const char *name, const char *preset, int c, int h, int w) {
  size_t cap = WG_NET_MAX_PARAMS;
  if (m->param_budget) cap = m->param_budget - (k ? m->nets[0].n_params : 0);
  const wg_json *spec = wg_json_get(cfg, key);
  if (spec) return wg_net_build_capped(&m->nets[k], name, spec, c, h, w, cap);
  wg_json *doc;
  wg_status st = wg_json_parse(preset, strlen(preset), &doc);
  if (st) return wg_fail(st, "internal: preset for %s is not valid JSON: %s", name, wg_last_error());
  st = wg_net_build_capped(&m->nets[k], name, doc, c, h, w, cap);
  wg_json_free(doc);
  return st;
}

static wg_status wg__check_shapes(wg_model *m) {
  int P = wg_model_image_size(m);
  wg_net *a = &m->nets[0], *b = &m->nets[1];
  if (m->kind == WG_MODEL_GAN) {
    if (a->out_features != P)
      return wg_fail(WG_ERR_ARG, "config: generator outputs %d values but images are %dx%dx%d = %d", a->out_features, m->height, m->width, m->channels, P);
    if (b->out_features != 1)
      return wg_fail(WG_ERR_ARG, "config: discriminator must output 1 logit, not %d", b->out_features);
    if (b->layers[b->n_layers - 1].kind == WG_LAYER_SIGMOID)
      return wg_fail(WG_ERR_ARG, "config: discriminator must end in a logit (no sigmoid); the loss applies it");
  } else {
    if (a->out_features != 2 * m->latent)
      return wg_fail(WG_ERR_ARG, "config: encoder outputs %d values but needs 2 x latent = %d (mu and log-variance)", a->out_features, 2 * m->latent);
    if (b->out_features != P)
      return wg_fail(WG_ERR_ARG, "config: decoder outputs %d values but images are %dx%dx%d = %d", b->out_features, m->height, m->width, m->channels, P);
    if (b->layers[b->n_layers - 1].kind != WG_LAYER_SIGMOID)
      return wg_fail(WG_ERR_ARG, "config: the VAE decoder must end with a sigmoid layer");
  }
  return WG_OK;
}

static void wg__write_canonical(wg_model *m) {
  wg_strbuf sb = {0};
  const char *names[2][2] = {{"generator", "discriminator"}, {"encoder", "decoder"}};
  wg_strbuf_printf(&sb, "{\"model\":\"%s\",\"height\":%d,\"width\":%d,\"channels\":%d,\"latent\":%d,",
                   wg__preset_names[m->preset], m->height, m->width, m->channels, m->latent);
  wg_strbuf_printf(&sb, "\"optimizer\":\"%s\",\"lr\":", m->opt.kind == WG_OPTIM_ADAM ? "adam" : "sgd");
  wg_cfg_put_float(&sb, m->opt.lr);
  if (m->opt.kind == WG_OPTIM_ADAM) {
    wg_strbuf_puts(&sb, ",\"beta1\":"); wg_cfg_put_float(&sb, m->opt.beta1);
    wg_strbuf_puts(&sb, ",\"beta2\":"); wg_cfg_put_float(&sb, m->opt.beta2);
    wg_strbuf_puts(&sb, ",\"eps\":"); wg_cfg_put_float(&sb, m->opt.eps);
  } else {
    wg_strbuf_puts(&sb, ",\"momentum\":"); wg_cfg_put_float(&sb, m->opt.momentum);
  }
  wg_strbuf_puts(&sb, ",");
  wg_strbuf_printf(&sb, "\"seed\":%llu", (unsigned long long)m->seed);
  if (m->augmenting) { wg_strbuf_puts(&sb, ",\"augment\":"); wg_strbuf_json_string(&sb, m->augment_text); }
  /* Always written: the default depends on the preset, and a config must rebuild the same model. */
  if (m->init_std > 0.f) { wg_strbuf_puts(&sb, ",\"init\":\"normal\",\"init_std\":"); wg_cfg_put_float(&sb, m->init_std); }
  else wg_strbuf_puts(&sb, ",\"init\":\"pytorch\"");
  for (int k = 0; k < 2; k++) {
    wg_strbuf_printf(&sb, ",\"%s\":", names[m->kind][k]);
    wg_net_spec_json(&m->nets[k], &sb);
  }
  wg_strbuf_puts(&sb, "}");
  m->config_json = sb.failed ? NULL : sb.data;
  if (sb.failed) free(sb.data);
}

static wg_status wg__configure(wg_model *m, const wg_json *cfg) {
  wg_cfg c = {cfg, "config"};
  const char *keys[] = {"model", "height", "width", "channels", "latent", "hidden", "disc_hidden",
                        "generator", "discriminator", "encoder", "decoder", "optimizer", "lr",
                        "beta1", "beta2", "eps", "momentum", "seed", "augment", "init", "init_std", NULL};
  wg_status st;
  if ((st = wg_cfg_only(&c, keys))) return st;
  const char *kind;
  if ((st = wg_cfg_str(&c, "model", NULL, &kind))) return st;
  if (!kind) return wg_fail(WG_ERR_ARG, "config: missing \"model\" (\"gan\", \"vae\", \"dcgan\" or \"convvae\")");
  int found = 0;
  for (int i = 0; i < 4; i++) if (strcmp(kind, wg__preset_names[i]) == 0) { m->preset = (wg_preset_kind)i; found = 1; }
  if (!found) return wg_fail(WG_ERR_ARG, "config: unknown model \"%s\" (expected \"gan\", \"vae\", \"dcgan\" or \"convvae\")", kind);
  int gan = m->preset == WG_PRESET_GAN || m->preset == WG_PRESET_DCGAN;
  m->kind = gan ? WG_MODEL_GAN : WG_MODEL_VAE;
  if (gan && (wg_json_get(cfg, "encoder") || wg_json_get(cfg, "decoder")))
    return wg_fail(WG_ERR_ARG, "config: a gan has \"generator\" and \"discriminator\", not encoder/decoder");
  if (!gan && (wg_json_get(cfg, "generator") || wg_json_get(cfg, "discriminator") || wg_json_get(cfg, "disc_hidden")))
    return wg_fail(WG_ERR_ARG, "config: a vae has \"encoder\" and \"decoder\", not generator/discriminator");
  double v;
  if ((st = wg_cfg_int(&c, "height", 28, 1, 1024, &v))) return st;
  m->height = (int)v;
  if ((st = wg_cfg_int(&c, "width", 28, 1, 1024, &v))) return st;
  m->width = (int)v;
  if ((st = wg_cfg_int(&c, "channels", 1, 1, 3, &v))) return st;
  if (v == 2) return wg_fail(WG_ERR_ARG, "config: \"channels\" must be 1 (grey) or 3 (RGB)");
  m->channels = (int)v;
  if ((st = wg_cfg_int(&c, "latent", wg_preset_default_latent(m->preset), 1, 4096, &v))) return st;
  m->latent = (int)v;
  if ((st = wg_cfg_int(&c, "seed", 1, 0, 9007199254740991.0, &v))) return st;
  m->seed = (uint64_t)v;

  const char *augment;
  if ((st = wg_cfg_str(&c, "augment", "", &augment))) return st;
  if (augment[0]) {
    if (strlen(augment) >= sizeof m->augment_text) return wg_fail(WG_ERR_ARG, "config: \"augment\" is too long");
    if ((st = wg_ops_parse(&m->augment, augment, 1))) return wg_fail(st, "config: %s", wg_last_error());
    snprintf(m->augment_text, sizeof m->augment_text, "%s", augment);
    m->augmenting = 1;
  }

  const char *init;
  /* DCGAN trains with its paper's N(0, 0.02): under PyTorch's defaults its discriminator wins
   * at once (D loss 0.01 after 50 steps) and the samples stay specks. */
  if ((st = wg_cfg_str(&c, "init", m->preset == WG_PRESET_DCGAN ? "normal" : "pytorch", &init))) return st;
  if (strcmp(init, "normal") != 0 && strcmp(init, "pytorch") != 0)
    return wg_fail(WG_ERR_ARG, "config: unknown init \"%s\" (expected \"pytorch\" or \"normal\")", init);
  if ((st = wg_cfg_num(&c, "init_std", 0.02, 1e-6, 10.0, &v))) return st;
  if (wg_json_get(cfg, "init_std") && strcmp(init, "normal") != 0)
    return wg_fail(WG_ERR_ARG, "config: \"init_std\" goes with \"init\": \"normal\"");
  m->init_std = strcmp(init, "normal") == 0 ? (float)v : 0.f;

  const char *opt;
  if ((st = wg_cfg_str(&c, "optimizer", "adam", &opt))) return st;
  if (strcmp(opt, "adam") == 0) m->opt.kind = WG_OPTIM_ADAM;
  else if (strcmp(opt, "sgd") == 0) m->opt.kind = WG_OPTIM_SGD;
  else return wg_fail(WG_ERR_ARG, "config: unknown optimizer \"%s\" (expected \"adam\" or \"sgd\")", opt);
  if ((st = wg_cfg_num(&c, "lr", gan ? 2e-4 : 1e-3, 1e-12, 10.0, &v))) return st;
  m->opt.lr = (float)v;
  if ((st = wg_cfg_num(&c, "beta1", gan ? 0.5 : 0.9, 0.0, 0.9999999, &v))) return st;
  m->opt.beta1 = (float)v;
  if ((st = wg_cfg_num(&c, "beta2", 0.999, 0.0, 0.9999999, &v))) return st;
  m->opt.beta2 = (float)v;
  if ((st = wg_cfg_num(&c, "eps", 1e-8, 1e-30, 1.0, &v))) return st;
  m->opt.eps = (float)v;
  if ((st = wg_cfg_num(&c, "momentum", 0.9, 0.0, 0.9999999, &v))) return st;
  m->opt.momentum = (float)v;

  int hidden[16], n_hidden, dh[16], n_dh, def[16];
  static const int gan_d[] = {512, 256};
  int n_def = wg_preset_default_widths(m->preset, m->height, m->width, def);
  if ((st = wg__hidden_list(&c, "hidden", def, n_def, hidden, &n_hidden))) return st;
  if ((st = wg__hidden_list(&c, "disc_hidden", gan_d, 2, dh, &n_dh))) return st;
  if ((m->preset == WG_PRESET_DCGAN || m->preset == WG_PRESET_CONVVAE) && n_hidden < 1)
    return wg_fail(WG_ERR_ARG, "config: \"hidden\" of a %s needs at least one channel width", kind);
  wg_preset p = {m->preset, m->height, m->width, m->channels, m->latent, hidden, n_hidden, dh, n_dh};
  wg_strbuf p0 = {0}, p1 = {0};
  int need_preset = !wg_json_get(cfg, gan ? "generator" : "encoder") || !wg_json_get(cfg, gan ? "discriminator" : "decoder");
  st = need_preset ? wg_preset_layers(&p, &p0, &p1) : WG_OK;
  int C = m->channels, H = m->height, W = m->width, L = m->latent;
  if (!st) st = gan ? wg__build_net(m, 0, cfg, "generator", "G", p0.data, L, 1, 1)
                    : wg__build_net(m, 0, cfg, "encoder", "encoder", p0.data, C, H, W);
  if (!st) st = gan ? wg__build_net(m, 1, cfg, "discriminator", "D", p1.data, C, H, W)
                    : wg__build_net(m, 1, cfg, "decoder", "decoder", p1.data, L, 1, 1);
  free(p0.data); free(p1.data);
  if (st) return st;
  return wg__check_shapes(m);
}

wg_status wg_model_create(const char *config_json, wg_model **out) {
  return wg_model_create_capped(config_json, 0, out);
}

wg_status wg_model_create_capped(const char *config_json, size_t max_params, wg_model **out) {
  *out = NULL;
  if (!config_json) return wg_fail(WG_ERR_ARG, "config: missing");
  wg_json *cfg;
  wg_status st = wg_json_parse(config_json, strlen(config_json), &cfg);
  if (st) return wg_fail(WG_ERR_ARG, "config is not valid JSON: %s", wg_last_error());
  wg_model *m = calloc(1, sizeof *m);
  if (!m) { wg_json_free(cfg); return wg_fail(WG_ERR_NOMEM, "out of memory"); }
  m->param_budget = max_params;
  st = wg__configure(m, cfg);
  wg_json_free(cfg);
  if (!st) {
    wg__write_canonical(m);
    if (!m->config_json) st = wg_fail(WG_ERR_NOMEM, "out of memory");
  }
  if (st) { wg_model_free(m); return st; }
  /* GEMM's packing buffers first, so the arena's first blocks sit together and coalesce when
   * they are merged after the first step (less heap growth in the browser). */
  wg_gemm_reserve();
  wg_rng init;
  wg_rng_seed(&init, m->seed, WG_STREAM_INIT);
  for (int k = 0; k < 2; k++) {
    if (m->init_std > 0.f) wg_net_init_normal(&m->nets[k], &init, m->init_std);
    else wg_net_init_params(&m->nets[k], &init);
  }
  wg_rng_seed(&m->rng_shuffle, m->seed, WG_STREAM_SHUFFLE);
  wg_rng_seed(&m->rng_noise, m->seed, WG_STREAM_NOISE);
  wg_rng_seed(&m->rng_dropout, m->seed, WG_STREAM_DROPOUT);
  wg_rng_seed(&m->rng_augment, m->seed, WG_STREAM_AUGMENT);
  m->rng_epoch_start = m->rng_shuffle;
  *out = m;
  return WG_OK;
}

void wg_model_free(wg_model *m) {
  if (!m) return;
  wg_net_free(&m->nets[0]);
  wg_net_free(&m->nets[1]);
  wg_arena_free(&m->arena);
  wg__guard_free(m);
  free(m->perm);
  free(m->config_json);
  free(m);
}

const char *wg_model_config_json(const wg_model *m) { return m->config_json; }
int wg_model_image_size(const wg_model *m) { return m->height * m->width * m->channels; }

/* A fresh permutation of 0..n-1 from the shuffle stream (Fisher-Yates). */
void wg__model_shuffle(wg_model *m) {
  m->rng_epoch_start = m->rng_shuffle;
  for (int i = 0; i < m->perm_n; i++) m->perm[i] = (uint32_t)i;
  for (int i = m->perm_n - 1; i > 0; i--) {
    uint32_t j = wg_rng_below(&m->rng_shuffle, (uint32_t)i + 1);
    uint32_t t = m->perm[i]; m->perm[i] = m->perm[j]; m->perm[j] = t;
  }
  m->perm_pos = 0;
}

wg_status wg__model_prepare_order(wg_model *m, int n) {
  if (m->perm_n == n && m->perm) return WG_OK;
  uint32_t *p = realloc(m->perm, sizeof(uint32_t) * (size_t)n);
  if (!p) return wg_fail(WG_ERR_NOMEM, "out of memory for the data order");
  m->perm = p;
  if (m->perm_n == n && n > 0) {
    /* A loaded checkpoint: rebuild its epoch's order from the epoch-start stream, keep the
     * position and the shuffle stream as saved. */
    wg_rng shuffle = m->rng_shuffle;
    int pos = m->perm_pos;
    m->rng_shuffle = m->rng_epoch_start;
    wg__model_shuffle(m);
    m->rng_shuffle = shuffle;
    m->perm_pos = pos;
    return WG_OK;
  }
  m->perm_n = n;
  wg__model_shuffle(m);
  return WG_OK;
}

/* Converts the next `batch` images of the shuffled order to floats in [0, 1], applies the
 * augmentation chain (if any) per image, then maps to the model's range: x * scale + shift. */
static wg_status wg__next_batch(wg_model *m, const wg_dataset *ds, int batch, float *x, float scale,
                                float shift) {
  if (m->perm_pos + batch > m->perm_n) { wg__model_shuffle(m); m->epoch++; }
  int P = wg_model_image_size(m);
  for (int b = 0; b < batch; b++) {
    const uint8_t *src = ds->pixels + (size_t)m->perm[m->perm_pos + b] * P;
    float *dst = x + (size_t)b * P;
    for (int k = 0; k < P; k++) dst[k] = (float)src[k] * (1.f / 255.f);
    if (m->augmenting) {
      wg_status st = wg_ops_augment(&m->augment, dst, m->channels, m->height, m->width, &m->rng_augment);
      if (st) return st;
    }
    for (int k = 0; k < P; k++) dst[k] = dst[k] * scale + shift;
  }
  m->perm_pos += batch;
  return WG_OK;
}

wg_status wg_model_train(wg_model *m, const wg_dataset *ds, int steps, int batch) {
  if (!ds) return wg_fail(WG_ERR_ARG, "train: no dataset");
  if (ds->height != m->height || ds->width != m->width || ds->channels != m->channels)
    return wg_fail(WG_ERR_MISMATCH, "train: dataset images are %dx%dx%d but the model expects %dx%dx%d",
                   ds->height, ds->width, ds->channels, m->height, m->width, m->channels);
  if (batch < 2 || batch > 4096)
    return wg_fail(WG_ERR_ARG, "train: batch size must be in [2, 4096], got %d", batch);
  if (batch > ds->n)
    return wg_fail(WG_ERR_ARG, "train: batch size %d is larger than the dataset (%d images)", batch, ds->n);
  if (steps < 0) return wg_fail(WG_ERR_ARG, "train: steps must be >= 0, got %d", steps);
  wg_status st = wg__model_prepare_order(m, ds->n);
  if (st) return st;
  int gan = m->kind == WG_MODEL_GAN;
  for (int s = 0; s < steps; s++) {
    /* What a failed step (out of memory) must put back so that it leaves no trace. */
    wg_rng shuffle = m->rng_shuffle, epoch_start = m->rng_epoch_start;
    wg_rng noise = m->rng_noise, dropout = m->rng_dropout, augment = m->rng_augment;
    int perm_pos = m->perm_pos;
    long long epoch = m->epoch;
    wg_arena_reset(&m->arena);
    st = wg__guard_before(m);
    float *x = st ? NULL : wg_arena_floats(&m->arena, (size_t)batch * wg_model_image_size(m));
    if (!st && !x) st = wg_fail(WG_ERR_NOMEM, "out of memory for a batch of %d images", batch);
    /* GAN images live in [-1, 1] (tanh output); VAE images in [0, 1] (Bernoulli means). */
    if (!st) st = wg__next_batch(m, ds, batch, x, gan ? 2.f : 1.f, gan ? -1.f : 0.f);
    if (!st) st = gan ? wg__gan_step(m, x, batch) : wg__vae_step(m, x, batch);
    if (st) {
      wg__guard_undo(m);
      m->rng_noise = noise; m->rng_dropout = dropout; m->rng_augment = augment;
      if (m->epoch != epoch) { m->rng_shuffle = epoch_start; wg__model_shuffle(m); m->epoch = epoch; }
      m->rng_shuffle = shuffle; m->rng_epoch_start = epoch_start; m->perm_pos = perm_pos;
      wg_arena_free(&m->arena);   /* give the failed step's memory back to the heap */
      return st;
    }
    wg__guard_after(m);
    m->step++;
  }
  return WG_OK;
}

wg_status wg_model_sample(wg_model *m, int n, uint64_t seed, float *out) {
  if (n < 1 || n > 65536) return wg_fail(WG_ERR_ARG, "sample: n must be in [1, 65536], got %d", n);
  float *z = malloc(sizeof(float) * (size_t)n * m->latent);
  if (!z) return wg_fail(WG_ERR_NOMEM, "out of memory for %d latent vectors", n);
  wg_rng r;
  wg_rng_seed(&r, seed, WG_STREAM_SAMPLE);
  wg_rng_fill_normal(&r, z, n * m->latent, 0.f, 1.f);
  wg_status st = wg_model_decode(m, z, n, out);
  free(z);
  return st;
}

wg_status wg_model_decode(wg_model *m, const float *z, int n, float *out) {
  if (n < 1) return wg_fail(WG_ERR_ARG, "decode: n must be >= 1");
  wg_net *net = &m->nets[m->kind == WG_MODEL_GAN ? 0 : 1];
  int P = wg_model_image_size(m);
  for (int i0 = 0; i0 < n; i0 += 256) {   /* chunks bound the arena size */
    int b = n - i0 < 256 ? n - i0 : 256;
    wg_arena_reset(&m->arena);
    wg_frame fr;
    float *y = wg_net_forward(net, &m->arena, &fr, z + (size_t)i0 * m->latent, b, 0, NULL, net->n_layers);
    if (!y) return wg_fail(WG_ERR_NOMEM, "out of memory while generating");
    float *o = out + (size_t)i0 * P;
    if (m->kind == WG_MODEL_GAN)
      for (size_t k = 0; k < (size_t)b * P; k++) o[k] = 0.5f * (y[k] + 1.f);
    else
      memcpy(o, y, sizeof(float) * (size_t)b * P);
  }
  return WG_OK;
}
