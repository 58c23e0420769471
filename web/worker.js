// worker.js — the module Web Worker that owns the wasm core, the dataset and the model.
//
// Protocol: the page posts { id, type, ...args }; every request gets one reply { id, ok, value }
// or { id, ok: false, error: { message, fatal } } (fatal: the wasm instance trapped and this
// worker must be replaced). Unrequested news goes out as { event, ... }: 'progress' after each
// chunk of training steps, 'views' (sample grid, interpolation, reconstructions as RGBA bytes,
// buffers transferred) about once a second, 'loading' while files are decoded. Training runs in
// chunks of ~50 ms and yields between them, so pause/resume/stop messages are seen promptly, and
// the image tools ('toolSource', 'tool': image-tools.js) answer between chunks, on the model as is.

import { loadCore } from './wasm/core.js';
import { defaultThreads, loadThreadedCore, threadSupport } from './wasm/threads.js';
import { createModel, loadModel } from './wasm/model.js';
import { loadDataset } from './wasm/data.js';
import { loadImageFiles } from './wasm/images.js';
import { toGrid, datasetImages } from './wasm/image.js';
import { gaussian } from './wasm/random.js';
import { ImageTools } from './image-tools.js';

const CHUNK_TARGET_MS = 50;      // one chunk of steps between looks at the message queue
const VIEWS_EVERY_MS = 1000;     // sample grid refresh while training
const SAMPLE_COUNT = 64;         // 8 x 8 grid from fixed noise
const INTERPOLATION_FRAMES = 10;
const RECONSTRUCTIONS = INTERPOLATION_FRAMES;   // same strip width, same image size on screen
const THUMBNAILS = 24;

let core = null;
let tools = null;   // the image tools panel's sources and tools (image-tools.js)
let dataset = null;
let model = null;
let run = null;   // the training run in progress: { paused, stopped, wake }
let interpolationSeeds = [1, 2];

const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

function grid(images, cols) {
  const g = toGrid(images, { cols, pad: 2, background: 24 });
  return { width: g.width, height: g.height, data: g.data };
}

function modelInfo() {
  const [g, d] = model.parameterCounts;
  return {
    kind: model.kind, config: model.config, step: model.step, epoch: model.epoch,
    height: model.height, width: model.width, channels: model.channels, latent: model.latent,
    parameters: g + d, trainedOn: model.datasetId, guard: model.guard,
  };
}

function datasetInfo(skipped = []) {
  const n = Math.min(THUMBNAILS, dataset.length);
  const step = Math.max(1, Math.floor(dataset.length / n));
  const indices = Array.from({ length: n }, (_, k) => k * step);
  return {
    name: dataset.name, length: dataset.length, height: dataset.height, width: dataset.width,
    channels: dataset.channels, skipped, thumbnails: grid(datasetImages(dataset, { indices }), 12),
  };
}

/** Sample grid, latent interpolation strip and (VAE, same image shape) reconstructions. */
function views() {
  const samples = grid(model.sample(SAMPLE_COUNT, { seed: model.config.seed ?? 0 }), 8);
  const [a, b] = interpolationSeeds.map((seed) => gaussian(seed, model.latent));
  const z = new Float32Array(INTERPOLATION_FRAMES * model.latent);
  for (let f = 0; f < INTERPOLATION_FRAMES; f++) {
    const t = f / (INTERPOLATION_FRAMES - 1);
    for (let i = 0; i < model.latent; i++) z[f * model.latent + i] = (1 - t) * a[i] + t * b[i];
  }
  const interpolation = grid(model.decode(z), INTERPOLATION_FRAMES);
  let reconstruction = null;
  if (model.kind === 'vae' && dataset && dataset.height === model.height && dataset.width === model.width &&
      dataset.channels === model.channels) {
    const step = Math.max(1, Math.floor(dataset.length / RECONSTRUCTIONS));
    const inputs = datasetImages(dataset, { indices: Array.from({ length: Math.min(RECONSTRUCTIONS, dataset.length) }, (_, k) => k * step) });
    const outputs = model.decode(model.encode(inputs.data).mu);
    const both = new Float32Array(inputs.data.length * 2);
    both.set(inputs.data);
    both.set(outputs.data, inputs.data.length);
    reconstruction = grid({ ...inputs, data: both, n: inputs.n * 2 }, inputs.n);
  }
  return { step: model.step, samples, interpolation, reconstruction };
}

function postViews() {
  const v = views();
  const buffers = [v.samples, v.interpolation, v.reconstruction].filter(Boolean).map((g) => g.data.buffer);
  self.postMessage({ event: 'views', ...v }, buffers);
}

function replaceModel(next) {
  model?.dispose();
  model = next;
}

