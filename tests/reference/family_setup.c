/* family_setup.c — what make_family_fixtures.py needs from the core to rebuild a model in PyTorch:
 * the family, sizes, loss names, every net's input shape and canonical layer list, and the first
 * N values a training step would draw from the model's noise stream (read from a copy of it).
 *
 * Not part of any build: the fixture script compiles it with the core sources in a temporary directory.
 *
 *   family_setup '{"model":"cgan","height":6,...}' 15   # prints one JSON object
 */
#include <stdio.h>
#include <stdlib.h>
#include "config.h"
#include "model_internal.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CONFIG_JSON NOISE_COUNT\n", argv[0]);
    return 2;
  }
  wg_model *m;
  if (wg_model_create(argv[1], &m) != WG_OK) {
    fprintf(stderr, "error: %s\n", wg_last_error());
    return 1;
  }
  const wg_family *f = m->family;
  wg_strbuf sb = {0};
  wg_strbuf_printf(&sb, "{\"family\":\"%s\",\"height\":%d,\"width\":%d,\"channels\":%d,\"latent\":%d,"
                   "\"classes\":%d,\"image_scale\":", f->name, m->height, m->width, m->channels, m->latent, m->classes);
  wg_cfg_put_float(&sb, f->image_scale);
  wg_strbuf_puts(&sb, ",\"image_shift\":");
  wg_cfg_put_float(&sb, f->image_shift);
  wg_strbuf_puts(&sb, ",\"config\":");   /* canonical: the family's own settings filled in */
  wg_strbuf_json_string(&sb, wg_model_config_json(m));
  wg_strbuf_puts(&sb, ",\"losses\":[");
  for (int i = 0; i < f->n_losses; i++) wg_strbuf_printf(&sb, "%s\"%s\"", i ? "," : "", f->losses[i].name);
  wg_strbuf_puts(&sb, "],\"nets\":[");
  for (int k = 0; k < m->n_nets; k++) {
    int c, h, w;
    f->net_input(m, k, &c, &h, &w);
    wg_strbuf_printf(&sb, "%s{\"role\":\"%s\",\"input\":[%d,%d,%d],\"layers\":", k ? "," : "",
                     m->nets[k].name, c, h, w);
    wg_net_spec_json(&m->nets[k], &sb);
    wg_strbuf_puts(&sb, "}");
  }
  wg_strbuf_puts(&sb, "],\"noise\":[");
  int n = atoi(argv[2]);
  float *noise = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  wg_rng copy = m->rng_noise;
  wg_rng_fill_normal(&copy, noise, n, 0.f, 1.f);
  for (int i = 0; i < n; i++) wg_strbuf_printf(&sb, "%s%.9g", i ? "," : "", (double)noise[i]);
  wg_strbuf_puts(&sb, "]}\n");
  fputs(sb.data, stdout);
  free(noise);
  free(sb.data);
  wg_model_free(m);
  return sb.failed ? 1 : 0;
}
