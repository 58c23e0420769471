// evaluate.test.js — wg.evaluate on real data (the built-in MNIST through the shipped mnist judge
// and references): sanity of the numbers (FID of test vs train is small; FID rises step by step
// with Gaussian noise, blur and occlusion; one repeated sample has recall 0 and covers one class),
// what the result reports, and what it measures by capability (conditional accuracy, VAE
// reconstruction; classifiers refused). Runs are CI-sized: 400 images per corrupted set.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { transformImage, datasetImages, EVAL_DEFAULTS, WasmgenError } from '../wasm/node.js';
import { gaussian } from '../wasm/random.js';
import { getWg } from './helpers.js';

let wg, testSet, real;   // real: the first N test digits as images in [0, 1]
const N = 400;

before(async () => {
  wg = await getWg();
  testSet = await wg.loadDataset('mnist', { split: 'test' });
  real = datasetImages(testSet, { n: N });
});

const fidOf = async (images) => (await wg.evaluate(images, { against: 'mnist-train', metrics: ['fid'] })).fid;
const withData = (data) => ({ ...real, data });

test('FID of the test digits against the train statistics is small, and reported with its judge, reference, n and seed', async () => {
  const r = await wg.evaluate(testSet, { against: 'mnist-train' });
  assert.ok(r.fid < 2, `FID(test, train) = ${r.fid}`);            // measured 1.07; a 40x40-pixel shift of style breaks it
  assert.ok(r.precision > 0.7 && r.recall > 0.7, `precision ${r.precision}, recall ${r.recall}`);
  assert.equal(r.classes.covered, 10);
  assert.ok(r.inceptionScore > 9, `IS ${r.inceptionScore}`);
  assert.deepEqual([r.judge.name, r.against.name, r.against.images, r.n, r.seed], ['mnist', 'mnist-train', 8337, 1663, 0]);
  assert.equal(r.judge.features, 84);
  assert.deepEqual(r.notes, []);
});

test('FID rises monotonically with Gaussian noise, blur and occlusion of real digits', async () => {
  const clean = await fidOf(real);
  const noisy = (sigma) => withData(Float32Array.from(real.data, (v, i) => Math.min(1, Math.max(0, v + sigma * noise[i]))));
  const noise = gaussian(11, real.data.length);
  const blurred = (s) => transformImage(wg.core, real, `blur:${s}`);
  const occluded = (size) => {
    const data = real.data.slice(), lo = 14 - size / 2;
    for (let k = 0; k < real.n; k++) for (let y = lo; y < lo + size; y++) for (let x = lo; x < lo + size; x++) data[k * 784 + y * 28 + x] = 0;
    return withData(data);
  };
  for (const [name, make, levels] of [['noise', noisy, [0.1, 0.25, 0.5]], ['blur', blurred, [0.7, 1.4, 2.5]], ['occlusion', occluded, [6, 10, 14]]]) {
    const fids = [clean];
    for (const level of levels) fids.push(await fidOf(make(level)));
    for (let i = 1; i < fids.length; i++) assert.ok(fids[i] > fids[i - 1], `${name}: FID ${fids.map((f) => f.toFixed(2)).join(' -> ')}`);
  }
});

test('a collapsed generator (one sample repeated) has recall 0 and covers one class', async () => {
  const one = withData(new Float32Array(real.data.length));
  for (let k = 0; k < N; k++) one.data.set(real.data.subarray(0, 784), k * 784);
  const collapsed = await wg.evaluate(one, { against: 'mnist-test' });
  assert.ok(collapsed.recall < 0.01, `collapsed recall ${collapsed.recall}`);
  assert.equal(collapsed.classes.covered, 1);
  assert.ok(collapsed.inceptionScore < 1.01);
  const varied = await wg.evaluate(real, { against: 'mnist-test', metrics: ['precisionRecall'] });
  assert.ok(varied.recall > 0.5, `real digits' recall ${varied.recall}`);   // the same check passes on real data only
});

