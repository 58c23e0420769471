/* model_internal.h — the model's layout and what the model core (model.c, guard.c, checkpoint.c,
 * the family files) shares but users do not call. */
#ifndef WG_MODEL_INTERNAL_H
#define WG_MODEL_INTERNAL_H
#include "arena.h"
#include "augment.h"
#include "family.h"
#include "model.h"
#include "net.h"
#include "rng.h"

struct wg_model {
  const wg_family *family;
  const wg_preset_def *preset;
  int height, width, channels, latent;
  int classes;                    /* conditional and classifier families: number of classes, else 0 */
  int n_nets;
  wg_net nets[WG_MAX_NETS];       /* in the family's role order */
  wg_optim_config opt[WG_MAX_NETS];   /* one optimizer group per net */
  int opt_override[WG_MAX_NETS];  /* 1 when the config's "optimizers" set this group's own values */
  float init_std;                 /* > 0: "init": "normal" with this std; 0: PyTorch's */
  uint64_t seed;
  wg_rng rng_shuffle, rng_noise, rng_dropout, rng_augment;
  wg_rng rng_domain_b;            /* two-domain families: which image of domain B joins each batch */
  void *family_state;             /* the family's own settings and state (family.h configure) */
  int augmenting;                 /* 1 when `augment` holds a training augmentation chain */
  wg_ops augment;
  char augment_text[256];
  wg_rng rng_epoch_start;         /* shuffle stream as it was before the current permutation */
  long long step, epoch;
  uint32_t *perm; int perm_n, perm_pos;
  wg_arena arena;
  char *config_json;
  char *describe_json;
  size_t param_budget;            /* while building: most parameters all nets may hold (0: no cap) */
  char dataset_id[128];           /* identity of the training data (set by the caller, saved) */
  float losses[WG_MAX_LOSSES];    /* the last step's losses, named by the family */
  double exact_losses[WG_MAX_LOSSES];   /* the same unrounded (guard, gradient checks) */
  /* Divergence guard (guard.c). */
  long long skipped_steps, rollbacks;
  int bad_streak, good_since_snapshot;
  float *snapshot[WG_MAX_NETS];   /* params then state of each net, as of the last snapshot */
  float *state_before[WG_MAX_NETS];   /* running statistics before the current step */
};

/* Divergence guard around one step: before() keeps what a skipped step must restore; after()
 * applies the update when everything is finite, else skips it and, after repeated failures,
 * rolls back and lowers the learning rates. */
wg_status wg__guard_before(wg_model *m);
void wg__guard_after(wg_model *m);
/* Restores what before() kept (batch-norm statistics) after a step that failed midway. */
void wg__guard_undo(wg_model *m);
void wg__guard_free(wg_model *m);
/* Checkpoints (checkpoint.c): whether the last-good snapshot holds exactly the current weights and
 * statistics (or has not been taken yet), so a file need not store it; and, on load, a snapshot of
 * the loaded weights with the saved count of good steps since it (the caller then overwrites
 * m->snapshot[k] with stored snapshot tensors when the file has them). */
int wg__guard_snapshot_is_current(const wg_model *m);
wg_status wg__guard_restore(wg_model *m, int good_since_snapshot);
/* Draws a new permutation of the data order from the shuffle stream. */
void wg__model_shuffle(wg_model *m);
/* Makes sure the data order covers n images (a new dataset size starts a new order). */
wg_status wg__model_prepare_order(wg_model *m, int n);
/* One family step on a batch with the model's current streams, without the update (the
 * registry-driven gradient check repeats it with the streams put back). */
wg_status wg__model_step(wg_model *m, const wg_batch *b);

/* Helpers the families share (family_common.c). */
/* Runs net k forward in eval mode over n inputs in chunks of 256 (bounded arena), calling `emit`
 * with each chunk's output. */
