/* checkpoint.c — models to and from safetensors.
 *
 * Tensors: every net's parameters and statistics named like PyTorch's nn.Sequential state_dict
 * ("G.0.weight", "G.2.running_var"), then the optimizer moments ("opt.G.0.weight.exp_avg",
 * ".exp_avg_sq" for Adam, ".momentum_buffer" for SGD). __metadata__ holds the canonical config,
 * format name and version, step, epoch, data-order position and every RNG stream's state, so a
 * loaded model continues training exactly where the saved one stopped. Loading builds a new
 * model and checks every tensor's presence and shape before it is returned.
 *
 * The divergence guard's last-good snapshot (guard.c) is part of that state: "guard_snapshot" in
 * the state record holds the good steps since it and whether the file stores it. When the snapshot
 * equals the saved weights bit for bit (no update since it was taken, or just rolled back to it) the
 * file stores nothing more; otherwise it stores the snapshot as "guard.G.0.weight", ... (the same
 * names and shapes as the weights behind a "guard." prefix, which PyTorch users filter out as they
 * do "opt."). Files without the record (older ones) take the snapshot from the loaded weights.
 *
 * A family's own state (family.h: CycleGAN's image pools and their stream) is stored as
 * "family.<name>" tensors and the metadata record "family_state"; the second domain's stream is
 * "domain_b" in "state". Files without them (older ones, other families) start those afresh.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "model_internal.h"
#include "safetensors.h"

#define WG_FORMAT_NAME "wasmgen"
/* 1: two nets, one learning rate. 2: any number of nets, one optimizer group each ("lr" is an
 * array in role order) and the guard's snapshot ("guard_snapshot", "guard.*" tensors). Version 1
 * files load unchanged: their names and layouts are the same. */
#define WG_FORMAT_VERSION 2

static void wg__rng_json(wg_strbuf *sb, const char *name, const wg_rng *r) {
  wg_strbuf_printf(sb, "\"%s\":[\"%016" PRIx64 "\",\"%016" PRIx64 "\",%.9g,%d]", name, r->state,
                   r->inc, (double)r->spare, r->has_spare);
}

/* Exactly 16 hex digits, as written by wg__rng_json. */
static int wg__hex64(const char *s, uint64_t *out) {
  if (strlen(s) != 16) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 16; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return 0;
    v = v << 4 | (uint64_t)d;
  }
  *out = v;
  return 1;
}

static wg_status wg__rng_parse(const wg_json *doc, const char *name, wg_rng *r) {
  const wg_json *a = wg_json_get(doc, name);
  uint64_t state, inc;
  if (!a || a->type != WG_JSON_ARRAY || a->length != 4 || a->items[0].type != WG_JSON_STRING ||
      a->items[1].type != WG_JSON_STRING || a->items[2].type != WG_JSON_NUMBER ||
      a->items[3].type != WG_JSON_NUMBER || !wg__hex64(a->items[0].string, &state) ||
      !wg__hex64(a->items[1].string, &inc) || !(inc & 1) || !(fabs(a->items[2].number) < 1e30))
    return wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"state\" lacks a valid \"%s\" random stream", name);
  r->state = state;
  r->inc = inc;   /* odd, as PCG requires: an even increment could cycle on one value forever */
  r->spare = (float)a->items[2].number;
  r->has_spare = a->items[3].number != 0;
  return WG_OK;
}

typedef struct { char name[96]; wg_tensor_ref ref; } wg__named;

enum { WG__MAX_TENSORS = WG_MAX_NETS * WG_MAX_LAYERS * 8 + WG_MAX_FAMILY_TENSORS };

/* Lists every tensor of the model (parameters, statistics, optimizer moments) with its name.
 * Returns the count; `out` must hold WG__MAX_TENSORS entries. */
