/* model.c — models from config (family + preset), datasets, batching, the training loop, and
 * the generic entry points (sample, decode, encode, classify, evaluate, describe).
 *
 * Nothing here knows a family by name: what a step, an image range or a net's input means comes
 * from the family table (family.h). The divergence guard is in guard.c, checkpoints in
 * checkpoint.c, the families in family_*.c.
 */
#include "model.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "gemm.h"
#include "model_internal.h"

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

static wg_status wg__hidden_list(const wg_cfg *c, const char *key, const int *def, int n_def,
                                 int *out, int *n_out) {
  const wg_json *v = wg_json_get(c->obj, key);
  if (!v) { memcpy(out, def, sizeof(int) * (size_t)n_def); *n_out = n_def; return WG_OK; }
  if (v->type != WG_JSON_ARRAY || v->length > WG_MAX_PRESET_WIDTHS)
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

/* Builds net k from its config member, or from the preset's layer list when absent. */
static wg_status wg__build_net(wg_model *m, int k, const wg_json *cfg, const char *preset_list) {
  const wg_role *role = &m->family->roles[k];
  size_t cap = WG_NET_MAX_PARAMS, used = 0;
  for (int j = 0; j < k; j++) used += m->nets[j].n_params;
  if (m->param_budget) cap = m->param_budget > used ? m->param_budget - used : 1;
  int c, h, w;
  m->family->net_input(m, k, &c, &h, &w);
  const wg_json *spec = wg_json_get(cfg, role->key);
  if (spec) return wg_net_build_capped(&m->nets[k], role->role, spec, c, h, w, cap);
  wg_json *doc;
  wg_status st = wg_json_parse(preset_list, strlen(preset_list), &doc);
  if (st) return wg_fail(st, "internal: preset for %s is not valid JSON: %s", role->role, wg_last_error());
  st = wg_net_build_capped(&m->nets[k], role->role, doc, c, h, w, cap);
  wg_json_free(doc);
  return st;
}

static int wg__has_role_key(const wg_family *f, const char *key) {
  for (int k = 0; k < f->n_roles; k++) if (strcmp(f->roles[k].key, key) == 0) return 1;
  return 0;
}

/* A member that names another family's net ("encoder" in a gan) gets a message that says which
 * nets this family has. */
static wg_status wg__check_role_keys(const wg_model *m, const wg_json *cfg) {
  for (int i = 0; i < wg_family_count(); i++) {
    const wg_family *f = wg_family_at(i);
    for (int k = 0; k < f->n_roles; k++) {
      const char *key = f->roles[k].key;
      if (!wg_json_get(cfg, key) || wg__has_role_key(m->family, key)) continue;
      char have[128] = "";
      for (int j = 0; j < m->family->n_roles; j++)
        snprintf(have + strlen(have), sizeof have - strlen(have), "%s\"%s\"",
                 j == 0 ? "" : j + 1 == m->family->n_roles ? " and " : ", ", m->family->roles[j].key);
      return wg_fail(WG_ERR_ARG, "config: a %s has %s, not \"%s\"", m->preset->name, have, key);
    }
  }
  return WG_OK;
}

static void wg__put_group(wg_strbuf *sb, const wg_optim_config *o) {
  wg_strbuf_puts(sb, "\"lr\":");
  wg_cfg_put_float(sb, o->lr);
  if (o->kind == WG_OPTIM_ADAM) {
    wg_strbuf_puts(sb, ",\"beta1\":"); wg_cfg_put_float(sb, o->beta1);
    wg_strbuf_puts(sb, ",\"beta2\":"); wg_cfg_put_float(sb, o->beta2);
    wg_strbuf_puts(sb, ",\"eps\":"); wg_cfg_put_float(sb, o->eps);
  } else {
    wg_strbuf_puts(sb, ",\"momentum\":"); wg_cfg_put_float(sb, o->momentum);
  }
}

static void wg__write_canonical(wg_model *m, const wg_optim_config *base) {
  wg_strbuf sb = {0};
  wg_strbuf_printf(&sb, "{\"model\":\"%s\",\"height\":%d,\"width\":%d,\"channels\":%d,",
                   m->preset->name, m->height, m->width, m->channels);
  if (m->latent) wg_strbuf_printf(&sb, "\"latent\":%d,", m->latent);
  if (m->classes) wg_strbuf_printf(&sb, "\"classes\":%d,", m->classes);
  wg_strbuf_printf(&sb, "\"optimizer\":\"%s\",", base->kind == WG_OPTIM_ADAM ? "adam" : "sgd");
  wg__put_group(&sb, base);
  int any = 0;
  for (int k = 0; k < m->n_nets; k++) {
    if (!m->opt_override[k]) continue;
    wg_strbuf_printf(&sb, "%s\"%s\":{", any++ ? "," : ",\"optimizers\":{", m->nets[k].name);
    wg__put_group(&sb, &m->opt[k]);
    wg_strbuf_puts(&sb, "}");
  }
  if (any) wg_strbuf_puts(&sb, "}");
  wg_strbuf_printf(&sb, ",\"seed\":%llu", (unsigned long long)m->seed);
  if (m->augmenting) { wg_strbuf_puts(&sb, ",\"augment\":"); wg_strbuf_json_string(&sb, m->augment_text); }
  /* Always written: the default depends on the preset, and a config must rebuild the same model. */
  if (m->init_std > 0.f) { wg_strbuf_puts(&sb, ",\"init\":\"normal\",\"init_std\":"); wg_cfg_put_float(&sb, m->init_std); }
  else wg_strbuf_puts(&sb, ",\"init\":\"pytorch\"");
  if (m->family->put_config) m->family->put_config(m, &sb);
  for (int k = 0; k < m->n_nets; k++) {
    wg_strbuf_printf(&sb, ",\"%s\":", m->family->roles[k].key);
    wg_net_spec_json(&m->nets[k], &sb);
  }
  wg_strbuf_puts(&sb, "}");
  m->config_json = sb.failed ? NULL : sb.data;
  if (sb.failed) free(sb.data);
}

static void wg__put_shape(wg_strbuf *sb, int c, int h, int w) {
  wg_strbuf_printf(sb, "[%d,%d,%d]", c, h, w);
}

static void wg__write_describe(wg_model *m) {
  const wg_family *f = m->family;
  wg_strbuf sb = {0};
  wg_strbuf_printf(&sb, "{\"family\":\"%s\",\"preset\":\"%s\",\"height\":%d,\"width\":%d,\"channels\":%d,"
                   "\"latent\":%d,\"classes\":%d,\"image_range\":[", f->name, m->preset->name,
                   m->height, m->width, m->channels, m->latent, m->classes);
  wg_cfg_put_float(&sb, f->image_shift);
  wg_strbuf_puts(&sb, ",");
  wg_cfg_put_float(&sb, f->image_shift + f->image_scale);
  wg_strbuf_puts(&sb, "],\"capabilities\":");
  wg_family_caps_json(&sb, f->caps);
  if (f->caps & WG_CAP_SAMPLE) wg_strbuf_printf(&sb, ",\"generator\":\"%s\"", f->roles[f->generator].role);
  else wg_strbuf_puts(&sb, ",\"generator\":null");
  if (f->caps & WG_CAP_TRANSLATE)
    wg_strbuf_printf(&sb, ",\"translators\":{\"ab\":\"%s\",\"ba\":\"%s\"}", f->roles[f->translators[0]].role, f->roles[f->translators[1]].role);
  else wg_strbuf_puts(&sb, ",\"translators\":null");
  wg_strbuf_puts(&sb, ",\"nets\":[");
  for (int k = 0; k < m->n_nets; k++) {
    const wg_net *net = &m->nets[k];
    int c, h, w;
    f->net_input(m, k, &c, &h, &w);
    wg_strbuf_printf(&sb, "%s{\"role\":\"%s\",\"key\":\"%s\",\"params\":%zu,\"minimises\":\"%s\",\"input\":",
                     k ? "," : "", net->name, f->roles[k].key, net->n_params, f->losses[f->minimises[k]].name);
    wg__put_shape(&sb, c, h, w);
    wg_strbuf_puts(&sb, ",\"layers\":[");
    for (int i = 0; i < net->n_layers; i++) {
      const wg_layer *L = &net->layers[i];
      wg_strbuf_printf(&sb, "%s{\"output\":", i ? "," : "");
      wg__put_shape(&sb, L->out_c, L->out_h, L->out_w);
      wg_strbuf_printf(&sb, ",\"params\":%zu}", L->n_w + L->n_b);
    }
    wg_strbuf_puts(&sb, "]}");
  }
  wg_strbuf_puts(&sb, "],\"losses\":[");
  for (int i = 0; i < f->n_losses; i++)
    wg_strbuf_printf(&sb, "%s{\"name\":\"%s\",\"group\":\"%s\"}", i ? "," : "", f->losses[i].name, f->losses[i].group);
  wg_strbuf_puts(&sb, "],\"eval\":[");
  for (int i = 0; f->eval_names && f->eval_names[i]; i++) wg_strbuf_printf(&sb, "%s\"%s\"", i ? "," : "", f->eval_names[i]);
  wg_strbuf_puts(&sb, "]}");
  m->describe_json = sb.failed ? NULL : sb.data;
  if (sb.failed) free(sb.data);
}

static wg_status wg__optim_fields(const wg_cfg *c, wg_optim_config *o) {
  double v;
  wg_status st;
  if ((st = wg_cfg_num(c, "lr", o->lr, 1e-12, 10.0, &v))) return st;
  o->lr = (float)v;
  if ((st = wg_cfg_num(c, "beta1", o->beta1, 0.0, 0.9999999, &v))) return st;
  o->beta1 = (float)v;
  if ((st = wg_cfg_num(c, "beta2", o->beta2, 0.0, 0.9999999, &v))) return st;
  o->beta2 = (float)v;
  if ((st = wg_cfg_num(c, "eps", o->eps, 1e-30, 1.0, &v))) return st;
  o->eps = (float)v;
  if ((st = wg_cfg_num(c, "momentum", o->momentum, 0.0, 0.9999999, &v))) return st;
  o->momentum = (float)v;
  return WG_OK;
}

/* "optimizers": {"D": {"lr": 1e-4}} overrides the shared settings for one net's group. */
static wg_status wg__optim_groups(wg_model *m, const wg_json *cfg, const wg_optim_config *base) {
  for (int k = 0; k < m->n_nets; k++) m->opt[k] = *base;
  const wg_json *groups = wg_json_get(cfg, "optimizers");
  if (!groups) return WG_OK;
  if (groups->type != WG_JSON_OBJECT)
    return wg_fail(WG_ERR_ARG, "config: \"optimizers\" must be an object of per-net settings, e.g. {\"D\": {\"lr\": 0.0001}}");
  for (size_t i = 0; i < groups->length; i++) {
    int k = -1;
    for (int j = 0; j < m->n_nets; j++) if (strcmp(groups->keys[i], m->nets[j].name) == 0) k = j;
    if (k < 0) {
      char have[96] = "";
      for (int j = 0; j < m->n_nets; j++) snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", j ? ", " : "", m->nets[j].name);
      return wg_fail(WG_ERR_ARG, "config: \"optimizers\" names \"%s\", which is not a net of this model (%s)", groups->keys[i], have);
    }
    char where[64];
    snprintf(where, sizeof where, "config: optimizers.%s", groups->keys[i]);
    wg_cfg c = {&groups->items[i], where};
    const char *keys[] = {"lr", "beta1", "beta2", "eps", "momentum", NULL};
    wg_status st = wg_cfg_only(&c, keys);
    if (!st) st = wg__optim_fields(&c, &m->opt[k]);
    if (st) return st;
    m->opt_override[k] = 1;
  }
  return WG_OK;
}

static wg_status wg__configure(wg_model *m, const wg_json *cfg) {
  wg_cfg c = {cfg, "config"};
  wg_status st;
  const char *name;
  if (!cfg || cfg->type != WG_JSON_OBJECT) return wg_fail(WG_ERR_ARG, "config: expected an object like {\"model\": \"gan\"}");
  if ((st = wg_cfg_str(&c, "model", NULL, &name))) return st;
  if (!name) return wg_fail(WG_ERR_ARG, "config: missing \"model\" (one of %s)", wg_preset_list());
  m->family = wg_family_find_preset(name, &m->preset);
  if (!m->family) return wg_fail(WG_ERR_ARG, "config: unknown model \"%s\" (expected one of %s)", name, wg_preset_list());
  const wg_family *f = m->family;
  const wg_preset_def *pre = m->preset;
  m->n_nets = f->n_roles;
  if ((st = wg__check_role_keys(m, cfg))) return st;
  const char *keys[32] = {"model", "height", "width", "channels", "hidden", "optimizer", "lr", "beta1",
                          "beta2", "eps", "momentum", "optimizers", "seed", "augment", "init", "init_std"};
  int nk = 16;
  if (pre->latent) keys[nk++] = "latent";
  if (f->caps & WG_CAP_CLASSES) keys[nk++] = "classes";
  if (pre->uses_disc_widths) keys[nk++] = "disc_hidden";
  for (int k = 0; k < f->n_roles; k++) keys[nk++] = f->roles[k].key;
  for (int k = 0; f->config_keys && f->config_keys[k] && nk < 31; k++) keys[nk++] = f->config_keys[k];
  keys[nk] = NULL;
  if ((st = wg_cfg_only(&c, keys))) return st;

  double v;
  if ((st = wg_cfg_int(&c, "height", 28, 1, 1024, &v))) return st;
  m->height = (int)v;
  if ((st = wg_cfg_int(&c, "width", 28, 1, 1024, &v))) return st;
  m->width = (int)v;
  if ((st = wg_cfg_int(&c, "channels", 1, 1, 3, &v))) return st;
  if (v == 2) return wg_fail(WG_ERR_ARG, "config: \"channels\" must be 1 (grey) or 3 (RGB)");
  m->channels = (int)v;
  if (pre->latent) {
    if ((st = wg_cfg_int(&c, "latent", pre->latent, 1, 4096, &v))) return st;
    m->latent = (int)v;
  }
  if (f->caps & WG_CAP_CLASSES) {
    if ((st = wg_cfg_int(&c, "classes", 10, 2, 256, &v))) return st;
    m->classes = (int)v;
  }
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
  if ((st = wg_cfg_str(&c, "init", pre->init_std > 0.f ? "normal" : "pytorch", &init))) return st;
  if (strcmp(init, "normal") != 0 && strcmp(init, "pytorch") != 0)
    return wg_fail(WG_ERR_ARG, "config: unknown init \"%s\" (expected \"pytorch\" or \"normal\")", init);
  if ((st = wg_cfg_num(&c, "init_std", pre->init_std > 0.f ? pre->init_std : 0.02, 1e-6, 10.0, &v))) return st;
  if (wg_json_get(cfg, "init_std") && strcmp(init, "normal") != 0)
    return wg_fail(WG_ERR_ARG, "config: \"init_std\" goes with \"init\": \"normal\"");
  m->init_std = strcmp(init, "normal") == 0 ? (float)v : 0.f;

  const char *opt;
  wg_optim_config base = {WG_OPTIM_ADAM, f->lr, f->beta1, 0.999f, 1e-8f, 0.9f};
  if ((st = wg_cfg_str(&c, "optimizer", "adam", &opt))) return st;
  if (strcmp(opt, "adam") == 0) base.kind = WG_OPTIM_ADAM;
  else if (strcmp(opt, "sgd") == 0) base.kind = WG_OPTIM_SGD;
  else return wg_fail(WG_ERR_ARG, "config: unknown optimizer \"%s\" (expected \"adam\" or \"sgd\")", opt);
  if ((st = wg__optim_fields(&c, &base))) return st;

  if (f->configure && (st = f->configure(m, cfg))) return st;

  int hidden[WG_MAX_PRESET_WIDTHS], n_hidden, dh[WG_MAX_PRESET_WIDTHS], n_dh = 0, def[WG_MAX_PRESET_WIDTHS];
  int n_def = pre->default_widths(m->height, m->width, def);
  if ((st = wg__hidden_list(&c, "hidden", def, n_def, hidden, &n_hidden))) return st;
  if (pre->uses_disc_widths && (st = wg__hidden_list(&c, "disc_hidden", pre->disc_widths, pre->n_disc_widths, dh, &n_dh))) return st;
  wg_preset_sizes sizes = {m->height, m->width, m->channels, m->latent, m->classes, hidden, n_hidden, dh, n_dh, m->family_state};
  wg_strbuf lists[WG_MAX_NETS] = {{0}};
  int need_preset = 0;
  for (int k = 0; k < f->n_roles; k++) need_preset |= !wg_json_get(cfg, f->roles[k].key);
  st = need_preset ? pre->layers(&sizes, lists) : WG_OK;
  for (int k = 0; k < f->n_roles && !st && need_preset; k++)
    if (lists[k].failed) st = wg_fail(WG_ERR_NOMEM, "out of memory");
  for (int k = 0; k < f->n_roles && !st; k++) st = wg__build_net(m, k, cfg, lists[k].data ? lists[k].data : "[]");
  for (int k = 0; k < f->n_roles; k++) free(lists[k].data);
  if (st) return st;
  if ((st = wg__optim_groups(m, cfg, &base))) return st;
  if (f->check && (st = f->check(m))) return st;
  wg__write_canonical(m, &base);
  wg__write_describe(m);
  if (!m->config_json || !m->describe_json) return wg_fail(WG_ERR_NOMEM, "out of memory");
  return WG_OK;
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
  if (st) { wg_model_free(m); return st; }
  /* GEMM's packing buffers first, so the arena's first blocks sit together and coalesce when
   * they are merged after the first step (less heap growth in the browser). */
  wg_gemm_reserve();
  wg_rng init;
  wg_rng_seed(&init, m->seed, WG_STREAM_INIT);
  for (int k = 0; k < m->n_nets; k++) {
    if (m->init_std > 0.f) wg_net_init_normal(&m->nets[k], &init, m->init_std);
    else wg_net_init_params(&m->nets[k], &init);
  }
  wg_rng_seed(&m->rng_shuffle, m->seed, WG_STREAM_SHUFFLE);
  wg_rng_seed(&m->rng_noise, m->seed, WG_STREAM_NOISE);
  wg_rng_seed(&m->rng_dropout, m->seed, WG_STREAM_DROPOUT);
  wg_rng_seed(&m->rng_augment, m->seed, WG_STREAM_AUGMENT);
  wg_rng_seed(&m->rng_domain_b, m->seed, WG_STREAM_DOMAIN_B);
  m->rng_epoch_start = m->rng_shuffle;
  *out = m;
  return WG_OK;
}

void wg_model_free(wg_model *m) {
  if (!m) return;
  if (m->family && m->family->free_state) m->family->free_state(m);
  for (int k = 0; k < WG_MAX_NETS; k++) wg_net_free(&m->nets[k]);
  wg_arena_free(&m->arena);
  wg__guard_free(m);
  free(m->perm);
  free(m->config_json);
  free(m->describe_json);
  free(m);
}

const char *wg_model_config_json(const wg_model *m) { return m->config_json; }
const char *wg_model_describe(const wg_model *m) { return m->describe_json; }
int wg_model_image_size(const wg_model *m) { return m->height * m->width * m->channels; }
long long wg_model_step(const wg_model *m) { return m->step; }
long long wg_model_epoch(const wg_model *m) { return m->epoch; }
const float *wg_model_losses(const wg_model *m) { return m->losses; }
size_t wg_model_arena_peak(const wg_model *m) { return m->arena.peak; }
const char *wg_model_dataset(const wg_model *m) { return m->dataset_id; }
void wg_model_set_dataset(wg_model *m, const char *id) {
  snprintf(m->dataset_id, sizeof m->dataset_id, "%s", id ? id : "");
}
void wg_model_guard_info(const wg_model *m, double *out) {
  out[0] = (double)m->skipped_steps; out[1] = (double)m->rollbacks;
  out[2] = (double)m->opt[0].lr; out[3] = (double)m->bad_streak;
}

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
 * augmentation chain (if any) per image, then maps to the family's range; labels follow their
 * images through the shuffle. */
/* Image idx of ds into dst: to [0, 1], augmented when the model augments, then to the family's
 * range. Both domains' batches are made this way. */
static wg_status wg__load_image(wg_model *m, const wg_dataset *ds, uint32_t idx, float *dst) {
  int P = wg_model_image_size(m);
  float scale = m->family->image_scale, shift = m->family->image_shift;
  const uint8_t *src = ds->pixels + (size_t)idx * P;
  for (int k = 0; k < P; k++) dst[k] = (float)src[k] * (1.f / 255.f);
  if (m->augmenting) {
    wg_status st = wg_ops_augment(&m->augment, dst, m->channels, m->height, m->width, &m->rng_augment);
    if (st) return st;
  }
  for (int k = 0; k < P; k++) dst[k] = dst[k] * scale + shift;
  return WG_OK;
}

static wg_status wg__next_batch(wg_model *m, const wg_dataset *ds, int batch, float *x, int *labels) {
  if (m->perm_pos + batch > m->perm_n) { wg__model_shuffle(m); m->epoch++; }
  size_t P = (size_t)wg_model_image_size(m);
  for (int b = 0; b < batch; b++) {
    uint32_t idx = m->perm[m->perm_pos + b];
    wg_status st = wg__load_image(m, ds, idx, x + (size_t)b * P);
    if (st) return st;
    if (labels) labels[b] = ds->labels[idx];
  }
  m->perm_pos += batch;
  return WG_OK;
}

static wg_status wg__check_labels(const wg_model *m, const wg_dataset *ds, const char *what) {
  if (!ds->labels)
    return wg_fail(WG_ERR_ARG, "%s: a %s model needs class labels, and this dataset has none", what, m->preset->name);
  for (int i = 0; i < ds->n; i++)
    if (ds->labels[i] >= m->classes)
      return wg_fail(WG_ERR_ARG, "%s: image %d has label %d, but the model has %d classes (0..%d)", what, i, ds->labels[i], m->classes, m->classes - 1);
  return WG_OK;
}

wg_status wg__model_step(wg_model *m, const wg_batch *b) {
  wg_status st = m->family->step(m, b);
  if (!st) for (int i = 0; i < m->family->n_losses; i++) m->losses[i] = (float)m->exact_losses[i];
  return st;
}

/* Converts `batch` images of the second domain, drawn independently of the first domain's order
 * (uniformly with replacement from their own stream, as the reference CycleGAN's unaligned
 * loader does), to the family's range; augmented like the first domain. */
static wg_status wg__next_batch_b(wg_model *m, const wg_dataset *ds, int batch, float *x) {
  size_t P = (size_t)wg_model_image_size(m);
  for (int b = 0; b < batch; b++) {
    wg_status st = wg__load_image(m, ds, wg_rng_below(&m->rng_domain_b, (uint32_t)ds->n), x + (size_t)b * P);
    if (st) return st;
  }
  return WG_OK;
}

static wg_status wg__check_domain(const wg_model *m, const wg_dataset *ds, const char *which) {
  if (!ds) return wg_fail(WG_ERR_ARG, "train: no dataset%s", which);
  if (ds->n < 1) return wg_fail(WG_ERR_ARG, "train: dataset%s is empty", which);
  if (ds->height != m->height || ds->width != m->width || ds->channels != m->channels)
    return wg_fail(WG_ERR_MISMATCH, "train: dataset%s images are %dx%dx%d but the model expects %dx%dx%d",
                   which, ds->height, ds->width, ds->channels, m->height, m->width, m->channels);
  return WG_OK;
}

wg_status wg_model_train(wg_model *m, const wg_dataset *ds, int steps, int batch) {
  return wg_model_train2(m, ds, NULL, steps, batch);
}

wg_status wg_model_train2(wg_model *m, const wg_dataset *ds, const wg_dataset *ds_b, int steps, int batch) {
  int two = (m->family->caps & WG_CAP_TWO_DOMAINS) != 0;
  wg_status st0 = wg__check_domain(m, ds, two ? " A" : "");
  if (st0) return st0;
  if (two && !ds_b)
    return wg_fail(WG_ERR_ARG, "train: a %s model translates between two domains: give a second dataset (domain B)", m->preset->name);
  if (!two && ds_b)
    return wg_fail(WG_ERR_ARG, "train: a %s model trains on one dataset; it takes no second domain", m->preset->name);
  if (two && (st0 = wg__check_domain(m, ds_b, " B"))) return st0;
  if (batch < 2 || batch > 4096)
    return wg_fail(WG_ERR_ARG, "train: batch size must be in [2, 4096], got %d", batch);
  if (batch > ds->n)
    return wg_fail(WG_ERR_ARG, "train: batch size %d is larger than the dataset (%d images)", batch, ds->n);
  if (steps < 0) return wg_fail(WG_ERR_ARG, "train: steps must be >= 0, got %d", steps);
  int with_labels = (m->family->caps & WG_CAP_CLASSES) != 0;
  wg_status st = with_labels ? wg__check_labels(m, ds, "train") : WG_OK;
  if (!st) st = wg__model_prepare_order(m, ds->n);
  if (st) return st;
  for (int s = 0; s < steps; s++) {
    /* What a failed step (out of memory) must put back so that it leaves no trace. */
    wg_rng shuffle = m->rng_shuffle, epoch_start = m->rng_epoch_start;
    wg_rng noise = m->rng_noise, dropout = m->rng_dropout, augment = m->rng_augment, draw_b = m->rng_domain_b;
    int perm_pos = m->perm_pos;
    long long epoch = m->epoch;
    wg_arena_reset(&m->arena);
    st = wg__guard_before(m);
    float *x = st ? NULL : wg_arena_floats(&m->arena, (size_t)batch * wg_model_image_size(m));
    int *labels = st || !with_labels ? NULL : wg_arena_alloc(&m->arena, sizeof(int) * (size_t)batch);
    if (!st && (!x || (with_labels && !labels))) st = wg_fail(WG_ERR_NOMEM, "out of memory for a batch of %d images", batch);
    if (!st) st = wg__next_batch(m, ds, batch, x, labels);
    float *x_b = NULL;
    if (!st && ds_b) {
      x_b = wg_arena_floats(&m->arena, (size_t)batch * wg_model_image_size(m));
      st = x_b ? wg__next_batch_b(m, ds_b, batch, x_b) : wg_fail(WG_ERR_NOMEM, "out of memory for a batch of %d images", batch);
    }
    wg_batch b = {batch, x, labels, x_b};
    if (!st) st = wg__model_step(m, &b);
    if (st) {
      wg__guard_undo(m);
      m->rng_noise = noise; m->rng_dropout = dropout; m->rng_augment = augment; m->rng_domain_b = draw_b;
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

/* Labels given to a generating call: required by conditional models, refused by others. */
static wg_status wg__check_call_labels(const wg_model *m, const int *labels, int n, const char *what) {
  if (!(m->family->caps & WG_CAP_CLASSES)) {
    if (labels) return wg_fail(WG_ERR_ARG, "%s: this %s model is not conditional; it takes no class labels", what, m->preset->name);
    return WG_OK;
  }
  if (!labels)
    return wg_fail(WG_ERR_ARG, "%s: this %s model is conditional: give one class label (0..%d) per image", what, m->preset->name, m->classes - 1);
  for (int i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= m->classes)
      return wg_fail(WG_ERR_ARG, "%s: label %d (image %d) is out of range: this model has classes 0..%d", what, labels[i], i, m->classes - 1);
  return WG_OK;
}

/* One-hot rows (n, classes) of checked labels, or NULL for an unconditional model; *cond_out
 * must be freed by the caller. */
static wg_status wg__labels_to_cond(const wg_model *m, const int *labels, int n, const char *what, float **cond_out) {
  *cond_out = NULL;
  wg_status st = wg__check_call_labels(m, labels, n, what);
  if (st || !labels) return st;
  float *cond = malloc(sizeof(float) * (size_t)n * m->classes);
  if (!cond) return wg_fail(WG_ERR_NOMEM, "out of memory for %d labels", n);
  wg__put_one_hot(cond, m->classes, 0, labels, n, m->classes);
  *cond_out = cond;
  return WG_OK;
}

wg_status wg_model_sample(wg_model *m, int n, uint64_t seed, const int *labels, float truncation,
                          float *out) {
  if (n < 1 || n > 65536) return wg_fail(WG_ERR_ARG, "sample: n must be in [1, 65536], got %d", n);
  if (!m->family->generate) return wg_fail(WG_ERR_STATE, "sample: a %s model does not generate images", m->preset->name);
  if (!(truncation == 0.f || (truncation >= 0.05f && truncation <= 10.f)))
    return wg_fail(WG_ERR_ARG, "sample: truncation must be 0 (off) or in [0.05, 10], got %g", (double)truncation);
  float *cond;
  wg_status st = wg__labels_to_cond(m, labels, n, "sample", &cond);
  if (st) return st;
  size_t count = (size_t)n * m->latent;
  float *z = malloc(sizeof(float) * count);
  if (!z) { free(cond); return wg_fail(WG_ERR_NOMEM, "out of memory for %d latent vectors", n); }
  wg_rng r;
  wg_rng_seed(&r, seed, WG_STREAM_SAMPLE);
  wg_rng_fill_normal(&r, z, (int)count, 0.f, 1.f);
  /* The truncation trick: values beyond the threshold are drawn again (from the same stream,
   * after the first fill, so untruncated samples stay what they were). */
  if (truncation > 0.f)
    for (size_t i = 0; i < count; i++)
      while (z[i] > truncation || z[i] < -truncation) z[i] = wg_rng_normal(&r);
  st = m->family->generate(m, z, cond, n, out);
  free(z); free(cond);
  return st;
}

wg_status wg_model_decode(wg_model *m, const float *z, const int *labels, int n, float *out) {
  if (n < 1) return wg_fail(WG_ERR_ARG, "decode: n must be >= 1");
  if (!m->family->generate) return wg_fail(WG_ERR_STATE, "decode: a %s model has no generator or decoder", m->preset->name);
  float *cond;
  wg_status st = wg__labels_to_cond(m, labels, n, "decode", &cond);
  if (!st) st = m->family->generate(m, z, cond, n, out);
  free(cond);
  return st;
}

wg_status wg_model_decode_mixed(wg_model *m, const float *z, const float *class_weights, int n, float *out) {
  if (n < 1) return wg_fail(WG_ERR_ARG, "decode: n must be >= 1");
  if (!m->family->generate) return wg_fail(WG_ERR_STATE, "decode: a %s model has no generator or decoder", m->preset->name);
  if (!(m->family->caps & WG_CAP_CLASSES)) return wg_fail(WG_ERR_ARG, "decode: this %s model is not conditional; it takes no class weights", m->preset->name);
  for (size_t i = 0; i < (size_t)n * m->classes; i++)
    if (!(class_weights[i] >= -10.f && class_weights[i] <= 10.f))
      return wg_fail(WG_ERR_ARG, "decode: class weight %zu is %g; weights must be finite numbers in [-10, 10]", i, (double)class_weights[i]);
  return m->family->generate(m, z, class_weights, n, out);
}

wg_status wg_model_encode(wg_model *m, const float *x, const int *labels, int n, float *mu, float *logvar) {
  if (!m->family->encode) return wg_fail(WG_ERR_STATE, "encode: a %s model has no encoder (only VAEs do)", m->preset->name);
  if (n < 1) return wg_fail(WG_ERR_ARG, "encode: n must be >= 1");
  float *cond;
  wg_status st = wg__labels_to_cond(m, labels, n, "encode", &cond);
  if (!st) st = m->family->encode(m, x, cond, n, mu, logvar);
  free(cond);
  return st;
}

wg_status wg_model_classify(wg_model *m, const float *x, int n, float *probs, float *features) {
  if (!m->family->classify) return wg_fail(WG_ERR_STATE, "classify: a %s model is not a classifier", m->preset->name);
  if (n < 1) return wg_fail(WG_ERR_ARG, "classify: n must be >= 1");
  if (features && !m->family->feature_size) return wg_fail(WG_ERR_STATE, "classify: a %s model gives no features", m->preset->name);
  return m->family->classify(m, x, n, probs, features);
}

int wg_model_feature_size(const wg_model *m) {
  return m->family->classify && m->family->feature_size ? m->family->feature_size(m) : 0;
}

wg_status wg_model_translate(wg_model *m, const float *x, int n, int direction, float *out) {
  if (!m->family->translate)
    return wg_fail(WG_ERR_STATE, "translate: a %s model does not translate images (a CycleGAN does)", m->preset->name);
  if (n < 1) return wg_fail(WG_ERR_ARG, "translate: n must be >= 1");
  if (direction != 0 && direction != 1)
    return wg_fail(WG_ERR_ARG, "translate: direction must be 0 (A to B) or 1 (B to A), got %d", direction);
  return m->family->translate(m, x, n, direction, out);
}

wg_status wg_model_evaluate(wg_model *m, const wg_dataset *ds, int limit, double *out) {
  if (!m->family->evaluate) return wg_fail(WG_ERR_STATE, "evaluate: a %s model has no evaluation loss (VAEs and classifiers do)", m->preset->name);
  if (!ds || ds->height != m->height || ds->width != m->width || ds->channels != m->channels)
    return wg_fail(WG_ERR_MISMATCH, "evaluate: dataset images do not match the model's size");
  if ((m->family->caps & WG_CAP_CLASSES)) {
    wg_status st = wg__check_labels(m, ds, "evaluate");
    if (st) return st;
  }
  int n = limit > 0 && limit < ds->n ? limit : ds->n;
  return m->family->evaluate(m, ds, n, out);
}
