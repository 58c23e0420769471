// worker-client.js — the page's side of the worker protocol (see worker.js): numbered requests
// that resolve or reject with the worker's reply, events passed to a callback, and recovery when
// the worker dies ('error', 'messageerror' or a trapped wasm instance): pending requests are
// rejected, a fresh worker is started and onRestart tells the page to set it up again.
//
//   const client = new WorkerClient(new URL('./worker.js', import.meta.url), { onEvent, onRestart });
//   const info = await client.request('loadBuiltin', { name: 'mnist' });

export class WorkerClient {
  constructor(url, { onEvent, onRestart }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onRestart = onRestart;
    this.nextId = 1;
    this.pending = new Map();
    this.#start();
  }

  #start() {
    this.worker = new Worker(this.url, { type: 'module' });
    this.worker.addEventListener('message', ({ data }) => this.#receive(data));
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.restart(e.message || 'the worker script failed to load or threw outside a request');
    });
    this.worker.addEventListener('messageerror', () => this.restart('a message from the worker could not be read'));
  }

  #receive(data) {
    if (data.event) { this.onEvent(data); return; }
    const entry = this.pending.get(data.id);
    if (!entry) return;
    this.pending.delete(data.id);
    if (data.ok) { entry.resolve(data.value); return; }
    const error = new Error(data.error.message);
    entry.reject(error);
    if (data.error.fatal) this.restart(`the wasm core crashed (${data.error.message})`);
  }

  /** Sends { type, ...args } and resolves with the reply's value (rejects with its error). */
  request(type, args = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...args }, transfer);
    });
  }

  /** Replaces the worker: everything it held (data, model) is gone. */
  restart(reason) {
    this.worker.terminate();
    const lost = [...this.pending.values()];
    this.pending.clear();
    for (const entry of lost) entry.reject(Object.assign(new Error(`the training worker stopped: ${reason}`), { workerLost: true }));
    this.#start();
    this.onRestart(reason);
  }
}
