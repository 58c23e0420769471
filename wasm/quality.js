// quality.js — sample quality measured while a model trains (the page's Quality card), within a
// time budget, and the measured history carried in checkpoints.
//
// Every few seconds of training, evaluate() (evaluate.js) runs on QUALITY_SAMPLES samples: FID and
// KID against the shipped reference of the model's data, the class histogram and, for conditional
// models, per-class accuracy; for models that translate (CycleGAN), evaluate()'s translation
// numbers on TRANSLATION_SAMPLES images per direction (target-class rate, cycle PSNR, FID of the
// translations; see evaluate.js). A measurement starts only when, with the expected cost (the last
// measurement's, or a first guess of 6 ms per sample), the time spent measuring stays within
// QUALITY_BUDGET (10%) of the run's time so far; the tracker reports the share it actually took.
//
//   const q = new QualityTracker(core);
//   if (q.due()) { const point = await q.measure(model); ... }        // between training chunks
//   q.costShare                                                       // measured share of run time
//   const bytes = withQualityHistory(model.save(), q.history);        // checkpoint + history
//   q.history = qualityHistoryOf(bytes);                              // back from a checkpoint
import { evaluate, defaultReference } from './evaluate.js';
import { REFERENCES, loadJudge, loadReference } from './judges.js';

export const QUALITY_SAMPLES = 500;
export const TRANSLATION_SAMPLES = 100;   // per direction: each costs four generator passes, not one
export const QUALITY_EVERY_MS = 4000;   // at least this long between measurements
export const QUALITY_BUDGET = 0.1;      // measuring takes at most this share of the run's time
const METADATA_KEY = 'wasmgen_quality';
// Before the first measurement its cost is a guess: 500 samples took 1.5-2 s in a page at load
// average 8 on 2 cores (sampling, judge, metrics); 6 ms per sample leaves room for slower devices.
const FIRST_GUESS_MS_PER_SAMPLE = 6;
// A translating model's image costs four generator passes and two judge passes: 100 images took
// 9.3 s in a page at load average 8 on 2 cores (the 28x28 cyclegan preset).
const FIRST_GUESS_MS_PER_TRANSLATION = 90;

export class QualityTracker {
  constructor(core, { samples = QUALITY_SAMPLES, everyMs = QUALITY_EVERY_MS, budget = QUALITY_BUDGET } = {}) {
    this.core = core;
    this.samples = samples; this.everyMs = everyMs; this.budget = budget;
    this.history = [];        // { step, fid, kid, kidStd, covered, counts, accuracy, perClass, ms } or { step, translation, ms }
    this.firstGuessMs = FIRST_GUESS_MS_PER_SAMPLE * samples;   // the first measurement's expected cost (preload sets it)
    this.reset();
  }

  /** A new run's clock (the history stays: it belongs to the model). */
  reset() {
    this.started = performance.now();
    this.lastEnd = this.started;
    this.lastCost = 0;
    this.spentMs = 0;
    this.running = false;
  }

  /** Share of the time since reset() spent measuring. */
  get costShare() {
    const total = performance.now() - this.started;
    return total > 0 ? this.spentMs / total : 0;
  }

  /** Whether measuring now keeps the time spent measuring within the budget of the run's time. */
  due(now = performance.now()) {
    const expected = this.lastCost || this.firstGuessMs;
    return !this.running && now - this.lastEnd >= this.everyMs &&
      this.spentMs + expected <= this.budget * (now - this.started + expected);
  }

  /**
   * Starts loading the judge and reference the model's measurements will use (errors surface in
   * measure()), and guesses the first measurement's cost for this kind of model.
   */
  preload(model) {
    const translating = !model.capabilities.sample && model.capabilities.translate;
    this.firstGuessMs = translating ? FIRST_GUESS_MS_PER_TRANSLATION * Math.min(this.samples, TRANSLATION_SAMPLES) : FIRST_GUESS_MS_PER_SAMPLE * this.samples;
    if (translating) return;   // its judge follows its domains, known when it is measured
    const reference = defaultReference(model);
    Promise.all([loadJudge(this.core, REFERENCES[reference].judge), loadReference(this.core, reference)]).catch(() => {});
  }

