/* augment.h — chains of image transforms written as text, for the transform tool and for
 * training-time augmentation.
 *
 * Syntax: ops separated by commas, each NAME or NAME:ARGS, where ARGS are numbers also separated
 * by commas ("crop:2,2,24,24" takes four). Two readings of the same grammar:
 *
 *   fixed (wg_ops_apply: `wasmgen transform`), applied in order, sizes may change:
 *     flip:h | flip:v, rotate:DEG[,FILL | ,edge], rot90:K, blur:SIGMA, box:R, crop:X,Y,W,H,
 *     centercrop:W,H, resize:W,H (bilinear), area:W,H, brightness:B, contrast:C, noise:STD
 *   random (wg_ops_augment: training), per image, output keeps the image's size:
 *     flip (horizontal, p = 1/2) | flip:v, rotate:MAX[,FILL | ,edge] (angle ~ U[-MAX, MAX]), crop:SIZE (random
 *     SIZE x SIZE crop resized back), blur:MAX (sigma ~ U[0, MAX], none below 0.1),
 *     jitter:B,C (brightness ~ U[-B, B), contrast ~ U[1-C, 1+C)), noise:STD
 *
 *   rotate fills the corners with FILL (default 0), or with `edge` by repeating the edge pixels.
 *
 *   wg_ops ops;
 *   if (wg_ops_parse(&ops, "flip,rotate:15,crop:24", 1) != WG_OK) puts(wg_last_error());
 *   wg_ops_augment(&ops, img, C, H, W, &rng);      // in place, deterministic per rng state
 */
#ifndef WG_AUGMENT_H
#define WG_AUGMENT_H
#include "error.h"
#include "rng.h"

typedef enum {
  WG_OP_FLIP_H, WG_OP_FLIP_V, WG_OP_ROTATE, WG_OP_ROT90, WG_OP_BLUR, WG_OP_BOX, WG_OP_CROP,
  WG_OP_CENTERCROP, WG_OP_RESIZE, WG_OP_AREA, WG_OP_BRIGHTNESS, WG_OP_CONTRAST, WG_OP_NOISE,
  WG_OP_JITTER
} wg_op_kind;

enum { WG_MAX_OPS = 32 };

typedef struct {
  int n;
  struct { wg_op_kind kind; int n_args; double args[4]; int edge; } op[WG_MAX_OPS];   /* edge: rotate's fill */
} wg_ops;

/* Parses text; `random` selects the training reading (which ops and arguments are allowed). */
wg_status wg_ops_parse(wg_ops *ops, const char *text, int random);

/* Fixed chain on one image (C, H, W): *out is malloc'd with its new size in *out_h, *out_w. */
wg_status wg_ops_apply(const wg_ops *ops, const float *in, int C, int H, int W, float **out,
                       int *out_h, int *out_w, wg_rng *rng);

/* Random chain on one image, in place, same size. */
wg_status wg_ops_augment(const wg_ops *ops, float *img, int C, int H, int W, wg_rng *rng);

#endif
