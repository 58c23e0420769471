/* model.h — generative models (GAN, VAE) built from a JSON config, trained on a uint8 dataset.
 *
 * A model is two nets plus everything training needs: optimizer settings, RNG streams, the data
 * order, a step counter and a per-step arena. The config is JSON; anything it leaves out comes
 * from the named preset, and wg_model_config_json() returns the complete, canonical config that
 * travels inside checkpoints. GAN: nets "G" (latent -> image in [-1, 1]) and "D" (image -> 1
 * logit), non-saturating loss. VAE: "encoder" (image -> [mu, logvar]) and "decoder" (latent ->
 * image, ending in a sigmoid), loss = per-image summed BCE + KL.
 *
 *   wg_model *m;
 *   if (wg_model_create("{\"model\":\"vae\",\"latent\":20,\"seed\":1}", &m)) puts(wg_last_error());
 *   wg_dataset *ds = wg_dataset_create(n, 28, 28, 1, 1);   // fill ds->pixels (N, C, H, W)
 *   wg_model_train(m, ds, 100, 64);                          // 100 steps of batch 64
 *   wg_model_sample(m, 16, 42, out);                         // 16 images (N, C, H, W) in [0, 1]
 *   uint8_t *ckpt; size_t len; wg_model_save(m, &ckpt, &len);
 *   wg_model_free(m);
 */
#ifndef WG_MODEL_H
#define WG_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "augment.h"
#include "error.h"
#include "net.h"
#include "rng.h"

typedef enum { WG_MODEL_GAN = 0, WG_MODEL_VAE = 1 } wg_model_kind;

typedef struct {
  int n, height, width, channels;
  uint8_t *pixels;   /* (N, C, H, W) */
  uint8_t *labels;   /* (N) or NULL */
} wg_dataset;

enum { WG_MAX_LOSSES = 4 };

typedef struct {
  wg_model_kind kind;
  int preset;                     /* wg_preset_kind: gan, vae, dcgan, convvae (for the config) */
  int height, width, channels, latent;
  wg_net nets[2];                 /* GAN: G, D.  VAE: encoder, decoder */
  wg_optim_config opt;
  float init_std;                 /* > 0: "init": "normal" (DCGAN) with this std; 0: PyTorch's */
  uint64_t seed;
  wg_rng rng_shuffle, rng_noise, rng_dropout, rng_augment;
  int augmenting;                 /* 1 when `augment` holds a training augmentation chain */
  wg_ops augment;
  char augment_text[256];
  wg_rng rng_epoch_start;         /* shuffle stream as it was before the current permutation */
  long long step, epoch;
  uint32_t *perm; int perm_n, perm_pos;
  wg_arena arena;
  char *config_json;
  size_t param_budget;            /* while building: most parameters both nets may hold (0: no cap) */
  char dataset_id[128];           /* identity of the training data (set by the caller, saved) */
  int n_losses;
  float losses[WG_MAX_LOSSES];    /* GAN: d_loss, g_loss, D(x), D(G(z)).  VAE: loss, recon, kl */
  double exact_losses[2];         /* the first two losses unrounded, for gradient checks */
  /* Divergence guard (guard.c): a step with non-finite losses or gradients is skipped; after
   * WG_GUARD_PATIENCE skipped steps in a row the parameters roll back to the last snapshot and
   * the learning rate halves. */
  long long skipped_steps, rollbacks;
  int bad_streak, good_since_snapshot;
  float *snapshot[2];             /* params then state of each net, as of the last snapshot */
  float *state_before[2];         /* BN running statistics before the current step */
} wg_model;

wg_dataset *wg_dataset_create(int n, int height, int width, int channels, int with_labels);
void wg_dataset_free(wg_dataset *ds);

wg_status wg_model_create(const char *config_json, wg_model **out);
/* The same, refusing (WG_ERR_MISMATCH, before allocating them) configs whose nets hold more than
 * max_params parameters in all: checkpoint loading passes the number of values its file holds. */
wg_status wg_model_create_capped(const char *config_json, size_t max_params, wg_model **out);
void wg_model_free(wg_model *m);
const char *wg_model_config_json(const wg_model *m);
int wg_model_image_size(const wg_model *m);   /* C*H*W */

enum { WG_GUARD_PATIENCE = 5, WG_GUARD_SNAPSHOT_EVERY = 100 };

/* Runs `steps` training steps with batches of `batch` images drawn without replacement from
 * an epoch-wise shuffle of the dataset (a new shuffle when fewer than `batch` remain). Steps
 * whose losses or gradients are not finite are skipped (see the guard fields above). */
wg_status wg_model_train(wg_model *m, const wg_dataset *ds, int steps, int batch);

/* n images (N, C, H, W) in [0, 1] from latent noise drawn with `seed` (eval mode). */
wg_status wg_model_sample(wg_model *m, int n, uint64_t seed, float *out);
/* Generator / decoder on given latents z (n, latent) -> images in [0, 1]. */
wg_status wg_model_decode(wg_model *m, const float *z, int n, float *out);
/* VAE only: images in [0, 1] (n, C, H, W) -> mu, logvar (n, latent) each. */
wg_status wg_model_encode(wg_model *m, const float *x, int n, float *mu, float *logvar);
/* VAE only: mean per-image loss (BCE + KL), recon and KL over the first `limit` images of ds,
 * in eval mode with a fixed noise seed, into out[0..2]. */
wg_status wg_model_evaluate(wg_model *m, const wg_dataset *ds, int limit, double *out);

/* Checkpoint as safetensors bytes (malloc'd, caller frees). */
wg_status wg_model_save(const wg_model *m, uint8_t **out, size_t *out_len);
/* New model from checkpoint bytes; on any error *out is NULL and nothing else changes. */
wg_status wg_model_load(const uint8_t *bytes, size_t len, wg_model **out);

#endif
