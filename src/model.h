/* model.h — generative models (and classifiers) built from a JSON config, trained on uint8 data.
 *
 * A model is a family (family.h: gan, vae, cgan, cvae, classifier, ...) plus its nets with named
 * roles, one optimizer group per net, RNG streams, the data order, a step counter and a per-step
 * arena. The config is JSON; "model" names a preset of a family, anything the config leaves out
 * comes from that preset, and wg_model_config_json() returns the complete, canonical config that
 * travels inside checkpoints. wg_model_describe() says what the model is and can do (roles, loss
 * names, capabilities, sizes, every layer's output shape) so that callers never ask for a family
 * by name.
 *
 *   wg_model *m;
 *   if (wg_model_create("{\"model\":\"vae\",\"latent\":20,\"seed\":1}", &m)) puts(wg_last_error());
 *   wg_dataset *ds = wg_dataset_create(n, 28, 28, 1, 1);   // fill ds->pixels (N, C, H, W)
 *   wg_model_train(m, ds, 100, 64);                          // 100 steps of batch 64
 *   wg_model_sample(m, 16, 42, NULL, 0.f, out);              // 16 images (N, C, H, W) in [0, 1]
 *   uint8_t *ckpt; size_t len; wg_model_save(m, &ckpt, &len);
 *   wg_model_free(m);
 */
#ifndef WG_MODEL_H
#define WG_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct wg_model wg_model;     /* layout private to the model core (model_internal.h) */
typedef struct wg_family wg_family;   /* family.h */

typedef struct {
  int n, height, width, channels;
  uint8_t *pixels;   /* (N, C, H, W) */
  uint8_t *labels;   /* (N) or NULL */
} wg_dataset;

wg_dataset *wg_dataset_create(int n, int height, int width, int channels, int with_labels);
void wg_dataset_free(wg_dataset *ds);

wg_status wg_model_create(const char *config_json, wg_model **out);
/* The same, refusing (WG_ERR_MISMATCH, before allocating them) configs whose nets hold more than
 * max_params parameters in all: checkpoint loading passes the number of values its file holds. */
wg_status wg_model_create_capped(const char *config_json, size_t max_params, wg_model **out);
void wg_model_free(wg_model *m);
const char *wg_model_config_json(const wg_model *m);
/* JSON: {"family","preset","height","width","channels","latent","classes","image_range",
 * "capabilities":{...},"generator":role or null,"nets":[{"role","params","input","layers":[{"type","output":[C,H,W]}]}],
 * "losses":[{"name","group"}],"eval":[names]}. Owned by the model. */
const char *wg_model_describe(const wg_model *m);
int wg_model_image_size(const wg_model *m);   /* C*H*W */

enum { WG_GUARD_PATIENCE = 5, WG_GUARD_SNAPSHOT_EVERY = 100 };

/* Runs `steps` training steps with batches of `batch` images (and their labels) drawn without
 * replacement from an epoch-wise shuffle of the dataset (a new shuffle when fewer than `batch`
 * remain). Steps whose losses or gradients are not finite are skipped; after WG_GUARD_PATIENCE
 * skipped steps in a row the model rolls back to its last snapshot and halves every learning rate. */
wg_status wg_model_train(wg_model *m, const wg_dataset *ds, int steps, int batch);
/* The same for two-domain models (describe()'s "two_domains"): each batch joins `batch` images of
 * ds (in its shuffled order) with `batch` images of ds_b drawn uniformly with replacement from
 * their own stream; the domains may differ in size. One-domain models take ds_b = NULL. */
wg_status wg_model_train2(wg_model *m, const wg_dataset *ds, const wg_dataset *ds_b, int steps, int batch);

/* n images (N, C, H, W) in [0, 1] from latent noise drawn with `seed` (eval mode). labels (n) are
 * required by conditional models and refused by others. truncation > 0 redraws every latent value
 * whose magnitude exceeds it (the truncation trick); 0 draws plain normals. */
wg_status wg_model_sample(wg_model *m, int n, uint64_t seed, const int *labels, float truncation,
                          float *out);
/* Generator / decoder on given latents z (n, latent) -> images in [0, 1]. */
wg_status wg_model_decode(wg_model *m, const float *z, const int *labels, int n, float *out);
/* Conditional models: latents with class weights (n, classes) in place of one-hot labels, e.g.
 * (1 - t) * one_hot(a) + t * one_hot(b) to move between two classes with z held fixed. */
wg_status wg_model_decode_mixed(wg_model *m, const float *z, const float *class_weights, int n, float *out);
/* Models that encode: images in [0, 1] (n, C, H, W) -> mu, logvar (n, latent) each. */
wg_status wg_model_encode(wg_model *m, const float *x, const int *labels, int n, float *mu,
                          float *logvar);
/* Classifiers: images in [0, 1] (n, C, H, W) -> probabilities (n, classes). */
wg_status wg_model_classify(wg_model *m, const float *x, int n, float *probs, float *features);
/* Size of the feature rows classify() gives (a judge's penultimate layer); 0 when none. */
int wg_model_feature_size(const wg_model *m);
/* Models that translate (describe()'s "translate"): images in [0, 1] (n, C, H, W) of domain A
 * (direction 0) or B (direction 1) -> the other domain, in [0, 1]. */
wg_status wg_model_translate(wg_model *m, const float *x, int n, int direction, float *out);
/* The family's evaluation (describe()'s "eval" names, at most 8 values) over the first `limit`
 * images of ds (all when 0), in eval mode with a fixed noise seed. */
wg_status wg_model_evaluate(wg_model *m, const wg_dataset *ds, int limit, double *out);

/* State for the C API. */
long long wg_model_step(const wg_model *m);
long long wg_model_epoch(const wg_model *m);
const float *wg_model_losses(const wg_model *m);
/* out[0..3] = skipped steps, rollbacks, learning rate of the first group, bad steps in a row */
void wg_model_guard_info(const wg_model *m, double *out);
size_t wg_model_arena_peak(const wg_model *m);
void wg_model_set_dataset(wg_model *m, const char *id);
const char *wg_model_dataset(const wg_model *m);

/* Checkpoint as safetensors bytes (malloc'd, caller frees). */
wg_status wg_model_save(const wg_model *m, uint8_t **out, size_t *out_len);
/* New model from checkpoint bytes; on any error *out is NULL and nothing else changes. */
wg_status wg_model_load(const uint8_t *bytes, size_t len, wg_model **out);

#endif
