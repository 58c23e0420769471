// The Image tools panel in a real browser (browser-session.js: the built page on a free port,
// Debian's Chromium, nothing outside 127.0.0.1). Results are read back from the canvases and
// checked against what the tool must produce: exact where exact (flip), computed where simple
// (a 50% blend with a flat grey image); the model tools against the JS API run on the page's
// downloaded checkpoint with the same inputs, pixel for pixel and PSNR caption for caption.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { encode, decode } from 'fast-png';
import { useBrowserSession } from './browser-session.js';
import { ROOT, getWg } from './helpers.js';
import { datasetImages, toGrid, fitImage, denoise, inpaint, interpolate, psnr } from '../wasm/index.js';
import { uniforms } from '../wasm/random.js';

const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
let page;
const session = useBrowserSession(async (s) => {
  page = s.page;
  await page.goto(s.url);
  await waitForText('data-status', /8,337 training images/);
  await page.waitForFunction(() => !document.getElementById('tool-run').disabled, null, { timeout: 10000 });
});
const { outsideRequests, pageErrors, waitForText } = session;

const captions = () => page.locator('#tool-results figcaption').allTextContents();
const errors = () => page.locator('.message.error').allTextContents();

const choose = (tool) => page.check(`input[name=tool][value=${tool}]`);

/** Runs the chosen tool and waits for its answer: figures, or an error message. */
async function run(tool) {
  await choose(tool);
  const runs = await page.evaluate(() => Number(document.getElementById('tools-card').dataset.runs ?? 0));
  await page.click('#tool-run');
  await page.waitForFunction((n) => Number(document.getElementById('tools-card').dataset.runs) > n, runs);
}

/** Figure k of the results: size and the red channel, row by row. */
function figure(k) {
  return page.evaluate((k) => {
    const c = document.querySelectorAll('#tool-results canvas')[k];
    const rgba = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    return { width: c.width, height: c.height, red: Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]) };
  }, k);
}

const png = (width, height, channels, fill) => ({
  name: `${width}x${height}.png`, mimeType: 'image/png',
  buffer: Buffer.from(encode({ width, height, channels, depth: 8, data: new Uint8Array(width * height * channels).map((_, i) => fill(i)) })),
});

