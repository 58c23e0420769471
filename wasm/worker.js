// worker.js — the module Web Worker behind createTrainer() (trainer.js): it owns the wasm core,
// the dataset and the model, so training never blocks the page. Apps do not post to it by hand;
// trainer.js starts it as new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
// written literally so Vite and webpack bundle it.
//
// Protocol: the client posts { id, type, ...args }; every request gets one reply { id, ok, value }
// or { id, ok: false, error: { message, fatal } } (fatal: the wasm instance trapped and this
// worker must be replaced). Unrequested news goes out as { event, ... }: 'progress' after each
// chunk of training steps, 'views' (sample grid, interpolation, reconstructions as RGBA bytes,
// buffers transferred) about once a second while training, 'loading' while files are decoded.
// Training is Model.train (model.js) with chunks of ~50 ms; it yields between them, so pause,
// resume and stop are seen promptly, and the other requests (sample, tools) answer between chunks,
// on the model as is. Pause ends the current Model.train call; resume starts one for the steps left.

import { loadCore } from './core.js';
import { defaultThreads, loadThreadedCore, threadSupport } from './threads.js';
import { createModel, loadModel } from './model.js';
import { loadDataset, loadIdxDataset } from './data.js';
import { loadImageFiles } from './images.js';
import { toGrid, datasetImages } from './image.js';
import { gaussian } from './random.js';
import { ImageTools } from './image-tools.js';

const CHUNK_MS = 50;             // one chunk of steps between looks at the message queue
const VIEWS_EVERY_MS = 1000;     // sample grid refresh while training
const SAMPLE_COUNT = 64;         // 8 x 8 grid from fixed noise
const INTERPOLATION_FRAMES = 10;
const RECONSTRUCTIONS = INTERPOLATION_FRAMES;   // same strip width, same image size on screen
const THUMBNAILS = 24;

let core = null;
let tools = null;   // image sources and tools (image-tools.js)
let dataset = null;
let model = null;
let run = null;     // the training run in progress: { paused, stopped, abort, wake }
let interpolationSeeds = [1, 2];

function grid(images, cols) {
  const g = toGrid(images, { cols, pad: 2, background: 24 });
  return { width: g.width, height: g.height, data: g.data };
}

function needCore() {
  if (!core) throw new Error('the trainer is not ready: call init() first');
  return core;
}
function needModel() {
  if (!model) throw new Error('no model: create one or load a checkpoint first');
  return model;
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

function refuseWhileTraining(what) {
  if (run) throw new Error(`stop training before ${what}`);
}

/**
 * Trains `steps` (or `epochs` over the data) with Model.train. A pause ends the current call and
 * waits; resume calls Model.train again for the steps left, so progress counts the whole run.
 */
async function train({ steps, epochs, batch = 64, views: sendViews = true }) {
  refuseWhileTraining('starting another run');
  needModel();
  if (!dataset) throw new Error('no training data loaded');
  if (epochs !== undefined) {
    if (!(epochs > 0 && Number.isFinite(epochs))) throw new Error(`epochs must be a positive number, got ${epochs}`);
    steps = Math.max(1, Math.round((epochs * dataset.length) / batch));
  }
  steps ??= 1000;
  run = { paused: false, stopped: false, abort: null, wake: null };
  let done = 0, lastViews = performance.now();
  try {
    while (done < steps && !run.stopped) {
      if (run.paused) {
        await new Promise((resolve) => { run.wake = resolve; });
        continue;
      }
      run.abort = new AbortController();
      const before = done;
      const result = await model.train(dataset, {
        steps: steps - done, batch, chunkMs: CHUNK_MS, signal: run.abort.signal, allowNewData: true,
        onProgress: (p) => {
          done = before + p.done;
          self.postMessage({ event: 'progress', ...p, done, total: steps, eta: p.eta });
          if (sendViews && performance.now() - lastViews > VIEWS_EVERY_MS) {
            postViews();
            lastViews = performance.now();
          }
        },
      });
      done = before + result.done;
    }
  } finally {
    run = null;
  }
  if (sendViews) postViews();
  return { step: model.step, done, stopped: done < steps };
}

/**
 * The threaded core when more than one thread is wanted (default: the device's cores, at most 4;
 * 1 when only wasmUrl is given) and the page is cross-origin isolated (shared memory allowed),
 * else the single-thread one with the reason in whyOneThread. Same results either way.
 */
async function loadEngine({ wasmUrl, threadedWasmUrl, threads }) {
  const wanted = threads ?? (wasmUrl && !threadedWasmUrl ? 1 : defaultThreads());
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 8) throw new Error(`threads must be an integer from 1 to 8, got ${wanted}`);
  const support = threadSupport();
  let why = threads === 1 ? 'one thread was asked for' : wanted < 2 ? 'this device reports one core' : support.reason;
  if (wanted > 1 && support.ok) {
    try {
      return await loadThreadedCore({ threads: wanted, wasmUrl: threadedWasmUrl });
    } catch (e) {
      why = `the threaded build failed to start (${e.message})`;
    }
  }
  const single = await loadCore(wasmUrl ? { wasmUrl } : {});
  single.threads = 1;
  single.whyOneThread = why;
  return single;
}

