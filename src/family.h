/* family.h — the objective interface: what one training step of a model family means.
 *
 * A family (gan, vae, cgan, cvae, classifier, ...) is one C file that fills one wg_family: the
 * roles of its nets (with the config member holding each layer list), the names of its losses,
 * its capabilities, its presets (named layer lists), and the functions below. The trainer, the
 * divergence guard, checkpoints and the C API only call through this table; none of them knows a
 * family by name. registry.c holds the one list of families.
 *
 * How to add a model family (e.g. "foo"):
 *   1. Write src/family_foo.c defining `const wg_family wg_family_foo = {...}`: roles, losses
 *      (with the loss index each net minimises), capabilities, presets, and at least
 *      `net_input` (each net's input shape) and `step` (losses + gradients of one batch).
 *   2. Optional hooks: check (shapes after building), generate, encode, classify, evaluate,
 *      translate; own config keys and state (configure/put_config/free_state, checkpointed through
 *      state_tensors/state_json/state_restore); a learning-rate schedule (lr_factor).
 *   3. Add `&wg_family_foo` to the list in src/registry.c. Nothing else changes: the JS package,
 *      the page and the CLI read roles, losses and capabilities from wg_model_describe().
 *   4. Tests: the registry-driven gradient check covers every net of the new family at once.
 *
 *   const wg_family *f = wg_family_find_preset("dcgan", &preset);   // family "gan"
 */
#ifndef WG_FAMILY_H
#define WG_FAMILY_H
#include "json.h"
#include "model.h"
#include "net.h"

enum { WG_MAX_NETS = 4, WG_MAX_LOSSES = 16, WG_MAX_PRESET_WIDTHS = 16 };

/* Capabilities, as describe() reports them. */
enum {
  WG_CAP_SAMPLE = 1 << 0,      /* generate images from latent noise */
  WG_CAP_ENCODE = 1 << 1,      /* images -> latent (mu, logvar) */
  WG_CAP_CLASSES = 1 << 2,     /* conditioned on a class label: needs labelled data */
  WG_CAP_CLASSIFY = 1 << 3,    /* images -> class probabilities */
  WG_CAP_TWO_DOMAINS = 1 << 4, /* trains on two image sets */
  WG_CAP_TRANSLATE = 1 << 5,   /* image -> image */
};

typedef struct {
  const char *role;            /* parameter-name prefix and optimizer group: "G", "encoder" */
  const char *key;             /* config member holding its layer list: "generator" */
} wg_role;

typedef struct {
  const char *name;            /* "d_loss" */
  const char *group;           /* charts draw losses of one group together: "loss", "D output" */
} wg_loss_name;

/* What a preset's layer builder receives: sizes, and the widths from "hidden"/"disc_hidden". */
typedef struct {
  int height, width, channels, latent, classes;
  const int *hidden; int n_hidden;   /* MLP widths or conv channel widths, first net's order */
  const int *disc; int n_disc;       /* second widths list ("disc_hidden"), when the preset has one */
  const void *family_config;         /* what the family's configure hook parsed (its own keys), or NULL */
} wg_preset_sizes;

typedef struct {
  const char *name;            /* what "model" names in a config: "dcgan" */
  const char *summary;         /* one line for usage texts */
  int latent;                  /* default latent size (0: none) */
  float init_std;              /* default init: > 0 N(0, std) (DCGAN paper); 0 PyTorch's */
  int uses_disc_widths;        /* reads "disc_hidden" */
  /* Default "hidden" widths for this image size, into out; returns the count. */
  int (*default_widths)(int height, int width, int *out);
  const int *disc_widths; int n_disc_widths;
  /* Writes one layer list (JSON array) per role into lists[0..n_roles-1]. */
  wg_status (*layers)(const wg_preset_sizes *p, wg_strbuf *lists);
} wg_preset_def;

/* One training batch: images already mapped to the family's range, and their labels. */
typedef struct {
  int n;
  const float *x;              /* (n, C*H*W) */
  const int *labels;           /* (n) or NULL when the data has none */
  const float *x_b;            /* two-domain families: second image set (n, C*H*W), else NULL */
} wg_batch;

enum { WG_MAX_FAMILY_TENSORS = 8 };

