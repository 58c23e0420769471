/* config.h — validated reads from JSON config objects, with errors that name the field.
 *
 * Every model/layer option goes through these so that a typo, a wrong type or an out-of-range or
 * non-finite value becomes "config: G layer 3: \"slope\" must be a number in [0, 1], got 7".
 *
 *   wg_cfg c = {obj, "config"};
 *   const char *keys[] = {"model", "latent", NULL};
 *   if (wg_cfg_only(&c, keys)) return ...;              // unknown keys are errors
 *   double latent; wg_cfg_int(&c, "latent", 100, 1, 4096, &latent);
 */
#ifndef WG_CONFIG_H
#define WG_CONFIG_H
#include "error.h"
#include "json.h"

typedef struct { const wg_json *obj; const char *where; } wg_cfg;

wg_status wg_cfg_only(const wg_cfg *c, const char *const *allowed);
/* Absent => default. Present but not a finite number in [lo, hi] => WG_ERR_ARG. */
wg_status wg_cfg_num(const wg_cfg *c, const char *key, double def, double lo, double hi, double *out);
wg_status wg_cfg_int(const wg_cfg *c, const char *key, double def, double lo, double hi, double *out);
wg_status wg_cfg_bool(const wg_cfg *c, const char *key, int def, int *out);
/* Returns the string or `def`; a non-string value => WG_ERR_ARG. */
wg_status wg_cfg_str(const wg_cfg *c, const char *key, const char *def, const char **out);

/* Writes the shortest decimal that reads back as the same float ("0.0002", not 0.000199999995). */
void wg_cfg_put_float(wg_strbuf *sb, float v);

#endif
