/* transform.h — image transforms for augmentation and preprocessing: blur, crop, rotate, flip,
 * resize, brightness/contrast jitter and noise, on float images.
 *
 * Images are planar float arrays (C, H, W): C planes of H rows of W values, row-major, values
 * typically in [0, 1] (grey C = 1, RGB C = 3; any C >= 1 works, every transform except the
 * brightness/contrast mean treats planes independently). A batch of N images of C channels can
 * be passed as one image of N*C planes to every per-plane transform; the random ones draw once
 * per call, so loop over the images when each needs its own crop, jitter or rotation.
 *
 * Arguments: outputs first, then inputs, then sizes (C, H, W of the input, always in layout
 * order), then options; `wg_rng *` last. Output rectangles are given as (w, h) (or the box
 * x, y, w, h), like Pillow's sizes. Every function checks its arguments and returns WG_OK or a
 * status with a message in wg_last_error(); nothing here aborts. "In place" (out == in) is
 * allowed where the comment says so; otherwise out and in must not overlap.
 *
 * Results are the same bits in the wasm and native builds: no libm transcendental is used where
 * it would matter (Gaussian weights use wg_expf, rotation uses its own sin/cos), and the SIMD
 * blur kernels keep the summation order of their scalar twins (the `_ref` functions).
 *
 * Conventions, chosen to match the usual references (tests/reference/make_transform_fixtures.py):
 *   - Blur borders are SciPy's mode 'reflect' (half-sample symmetric: d c b a | a b c d | d c b a),
 *     repeated as often as a large radius needs.
 *   - Gaussian radius is int(4 * sigma + 0.5) = scipy.ndimage.gaussian_filter(truncate=4.0);
 *     weights exp(-x^2 / (2 sigma^2)) normalised to sum 1.
 *   - Rotation is Pillow's Image.rotate(angle, BILINEAR, expand=False, fillcolor=fill):
 *     counter-clockwise for positive angles (on screen, row 0 at the top), about the point
 *     (W/2, H/2) in pixel-corner coordinates (pixel (x, y) covers [x, x+1) x [y, y+1)); each
 *     output pixel centre is mapped back into the source and sampled bilinearly; points outside
 *     the source rectangle [0, W) x [0, H) get the fill value.
 *   - wg_rot90 is numpy.rot90(plane, k) (counter-clockwise), wg_flip_* are numpy.fliplr/flipud.
 *   - Resize BILINEAR is Pillow's resize(BILINEAR) (a triangle filter whose support widens by the
 *     scale factor when shrinking, so shrinking is antialiased); AREA is the exact area average
 *     (each source pixel weighed by its fractional overlap with the output pixel's box).
 *
 *   float img[3 * 32 * 32], tmp[3 * 32 * 32], crop[3 * 28 * 28];
 *   wg_rng aug; wg_rng_seed(&aug, seed, WG_STREAM_AUGMENT);
 *   if (wg_gaussian_blur(tmp, img, 3, 32, 32, 1.5f)) puts(wg_last_error());
 *   wg_rotate(img, tmp, 3, 32, 32, 15.0, WG_FILL_NEAREST, 0.0f);
 *   wg_random_crop(crop, NULL, NULL, img, 3, 32, 32, 28, 28, &aug);
 *   wg_jitter_brightness_contrast(crop, crop, 3, 28, 28, 0.1f, 0.2f, &aug);   // in place
 */
#ifndef WG_TRANSFORM_H
#define WG_TRANSFORM_H
#include "error.h"
#include "rng.h"

/* Limits checked by every function: each side 1..WG_TRANSFORM_MAX_SIDE, C >= 1 and
 * C*H*W <= WG_TRANSFORM_MAX_VALUES (1 GiB of floats); blur radius <= WG_TRANSFORM_MAX_RADIUS
 * (so (2r+1)^2 is exact in float; Gaussian sigma up to about 511). */
enum { WG_TRANSFORM_MAX_SIDE = 1 << 16, WG_TRANSFORM_MAX_VALUES = 1 << 28, WG_TRANSFORM_MAX_RADIUS = 2047 };

/* ---- blur (SIMD; the _ref twins are the scalar definition, equal to the last bit) ---------- */

/* Separable Gaussian, sigma > 0 and finite. A row pass into a scratch plane, then a column
 * pass; each output is w0*x0 + w1*(x-1 + x+1) + w2*(x-2 + x+2) + ... in that order. In place
 * allowed. Allocates one plane of scratch (WG_ERR_NOMEM if that fails). */
wg_status wg_gaussian_blur(float *out, const float *in, int C, int H, int W, float sigma);
wg_status wg_gaussian_blur_ref(float *out, const float *in, int C, int H, int W, float sigma);

/* Mean over the (2r+1) x (2r+1) window, radius r >= 0 (r = 0 copies): sums along rows, then
 * along columns, then one division by (2r+1)^2. In place allowed. */
wg_status wg_box_blur(float *out, const float *in, int C, int H, int W, int radius);
wg_status wg_box_blur_ref(float *out, const float *in, int C, int H, int W, int radius);

/* Gaussian kernel as used above. wg_gaussian_radius is int(4 * sigma + 0.5) (SciPy's rule, not
 * ceil(4 sigma): sigma 0.3 has radius 1), -1 for a sigma that is not positive and finite, and
 * over WG_TRANSFORM_MAX_RADIUS when sigma is too large. wg_gaussian_weights writes w[0] (centre)
 * .. w[radius] (distance j), radius + 1 floats, in float with wg_expf, normalised so that
 * w[0] + 2 (w[1] + ... + w[radius]) = 1 up to rounding. */
int wg_gaussian_radius(float sigma);
wg_status wg_gaussian_weights(float *w, float sigma);

/* ---- crop ----------------------------------------------------------------------------------- */

