/* registry.c — the one list of model families (family.h); presets are found through it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "family.h"

extern const wg_family wg_family_gan, wg_family_vae, wg_family_cgan, wg_family_cdcgan,
    wg_family_acgan, wg_family_cvae, wg_family_classifier, wg_family_cyclegan;

static const wg_family *const wg__families[] = {
  &wg_family_gan, &wg_family_vae, &wg_family_cgan, &wg_family_cdcgan, &wg_family_acgan,
  &wg_family_cvae, &wg_family_classifier, &wg_family_cyclegan,
};
#define WG__N_FAMILIES (int)(sizeof wg__families / sizeof wg__families[0])

int wg_family_count(void) { return WG__N_FAMILIES; }
const wg_family *wg_family_at(int i) { return i >= 0 && i < WG__N_FAMILIES ? wg__families[i] : NULL; }

const wg_family *wg_family_find_preset(const char *name, const wg_preset_def **preset) {
  for (int i = 0; i < WG__N_FAMILIES; i++)
    for (int j = 0; j < wg__families[i]->n_presets; j++)
      if (strcmp(wg__families[i]->presets[j].name, name) == 0) {
        if (preset) *preset = &wg__families[i]->presets[j];
        return wg__families[i];
      }
  return NULL;
}

const char *wg_preset_list(void) {
  static char list[512];
  if (!list[0]) {
    size_t len = 0;
    for (int i = 0; i < WG__N_FAMILIES; i++)
      for (int j = 0; j < wg__families[i]->n_presets; j++) {
        const char *name = wg__families[i]->presets[j].name;
        if (len + strlen(name) + 5 >= sizeof list) break;
        len += (size_t)snprintf(list + len, sizeof list - len, "%s\"%s\"", len ? ", " : "", name);
      }
  }
  return list;
}

static void wg__put_caps(wg_strbuf *sb, unsigned caps) {
  static const struct { unsigned bit; const char *name; } names[] = {
    {WG_CAP_SAMPLE, "sample"}, {WG_CAP_ENCODE, "encode"}, {WG_CAP_CLASSES, "classes"},
    {WG_CAP_CLASSIFY, "classify"}, {WG_CAP_TWO_DOMAINS, "two_domains"}, {WG_CAP_TRANSLATE, "translate"},
  };
  wg_strbuf_puts(sb, "{");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    wg_strbuf_printf(sb, "%s\"%s\":%s", i ? "," : "", names[i].name, caps & names[i].bit ? "true" : "false");
  wg_strbuf_puts(sb, "}");
}

void wg_family_caps_json(wg_strbuf *sb, unsigned caps) { wg__put_caps(sb, caps); }


const char *wg_registry_json(void) {
  static char *json;
  if (json) return json;
  wg_strbuf sb = {0};
  wg_strbuf_puts(&sb, "{\"families\":[");
  for (int i = 0; i < WG__N_FAMILIES; i++) {
    const wg_family *f = wg__families[i];
    wg_strbuf_printf(&sb, "%s{\"name\":\"%s\",\"roles\":[", i ? "," : "", f->name);
    for (int k = 0; k < f->n_roles; k++)
      wg_strbuf_printf(&sb, "%s{\"role\":\"%s\",\"key\":\"%s\"}", k ? "," : "", f->roles[k].role, f->roles[k].key);
    wg_strbuf_puts(&sb, "],\"losses\":[");
    for (int k = 0; k < f->n_losses; k++)
      wg_strbuf_printf(&sb, "%s{\"name\":\"%s\",\"group\":\"%s\"}", k ? "," : "", f->losses[k].name, f->losses[k].group);
    wg_strbuf_puts(&sb, "],\"capabilities\":");
    wg__put_caps(&sb, f->caps);
    wg_strbuf_puts(&sb, ",\"presets\":[");
    for (int j = 0; j < f->n_presets; j++) {
      const wg_preset_def *p = &f->presets[j];
      wg_strbuf_printf(&sb, "%s{\"name\":\"%s\",\"summary\":", j ? "," : "", p->name);
      wg_strbuf_json_string(&sb, p->summary);
      wg_strbuf_printf(&sb, ",\"latent\":%d,\"lr\":", p->latent);
      wg_cfg_put_float(&sb, f->lr);
      wg_strbuf_puts(&sb, "}");
    }
    wg_strbuf_puts(&sb, "]}");
  }
  wg_strbuf_puts(&sb, "]}");
  if (sb.failed) { free(sb.data); return "{\"families\":[]}"; }
  json = sb.data;
  return json;
}
