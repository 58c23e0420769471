/* arena.h — a bump allocator for per-step activations.
 *
 * A training step allocates its activations, saved frames and gradient scratch from one arena
 * and resets it at the end of the step: no malloc per layer per step. When a step needs more than
 * the current block, extra blocks are chained; the next reset replaces them with one block of the
 * combined size, so after the first step the arena is a single block.
 *
 *   wg_arena a = {0};
 *   float *x = wg_arena_floats(&a, n);   // 16-byte aligned, NULL if out of memory
 *   wg_arena_reset(&a);                   // frees nothing, reuses the memory
 *   wg_arena_free(&a);
 */
#ifndef WG_ARENA_H
#define WG_ARENA_H
#include <stddef.h>

typedef struct wg_arena_block wg_arena_block;
typedef struct {
  wg_arena_block *head;   /* current block; older blocks follow through ->next */
  size_t total;           /* bytes in all blocks, to size the merged block on reset */
  size_t peak;            /* largest number of bytes in use at once, for memory reports */
  size_t used_all;        /* bytes handed out since the last reset */
} wg_arena;

void *wg_arena_alloc(wg_arena *a, size_t bytes);
float *wg_arena_floats(wg_arena *a, size_t count);
void wg_arena_reset(wg_arena *a);
void wg_arena_free(wg_arena *a);

#endif
