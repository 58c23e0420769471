// thread-worker-node.js — one worker thread of the threaded core in Node (node:worker_threads),
// started by the thread host that wasm/node.js installs. The work is runThreadWorker in threads.js;
// browsers use thread-worker.js instead, so browser bundles never reach this file.

import { parentPort } from 'node:worker_threads';
import { runThreadWorker } from './threads.js';

parentPort.once('message', (msg) => runThreadWorker(msg, (m) => parentPort.postMessage(m)));
