// progress.js — training progress for terminals (a redrawn bar) and logs (a line every ~5%).
//
//   const r = new ProgressReporter(process.stderr);
//   r.update({ done, total, step, epoch, imagesPerSec, eta, losses });   // many times
//   r.finish();

function formatSeconds(s) {
  if (s === null || !Number.isFinite(s)) return '--:--';
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = String(m).padStart(2, '0'), ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatProgress(p, width = 24) {
  const frac = p.total > 0 ? p.done / p.total : 1;
  const filled = Math.round(frac * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' ');
  return `[${bar}] ${p.done}/${p.total} step ${p.step} ep ${p.epoch} | ${losses} | ${p.imagesPerSec.toFixed(0)} img/s | ETA ${formatSeconds(p.eta)}`;
}

export class ProgressReporter {
  constructor(stream, { json = false } = {}) {
    this.stream = stream;
    this.tty = !!stream.isTTY && !json;
    this.lastLine = -1;
    this.drawn = false;
  }
  update(p) {
    if (this.tty) {
      const cols = this.stream.columns || 120;
      this.stream.write(`\r${formatProgress(p).slice(0, cols - 1).padEnd(Math.min(cols - 1, this.lastWidth ?? 0))}`);
      this.lastWidth = Math.min(cols - 1, formatProgress(p).length);
      this.drawn = true;
      return;
    }
    const every = Math.max(1, Math.ceil(p.total / 20));
    const bucket = Math.floor(p.done / every);
    if (bucket !== this.lastLine || p.done === p.total) {
      if (bucket === this.lastLine && p.done !== p.total) return;
      this.lastLine = bucket;
      this.stream.write(formatProgress(p) + '\n');
    }
  }
  /** A message between progress updates (a warning), on its own line. */
  note(text) {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
    this.stream.write(`${text}\n`);
  }
  finish() {
    if (this.tty && this.drawn) this.stream.write('\n');
  }
}
