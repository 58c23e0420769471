// threads.js — loads the threaded core (build/wasmgen-mt.wasm) over one shared WebAssembly.Memory
// and parks N-1 workers in its scheduler (src/threads.c); the calling thread is thread 0.
//
// Each worker instantiates the same compiled module on the same memory, gets its own stack (set
// through the stackRestore export, carved from the heap by the coordinator), and never runs
// _initialize, malloc or anything else with global state: it only calls wg_threads_worker_main,
// which sleeps on a control word until the coordinator opens a parallel region. Results are the
// same bits for any thread count (see src/threads.h), so this is purely a speed choice.
//
//   const why = threadSupport();            // { ok: true } or { ok: false, reason: '...' }
//   const core = await loadThreadedCore({ threads: 2 });
//   core.threads  // 2;  core.threadNote  // 'wasmgen-mt.wasm, 2 threads'
//
// Browsers (and bundlers, which follow the literal URLs) get module workers of thread-worker.js and
// the wasm file named by build/wasmgen-mt-url.js. Nothing here imports node: modules: the Node entry
// (wasm/node.js) installs a host with setThreadHost that starts node:worker_threads workers of
// thread-worker-node.js; they are unref'd once parked, so they never keep the process alive. An
// error or trap in a worker sets the failure word; the coordinator stops waiting for that worker,
// and the next return from any export throws a WasmgenError naming the worker's error.

import { Core, WasmgenError } from './core.js';
import { readBytes } from './files.js';
import wasmgenMtWasmUrl from '../build/wasmgen-mt-url.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
const STACK_BYTES = 512 * 1024;          // per worker; kernels keep only small tiles on the stack
const PAGES_INITIAL = 256;               // 16 MiB, as -sINITIAL_MEMORY in build.sh
const PAGES_MAXIMUM = 32768;             // 2 GiB, as -sMAXIMUM_MEMORY
const ERROR_BYTES = 1024;

let threadHost = null;

/**
 * Installs how workers start outside browsers (wasm/node.js does this for Node):
 * { startWorker() -> { post, onMessage, onError, unref, terminate }, hardwareThreads() -> n,
 *   configuredThreads() -> n or undefined (a default the user set, e.g. an environment variable) }.
 */
export function setThreadHost(host) { threadHost = host; }

/**
 * The thread count to use when none is given: the host's configured count (Node: the
 * WASMGEN_THREADS environment variable), else the hardware's, at most 4.
 */
export function defaultThreads(cap = 4) {
  const configured = threadHost?.configuredThreads?.();
  if (configured) return configured;
  const n = threadHost?.hardwareThreads?.() ?? globalThis.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(cap, n | 0));
}

/** Whether this context can run the threaded core; `reason` says why not. */
export function threadSupport() {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined')
    return { ok: false, reason: globalThis.crossOriginIsolated === false
      ? 'the page is not cross-origin isolated (it needs COOP/COEP headers)' : 'SharedArrayBuffer is not available here' };
  if (!isNode && globalThis.crossOriginIsolated === false)
    return { ok: false, reason: 'the page is not cross-origin isolated (it needs COOP/COEP headers)' };
  if (isNode ? !threadHost : typeof Worker === 'undefined') {
    return { ok: false, reason: isNode ? "workers need the Node entry here (import 'wasmgen', i.e. wasm/node.js)" : 'workers are not available here' };
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return { ok: false, reason: 'this engine has no shared WebAssembly memory' };
  }
  return { ok: true, reason: '' };
}

/**
 * Imports for one instance: the shared memory, a no-op growth notification, and for the few WASI
 * calls libc may reach, functions that report instead of exiting (workers never reach them).
 */
export function threadImports(module, memory) {
  const env = { memory, emscripten_notify_memory_growth() {} };
  const wasi = {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      const view = new DataView(memory.buffer);
      let text = '', total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view.getUint32(iovs + 8 * i, true), len = view.getUint32(iovs + 8 * i + 4, true);
        text += new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len).slice());
        total += len;
      }
      view.setUint32(nwrittenPtr, total, true);
      console.error(`[wasmgen core] ${text.trimEnd()}`);
      return 0;
    },
    fd_close: () => 0,
    fd_seek: () => 52,
    proc_exit(code) { throw new WasmgenError(`the wasm core stopped (exit ${code}); this is a bug, please report it`, 4); },
  };
  const imports = { env, wasi_snapshot_preview1: wasi };
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind === 'function' && !imports[mod]?.[name]) {
      imports[mod] ??= {};
      imports[mod][name] = () => { throw new WasmgenError(`the wasm core called ${mod}.${name}, which this loader does not provide`, 4); };
    }
  }
  return imports;
}

function startWorker() {
  if (threadHost) return Promise.resolve(threadHost.startWorker());
  const w = new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' });
  return Promise.resolve({
    post: (msg) => w.postMessage(msg),
    onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) => w.addEventListener('error', (e) => { e.preventDefault?.(); fn(e.error ?? new Error(e.message)); }),
    unref: () => {},
    terminate: () => w.terminate(),
  });
}