async function handle(type, args, transfer) {
  switch (type) {
    case 'init':
      core = await loadEngine(args);
      tools = new ImageTools(core);
      return { simd: core.readString(core.exports.wg_api_simd()), threads: core.threads, whyOneThread: core.whyOneThread ?? '' };
    case 'loadDataset':
    case 'loadBuiltin': {   // the page's older name
      refuseWhileTraining('changing the data');
      const next = await loadDataset(needCore(), args.name, { split: args.split ?? 'train', baseUrl: args.baseUrl });
      dataset?.dispose();
      dataset = next;
      break;
    }
    case 'loadIdxDataset': {
      refuseWhileTraining('changing the data');
      const next = await loadIdxDataset(needCore(), args.images, args.labels ?? null, args.name ?? 'idx');
      dataset?.dispose();
      dataset = next;
      break;
    }
    case 'loadFiles': {
      refuseWhileTraining('changing the data');
      const { dataset: next, skipped } = await loadImageFiles(needCore(), args.files, {
        size: args.size, channels: args.channels, name: args.name ?? 'own images',
        onProgress: ({ done, total }) => { if (done % 25 === 0 || done === total) self.postMessage({ event: 'loading', done, total }); },
      });
      dataset?.dispose();
      dataset = next;
      const value = datasetInfo(skipped);
      transfer.push(value.thumbnails.data.buffer);
      return value;
    }
    case 'newModel':
      refuseWhileTraining('building a new model');
      replaceModel(createModel(needCore(), args.config));
      return modelInfo();
    case 'loadCheckpoint':
      refuseWhileTraining('loading a checkpoint');
      replaceModel(loadModel(needCore(), new Uint8Array(args.bytes)));
      return modelInfo();
    case 'saveCheckpoint': {
      const bytes = needModel().save();
      transfer.push(bytes.buffer);
      return { bytes: bytes.buffer, step: model.step, model: model.config.model };
    }
    case 'info':
      return { model: model ? modelInfo() : null, dataset: dataset ? { name: dataset.name, length: dataset.length, height: dataset.height, width: dataset.width, channels: dataset.channels } : null, training: !!run, paused: !!run?.paused };
    case 'train':
      return train(args);
    case 'pause':
      if (run && !run.paused) { run.paused = true; run.abort?.abort(); }
      return null;
    case 'resume':
      if (run) { run.paused = false; run.wake?.(); }
      return null;
    case 'stop':
      if (run) { run.stopped = true; run.paused = false; run.abort?.abort(); run.wake?.(); }
      return null;
    case 'sample': {
      const images = needModel().sample(args.n, { seed: args.seed ?? 0 });
      if (args.grid) {
        const g = grid(images, args.grid.cols ?? Math.ceil(Math.sqrt(images.n)));
        transfer.push(g.data.buffer);
        return g;
      }
      transfer.push(images.data.buffer);
      return images;
    }
    case 'decode': {
      const images = needModel().decode(new Float32Array(args.z));
      transfer.push(images.data.buffer);
      return images;
    }
    case 'encode':
      return needModel().encode(new Float32Array(args.images));
    case 'evaluate':
      if (!dataset) throw new Error('no data loaded to evaluate on');
      return needModel().evaluate(dataset, { limit: args.limit ?? 0 });
    case 'toolSource': {
      needCore();
      const value = tools.setSource(args.slot, args.source, dataset);
      transfer.push(value.data.buffer);
      return value;
    }
    case 'tool': {
      needCore();
      const value = tools.run(args.tool, args.options ?? {}, args.mask, { model, dataset });
      transfer.push(...value.figures.map((f) => f.data.buffer));
      return value;
    }
    case 'views':
      if (args.interpolationSeeds) interpolationSeeds = args.interpolationSeeds;
      if (model) postViews();
      return null;
    default:
      throw new Error(`unknown message type "${type}"`);
  }
  // The data loaders answer with the dataset's description and thumbnails.
  const value = datasetInfo();
  transfer.push(value.thumbnails.data.buffer);
  return value;
}

self.onmessage = async ({ data: { id, type, ...args } }) => {
  const transfer = [];
  try {
    const value = await handle(type, args, transfer);
    self.postMessage({ id, ok: true, value }, transfer);
  } catch (e) {
    const fatal = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ id, ok: false, error: { message: e?.message ?? String(e), fatal } });
  }
};
