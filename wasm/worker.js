// worker.js — the module Web Worker behind createTrainer() (trainer.js): it owns the wasm core,
// the dataset and the model, so training never blocks the page. Apps do not post to it by hand;
// trainer.js starts it as new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
// written literally so Vite and webpack bundle it.
//
// Protocol: the client posts { id, type, ...args }; every request gets one reply { id, ok, value }
// or { id, ok: false, error: { message, fatal } } (fatal: the wasm instance trapped and this
// worker must be replaced). Unrequested news goes out as { event, ... }: 'progress' after each
// chunk of training steps, 'quality' (FID/KID/classes of a few hundred samples, every few seconds
// within 10% of the run's time, see quality.js), 'views' (what the model makes, as RGBA bytes, buffers transferred;
// which views exist follows the model's capabilities, see views()) about once a second while
// training, 'loading' while files are decoded. No family is named here: capabilities decide.
// Two-domain models (capabilities.two_domains, e.g. CycleGAN) train on the dataset (domain A) and
// a second one, datasetB, loaded by the same requests with { domain: 'b' }.
// Training is Model.train (model.js) with chunks of ~50 ms; it yields between them, so pause,
// resume and stop are seen promptly, and the other requests (sample, tools) answer between chunks,
// on the model as is. Pause ends the current Model.train call; resume starts one for the steps left.

import { loadCore } from './core.js';
import { defaultThreads, loadThreadedCore, threadSupport } from './threads.js';
import { createModel, loadModel, listFamilies } from './model.js';
import { loadDataset, loadIdxDataset } from './data.js';
import { loadImageFiles } from './images.js';
import { toGrid, datasetImages } from './image.js';
import { gaussian } from './random.js';
import { ImageTools } from './image-tools.js';
import { QualityTracker, withQualityHistory, qualityHistoryOf } from './quality.js';
import { exportOnnx } from './onnx.js';

const CHUNK_MS = 50;             // one chunk of steps between looks at the message queue
const VIEWS_EVERY_MS = 1000;     // sample grid refresh while training, unless the views are costly:
const VIEWS_SHARE = 0.1;         // views wait at least 1 / VIEWS_SHARE times their own cost (CycleGAN's: ~0.2 s)
const SAMPLE_COUNT = 64;         // 8 x 8 grid from fixed noise
const INTERPOLATION_FRAMES = 10;
const RECONSTRUCTIONS = INTERPOLATION_FRAMES;   // same strip width, same image size on screen
const THUMBNAILS = 24;
const SAMPLE_COLUMNS = 8;        // conditional grids: one row of this many per class
const LATENT_FRAMES = 9;         // the "vary one latent dimension" strip, from -LATENT_RANGE to +LATENT_RANGE
const LATENT_RANGE = 3;
const PREDICTIONS = 32;          // classifier: test images shown with their predicted class
const ACCURACY_LIMIT = 1000;     // classifier views: accuracy over the first this many held-out images
const TRANSLATIONS = 6;          // translating models: rows of real -> translated -> cycled per direction

let core = null;
let tools = null;   // image sources and tools (image-tools.js)
let quality = null; // sample quality while training (quality.js); its history belongs to the model
let dataset = null;
let datasetB = null;   // domain B of a two-domain model (dataset is domain A)
let model = null;
let run = null;     // the training run in progress: { paused, stopped, abort, wake }
let interpolationSeeds = [1, 2];
let heldOut = null;          // the built-in data's test split (classifier accuracy), or null
let builtin = null;          // { name, baseUrl } of the built-in data loaded, to load its test split
/** What the views show: sampleClass null = one row per class; the latent strip's dimension; two classes. */
const viewOptions = { sampleClass: null, latentDimension: 0, classPair: [0, 1] };

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
  return {
    kind: model.family,   // deprecated: the family name; ask capabilities
    family: model.family, preset: model.preset, description: model.description,
    capabilities: model.capabilities, classes: model.classes, lossNames: model.lossNames, lossGroups: model.lossGroups,
    config: model.config, step: model.step, epoch: model.epoch,
    height: model.height, width: model.width, channels: model.channels, latent: model.latent,
    parameterCounts: model.parameterCounts, parameters: model.parameterCounts.reduce((a, b) => a + b, 0),
    trainedOn: model.datasetId, guard: model.guard, qualityHistory: quality?.history ?? [],
  };
}

const hasLabels = (data) => data.core.exports.wg_api_dataset_labels(data.handle) !== 0;
const sameShape = (data) => data && data.height === model.height && data.width === model.width && data.channels === model.channels;
/** Labels for a conditional model (the class, or a list), nothing for the others. */
const conditioned = (labels) => (model.capabilities.classes ? { labels } : {});

