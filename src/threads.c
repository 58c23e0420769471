/* threads.c — the pool behind wg_parallel_for (see threads.h for the contract).
 *
 * One region at a time, coordinated through a few atomic words:
 *   gen   region generation; odd while the coordinator sets a region up, even while it is open;
 *   busy  workers currently inside a region (they may read the region's description);
 *   part  per thread: the next unclaimed tile of its share;  done  tiles finished.
 * Claiming: the tiles are cut into one contiguous share per thread (thread t gets the t-th share),
 * and a thread takes its own share first, in order, then helps with the others'. With 2 threads,
 * thread 0 computes the first half of every region and thread 1 the second, so the rows a thread
 * wrote in one region are mostly the rows it reads in the next: they are still in its own core's
 * cache. Who computes a tile still never changes what the tile computes.
 * The coordinator makes gen odd, waits until busy is 0, writes the description, resets the
 * counters, makes gen even and wakes the workers. A worker increments busy and then re-reads gen:
 * either it still sees the open generation (then the coordinator cannot rewrite the description
 * until it leaves), or it backs off. All atomics are sequentially consistent, which is what makes
 * this store-then-load handshake safe.
 * Sleeping: Linux futexes natively, memory.atomic.wait32/notify in wasm. Workers sleep on gen; the
 * coordinator spins briefly on done, then sleeps with a short timeout (or keeps spinning where it
 * may not block: a browser's main thread).
 */
#define _GNU_SOURCE   /* syscall() for futexes under -std=c11 */
#include "threads.h"
#include <stdatomic.h>
#include <stddef.h>

#if defined(__wasm__)
#  if defined(__wasm_atomics__)
#    define WG_POOL 1
#  else
#    define WG_POOL 0
#  endif
#elif defined(__linux__)
#  define WG_POOL 1
#  include <linux/futex.h>
#  include <pthread.h>
#  include <sys/syscall.h>
#  include <time.h>
#  include <unistd.h>
#else
#  define WG_POOL 0
#endif

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define WG_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define WG_EXPORT
#endif

static struct {
  atomic_int gen, busy, done, failed, stop;
  struct { _Alignas(64) atomic_int next; int end; } part[WG_MAX_THREADS];   /* own cache lines */
  int nparts;          /* shares of the open region: the thread count when it opened */
  int ntiles;          /* region description: written only while gen is odd and busy is 0 */
  wg_tile_fn fn;
  void *ctx;
  atomic_int count;    /* threads taking part, coordinator included */
  int can_block;       /* the coordinator may sleep in a wait */
  int in_region;       /* coordinator only: a nested region runs serially */
  double regions;      /* coordinator only: regions opened to the workers (tests read it) */
} wg__pool = {.count = 1, .can_block = 1};

int wg_threads_count(void) { return atomic_load(&wg__pool.count); }
WG_EXPORT int *wg_threads_failure_word(void) { return (int *)&wg__pool.failed; }
WG_EXPORT double wg_threads_parallel_regions(void) { return wg__pool.regions; }

static void wg__serial(int ntiles, wg_tile_fn fn, void *ctx) {
  for (int t = 0; t < ntiles; t++) fn(ctx, t, 0);
}

typedef struct { size_t n, chunk; wg_range_fn fn; void *ctx; } wg__range_job;

static void wg__range_tile(void *ctx, int tile, int thread) {
  (void)thread;
  const wg__range_job *j = ctx;
  size_t lo = (size_t)tile * j->chunk, hi = lo + j->chunk < j->n ? lo + j->chunk : j->n;
  j->fn(j->ctx, lo, hi);
}

void wg_parallel_range(size_t n, size_t chunk, wg_range_fn fn, void *ctx) {
  if (n == 0) return;
  if (chunk == 0 || n <= chunk) { fn(ctx, 0, n); return; }
  wg__range_job job = {n, chunk, fn, ctx};
  wg_parallel_for((int)((n + chunk - 1) / chunk), wg__range_tile, &job);
}

#if WG_POOL

