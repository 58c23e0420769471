// Autosave in a real browser (browser-session.js: the built page on a free port, Debian's
// Chromium in a persistent profile, so IndexedDB outlives reloads).
// A person trains with ?autosave=2, reloads, sees the run offered for resuming, resumes it at its
// saved step and trains further, then deletes it. A run paused in the middle of a divergence
// episode resumes on the page exactly as the same run goes on in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { useBrowserSession } from './browser-session.js';
import { getWg } from './helpers.js';

let page, url;
const session = useBrowserSession((s) => { ({ page, url } = s); });
const { waitForText, outsideRequests, pageErrors } = session;

const step = async () => Number((await page.textContent('#stat-step')).replace(/,/g, ''));
const button = (name) => page.getByRole('button', { name, exact: true });
const savedRuns = () => page.locator('#saved-runs-list li');
/** The saved runs as IndexedDB holds them (checkpoint bytes left out). */
const storedRuns = () => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('wasmgen');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('runs')) { db.close(); resolve([]); return; }
    const get = db.transaction('runs').objectStore('runs').getAll();
    get.onsuccess = () => { db.close(); resolve(get.result.map(({ bytes, ...r }) => ({ ...r, size: bytes.byteLength }))); };
    get.onerror = () => reject(get.error);
  };
}));

/** SHA-256 (hex) of the checkpoint bytes IndexedDB holds for the run saved at `step`. */
const storedDigest = (step) => page.evaluate((step) => new Promise((resolve, reject) => {
  const open = indexedDB.open('wasmgen');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('runs').objectStore('runs').getAll();
    get.onerror = () => reject(get.error);
    get.onsuccess = async () => {
      open.result.close();
      const run = get.result.find((r) => r.step === step);
      if (!run) { resolve(null); return; }
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', run.bytes));
      resolve(Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join(''));
    };
  };
}), step);
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
/** The red channel of a painted canvas, or null before any paint. */
const canvasPixels = (id) => page.evaluate((id) => {
  const c = document.getElementById(id);
  if (!c.classList.contains('painted')) return null;
  const rgba = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]);
}, id);

test('training autosaves to IndexedDB; after a reload the run resumes at its step; Delete removes it', async () => {
  const address = `${url}?autosave=2`;
  await page.goto(address);
  await waitForText('data-status', /8,337 training images/);
  await page.waitForSelector('#saved-runs[data-listed="0"]', { state: 'attached' });   // the store was read
  assert.equal(await page.isHidden('#saved-runs'), true, 'no saved runs offered in a fresh profile');

  // Train on MNIST; the 2 s timer saves while training runs.
  await page.locator('input[name=dataset][value=mnist]').check();
  await button('Start').click();
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= 30, null, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelectorAll('#saved-runs-list li').length === 1, null, { timeout: 10000 });
  assert.match(await savedRuns().first().textContent(), /MLP|GAN|VAE/);
  const [whileTraining] = await storedRuns();
  assert.ok(whileTraining.step > 0 && whileTraining.size > 1000, `a checkpoint was saved while training (${JSON.stringify(whileTraining)})`);

  // Pause saves at once: the stored step is the paused step.
  await button('Pause').click();
  await waitForText('run-status', /^Paused/, 5000);   // acknowledged by the worker: no more steps
  const paused = await step();
  await page.waitForFunction((s) => new RegExp(`step ${s.toLocaleString('en')}\\b`).test(document.getElementById('saved-runs-list').textContent), paused, { timeout: 5000 });
  const [record] = await storedRuns();
  assert.equal(record.step, paused, 'Pause saved the checkpoint at the paused step');
  assert.equal(record.dataset.name, 'mnist');

  // A reload (the tab could as well have crashed) offers the run.
  await page.reload();
  await waitForText('data-status', /8,337 training images/);
  await page.waitForSelector('#saved-runs:not([hidden])');
  assert.equal(await step(), 0, 'a fresh page starts at step 0');
  const offered = await savedRuns().first().textContent();
  assert.match(offered, new RegExp(`on MNIST · step ${record.step.toLocaleString('en')} · saved`));

  // Resume loads the checkpoint: the counter shows the saved step, and Start trains on from there.
  await page.getByRole('button', { name: /^Resume saved run/ }).click();
  await page.waitForSelector(`.message >> text=/Resumed .* at step ${record.step.toLocaleString('en')}/`);
  assert.equal(await step(), record.step, 'the step counter continues from the saved step');
  await button('Start').click();
  await page.waitForFunction((s) => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= s + 20, record.step, { timeout: 20000 });
  await button('Stop').click();
  await waitForText('run-status', /Stopped at step/);
  const stopped = await step();
  await page.waitForFunction((s) => new RegExp(`step ${s.toLocaleString('en')}\\b`).test(document.getElementById('saved-runs-list').textContent), stopped, { timeout: 5000 });
  const [after] = await storedRuns();
  assert.equal(after.id, record.id, 'the resumed run keeps saving under its id');
  assert.equal(after.step, stopped, 'Stop saved the checkpoint at the stopped step');
  assert.ok(after.step > record.step);
  assert.equal((await storedRuns()).length, 1);

  // Delete removes it, and it stays gone after another reload.
  await page.getByRole('button', { name: /^Delete saved run/ }).click();
  await page.waitForSelector('#saved-runs', { state: 'hidden' });
  assert.deepEqual(await storedRuns(), []);
  await page.reload();
  await waitForText('data-status', /8,337 training images/);
  await page.waitForSelector('#saved-runs[data-listed="0"]', { state: 'attached' });
  assert.equal(await page.isHidden('#saved-runs'), true);
  assert.equal(await savedRuns().count(), 0);

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(outsideRequests, []);
});

