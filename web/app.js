// app.js — the page: settings, buttons and views on the main thread; every training step,
// decode and sample runs in the package's worker (wasm/worker.js, driven by wasm/trainer.js).
// The main thread only paints RGBA buffers the worker sends. The model list is the core's registry
// (init() → families); which views and controls show follows the model's capabilities. A model
// with two domains (capabilities.two_domains: CycleGAN) swaps the data choice for domain A and
// domain B pickers; one that translates shows both translation directions while it trains.

import { createTrainer } from './wasm/trainer.js';
import { LossChart } from './loss-chart.js';
import { modelEntries, lossSeries, LOSS_LABELS, IMAGE_SIZES, domainLabel } from './models.js';
import { putRun, listRuns, getRun, deleteRun, newRunId } from './autosave.js';
import { paint, download, downloadSideBySide } from './canvas.js';
import { ToolsPanel } from './tools-panel.js';
import { QualityCard } from './quality-card.js';
import { createDataCard, shapeFits, FASHION_URL } from './data-card.js';

const $ = (id) => document.getElementById(id);
const MAX_MESSAGES = 3;   // older messages make way for new ones
// Autosave to IndexedDB while training (and on Pause and Stop); ?autosave=SECONDS overrides it.
const AUTOSAVE_SECONDS = 120;
const AUTOSAVE_MS = 1000 * (Number(new URLSearchParams(location.search).get('autosave')) || AUTOSAVE_SECONDS);
// ?threads=N (1..8) overrides the worker's thread count (default: the device's cores, at most 4).
const THREADS = Number(new URLSearchParams(location.search).get('threads')) || undefined;

const state = {
  phase: 'starting',     // starting | ready | busy | training | paused
  data: null,            // dataset info from the worker (domain A of a two-domain model)
  dataSource: null,      // how the data was loaded, to load it again after a worker restart
  dataB: null,           // domain B's info, for two-domain models
  dataSourceB: null,     // how domain B was loaded
  twoDomains: false,     // the Data card shows domain A and B pickers (the chosen model has two domains)
  model: null,           // model info from the worker
  modelStale: false,     // the settings no longer describe the model: Start builds a new one
  rollbacks: 0,          // divergence-guard roll-backs of the model so far, to report new ones
  lastViewsStep: 0,
  fashionAvailable: undefined,   // whether this build bundles Fashion-MNIST (asked once)
  loadingData: false,    // a crash while loading data means that data is not loaded again
  runId: null,           // IndexedDB key under which this model's checkpoints are autosaved
  autosaveFailed: null,  // the last autosave error shown, so a failing store is reported once
};

const chart = new LossChart($('loss-chart'));
const quality = new QualityCard($('quality-card'));
// The package's worker client (wasm/trainer.js): the same API apps get from 'wasmgen/worker'.
const client = createTrainer({ onEvent, onRestart });
const tools = new ToolsPanel({ client, report: (e) => report(e), augmentText: () => $('augment').value });
// The Data card (data-card.js): datasets, own images and the two domains' pickers.
const { loadData, ownImages, useDataMode, fillDomainOptions, domainChosen, droppedFiles } =
  createDataCard({ state, client, tools, setPhase, busy, notify, markStale });
// For the browser console and tests: the worker client (e.g. wasmgen.client.restart('why')), the loss chart.
globalThis.wasmgen = { client, tools, chart, quality };

// Offline after the first visit: sw.js caches the site (see its header). A page opened from a
// file or a host without service workers simply stays online-only.
const offlineReady = 'serviceWorker' in navigator
  ? navigator.serviceWorker.register(new URL('./sw.js', import.meta.url), { scope: './' })
    .then(() => navigator.serviceWorker.ready)
    .catch((e) => { console.warn(`offline mode unavailable: ${e.message}`); return null; })
  : Promise.resolve(null);
globalThis.wasmgen.offlineReady = offlineReady;

// ---------- messages ----------

