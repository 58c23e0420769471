// model.js — a trained-or-training model (generative, or a classifier) living in the wasm core.
//
// What a model is and can do comes from the core's describe(): family, roles of its nets, loss
// names and chart groups, capabilities (sample, encode, classes, classify, ...), sizes and every
// layer's output shape. Nothing here asks for a family by name.
//
//   const model = createModel(core, { model: 'vae', latent: 20, seed: 1 });
//   await model.train(dataset, { steps: 500, batch: 64, onProgress: (p) => console.log(p) });
//   const { data } = model.sample(16, { seed: 7 });      // Float32Array (16, C, H, W) in [0, 1]
//   const bytes = model.save();                          // safetensors Uint8Array
//   model.dispose();

import { WasmgenError } from './core.js';

function checkCount(name, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WasmgenError(`${name} must be a whole number in [${min}, ${max}], got ${value}`, 1);
  }
}

/** Checks the config's numbers before JSON.stringify would silently turn NaN/Infinity into null. */
function checkFinite(obj, path = 'config') {
  if (typeof obj === 'number' && !Number.isFinite(obj)) {
    throw new WasmgenError(`${path} must be a finite number, got ${obj}`, 1);
  }
  if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) checkFinite(v, `${path}.${k}`);
  }
}

const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

export class Model {
  constructor(core, handle) {
    this.core = core;
    this.handle = handle;
    this.config = JSON.parse(core.readString(core.exports.wg_api_model_config(handle)));
    /** What the model is and can do (see describe() in the README). */
    this.description = JSON.parse(core.readString(core.exports.wg_api_model_describe(handle)));
    const d = this.description;
    this.family = d.family;
    this.preset = d.preset;
    /** @deprecated the family name ('gan', 'vae', 'cgan', ...); ask `capabilities` instead. */
    this.kind = d.family;
    this.height = d.height; this.width = d.width; this.channels = d.channels;
    this.latent = d.latent; this.classes = d.classes;
    this.capabilities = d.capabilities;
    this.roles = d.nets.map((net) => net.role);
    this.lossNames = d.losses.map((l) => l.name);
    /** Parameter count of each net, in role order. */
    this.parameterCounts = d.nets.map((net) => net.params);
  }

  /** Loss names grouped for charts: { loss: ['d_loss', 'g_loss'], 'D output': [...] }. */
  get lossGroups() {
    const groups = {};
    for (const { name, group } of this.description.losses) (groups[group] ??= []).push(name);
    return groups;
  }

