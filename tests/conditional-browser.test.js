// The page's model list and generation controls in a real browser (browser-session.js: the built
// page on a free port, Debian's Chromium). The list holds every preset of the core's registry. A
// conditional VAE trained a few dozen steps on MNIST shows one sample row per class, or one class
// for the whole grid; the latent strip follows its slider; the class interpolation starts and ends
// at decode with either class. Every check compares the canvas with what the worker API
// (wasmgen.client, the trainer the page uses) returns for the same seed, z and labels. A
// conditional model refuses unlabelled uploads; the classifier shows its test accuracy; a run
// autosaved before the registry (a format-1 checkpoint, a record naming the old kind) resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useBrowserSession } from './browser-session.js';
import { ROOT } from './helpers.js';

let page, url;
const session = useBrowserSession((s) => { ({ page, url } = s); });
const { waitForText, outsideRequests, pageErrors } = session;
const button = (name) => page.getByRole('button', { name, exact: true });
const SEED = 1;   // the form's default seed: the sample grid's noise

/** Red channel of a painted canvas, with its size. */
const canvas = (id) => page.evaluate((id) => {
  const c = document.getElementById(id);
  const rgba = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return { width: c.width, height: c.height, red: Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]) };
}, id);
const red = (grid) => ({ width: grid.width, height: grid.height, red: Array.from({ length: grid.width * grid.height }, (_, i) => grid.data[i * 4]) });
/** A grid's cell `k` (pad 2, cells of 28 x 28, `cols` per row) as rows of red values. */
function cell(grid, k, cols) {
  const x0 = 2 + (k % cols) * 30, y0 = 2 + Math.floor(k / cols) * 30;
  return Array.from({ length: 28 }, (_, y) => grid.red.slice((y0 + y) * grid.width + x0, (y0 + y) * grid.width + x0 + 28));
}
const differing = (a, b) => a.red.reduce((n, v, i) => n + (v !== b.red[i]), 0);
const dataset = (el, key) => page.evaluate(([el, key]) => document.getElementById(el).dataset[key] ?? null, [el, key]);

test('the model list holds every preset of the core registry', async () => {
  await page.goto(url);
  await waitForText('data-status', /8,337 training images · 28×28 grey/);
  await page.waitForFunction(() => document.getElementById('model-select').options.length > 0);
  const { families } = await page.evaluate(() => wasmgen.client.info());
  // Two-domain families too: the page picks their domain A and B (browser.test.js trains one).
  const presets = families.flatMap((f) => f.presets.map((p) => p.name));
  for (const name of ['gan', 'dcgan', 'vae', 'convvae', 'cgan', 'cdcgan', 'cvae', 'lenet', 'cyclegan', 'cyclegan_upsample']) assert.ok(presets.includes(name), name);
  const offered = await page.$$eval('#model-select option', (list) => list.map((o) => o.value));
  assert.deepEqual(offered, presets);
  await page.selectOption('#model-select', 'cdcgan');
  assert.equal(await page.inputValue('#lr'), String(families.find((f) => f.name === 'cdcgan').presets[0].lr));
  assert.equal(await page.inputValue('#length'), '600');
});

