// page-cyclegan.js — how long a person waits on the page for a CycleGAN to translate visibly:
// the built page in headless Chromium (tests/browser-session.js: served locally, cross-origin
// isolated, so the worker takes the device's cores, at most 4, or --threads: the page's ?threads=N), CycleGAN chosen with its default
// domains (Fashion-MNIST sneakers -> ankle boots) and settings (seed 1, batch 4), Start pressed.
// Each time the step counter passes a multiple of --every, the page's worker hands over its
// checkpoint; afterwards, in Node, the Fashion judge names the class of the first 100 test
// sneakers translated to boots and 100 test boots translated to sneakers with each snapshot.
//
//   node bench/page-cyclegan.js [--steps 120] [--every 10] [--threads N] [--json]
//
// Prints per snapshot: seconds since Start, step, both target-class rates (chance 0.1), and the
// first time both rates reach 0.5 and 0.8. The rates are those of the page's own model (the same
// bits as the package's, seed for seed), so only the clock depends on the browser and the machine.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { openBrowserSession, closeBrowserSession, waitForText, waitForStep, checkpointFromPage } from '../tests/browser-session.js';
import { init } from '../wasm/node.js';
import { ROOT } from '../tests/helpers.js';

const { values: args } = parseArgs({ options: { steps: { type: 'string', default: '120' }, every: { type: 'string', default: '10' }, threads: { type: 'string' }, json: { type: 'boolean' } } });
const STEPS = Number(args.steps), EVERY = Number(args.every);

const session = { outsideRequests: [], pageErrors: [] };
Object.assign(session, await openBrowserSession(session));
const { page } = session;
const snapshots = [];
let engine;
try {
  await page.goto(`${session.url}${args.threads ? `?threads=${Number(args.threads)}` : ''}`);
  await waitForText(page, 'data-status', /training images/, 60000);
  engine = await page.textContent('#engine');
  await page.selectOption('#model-select', 'cyclegan');
  await waitForText(page, 'domain-b-status', /images in domain B/, 60000);
  await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: 60000 });
  await page.fill('#length', String(STEPS));
  await page.evaluate(() => { window.startedAt = performance.now(); });
  await page.click('#start');
  for (let target = EVERY; target <= STEPS; target += EVERY) {
    await waitForStep(page, target);
    snapshots.push(await checkpointFromPage(page));
  }
  await waitForText(page, 'run-status', /^Done/, 600000);
} finally {
  await closeBrowserSession(session);
}

const wg = await init({ threads: 1 });
const judge = wg.loadModel(fs.readFileSync(path.join(ROOT, 'data', 'judge-fashion.safetensors')));
const testA = await wg.loadDataset('fashion:7', { split: 'test' }), testB = await wg.loadDataset('fashion:9', { split: 'test' });
const first100 = (ds) => {
  const P = ds.imageSize, out = new Float32Array(100 * P);
  for (let i = 0; i < 100; i++) ds.image(i).forEach((v, k) => { out[i * P + k] = v / 255; });
  return out;
};
const xa = first100(testA), xb = first100(testB);
const rows = snapshots.map(({ seconds, bytes }) => {
  const model = wg.loadModel(bytes);
  const ab = judge.classify(model.translate(xa).data).labels.filter((l) => l === 9).length / 100;
  const ba = judge.classify(model.translate(xb, { direction: 'ba' }).data).labels.filter((l) => l === 7).length / 100;
  const row = { seconds: Number(seconds.toFixed(1)), step: model.step, ab, ba };
  model.dispose();
  return row;
});
const firstReaching = (rate) => rows.find((r) => r.ab >= rate && r.ba >= rate) ?? null;
const result = { engine, load: os.loadavg()[0].toFixed(1), rows, both50: firstReaching(0.5), both80: firstReaching(0.8) };
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(`page: ${engine}; load average ${result.load}`);
  console.log('seconds  step  sneaker->boot judged boot  boot->sneaker judged sneaker');
  for (const r of rows) console.log(`${String(r.seconds).padStart(7)}  ${String(r.step).padStart(4)}  ${r.ab.toFixed(2).padStart(25)}  ${r.ba.toFixed(2).padStart(29)}`);
  for (const [name, r] of [['both >= 0.5', result.both50], ['both >= 0.8', result.both80]]) {
    console.log(`${name}: ${r ? `step ${r.step}, ${r.seconds} s after Start` : 'not reached'}`);
  }
}