function datasetInfo(skipped = [], data = dataset) {
  const n = Math.min(THUMBNAILS, data.length);
  const step = Math.max(1, Math.floor(data.length / n));
  const indices = Array.from({ length: n }, (_, k) => k * step);
  return {
    name: data.name, length: data.length, height: data.height, width: data.width,
    channels: data.channels, labelled: hasLabels(data), skipped, thumbnails: grid(datasetImages(data, { indices }), 12),
  };
}

/**
 * What the model makes, by capability: a model that samples gives a sample grid (conditional: one
 * row per class, or all of one class), a latent interpolation strip, a strip that sweeps one latent
 * dimension and (conditional) a strip between two classes with z fixed; one that encodes, on data
 * of its size, reconstructions; a classifier, held-out images with its predictions and accuracy.
 */
function views() {
  const out = { step: model.step, options: { ...viewOptions, classPair: [...viewOptions.classPair] },
    samples: null, sampleRows: null, interpolation: null, latentStrip: null, classInterpolation: null,
    reconstruction: null, predictions: null, accuracy: null, translationAB: null, translationBA: null };
  const { sample, encode, classes, classify, translate } = model.capabilities;
  const latent = model.latent;
  const oneClass = viewOptions.sampleClass !== null && viewOptions.sampleClass < model.classes ? viewOptions.sampleClass : null;
  if (sample) {
    if (classes && oneClass === null) {
      const labels = Array.from({ length: model.classes * SAMPLE_COLUMNS }, (_, i) => Math.floor(i / SAMPLE_COLUMNS));
      out.samples = grid(model.sample(labels.length, { seed: model.config.seed ?? 0, labels }), SAMPLE_COLUMNS);
      out.sampleRows = 'classes';
    } else {
      out.samples = grid(model.sample(SAMPLE_COUNT, { seed: model.config.seed ?? 0, ...conditioned(oneClass) }), 8);
      out.sampleRows = classes ? `class ${oneClass}` : 'seed';
    }
    const stripClass = oneClass ?? 0;
    const [a, b] = interpolationSeeds.map((seed) => gaussian(seed, latent));
    const z = new Float32Array(INTERPOLATION_FRAMES * latent);
    for (let f = 0; f < INTERPOLATION_FRAMES; f++) {
      const t = f / (INTERPOLATION_FRAMES - 1);
      for (let i = 0; i < latent; i++) z[f * latent + i] = (1 - t) * a[i] + t * b[i];
    }
    out.interpolation = grid(model.decode(z, conditioned(stripClass)), INTERPOLATION_FRAMES);
    const dim = Math.min(viewOptions.latentDimension, latent - 1);
    const sweep = new Float32Array(LATENT_FRAMES * latent);
    for (let f = 0; f < LATENT_FRAMES; f++) {
      sweep.set(a, f * latent);
      sweep[f * latent + dim] = -LATENT_RANGE + (2 * LATENT_RANGE * f) / (LATENT_FRAMES - 1);
    }
    out.latentStrip = grid(model.decode(sweep, conditioned(stripClass)), LATENT_FRAMES);
    out.options.latentDimension = dim;
    if (classes) {
      const [from, to] = viewOptions.classPair.map((k) => Math.min(k, model.classes - 1));
      out.options.classPair = [from, to];
      const weights = new Float32Array(INTERPOLATION_FRAMES * model.classes);
      const fixed = new Float32Array(INTERPOLATION_FRAMES * latent);
      for (let f = 0; f < INTERPOLATION_FRAMES; f++) {
        const t = f / (INTERPOLATION_FRAMES - 1);
        weights[f * model.classes + from] += 1 - t;
        weights[f * model.classes + to] += t;
        fixed.set(a, f * latent);
      }
      out.classInterpolation = grid(model.decode(fixed, { classWeights: weights }), INTERPOLATION_FRAMES);
    }
  }
  if (encode && sameShape(dataset) && (!classes || hasLabels(dataset))) {
    const step = Math.max(1, Math.floor(dataset.length / RECONSTRUCTIONS));
    const indices = Array.from({ length: Math.min(RECONSTRUCTIONS, dataset.length) }, (_, k) => k * step);
    const inputs = datasetImages(dataset, { indices });
    const all = classes ? dataset.labels() : null;
    const labels = all ? indices.map((i) => all[i]) : undefined;
    const outputs = model.decode(model.encode(inputs.data, conditioned(labels)).mu, conditioned(labels));
    const both = new Float32Array(inputs.data.length * 2);
    both.set(inputs.data);
    both.set(outputs.data, inputs.data.length);
    out.reconstruction = grid({ ...inputs, data: both, n: inputs.n * 2 }, inputs.n);
  }
  if (translate) {
    if (sameShape(dataset)) out.translationAB = translationRows(dataset, 'ab');
    if (sameShape(datasetB)) out.translationBA = translationRows(datasetB, 'ba');
  }
  if (classify) {
    const judged = sameShape(heldOut) ? heldOut : sameShape(dataset) && hasLabels(dataset) ? dataset : null;
    if (judged) {
      const indices = Array.from({ length: Math.min(PREDICTIONS, judged.length) }, (_, k) => k);
      const images = datasetImages(judged, { indices });
      const truth = judged.labels();
      out.predictions = { grid: grid(images, 8), labels: Array.from(model.classify(images.data).labels), truth: indices.map((i) => truth[i]) };
      out.accuracy = { ...model.evaluate(judged, { limit: ACCURACY_LIMIT }), images: Math.min(ACCURACY_LIMIT, judged.length), heldOut: judged === heldOut, data: judged.name };
    }
  }
  return out;
}