  #live() {
    if (!this.handle) throw new WasmgenError('this model was disposed', 4);
    return this.handle;
  }

  get imageSize() { return this.height * this.width * this.channels; }
  get step() { return this.core.exports.wg_api_model_step(this.#live()); }
  get epoch() { return this.core.exports.wg_api_model_epoch(this.#live()); }
  /** Peak bytes of the per-step activation arena (a lower bound of training memory). */
  get arenaPeakBytes() { return this.core.exports.wg_api_model_arena_peak(this.#live()); }

  /**
   * The divergence guard: steps skipped for non-finite losses/gradients, roll-backs to the last
   * good snapshot, and the current learning rate (halved by each roll-back).
   */
  get guard() {
    const core = this.core;
    return core.withBuffer(32, (p) => {
      core.exports.wg_api_model_guard(this.#live(), p);
      const f64 = core.f64;
      return { skipped: f64[p >> 3], rollbacks: f64[(p >> 3) + 1], lr: f64[(p >> 3) + 2], badStreak: f64[(p >> 3) + 3] };
    });
  }

  /** Losses of the last step, by name (lossNames: e.g. d_loss, g_loss, d_real, d_fake for a GAN). */
  get losses() {
    const p = this.core.exports.wg_api_model_losses(this.#live()) >> 2;
    const f32 = this.core.f32;
    return Object.fromEntries(this.lossNames.map((name, i) => [name, f32[p + i]]));
  }

  /** Identity of the data this model trains on ("mnist-train:8337"); saved in checkpoints. */
  get datasetId() { return this.core.readString(this.core.exports.wg_api_model_dataset(this.#live())); }

  /**
   * Runs `steps` training steps synchronously (no progress, no yielding). A model keeps training
   * on the data it started with: another dataset is refused unless `allowNewData` (the data order
   * then starts afresh, so resuming is no longer bit-identical to an uninterrupted run).
   */
  trainSteps(dataset, steps, batch = 64, { allowNewData = false, datasetB } = {}) {
    checkCount('steps', steps, 0, 2 ** 31 - 1);
    checkCount('batch', batch, 2, 4096);
    if (!dataset?.handle) throw new WasmgenError('train: the dataset was disposed or is missing', 1);
    const two = this.capabilities.two_domains;
    if (two && !datasetB?.handle) throw new WasmgenError(`train: a ${this.preset} model translates between two domains: give datasetB (domain B) beside the dataset (domain A)`, 1);
    if (!two && datasetB) throw new WasmgenError(`train: a ${this.preset} model trains on one dataset; it takes no datasetB`, 1);
    const id = two ? `${dataset.name}:${dataset.length}+${datasetB.name}:${datasetB.length}` : `${dataset.name}:${dataset.length}`;
    const current = this.datasetId;
    if (current && current !== id && !allowNewData) {
      throw new WasmgenError(`train: this model was trained on ${current}, not ${id}; use the same data to continue (or allowNewData)`, 5);
    }
    if (current !== id) {
      const p = this.core.allocString(id);
      try { this.core.exports.wg_api_model_set_dataset(this.handle, p); } finally { this.core.free(p); }
    }
    if (two) this.core.check(this.core.exports.wg_api_model_train2(this.#live(), dataset.handle, datasetB.handle, steps, batch));
    else this.core.check(this.core.exports.wg_api_model_train(this.#live(), dataset.handle, steps, batch));
  }

  /**
   * Trains for `steps` (or `epochs` over the dataset) in chunks, calling onProgress after each
   * chunk and yielding to the event loop so callers stay responsive and can stop via `signal`.
   * onGuard({ skipped, rollbacks, lr }) is called when the divergence guard skipped steps or
   * rolled back during a chunk. `chunkMs` instead sizes chunks by measured speed to take about that
   * long each (a worker that must answer pause/stop promptly). Resolves to the final progress record.
   */
  async train(dataset, { steps, epochs, batch = 64, chunkSteps, chunkMs, onProgress, onGuard, signal, allowNewData = false, datasetB } = {}) {
    checkCount('batch', batch, 2, 4096);
    if (!dataset?.handle) throw new WasmgenError('train: the dataset was disposed or is missing', 1);
    if (steps === undefined && epochs === undefined) steps = 1000;
    if (epochs !== undefined) {
      if (!(epochs > 0 && Number.isFinite(epochs))) throw new WasmgenError(`epochs must be a positive number, got ${epochs}`, 1);
      steps = Math.max(1, Math.round((epochs * dataset.length) / batch));
    }
    checkCount('steps', steps, 0, 2 ** 31 - 1);
    if (chunkMs !== undefined && !(chunkMs > 0 && Number.isFinite(chunkMs))) throw new WasmgenError(`chunkMs must be a positive number, got ${chunkMs}`, 1);
    let chunk = chunkSteps ?? (chunkMs ? 1 : Math.max(1, Math.min(50, Math.round(4096 / batch))));
    const start = performance.now();
    const startStep = this.step;
    let done = 0;
    let progress = this.#progress(0, steps, batch, start);
    while (done < steps) {
      if (signal?.aborted) break;
      const n = Math.min(chunk, steps - done);
      const guardBefore = progress.guard;
      const t0 = performance.now();
      this.trainSteps(dataset, n, batch, { allowNewData, datasetB });
      // Steps per chunk follow the measured speed, so a chunk stays near chunkMs.
      if (chunkMs && chunkSteps === undefined) chunk = Math.max(1, Math.min(1000, Math.round(n * chunkMs / Math.max(performance.now() - t0, 1))));
      done += n;
      progress = this.#progress(done, steps, batch, start);
      if (progress.guard.skipped !== guardBefore.skipped || progress.guard.rollbacks !== guardBefore.rollbacks) onGuard?.(progress.guard);
      onProgress?.(progress);
      if (done < steps) await yieldToEventLoop();
    }
    progress.stopped = done < steps;
    progress.startStep = startStep;
    return progress;
  }

  #progress(done, total, batch, start) {
    const seconds = (performance.now() - start) / 1000;
    const imagesPerSec = seconds > 0 ? (done * batch) / seconds : 0;
    const eta = done > 0 ? (seconds / done) * (total - done) : null;
    return { step: this.step, epoch: this.epoch, done, total, batch, seconds, imagesPerSec, eta, losses: this.losses, guard: this.guard };
  }

  /**
   * n images from seeded latent noise: { data: Float32Array (n, C, H, W) in [0, 1], n, channels,
   * height, width }. Conditional models need `labels`: one class per image, or one class for all.
   * `truncation` > 0 redraws latent values beyond it (the truncation trick).
   */
  sample(n, { seed = 0, labels, truncation = 0 } = {}) {
    checkCount('n', n, 1, 65536);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new WasmgenError(`seed must be a whole number >= 0, got ${seed}`, 1);
    if (!(truncation === 0 || (truncation >= 0.05 && truncation <= 10))) throw new WasmgenError(`truncation must be 0 (off) or in [0.05, 10], got ${truncation}`, 1);
    this.#needs('sample', 'sample');
    return this.core.scoped((heap) => {
      const lp = this.#labels(heap, labels, n, 'sample');
      return this.#images(n, (out) => this.core.exports.wg_api_model_sample(this.#live(), n, seed, lp, truncation, out));
    });
  }

  /**
   * Images from given latent vectors z (Float32Array of n * latent); `labels` as for sample(). A
   * conditional model also takes `classWeights` (Float32Array n * classes) in place of labels, e.g.
   * (1 - t) * one-hot(a) + t * one-hot(b) to move between two classes with z held fixed.
   */
  decode(z, { labels, classWeights } = {}) {
    const n = z.length / this.latent;
    if (!Number.isInteger(n) || n < 1) throw new WasmgenError(`decode: z has ${z.length} values, not a multiple of latent size ${this.latent}`, 1);
    this.#needs('sample', 'decode');
    if (classWeights !== undefined) {
      if (labels !== undefined) throw new WasmgenError('decode: give labels or classWeights, not both', 1);
      if (!this.capabilities.classes) throw new WasmgenError(`decode: this ${this.preset} model is not conditional; it takes no class weights`, 1);
      if (classWeights.length !== n * this.classes) throw new WasmgenError(`decode: classWeights has ${classWeights.length} values, not ${n} x ${this.classes} classes`, 1);
      return this.core.scoped((heap) => {
        const zp = heap.floats(z), wp = heap.floats(classWeights);
        return this.#images(n, (out) => this.core.exports.wg_api_model_decode_mixed(this.#live(), zp, wp, n, out));
      });
    }
    return this.core.scoped((heap) => {
      const zp = heap.floats(z), lp = this.#labels(heap, labels, n, 'decode');
      return this.#images(n, (out) => this.core.exports.wg_api_model_decode(this.#live(), zp, lp, n, out));
    });
  }

  /** Models that encode (VAEs): images (Float32Array n * C*H*W in [0, 1]) -> { mu, logvar } (n * latent each). */
  encode(images, { labels } = {}) {
    const n = this.#count(images, 'encode');
    this.#needs('encode', 'encode');
    const core = this.core, len = n * this.latent;
    return core.scoped((heap) => {
      const xp = heap.floats(images), lp = this.#labels(heap, labels, n, 'encode');
      const mp = heap.malloc(len * 4), vp = heap.malloc(len * 4);
      core.check(core.exports.wg_api_model_encode(this.#live(), xp, lp, n, mp, vp));
      return { mu: core.f32.slice(mp >> 2, (mp >> 2) + len), logvar: core.f32.slice(vp >> 2, (vp >> 2) + len) };
    });
  }

  /**
   * Models that translate (CycleGAN): images of one domain (Float32Array n * C*H*W in [0, 1]) ->
   * the other domain's images { data, n, channels, height, width }; direction 'ab' (A to B, the
   * default) or 'ba'.
   */
  translate(images, { direction = 'ab' } = {}) {
    if (direction !== 'ab' && direction !== 'ba') throw new WasmgenError(`translate: direction must be 'ab' or 'ba', got ${JSON.stringify(direction)}`, 1);
    this.#needs('translate', 'translate');
    const n = this.#count(images, 'translate');
    return this.core.scoped((heap) => {
      const xp = heap.floats(images);
      return this.#images(n, (out) => this.core.exports.wg_api_model_translate(this.#live(), xp, n, direction === 'ab' ? 0 : 1, out));
    });
  }

  /** Classifiers: images (Float32Array n * C*H*W in [0, 1]) -> { probs (n * classes), labels (argmax, Int32Array n) }. */
  classify(images) {
    const n = this.#count(images, 'classify');
    this.#needs('classify', 'classify');
    const core = this.core, len = n * this.classes;
    return core.scoped((heap) => {
      const xp = heap.floats(images), pp = heap.malloc(len * 4);
      core.check(core.exports.wg_api_model_classify(this.#live(), xp, n, pp));
      const probs = core.f32.slice(pp >> 2, (pp >> 2) + len), labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < this.classes; c++) if (probs[i * this.classes + c] > probs[i * this.classes + best]) best = c;
        labels[i] = best;
      }
      return { probs, labels };
    });
  }

  /**
   * The family's evaluation over the first `limit` images of a dataset (all when 0), in eval mode:
   * VAEs { loss, recon, kl } (mean per image, BCE + KL); classifiers { loss, accuracy }.
   */
  evaluate(dataset, { limit = 0 } = {}) {
    const names = this.description.eval;
    if (!names.length) throw new WasmgenError(`evaluate: a ${this.preset} model has no evaluation loss (VAEs and classifiers do)`, 4);
    if (!dataset?.handle) throw new WasmgenError('evaluate: the dataset was disposed or is missing', 1);
    const core = this.core;
    return core.withBuffer(64, (p) => {
      core.check(core.exports.wg_api_model_evaluate(this.#live(), dataset.handle, limit, p));
      const f64 = core.f64;
      return Object.fromEntries(names.map((name, i) => [name, f64[(p >> 3) + i]]));
    });
  }

  /** The same refusals as the core's, before any argument is converted. */
  #needs(capability, what) {
    if (this.capabilities[capability]) return;
    const why = { sample: 'does not generate images', encode: 'has no encoder (only VAEs do)', classify: 'is not a classifier', translate: 'does not translate images (a CycleGAN does)' }[capability];
    throw new WasmgenError(`${what}: a ${this.preset} model ${why}`, 4);
  }

  #count(images, what) {
    const n = images.length / this.imageSize;
    if (!Number.isInteger(n) || n < 1) throw new WasmgenError(`${what}: ${images.length} values is not a whole number of ${this.height}x${this.width}x${this.channels} images`, 1);
    return n;
  }

  /** Class labels into the heap (an int pointer), or 0 when none are given. */
  #labels(heap, labels, n, what) {
    if (labels === undefined || labels === null) {
      if (this.capabilities.classes) throw new WasmgenError(`${what}: this ${this.preset} model is conditional: give labels (one class 0..${this.classes - 1} per image, or one for all)`, 1);
      return 0;
    }
    if (!this.capabilities.classes) throw new WasmgenError(`${what}: this ${this.preset} model is not conditional; it takes no labels`, 1);
    const list = typeof labels === 'number' ? new Array(n).fill(labels) : Array.from(labels);
    if (list.length !== n) throw new WasmgenError(`${what}: ${list.length} labels for ${n} images`, 1);
    list.forEach((k, i) => {
      if (!Number.isInteger(k) || k < 0 || k >= this.classes) throw new WasmgenError(`${what}: label ${k} (image ${i}) is out of range: this model has classes 0..${this.classes - 1}`, 1);
    });
    const p = heap.malloc(n * 4);
    this.core.i32.set(list, p >> 2);
    return p;
  }

  /** The checkpoint (weights, optimizer state, config, step, RNG states) as safetensors bytes. */
  save() {
    const core = this.core;
    return core.withBuffer(8, (p) => {
      core.check(core.exports.wg_api_model_save(this.#live(), p, p + 4));
      const ptr = core.u32[p >> 2], len = core.u32[(p >> 2) + 1];
      const bytes = core.u8.slice(ptr, ptr + len);
      core.free(ptr);
      return bytes;
    });
  }

  #images(n, call) {
    const size = n * this.imageSize;
    return this.core.withBuffer(size * 4, (out) => {
      this.core.check(call(out));
      const data = this.core.f32.slice(out >> 2, (out >> 2) + size);
      return { data, n, channels: this.channels, height: this.height, width: this.width };
    });
  }

  dispose() {
    if (this.handle) this.core.exports.wg_api_model_free(this.handle);
    this.handle = 0;
  }
}

/**
 * Every family and preset the core knows: [{ name, roles, losses, capabilities, presets: [{ name,
 * summary, latent, lr }] }] (the core's registry; the CLI's usage and the page's model list).
 */
export function listFamilies(core) {
  return JSON.parse(core.readString(core.exports.wg_api_registry())).families;
}

/** Model from a config object: { model: 'gan' | 'dcgan' | 'cvae' | ..., ...options } (see README for every option). */
export function createModel(core, config) {
  if (!config || typeof config !== 'object') throw new WasmgenError('createModel: config must be an object like { model: "gan" }', 1);
  checkFinite(config);
  const p = core.allocString(JSON.stringify(config));
  try {
    return new Model(core, core.checkHandle(core.exports.wg_api_model_create(p)));
  } finally { core.free(p); }
}

/** Model from checkpoint bytes written by save(). */
export function loadModel(core, bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const p = core.allocBytes(u8);
  try {
    return new Model(core, core.checkHandle(core.exports.wg_api_model_load(p, u8.length)));
  } finally { core.free(p); }
}
