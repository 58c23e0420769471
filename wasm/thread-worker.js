// thread-worker.js — one worker thread of the threaded core in a browser, started by wasm/threads.js
// as new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' }) (a form bundlers
// follow). The work is runThreadWorker in threads.js; Node uses thread-worker-node.js instead.

import { runThreadWorker } from './threads.js';

self.addEventListener('message', (e) => runThreadWorker(e.data, (m) => self.postMessage(m)), { once: true });
