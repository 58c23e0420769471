// model.js — a trained-or-training generative model living in the wasm core.
//
//   const model = createModel(core, { model: 'vae', latent: 20, seed: 1 });
//   await model.train(dataset, { steps: 500, batch: 64, onProgress: (p) => console.log(p) });
//   const { data } = model.sample(16, { seed: 7 });      // Float32Array (16, C, H, W) in [0, 1]
//   const bytes = model.save();                          // safetensors Uint8Array
//   model.dispose();

import { WasmgenError } from './core.js';

export const LOSS_NAMES = {
  gan: ['d_loss', 'g_loss', 'd_real', 'd_fake'],
  vae: ['loss', 'recon', 'kl'],
};

const KIND_NAMES = ['gan', 'vae'];

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
    const info = core.withBuffer(32, (p) => {
      core.exports.wg_api_model_info(handle, p);
      return Array.from(core.i32.subarray(p >> 2, (p >> 2) + 8));
    });
    this.kind = KIND_NAMES[info[0]];
    [, this.height, this.width, this.channels, this.latent] = info;
    this.parameterCounts = [info[6], info[7]];
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

  /** Losses of the last step, by name (GAN: d_loss, g_loss, d_real, d_fake; VAE: loss, recon, kl). */
  get losses() {
    const p = this.core.exports.wg_api_model_losses(this.#live()) >> 2;
    const f32 = this.core.f32;
    return Object.fromEntries(LOSS_NAMES[this.kind].map((name, i) => [name, f32[p + i]]));
  }

  /** Identity of the data this model trains on ("mnist-train:8337"); saved in checkpoints. */
  get datasetId() { return this.core.readString(this.core.exports.wg_api_model_dataset(this.#live())); }

  /**
   * Runs `steps` training steps synchronously (no progress, no yielding). A model keeps training
   * on the data it started with: another dataset is refused unless `allowNewData` (the data order
   * then starts afresh, so resuming is no longer bit-identical to an uninterrupted run).
   */
  trainSteps(dataset, steps, batch = 64, { allowNewData = false } = {}) {
    checkCount('steps', steps, 0, 2 ** 31 - 1);
    checkCount('batch', batch, 2, 4096);
    if (!dataset?.handle) throw new WasmgenError('train: the dataset was disposed or is missing', 1);
    const id = `${dataset.name}:${dataset.length}`, current = this.datasetId;
    if (current && current !== id && !allowNewData) {
      throw new WasmgenError(`train: this model was trained on ${current}, not ${id}; use the same data to continue (or allowNewData)`, 5);
    }
    if (current !== id) {
      const p = this.core.allocString(id);
      try { this.core.exports.wg_api_model_set_dataset(this.handle, p); } finally { this.core.free(p); }
    }
    this.core.check(this.core.exports.wg_api_model_train(this.#live(), dataset.handle, steps, batch));
  }

  /**
   * Trains for `steps` (or `epochs` over the dataset) in chunks, calling onProgress after each
   * chunk and yielding to the event loop so callers stay responsive and can stop via `signal`.
   * onGuard({ skipped, rollbacks, lr }) is called when the divergence guard skipped steps or
   * rolled back during a chunk. `chunkMs` instead sizes chunks by measured speed to take about that
   * long each (a worker that must answer pause/stop promptly). Resolves to the final progress record.
   */
  async train(dataset, { steps, epochs, batch = 64, chunkSteps, chunkMs, onProgress, onGuard, signal, allowNewData = false } = {}) {
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
      this.trainSteps(dataset, n, batch, { allowNewData });
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

  /** n images from seeded latent noise: { data: Float32Array (n, C, H, W) in [0, 1], n, channels, height, width }. */
  sample(n, { seed = 0 } = {}) {
    checkCount('n', n, 1, 65536);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new WasmgenError(`seed must be a whole number >= 0, got ${seed}`, 1);
    return this.#images(n, (out) => this.core.exports.wg_api_model_sample(this.#live(), n, seed, out));
  }

  /** Images from given latent vectors z (Float32Array of n * latent). */
  decode(z) {
    const n = z.length / this.latent;
    if (!Number.isInteger(n) || n < 1) throw new WasmgenError(`decode: z has ${z.length} values, not a multiple of latent size ${this.latent}`, 1);
    const zp = this.core.malloc(z.length * 4);
    try {
      this.core.f32.set(z, zp >> 2);
      return this.#images(n, (out) => this.core.exports.wg_api_model_decode(this.#live(), zp, n, out));
    } finally { this.core.free(zp); }
  }

  /** VAE: images (Float32Array n * C*H*W in [0, 1]) -> { mu, logvar } (Float32Array n * latent each). */
  encode(images) {
    const n = images.length / this.imageSize;
    if (!Number.isInteger(n) || n < 1) throw new WasmgenError(`encode: ${images.length} values is not a whole number of ${this.height}x${this.width}x${this.channels} images`, 1);
    const core = this.core, len = n * this.latent;
    return core.scoped((heap) => {
      const xp = heap.floats(images), mp = heap.malloc(len * 4), lp = heap.malloc(len * 4);
      core.check(core.exports.wg_api_model_encode(this.#live(), xp, n, mp, lp));
      return { mu: core.f32.slice(mp >> 2, (mp >> 2) + len), logvar: core.f32.slice(lp >> 2, (lp >> 2) + len) };
    });
  }

  /** VAE: mean per-image { loss, recon, kl } (BCE + KL) over the first `limit` images of a dataset. */
  evaluate(dataset, { limit = 0 } = {}) {
    const core = this.core;
    return core.withBuffer(24, (p) => {
      core.check(core.exports.wg_api_model_evaluate(this.#live(), dataset.handle, limit, p));
      const f64 = core.f64;
      return { loss: f64[p >> 3], recon: f64[(p >> 3) + 1], kl: f64[(p >> 3) + 2] };
    });
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

/** Model from a config object: { model: 'gan' | 'vae', ...options } (see README for every option). */
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
