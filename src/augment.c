/* augment.c — parsing and applying transform chains (see augment.h). */
#include "augment.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "transform.h"

typedef struct { const char *name; wg_op_kind kind; int min_args, max_args, fixed, random; } wg__op_spec;

/* Which ops each reading accepts, and how many numbers they take. flip's h/v is a letter. */
static const wg__op_spec wg__specs[] = {
  {"flip", WG_OP_FLIP_H, 0, 0, 1, 1}, {"rotate", WG_OP_ROTATE, 1, 2, 1, 1},
  {"rot90", WG_OP_ROT90, 1, 1, 1, 0}, {"blur", WG_OP_BLUR, 1, 1, 1, 1},
  {"box", WG_OP_BOX, 1, 1, 1, 0}, {"crop", WG_OP_CROP, 1, 4, 1, 1},
  {"centercrop", WG_OP_CENTERCROP, 2, 2, 1, 0}, {"resize", WG_OP_RESIZE, 2, 2, 1, 0},
  {"area", WG_OP_AREA, 2, 2, 1, 0}, {"brightness", WG_OP_BRIGHTNESS, 1, 1, 1, 0},
  {"contrast", WG_OP_CONTRAST, 1, 1, 1, 0}, {"noise", WG_OP_NOISE, 1, 1, 1, 1},
  {"jitter", WG_OP_JITTER, 2, 2, 0, 1},
};
#define WG__N_SPECS (int)(sizeof wg__specs / sizeof wg__specs[0])

static int wg__is_number(const char *s, double *v) {
  char *end;
  *v = strtod(s, &end);
  return end != s && *end == 0 && isfinite(*v);
}

wg_status wg_ops_parse(wg_ops *ops, const char *text, int random) {
  memset(ops, 0, sizeof *ops);
  const char *what = random ? "augment" : "ops";
  if (!text) return wg_fail(WG_ERR_ARG, "%s: missing", what);
  size_t len = strlen(text);
  if (len > 1000) return wg_fail(WG_ERR_ARG, "%s: too long", what);
  char buf[1024];
  memcpy(buf, text, len + 1);
  const wg__op_spec *cur = NULL;
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    while (*tok == ' ') tok++;
    char *colon = strchr(tok, ':');
    double v;
    if (!colon && cur && cur->kind == WG_OP_ROTATE && strcmp(tok, "edge") == 0) {   /* rotate:DEG,edge */
      if (ops->op[ops->n - 1].n_args != 1 || ops->op[ops->n - 1].edge)
        return wg_fail(WG_ERR_ARG, "%s: rotate takes an angle, then a fill number or edge", what);
      ops->op[ops->n - 1].edge = 1;
      continue;
    }
    if (!colon && cur && wg__is_number(tok, &v)) {   /* another number for the current op */
      if (ops->op[ops->n - 1].edge) return wg_fail(WG_ERR_ARG, "%s: rotate takes a fill number or edge, not both", what);
      if (ops->op[ops->n - 1].n_args >= cur->max_args)
        return wg_fail(WG_ERR_ARG, "%s: %s takes at most %d numbers", what, cur->name, cur->max_args);
      ops->op[ops->n - 1].args[ops->op[ops->n - 1].n_args++] = v;
      continue;
    }
    if (colon) *colon = 0;
    cur = NULL;
    for (int i = 0; i < WG__N_SPECS; i++) if (strcmp(tok, wg__specs[i].name) == 0) cur = &wg__specs[i];
    if (!cur || !(random ? cur->random : cur->fixed))
      return wg_fail(WG_ERR_ARG, "%s: unknown operation \"%s\" (%s)", what, tok,
                     random ? "flip, rotate, crop, blur, jitter, noise"
                            : "flip, rotate, rot90, blur, box, crop, centercrop, resize, area, brightness, contrast, noise");
    if (ops->n == WG_MAX_OPS) return wg_fail(WG_ERR_ARG, "%s: more than %d operations", what, WG_MAX_OPS);
    ops->op[ops->n].kind = cur->kind;
    ops->op[ops->n].n_args = 0;
    ops->n++;
    if (colon) {
      const char *arg = colon + 1;
      if (cur->kind == WG_OP_FLIP_H && (strcmp(arg, "h") == 0 || strcmp(arg, "v") == 0)) {
        if (arg[0] == 'v') ops->op[ops->n - 1].kind = WG_OP_FLIP_V;
        continue;
      }
      if (cur->kind == WG_OP_FLIP_H) return wg_fail(WG_ERR_ARG, "%s: flip takes h or v, not \"%s\"", what, arg);
      if (!wg__is_number(arg, &v)) return wg_fail(WG_ERR_ARG, "%s: %s needs a number, got \"%s\"", what, cur->name, arg);
      ops->op[ops->n - 1].args[ops->op[ops->n - 1].n_args++] = v;
    }
  }
  for (int i = 0; i < ops->n; i++) {   /* argument counts and ranges */
    const wg__op_spec *s = NULL;
    for (int k = 0; k < WG__N_SPECS; k++)
      if (wg__specs[k].kind == ops->op[i].kind || (ops->op[i].kind == WG_OP_FLIP_V && wg__specs[k].kind == WG_OP_FLIP_H)) s = &wg__specs[k];
    int n = ops->op[i].n_args;
    int want_min = s->min_args, want_max = s->max_args;
    if (s->kind == WG_OP_CROP) { want_min = want_max = random ? 1 : 4; }
    if (n < want_min || n > want_max) {
      if (want_max > want_min)
        return wg_fail(WG_ERR_ARG, "%s: %s takes %d to %d numbers, got %d", what, s->name, want_min, want_max, n);
      return wg_fail(WG_ERR_ARG, "%s: %s takes %d number%s, got %d", what, s->name, want_min, want_min == 1 ? "" : "s", n);
    }
    for (int a = 0; a < n; a++)
      if (ops->op[i].args[a] < 0 && !(s->kind == WG_OP_ROTATE || s->kind == WG_OP_ROT90 || s->kind == WG_OP_BRIGHTNESS))
        return wg_fail(WG_ERR_ARG, "%s: %s needs non-negative numbers", what, s->name);
  }
  if (ops->n == 0) return wg_fail(WG_ERR_ARG, "%s: no operations in \"%s\"", what, text);
  return WG_OK;
}