static int wg__list_tensors(const wg_model *m, wg__named *out) {
  int n = 0;
  for (int k = 0; k < m->n_nets; k++) {
    const wg_net *net = &m->nets[k];
    for (int i = 0; i < net->n_layers; i++) {
      wg_tensor_ref refs[4];
      int nr = wg_net_layer_tensors(net, i, refs);
      for (int j = 0; j < nr; j++) {
        snprintf(out[n].name, sizeof out[n].name, "%s.%d.%s", net->name, i, refs[j].suffix);
        out[n++].ref = refs[j];
      }
    }
  }
  for (int k = 0; k < m->n_nets; k++) {
    const wg_net *net = &m->nets[k];
    for (int i = 0; i < net->n_layers; i++) {
      wg_tensor_ref refs[4];
      int nr = wg_net_layer_tensors(net, i, refs);
      for (int j = 0; j < nr; j++) {
        if (refs[j].data < net->params || refs[j].data >= net->params + net->n_params) continue;
        size_t off = (size_t)(refs[j].data - net->params);
        wg_tensor_ref r = refs[j];
        if (m->opt[k].kind == WG_OPTIM_ADAM) {
          snprintf(out[n].name, sizeof out[n].name, "opt.%s.%d.%s.exp_avg", net->name, i, r.suffix);
          r.data = net->opt_m + off; out[n++].ref = r;
          snprintf(out[n].name, sizeof out[n].name, "opt.%s.%d.%s.exp_avg_sq", net->name, i, r.suffix);
          r.data = net->opt_v + off; out[n++].ref = r;
        } else {
          snprintf(out[n].name, sizeof out[n].name, "opt.%s.%d.%s.momentum_buffer", net->name, i, r.suffix);
          r.data = net->opt_m + off; out[n++].ref = r;
        }
      }
    }
  }
  if (m->family->state_tensors) {
    wg_tensor_ref refs[WG_MAX_FAMILY_TENSORS];
    int nf = m->family->state_tensors((wg_model *)m, refs);
    for (int j = 0; j < nf; j++) {
      snprintf(out[n].name, sizeof out[n].name, "family.%s", refs[j].suffix);
      out[n++].ref = refs[j];
    }
  }
  return n;
}

enum { WG__MAX_GUARD_TENSORS = WG_MAX_NETS * WG_MAX_LAYERS * 4 };

/* Lists the guard's snapshot of every parameter and statistic ("guard.G.0.weight", ...), pointing
 * into m->snapshot (which holds each net's params, then its state). Returns the count; `out` must
 * hold WG__MAX_GUARD_TENSORS entries. */
static int wg__list_guard_tensors(const wg_model *m, wg__named *out) {
  int n = 0;
  for (int k = 0; k < m->n_nets; k++) {
    const wg_net *net = &m->nets[k];
    for (int i = 0; i < net->n_layers; i++) {
      wg_tensor_ref refs[4];
      int nr = wg_net_layer_tensors(net, i, refs);
      for (int j = 0; j < nr; j++) {
        wg_tensor_ref r = refs[j];
        int is_param = r.data >= net->params && r.data < net->params + net->n_params;
        r.data = is_param ? m->snapshot[k] + (r.data - net->params)
                          : m->snapshot[k] + net->n_params + (r.data - net->state);
        snprintf(out[n].name, sizeof out[n].name, "guard.%s.%d.%s", net->name, i, r.suffix);
        out[n++].ref = r;
      }
    }
  }
  return n;
}