#if defined(__wasm__)
/* How long a thread polls before it sleeps: after a region (SPIN_IDLE, workers) and while the
 * last tiles finish (SPIN_DONE, the coordinator). Waking a sleeping thread costs tens of
 * microseconds, and training opens hundreds of regions per step with short serial gaps between
 * them, so a thread that sleeps in every gap arrives late to every region. wasm has no pause
 * instruction, so an iteration is a few nanoseconds: 2,000,000 polls measured about 10 ms of
 * CPU after the work ends (Node 20, this 2-core VM; so 4,000 polled for about 0.02 ms), and made
 * the MLP GAN at 2 threads about 10% faster (68.6 -> 61.6 ms per step, interleaved rounds). */
enum { SPIN_IDLE = 2000000, SPIN_DONE = 2000000 };
static inline void wg__pause(void) {}
/* Sleeps while *w == v, at most timeout_ns (< 0: no limit). */
static void wg__wait(atomic_int *w, int v, long long timeout_ns) {
  __builtin_wasm_memory_atomic_wait32((int *)w, v, timeout_ns);
}
static void wg__wake(atomic_int *w) { __builtin_wasm_memory_atomic_notify((int *)w, ~0u); }
#else
/* Natively each poll is a pause instruction (about 40 ns on recent x86), so these spins last about
 * 0.2 ms and 1 ms. */