/**
 * Fixed images of one domain, each in a row: real -> translated ('ab': G_AB) -> translated back.
 * The same images every time (spread over the domain), so a view shows what training changed.
 */
function translationRows(domain, direction) {
  const n = Math.min(TRANSLATIONS, domain.length);
  const step = Math.max(1, Math.floor(domain.length / n));
  const real = datasetImages(domain, { indices: Array.from({ length: n }, (_, k) => k * step) });
  const there = model.translate(real.data, { direction });
  const back = model.translate(there.data, { direction: direction === 'ab' ? 'ba' : 'ab' });
  const P = model.imageSize, rows = new Float32Array(3 * n * P);
  for (let i = 0; i < n; i++) {
    rows.set(real.data.subarray(i * P, (i + 1) * P), (3 * i) * P);
    rows.set(there.data.subarray(i * P, (i + 1) * P), (3 * i + 1) * P);
    rows.set(back.data.subarray(i * P, (i + 1) * P), (3 * i + 2) * P);
  }
  return grid({ ...real, data: rows, n: 3 * n }, 3);
}

/** The test split of the built-in data, for a classifier's accuracy (loaded once per dataset). */
async function loadHeldOut() {
  if (!builtin || heldOut || !model?.capabilities.classify) return;
  try {
    heldOut = await loadDataset(core, builtin.name, { split: 'test', baseUrl: builtin.baseUrl });
  } catch {
    heldOut = null;   // no test split here: the views judge the training data and say so
  }
}

function postViews() {
  const v = views();
  const buffers = [v.samples, v.interpolation, v.latentStrip, v.classInterpolation, v.reconstruction, v.predictions?.grid, v.translationAB, v.translationBA]
    .filter(Boolean).map((g) => g.data.buffer);
  self.postMessage({ event: 'views', ...v }, buffers);
}

/** The views' choices (trainer.requestViews); unknown classes and dimensions are refused. */
function setViewOptions({ sampleClass, latentDimension, classPair }) {
  const classes = model?.classes ?? Infinity;
  const checkClass = (k, what) => {
    if (!Number.isInteger(k) || k < 0 || k >= classes) throw new Error(`${what} must be a class 0..${classes - 1}, got ${k}`);
  };
  if (sampleClass !== undefined) {
    if (sampleClass !== null) checkClass(sampleClass, 'sampleClass');
    viewOptions.sampleClass = sampleClass;
  }
  if (latentDimension !== undefined) {
    if (!Number.isInteger(latentDimension) || latentDimension < 0) throw new Error(`latentDimension must be a whole number >= 0, got ${latentDimension}`);
    viewOptions.latentDimension = latentDimension;
  }
  if (classPair !== undefined) {
    if (!Array.isArray(classPair) || classPair.length !== 2) throw new Error('classPair must be two classes [a, b]');
    classPair.forEach((k) => checkClass(k, 'classPair'));
    viewOptions.classPair = [...classPair];
  }
}

const nameOf = (thing) => (thing === undefined || thing === null ? null : thing.name ?? String(thing));

