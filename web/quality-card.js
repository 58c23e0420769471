// quality-card.js — the Quality card: FID and KID over training steps, the class histogram of the
// latest samples as bars, per-class accuracy for conditional models, what measuring costs, and
// the metric history as CSV or JSON. The worker measures (wasm/quality.js) and sends 'quality'
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
const $ = (id) => document.getElementById(id);

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
    this.card.hidden = !model.capabilities.sample;
    this.history = [...(model.qualityHistory ?? [])];
    this.chart.reset(SERIES);
    for (const p of this.history) this.chart.add(p.step, p);
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
    this.chart.add(p.step, p);
    $('quality-caption').textContent = this.#caption(p);
    const share = (100 * event.costShare).toFixed(1);
    $('quality-cost').textContent = `${event.samples} samples (seed 0) vs ${event.against}, judge ${event.judge}; ` +
      `this measurement took ${(p.ms / 1000).toFixed(2)} s; measuring has taken ${share}% of this run's time (budget 10%)` +
      (event.notes?.length ? `. ${event.notes.join('; ')}` : '');
    this.card.dataset.points = String(this.history.length);
    this.card.dataset.cost = String(event.costShare);
    this.#bars(p);
    this.#buttons();
  }

  #caption(p) {
    return `step ${p.step} · FID ${p.fid.toFixed(1)} · KID ${p.kid.toFixed(1)} ± ${p.kidStd.toFixed(1)} · ${p.covered}/${p.counts.length} classes`;
  }

  /** Bars of the class histogram; under each, the class's accuracy when the model is conditional. */
  #bars(p) {
    const box = $('quality-classes');
    box.replaceChildren();
    $('quality-classes-note').hidden = !p;
    if (!p) return;
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

  #buttons() {
    $('quality-csv').disabled = $('quality-json').disabled = this.history.length === 0;
  }

  #download(kind) {
    const name = `wasmgen-${this.model?.config?.model ?? 'model'}-quality`;
    if (kind === 'csv') download(new Blob([qualityCsv(this.history)], { type: 'text/csv' }), `${name}.csv`);
    else download(new Blob([JSON.stringify(this.history, null, 1)], { type: 'application/json' }), `${name}.json`);
  }
}