test('A and B start as dataset images; Transform flip:h mirrors A exactly; a bad op is named', async () => {
  assert.match(await page.textContent('#source-a-caption'), /mnist-train #0/);
  assert.match(await page.textContent('#source-b-caption'), /mnist-train #1/);
  await choose('transform');
  await page.fill('#tool-ops', 'flip:h');
  await run('transform');
  assert.deepEqual(await captions(), ['before · 28×28', 'after · 28×28']);
  const [a, b] = [await figure(0), await figure(1)];
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) assert.equal(b.red[y * 28 + x], a.red[y * 28 + 27 - x]);
  assert.ok(new Set(a.red).size > 10, 'A is a digit, not a blank');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tool-download')]);
  assert.equal(download.suggestedFilename(), 'wasmgen-transform.png');
  const saved = decode(fs.readFileSync(await download.path()));
  assert.deepEqual([saved.width, saved.height], [28 + 4 + 28, 28], 'the result row, figures side by side');

  await page.fill('#tool-ops', 'flip:h,spin:3');
  await run('transform');
  assert.match((await errors()).at(-1), /spin/);
  assert.equal(await page.locator('#tool-results figure').count(), 0, 'no stale figures after an error');
  assert.equal(await page.isDisabled('#tool-download'), true);
});

test('uploads: a flat grey PNG as B blends 50/50 with A; a large photo is scaled; a corrupt file is named', async () => {
  await page.setInputFiles('#source-b-file', png(40, 20, 3, () => 128));
  await waitForText('source-b-caption', /40x20\.png/);
  await choose('blend');
  await page.selectOption('#blend-mode', 'alpha');
  await page.fill('#blend-alpha', '0.5');
  await run('blend');
  assert.deepEqual(await captions(), ['A', 'B, fitted to A', '50% A + 50% B']);
  const [a, mix] = [await figure(0), await figure(2)];
  for (let i = 0; i < a.red.length; i++) assert.ok(Math.abs(mix.red[i] - (a.red[i] + 128) / 2) <= 1, `pixel ${i}: ${mix.red[i]} vs A ${a.red[i]}`);

  await page.setInputFiles('#source-b-file', { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all') });
  await page.waitForFunction(() => /broken\.png/.test([...document.querySelectorAll('.message.error')].map((m) => m.textContent).join()));
  assert.match(await page.textContent('#source-b-caption'), /40x20\.png/, 'B is still the last good image');

  await page.setInputFiles('#source-a-file', png(700, 300, 3, (i) => (i % 3 === 0 ? (i / 3) % 700 / 3 : 60)));
  await waitForText('source-a-caption', /700x300\.png \(700×300, shown at 512×219\)/);
  await choose('transform');
  await page.fill('#tool-ops', 'rot90:1');
  await run('transform');
  assert.deepEqual(await captions(), ['before · 512×219', 'after · 219×512']);
  // The augmentation preview works at the training size (MNIST's 28x28), not the upload's.
  await page.fill('#augment', 'rotate:10');
  await run('augment');
  assert.equal((await captions())[0], 'original · 28×28');
  await page.fill('#augment', '');
  // Files over 64 MB are refused before reading; one of exactly 64 MB is read (and is no image).
  const pickSized = (bytes, name) => page.evaluate(([bytes, name]) => {
    const input = document.getElementById('source-b-file'), transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, [bytes, name]);
  await pickSized(64 * 2 ** 20 + 1, 'big.png');
  await page.waitForFunction(() => /big\.png is 64 MB, over the 64 MB limit per file/.test([...document.querySelectorAll('.message.error')].map((m) => m.textContent).join()));
  await pickSized(64 * 2 ** 20, 'limit.png');
  await page.waitForFunction(() => /limit\.png/.test([...document.querySelectorAll('.message.error')].map((m) => m.textContent).join()));
  assert.doesNotMatch((await errors()).find((m) => /limit\.png/.test(m)), /limit per file/);
  // A header claiming 5000 x 4000 pixels is refused before decoding.
  const huge = png(4, 2, 3, () => 0);
  huge.buffer.writeUInt32BE(5000, 16);
  huge.buffer.writeUInt32BE(4000, 20);
  await page.setInputFiles('#source-a-file', { ...huge, name: 'huge.png' });
  await page.waitForFunction(() => /huge\.png: too large: 5000x4000/.test([...document.querySelectorAll('.message.error')].map((m) => m.textContent).join()));
  // An empty number field is an error naming it, not a silent 0.
  await choose('blend');
  await page.fill('#blend-alpha', '');
  await run('blend');
  assert.match((await errors()).at(-1), /Alpha must be a number from 0 to 1/);
  await page.fill('#blend-alpha', '0.5');
  await page.fill('#source-a-index', '0');
  await page.dispatchEvent('#source-a-index', 'change');
  await waitForText('source-a-caption', /mnist-train #0/);
  await page.fill('#source-b-index', '1');
  await page.dispatchEvent('#source-b-index', 'change');
  await waitForText('source-b-caption', /mnist-train #1/);
});

test('the mask is painted with the pointer; diffusion fill changes only masked pixels; model tools ask for a model', async () => {
  await choose('inpaint');
  await page.click('#mask-tools [data-shape=clear]');
  await run('inpaint');
  assert.match((await errors()).at(-1), /mask is empty/);

  const box = await page.locator('#mask-canvas').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 8 });
  await page.mouse.up();
  await run('inpaint');
  const names = await captions();
  assert.equal(names.length, 3);
  assert.match(names[1], /^masked · [\d.]+ dB$/);
  assert.match(names[2], /^diffusion fill · [\d.]+ dB$/);
  assert.match(await page.textContent('#tool-note'), /Train or load a VAE/);
  const [masked, filled] = [await figure(1), await figure(2)];
  const changed = masked.red.map((v, i) => v !== filled.red[i]);
  const row = changed.slice(14 * 28, 15 * 28);   // the stroke ran along the middle row
  assert.ok(row.filter(Boolean).length >= 6, `the fill changes the painted stroke: ${row.map(Number).join('')}`);
  assert.ok(changed.slice(0, 6 * 28).every((c) => !c), 'rows far from the stroke are untouched');

  await run('interpolate');
  assert.match((await errors()).at(-1), /needs a model/);
});

test('augmentation from the settings trains a VAE; the model tools then compare it with classical ones', async () => {
  await page.selectOption('#model-select', 'vae');
  await page.fill('#augment', 'spin:3');
  await page.click('#start');
  await page.waitForFunction(() => /spin/.test([...document.querySelectorAll('.message.error')].map((m) => m.textContent).join()));
  await page.fill('#augment', 'rotate:10,crop:24');
  await page.fill('#length', '2');
  await page.click('#start');
  // The tools answer between training chunks, on the model as it trains.
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= 20);
  await run('denoise');
  assert.equal(await page.isEnabled('#pause'), true, 'still training while the tool ran');
  assert.match((await captions()).at(-1), /^VAE denoised · [\d.]+ dB$/);
  await waitForText('run-status', /Done/, 120000);
  assert.match(await page.textContent('#model-status'), /augmentation rotate:10,crop:24/);

  await run('augment');
  const draws = await figure(1);
  assert.equal(draws.width, 8 * 28 + 9 * 2, 'a strip of 8 draws');
  const tile = (k) => Array.from({ length: 28 }, (_, y) => draws.red.slice((2 + y) * draws.width + 2 + k * 30, (2 + y) * draws.width + 30 + k * 30)).flat();
  assert.notDeepEqual(tile(0), tile(1), 'draws differ');
  await run('augment');
  assert.notDeepEqual((await figure(1)).red, draws.red, 'Run again draws anew');

  await choose('inpaint');
  await page.click('#mask-tools [data-shape=square]');
  await run('inpaint');
  const names = await captions();
  assert.equal(names.length, 4);
  assert.match(names[3], /^VAE inpainting · [\d.]+ dB$/);

  await run('denoise');
  assert.deepEqual((await captions()).map((c) => c.replace(/ · [\d.]+ dB$/, '')), ['original', 'noisy', 'Gaussian blur σ 1', 'VAE denoised']);

  await choose('interpolate');
  await page.fill('#interpolate-steps', '6');
  await run('interpolate');
  assert.deepEqual(await captions(), ['A', '6 steps, linear, through the encoder', 'B']);
  assert.equal((await figure(1)).width, 6 * 28 + 7 * 2);
  while (await page.locator('.message .close').count()) await page.locator('.message .close').first().click();
  await page.screenshot({ path: path.join(ARTIFACTS, 'page-tools-1280x800.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(outsideRequests, []);
});

test('the model tools show what the JS API gives for the same model and inputs', async () => {
  // The VAE trained above, as the page saves it, run through the API in Node.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download checkpoint', exact: true }).click()]);
  const wg = await getWg();
  const model = wg.loadModel(fs.readFileSync(await download.path()));
  const train = await wg.loadDataset('mnist');
  const size = { height: model.height, width: model.width, channels: model.channels };
  const [A, B] = [0, 1].map((i) => fitImage(wg.core, datasetImages(train, { indices: [i] }), size));
  const red = (images, cols = images.n) => {
    const g = toGrid(images, { cols, pad: images.n > 1 ? 2 : 0, background: 24 });
    return { width: g.width, height: g.height, red: Array.from({ length: g.data.length / 4 }, (_, i) => g.data[i * 4]) };
  };
  const dB = (v) => `${v.toFixed(1)} dB`;

  // Denoise (salt and pepper 0.2, threshold 0.7): the page's noise rule, from the panel's seed.
  await choose('denoise');
  const seed = await page.evaluate(() => wasmgen.tools.seed);
  const u = uniforms(seed + 1), draws = Float64Array.from({ length: A.data.length }, () => u());
  const noisy = { ...A, data: A.data.map((v, i) => (draws[i] < 0.1 ? 0 : draws[i] < 0.2 ? 1 : v)) };
  const clean = denoise(model, noisy, { threshold: 0.7, iterations: 3 });
  await run('denoise');
  const names = await captions();
  assert.equal(names.length, 4);
  assert.equal(names[1], `noisy · ${dB(psnr(A, noisy))}`);
  assert.equal(names[3], `VAE denoised · ${dB(psnr(A, clean))}`);
  assert.deepEqual(await figure(1), red(noisy), 'the noisy input');
  assert.deepEqual(await figure(3), red(clean), 'the VAE-denoised image');
  assert.ok(psnr(A, clean) > psnr(A, noisy) + 3, `denoising helps: ${dB(psnr(A, noisy))} -> ${dB(psnr(A, clean))}`);

  // Inpaint with the panel's square mask.
  await choose('inpaint');
  await page.click('#mask-tools [data-shape=square]');
  const hole = Float32Array.from(await page.evaluate(() => Array.from(wasmgen.tools.mask.data)), (v) => (v >= 0.25 ? 1 : 0));
  assert.ok(hole.some((v) => v) && hole.some((v) => !v));
  const masked = { ...A, data: A.data.map((v, i) => (hole[i] ? 0 : v)) };
  const repaired = inpaint(model, masked, hole, { iterations: 20 });
  await run('inpaint');
  assert.equal((await captions())[3], `VAE inpainting · ${dB(psnr(A, repaired, { mask: hole }))}`);
  assert.deepEqual(await figure(1), red(masked), 'the masked input');
  assert.deepEqual(await figure(3), red(repaired), 'the VAE-inpainted image');

  // Interpolation through the encoder, A to B in 6 steps.
  await choose('interpolate');
  await page.fill('#interpolate-steps', '6');
  await run('interpolate');
  assert.deepEqual(await figure(1), red(interpolate(model, { from: A, to: B, steps: 6 })), 'the interpolation strip');
  model.dispose(); train.dispose();
});

test('with a VAE, a wide A and its mask are centre-cropped to the model size together', async () => {
  // White 84 x 28: the model sees its centre 28 x 28 (x 28..55). The square mask (10 x 10 at
  // x 37..46, y 9..18 of A) must land at x 9..18, y 9..18 of the masked image, nowhere else.
  await page.setInputFiles('#source-a-file', { ...png(84, 28, 3, () => 255), name: 'wide.png' });
  await waitForText('source-a-caption', /wide\.png/);
  await choose('inpaint');
  await page.click('#mask-tools [data-shape=square]');
  await run('inpaint');
  assert.equal((await captions()).length, 4, 'VAE inpainting ran');
  const masked = await figure(1);
  assert.deepEqual([masked.width, masked.height], [28, 28]);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const hole = x >= 9 && x < 19 && y >= 9 && y < 19;
      assert.equal(masked.red[y * 28 + x], hole ? 0 : 255, `pixel (${x}, ${y})`);
    }
  }
});