wg_status wg_model_save(const wg_model *m, uint8_t **out, size_t *out_len) {
  *out = NULL; *out_len = 0;
  /* The guard's snapshot is stored only when it differs from the weights. */
  int store_snapshot = !wg__guard_snapshot_is_current(m);
  wg__named *list = malloc(sizeof(wg__named) * (WG__MAX_TENSORS + WG__MAX_GUARD_TENSORS));
  if (!list) return wg_fail(WG_ERR_NOMEM, "out of memory saving a checkpoint");
  int n = wg__list_tensors(m, list);
  if (store_snapshot) n += wg__list_guard_tensors(m, list + n);
  wg_st_writer w;
  wg_st_writer_init(&w);
  wg_st_add_meta(&w, "format", WG_FORMAT_NAME);
  char num[64];
  snprintf(num, sizeof num, "%d", WG_FORMAT_VERSION);
  wg_st_add_meta(&w, "format_version", num);
  wg_st_add_meta(&w, "config", m->config_json);
  if (m->dataset_id[0]) wg_st_add_meta(&w, "dataset", m->dataset_id);
  snprintf(num, sizeof num, "%lld", m->step);
  wg_st_add_meta(&w, "step", num);
  snprintf(num, sizeof num, "%lld", m->epoch);
  wg_st_add_meta(&w, "epoch", num);
  wg_strbuf sb = {0};
  wg_strbuf_printf(&sb, "{\"perm_n\":%d,\"perm_pos\":%d,", m->perm_n, m->perm_pos);
  wg__rng_json(&sb, "shuffle", &m->rng_shuffle); wg_strbuf_puts(&sb, ",");
  wg__rng_json(&sb, "epoch_start", &m->rng_epoch_start); wg_strbuf_puts(&sb, ",");
  wg__rng_json(&sb, "noise", &m->rng_noise); wg_strbuf_puts(&sb, ",");
  wg__rng_json(&sb, "dropout", &m->rng_dropout); wg_strbuf_puts(&sb, ",");
  wg__rng_json(&sb, "augment", &m->rng_augment);
  if (m->family->caps & WG_CAP_TWO_DOMAINS) { wg_strbuf_puts(&sb, ","); wg__rng_json(&sb, "domain_b", &m->rng_domain_b); }
  for (int k = 0; k < m->n_nets; k++) {
    const wg_optim_state *os = &m->nets[k].opt_state;
    wg_strbuf_printf(&sb, ",\"opt_%s\":[%lld,%.9g,%.9g]", m->nets[k].name, os->t,
                     (double)os->beta1_t, (double)os->beta2_t);
  }
  /* The guard's counters and the learning rates it may have lowered. */
  wg_strbuf_printf(&sb, ",\"guard\":[%lld,%lld,%d],\"lr\":[", m->skipped_steps, m->rollbacks, m->bad_streak);
  for (int k = 0; k < m->n_nets; k++) wg_strbuf_printf(&sb, "%s%.9g", k ? "," : "", (double)m->opt[k].lr);
  wg_strbuf_puts(&sb, "]");
  /* Good steps since the guard's last snapshot, and 1 when "guard.*" tensors hold it (0: the
   * snapshot is the saved weights). */
  wg_strbuf_printf(&sb, ",\"guard_snapshot\":[%d,%d]", m->good_since_snapshot, store_snapshot);
  wg_strbuf_puts(&sb, "}");
  wg_st_add_meta(&w, "state", sb.failed ? "" : sb.data);
  free(sb.data);
  wg_strbuf fs = {0};
  if (m->family->state_json) {
    m->family->state_json(m, &fs);
    wg_st_add_meta(&w, "family_state", fs.failed ? "" : fs.data);
  }
  for (int i = 0; i < n; i++) {
    int64_t shape[4];
    for (int d = 0; d < 4; d++) shape[d] = list[i].ref.shape[d];
    wg_st_add_tensor(&w, list[i].name, shape, list[i].ref.rank, list[i].ref.data);
  }
  wg_status st = sb.failed || fs.failed ? wg_fail(WG_ERR_NOMEM, "out of memory saving a checkpoint")
                                         : wg_st_finish(&w, out, out_len);
  free(fs.data);
  wg_st_writer_free(&w);
  free(list);
  return st;
}

/* Restores the state record; *snapshot_stored is set to 1 when it says the file stores the guard's
 * snapshot as "guard.*" tensors. */