/* out (C, h, w) = in[:, y:y+h, x:x+w]. The box must lie inside the image, w, h >= 1. */
wg_status wg_crop(float *out, const float *in, int C, int H, int W, int x, int y, int w, int h);
/* The box of size (w, h) at x = (W - w) / 2, y = (H - h) / 2 (rounded down). */
wg_status wg_center_crop(float *out, const float *in, int C, int H, int W, int w, int h);
/* A box of size (w, h) at a uniformly random position: x = below(W - w + 1), then
 * y = below(H - h + 1), two draws from rng. The chosen corner goes to *x_out, *y_out when those
 * are not NULL. */
wg_status wg_random_crop(float *out, int *x_out, int *y_out, const float *in, int C, int H, int W,
                         int w, int h, wg_rng *rng);

/* ---- exact flips and quarter turns ----------------------------------------------------------- */

/* Mirror left-right (out[c][y][x] = in[c][y][W-1-x]) / top-bottom. In place allowed. */
wg_status wg_flip_horizontal(float *out, const float *in, int C, int H, int W);
wg_status wg_flip_vertical(float *out, const float *in, int C, int H, int W);
/* k quarter turns counter-clockwise (any k, taken mod 4), like numpy.rot90(plane, k). The output
 * is (C, W, H) for odd k, (C, H, W) for even k. Not in place. */
wg_status wg_rot90(float *out, const float *in, int C, int H, int W, int k);

/* ---- rotation by any angle --------------------------------------------------------------------- */

typedef enum {
  WG_FILL_CONSTANT = 0,   /* outside the source: fill_value (Pillow's fillcolor) */
  WG_FILL_NEAREST = 1     /* outside the source: the image extended by repeating its edge pixels */
} wg_fill_mode;

/* Rotates each plane by angle_deg degrees (finite; counter-clockwise when positive) about the
 * image centre, bilinear, output the same size (C, H, W). With WG_FILL_CONSTANT the result
 * equals Pillow's rotate(angle, BILINEAR, expand=False, fillcolor=fill_value) on a mode 'F'
 * image (coordinates and interpolation in double, result rounded to float, as Pillow does;
 * bit-identical in every test fixture, including the border pixels, whose samples Pillow and we
 * both clamp to the edge inside [0, W) x [0, H)).
 * Angles that are multiples of 90 degrees give exact results on square images (a multiple of
 * 360 is the identity on any image). fill_value must be finite. Not in place. */
wg_status wg_rotate(float *out, const float *in, int C, int H, int W, double angle_deg,
                    wg_fill_mode fill, float fill_value);
/* The inverse map wg_rotate uses: output pixel centre (x + 0.5, y + 0.5) samples the source at
 * (m[0] X + m[1] Y + m[2], m[3] X + m[4] Y + m[5]) in pixel-corner coordinates. Pillow's
 * formula: cos/sin rounded to 15 decimals, offsets that keep (W/2, H/2) fixed. The sine and
 * cosine are our own (angle reduced exactly in degrees, then a polynomial), so the coefficients
 * can differ from Pillow's libm-based ones by 1e-15. */
wg_status wg_rotation_matrix(double m[6], int H, int W, double angle_deg);

/* ---- resize ------------------------------------------------------------------------------------ */

typedef enum {
  WG_RESIZE_BILINEAR = 0,   /* Pillow's BILINEAR, both directions (antialiased when shrinking) */
  WG_RESIZE_AREA = 1        /* exact area average; meant for shrinking (enlarging gives a blocky
                               nearest-like result with linear blends where boxes straddle pixels) */
} wg_resize_filter;

/* out (C, out_h, out_w) from in (C, H, W). Separable like Pillow: a horizontal pass into a float
 * scratch image (C, H, out_w), then a vertical pass; weights and sums in double, each pass
 * rounded to float; an axis whose size does not change is copied. BILINEAR is Pillow's
 * algorithm step for step and bit-identical to its mode 'F' output in every test fixture
 * (enlarging, shrinking, mixed). AREA equals Pillow's BOX (bit-identical) when the ratio along
 * each axis is an integer; for other ratios Pillow's BOX gives whole source pixels weight 1 or 0
 * by whether their centre falls in the box, which differs from the area mean (by up to 0.17 on
 * random [0, 1) images). Not in place. */
wg_status wg_resize(float *out, const float *in, int C, int H, int W, int out_w, int out_h,
                    wg_resize_filter filter);

/* ---- intensity --------------------------------------------------------------------------------- */

/* out = clamp((x - mean) * contrast + mean + brightness, 0, 1), where mean is the mean of all
 * C*H*W input values (summed in double, in index order). contrast >= 0 and brightness finite.
 * Computed in float as ((x - mean) * contrast + mean) + brightness. In place allowed. */
wg_status wg_adjust_brightness_contrast(float *out, const float *in, int C, int H, int W,
                                        float brightness, float contrast);
/* The same with brightness ~ U[-max_brightness, max_brightness) and contrast ~
 * U[max(0, 1 - max_contrast), 1 + max_contrast), drawn in that order (two draws from rng, even
 * when a range is 0). max_brightness, max_contrast >= 0 and finite. To choose the values
 * yourself, call wg_adjust_brightness_contrast. In place allowed. */
wg_status wg_jitter_brightness_contrast(float *out, const float *in, int C, int H, int W,
                                        float max_brightness, float max_contrast, wg_rng *rng);
/* out = clamp(x + std * n, 0, 1) with n = wg_rng_normal(rng) drawn once per value in index
 * order (C*H*W draws, also when std == 0). std >= 0 and finite. In place allowed. */
wg_status wg_add_gaussian_noise(float *out, const float *in, int C, int H, int W, float std,
                                wg_rng *rng);

#endif
