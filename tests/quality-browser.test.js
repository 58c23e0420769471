// The page's Quality card in a real browser (browser-session.js): while a conditional GAN trains,
// the worker measures FID/KID, class histogram and per-class accuracy of 500 samples within 10% of
// the run's time; the card charts them, draws the histogram, shows the cost, downloads the history
// as JSON and CSV, and the history comes back with the checkpoint and the autosave. Every wait is
// for a state of the page or the worker (no sleeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useBrowserSession } from './browser-session.js';

let page, url;
const session = useBrowserSession((s) => { ({ page, url } = s); });
const { waitForText, outsideRequests, pageErrors } = session;
const button = (name) => page.getByRole('button', { name, exact: true });
const points = () => page.evaluate(() => Number(document.getElementById('quality-card').dataset.points ?? 0));

test('training a conditional GAN measures quality in the worker and shows it in the card', async () => {
  await page.goto(url);
  await waitForText('data-status', /8,337 training images/);
  await page.waitForFunction(() => document.getElementById('model-select').options.length > 0);
  await page.selectOption('#model-select', 'cgan');
  await page.fill('#batch', '32');
  await page.fill('#length', '100000');
  await page.selectOption('#unit', 'steps');
  await button('Start').click();
  await page.waitForFunction(() => Number(document.getElementById('quality-card').dataset.points ?? 0) >= 1, null, { timeout: 180000 });
  await button('Stop').click();
  await waitForText('run-status', /^Stopped at step/, 30000);

  assert.equal(await page.isVisible('#quality-card'), true);
  assert.match(await page.textContent('#quality-caption'), /^step \d+ · FID \d+\.\d · KID -?\d+\.\d ± \d+\.\d · \d+\/10 classes$/);
  const cost = await page.textContent('#quality-cost');
  assert.match(cost, /^500 samples \(seed 0\) vs mnist-test, judge mnist; this measurement took \d+\.\d\d s; measuring has taken \d+\.\d% of this run's time \(budget 10%\)/);
  const share = Number(await page.evaluate(() => document.getElementById('quality-card').dataset.cost));
  assert.ok(share > 0 && share <= 0.11, `measuring took ${(100 * share).toFixed(1)}% of the run`);
  // Ten bars, each with the class's accuracy under it (a conditional model).
  assert.equal(await page.locator('#quality-classes .class-bar').count(), 10);
  assert.equal(await page.locator('#quality-classes .class-bar .accuracy').count(), 10);
  assert.match(await page.textContent('#quality-classes-note'), /judged as the class asked for \(overall \d+\.\d%\)/);

  const shown = await page.evaluate(() => wasmgen.quality.history.at(-1));
  assert.equal(shown.counts.reduce((a, b) => a + b, 0), 500);
  // Measuring the stopped model twice gives the same numbers (same seed), and the card follows.
  const [a, b] = await page.evaluate(async () => [await wasmgen.client.measureQuality(), await wasmgen.client.measureQuality()]);
  assert.equal(a.point.step, (await page.evaluate(() => wasmgen.client.info())).model.step);
  assert.equal(a.point.fid, b.point.fid);
  assert.deepEqual(a.point.counts, b.point.counts);
  await page.waitForFunction((step) => document.getElementById('quality-caption').textContent.startsWith(`step ${step} `), a.point.step);
});

test('the metric history downloads as JSON and CSV', async () => {
  const n = await points();
  const [json] = await Promise.all([page.waitForEvent('download'), button('JSON').click()]);
  const history = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.equal(history.length, n);
  assert.ok(history.every((p, i) => i === 0 || p.step > history[i - 1].step), 'points in step order');
  assert.ok(history.every((p) => p.fid > 0 && p.perClass.length === 10));
  const [csv] = await Promise.all([page.waitForEvent('download'), button('CSV').click()]);
  const lines = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.match(lines[0], /^step,fid,kid,kid_std,classes_covered,accuracy,ms,count_0,/);
  assert.equal(lines.length, n + 1);
  assert.equal(Number(lines[1].split(',')[1]), history[0].fid);
});

test('the history comes back with the checkpoint and with the autosave', async () => {
  const n = await points();
  // The checkpoint stays in the page (megabytes of numbers are slow to pass to Node and back).
  await page.evaluate(async () => { globalThis.qualityCheckpoint = await wasmgen.client.save(); });
  // A fresh model empties the card; loading the checkpoint file brings the history back.
  await page.selectOption('#model-select', 'gan');
  await button('Start').click();
  await page.waitForFunction(() => document.getElementById('quality-card').dataset.points === '0');
  await button('Stop').click();
  await waitForText('run-status', /^(Stopped|Done)/, 30000);
  await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([globalThis.qualityCheckpoint], 'cgan.safetensors'));
    const input = document.getElementById('checkpoint-input');
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction((n) => document.getElementById('quality-card').dataset.points === String(n), n);
  assert.match(await page.textContent('#quality-caption'), /FID/);
  // The autosaved run of the cgan (saved on Stop) carries the history too.
  const saved = await page.evaluate(async () => {
    const { listRuns, getRun } = await import('./autosave.js');
    const { qualityHistoryOf } = await import('./wasm/quality.js');
    const runs = await listRuns();
    const cgan = runs.find((r) => r.model === 'cgan');
    return qualityHistoryOf((await getRun(cgan.id)).bytes).length;
  });
  assert.ok(saved >= 1 && saved <= n, `the autosave (on Stop) holds the points measured while training: ${saved}`);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(outsideRequests, []);
});
