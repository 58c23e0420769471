// core.js — loads build/wasmgen.wasm and wraps its C ABI (ints, doubles, pointers) once.
//
// The same module works in Node, pages and workers: it is a standalone wasm file instantiated by
// hand (no Emscripten JS glue), so the only import is the memory-growth notification. Heap views
// are re-created after every call because memory growth replaces the underlying ArrayBuffer.
// The wasm file's URL comes from build/wasmgen-url.js, written literally so bundlers copy it.
//
//   const core = await loadCore();   // or loadCore({ wasmBytes }) / ({ wasmUrl }) / ({ wasmModule })
//   const ptr = core.malloc(16); core.free(ptr);
//   core.check(core.exports.wg_api_model_train(m, ds, 10, 64));   // throws WasmgenError on failure

import wasmgenWasmUrl from '../build/wasmgen-url.js';
import { readBytes } from './files.js';

const STATUS_NAMES = ['ok', 'invalid argument', 'bad format', 'out of memory', 'bad state', 'mismatch'];

/** Error thrown for every failure reported by the C core; `message` is the C message. */
export class WasmgenError extends Error {
  constructor(message, status = 1) {
    super(message);
    this.name = 'WasmgenError';
    this.status = status;
    this.code = STATUS_NAMES[status] ?? 'error';
  }
}

export class Core {
  constructor(instance) {
    this.instance = instance;
    this.exports = instance.exports;
    this.memory = instance.exports.memory;
    this.decoder = new TextDecoder();
    this.encoder = new TextEncoder();
  }

  get u8() { return new Uint8Array(this.memory.buffer); }
  get f32() { return new Float32Array(this.memory.buffer); }
  get f64() { return new Float64Array(this.memory.buffer); }
  get i32() { return new Int32Array(this.memory.buffer); }
  get u32() { return new Uint32Array(this.memory.buffer); }

  malloc(bytes) {
    const p = this.exports.wg_api_malloc(bytes);
    if (!p) throw new WasmgenError(`out of memory: cannot allocate ${bytes} bytes in the wasm heap`, 3);
    return p;
  }
  free(ptr) { if (ptr) this.exports.wg_api_free(ptr); }

  lastError() { return this.readString(this.exports.wg_api_last_error()); }
  /** Throws the C core's last error when `status` is not 0. */
  check(status) {
    if (status !== 0) throw new WasmgenError(this.lastError(), status);
  }
  /** Throws the last error when a handle-returning call gave 0. */
  checkHandle(handle) {
    if (!handle) throw new WasmgenError(this.lastError(), this.exports.wg_api_last_status() || 1);
    return handle;
  }

  readString(ptr) {
    const u8 = this.u8;
    let end = ptr;
    while (u8[end] !== 0) end++;
    return this.decoder.decode(u8.slice(ptr, end));   // a copy: browsers refuse views of shared memory
  }
  /** Copies a JS string into a NUL-terminated heap buffer; the caller frees it. */
  allocString(s) {
    const bytes = this.encoder.encode(s);
    const p = this.malloc(bytes.length + 1);
    this.u8.set(bytes, p);
    this.u8[p + bytes.length] = 0;
    return p;
  }
  allocBytes(bytes) {
    const p = this.malloc(bytes.length);
    this.u8.set(bytes, p);
    return p;
  }
  /** Runs fn(ptr) with a temporary heap buffer of `bytes`, freeing it afterwards. */
  withBuffer(bytes, fn) {
    const p = this.malloc(bytes);
    try { return fn(p); } finally { this.free(p); }
  }
  /**
   * Runs fn(heap) where heap.malloc / heap.string / heap.bytes / heap.floats allocate buffers
   * that are all freed when fn returns or throws — also when a later allocation fails.
   *   core.scoped((heap) => { const x = heap.floats(data); const out = heap.malloc(n * 4); ... });
   */
  scoped(fn) {
    const owned = [];
    const own = (p) => { owned.push(p); return p; };
    const heap = {
      malloc: (bytes) => own(this.malloc(bytes)),
      string: (s) => own(this.allocString(s)),
      bytes: (b) => own(this.allocBytes(b)),
      floats: (a) => { const p = own(this.malloc(a.length * 4)); this.f32.set(a, p >> 2); return p; },
    };
    try { return fn(heap); } finally { for (const p of owned) this.free(p); }
  }
  heapBytes() { return this.memory.buffer.byteLength; }
}

/**
 * The few WASI calls libc may reach (an assert in a third-party header, say): text written to
 * stdout/stderr goes to the console, and an exit becomes an exception instead of a dead tab.
 */
function wasiStubs(getMemory) {
  const ENOSYS = 52;
  return {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      const view = new DataView(getMemory().buffer);
      let text = '', total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view.getUint32(iovs + 8 * i, true), len = view.getUint32(iovs + 8 * i + 4, true);
        text += new TextDecoder().decode(new Uint8Array(getMemory().buffer, ptr, len));
        total += len;
      }
      view.setUint32(nwrittenPtr, total, true);
      if (fd === 1 || fd === 2) console.error(`[wasmgen core] ${text.trimEnd()}`);
      return 0;
    },
    fd_close: () => 0,
    fd_seek: () => ENOSYS,
    proc_exit(code) { throw new WasmgenError(`the wasm core stopped (exit ${code}); this is a bug, please report it`, 4); },
  };
}

let cached = null;

/**
 * A page's relative URL resolves against the page (or worker) location; in Node a string is a
 * path. (Not against import.meta.url: bundlers replace that with the build machine's path.)
 */
const resolveUrl = (url) => (typeof url === 'string' && globalThis.location ? new URL(url, globalThis.location.href) : url);

/**
 * Instantiates the wasm core. Options: `wasmModule` (a compiled WebAssembly.Module), `wasmBytes`
 * (ArrayBuffer/Uint8Array), `wasmUrl` (URL, or a string relative to the page; a path in Node),
 * else build/wasmgen.wasm of this package. Reuses one instance unless `fresh` or one of those
 * options is given.
 */
export async function loadCore(options = {}) {
  const ownSource = options.wasmModule || options.wasmBytes || options.wasmUrl;
  if (cached && !options.fresh && !ownSource) return cached;
  if (options.wasmModule && !(options.wasmModule instanceof WebAssembly.Module)) {
    throw new WasmgenError('loadCore: wasmModule must be a WebAssembly.Module (use wasmBytes for bytes)', 1);
  }
  const source = options.wasmModule ?? options.wasmBytes ?? await readBytes(options.wasmUrl ? resolveUrl(options.wasmUrl) : wasmgenWasmUrl);
  let memory = null;
  const imports = { env: { emscripten_notify_memory_growth() {} }, wasi_snapshot_preview1: wasiStubs(() => memory) };
  // instantiate() answers a Module with an Instance, and bytes with { module, instance }.
  const made = await WebAssembly.instantiate(source, imports);
  const instance = made instanceof WebAssembly.Instance ? made : made.instance;
  memory = instance.exports.memory;
  instance.exports._initialize?.();
  const core = new Core(instance);
  if (!options.fresh && !ownSource) cached = core;
  return core;
}