/* rotate's corners: the edge pixels repeated, or a constant (default 0). */
static wg_fill_mode wg__fill(const wg_ops *ops, int i) { return ops->op[i].edge ? WG_FILL_NEAREST : WG_FILL_CONSTANT; }
static float wg__fill_value(const wg_ops *ops, int i) { return ops->op[i].n_args > 1 ? (float)ops->op[i].args[1] : 0.f; }

/* Runs one fixed op from *img (C, *H, *W) into a new buffer, replacing *img. */
static wg_status wg__apply_one(const wg_ops *ops, int i, float **img, int C, int *H, int *W, wg_rng *rng) {
  const double *a = ops->op[i].args;
  int h = *H, w = *W, oh = h, ow = w;
  switch (ops->op[i].kind) {
    case WG_OP_CROP: ow = (int)a[2]; oh = (int)a[3]; break;
    case WG_OP_CENTERCROP: case WG_OP_RESIZE: case WG_OP_AREA: ow = (int)a[0]; oh = (int)a[1]; break;
    case WG_OP_ROT90: if (((int)a[0] % 2 + 2) % 2) { oh = w; ow = h; } break;
    default: break;
  }
  if (oh < 1 || ow < 1 || oh > 8192 || ow > 8192) return wg_fail(WG_ERR_ARG, "ops: result size %dx%d is not in [1, 8192]", ow, oh);
  float *out = malloc(sizeof(float) * (size_t)C * oh * ow);
  if (!out) return wg_fail(WG_ERR_NOMEM, "ops: out of memory for a %dx%d image", ow, oh);
  wg_status st = WG_OK;
  switch (ops->op[i].kind) {
    case WG_OP_FLIP_H: st = wg_flip_horizontal(out, *img, C, h, w); break;
    case WG_OP_FLIP_V: st = wg_flip_vertical(out, *img, C, h, w); break;
    case WG_OP_ROTATE: st = wg_rotate(out, *img, C, h, w, a[0], wg__fill(ops, i), wg__fill_value(ops, i)); break;
    case WG_OP_ROT90: st = wg_rot90(out, *img, C, h, w, (int)a[0]); break;
    case WG_OP_BLUR: st = wg_gaussian_blur(out, *img, C, h, w, (float)a[0]); break;
    case WG_OP_BOX: st = wg_box_blur(out, *img, C, h, w, (int)a[0]); break;
    case WG_OP_CROP: st = wg_crop(out, *img, C, h, w, (int)a[0], (int)a[1], ow, oh); break;
    case WG_OP_CENTERCROP: st = wg_center_crop(out, *img, C, h, w, ow, oh); break;
    case WG_OP_RESIZE: st = wg_resize(out, *img, C, h, w, ow, oh, WG_RESIZE_BILINEAR); break;
    case WG_OP_AREA: st = wg_resize(out, *img, C, h, w, ow, oh, WG_RESIZE_AREA); break;
    case WG_OP_BRIGHTNESS: st = wg_adjust_brightness_contrast(out, *img, C, h, w, (float)a[0], 1.f); break;
    case WG_OP_CONTRAST: st = wg_adjust_brightness_contrast(out, *img, C, h, w, 0.f, (float)a[0]); break;
    case WG_OP_NOISE: st = wg_add_gaussian_noise(out, *img, C, h, w, (float)a[0], rng); break;
    case WG_OP_JITTER: st = wg_jitter_brightness_contrast(out, *img, C, h, w, (float)a[0], (float)a[1], rng); break;
  }
  if (st) { free(out); return st; }
  free(*img);
  *img = out; *H = oh; *W = ow;
  return WG_OK;
}