/** Measures sample quality now and posts it as a 'quality' event; resolves to the event. */
async function measureQuality() {
  let event;
  try {
    // A translating model is measured on its own two domains (the page bundles no Fashion-MNIST test split).
    const domains = model.capabilities.translate && sameShape(dataset) && sameShape(datasetB) ? { domainA: dataset, domainB: datasetB } : undefined;
    const { point, result } = await quality.measure(model, domains);
    event = { point, history: quality.history, costShare: quality.costShare, samples: result.translation?.n ?? quality.samples,
      judge: nameOf(result.judge ?? result.translation?.judge), against: nameOf(result.against) ?? 'the other domain', notes: result.notes ?? [] };
  } catch (e) {
    event = { error: e?.message ?? String(e), history: quality.history, costShare: quality.costShare };
  }
  self.postMessage({ event: 'quality', ...event });
  return event;
}

/** Domain B of a two-domain model. */
function useDataB(next) {
  datasetB?.dispose();
  datasetB = next;
}

function useData(next, builtinSource) {
  dataset?.dispose();
  dataset = next;
  if (builtin?.name !== builtinSource?.name) { heldOut?.dispose(); heldOut = null; }
  builtin = builtinSource;
}

function replaceModel(next, history = []) {
  model?.dispose();
  model = next;
  quality.history = history;
}

function refuseWhileTraining(what) {
  if (run) throw new Error(`stop training before ${what}`);
}

/**
 * Trains `steps` (or `epochs` over the data) with Model.train. A pause ends the current call and
 * waits; resume calls Model.train again for the steps left, so progress counts the whole run.
 */