static wg_status wg__restore_state(wg_model *m, const char *state, int *snapshot_stored) {
  *snapshot_stored = 0;
  wg_json *doc;
  if (wg_json_parse(state, strlen(state), &doc))
    return wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"state\" is not valid JSON");
  wg_status st = WG_OK;
  const wg_json *pn = wg_json_get(doc, "perm_n"), *pp = wg_json_get(doc, "perm_pos");
  if (!pn || !pp || pn->type != WG_JSON_NUMBER || pp->type != WG_JSON_NUMBER || pn->number < 0 ||
      pn->number > 1e9 || pp->number < 0 || pp->number > pn->number)
    st = wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"state\" has an invalid data position");
  if (!st && (pn->number != floor(pn->number) || pp->number != floor(pp->number)))
    st = wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"state\" has an invalid data position");
  if (!st) {   /* the epoch's order is rebuilt when training meets a dataset of this size */
    m->perm_n = (int)pn->number;
    m->perm_pos = (int)pp->number;
  }
  if (!st) st = wg__rng_parse(doc, "epoch_start", &m->rng_epoch_start);
  if (!st) st = wg__rng_parse(doc, "shuffle", &m->rng_shuffle);
  if (!st) st = wg__rng_parse(doc, "noise", &m->rng_noise);
  if (!st) st = wg__rng_parse(doc, "dropout", &m->rng_dropout);
  if (!st && wg_json_get(doc, "augment")) st = wg__rng_parse(doc, "augment", &m->rng_augment);
  if (!st && wg_json_get(doc, "domain_b")) st = wg__rng_parse(doc, "domain_b", &m->rng_domain_b);
  for (int k = 0; k < m->n_nets && !st; k++) {
    char key[32];
    snprintf(key, sizeof key, "opt_%s", m->nets[k].name);
    const wg_json *a = wg_json_get(doc, key);
    if (!a || a->type != WG_JSON_ARRAY || a->length != 3 || a->items[0].type != WG_JSON_NUMBER ||
        a->items[1].type != WG_JSON_NUMBER || a->items[2].type != WG_JSON_NUMBER ||
        !(a->items[0].number >= 0 && a->items[0].number <= 9007199254740992.0) ||
        a->items[0].number != floor(a->items[0].number) ||
        !(a->items[1].number >= 0 && a->items[1].number <= 1) || !(a->items[2].number >= 0 && a->items[2].number <= 1)) {
      st = wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"state\" lacks \"%s\"", key);
      break;
    }
    m->nets[k].opt_state.t = (long long)a->items[0].number;
    m->nets[k].opt_state.beta1_t = (float)a->items[1].number;
    m->nets[k].opt_state.beta2_t = (float)a->items[2].number;
  }
  const wg_json *guard = wg_json_get(doc, "guard"), *lr = wg_json_get(doc, "lr");
  if (!st && guard) {   /* absent in files written before the guard existed */
    int counts_ok = guard->type == WG_JSON_ARRAY && guard->length == 3;
    for (int i = 0; counts_ok && i < 3; i++)
      counts_ok = guard->items[i].type == WG_JSON_NUMBER && guard->items[i].number >= 0 &&
                  guard->items[i].number <= 1e15 && guard->items[i].number == floor(guard->items[i].number);
    /* "lr": one number (format 1: one group) or one per net (format 2) */
    int lr_ok = lr && (lr->type == WG_JSON_NUMBER || (lr->type == WG_JSON_ARRAY && (int)lr->length == m->n_nets));
    for (int k = 0; lr_ok && k < m->n_nets; k++) {
      const wg_json *v = lr->type == WG_JSON_NUMBER ? lr : &lr->items[k];
      lr_ok = v->type == WG_JSON_NUMBER && v->number > 0 && v->number <= 10;
    }
    if (counts_ok && guard->items[2].number >= WG_GUARD_PATIENCE) counts_ok = 0;   /* a streak that long rolled back */
    if (!counts_ok || !lr_ok) {
      st = wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"state\" has an invalid guard record");
    } else {
      m->skipped_steps = (long long)guard->items[0].number;
      m->rollbacks = (long long)guard->items[1].number;
      m->bad_streak = (int)guard->items[2].number;
      for (int k = 0; k < m->n_nets; k++)
        m->opt[k].lr = (float)(lr->type == WG_JSON_NUMBER ? lr : &lr->items[k])->number;
    }
  }
  const wg_json *snap = wg_json_get(doc, "guard_snapshot");
  if (!st && snap) {   /* absent in files written before the snapshot was saved */
    int ok = snap->type == WG_JSON_ARRAY && snap->length == 2 && snap->items[0].type == WG_JSON_NUMBER &&
             snap->items[1].type == WG_JSON_NUMBER && snap->items[0].number >= 0 &&
             snap->items[0].number < WG_GUARD_SNAPSHOT_EVERY &&
             snap->items[0].number == floor(snap->items[0].number) &&
             (snap->items[1].number == 0 || snap->items[1].number == 1);
    if (!ok) {
      st = wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"state\" has an invalid \"guard_snapshot\" record "
                   "(want [good steps since the snapshot 0-%d, stored 0 or 1])", WG_GUARD_SNAPSHOT_EVERY - 1);
    } else {
      st = wg__guard_restore(m, (int)snap->items[0].number);
      *snapshot_stored = snap->items[1].number == 1;
    }
  }
  wg_json_free(doc);
  return st;
}