wg_status wg_ops_apply(const wg_ops *ops, const float *in, int C, int H, int W, float **out,
                       int *out_h, int *out_w, wg_rng *rng) {
  *out = malloc(sizeof(float) * (size_t)C * H * W);
  if (!*out) return wg_fail(WG_ERR_NOMEM, "ops: out of memory");
  memcpy(*out, in, sizeof(float) * (size_t)C * H * W);
  *out_h = H; *out_w = W;
  for (int i = 0; i < ops->n; i++) {
    wg_status st = wg__apply_one(ops, i, out, C, out_h, out_w, rng);
    if (st) {
      free(*out); *out = NULL;
      return wg_fail(st, "ops: step %d: %s", i + 1, wg_last_error());
    }
  }
  return WG_OK;
}

wg_status wg_ops_augment(const wg_ops *ops, float *img, int C, int H, int W, wg_rng *rng) {
  size_t n = (size_t)C * H * W;
  float *tmp = malloc(sizeof(float) * n), *crop = NULL;
  if (!tmp) return wg_fail(WG_ERR_NOMEM, "augment: out of memory");
  wg_status st = WG_OK;
  for (int i = 0; i < ops->n && !st; i++) {
    const double *a = ops->op[i].args;
    int copy = 1;
    switch (ops->op[i].kind) {
      case WG_OP_FLIP_H: case WG_OP_FLIP_V:
        if (wg_rng_uniform(rng) < 0.5f) copy = 0;
        else st = ops->op[i].kind == WG_OP_FLIP_H ? wg_flip_horizontal(tmp, img, C, H, W) : wg_flip_vertical(tmp, img, C, H, W);
        break;
      case WG_OP_ROTATE: {
        double angle = (2.0 * wg_rng_uniform(rng) - 1.0) * a[0];
        st = wg_rotate(tmp, img, C, H, W, angle, wg__fill(ops, i), wg__fill_value(ops, i));
        break;
      }
      case WG_OP_CROP: {
        int size = (int)a[0];
        if (size < 1 || size > H || size > W) { st = wg_fail(WG_ERR_ARG, "augment: crop:%d does not fit %dx%d images", size, W, H); break; }
        if (!crop) crop = malloc(sizeof(float) * n);
        if (!crop) { st = wg_fail(WG_ERR_NOMEM, "augment: out of memory"); break; }
        st = wg_random_crop(crop, NULL, NULL, img, C, H, W, size, size, rng);
        if (!st) st = wg_resize(tmp, crop, C, size, size, W, H, WG_RESIZE_BILINEAR);
        break;
      }
      case WG_OP_BLUR: {
        float sigma = wg_rng_uniform(rng) * (float)a[0];
        if (sigma < 0.1f) copy = 0;
        else st = wg_gaussian_blur(tmp, img, C, H, W, sigma);
        break;
      }
      case WG_OP_JITTER: st = wg_jitter_brightness_contrast(img, img, C, H, W, (float)a[0], (float)a[1], rng); copy = 0; break;
      case WG_OP_NOISE: st = wg_add_gaussian_noise(img, img, C, H, W, (float)a[0], rng); copy = 0; break;
      default: st = wg_fail(WG_ERR_ARG, "augment: operation %d is not a random augmentation", i + 1);
    }
    if (!st && copy) memcpy(img, tmp, sizeof(float) * n);
  }
  free(tmp); free(crop);
  return st;
}