test('own real images as the reference give the shipped statistics\' numbers; RGB or odd sizes are fitted and noted', async () => {
  const shipped = await wg.evaluate(real, { against: 'mnist-test', metrics: ['fid', 'kid'] });
  const own = await wg.evaluate(real, { against: testSet, metrics: ['fid', 'kid'] });
  assert.equal(own.fid, shipped.fid);
  assert.deepEqual(own.kid, shipped.kid);
  assert.equal(own.against.shipped, false);
  // 3 x 32 x 40 RGB copies of the digits (grey in all planes, padded): converted back for the judge.
  const rgb = { n: 50, channels: 3, height: 40, width: 32, data: new Float32Array(50 * 3 * 40 * 32) };
  for (let k = 0; k < 50; k++) for (let c = 0; c < 3; c++) for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    rgb.data[((k * 3 + c) * 40 + y + 6) * 32 + x + 2] = real.data[k * 784 + y * 28 + x];
  }
  const r = await wg.evaluate(rgb, { against: 'mnist-test', metrics: ['classes'] });
  assert.match(r.notes.join(), /32x40 RGB images were converted to grey \(BT.601 luma\), centre-cropped to a square, resized to 28x28 for the mnist judge/);
  assert.ok(r.classes.covered >= 8, `fitted digits are still recognised: ${r.classes.counts}`);
});

test('what is measured follows the model\'s capabilities', async () => {
  const cgan = wg.createModel({ model: 'cgan', seed: 1 });
  const c = await wg.evaluate(cgan, { n: 100 });
  assert.equal(c.accuracy.perClass.length, 10);
  assert.ok(c.accuracy.accuracy >= 0 && c.accuracy.accuracy <= 1);
  assert.equal(c.reconstruction, undefined);
  assert.deepEqual([c.model, c.n, c.seed, c.against.name], ['cgan', 100, 0, 'mnist-test']);
  const again = await wg.evaluate(cgan, { n: 100 });
  assert.deepEqual(again, c, 'same seed, same numbers');
  assert.notEqual((await wg.evaluate(cgan, { n: 100, seed: 1, metrics: ['fid'] })).fid, c.fid);
  cgan.dispose();

  const vae = wg.createModel({ model: 'vae', seed: 1 });
  const v = await wg.evaluate(vae, { n: 100, metrics: ['reconstruction'] });
  assert.deepEqual(Object.keys(v.reconstruction), ['images', 'loss', 'recon', 'kl', 'mse', 'psnr']);
  assert.equal(v.reconstruction.images, 100);
  assert.ok(Math.abs(v.reconstruction.psnr - 10 * Math.log10(1 / v.reconstruction.mse)) < 1e-9);
  assert.equal(v.fid, undefined);
  await assert.rejects(wg.evaluate(vae, { metrics: ['accuracy'] }), /accuracy needs a conditional model/);
  vae.dispose();

  const lenet = wg.createModel({ model: 'lenet', seed: 1 });
  await assert.rejects(wg.evaluate(lenet), (e) => e instanceof WasmgenError && /lenet model does not generate images.*test accuracy/.test(e.message));
  lenet.dispose();
  assert.equal(EVAL_DEFAULTS.n, 2000);
});

test('evaluate refuses bad options clearly', async () => {
  await assert.rejects(wg.evaluate(real, { against: 'cifar' }), /unknown reference "cifar"/);
  await assert.rejects(wg.evaluate(real, { against: 'fashion-test', judge: 'mnist' }), /made with the fashion judge, not mnist/);
  await assert.rejects(wg.evaluate(real, { metrics: ['sharpness'] }), /unknown metric sharpness/);
  await assert.rejects(wg.evaluate(real, { n: 10000 }), /n must be a whole number in \[2, 400\]/);
  await assert.rejects(wg.evaluate({ data: [1, 2] }), /expected a model, a Dataset or images/);
});