typedef void (*wg_chunk_fn)(void *ctx, const float *y, int i0, int n);
wg_status wg__net_apply(wg_model *m, int k, const float *x, int n, int upto, wg_chunk_fn emit, void *ctx);
/* Writes the one-hot rows of `labels` (n) over `classes` columns at `offset` of rows of `width`. */
void wg__put_one_hot(float *rows, int width, int offset, const int *labels, int n, int classes);
/* (n, A) and (n, B) rows side by side into (n, A + B). */
void wg__concat_rows(float *out, const float *a, int A, const float *b, int B, int n);
/* Adds constant label planes: (n, C, H, W) images -> (n, C + classes, H, W). */
void wg__concat_label_planes(float *out, const float *x, int C, int HW, const int *labels, int n,
                             int classes);
double wg__mean_sigmoid(const float *logits, int n);
/* Eval-mode generation through net k into images in [0, 1] (the family's range inverted); with
 * cond (n, classes) the net's input is [in, cond] (in has the net's input width less classes). */
wg_status wg__generate_images(wg_model *m, int k, const float *in, const float *cond, int n, float *out);
/* Eval-mode pass of net k over [in, cond] rows (cond may be NULL), chunked, calling emit. */
wg_status wg__net_apply_joined(wg_model *m, int k, const float *in, const float *cond, int n,
                               wg_chunk_fn emit, void *ctx);

/* Objectives that conditional families reuse with the class joined to their inputs. */
typedef enum { WG_JOIN_NONE, WG_JOIN_FLAT, WG_JOIN_PLANES } wg_label_join;
/* GAN, non-saturating loss (family_gan.c); G's input is [z, one-hot] unless WG_JOIN_NONE, D's
 * input is the image with a one-hot row (FLAT) or constant label planes (PLANES). */
wg_status wg__gan_objective(wg_model *m, const wg_batch *b, wg_label_join join);
wg_status wg__gan_generate(wg_model *m, const float *z, const float *cond, int n, float *out);
/* VAE, per-image BCE + KL (family_vae.c); with FLAT the encoder sees [x, one-hot] and the
 * decoder [z, one-hot]. */
wg_status wg__vae_objective(wg_model *m, const wg_batch *b, wg_label_join join);
wg_status wg__vae_generate(wg_model *m, const float *z, const float *cond, int n, float *out);
wg_status wg__vae_encode(wg_model *m, const float *x, const float *cond, int n, float *mu, float *logvar);
wg_status wg__vae_evaluate(wg_model *m, const wg_dataset *ds, int n, double *out);
/* The family-table fields that a GAN-like and a VAE-like family share (roles, losses, optimizer
 * defaults, image range, checks, generation); each family adds its name, capabilities, presets,
 * net inputs and step. */
#define WG_GAN_FAMILY_FIELDS \
  .n_roles = 2, .roles = {{"G", "generator"}, {"D", "discriminator"}}, .n_losses = 4, \
  .losses = {{"d_loss", "loss"}, {"g_loss", "loss"}, {"d_real", "D output"}, {"d_fake", "D output"}}, \
  .minimises = {1, 0}, .generator = 0, .lr = 2e-4f, .beta1 = 0.5f, .image_scale = 2.f, \
  .image_shift = -1.f, .check = wg__gan_check, .generate = wg__gan_generate
#define WG_VAE_FAMILY_FIELDS \
  .n_roles = 2, .roles = {{"encoder", "encoder"}, {"decoder", "decoder"}}, .n_losses = 3, \
  .losses = {{"loss", "loss"}, {"recon", "loss"}, {"kl", "loss"}}, .minimises = {0, 0}, \
  .generator = 1, .lr = 1e-3f, .beta1 = 0.9f, .image_scale = 1.f, .image_shift = 0.f, \
  .check = wg__vae_check, .generate = wg__vae_generate, .encode = wg__vae_encode, \
  .evaluate = wg__vae_evaluate
/* Shape checks and preset layer lists the conditional families reuse. */
wg_status wg__gan_check(const wg_model *m);
wg_status wg__vae_check(const wg_model *m);
int wg__gan_mlp_widths(int h, int w, int *out);
wg_status wg__gan_mlp_layers(const wg_preset_sizes *p, wg_strbuf *lists);
int wg__dcgan_widths(int height, int width, int *out);
wg_status wg__dcgan_layers(const wg_preset_sizes *p, wg_strbuf *lists);
int wg__vae_mlp_widths(int h, int w, int *out);
wg_status wg__vae_mlp_layers(const wg_preset_sizes *p, wg_strbuf *lists);

#endif
