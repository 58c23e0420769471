// page-progress.js — what the page's own drawing costs training: the built page in headless
// Chromium (tests/browser-session.js, cross-origin isolated), and in it a second worker client
// (wasm/trainer.js, as the page's) that trains the default GAN (seed 1, batch 64, no views, no
// quality measurements) while the main thread draws each progress event in one of these ways:
//
//   none        nothing: the worker's own speed in this page
//   bar         the page's progress bar, as styled now (web/styles.css .fill), and the step text
//   transition  the same bar with the 0.2 s width transition the page had until 2026-12-02
//   chart       the live loss chart (web/loss-chart.js)
//
// The ways run in interleaved rounds (a, b, c, d, a, b, …) in one page, so a busy VM affects each
// alike; it prints the median steps/s of each, its lowest-highest round and its ratio to `none`.
//
//   node bench/page-progress.js [--steps 600] [--rounds 3] [--threads 2] [--ways none,bar,transition,chart]
import { parseArgs } from 'node:util';
import { openBrowserSession, closeBrowserSession, waitForText } from '../tests/browser-session.js';

const { values: args } = parseArgs({ options: {
  steps: { type: 'string', default: '600' }, rounds: { type: 'string', default: '3' },
  threads: { type: 'string', default: '2' }, ways: { type: 'string', default: 'none,bar,transition,chart' },
} });
const STEPS = Number(args.steps), ROUNDS = Number(args.rounds), THREADS = Number(args.threads);
const WAYS = args.ways.split(',');
const KNOWN = ['none', 'bar', 'transition', 'chart'];
if (!(STEPS > 0 && ROUNDS > 0 && THREADS >= 1)) throw new Error('--steps, --rounds and --threads must be positive numbers');
for (const w of WAYS) if (!KNOWN.includes(w)) throw new Error(`unknown way "${w}" (known: ${KNOWN.join(', ')})`);

const session = { outsideRequests: [], pageErrors: [] };
Object.assign(session, await openBrowserSession(session));
const { page } = session;
const results = Object.fromEntries(WAYS.map((w) => [w, []]));
let engine;
try {
  // The page's own worker takes 1 thread and stays idle; the measured client takes --threads.
  await page.goto(`${session.url}?threads=1`);
  await waitForText(page, 'data-status', /training images/, 60000);
  for (let round = 0; round < ROUNDS; round++) {
    for (const way of WAYS) {
      const r = await page.evaluate(async ({ way, threads, steps }) => {
        const { createTrainer } = await import('./wasm/trainer.js');
        const fill = document.getElementById('progress-fill');
        fill.style.transition = way === 'transition' ? 'width 0.2s linear' : '';
        const draw = {
          none: () => {},
          bar: (e) => { fill.style.width = `${(e.done / e.total * 100).toFixed(1)}%`; document.getElementById('stat-step').textContent = String(e.step); },
          chart: (e) => globalThis.wasmgen.chart.add(e.step, e.losses),
        };
        draw.transition = draw.bar;
        const client = createTrainer({ onEvent: (e) => { if (e.event === 'progress') draw[way](e); } });
        try {
          const info = await client.init({ threads });
          await client.loadDataset('mnist');
          await client.createModel({ model: 'gan', seed: 1, height: 28, width: 28, channels: 1 });
          await client.train({ steps: 20, batch: 64, views: false, quality: false });   // warm-up (tier-up)
          const start = performance.now();
          await client.train({ steps, batch: 64, views: false, quality: false });
          return { stepsPerSec: steps / ((performance.now() - start) / 1000), engine: `${info.simd} · ${info.threads} thread(s)` };
        } finally {
          client.terminate();
          fill.style.transition = '';
        }
      }, { way, threads: THREADS, steps: STEPS });
      engine ??= r.engine;
      results[way].push(r.stepsPerSec);
      console.error(`round ${round + 1}: ${way} ${r.stepsPerSec.toFixed(1)} steps/s`);
    }
  }
} finally {
  await closeBrowserSession(session);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const base = results.none ? median(results.none) : null;
console.log(`default GAN, batch 64, ${STEPS} steps per round, ${ROUNDS} interleaved rounds; worker: ${engine}`);
console.log('drawing      steps/s (median, lowest-highest)   vs none');
for (const w of WAYS) {
  const xs = results[w];
  console.log(`${w.padEnd(12)} ${median(xs).toFixed(1).padStart(6)}  (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`.padEnd(47) +
    (base ? `${(median(xs) / base).toFixed(2)}x` : ''));
}
