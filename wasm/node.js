// node.js — the package entry in Node (the "node" condition of package.json "exports"): the
// browser entry, wasm/index.js, plus reading files from disk, which Node's fetch cannot do for
// file: URLs, and starting the threaded core's workers with node:worker_threads. Keeping node:
// modules here keeps them out of browser bundles.
//
//   import { init } from 'wasmgen';          // in Node this module; in bundlers wasm/index.js
//   const wg = await init();                 // reads build/wasmgen.wasm from the package folder

import { readFile, access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { setFileAccess } from './files.js';
import { setThreadHost } from './threads.js';
import { WasmgenError } from './core.js';

setFileAccess({
  read: async (location) => {
    try {
      return new Uint8Array(await readFile(location));
    } catch (e) {
      throw new WasmgenError(`cannot read ${location}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, 2);
    }
  },
  exists: async (location) => { try { await access(location); return true; } catch { return false; } },
});

/** WASMGEN_THREADS=N: the default thread count of init() and the CLI (like OMP_NUM_THREADS). */
function configuredThreads() {
  const text = process.env.WASMGEN_THREADS;
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 8)
    throw new WasmgenError(`WASMGEN_THREADS must be an integer from 1 to 8, got "${text}"`, 1);
  return n;
}

setThreadHost({
  hardwareThreads: () => availableParallelism(),
  configuredThreads,
  startWorker() {
    // Node flags that only make sense for the main script (--input-type with -e) stop a worker.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const w = new Worker(new URL('./thread-worker-node.js', import.meta.url), { execArgv });
    return {
      post: (msg) => w.postMessage(msg),
      onMessage: (fn) => w.on('message', fn),
      onError: (fn) => w.on('error', fn),
      unref: () => w.unref(),
      terminate: () => w.terminate(),
    };
  },
});

export * from './index.js';