async function train({ steps, epochs, batch = 64, views: sendViews = true, quality: measure = true }) {
  refuseWhileTraining('starting another run');
  needModel();
  if (!dataset) throw new Error('no training data loaded');
  const two = model.capabilities.two_domains;
  if (two && !datasetB) throw new Error(`a ${model.preset} model translates between two domains: load domain B as well as domain A`);
  if (epochs !== undefined) {
    if (!(epochs > 0 && Number.isFinite(epochs))) throw new Error(`epochs must be a positive number, got ${epochs}`);
    steps = Math.max(1, Math.round((epochs * dataset.length) / batch));
  }
  steps ??= 1000;
  run = { paused: false, stopped: false, abort: null, wake: null };
  let done = 0, lastViews = performance.now(), viewsEvery = VIEWS_EVERY_MS;
  quality.reset();
  const measuring = measure && (model.capabilities.sample || model.capabilities.translate);
  if (measuring) quality.preload(model);   // fetch judge and reference while the first steps run
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
        ...(two ? { datasetB } : {}),
        onProgress: (p) => {
          done = before + p.done;
          self.postMessage({ event: 'progress', ...p, done, total: steps, eta: p.eta });
          if (sendViews && performance.now() - lastViews > viewsEvery) {
            const t0 = performance.now();
            postViews();
            lastViews = performance.now();
            viewsEvery = Math.max(VIEWS_EVERY_MS, (lastViews - t0) / VIEWS_SHARE);
          }
          // Runs between chunks: evaluate() is synchronous once the judge and reference are loaded.
          if (measuring && quality.due()) measureQuality();
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
  // Every core, at most 4, by default. The page's main thread needs little: on a 2-core machine the
  // default GAN reached step 3,000 in 301 s on 2 threads against 398 s on 1, and a 50 ms timer on
  // the main thread fired at most 31 and 52 ms late in two runs (bench/page-gan.js).
  const wanted = threads ?? (wasmUrl && !threadedWasmUrl ? 1 : defaultThreads());
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 8) throw new Error(`threads must be an integer from 1 to 8, got ${wanted}`);
  const support = threadSupport();
  let why = threads === 1 ? 'one thread was asked for' : !support.ok ? support.reason
    : 'this device reports one core (pass threads to use more)';
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
      quality = new QualityTracker(core);
      return { simd: core.readString(core.exports.wg_api_simd()), threads: core.threads, whyOneThread: core.whyOneThread ?? '', families: listFamilies(core) };
    case 'loadDataset':
    case 'loadBuiltin': {   // the page's older name
      refuseWhileTraining('changing the data');
      const domainB = checkDomain(args.domain);
      const next = await loadDataset(needCore(), args.name, { split: args.split ?? 'train', baseUrl: args.baseUrl });
      if (domainB) return describeDomainB(next, transfer);
      useData(next, (args.split ?? 'train') === 'train' ? { name: args.name, baseUrl: args.baseUrl } : null);
      await loadHeldOut();
      break;
    }
    case 'loadIdxDataset': {
      refuseWhileTraining('changing the data');
      const domainB = checkDomain(args.domain);
      const next = await loadIdxDataset(needCore(), args.images, args.labels ?? null, args.name ?? 'idx');
      if (domainB) return describeDomainB(next, transfer);
      useData(next, null);
      break;
    }
    case 'loadFiles': {
      refuseWhileTraining('changing the data');
      const domainB = checkDomain(args.domain);
      const { dataset: next, skipped } = await loadImageFiles(needCore(), args.files, {
        size: args.size, channels: args.channels, name: args.name ?? 'own images',
        onProgress: ({ done, total }) => { if (done % 25 === 0 || done === total) self.postMessage({ event: 'loading', done, total, domain: domainB ? 'b' : 'a' }); },
      });
      if (domainB) return describeDomainB(next, transfer, skipped);
      useData(next, null);
      const value = datasetInfo(skipped);
      transfer.push(value.thumbnails.data.buffer);
      return value;
    }
    case 'newModel':
      refuseWhileTraining('building a new model');
      replaceModel(createModel(needCore(), args.config));
      await loadHeldOut();
      return modelInfo();
    case 'loadCheckpoint':
      refuseWhileTraining('loading a checkpoint');
      replaceModel(loadModel(needCore(), new Uint8Array(args.bytes)), qualityHistoryOf(args.bytes));
      await loadHeldOut();
      return modelInfo();
    case 'saveCheckpoint': {
      const bytes = withQualityHistory(needModel().save(), quality.history);
      transfer.push(bytes.buffer);
      return { bytes: bytes.buffer, step: model.step, model: model.config.model };
    }
    case 'info': {
      const brief = (d) => (d ? { name: d.name, length: d.length, height: d.height, width: d.width, channels: d.channels } : null);
      return { families: core ? listFamilies(core) : null, model: model ? modelInfo() : null, dataset: brief(dataset), datasetB: brief(datasetB), training: !!run, paused: !!run?.paused };
    }
    case 'exportOnnx': {
      // The ONNX path of the package (onnx.js); a translating model exports the generator of one
      // direction. Its errors (a layer without an ONNX export, a model with no generator) are
      // answered as errors like any other.
      const m = needModel();
      const direction = args.direction ?? 'ab';
      if (direction !== 'ab' && direction !== 'ba') throw new Error(`direction must be 'ab' or 'ba', got ${JSON.stringify(direction)}`);
      const options = m.capabilities.translate ? { direction, role: direction === 'ab' ? 'G_AB' : 'G_BA' } : {};
      const bytes = exportOnnx(m, options);
      const copy = bytes.slice();
      transfer.push(copy.buffer);
      return { bytes: copy.buffer, step: m.step, model: m.config.model, direction: m.capabilities.translate ? direction : null };
    }
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
      const images = needModel().sample(args.n, { seed: args.seed ?? 0, labels: args.labels, truncation: args.truncation ?? 0 });
      if (args.grid) {
        const g = grid(images, args.grid.cols ?? Math.ceil(Math.sqrt(images.n)));
        transfer.push(g.data.buffer);
        return g;
      }
      transfer.push(images.data.buffer);
      return images;
    }
    case 'decode': {
      const images = needModel().decode(new Float32Array(args.z),
        args.classWeights ? { classWeights: new Float32Array(args.classWeights) } : { labels: args.labels });
      if (args.grid) {
        const g = grid(images, args.grid.cols ?? images.n);
        transfer.push(g.data.buffer);
        return g;
      }
      transfer.push(images.data.buffer);
      return images;
    }
    case 'encode':
      return needModel().encode(new Float32Array(args.images), { labels: args.labels });
    case 'classify':
      return needModel().classify(new Float32Array(args.images));
    case 'quality':
      if (!needModel().capabilities.sample && !model.capabilities.translate) throw new Error(`a ${model.preset} model generates no images: there is no sample quality to measure`);
      return measureQuality();
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
      const value = tools.run(args.tool, args.options ?? {}, args.mask, { model, dataset, datasetB });
      transfer.push(...value.figures.map((f) => f.data.buffer));
      return value;
    }
    case 'views':
      if (args.interpolationSeeds) interpolationSeeds = args.interpolationSeeds;
      setViewOptions(args);
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

/** Whether a load is for domain B ('b') rather than the (domain A) dataset ('a' or none). */
function checkDomain(domain) {
  if (domain === undefined || domain === null || domain === 'a') return false;
  if (domain === 'b') return true;
  throw new Error(`domain must be 'a' or 'b', got ${JSON.stringify(domain)}`);
}

/** Makes `next` domain B and answers with its description and thumbnails (as for the dataset). */
function describeDomainB(next, transfer, skipped = []) {
  useDataB(next);
  const value = { ...datasetInfo(skipped, next), domain: 'b' };
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
