/* synthesis.h — combining and repairing images: alpha and Laplacian-pyramid blending, and a
 * classical fill of masked pixels by diffusion from their border.
 *
 * Images are float (C, H, W) in [0, 1]; masks are float (H, W) in [0, 1] and shared by all
 * channels. For blending, mask = 1 takes image a, 0 takes image b. For filling, mask = 1 marks
 * the pixels to fill (unknown), 0 the known ones.
 *
 *   wg_blend_alpha(out, a, b, mask_or_NULL, 0.5f, C, H, W);          // constant alpha if no mask
 *   wg_blend_pyramid(out, a, b, mask, 0, C, H, W);                    // 0 = as many levels as fit
 *   wg_fill_diffusion(img, mask, 500, C, H, W);                       // in place
 */
#ifndef WG_SYNTHESIS_H
#define WG_SYNTHESIS_H
#include "error.h"

/* out = m*a + (1-m)*b with m = mask (or the constant alpha when mask is NULL). */
wg_status wg_blend_alpha(float *out, const float *a, const float *b, const float *mask, float alpha,
                         int C, int H, int W);

/* Burt-Adelson blending: Laplacian pyramids of a and b are mixed level by level with a Gaussian
 * pyramid of the mask, then collapsed, so seams are smooth at every scale. levels = 0 picks the
 * most that keep the coarsest level at least 4 pixels on its short side. */
wg_status wg_blend_pyramid(float *out, const float *a, const float *b, const float *mask, int levels,
                           int C, int H, int W);

/* Replaces masked pixels by repeatedly averaging their 4 neighbours (Jacobi iterations of the
 * Laplace equation with the known pixels as boundary), starting from the same fill of the image
 * at half size (coarse to fine; below 8 pixels, from the mean of the known pixels). A plane with
 * every pixel masked becomes 0.5. */
wg_status wg_fill_diffusion(float *img, const float *mask, int iterations, int C, int H, int W);

#endif
