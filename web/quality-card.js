// quality-card.js — the Quality card: FID and KID over training steps, the class histogram of the
// latest samples as bars, per-class accuracy for conditional models, what measuring costs, and
// the metric history as CSV or JSON; for a model that translates, per direction the share of
// translations judged as the target class, the cycle PSNR and the FID of the translations
// (evaluate()'s r.translation, when the package gives it). The worker measures (wasm/quality.js) and sends 'quality'
// events; the history travels in checkpoints and autosaves (ModelInfo.qualityHistory).
//
//   const card = new QualityCard(document.getElementById('quality-card'));
//   card.reset(modelInfo);      // a new or loaded model: its history, shown or hidden by capability
//   card.show(qualityEvent);    // each measurement
import { LossChart } from './loss-chart.js';
import { download } from './canvas.js';
import { qualityCsv } from './wasm/quality.js';

const SERIES = [
  { name: 'fid', label: 'FID', scale: 'FID', color: '#1c7ed6' },
  { name: 'kid', label: 'KID', scale: 'KID', color: '#e8590c' },
];
// A translating model: FID and target-class rate per direction.
const TRANSLATION_SERIES = [
  { name: 'fidAB', label: 'FID A→B', scale: 'FID', color: '#1c7ed6' },
  { name: 'fidBA', label: 'FID B→A', scale: 'FID', color: '#0c8599' },
  { name: 'rateAB', label: 'target class A→B', scale: 'target-class rate', color: '#e8590c' },
  { name: 'rateBA', label: 'target class B→A', scale: 'target-class rate', color: '#ae3ec9' },
];
const DIRECTIONS = [['ab', 'A → B'], ['ba', 'B → A']];
const $ = (id) => document.getElementById(id);
const percent = (v) => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(0)}%`);
const fixed = (v, digits = 1) => (v === null || v === undefined ? '–' : Number.isFinite(v) ? v.toFixed(digits) : v > 0 ? '∞' : '–');
/** A translation point as chart values. */
const translationValues = (t) => ({ fidAB: t.ab?.fid, fidBA: t.ba?.fid, rateAB: t.ab?.targetClassRate, rateBA: t.ba?.targetClassRate });

export class QualityCard {
  constructor(card) {
    this.card = card;
    this.chart = new LossChart($('quality-chart'));
    this.history = [];
    this.model = null;
    $('quality-csv').addEventListener('click', () => this.#download('csv'));
    $('quality-json').addEventListener('click', () => this.#download('json'));
  }

  /** A new or loaded model: shows its history (from its checkpoint), if it samples at all. */
  reset(model) {
    this.model = model;
    this.card.hidden = !(model.capabilities.sample || model.capabilities.translate);
    this.translating = !model.capabilities.sample && Boolean(model.capabilities.translate);
    this.history = [...(model.qualityHistory ?? [])];
    this.chart.reset(this.translating ? TRANSLATION_SERIES : SERIES);
    for (const p of this.history) this.#plot(p);
    $('quality-cost').textContent = '';
    $('quality-caption').textContent = this.history.length ? this.#caption(this.history.at(-1)) : 'measured while training runs';
    this.card.dataset.points = String(this.history.length);
    this.#bars(this.history.at(-1) ?? null);
    this.#buttons();
  }

  /** One 'quality' event from the worker. */
  show(event) {
    if (event.error) {
      $('quality-caption').textContent = `not measured: ${event.error}`;
      return;
    }
    const p = event.point;
    this.history = event.history;
    this.#plot(p);
    $('quality-caption').textContent = this.#caption(p);
    const share = (100 * event.costShare).toFixed(1);
    const what = p.translation ? `${event.samples} images per direction` : `${event.samples} samples (seed 0) vs ${event.against}`;
    $('quality-cost').textContent = `${what}, judge ${event.judge}; ` +
      `this measurement took ${(p.ms / 1000).toFixed(2)} s; measuring has taken ${share}% of this run's time (budget 10%)` +
      (event.notes?.length ? `. ${event.notes.join('; ')}` : '');
    this.card.dataset.points = String(this.history.length);
    this.card.dataset.cost = String(event.costShare);
    this.#bars(p);
    this.#buttons();
  }

  #plot(p) {
    if (p.translation) this.chart.add(p.step, translationValues(p.translation));
    else if (!this.translating) this.chart.add(p.step, p);
  }

  #caption(p) {
    if (p.translation) {
      const t = p.translation;
      return `step ${p.step} · ${DIRECTIONS.map(([d, name]) => `${name}: ${percent(t[d]?.targetClassRate)} judged as the target class`).join(' · ')}`;
    }
    if (this.translating) return `step ${p.step}`;
    return `step ${p.step} · FID ${p.fid.toFixed(1)} · KID ${p.kid.toFixed(1)} ± ${p.kidStd.toFixed(1)} · ${p.covered}/${p.counts.length} classes`;
  }

  /** Bars of the class histogram; under each, the class's accuracy when the model is conditional. */
  #bars(p) {
    const box = $('quality-classes');
    box.replaceChildren();
    this.#translationTable(p?.translation ?? null);
    $('quality-classes-note').hidden = !p || Boolean(p.translation) || this.translating;
    if (!p || p.translation || this.translating) return;
    const most = Math.max(1, ...p.counts);
    p.counts.forEach((count, k) => {
      const column = document.createElement('div');
      column.className = 'class-bar';
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.height = `${(100 * count) / most}%`;
      bar.title = `class ${k}: ${count} samples`;
      const label = document.createElement('span');
      label.textContent = String(k);
      column.append(bar, label);
      if (p.perClass) {
        const acc = document.createElement('span');
        acc.className = 'accuracy';
        acc.textContent = p.perClass[k] === null || Number.isNaN(p.perClass[k]) ? '–' : `${Math.round(100 * p.perClass[k])}%`;
        column.append(acc);
      }
      box.append(column);
    });
    $('quality-classes-note').textContent = p.perClass
      ? `Classes the judge sees in the samples (bars) and, below, the share of each class's samples judged as the class asked for (overall ${(100 * p.accuracy).toFixed(1)}%).`
      : 'Classes the judge sees in the samples: a missing bar is a mode the generator dropped.';
  }

  /** Per direction: target-class rate, cycle PSNR and FID of the translations (r.translation). */
  #translationTable(t) {
    const table = $('quality-translation');
    table.hidden = !t;
    if (!t) { table.replaceChildren(); return; }
    const row = (cells, tag) => {
      const tr = document.createElement('tr');
      for (const text of cells) tr.append(Object.assign(document.createElement(tag), { textContent: text }));
      return tr;
    };
    const judge = t.judge?.name ?? t.judge;
    table.replaceChildren(
      Object.assign(document.createElement('caption'), { className: 'note', textContent: `${t.n ?? '?'} images per direction${judge ? `, judge ${judge}` : ''}` }),
      row(['', 'target class', 'cycle PSNR', 'FID'], 'th'),
      ...DIRECTIONS.map(([d, name]) => row([name, percent(t[d]?.targetClassRate), `${fixed(t[d]?.cyclePsnr)} dB`, fixed(t[d]?.fid)], 'td')),
    );
  }

  #buttons() {
    $('quality-csv').disabled = $('quality-json').disabled = this.history.length === 0;
  }

  #download(kind) {
    const name = `wasmgen-${this.model?.config?.model ?? 'model'}-quality`;
    if (kind === 'csv') download(new Blob([qualityCsv(this.history)], { type: 'text/csv' }), `${name}.csv`);
    else download(new Blob([JSON.stringify(this.history, null, 1)], { type: 'application/json' }), `${name}.json`);
  }
}