  /**
   * Measures the model now and appends the point to the history. Resolves to { point, result }
   * (result: evaluate()'s, with judge, reference and notes).
   */
  async measure(model, domains) {
    this.running = true;
    const t0 = performance.now();
    try {
      const measured = !model.capabilities.sample && model.capabilities.translate ? await this.#translation(model, domains) : await this.#samples(model);
      const { point } = measured;
      this.lastEnd = performance.now();
      this.lastCost = this.lastEnd - t0;
      this.spentMs += this.lastCost;
      point.ms = Math.round(this.lastCost);
      this.history = [...this.history.filter((p) => p.step < point.step), point];
      return measured;
    } finally { this.running = false; }
  }

  async #samples(model) {
    const result = await evaluate(this.core, model, {
      n: this.samples, seed: 0, metrics: ['fid', 'kid', 'classes', ...(model.capabilities.classes ? ['accuracy'] : [])],
    });
    const point = {
      step: model.step, fid: result.fid, kid: result.kid.mean, kidStd: result.kid.std,
      covered: result.classes.covered, counts: result.classes.counts,
      accuracy: result.accuracy?.accuracy ?? null, perClass: result.accuracy?.perClass ?? null,
    };
    return { point, result };
  }

  /**
   * A translating model: evaluate()'s translation numbers (r.translation), on `domains`
   * ({ domainA, domainB }: Datasets, e.g. the training domains; default the test splits of the
   * built-in domains it trained on) when given.
   */
  async #translation(model, domains) {
    const n = Math.min(this.samples, TRANSLATION_SAMPLES, ...(domains ? [domains.domainA.length, domains.domainB.length] : []));
    const result = await evaluate(this.core, model, { n, seed: 0, ...domains });
    if (!result.translation) throw new Error('evaluate() gave no translation numbers for this model');
    if (domains) result.notes = [`measured on the first ${n} training images of each domain`, ...(result.notes ?? [])];
    return { point: { step: model.step, translation: result.translation }, result };
  }
}

/** The metric history as CSV: one row per measurement (translating models: per direction). */
export function qualityCsv(history) {
  if (history.some((p) => p.translation)) {
    const dirs = ['ab', 'ba'], metrics = ['targetClassRate', 'cyclePsnr', 'fid'];
    const head = ['step', ...dirs.flatMap((d) => metrics.map((m) => `${d}_${m}`)), 'n', 'ms'];
    const rows = history.map((p) => [p.step, ...dirs.flatMap((d) => metrics.map((m) => p.translation?.[d]?.[m] ?? '')), p.translation?.n ?? '', p.ms ?? '']);
    return [head, ...rows].map((r) => r.join(',')).join('\n') + '\n';
  }
  const classes = Math.max(0, ...history.map((p) => p.counts?.length ?? 0));
  const head = ['step', 'fid', 'kid', 'kid_std', 'classes_covered', 'accuracy', 'ms',
    ...Array.from({ length: classes }, (_, k) => `count_${k}`), ...Array.from({ length: classes }, (_, k) => `accuracy_${k}`)];
  const rows = history.map((p) => [p.step, p.fid, p.kid, p.kidStd, p.covered, p.accuracy ?? '', p.ms ?? '',
    ...Array.from({ length: classes }, (_, k) => p.counts?.[k] ?? ''),
    ...Array.from({ length: classes }, (_, k) => (p.perClass?.[k] ?? '') === null ? '' : p.perClass?.[k] ?? '')]);
  return [head, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}

/**
 * Checkpoint bytes with the history added to the safetensors __metadata__ (key wasmgen_quality,
 * a JSON string). Only the header changes: tensor offsets are relative to the data, which moves
 * as a whole. The core ignores metadata keys it does not know, so such files load everywhere.
 */
export function withQualityHistory(bytes, history) {
  if (!history?.length) return bytes;
  const u8 = new Uint8Array(bytes);
  const headerLen = Number(new DataView(u8.buffer, u8.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + headerLen)));
  header.__metadata__ = { ...(header.__metadata__ ?? {}), [METADATA_KEY]: JSON.stringify(history) };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length + u8.length - 8 - headerLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(u8.subarray(8 + headerLen), 8 + text.length);
  return out;
}

/** The history withQualityHistory stored, or [] (older checkpoints have none). */
export function qualityHistoryOf(bytes) {
  try {
    const u8 = new Uint8Array(bytes);
    const headerLen = Number(new DataView(u8.buffer, u8.byteOffset, 8).getBigUint64(0, true));
    const meta = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + headerLen))).__metadata__ ?? {};
    const history = JSON.parse(meta[METADATA_KEY] ?? '[]');
    return Array.isArray(history) ? history : [];
  } catch {
    return [];
  }
}
