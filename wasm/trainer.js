// trainer.js — run a model in a module Web Worker (worker.js) from an app or page: the same
// operations as Model (train with progress, pause, resume, stop; sample, save, load) plus data
// loading and the image tools, as promises. The worker owns the wasm core, so training never blocks
// the page. If the worker dies (a wasm trap, a failed load), pending calls reject with
// `workerLost`, a fresh worker starts and onRestart tells the app to set it up again.
//
//   import { createTrainer } from 'wasmgen/worker';
//   const trainer = createTrainer({ onProgress: (p) => console.log(p.step, p.losses) });
//   await trainer.init();
//   await trainer.loadDataset('mnist');
//   await trainer.createModel({ model: 'vae', latent: 8, seed: 1 });
//   await trainer.train({ steps: 200, batch: 64 });
//   const grid = await trainer.sampleGrid(16, { seed: 7 });   // RGBA { width, height, data } for a canvas
//   ctx.putImageData(new ImageData(grid.data, grid.width, grid.height), 0, 0);

/** The worker, started literally as bundlers expect (so Vite and webpack copy worker.js). */
function startWorker() {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

export class Trainer {
  #handlers;
  #nextId = 1;
  #pending = new Map();
  #trainProgress = null;   // onProgress of the train() call running, if any

  constructor(handlers = {}) {
    this.#handlers = handlers;
    this.#start();
  }

  #start() {
    this.worker = startWorker();
    this.worker.addEventListener('message', ({ data }) => this.#receive(data));
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.restart(e.message || 'the worker script failed to load or threw outside a request');
    });
    this.worker.addEventListener('messageerror', () => this.restart('a message from the worker could not be read'));
  }

  #receive(data) {
    if (data.event) {
      const { event, ...rest } = data;
      if (event === 'progress') { this.#handlers.onProgress?.(rest); this.#trainProgress?.(rest); }
      if (event === 'views') this.#handlers.onViews?.(rest);
      if (event === 'loading') this.#handlers.onLoading?.(rest);
      if (event === 'quality') this.#handlers.onQuality?.(rest);
      this.#handlers.onEvent?.(data);
      return;
    }
    const entry = this.#pending.get(data.id);
    if (!entry) return;
    this.#pending.delete(data.id);
    if (data.ok) { entry.resolve(data.value); return; }
    entry.reject(new Error(data.error.message));
    if (data.error.fatal) this.restart(`the wasm core crashed (${data.error.message})`);
  }

  /** Sends one request of the worker protocol (worker.js) and resolves with its reply. */
  request(type, args = {}, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...args }, transfer);
    });
  }

  /**
   * Loads the wasm core in the worker: the threaded build with `threads` (default: the device's
   * cores, at most 4) when the page is cross-origin isolated, else the single-thread one; resolves
   * to { simd, threads, whyOneThread, families } (families: the core's registry of model families
   * and presets). `wasmUrl` / `threadedWasmUrl` (relative to the page) load either build from
   * elsewhere.
   */
  init({ wasmUrl, threadedWasmUrl, threads } = {}) {
    // Resolved here: the worker's own location is the bundle's asset folder, not the page.
    const args = {};
    if (wasmUrl) args.wasmUrl = new URL(wasmUrl, location.href).href;
    if (threadedWasmUrl) args.threadedWasmUrl = new URL(threadedWasmUrl, location.href).href;
    if (threads !== undefined) args.threads = threads;
    return this.request('init', args);
  }

  /**
   * Built-in data ('mnist', or 'fashion' from `baseUrl'; one class of them as 'mnist:3',
   * 'fashion:7'); resolves to its description and thumbnails. Every loader takes `domain`: 'a'
   * (default) is the training data, 'b' the second domain of a two-domain model (CycleGAN).
   */
  loadDataset(name, { split, baseUrl, domain } = {}) {
    return this.request('loadDataset', { name, split, domain, baseUrl: baseUrl === undefined ? undefined : new URL(baseUrl, location.href).href });
  }
  loadIdxDataset(images, labels = null, name, { domain } = {}) { return this.request('loadIdxDataset', { images, labels, name, domain }); }
  /** Own image files (File/Blob or { name, bytes }); unusable ones are listed in `skipped`. */
  loadImageFiles(files, { size, channels, name, domain } = {}) { return this.request('loadFiles', { files, size, channels, name, domain }); }

  createModel(config) { return this.request('newModel', { config }); }
  /** A checkpoint from save(); its bytes are transferred to the worker. */
  loadModel(bytes) {
    const buffer = bytes instanceof ArrayBuffer ? bytes : bytes.slice().buffer;
    return this.request('loadCheckpoint', { bytes: buffer }, [buffer]);
  }
  /** The checkpoint as safetensors bytes. */
  async save() { return new Uint8Array((await this.request('saveCheckpoint')).bytes); }
  /**
   * The model's generator as ONNX bytes (exportOnnx in onnx.js); a translating model's for one
   * `direction` ('ab': G_AB, 'ba': G_BA). Rejects with exportOnnx's error when it cannot export.
   */
  async exportOnnx({ direction } = {}) { return new Uint8Array((await this.request('exportOnnx', { direction })).bytes); }
  /** What the worker holds: { families, model, dataset, training, paused }. */
  info() { return this.request('info'); }

  /**
   * Trains `steps` (or `epochs`) and resolves when they are done or stop() was called, to
   * { step, done, stopped }. Progress goes to `onProgress` here and to createTrainer's.
   * `views: false` leaves out the sample grids sent to onViews about once a second; `quality:
   * false` the sample-quality measurements sent to onQuality every few seconds (quality.js).
   */
  async train({ steps, epochs, batch, views, quality, onProgress } = {}) {
    this.#trainProgress = onProgress ?? null;
    try {
      return await this.request('train', { steps, epochs, batch, views, quality });
    } finally {
      this.#trainProgress = null;
    }
  }
  pause() { return this.request('pause'); }
  resume() { return this.request('resume'); }
  stop() { return this.request('stop'); }

  /**
   * n images { data: Float32Array (n, C, H, W) in [0, 1], n, channels, height, width }; conditional
   * models need `labels` (one class, or one per image), as Model.sample.
   */
  sample(n, { seed = 0, labels, truncation } = {}) { return this.request('sample', { n, seed, labels, truncation }); }
  /** n samples as one RGBA grid { width, height, data: Uint8ClampedArray } ready for a canvas. */
  sampleGrid(n, { seed = 0, cols, labels, truncation } = {}) { return this.request('sample', { n, seed, labels, truncation, grid: { cols } }); }
  /** Images from latent vectors; `labels` or `classWeights` (n * classes) for conditional models. */
  decode(z, { labels, classWeights } = {}) { return this.request('decode', { z, labels, classWeights }); }
  /** decode() as one RGBA grid (all in one row unless `cols`). */
  decodeGrid(z, { labels, classWeights, cols } = {}) { return this.request('decode', { z, labels, classWeights, grid: { cols } }); }
  encode(images, { labels } = {}) { return this.request('encode', { images, labels }); }
  /** Classifiers: { probs, labels } for images (Float32Array n * C*H*W in [0, 1]). */
  classify(images) { return this.request('classify', { images }); }
  evaluate({ limit = 0 } = {}) { return this.request('evaluate', { limit }); }
  /**
   * Measures sample quality now (FID, KID, classes, conditional accuracy of 500 samples against the
   * shipped reference of the model's data); resolves to the 'quality' event it also sends.
   */
  measureQuality() { return this.request('quality'); }

  /**
   * Image tools (image-tools.js): put an image into slot 0 (A) or 1 (B), from the loaded data
   * ({ kind: 'dataset', index }) or a file ({ kind: 'file', name, bytes }); then run a tool
   * ('transform', 'augment', 'blend', 'inpaint', 'denoise', 'interpolate', 'translate' with
   * { direction: 'ab' | 'ba' }) on them.
   */
  setToolSource(slot, source, transfer = []) { return this.request('toolSource', { slot, source }, transfer); }
  runTool(tool, options = {}, mask = null) { return this.request('tool', { tool, options, mask }); }
  /**
   * Asks for the views event now, and sets what the views show: the interpolation's two seeds,
   * `sampleClass` (conditional models: null = one row per class, or one class for the whole grid),
   * `latentDimension` (the dimension the latent strip sweeps) and `classPair` ([a, b], the classes
   * the class interpolation moves between with z fixed). Settings stay until changed.
   */
  requestViews({ interpolationSeeds, sampleClass, latentDimension, classPair } = {}) {
    return this.request('views', { interpolationSeeds, sampleClass, latentDimension, classPair });
  }

  /** Replaces the worker: everything it held (data, model) is gone. */
  restart(reason) {
    this.worker.terminate();
    const lost = [...this.#pending.values()];
    this.#pending.clear();
    this.#trainProgress = null;
    for (const entry of lost) entry.reject(Object.assign(new Error(`the training worker stopped: ${reason}`), { workerLost: true }));
    this.#start();
    this.#handlers.onRestart?.(reason);
  }

  terminate() {
    this.worker.terminate();
    for (const entry of this.#pending.values()) entry.reject(Object.assign(new Error('the trainer was terminated'), { workerLost: true }));
    this.#pending.clear();
  }
}

/** A Trainer with its worker started; call init() before anything else. */
export function createTrainer(handlers = {}) {
  return new Trainer(handlers);
}