struct wg_family {
  const char *name;
  const char *tiny_config;     /* a small model of this family, for the registry-driven tests */
  int n_roles;
  wg_role roles[WG_MAX_NETS];
  int n_losses;
  wg_loss_name losses[WG_MAX_LOSSES];
  int minimises[WG_MAX_NETS];  /* index of the loss each net's gradients descend (gradient checks) */
  unsigned caps;               /* WG_CAP_* */
  int generator;               /* with WG_CAP_SAMPLE: index of the net generate() runs */
  int translators[2];          /* with WG_CAP_TRANSLATE: the net each direction runs (A to B, B to A) */
  float lr, beta1;             /* optimizer defaults */
  float image_scale, image_shift;   /* training images: x01 * scale + shift; generate() inverts it */
  const wg_preset_def *presets; int n_presets;
  const char *const *eval_names;    /* what evaluate() writes, NULL-terminated (NULL: no evaluate) */

  /* Input shape (C, H, W) of net k; a flat vector is (features, 1, 1). */
  void (*net_input)(const wg_model *m, int k, int *c, int *h, int *w);
  /* Checks the built nets fit the family (output sizes, final layers). */
  wg_status (*check)(const wg_model *m);
  /* Losses (m->loss[]) and gradients of every net (zeroed here) for one batch, noise from the
   * model's streams; no update. Scratch memory from m->arena. */
  wg_status (*step)(wg_model *m, const wg_batch *b);
  /* Images in [0, 1] (n, C, H, W) from latents z (n, latent); conditional families get cond
   * (n, classes): one-hot rows, or any class weights (interpolation between classes). */
  wg_status (*generate)(wg_model *m, const float *z, const float *cond, int n, float *out);
  /* Images in [0, 1] -> mu, logvar (n, latent); cond as for generate. */
  wg_status (*encode)(wg_model *m, const float *x, const float *cond, int n, float *mu, float *logvar);
  /* Images in [0, 1] -> class probabilities (n, classes) and, unless features is NULL, the
   * features a judge compares (n, feature_size), e.g. the penultimate layer. */
  wg_status (*classify)(wg_model *m, const float *x, int n, float *probs, float *features);
  int (*feature_size)(const wg_model *m);
  /* Means over the first n images of ds into out[] (named by eval_names), eval mode. */
  wg_status (*evaluate)(wg_model *m, const wg_dataset *ds, int n, double *out);
  /* Images in [0, 1] (n, C, H, W) of one domain -> the other (direction 0: A to B, 1: B to A). */
  wg_status (*translate)(wg_model *m, const float *x, int n, int direction, float *out);

  /* The family's own settings and state (all optional). config_keys (NULL-terminated) are the
   * config members it reads; configure parses them (before the nets are built: presets see the
   * result as wg_preset_sizes.family_config) and allocates m->family_state; put_config appends
   * them (",\"key\":value") to the canonical config; free_state releases m->family_state. */
  const char *const *config_keys;
  wg_status (*configure)(wg_model *m, const wg_json *cfg);
  void (*put_config)(const wg_model *m, wg_strbuf *sb);
  void (*free_state)(wg_model *m);
  /* Checkpointed state: float tensors (saved as "family.<suffix>", at most WG_MAX_FAMILY_TENSORS,
   * shapes fixed by the config) and a JSON object (metadata "family_state") for the rest. */
  int (*state_tensors)(wg_model *m, wg_tensor_ref *out);
  void (*state_json)(const wg_model *m, wg_strbuf *sb);
  wg_status (*state_restore)(wg_model *m, const wg_json *state);
  /* Learning-rate schedule: factor on every group's rate for the update of step m->step. */
  float (*lr_factor)(const wg_model *m);
};

/* registry.c */
int wg_family_count(void);
const wg_family *wg_family_at(int i);
/* The family and preset that a config's "model" names, or NULL. */
const wg_family *wg_family_find_preset(const char *name, const wg_preset_def **preset);
/* "gan, dcgan, vae, ..." for error messages. */
const char *wg_preset_list(void);
/* {"families":[{"name","roles","losses","capabilities","presets":[{"name","summary","latent","lr"}]}]}
 * for the CLI's usage text and the page's model list. */
const char *wg_registry_json(void);
/* {"sample":true,...} for a WG_CAP_* set. */
void wg_family_caps_json(wg_strbuf *sb, unsigned caps);

#endif