/**
 * Instantiates build/wasmgen-mt.wasm (or options.wasmModule / wasmBytes / wasmUrl, which must be
 * the threaded build) and starts options.threads - 1 workers. Returns a Core whose every export throws
 * a WasmgenError once a worker has failed.
 */
export async function loadThreadedCore(options = {}) {
  const threads = Math.max(1, Math.min(8, options.threads ?? defaultThreads()));
  // A page's relative URL string resolves against the page, as in core.js; in Node it is a path.
  const url = typeof options.wasmUrl === 'string' && globalThis.location
    ? new URL(options.wasmUrl, globalThis.location.href) : options.wasmUrl;
  const module = options.wasmModule ??
    await WebAssembly.compile(options.wasmBytes ?? await readBytes(url ?? wasmgenMtWasmUrl));
  const memory = new WebAssembly.Memory({ initial: PAGES_INITIAL, maximum: PAGES_MAXIMUM, shared: true });
  const instance = await WebAssembly.instantiate(module, threadImports(module, memory));
  instance.exports._initialize?.();
  const core = new Core(instance);
  core.memory = memory;   // imported, not exported, in the threaded build

  const raw = instance.exports;
  const failureAddr = raw.wg_threads_failure_word();
  const errorText = new SharedArrayBuffer(ERROR_BYTES);
  const failureMessage = () => {
    const bytes = new Uint8Array(errorText);
    let end = bytes.indexOf(0);
    if (end < 0) end = bytes.length;
    return new TextDecoder().decode(bytes.slice(0, end)) || 'unknown error';
  };
  const failed = () => Atomics.load(new Int32Array(memory.buffer, failureAddr, 1), 0) !== 0;
  // Every export checks the failure word on return, so a worker's trap surfaces in the next call.
  const wrapped = {};
  for (const [name, value] of Object.entries(raw)) {
    wrapped[name] = typeof value !== 'function' ? value : (...args) => {
      const result = value(...args);
      if (failed()) throw new WasmgenError(`a wasm worker thread failed: ${failureMessage()}`, 4);
      return result;
    };
  }
  core.exports = wrapped;

  const workers = [];
  try {
    for (let id = 1; id < threads; id++) {
      const stack = core.malloc(STACK_BYTES);
      const stackTop = (stack + STACK_BYTES) & ~15;
      const worker = await startWorker();
      workers.push(worker);
      await new Promise((resolve, reject) => {
        worker.onMessage((msg) => {
          if (msg?.type === 'ready') resolve();
          else if (msg?.type === 'error') reject(new WasmgenError(`wasm worker ${id} failed: ${msg.message}`, 4));
        });
        worker.onError((err) => reject(new WasmgenError(`wasm worker ${id} failed: ${err?.message ?? err}`, 4)));
        worker.post({ module, memory, id, stackTop, failureAddr, errorText });
      });
    }
  } catch (err) {
    for (const w of workers) w.terminate();
    throw err;
  }
  for (const w of workers) w.unref();
  // A browser's main thread may not sleep in an atomic wait; workers and Node may.
  const canBlock = isNode || typeof window === 'undefined' ? 1 : 0;
  raw.wg_threads_set_count(threads, canBlock);
  core.threads = threads;
  core.threadNote = `wasmgen-mt.wasm, ${threads} thread${threads === 1 ? '' : 's'}`;
  core.terminateThreads = () => { for (const w of workers) w.terminate(); workers.length = 0; };
  return core;
}

/**
 * The body of one worker thread (thread-worker.js in browsers, thread-worker-node.js in Node):
 * receives { module, memory, id, stackTop, failureAddr, errorText }, instantiates the shared module
 * on the shared memory, moves its stack pointer to its own region, reports ready and parks in
 * wg_threads_worker_main, which never returns. If anything throws (a trap in a kernel), the message
 * goes to errorText, the failure word is set and the coordinator is woken, so the caller gets a
 * WasmgenError instead of waiting forever.
 */
export async function runThreadWorker(msg, post) {
  const { module, memory, id, stackTop, failureAddr, errorText } = msg;
  try {
    const instance = await WebAssembly.instantiate(module, threadImports(module, memory));
    instance.exports.stackRestore(stackTop);   // never _initialize: the coordinator did it once
    post({ type: 'ready' });
    instance.exports.wg_threads_worker_main(id);
  } catch (err) {
    const text = new TextEncoder().encode(`worker ${id}: ${err?.message ?? err}`).slice(0, errorText.byteLength - 1);
    new Uint8Array(errorText).set(text);
    const failure = new Int32Array(memory.buffer, failureAddr, 1);
    Atomics.store(failure, 0, 1);
    Atomics.notify(failure, 0);
    post({ type: 'error', message: String(err?.message ?? err) });
  }
}
