/* arena.c — chained blocks, merged into one on reset. */
#include "arena.h"
#include <stdint.h>
#include <stdlib.h>

struct wg_arena_block { wg_arena_block *next; size_t size, used; unsigned char *data; };

static wg_arena_block *wg__block_new(size_t size) {
  wg_arena_block *b = malloc(sizeof *b);
  if (!b) return NULL;
  b->data = aligned_alloc(64, (size + 63) & ~(size_t)63);
  if (!b->data) { free(b); return NULL; }
  b->next = NULL; b->size = (size + 63) & ~(size_t)63; b->used = 0;
  return b;
}

void *wg_arena_alloc(wg_arena *a, size_t bytes) {
  if (bytes > SIZE_MAX / 2) return NULL;
  size_t need = (bytes + 15) & ~(size_t)15;
  if (need == 0) need = 16;
  wg_arena_block *b = a->head;
  if (!b || b->size - b->used < need) {
    /* Blocks just big enough (1 MiB at least): the chain of the first step then holds little
     * more than the step needs, and is merged into one block by the next reset. */
    size_t size = need > (size_t)1 << 20 ? need : (size_t)1 << 20;
    wg_arena_block *nb = wg__block_new(size);
    if (!nb) return NULL;
    nb->next = b; a->head = nb; a->total += nb->size; b = nb;
  }
  void *p = b->data + b->used;
  b->used += need;
  a->used_all += need;
  if (a->used_all > a->step_peak) a->step_peak = a->used_all;
  if (a->used_all > a->peak) a->peak = a->used_all;
  return p;
}

wg_arena_mark wg_arena_save(const wg_arena *a) {
  return (wg_arena_mark){a->head, a->head ? a->head->used : 0, a->used_all};
}

void wg_arena_restore(wg_arena *a, wg_arena_mark mark) {
  while (a->head && a->head != mark.block) {
    wg_arena_block *b = a->head;
    a->head = b->next;
    a->total -= b->size;
    free(b->data); free(b);
  }
  if (a->head) a->head->used = mark.used;
  a->used_all = mark.used_all;
}

float *wg_arena_floats(wg_arena *a, size_t count) {
  if (count > SIZE_MAX / 8) return NULL;
  return wg_arena_alloc(a, count * sizeof(float));
}

void wg_arena_reset(wg_arena *a) {
  size_t need = a->step_peak + 4096;   /* slack for the alignment padding of each allocation */
  a->used_all = 0;
  a->step_peak = 0;
  if (!a->head) return;
  if (a->head->next || a->head->size < need) {   /* one block for what the last step needed */
    wg_arena_free(a);
    a->head = wg__block_new(need);
    a->total = a->head ? a->head->size : 0;
    return;
  }
  a->head->used = 0;
}

void wg_arena_free(wg_arena *a) {
  wg_arena_block *b = a->head;
  while (b) { wg_arena_block *n = b->next; free(b->data); free(b); b = n; }
  a->head = NULL; a->total = 0; a->used_all = 0; a->step_peak = 0;
}
