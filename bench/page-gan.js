// page-gan.js — how long a person waits on the page for clean digits: the built page in headless
// Chromium (tests/browser-session.js: served locally, cross-origin isolated), the default model
// (MLP GAN, seed 1, batch 64) on the default dataset (MNIST), Start pressed, timed until the step
// counter reaches --steps (default 3,000: where the default GAN's samples turn from speckled to
// clean digits). Results are the same bits at any thread count, so the model at step 3,000 is the
// same whatever the threads: only the clock changes.
//
//   node bench/page-gan.js [--steps 3000] [--every 500] [--threads N] [--json]
//
// --threads N opens the page with ?threads=N (default: the page's own choice, shown on its engine
// badge). Every --every steps the page's worker hands over its checkpoint; afterwards, in Node, the
// MNIST judge measures FID (1,000 samples against the built-in test digits) of each snapshot.
// While training, a timer on the page's main thread fires every 50 ms and records how late it
// fires: the page's responsiveness (a late timer is a click that waits).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openBrowserSession, closeBrowserSession, waitForText, waitForStep, checkpointFromPage } from '../tests/browser-session.js';
import { init } from '../wasm/node.js';

const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '3000' }, every: { type: 'string', default: '500' }, threads: { type: 'string' }, json: { type: 'boolean' } } });
const STEPS = Number(args.steps), EVERY = Number(args.every);
if (!(STEPS > 0 && EVERY > 0)) throw new Error('--steps and --every must be positive numbers');

const session = { outsideRequests: [], pageErrors: [] };
Object.assign(session, await openBrowserSession(session));
const { page } = session;
const snapshots = [];
let engine, lateness;
const loadBefore = os.loadavg()[0];
try {
  await page.goto(`${session.url}${args.threads ? `?threads=${Number(args.threads)}` : ''}`);
  await waitForText(page, 'data-status', /training images/, 60000);
  engine = await page.textContent('#engine');
  await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: 60000 });
  await page.fill('#length', String(STEPS));
  await page.selectOption('#unit', 'steps');   // the GAN's default length is in epochs
  await page.evaluate(() => {
    window.startedAt = performance.now();
    window.lateMs = [];
    let due = performance.now() + 50;
    window.lateTimer = setInterval(() => { const t = performance.now(); if (!window.snapshotting) window.lateMs.push([t - due, (t - window.startedAt) / 1000]); due = t + 50; }, 50);
  });
  await page.click('#start');
  const targets = [];
  for (let t = EVERY; t < STEPS; t += EVERY) targets.push(t);
  targets.push(STEPS);
  for (const target of targets) {
    await waitForStep(page, target, 1800000);
    // The copy blocks the main thread: the lateness timer skips it, until the page has also handed
    // the string over to Node.
    snapshots.push(await checkpointFromPage(page));
    await page.evaluate(() => { window.snapshotting = false; });
  }
  await waitForText(page, 'run-status', /^Done/, 600000);
  lateness = await page.evaluate(() => { clearInterval(window.lateTimer); return window.lateMs; });
} finally {
  await closeBrowserSession(session);
}

const wg = await init({ threads: 1 });
const rows = [];
for (const { seconds, bytes } of snapshots) {
  const model = wg.loadModel(bytes);
  const { fid } = await wg.evaluate(model, { n: 1000, metrics: ['fid'] });
  rows.push({ seconds: Number(seconds.toFixed(1)), step: model.step, fid: Number(fid.toFixed(2)) });
  model.dispose();
}
const worst = lateness.reduce((w, x) => (x[0] > w[0] ? x : w), [0, 0]);
lateness = lateness.map((x) => x[0]).sort((a, b) => a - b);
const pick = (q) => Number(lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))].toFixed(1));
const last = rows.at(-1);
const result = {
  engine, loadBefore: Number(loadBefore.toFixed(2)), loadAfter: Number(os.loadavg()[0].toFixed(2)), rows,
  secondsToTarget: last.seconds, stepsPerSecond: Number((last.step / last.seconds).toFixed(1)),
  timerLatenessMs: { median: pick(0.5), p95: pick(0.95), max: pick(1), maxAtSeconds: Number(worst[1].toFixed(1)), samples: lateness.length },
};
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(`page: ${engine}; load average ${result.loadBefore} before, ${result.loadAfter} after`);
  console.log('seconds   step   FID (1,000 samples vs MNIST test, lower is better)');
  for (const r of rows) console.log(`${String(r.seconds).padStart(7)}  ${String(r.step).padStart(5)}  ${r.fid}`);
  console.log(`step ${last.step} reached ${last.seconds} s after Start (${result.stepsPerSecond} steps/s)`);
  const l = result.timerLatenessMs;
  console.log(`main thread during training: a 50 ms timer fired late by ${l.median} ms (median), ${l.p95} ms (95th percentile), ${l.max} ms (worst, ${l.maxAtSeconds} s after Start) over ${l.samples} ticks`);
}
