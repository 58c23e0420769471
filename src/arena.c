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
    size_t size = need > (size_t)1 << 20 ? need : (size_t)1 << 20;
    wg_arena_block *nb = wg__block_new(size);
    if (!nb) return NULL;
    nb->next = b; a->head = nb; a->total += nb->size; b = nb;
  }
  void *p = b->data + b->used;
  b->used += need;
  a->used_all += need;
  if (a->used_all > a->peak) a->peak = a->used_all;
  return p;
}

float *wg_arena_floats(wg_arena *a, size_t count) {
  if (count > SIZE_MAX / 8) return NULL;
  return wg_arena_alloc(a, count * sizeof(float));
}

void wg_arena_reset(wg_arena *a) {
  a->used_all = 0;
  if (!a->head) return;
  if (a->head->next) {   /* several blocks: replace them by one that holds everything */
    size_t total = a->total;
    wg_arena_free(a);
    a->head = wg__block_new(total);
    a->total = a->head ? a->head->size : 0;
    return;
  }
  a->head->used = 0;
}

void wg_arena_free(wg_arena *a) {
  wg_arena_block *b = a->head;
  while (b) { wg_arena_block *n = b->next; free(b->data); free(b); b = n; }
  a->head = NULL; a->total = 0; a->used_all = 0;
}