test('a conditional VAE shows one sample row per class, or one class in every row', async () => {
  await page.selectOption('#model-select', 'cvae');
  await page.fill('#batch', '32');
  await page.fill('#length', '40');
  await page.selectOption('#unit', 'steps');
  await button('Start').click();
  await waitForText('run-status', /^Done: 40 steps/, 60000);
  assert.equal(await page.isVisible('#class-picker'), true);
  await page.waitForFunction(() => document.getElementById('samples').dataset.rows === 'classes');
  const rows = await canvas('samples');
  const labels = Array.from({ length: 80 }, (_, i) => Math.floor(i / 8));
  const expected = red(await page.evaluate((labels) => wasmgen.client.sampleGrid(80, { seed: 1, labels, cols: 8 }), labels));
  assert.deepEqual([rows.width, rows.height], [expected.width, expected.height], 'ten rows of eight');
  assert.equal(differing(rows, expected), 0, 'row k is sample(labels k) with the grid seed');
  const allZero = red(await page.evaluate(() => wasmgen.client.sampleGrid(80, { seed: 1, labels: 0, cols: 8 })));
  assert.ok(differing(rows, allZero) > 1000, 'the rows are not all one class');

  await page.selectOption('#sample-class', '3');
  await page.waitForFunction(() => document.getElementById('samples').dataset.rows === 'class 3');
  const three = await canvas('samples');
  const expectedThree = red(await page.evaluate(() => wasmgen.client.sampleGrid(64, { seed: 1, labels: 3, cols: 8 })));
  assert.equal(differing(three, expectedThree), 0, 'every image is sample(class 3) with the grid seed');
  const four = red(await page.evaluate(() => wasmgen.client.sampleGrid(64, { seed: 1, labels: 4, cols: 8 })));
  assert.ok(differing(three, four) > 1000, 'class 3 and class 4 grids differ');
});

test('the latent strip sweeps the dimension its slider picks', async () => {
  assert.equal(await page.isVisible('#latent-card'), true);
  assert.equal(await dataset('latent-strip', 'dimension'), '0');
  const before = await canvas('latent-strip');
  await page.fill('#latent-dim', '1');   // fires input (the cvae's latent has 2 dimensions)
  await page.waitForFunction(() => document.getElementById('latent-strip').dataset.dimension === '1');
  const after = await canvas('latent-strip');
  assert.ok(differing(before, after) > 200, 'another dimension, another strip');
  // The strip is decode(z with dimension 1 at -3 .. 3) for the picked class (3), z from seed 1.
  const expected = red(await page.evaluate(async () => {
    const { gaussian } = await import('./wasm/random.js');
    const latent = (await wasmgen.client.info()).model.latent;
    const z0 = gaussian(1, latent), z = new Float32Array(9 * latent);
    for (let f = 0; f < 9; f++) { z.set(z0, f * latent); z[f * latent + 1] = -3 + (6 * f) / 8; }
    return wasmgen.client.decodeGrid(z, { labels: 3, cols: 9 });
  }));
  assert.equal(differing(after, expected), 0);
});

test('the class interpolation holds z and starts and ends at decode with either class', async () => {
  assert.equal(await page.isVisible('#class-interpolation-card'), true);
  await page.selectOption('#class-a', '2');
  await page.selectOption('#class-b', '7');
  await page.waitForFunction(() => document.getElementById('class-interpolation').dataset.pair === '2,7');
  const strip = await canvas('class-interpolation');
  const ends = await page.evaluate(async () => {
    const { gaussian } = await import('./wasm/random.js');
    const latent = (await wasmgen.client.info()).model.latent;
    const z = gaussian(1, latent);
    return [await wasmgen.client.decodeGrid(z, { labels: [2] }), await wasmgen.client.decodeGrid(z, { labels: [7] })];
  });
  const [two, seven] = ends.map(red);
  assert.deepEqual(cell(strip, 0, 10), cell(two, 0, 1), 'first frame = decode(z, class 2)');
  assert.deepEqual(cell(strip, 9, 10), cell(seven, 0, 1), 'last frame = decode(z, class 7)');
  assert.notDeepEqual(cell(strip, 0, 10), cell(strip, 9, 10));
  assert.notDeepEqual(cell(strip, 4, 10), cell(strip, 0, 10), 'frames between are mixes');
});

