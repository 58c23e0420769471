/* arena.h — a bump allocator for per-step activations.
 *
 * A training step allocates its activations, saved frames and gradient scratch from one arena
 * and resets it at the end of the step: no malloc per layer per step. When a step needs more than
 * the current block, extra blocks are chained; the next reset replaces them with one block as
 * large as the step's peak use, so after the first step the arena is a single block.
 *
 *   wg_arena a = {0};
 *   float *x = wg_arena_floats(&a, n);   // 16-byte aligned, NULL if out of memory
 *   wg_arena_mark m = wg_arena_save(&a);  // scratch that only lives for a while:
 *   ... wg_arena_floats(&a, k) ...
 *   wg_arena_restore(&a, m);               // hands it back (when no new block was needed since)
 *   wg_arena_reset(&a);                    // frees nothing, reuses the memory
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
  size_t step_peak;       /* the same since the last reset: the size the merged block needs */
  size_t used_all;        /* bytes in use now */
} wg_arena;

typedef struct { wg_arena_block *block; size_t used, used_all; } wg_arena_mark;

void *wg_arena_alloc(wg_arena *a, size_t bytes);
wg_arena_mark wg_arena_save(const wg_arena *a);
/* Gives back everything allocated since the mark (blocks chained since are freed). */
void wg_arena_restore(wg_arena *a, wg_arena_mark mark);
float *wg_arena_floats(wg_arena *a, size_t count);
void wg_arena_reset(wg_arena *a);
void wg_arena_free(wg_arena *a);

#endif