enum { SPIN_IDLE = 4000, SPIN_DONE = 20000 };
static inline void wg__pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
static void wg__wait(atomic_int *w, int v, long long timeout_ns) {
  struct timespec ts = {(time_t)(timeout_ns / 1000000000), (long)(timeout_ns % 1000000000)};
  syscall(SYS_futex, (int *)w, FUTEX_WAIT_PRIVATE, v, timeout_ns < 0 ? NULL : &ts, NULL, 0);
}
static void wg__wake(atomic_int *w) {
  syscall(SYS_futex, (int *)w, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
}
#endif

/* Claims and runs tiles of the open region until none is left: its own share first, then the
 * following threads' shares. A tile index is claimed by the fetch_add that returns it, so each
 * tile runs exactly once. */
static void wg__run_tiles(int thread) {
  int n = wg__pool.ntiles, parts = wg__pool.nparts;
  for (int k = 0; k < parts; k++) {
    int p = (thread + k) % parts;
    for (;;) {
      int t = atomic_fetch_add(&wg__pool.part[p].next, 1);
      if (t >= wg__pool.part[p].end) break;
      wg__pool.fn(wg__pool.ctx, t, thread);
      if (atomic_fetch_add(&wg__pool.done, 1) + 1 == n) wg__wake(&wg__pool.done);
    }
  }
}

static void wg__worker_loop(int id) {
  int seen = 0;
  for (;;) {
    if (atomic_load(&wg__pool.stop)) return;
    int g = atomic_load(&wg__pool.gen);
    if (g == seen || (g & 1)) {   /* nothing new, or a region being set up: spin, then sleep */
      int spins = 0;
      while (atomic_load(&wg__pool.gen) == g && spins++ < SPIN_IDLE) wg__pause();
      if (atomic_load(&wg__pool.gen) == g) wg__wait(&wg__pool.gen, g, -1);
      continue;
    }
    atomic_fetch_add(&wg__pool.busy, 1);
    if (atomic_load(&wg__pool.gen) == g) {
      seen = g;
      if (id < atomic_load(&wg__pool.count)) wg__run_tiles(id);
    }
    atomic_fetch_sub(&wg__pool.busy, 1);
  }
}

void wg_parallel_for(int ntiles, wg_tile_fn fn, void *ctx) {
  if (ntiles <= 0) return;
  if (atomic_load(&wg__pool.count) <= 1 || ntiles == 1 || wg__pool.in_region || atomic_load(&wg__pool.failed)) {
    wg__serial(ntiles, fn, ctx);
    return;
  }
  wg__pool.in_region = 1;
  wg__pool.regions += 1;
  int g = atomic_load(&wg__pool.gen) + 1;   /* odd: closed */
  atomic_store(&wg__pool.gen, g);
  while (atomic_load(&wg__pool.busy) != 0) {   /* a worker still leaving the previous region */
    if (atomic_load(&wg__pool.failed)) {   /* it trapped inside: it will never leave */
      atomic_store(&wg__pool.gen, g + 1);
      wg__pool.in_region = 0;
      wg__serial(ntiles, fn, ctx);
      return;
    }
    wg__pause();
  }
  wg__pool.ntiles = ntiles;
  wg__pool.fn = fn;
  wg__pool.ctx = ctx;
  int parts = atomic_load(&wg__pool.count);
  for (int p = 0; p < parts; p++) {
    atomic_store(&wg__pool.part[p].next, (int)((long long)ntiles * p / parts));
    wg__pool.part[p].end = (int)((long long)ntiles * (p + 1) / parts);
  }
  wg__pool.nparts = parts;
  atomic_store(&wg__pool.done, 0);
  atomic_store(&wg__pool.gen, g + 1);   /* even: open */
  wg__wake(&wg__pool.gen);
  wg__run_tiles(0);
  int spins = 0;
  for (;;) {
    int d = atomic_load(&wg__pool.done);
    if (d >= ntiles || atomic_load(&wg__pool.failed)) break;
    if (spins++ < SPIN_DONE || !wg__pool.can_block) wg__pause();
    else wg__wait(&wg__pool.done, d, 1000000);   /* 1 ms: rechecks the failure word */
  }
  wg__pool.in_region = 0;
}

#if !defined(__wasm__)
static pthread_t wg__threads[WG_MAX_THREADS];
static int wg__n_started;

static void *wg__pthread_main(void *arg) {
  wg__worker_loop((int)(size_t)arg);
  return NULL;
}

void wg_threads_stop(void) {
  if (!wg__n_started) return;
  atomic_store(&wg__pool.stop, 1);
  atomic_fetch_add(&wg__pool.gen, 2);   /* keeps the parity; wakes the sleepers */
  wg__wake(&wg__pool.gen);
  for (int i = 0; i < wg__n_started; i++) pthread_join(wg__threads[i], NULL);
  wg__n_started = 0;
  atomic_store(&wg__pool.count, 1);
  atomic_store(&wg__pool.busy, 0);
  atomic_store(&wg__pool.stop, 0);
}

int wg_threads_start(int n) {
  wg_threads_stop();
  if (n < 1) n = 1;
  if (n > WG_MAX_THREADS) n = WG_MAX_THREADS;
  atomic_store(&wg__pool.count, n);
  for (int i = 1; i < n; i++) {
    if (pthread_create(&wg__threads[wg__n_started], NULL, wg__pthread_main, (void *)(size_t)i) != 0) break;
    wg__n_started++;
  }
  atomic_store(&wg__pool.count, wg__n_started + 1);   /* fewer if the system refused some */
  return wg__n_started + 1;
}
void wg_threads_worker_main(int id) { (void)id; }
int wg_threads_set_count(int n, int can_block) { (void)can_block; return wg_threads_start(n); }
#else
void wg_threads_stop(void) {}
int wg_threads_start(int n) { (void)n; return atomic_load(&wg__pool.count); }
WG_EXPORT void wg_threads_worker_main(int id) { wg__worker_loop(id); }
WG_EXPORT int wg_threads_set_count(int n, int can_block) {
  if (n < 1) n = 1;
  if (n > WG_MAX_THREADS) n = WG_MAX_THREADS;
  atomic_store(&wg__pool.count, n);
  wg__pool.can_block = can_block;
  return n;
}
#endif

#else   /* no threads in this build: every region runs on the caller */

void wg_parallel_for(int ntiles, wg_tile_fn fn, void *ctx) { wg__serial(ntiles, fn, ctx); }
int wg_threads_start(int n) { (void)n; return 1; }
void wg_threads_stop(void) {}
WG_EXPORT void wg_threads_worker_main(int id) { (void)id; }
WG_EXPORT int wg_threads_set_count(int n, int can_block) { (void)n; (void)can_block; return 1; }

#endif
