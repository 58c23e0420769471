// thread-worker.js — one worker thread of the threaded core (started by wasm/threads.js).
//
// Receives { module, memory, id, stackTop, failureAddr, errorText }, instantiates the shared
// module on the shared memory, moves its stack pointer to its own region, reports ready and parks
// in wg_threads_worker_main, which never returns. If anything throws (a trap in a kernel), the
// message goes to errorText, the failure word is set and the coordinator is woken, so the caller
// gets a WasmgenError instead of waiting forever.

import { threadImports } from './threads.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

async function run(msg, post) {
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

if (isNode) {
  const { parentPort } = await import('node:worker_threads');
  parentPort.once('message', (msg) => run(msg, (m) => parentPort.postMessage(m)));
} else {
  self.addEventListener('message', (e) => run(e.data, (m) => self.postMessage(m)), { once: true });
}
