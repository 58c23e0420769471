// The JS API: configs, sampling, encode/decode, checkpoints round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getWg, firstImages } from './helpers.js';
import { toGrid, encodePng } from '../wasm/node.js';

test('the wasm build uses SIMD', async () => {
  const wg = await getWg();
  assert.equal(wg.simd, 'wasm-simd128');
});

test('built-in MNIST: fixed split, sizes, labels', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist', { split: 'train' });
  const testSet = await wg.loadDataset('mnist', { split: 'test' });
  assert.equal(train.length, 8337);
  assert.equal(testSet.length, 1663);
  assert.deepEqual([train.height, train.width, train.channels], [28, 28, 1]);
  const labels = train.labels();
  assert.deepEqual(Array.from(labels.slice(0, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  assert.ok(counts.every((c) => c > 700 && c < 1000), `class counts ${counts}`);
  train.dispose(); testSet.dispose();
});

test('presets expand to the documented architectures', async () => {
  const wg = await getWg();
  const gan = wg.createModel({ model: 'gan' });
  const g = gan.config.generator;
  assert.deepEqual(g.filter((l) => l.type === 'dense').map((l) => l.units), [256, 512, 1024, 784]);
  assert.deepEqual(g.filter((l) => l.type === 'batchnorm').map((l) => l.momentum), [0.8, 0.8, 0.8]);
  assert.equal(g.at(-1).type, 'tanh');
  assert.deepEqual(gan.config.discriminator.filter((l) => l.type === 'dense').map((l) => l.units), [512, 256, 1]);
  assert.equal(gan.config.lr, 0.0002);
  assert.equal(gan.config.beta1, 0.5);
  const vae = wg.createModel({ model: 'vae', latent: 8, hidden: [128, 64] });
  assert.equal(vae.latent, 8);
  assert.deepEqual(vae.config.encoder.filter((l) => l.type === 'dense').map((l) => l.units), [128, 64, 16]);
  assert.deepEqual(vae.config.decoder.filter((l) => l.type === 'dense').map((l) => l.units), [64, 128, 784]);
  gan.dispose(); vae.dispose();
});

test('a custom architecture from layer lists', async () => {
  const wg = await getWg();
  const model = wg.createModel({
    model: 'gan', height: 8, width: 8, latent: 4,
    generator: [{ type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 64 }, { type: 'tanh' }],
    discriminator: [{ type: 'dense', units: 16 }, { type: 'leaky_relu', slope: 0.1 }, { type: 'dropout', p: 0.25 }, { type: 'dense', units: 1 }],
  });
  assert.deepEqual(model.parameterCounts, [4 * 32 + 32 + 32 * 64 + 64, 64 * 16 + 16 + 16 + 1]);
  const img = model.sample(3, { seed: 1 });
  assert.equal(img.data.length, 3 * 64);
  model.dispose();
});

test('sampling is seeded; decode(z) and encode work; grids render', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  const vae = wg.createModel({ model: 'vae', seed: 3 });
  await vae.train(train, { steps: 200 });
  const a = vae.sample(4, { seed: 1 }), b = vae.sample(4, { seed: 1 }), c = vae.sample(4, { seed: 2 });
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
  assert.ok(a.data.every((v) => v >= 0 && v <= 1));
  const x = firstImages(train, 5);
  const { mu, logvar } = vae.encode(x);
  assert.equal(mu.length, 5 * 20);
  assert.equal(logvar.length, 5 * 20);
  const rec = vae.decode(mu);
  assert.equal(rec.n, 5);
  // Reconstructions are closer to their own inputs than to other images.
  const dist = (i, j) => { let s = 0; for (let p = 0; p < 784; p++) s += (rec.data[i * 784 + p] - x[j * 784 + p]) ** 2; return s; };
  for (let i = 0; i < 5; i++) assert.ok(dist(i, i) < dist(i, (i + 1) % 5), `reconstruction ${i}`);
  const grid = toGrid(a, { cols: 2, pad: 1 });
  assert.deepEqual([grid.width, grid.height], [2 * 28 + 3, 2 * 28 + 3]);
  const png = encodePng(grid);
  assert.deepEqual(Array.from(png.slice(1, 4)), [0x50, 0x4e, 0x47]);
  vae.dispose(); train.dispose();
});

test('save/load round trip keeps weights, step and continues identically', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  const gan = wg.createModel({ model: 'gan', seed: 4, hidden: [64, 128], disc_hidden: [64] });
  gan.trainSteps(train, 5, 16);
  const bytes = gan.save();
  const copy = wg.loadModel(bytes);
  assert.equal(copy.step, 5);
  assert.deepEqual(copy.config, gan.config);
  assert.deepEqual(copy.sample(3, { seed: 1 }).data, gan.sample(3, { seed: 1 }).data);
  gan.trainSteps(train, 4, 16);
  copy.trainSteps(train, 4, 16);
  assert.ok(Buffer.from(gan.save()).equals(Buffer.from(copy.save())));
  // The header is plain safetensors JSON that names tensors like PyTorch's nn.Sequential.
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.slice(8, 8 + headerLen)));
  assert.deepEqual(header['G.0.weight'].shape, [64, 100]);
  assert.equal(header['G.0.weight'].dtype, 'F32');
  assert.deepEqual(header['D.0.weight'].shape, [64, 784]);
  assert.ok(header['G.2.running_var']);
  assert.equal(header.__metadata__.format, 'wasmgen');
  gan.dispose(); copy.dispose(); train.dispose();
});

test('every export of the package is declared in index.d.ts', async () => {
  const fs = await import('node:fs');
  const api = await import('../wasm/node.js');
  const types = fs.readFileSync(new URL('../wasm/index.d.ts', import.meta.url), 'utf8');
  const missing = Object.keys(api).filter((name) => !new RegExp(`export (declare )?(function|class|const|interface|type) ${name}\\b`).test(types));
  assert.deepEqual(missing, []);
});
