/* api.h — the exported C ABI that JavaScript calls: ints, doubles and pointers only.
 *
 * Handles are pointers (wasm32 addresses). Functions return a status (0 = ok) or a handle (0 =
 * failure); in both failure cases wg_api_last_error() holds the message, which the JS package
 * throws as an Error. Memory for inputs is allocated with wg_api_malloc and filled by the caller.
 *
 *   wg_model *m = wg_api_model_create("{\"model\":\"gan\"}");
 *   if (!m) puts(wg_api_last_error());
 */
#ifndef WG_API_H
#define WG_API_H
#include <stddef.h>
#include <stdint.h>
#include "imageio.h"
#include "model.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define WG_API EMSCRIPTEN_KEEPALIVE
#else
#define WG_API
#endif

WG_API void *wg_api_malloc(size_t n);
WG_API void wg_api_free(void *p);
WG_API const char *wg_api_last_error(void);
WG_API int wg_api_last_status(void);
WG_API const char *wg_api_simd(void);

WG_API wg_model *wg_api_model_create(const char *config_json);
WG_API void wg_api_model_free(wg_model *m);
WG_API const char *wg_api_model_config(const wg_model *m);
/* What the model is and can do, as JSON (model.h wg_model_describe); owned by the model. */
WG_API const char *wg_api_model_describe(const wg_model *m);
/* Every family and preset: the registry as JSON (family.h wg_registry_json). */
WG_API const char *wg_api_registry(void);
WG_API double wg_api_model_step(const wg_model *m);
WG_API double wg_api_model_epoch(const wg_model *m);
/* The last step's losses, in describe()'s "losses" order. */
WG_API const float *wg_api_model_losses(const wg_model *m);
/* out[0..3] = skipped steps, rollbacks, learning rate of the first group, bad steps in a row */
WG_API void wg_api_model_guard(const wg_model *m, double *out);
WG_API double wg_api_model_arena_peak(const wg_model *m);
/* Identity of the training data ("mnist-train:8337"), saved in checkpoints; "" when unknown. */
WG_API void wg_api_model_set_dataset(wg_model *m, const char *id);
WG_API const char *wg_api_model_dataset(const wg_model *m);
WG_API int wg_api_model_train(wg_model *m, const wg_dataset *ds, int steps, int batch);
/* labels: (n) ints for conditional models, else 0 (NULL). truncation 0 = off. */
WG_API int wg_api_model_sample(wg_model *m, int n, double seed, const int *labels, double truncation, float *out);
WG_API int wg_api_model_decode(wg_model *m, const float *z, const int *labels, int n, float *out);
WG_API int wg_api_model_decode_mixed(wg_model *m, const float *z, const float *class_weights, int n, float *out);
WG_API int wg_api_model_encode(wg_model *m, const float *x, const int *labels, int n, float *mu, float *logvar);
WG_API int wg_api_model_classify(wg_model *m, const float *x, int n, float *probs);
/* Two-domain models: ds_b is the second domain; translate maps images of domain A (direction 0)
 * or B (1) to the other domain. */
WG_API int wg_api_model_train2(wg_model *m, const wg_dataset *ds, const wg_dataset *ds_b, int steps, int batch);
WG_API int wg_api_model_translate(wg_model *m, const float *x, int n, int direction, float *out);
/* classify plus the judge features (n, wg_api_model_feature_size(m)) from the same forward pass */
WG_API int wg_api_model_judge(wg_model *m, const float *x, int n, float *probs, float *features);
WG_API int wg_api_model_feature_size(const wg_model *m);
/* out: describe()'s "eval" values (at most 8). */
WG_API int wg_api_model_evaluate(wg_model *m, const wg_dataset *ds, int limit, double *out);
/* On success *out_ptr is a wg_api_malloc'd buffer of *out_len bytes; free it with wg_api_free. */
WG_API int wg_api_model_save(const wg_model *m, uint8_t **out_ptr, uint32_t *out_len);
WG_API wg_model *wg_api_model_load(const uint8_t *bytes, uint32_t len);

WG_API wg_dataset *wg_api_dataset_create(int n, int height, int width, int channels, int with_labels);
/* Dataset from IDX bytes (images rank 3 or 4, optional labels rank 1). */
WG_API wg_dataset *wg_api_dataset_from_idx(const uint8_t *images, uint32_t images_len,
                                          const uint8_t *labels, uint32_t labels_len);
WG_API void wg_api_dataset_free(wg_dataset *ds);
/* info[0..3] = n, height, width, channels; returns the pixel pointer. */
WG_API uint8_t *wg_api_dataset_pixels(const wg_dataset *ds, int *info);
WG_API uint8_t *wg_api_dataset_labels(const wg_dataset *ds);

/* Synthesis (synthesis.h): images (C, H, W) floats, masks (H, W). pyramid_levels < 0 means a
 * plain alpha blend (mask or constant alpha), >= 0 a Laplacian-pyramid blend (0 = auto). */
WG_API int wg_api_blend(float *out, const float *a, const float *b, const float *mask, float alpha,
                        int pyramid_levels, int C, int H, int W);
WG_API int wg_api_fill_diffusion(float *img, const float *mask, int iterations, int C, int H, int W);

/* Image files for the image tools (imagewrite.c): decode any PNG/JPEG/BMP/GIF at its own size
 * into *out (wg_api_malloc'd floats (C, H, W) in [0, 1]); info[0..2] = width, height, problem.
 * Encode RGBA bytes as JPEG into *out (free with wg_api_free). */
WG_API int wg_api_image_decode(const uint8_t *bytes, uint32_t len, int channels, float **out, int *info);
WG_API int wg_api_encode_jpeg(const uint8_t *rgba, int width, int height, int quality, uint8_t **out,
                              uint32_t *out_len);

/* A fixed transform chain ("flip:h,rotate:30,crop:2,2,20,20", augment.h) on one image (C, H, W)
 * floats; *out is wg_api_malloc'd, its size in hw[0] (height), hw[1] (width). */
WG_API int wg_api_transform(const char *ops, const float *in, int C, int H, int W, double seed,
                            float **out, int *hw);
/* The training reading of a chain ("flip,rotate:15,crop:24"): n images (n, C, H, W) augmented in
 * place, one after another from one augment stream seeded with `seed` — what training would draw. */
WG_API int wg_api_augment(const char *ops, float *images, int n, int C, int H, int W, double seed);

WG_API void wg_api_gemm(int layout, int M, int N, int K, const float *A, const float *B, float *C);

#endif