static wg_status wg__parse_count(const wg_st_file *f, const char *key, long long *out) {
  const char *s = wg_st_meta(f, key);
  if (!s) return wg_fail(WG_ERR_FORMAT, "checkpoint: metadata lacks \"%s\"", key);
  char *end;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end || v < 0) return wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"%s\" is not a count: \"%s\"", key, s);
  *out = v;
  return WG_OK;
}

static wg_status wg__load_into(wg_model *m, const wg_st_file *f) {
  wg__named *list = malloc(sizeof(wg__named) * WG__MAX_TENSORS);
  if (!list) return wg_fail(WG_ERR_NOMEM, "out of memory loading a checkpoint");
  int n = wg__list_tensors(m, list);
  wg_status st = WG_OK;
  for (int i = 0; i < n && !st; i++) {
    const wg_st_tensor *t = wg_st_find(f, list[i].name);
    int is_opt = strncmp(list[i].name, "opt.", 4) == 0 || strncmp(list[i].name, "family.", 7) == 0;
    if (!t) {   /* optimizer moments and family state start afresh when a file has none */
      if (is_opt) { memset(list[i].ref.data, 0, sizeof(float) * list[i].ref.count); continue; }
      st = wg_fail(WG_ERR_MISMATCH, "checkpoint: tensor '%s' is missing", list[i].name);
      break;
    }
    int same = t->rank == list[i].ref.rank;
    for (int d = 0; same && d < t->rank; d++) same = t->shape[d] == list[i].ref.shape[d];
    if (!same) {
      char got[128] = "", want[96] = "";
      for (int d = 0; d < t->rank && d < 8; d++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%" PRId64, d ? ", " : "", t->shape[d]);
      for (int d = 0; d < list[i].ref.rank; d++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", d ? ", " : "", list[i].ref.shape[d]);
      st = wg_fail(WG_ERR_MISMATCH, "checkpoint: tensor '%s' has shape [%s] but the model needs [%s]", list[i].name, got, want);
      break;
    }
    wg_st_copy(t, list[i].ref.data);
  }
  /* Anything the model does not know means the file and its config disagree ("guard.*" tensors are
   * the snapshot's, checked by wg__load_guard_snapshot). */
  for (int j = 0; j < f->n_tensors && !st; j++) {
    if (strncmp(f->tensors[j].name, "guard.", 6) == 0) continue;
    int known = 0;
    for (int i = 0; i < n && !known; i++) known = strcmp(f->tensors[j].name, list[i].name) == 0;
    if (!known) st = wg_fail(WG_ERR_MISMATCH, "checkpoint: unexpected tensor '%s' (not part of this model's config)", f->tensors[j].name);
  }
  free(list);
  return st;
}

/* Fills the guard's snapshot (already taken from the loaded weights by wg__restore_state) from the
 * "guard.*" tensors when the state record says the file stores them; refuses such tensors when it
 * does not, and a stored snapshot that is incomplete or misshapen. */
static wg_status wg__load_guard_snapshot(wg_model *m, const wg_st_file *f, int stored) {
  wg__named *list = NULL;
  int n = 0;
  if (stored) {
    list = malloc(sizeof(wg__named) * WG__MAX_GUARD_TENSORS);
    if (!list) return wg_fail(WG_ERR_NOMEM, "out of memory loading a checkpoint");
    n = wg__list_guard_tensors(m, list);
  }
  wg_status st = WG_OK;
  for (int i = 0; i < n && !st; i++) {
    const wg_st_tensor *t = wg_st_find(f, list[i].name);
    if (!t) {
      st = wg_fail(WG_ERR_FORMAT, "checkpoint: the divergence guard's snapshot tensor '%s' is missing", list[i].name);
      break;
    }
    int same = t->rank == list[i].ref.rank;
    for (int d = 0; same && d < t->rank; d++) same = t->shape[d] == list[i].ref.shape[d];
    if (!same) {
      st = wg_fail(WG_ERR_FORMAT, "checkpoint: the divergence guard's snapshot tensor '%s' does not have its weight's shape", list[i].name);
      break;
    }
    /* Not checked for finite values: like the weights' own statistics, a snapshot's batch-norm
     * running variance can legitimately be inf (the guard checks losses and gradients only). */
    wg_st_copy(t, list[i].ref.data);
  }
  for (int j = 0; j < f->n_tensors && !st; j++) {
    if (strncmp(f->tensors[j].name, "guard.", 6) != 0) continue;
    int known = 0;
    for (int i = 0; i < n && !known; i++) known = strcmp(f->tensors[j].name, list[i].name) == 0;
    if (!known)
      st = wg_fail(WG_ERR_FORMAT, stored ? "checkpoint: unexpected tensor '%s' (not part of this model's config)"
                                         : "checkpoint: tensor '%s' but metadata \"state\" has no stored guard snapshot",
                   f->tensors[j].name);
  }
  free(list);
  return st;
}

wg_status wg_model_load(const uint8_t *bytes, size_t len, wg_model **out) {
  *out = NULL;
  wg_st_file f;
  wg_status st = wg_st_read(bytes, len, &f);
  if (st) return st;
  wg_model *m = NULL;
  const char *format = wg_st_meta(&f, "format"), *version = wg_st_meta(&f, "format_version");
  const char *config = wg_st_meta(&f, "config");
  if (!format || strcmp(format, WG_FORMAT_NAME) != 0 || !config) {
    st = wg_fail(WG_ERR_FORMAT, "not a wasmgen checkpoint (its metadata lacks format \"wasmgen\" and a config)");
  } else if (!version || atoi(version) < 1) {
    st = wg_fail(WG_ERR_FORMAT, "checkpoint: invalid format_version \"%s\"", version ? version : "");
  } else if (atoi(version) > WG_FORMAT_VERSION) {
    st = wg_fail(WG_ERR_FORMAT, "checkpoint format version %d is newer than this wasmgen supports (%d); upgrade wasmgen", atoi(version), WG_FORMAT_VERSION);
  }
  if (!st) {
    /* A valid file holds every parameter, so a config that needs more than the file's values is
     * refused before the model is allocated: a few bytes cannot ask for gigabytes. */
    size_t values = 0;
    for (int j = 0; j < f.n_tensors; j++) values += (size_t)f.tensors[j].count;
    st = wg_model_create_capped(config, values ? values : 1, &m);
    if (st == WG_ERR_MISMATCH)
      st = wg_fail(st, "checkpoint: its config describes a larger model than the file holds (%s, the file has %zu values): truncated, or the config was edited", wg_last_error(), values);
    else if (st)
      st = wg_fail(st, "checkpoint: its config is invalid: %s", wg_last_error());
  }
  if (!st) st = wg__load_into(m, &f);
  long long step = 0, epoch = 0;
  if (!st) st = wg__parse_count(&f, "step", &step);
  if (!st) st = wg__parse_count(&f, "epoch", &epoch);
  const char *state = wg_st_meta(&f, "state");
  if (!st && !state) st = wg_fail(WG_ERR_FORMAT, "checkpoint: metadata lacks \"state\"");
  int snapshot_stored = 0;
  if (!st) st = wg__restore_state(m, state, &snapshot_stored);
  if (!st) st = wg__load_guard_snapshot(m, &f, snapshot_stored);
  const char *family_state = wg_st_meta(&f, "family_state");
  if (!st && family_state && m->family->state_restore) {
    wg_json *doc;
    if (wg_json_parse(family_state, strlen(family_state), &doc))
      st = wg_fail(WG_ERR_FORMAT, "checkpoint: metadata \"family_state\" is not valid JSON");
    else {
      st = m->family->state_restore(m, doc);
      wg_json_free(doc);
    }
  }
  const char *dataset = wg_st_meta(&f, "dataset");
  if (!st && dataset) snprintf(m->dataset_id, sizeof m->dataset_id, "%s", dataset);
  wg_st_file_free(&f);
  if (st) { wg_model_free(m); return st; }
  m->step = step;
  m->epoch = epoch;
  *out = m;
  return WG_OK;
}
