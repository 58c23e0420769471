/* model_internal.h — what model.c, gan.c, vae.c and checkpoint.c share but users do not call. */
#ifndef WG_MODEL_INTERNAL_H
#define WG_MODEL_INTERNAL_H
#include "model.h"

/* The gradients of one training step on a batch already converted to floats (B, C*H*W), with
 * fresh noise from the model's stream; sets m->losses. The update is the guard's (guard.c). */
wg_status wg__gan_step(wg_model *m, const float *x, int batch);
wg_status wg__vae_step(wg_model *m, const float *x, int batch);
/* Divergence guard around one step: before() keeps what a skipped step must restore; after()
 * applies the update when everything is finite, else skips it and, after repeated failures,
 * rolls back and lowers the learning rate. */
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
/* The gradients of one step for given noise, without the update (tests check them against
 * finite differences of m->losses). Use the model's arena; reset it between calls. */
wg_status wg__gan_grads(wg_model *m, const float *x, const float *z, int batch);
wg_status wg__vae_grads(wg_model *m, const float *x, const float *eps, int batch);
/* Draws a new permutation of the data order from the shuffle stream. */
void wg__model_shuffle(wg_model *m);
/* Makes sure the data order covers n images (a new dataset size starts a new order). */
wg_status wg__model_prepare_order(wg_model *m, int n);

#endif
