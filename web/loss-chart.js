// loss-chart.js — the live loss chart (uPlot): one line per loss, one y axis per scale, redrawn
// at most once per animation frame however often points arrive.
//
//   const chart = new LossChart(element);
//   chart.reset(lossSeries(model.lossGroups));   // new model: new series (models.js)
//   chart.add(step, { recon: 140.2, kl: 21.5 });

import uPlot from './vendor/uPlot.esm.js';

const MAX_POINTS = 4000;   // beyond this, neighbouring points are averaged in pairs
const STEP_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];   // whole steps only

/** As tall as the sample grid beside it in the two-column layout, shorter when stacked (styles.css). */
const WIDE_LAYOUT = matchMedia('(min-width: 821px)');
const chartHeight = () => (WIDE_LAYOUT.matches ? 296 : 220);

/** An axis shows one series' label, or its group's name when several series share it. */
function axisLabel(series, scale) {
  const on = series.filter((s) => s.scale === scale);
  return on.length === 1 ? on[0].label : scale;
}

export class LossChart {
  constructor(container) {
    this.container = container;
    this.plot = null;
    this.series = [];
    this.columns = [[]];
    this.redrawQueued = false;
    new ResizeObserver(() => this.plot?.setSize({ width: this.#width(), height: chartHeight() })).observe(container);
  }

  #width() { return Math.max(200, this.container.clientWidth); }

  /** Starts an empty chart for `series` (lossSeries() in models.js): one y axis per scale. */
  reset(series) {
    this.plot?.destroy();
    this.container.replaceChildren();   // the placeholder text
    this.container.classList.add('empty');
    this.series = series;
    this.columns = [[], ...series.map(() => [])];
    const scales = [...new Set(series.map((s) => s.scale))];
    const axis = (scale, side) => ({
      scale, side, stroke: '#5c6370', grid: { show: side === 3, stroke: '#e9ecef' }, ticks: { show: false },
      size: 52, label: axisLabel(series, scale), labelSize: 18,
      labelFont: '12px system-ui, sans-serif', font: '11px system-ui, sans-serif',
    });
    this.plot = new uPlot({
      width: this.#width(), height: chartHeight(),
      scales: { x: { time: false } },
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },   // names only: the current values are in the card's caption
      series: [
        { label: 'step' },
        ...series.map((s) => ({ label: s.label, scale: s.scale, stroke: s.color, width: 1.5 })),
      ],
      axes: [
        { stroke: '#5c6370', grid: { stroke: '#e9ecef' }, ticks: { show: false }, incrs: STEP_TICKS, font: '11px system-ui, sans-serif', label: 'step', labelSize: 18, labelFont: '12px system-ui, sans-serif' },
        ...scales.map((scale, i) => axis(scale, i === 0 ? 3 : 1)),
      ],
    }, this.columns, this.container);
  }

  /** Appends one point (losses by name) and schedules a redraw. */
  add(step, losses) {
    if (!this.plot) return;
    this.container.classList.remove('empty');
    this.columns[0].push(step);
    this.series.forEach((s, i) => this.columns[i + 1].push(losses[s.name] ?? null));
    if (this.columns[0].length > MAX_POINTS) {
      this.columns = this.columns.map((col) => col.reduce((out, v, j) => {
        if (j % 2 === 0) out.push(v);
        else out[out.length - 1] = v == null || out[out.length - 1] == null ? v : (out[out.length - 1] + v) / 2;
        return out;
      }, []));
    }
    if (!this.redrawQueued) {
      this.redrawQueued = true;
      requestAnimationFrame(() => {
        this.redrawQueued = false;
        this.plot?.setData(this.columns);
      });
    }
  }

  get points() { return this.columns[0].length; }
}