test('a run autosaved in the middle of a divergence episode resumes on the page bit for bit', async () => {
  // The VAE with SGD at lr 10 (tests/guard.test.js): steps 3-6 are skipped and step 7 rolls back
  // to the first weights, steps 10-13 are skipped and 14 rolls back again. Node makes the
  // checkpoint at step 5 (two skips into the first episode) and the references.
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  const config = { model: 'vae', optimizer: 'sgd', lr: 10, seed: 2 };
  const node = wg.createModel(config);
  node.trainSteps(train, 5, 32);
  const at5 = node.save();
  node.trainSteps(train, 6, 32);
  assert.equal(node.guard.badStreak, 2, 'step 11 is in the middle of the second episode');
  const at11 = node.save();
  node.trainSteps(train, 30, 32);
  assert.ok(node.guard.rollbacks >= 4 && node.guard.badStreak === 0, JSON.stringify(node.guard));
  const at41 = node.save();
  node.dispose(); train.dispose();

  // The autosave timer (10 minutes) stays out of the way: the page saves when a run is done.
  await page.goto(`${url}?autosave=600`);
  await waitForText('data-status', /8,337 training images/);
  await page.setInputFiles('#checkpoint-input', { name: 'diverging.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(at5) });
  await page.waitForSelector('.message >> text=/Loaded diverging.safetensors: MLP VAE at step 5/');
  await page.fill('#batch', '32');
  await page.fill('#length', '6');
  await page.selectOption('#unit', 'steps');
  await button('Start').click();
  await waitForText('run-status', /^Done: 6 steps \(now at step 11\)/, 30000);
  await page.waitForFunction(() => /step 11\b/.test(document.getElementById('saved-runs-list').textContent), null, { timeout: 10000 });
  assert.equal(await storedDigest(11), sha256(at11), 'the page trained on from the file exactly as Node did');
  const shown = await canvasPixels('samples');

  await page.reload();
  await waitForText('data-status', /8,337 training images/);
  await page.getByRole('button', { name: /^Resume saved run: MLP VAE at step 11$/ }).click();
  await page.waitForSelector('.message >> text=/Resumed .* at step 11/');
  await page.waitForFunction(() => /step 11$/.test(document.getElementById('samples-caption').textContent));
  const resumed = await canvasPixels('samples');
  assert.ok(resumed.length === shown.length && resumed.every((v, i) => v === shown[i]), 'the resumed run samples exactly what was saved');
  await page.fill('#batch', '32');
  await page.fill('#length', '30');
  await page.selectOption('#unit', 'steps');
  await button('Start').click();
  await waitForText('run-status', /^Done: 30 steps \(now at step 41\)/, 30000);
  await page.waitForFunction(() => /step 41\b/.test(document.getElementById('saved-runs-list').textContent), null, { timeout: 10000 });
  assert.equal(await storedDigest(41), sha256(at41), 'resumed mid-episode, the page ends where the uninterrupted run does');
  await page.getByRole('button', { name: 'Delete saved run: MLP VAE at step 41' }).click();
  await page.waitForSelector('#saved-runs', { state: 'hidden' });
  assert.deepEqual(pageErrors, []);
});

test('without ?autosave the page autosaves every 2 minutes while training', async () => {
  // Timers are recorded, not waited for: the autosave timer is the interval Start sets up.
  await page.addInitScript(() => {
    const setIntervalBefore = globalThis.setInterval;
    globalThis.intervalsSet = [];
    globalThis.setInterval = (fn, ms, ...rest) => { globalThis.intervalsSet.push(ms); return setIntervalBefore(fn, ms, ...rest); };
  });
  await page.goto(url);
  await waitForText('data-status', /8,337 training images/);
  await page.evaluate(() => { globalThis.intervalsSet.length = 0; });
  await button('Start').click();
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= 1, null, { timeout: 20000 });
  assert.deepEqual(await page.evaluate(() => globalThis.intervalsSet), [120000]);
  await button('Stop').click();
  await waitForText('run-status', /Stopped at step/);
  // Stop saved the run; remove it so later tests start from an empty store.
  await page.getByRole('button', { name: /^Delete saved run/ }).click();
  await page.waitForSelector('#saved-runs', { state: 'hidden' });
});

// Last: its init script hides IndexedDB from every later page load of this session.
test('without IndexedDB the page says so and training goes on', async () => {
  await page.addInitScript(() => { Object.defineProperty(globalThis, 'indexedDB', { value: undefined }); });
  await page.goto(`${url}?autosave=1`);
  await waitForText('data-status', /8,337 training images/);
  await page.waitForSelector('.message.error >> text=/no IndexedDB/');
  await button('Start').click();
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= 30, null, { timeout: 20000 });
  // Past two more autosave ticks (1 s), training goes on.
  const a = await step(), since = await page.evaluate(() => performance.now());
  await page.waitForFunction(([a, since]) => performance.now() - since > 2000 &&
    Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) > a, [a, since], { timeout: 20000 });
  assert.equal(await page.locator('.message.error >> text=/no IndexedDB/').count() <= 2, true, 'the failure is not repeated every tick');
  await button('Stop').click();
  assert.deepEqual(pageErrors, []);
});