function notify(text, kind = 'info') {
  const item = document.createElement('div');
  item.className = `message ${kind}`;
  item.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const body = document.createElement('span');
  body.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => item.remove());
  item.append(body, close);
  $('messages').append(item);
  while ($('messages').children.length > MAX_MESSAGES) $('messages').firstElementChild.remove();
  if (kind !== 'error') setTimeout(() => item.remove(), 8000);
}

/** Shows an error, unless it is a request lost with a crashed worker (onRestart tells that). */
function report(error) {
  if (!error?.workerLost) notify(explain(error), 'error');
}

function explain(error) {
  const text = error?.message ?? String(error);
  if (/out of memory/i.test(text)) return `${text}. Try a smaller batch, a smaller image size or fewer images.`;
  return text;
}

// ---------- formatting ----------

const integer = new Intl.NumberFormat('en');
function duration(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
let MODELS = [];   // the registry's presets as the form shows them (models.js), once init() answered
const modelEntry = (name) => MODELS.find((m) => m.model === name) ?? MODELS[0];

// ---------- painting ----------

// ---------- state and buttons ----------

function setPhase(phase) {
  state.phase = phase;
  const idle = phase === 'ready';
  $('start').disabled = !(idle && state.data && (!state.twoDomains || state.dataB));
  $('pause').disabled = phase !== 'training';
  $('resume').disabled = phase !== 'paused';
  $('stop').disabled = !(phase === 'training' || phase === 'paused');
  const locked = !idle;
  for (const el of document.querySelectorAll('#data-card input, #data-card select, #model-card input, #model-card select, #checkpoint-input')) el.disabled = locked;
  if ($('latent').dataset.none) $('latent').disabled = true;
  if (!state.fashionAvailable) $('dataset-choice').querySelector('[value=fashion]').disabled = true;
  for (const id of ['drop-zone', 'domain-a-drop', 'domain-b-drop']) $(id).classList.toggle('disabled', locked);
  $('download-checkpoint').disabled = !(state.model && (idle || phase === 'paused'));
  $('download-onnx').disabled = $('download-checkpoint').disabled;
  $('download-grid').disabled = !viewsToDownload();
  $('new-pair').disabled = !state.model || phase === 'starting' || phase === 'busy';
  $('engine').classList.toggle('live', phase === 'training');
}

/** Runs an action that occupies the worker, with buttons locked and errors shown. */
async function busy(action) {
  const before = state.phase;
  setPhase('busy');
  try {
    await action();
  } catch (e) {
    report(e);
  } finally {
    if (state.phase === 'busy') setPhase(before === 'starting' ? 'ready' : before);
  }
}

// ---------- settings form ----------

/** The model list from the core's registry (once; a restarted worker has the same registry). */
function fillModelOptions(families) {
  if (MODELS.length) return;
  MODELS = modelEntries(families);
  for (const m of MODELS) $('model-select').append(new Option(m.label, m.model));
  applyDefaults(MODELS[0]);
}

function applyDefaults(entry) {
  $('model-about').textContent = entry.about;
  const d = entry.defaults;
  $('latent').value = d.latent;
  $('latent').dataset.none = d.latent ? '' : 'yes';   // a classifier has no latent space
  $('latent').disabled = !d.latent || state.phase !== 'ready';
  $('lr').value = d.lr;
  $('batch').value = d.batch;
  $('length').value = d.length;
  $('unit').value = d.unit;
  if (!$('seed').value) $('seed').value = 1;
}

function readSettings() {
  const number = (id, what, { integer: whole = true, min = 0 } = {}) => {
    const v = Number($(id).value);
    if ($(id).value.trim() === '' || !Number.isFinite(v) || (whole && !Number.isInteger(v)) || v < min) {
      $(id).focus();
      throw new Error(`${what} must be ${whole ? 'a whole number' : 'a number'} of at least ${min}`);
    }
    return v;
  };
  return {
    model: $('model-select').value,
    latent: $('latent').dataset.none ? 0 : number('latent', 'Latent size', { min: 1 }),
    batch: number('batch', 'Batch size', { min: 2 }),
    lr: number('lr', 'Learning rate', { integer: false, min: 1e-12 }),
    seed: number('seed', 'Seed'),
    length: number('length', 'Training length', { min: 1 }),
    unit: $('unit').value,
    augment: $('augment').value.trim(),
  };
}

function describeModel() {
  const m = state.model;
  if (!m) { $('model-status').textContent = 'A new model is built from these settings when you press Start.'; return; }
  const entry = modelEntry(m.preset);
  const shape = `${m.width}×${m.height}${m.channels === 3 ? ' RGB' : ''}`;
  const augment = m.config.augment ? `, augmentation ${m.config.augment}` : '';
  let text = `Current model: ${entry.label}, ${shape}, ${integer.format(m.parameters)} parameters${augment}, step ${integer.format(m.step)}.`;
  if (state.modelStale) text += ' Settings changed: Start builds a new model (download a checkpoint first to keep this one).';
  $('model-status').textContent = text;
}

function markStale() {
  if (state.model && !state.modelStale) {
    state.modelStale = true;
    describeModel();
  }
}

// ---------- worker events ----------

function onEvent(event) {
  if (event.event === 'progress') showProgress(event);
  else if (event.event === 'views') showViews(event);
  else if (event.event === 'quality') quality.show(event);
  else if (event.event === 'loading') $('data-status').textContent = `Decoding ${integer.format(event.done)} / ${integer.format(event.total)} files…`;
}

/** Progress display for a model that is not training: its step and epoch, nothing running. */
function showIdleProgress(model) {
  $('progress-fill').style.width = '0%';
  $('stat-step').textContent = integer.format(model.step);
  $('stat-epoch').textContent = integer.format(model.epoch);
  $('stat-speed').textContent = '–';
  $('stat-eta').textContent = '–';
  $('loss-caption').textContent = '';
}

function showProgress(p) {
  const fraction = p.total ? p.done / p.total : 0;
  $('progress-fill').style.width = `${(fraction * 100).toFixed(1)}%`;
  $('progress-fill').parentElement.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
  $('stat-step').textContent = integer.format(p.step);
  $('stat-epoch').textContent = integer.format(p.epoch);
  $('stat-speed').textContent = integer.format(Math.round(p.imagesPerSec));
  $('stat-eta').textContent = duration(p.eta);
  chart.add(p.step, p.losses);
  const names = Object.keys(p.losses);
  $('loss-caption').textContent = names.map((n) => `${LOSS_LABELS[n] ?? n} ${p.losses[n].toPrecision(3)}`).join(' · ');
  if (state.model) { state.model.step = p.step; describeModel(); }
  if (p.guard.rollbacks > state.rollbacks) {
    state.rollbacks = p.guard.rollbacks;
    notify(`Training diverged; the model was rolled back and the learning rate halved to ${p.guard.lr.toPrecision(2)}.`, 'error');
  }
}

/**
 * Paints a views event: what exists depends on the model's capabilities (worker.js views()).
 * Each canvas records what it shows (data-rows, data-dimension, data-pair) for tests and tools.
 */
function showViews(v) {
  const step = integer.format(v.step);
  if (v.samples) {
    paint($('samples'), v.samples);
    $('samples').dataset.rows = v.sampleRows;
    $('samples-caption').textContent = v.sampleRows === 'classes' ? `one row per class, fixed noise · step ${step}`
      : `${v.sampleRows === 'seed' ? '' : `${v.sampleRows}, `}fixed noise · step ${step}`;
  } else if (v.predictions) {
    paint($('samples'), v.predictions.grid);
    $('samples').dataset.rows = 'predictions';
    const a = v.accuracy;
    $('samples-caption').textContent = `accuracy ${(a.accuracy * 100).toFixed(1)}% on ${integer.format(a.images)} ${a.heldOut ? 'held-out test' : 'training'} images · step ${step}`;
    const rows = [];
    for (let i = 0; i < v.predictions.labels.length; i += 8) {
      rows.push(v.predictions.labels.slice(i, i + 8).map((k, j) => (k === v.predictions.truth[i + j] ? String(k) : `${k}✗`)).join(' '));
    }
    $('predictions').textContent = `Predicted classes, row by row (✗: wrong): ${rows.join(' | ')}`;
  }
  $('predictions').hidden = !v.predictions;
  $('samples-placeholder').hidden = !!(v.samples || v.predictions);
  if (v.interpolation) paint($('interpolation'), v.interpolation);
  if (v.latentStrip) {
    paint($('latent-strip'), v.latentStrip);
    $('latent-strip').dataset.dimension = String(v.options.latentDimension);
  }
  if (v.classInterpolation) {
    paint($('class-interpolation'), v.classInterpolation);
    $('class-interpolation').dataset.pair = v.options.classPair.join(',');
  }
  $('reconstruction-card').hidden = !v.reconstruction;
  if (v.reconstruction) paint($('reconstruction'), v.reconstruction);
  for (const [id, g] of [['translation-ab', v.translationAB], ['translation-ba', v.translationBA]]) {
    if (!g) continue;
    paint($(id), g);
    $(id).dataset.step = String(v.step);
  }
  if (v.translationAB || v.translationBA) $('translation-caption').textContent = `step ${step}`;
  state.lastViewsStep = v.step;
  $('download-grid').disabled = !viewsToDownload();
}

/** The canvases Download grid saves: the samples (or predictions), or both translation views. */
function viewsToDownload() {
  if (!$('translation-card').hidden) return ['translation-ab', 'translation-ba'].every((id) => $(id).classList.contains('painted')) ? [$('translation-ab'), $('translation-ba')] : null;
  return $('samples').classList.contains('painted') ? [$('samples')] : null;
}


/** Shows the cards and controls this model's capabilities call for, reset to their defaults. */
function setupViews(model) {
  const { sample, classes, classify, translate } = model.capabilities;
  quality.reset(model);
  const conditional = sample && classes;
  $('samples-card').hidden = !(sample || classify);
  $('translation-card').hidden = !translate;
  $('translation-caption').textContent = 'appear once the model trains';
  for (const id of ['translation-ab', 'translation-ba']) { $(id).classList.remove('painted'); delete $(id).dataset.step; }
  $('onnx-direction-label').hidden = !translate;
  $('interpolation-card').hidden = !sample;
  $('latent-card').hidden = !sample;
  $('class-interpolation-card').hidden = !conditional;
  $('class-picker').hidden = !conditional;
  $('predictions').hidden = true;
  const classOptions = () => Array.from({ length: model.classes }, (_, k) => new Option(`class ${k}`, String(k)));
  $('sample-class').replaceChildren(new Option('all classes as rows', 'all'), ...(conditional ? classOptions() : []));
  $('class-a').replaceChildren(...(conditional ? classOptions() : []));
  $('class-b').replaceChildren(...(conditional ? classOptions() : []));
  if (conditional) { $('class-a').value = '0'; $('class-b').value = String(Math.min(1, model.classes - 1)); }
  $('latent-dim').max = String(Math.max(0, model.latent - 1));
  $('latent-dim').value = '0';
  $('latent-dim-value').textContent = '0';
  for (const id of ['samples', 'latent-strip', 'class-interpolation']) delete $(id).dataset.rows;
}

/** What the views should show, as the controls say (trainer.requestViews options). */
function viewChoices() {
  const pick = $('sample-class').value;
  const choices = { sampleClass: pick === 'all' ? null : Number(pick), latentDimension: Number($('latent-dim').value) };
  if (!$('class-interpolation-card').hidden) choices.classPair = [Number($('class-a').value), Number($('class-b').value)];
  return choices;
}

async function onRestart(reason) {
  const lost = [state.model && 'the model was lost (download checkpoints to keep progress)',
    state.loadingData && 'the data it was loading is skipped, MNIST is loaded instead'].filter(Boolean);
  notify(`The training worker stopped (${reason}). A new one was started${lost.length ? `; ${lost.join('; ')}` : ''}.`, 'error');
  const source = state.loadingData ? undefined : state.dataSource;
  const sourceB = state.loadingData ? undefined : state.dataSourceB;
  tools.workerRestarted();
  state.model = null;
  state.modelStale = false;
  state.data = null;
  state.dataB = null;
  state.dataSourceB = null;
  state.loadingData = false;
  describeModel();
  setPhase('starting');
  await start(source, sourceB);
}

// ---------- training ----------

async function startTraining() {
  let settings;
  try { settings = readSettings(); } catch (e) { notify(e.message, 'error'); return; }
  const data = state.data;
  // The model that will train: the current one, or a new one from the settings.
  const keep = state.model && !state.modelStale;
  const entry = modelEntry(keep ? state.model.preset : settings.model);
  const capabilities = keep ? state.model.capabilities : entry.capabilities;
  if (capabilities.classes && !data.labelled) {
    notify(`${entry.label} needs a class label for every training image, and the training data (${datasetLabel(state.dataSource)}) has none: choose MNIST or Fashion-MNIST, or a model without classes.`, 'error');
    return;
  }
  if (capabilities.two_domains) {
    const b = state.dataB;
    if (!b) { notify(`${entry.label} translates between two domains: choose domain B as well as domain A.`, 'error'); return; }
    if (b.height !== data.height || b.width !== data.width || b.channels !== data.channels) {
      const shape = (d) => `${d.width}×${d.height} ${d.channels === 3 ? 'RGB' : 'grey'}`;
      notify(`Domain A holds ${shape(data)} images and domain B ${shape(b)}: both domains need the same size and colour (load your images again at the other's size).`, 'error');
      return;
    }
  }
  await busy(async () => {
    if (!state.model || state.modelStale) {
      const config = { model: settings.model, lr: settings.lr, seed: settings.seed,
        height: data.height, width: data.width, channels: data.channels };
      if (settings.latent) config.latent = settings.latent;
      if (settings.augment) config.augment = settings.augment;
      state.model = await client.createModel(config);
      state.runId = newRunId();
      state.modelStale = false;
      state.rollbacks = state.model.guard.rollbacks;
      chart.reset(lossSeries(state.model.lossGroups));
      showIdleProgress(state.model);
      setupViews(state.model);
      await client.requestViews(viewChoices());
    } else if (!chart.points) {
      chart.reset(lossSeries(state.model.lossGroups));
    }
    describeModel();
  });
  if (!state.model || state.modelStale) return;
  const steps = settings.unit === 'epochs' ? Math.max(1, Math.round((settings.length * data.length) / settings.batch)) : settings.length;
  $('run-status').textContent = `Training ${integer.format(steps)} steps of ${settings.batch} images…`;
  $('progress-fill').style.width = '0%';
  setPhase('training');
  const timer = setInterval(() => { if (state.phase === 'training') autosave(); }, AUTOSAVE_MS);
  try {
    const result = await client.train({ steps, batch: settings.batch });
    state.model.step = result.step;
    $('run-status').textContent = result.stopped
      ? `Stopped at step ${integer.format(result.step)}. Start continues training this model.`
      : `Done: ${integer.format(result.done)} steps (now at step ${integer.format(result.step)}). Start trains further.`;
  } catch (e) {
    report(e);
    $('run-status').textContent = 'Training stopped by an error.';
  } finally {
    clearInterval(timer);
    if (state.phase === 'training' || state.phase === 'paused') setPhase('ready');
    describeModel();
  }
  await autosave();
}

async function pause() {
  await client.pause();
  if (state.phase === 'training') {
    setPhase('paused');
    $('run-status').textContent = 'Paused. Resume continues, Stop ends this run.';
    await autosave();
  }
}

async function resume() {
  await client.resume();
  if (state.phase === 'paused') {
    setPhase('training');
    $('run-status').textContent = 'Training…';
  }
}

// ---------- checkpoints and downloads ----------

async function saveCheckpoint() {
  try {
    const { bytes, step, model } = await client.request('saveCheckpoint');
    download(new Blob([bytes], { type: 'application/octet-stream' }), `wasmgen-${model}-step${step}.safetensors`);
  } catch (e) { report(e); }
}

/** The generator as ONNX (a translating model's for the chosen direction); a failed export is a message. */
async function saveOnnx() {
  if (!state.model) return;
  const direction = state.model.capabilities.translate ? $('onnx-direction').value : undefined;
  delete $('download-onnx').dataset.outcome;   // 'saved' or 'failed' once this attempt ends (tests wait on it)
  try {
    const { bytes, step, model } = await client.request('exportOnnx', { direction });
    download(new Blob([bytes], { type: 'application/octet-stream' }), `wasmgen-${model}${direction ? `-${direction}` : ''}-step${step}.onnx`);
    $('download-onnx').dataset.outcome = 'saved';
  } catch (e) {
    if (!e?.workerLost) notify(`ONNX export failed: ${e.message}`, 'error');
    $('download-onnx').dataset.outcome = 'failed';
  }
}

async function loadCheckpoint(file) {
  await busy(async () => {
    await loadCheckpointBytes(await file.arrayBuffer(), file.name);
    state.runId = newRunId();
  });
}

/** Loads checkpoint bytes into the worker and the settings form (inside busy()). */
async function loadCheckpointBytes(bytes, name, { quiet = false } = {}) {
  let info;
  try {
    info = await client.loadModel(bytes);
  } catch (e) {
    throw new Error(`${name} is not a usable checkpoint: ${e.message}`);
  }
  state.model = info;
  state.modelStale = false;
  state.rollbacks = info.guard.rollbacks;
  const entry = modelEntry(info.preset);
  if ($('model-select').value !== entry.model) {
    // Another kind of model: its batch and training length (checkpoints do not keep them).
    $('batch').value = entry.defaults.batch;
    $('length').value = entry.defaults.length;
    $('unit').value = entry.defaults.unit;
  }
  $('model-select').value = entry.model;
  $('model-about').textContent = entry.about;
  await useDataMode(Boolean(info.capabilities.two_domains));
  $('latent').value = info.latent;
  $('latent').dataset.none = info.latent ? '' : 'yes';
  $('lr').value = info.config.lr;
  $('seed').value = info.config.seed;
  $('augment').value = info.config.augment ?? '';
  tools.refresh();
  chart.reset(lossSeries(info.lossGroups));
  showIdleProgress(info);
  setupViews(info);
  describeModel();
  const where = info.trainedOn ? ` (trained on ${info.trainedOn})` : '';
  if (!quiet) notify(`Loaded ${name}: ${entry.label} at step ${integer.format(info.step)}${where}. Start continues training it.`);
  if (!shapeFits(info, state.data)) notify(`This model makes ${info.width}×${info.height}${info.channels === 3 ? ' RGB' : ''} images; choose data of that size to train it further.`);
  await client.requestViews(viewChoices());
  return info;
}

// ---------- autosave and saved runs (IndexedDB, see autosave.js) ----------

function datasetLabel(source, sourceB = null) {
  if (!source) return 'no data';
  const label = source.kind === 'files' ? 'your images' : domainLabel(source.name);
  return sourceB ? `${label} ↔ ${sourceB.kind === 'files' ? 'your images' : domainLabel(sourceB.name)}` : label;
}

/** Saves the current model's checkpoint under its run id; errors are shown once, never thrown. */
async function autosave() {
  if (!state.model || !state.runId || state.modelStale) return;
  try {
    const { bytes, step } = await client.request('saveCheckpoint');
    const model = state.model.config.model;
    const brief = (s) => (s ? { kind: s.kind, name: s.name ?? null } : null);
    const source = brief(state.dataSource);
    // A two-domain model's second domain is saved beside the first (older records have no datasetB).
    const sourceB = state.model.capabilities.two_domains ? brief(state.dataSourceB) : null;
    await putRun({ id: state.runId, model, label: modelEntry(model).label, config: state.model.config,
      dataset: source, datasetB: sourceB, datasetLabel: datasetLabel(source, sourceB), step, savedAt: Date.now(), bytes });
    state.autosaveFailed = null;
    await showSavedRuns();
  } catch (e) {
    if (e?.workerLost) return;
    if (state.autosaveFailed !== e.message) notify(`${e.message}. Training goes on.`, 'error');
    state.autosaveFailed = e.message;
  }
}

async function showSavedRuns() {
  let runs;
  try { runs = await listRuns(); } catch (e) { notify(e.message, 'error'); $('saved-runs').hidden = true; return; }
  const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  $('saved-runs-list').replaceChildren(...runs.map((run) => {
    const li = document.createElement('li');
    li.dataset.run = run.id;
    const text = document.createElement('span');
    const current = run.id === state.runId ? ' · this run' : '';
    text.textContent = `${run.label} on ${run.datasetLabel} · step ${integer.format(run.step)} · saved ${timeFormat.format(run.savedAt)}${current}`;
    const what = `${run.label} at step ${run.step}`;
    const resumeButton = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Resume' });
    resumeButton.setAttribute('aria-label', `Resume saved run: ${what}`);
    resumeButton.className = 'small';
    resumeButton.addEventListener('click', () => resumeRun(run.id));
    const deleteButton = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Delete' });
    deleteButton.setAttribute('aria-label', `Delete saved run: ${what}`);
    deleteButton.className = 'small';
    deleteButton.addEventListener('click', async () => {
      try { await deleteRun(run.id); } catch (e) { notify(e.message, 'error'); }
      if (run.id === state.runId) state.runId = null;
      await showSavedRuns();
    });
    li.append(text, resumeButton, deleteButton);
    return li;
  }));
  $('saved-runs').hidden = runs.length === 0;
  $('saved-runs').dataset.listed = String(runs.length);   // how many the store held: tests wait for it
}

/** Loads a saved run's checkpoint (the Load checkpoint path) and its built-in data. */
async function resumeRun(id) {
  if (state.phase !== 'ready') { notify('Stop training before resuming a saved run.', 'error'); return; }
  await busy(async () => {
    const run = await getRun(id);
    if (!run) throw new Error('That saved run is gone (deleted in another tab?)');
    const source = run.dataset, sourceB = run.datasetB ?? null;
    const differs = (current, saved) => current?.kind !== 'builtin' || current.name !== saved.name;
    if (sourceB) state.twoDomains = true;   // the domain pickers apply; loadCheckpointBytes shows them
    if (source?.kind === 'builtin' && differs(state.dataSource, source)) await loadData({ kind: 'builtin', name: source.name });
    if (sourceB?.kind === 'builtin' && differs(state.dataSourceB, sourceB)) await loadData({ kind: 'builtin', name: sourceB.name }, 'b');
    const info = await loadCheckpointBytes(run.bytes, `saved run "${run.label}"`, { quiet: true });
    state.runId = run.id;
    const own = [source?.kind === 'files' && (sourceB ? 'domain A' : 'your own images'), sourceB?.kind === 'files' && 'domain B'].filter(Boolean);
    const data = own.length
      ? ` It was trained on your own images (${own.join(' and ')}): drop them again (same size and colour) before pressing Start.`
      : '';
    notify(`Resumed ${run.label} on ${run.datasetLabel} at step ${integer.format(info.step)}. Start continues training it.${data}`);
    if (source?.kind === 'files' && !sourceB) {
      document.querySelector('input[name=dataset][value=files]').checked = true;
      $('own-images').hidden = false;
    }
    for (const [domain, saved] of [['a', sourceB && source], ['b', sourceB]]) {
      if (saved?.kind !== 'files') continue;
      $(`domain-${domain}-choice`).value = 'files';
      $(`domain-${domain}-drop`).hidden = false;
      $('domain-format').hidden = false;
    }
  });
  await showSavedRuns();
}

// ---------- start-up ----------

async function fashionBundled() {
  try {
    const res = await fetch(`${FASHION_URL}train-images-idx3-ubyte.gz`, { method: 'HEAD' });
    return res.ok;
  } catch { return false; }
}

/** Sets up a (new) worker and loads `source`, the built-in MNIST by default (and domain B's `sourceB`). */
async function start(source = { kind: 'builtin', name: 'mnist' }, sourceB = null) {
  try {
    const { simd, threads, whyOneThread, families } = await client.init({ threads: THREADS });
    fillModelOptions(families);
    const kind = /simd/.test(simd) ? 'SIMD' : 'no SIMD';
    $('engine').textContent = `WebAssembly ${kind} · ${threads} thread${threads === 1 ? '' : 's'}`;
    $('engine').title = threads > 1 ? `training uses ${threads} cores; results are the same bits as with one`
      : `one thread: ${whyOneThread}`;
    state.fashionAvailable ??= await fashionBundled();
    if (!state.fashionAvailable) {
      $('fashion-note').hidden = false;
      $('fashion-note').textContent = 'Fashion-MNIST is not bundled with this build (install the Debian package dataset-fashion-mnist and rebuild).';
    }
    fillDomainOptions();
    await loadData(source);
    if (sourceB) await loadData(sourceB, 'b');
    setPhase('ready');
    describeModel();
    await showSavedRuns();
  } catch (e) {
    notify(`Could not start: ${explain(e)}`, 'error');
    setPhase('ready');
  }
}

/** Files and folders dropped on `zone` go to `take` (while the page is idle). */
function wireDropZone(zone, take) {
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', async (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (state.phase !== 'ready') return;
    try { take(await droppedFiles(e.dataTransfer)); } catch (err) { notify(`Could not read the dropped files: ${err.message}`, 'error'); }
  });
}

