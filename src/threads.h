/* threads.h — a small deterministic thread pool: the same scheduler in native (pthreads) and wasm
 * (workers started by wasm/threads.js over one shared memory).
 *
 * A parallel region is a fixed grid of tiles, numbered 0..ntiles-1, chosen by the caller from the
 * problem size only (never from the thread count). Each thread claims tiles one at a time, from its
 * own contiguous share of the grid first and then from the others' (threads.c), so the thread count
 * decides only WHO computes a tile, never WHAT a tile computes. Each
 * tile writes its own disjoint outputs; reductions are split into fixed-size chunks whose partial
 * results are combined by the caller in a fixed order. Results are therefore the same bits for any
 * thread count, including 1 (see tests/native/test_threads.c and tests/threads.test.js).
 *
 *   static void add_tile(void *ctx, int tile, int thread) { ... rows [tile*64, tile*64+64) ... }
 *   wg_parallel_for(ntiles, add_tile, &args);   // returns when every tile is done
 *
 * `thread` (0..wg_threads_count()-1) only indexes per-thread scratch. The caller is thread 0.
 * Tiles must not allocate (workers in wasm have no malloc) and must not nest parallel regions
 * (a nested wg_parallel_for runs serially on the calling thread).
 *
 * Builds: native with pthreads (Linux futexes for sleeping); wasm compiled with -matomics runs
 * workers that JS starts and parks in wg_threads_worker_main; wasm without atomics runs every
 * region serially on the caller.
 */
#ifndef WG_THREADS_H
#define WG_THREADS_H
#include <stddef.h>

enum { WG_MAX_THREADS = 8 };

typedef void (*wg_tile_fn)(void *ctx, int tile, int thread);

/* Runs fn(ctx, t, thread) for every t in [0, ntiles), each exactly once, then returns. */
void wg_parallel_for(int ntiles, wg_tile_fn fn, void *ctx);

/* Runs fn(ctx, lo, hi) over [0, n) in chunks of `chunk` elements (the last one shorter), in
 * parallel when there is more than one chunk. For element-wise work, where chunking cannot change
 * any result. */
typedef void (*wg_range_fn)(void *ctx, size_t lo, size_t hi);
void wg_parallel_range(size_t n, size_t chunk, wg_range_fn fn, void *ctx);
enum { WG_ELEMENTWISE_CHUNK = 1 << 14 };   /* elements per tile of element-wise kernels */

/* Number of threads regions use (1 until threads are started). */
int wg_threads_count(void);

/* Native: starts n-1 pthreads (n clamped to 1..WG_MAX_THREADS); stopping first if some run.
 * Returns the count in use (1 where threads are not available). */
int wg_threads_start(int n);
/* Native: stops and joins the pthreads; regions then run serially. */
void wg_threads_stop(void);

/* wasm (-matomics): JS starts n-1 workers, each calls wg_threads_worker_main(id) with ids 1..n-1
 * (it never returns), then the coordinator calls wg_threads_set_count(n) once all are parked.
 * can_block: 0 when the coordinator may not sleep on an atomic wait (a browser's main thread),
 * in which case it spins while workers finish. */
void wg_threads_worker_main(int id);
int wg_threads_set_count(int n, int can_block);
/* Address of the failure word: JS in a worker stores 1 there when the worker traps; regions then
 * stop waiting for it and run serially, and JS turns the flag into a WasmgenError. */
int *wg_threads_failure_word(void);
/* How many regions were opened to other threads so far (tests check that threads were used). */
double wg_threads_parallel_regions(void);

#endif
