/* registry.c — the one list of model families (family.h); presets are found through it. */
#include <string.h>
#include <stdio.h>
#include "family.h"

extern const wg_family wg_family_gan, wg_family_vae, wg_family_cgan, wg_family_cdcgan,
    wg_family_cvae, wg_family_classifier;

static const wg_family *const wg__families[] = {
  &wg_family_gan, &wg_family_vae, &wg_family_cgan, &wg_family_cdcgan, &wg_family_cvae,
  &wg_family_classifier,
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