function wire() {
  for (const size of IMAGE_SIZES) {
    $('image-size').append(new Option(`${size} × ${size}`, String(size)));
    $('domain-size').append(new Option(`${size} × ${size}`, String(size)));
  }
  describeModel();
  $('model-select').addEventListener('change', () => {
    const entry = modelEntry($('model-select').value);
    applyDefaults(entry);
    markStale();
    busy(() => useDataMode(Boolean(entry.capabilities.two_domains)));
  });
  for (const domain of ['a', 'b']) {
    $(`domain-${domain}-choice`).addEventListener('change', () => domainChosen(domain));
    for (const kind of ['files', 'folder']) {
      $(`domain-${domain}-${kind}`).addEventListener('change', (e) => { ownImages(e.target.files, domain); e.target.value = ''; });
    }
    wireDropZone($(`domain-${domain}-drop`), (files) => ownImages(files, domain));
  }
  for (const id of ['latent', 'lr', 'seed', 'augment']) $(id).addEventListener('input', markStale);
  $('dataset-choice').addEventListener('change', (e) => {
    const value = e.target.value;
    $('own-images').hidden = value !== 'files';
    if (value !== 'files') busy(() => loadData({ kind: 'builtin', name: value }));
  });
  $('file-input').addEventListener('change', (e) => { ownImages(e.target.files); e.target.value = ''; });
  $('folder-input').addEventListener('change', (e) => { ownImages(e.target.files); e.target.value = ''; });
  wireDropZone($('drop-zone'), (files) => ownImages(files));
  // A file dropped outside the zone would otherwise replace the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
  $('start').addEventListener('click', startTraining);
  $('pause').addEventListener('click', () => pause().catch(report));
  $('resume').addEventListener('click', () => resume().catch(report));
  $('stop').addEventListener('click', () => client.stop().catch(report));
  $('download-checkpoint').addEventListener('click', saveCheckpoint);
  $('download-grid').addEventListener('click', () => {
    const canvases = viewsToDownload();
    const what = canvases?.length > 1 ? '-translations' : '';
    if (canvases) downloadSideBySide(canvases, `wasmgen-${state.model?.config.model ?? 'samples'}${what}-step${state.lastViewsStep}.png`);
  });
  $('download-onnx').addEventListener('click', saveOnnx);
  $('checkpoint-input').addEventListener('change', (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (file) loadCheckpoint(file);
  });
  const showChoices = () => { if (state.model) client.requestViews(viewChoices()).catch(report); };
  $('sample-class').addEventListener('change', showChoices);
  $('class-a').addEventListener('change', showChoices);
  $('class-b').addEventListener('change', showChoices);
  $('latent-dim').addEventListener('input', () => { $('latent-dim-value').textContent = $('latent-dim').value; showChoices(); });
  let pair = 1;
  $('new-pair').addEventListener('click', () => {
    pair += 2;
    client.requestViews({ interpolationSeeds: [pair, pair + 1] }).catch(report);
  });
  setPhase('starting');
}

wire();
start();