test('a conditional model refuses uploaded images, which have no labels', async () => {
  await page.check('input[name=dataset][value=files]');
  await page.evaluate(async () => {
    const transfer = new DataTransfer();
    for (let k = 0; k < 8; k++) {
      const c = new OffscreenCanvas(20, 20);
      c.getContext('2d').fillRect(k, 5, 6, 6);
      transfer.items.add(new File([await c.convertToBlob({ type: 'image/png' })], `drop-${k}.png`, { type: 'image/png' }));
    }
    document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  await waitForText('data-status', /^8 training images · 28×28 grey$/);
  await page.fill('#batch', '4');
  await button('Start').click();
  await page.waitForSelector('.message.error >> text=/Conditional VAE needs a class label for every training image, and the training data \\(your images\\) has none/');
  await page.selectOption('#model-select', 'cgan');
  await button('Start').click();
  await page.waitForSelector('.message.error >> text=/Conditional GAN needs a class label/');
  assert.match(await page.textContent('#run-status'), /^Done: 40 steps/, 'nothing trained');
});

test('the classifier shows its held-out accuracy and predictions instead of samples', async () => {
  await page.check('input[name=dataset][value=mnist]');
  await waitForText('data-status', /^8,337 training images · 28×28 grey$/);
  await page.selectOption('#model-select', 'lenet');
  assert.equal(await page.isDisabled('#latent'), true, 'a classifier has no latent size');
  await page.fill('#batch', '64');
  await page.fill('#length', '60');
  await page.selectOption('#unit', 'steps');
  await button('Start').click();
  await waitForText('run-status', /^Done: 60 steps/, 60000);
  await waitForText('samples-caption', /^accuracy [\d.]+% on 1,000 held-out test images · step 60$/);
  const accuracy = Number(/accuracy ([\d.]+)%/.exec(await page.textContent('#samples-caption'))[1]);
  // 60 steps of 64 images: far above chance (10%); the full figure (>= 98%) is the core's learning test.
  assert.ok(accuracy > 50, `accuracy ${accuracy}%`);
  assert.match(await page.textContent('#predictions'), /^Predicted classes, row by row/);
  assert.equal(await page.isVisible('#latent-card'), false);
  assert.equal(await page.isVisible('#interpolation-card'), false);
  assert.equal(await page.isVisible('#class-picker'), false);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(outsideRequests, []);
});

test('a run autosaved before the registry resumes, its loss chart from the model\'s loss groups', async () => {
  // An autosave record as an older page could write it (with the GAN/VAE kind), holding the
  // format-1 GAN checkpoint of tests/fixtures/format1 (written by the pre-registry code).
  const bytes = [...fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'format1', 'gan-step12.safetensors'))];
  await page.evaluate(async (bytes) => {
    const { putRun } = await import('./autosave.js');
    await putRun({ id: 'run-old', model: 'gan', kind: 'gan', label: 'MLP GAN', config: { model: 'gan' },
      dataset: { kind: 'builtin', name: 'mnist' }, datasetLabel: 'MNIST', step: 12, savedAt: Date.now(), bytes: new Uint8Array(bytes) });
  }, bytes);
  await page.reload();
  await waitForText('data-status', /8,337 training images/);
  await page.waitForSelector('#saved-runs:not([hidden])');
  await page.getByRole('button', { name: /^Resume saved run: MLP GAN at step 12/ }).click();
  await page.waitForSelector('.message >> text=/Resumed MLP GAN on MNIST at step 12/');
  const legend = await page.locator('#loss-chart .u-legend .u-label').allTextContents();
  assert.deepEqual(legend.filter((t) => t !== 'step'), ['D loss', 'G loss', 'D(x)', 'D(G(z))']);
  const axes = await page.evaluate(() => wasmgen.chart.plot.axes.map((a) => a.label));
  assert.deepEqual(axes, ['step', 'loss', 'D output'], 'one y axis per loss group');
  assert.equal(await page.isVisible('#latent-card'), true);
  assert.equal(await page.isVisible('#class-picker'), false, 'no class picker for an unconditional model');
  await page.waitForFunction(() => document.getElementById('samples').dataset.rows === 'seed');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(outsideRequests, []);
});