async function train({ steps, batch }) {
  if (run) throw new Error('training is already running');
  if (!model) throw new Error('no model: create one or load a checkpoint first');
  if (!dataset) throw new Error('no training data loaded');
  run = { paused: false, stopped: false, wake: null };
  let done = 0, chunk = 1, lastViews = performance.now();
  let imagesPerSec = 0;
  try {
    while (done < steps && !run.stopped) {
      if (run.paused) {
        await new Promise((resolve) => { run.wake = resolve; });
        continue;
      }
      const n = Math.min(chunk, steps - done);
      const sums = {};
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        model.trainSteps(dataset, 1, batch, { allowNewData: true });
        for (const [name, value] of Object.entries(model.losses)) sums[name] = (sums[name] ?? 0) + value;
      }
      const ms = performance.now() - t0;
      done += n;
      // Steps per chunk follow the measured speed, so a chunk stays near CHUNK_TARGET_MS.
      chunk = Math.max(1, Math.min(1000, Math.round(n * CHUNK_TARGET_MS / Math.max(ms, 1))));
      const rate = (n * batch) / (ms / 1000);
      imagesPerSec = imagesPerSec ? 0.8 * imagesPerSec + 0.2 * rate : rate;
      const losses = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
      self.postMessage({
        event: 'progress', step: model.step, epoch: model.epoch, done, total: steps, batch, imagesPerSec,
        eta: ((steps - done) * batch) / imagesPerSec, losses, guard: model.guard,
      });
      if (performance.now() - lastViews > VIEWS_EVERY_MS) {
        postViews();
        lastViews = performance.now();
      }
      await yieldToEventLoop();
    }
  } finally {
    run = null;
  }
  postViews();
  return { step: model.step, done, stopped: done < steps };
}

/**
 * The threaded core when the page is cross-origin isolated (shared memory allowed) and the machine
 * has more than one core, else the single-thread one with the reason. Same results either way.
 */
async function loadEngine() {
  const wanted = defaultThreads();
  const support = threadSupport();
  let why = wanted < 2 ? 'this device reports one core' : support.reason;
  if (wanted > 1 && support.ok) {
    try {
      return await loadThreadedCore({ threads: wanted });
    } catch (e) {
      why = `the threaded build failed to start (${e.message})`;
    }
  }
  const single = await loadCore();
  single.threads = 1;
  single.whyOneThread = why;
  return single;
}

self.onmessage = async ({ data: { id, type, ...args } }) => {
  try {
    let value = null;
    const transfer = [];
    switch (type) {
      case 'init':
        core = await loadEngine();
        tools = new ImageTools(core);
        value = { simd: core.readString(core.exports.wg_api_simd()), threads: core.threads, whyOneThread: core.whyOneThread };
        break;
      case 'loadBuiltin': {
        if (run) throw new Error('stop training before changing the data');
        const next = await loadDataset(core, args.name, { split: 'train', baseUrl: args.baseUrl });
        dataset?.dispose();
        dataset = next;
        value = datasetInfo();
        transfer.push(value.thumbnails.data.buffer);
        break;
      }
      case 'loadFiles': {
        if (run) throw new Error('stop training before changing the data');
        const { dataset: next, skipped } = await loadImageFiles(core, args.files, {
          size: args.size, channels: args.channels, name: 'own images',
          onProgress: ({ done, total }) => { if (done % 25 === 0 || done === total) self.postMessage({ event: 'loading', done, total }); },
        });
        dataset?.dispose();
        dataset = next;
        value = datasetInfo(skipped);
        transfer.push(value.thumbnails.data.buffer);
        break;
      }
      case 'newModel':
        if (run) throw new Error('stop training before building a new model');
        replaceModel(createModel(core, args.config));
        value = modelInfo();
        break;
      case 'loadCheckpoint':
        if (run) throw new Error('stop training before loading a checkpoint');
        replaceModel(loadModel(core, new Uint8Array(args.bytes)));
        value = modelInfo();
        break;
      case 'saveCheckpoint': {
        if (!model) throw new Error('no model to save yet');
        const bytes = model.save();
        value = { bytes: bytes.buffer, step: model.step, model: model.config.model };
        transfer.push(bytes.buffer);
        break;
      }
      case 'train':
        value = await train(args);
        break;
      case 'pause':
        if (run) run.paused = true;
        break;
      case 'resume':
        if (run) { run.paused = false; run.wake?.(); }
        break;
      case 'stop':
        if (run) { run.stopped = true; run.paused = false; run.wake?.(); }
        break;
      case 'toolSource': {
        value = tools.setSource(args.slot, args.source, dataset);
        transfer.push(value.data.buffer);
        break;
      }
      case 'tool': {
        value = tools.run(args.tool, args.options ?? {}, args.mask, { model, dataset });
        transfer.push(...value.figures.map((f) => f.data.buffer));
        break;
      }
      case 'views':
        if (args.interpolationSeeds) interpolationSeeds = args.interpolationSeeds;
        if (model) postViews();
        break;
      default:
        throw new Error(`unknown message type "${type}"`);
    }
    self.postMessage({ id, ok: true, value }, transfer);
  } catch (e) {
    const fatal = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ id, ok: false, error: { message: e?.message ?? String(e), fatal } });
  }
};
