/* config.c — field readers for JSON configs (see config.h). */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *wg__type_name(const wg_json *v) {
  static const char *names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
  return names[v->type];
}

wg_status wg_cfg_only(const wg_cfg *c, const char *const *allowed) {
  if (!c->obj || c->obj->type != WG_JSON_OBJECT) return wg_fail(WG_ERR_ARG, "%s: expected an object", c->where);
  for (size_t i = 0; i < c->obj->length; i++) {
    int ok = 0;
    for (const char *const *k = allowed; *k; k++) if (strcmp(*k, c->obj->keys[i]) == 0) ok = 1;
    if (!ok) {
      char list[256] = "";
      for (const char *const *k = allowed; *k; k++) {
        strncat(list, *k, sizeof list - strlen(list) - 1);
        if (k[1]) strncat(list, ", ", sizeof list - strlen(list) - 1);
      }
      return wg_fail(WG_ERR_ARG, "%s: unknown option \"%s\" (known: %s)", c->where, c->obj->keys[i], list);
    }
  }
  return WG_OK;
}

wg_status wg_cfg_num(const wg_cfg *c, const char *key, double def, double lo, double hi, double *out) {
  const wg_json *v = wg_json_get(c->obj, key);
  if (!v) { *out = def; return WG_OK; }
  if (v->type != WG_JSON_NUMBER || !isfinite(v->number))
    return wg_fail(WG_ERR_ARG, "%s: \"%s\" must be a finite number, got %s", c->where, key, wg__type_name(v));
  if (v->number < lo || v->number > hi)
    return wg_fail(WG_ERR_ARG, "%s: \"%s\" must be in [%g, %g], got %g", c->where, key, lo, hi, v->number);
  *out = v->number;
  return WG_OK;
}

wg_status wg_cfg_int(const wg_cfg *c, const char *key, double def, double lo, double hi, double *out) {
  wg_status st = wg_cfg_num(c, key, def, lo, hi, out);
  if (st) return st;
  if (*out != floor(*out))
    return wg_fail(WG_ERR_ARG, "%s: \"%s\" must be a whole number, got %g", c->where, key, *out);
  return WG_OK;
}

wg_status wg_cfg_bool(const wg_cfg *c, const char *key, int def, int *out) {
  const wg_json *v = wg_json_get(c->obj, key);
  if (!v) { *out = def; return WG_OK; }
  if (v->type != WG_JSON_BOOL)
    return wg_fail(WG_ERR_ARG, "%s: \"%s\" must be true or false, got %s", c->where, key, wg__type_name(v));
  *out = v->boolean;
  return WG_OK;
}

wg_status wg_cfg_str(const wg_cfg *c, const char *key, const char *def, const char **out) {
  const wg_json *v = wg_json_get(c->obj, key);
  if (!v) { *out = def; return WG_OK; }
  if (v->type != WG_JSON_STRING)
    return wg_fail(WG_ERR_ARG, "%s: \"%s\" must be a string, got %s", c->where, key, wg__type_name(v));
  *out = v->string;
  return WG_OK;
}

void wg_cfg_put_float(wg_strbuf *sb, float v) {
  char buf[32];
  for (int digits = 6; digits <= 9; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, (double)v);
    if ((float)strtod(buf, NULL) == v) break;
  }
  wg_strbuf_puts(sb, buf);
}
