// Learning, measured: the VAE reaches a test-set loss threshold and the GAN's samples move to the
// data's pixel statistics. Runs are seeded and the core is deterministic, so these numbers are
// the same on every machine; thresholds leave room for harmless changes, not for luck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetImages, pixelStats } from '../wasm/node.js';
import { getWg } from './helpers.js';

test('MLP VAE: test loss (BCE + KL per image) below 120 after 10 epochs', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist', { split: 'train' });
  const testSet = await wg.loadDataset('mnist', { split: 'test' });
  const vae = wg.createModel({ model: 'vae', latent: 20, hidden: [400], seed: 1 });
  const untrained = vae.evaluate(testSet);
  await vae.train(train, { epochs: 10, batch: 64 });
  const trained = vae.evaluate(testSet);
  // Measured (seed 1): untrained ~543, 1 epoch 175, 5 epochs 125, 10 epochs 116, 20 epochs 111.
  // For scale, a 784-400-20 VAE reaches ~105-110 after a few epochs of the full 60k MNIST.
  assert.ok(untrained.loss > 400, `untrained loss ${untrained.loss}`);
  assert.ok(trained.loss < 120, `test loss ${trained.loss.toFixed(2)} per image is not below 120`);
  assert.ok(trained.kl > 10 && trained.kl < 40, `KL ${trained.kl} outside the range of a used latent`);
  // Generalises: the test loss is close to the training loss (no memorising of 8k images).
  const onTrain = vae.evaluate(train, { limit: 2000 });
  assert.ok(Math.abs(trained.loss - onTrain.loss) < 8, `train ${onTrain.loss} vs test ${trained.loss}`);
  vae.dispose(); train.dispose(); testSet.dispose();
});

test('MLP GAN: 1,000 steps with finite losses; sample statistics approach the data', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist', { split: 'train' });
  const data = pixelStats(datasetImages(train, { n: 2000 }));
  const gan = wg.createModel({ model: 'gan', seed: 1 });
  const before = pixelStats(gan.sample(500, { seed: 5 }));
  let finite = true;
  await gan.train(train, {
    steps: 1000, batch: 64,
    onProgress: (p) => { finite &&= Object.values(p.losses).every(Number.isFinite); },
  });
  assert.ok(finite, 'a loss became non-finite');
  const after = pixelStats(gan.sample(500, { seed: 5 }));
  // Measured (seed 1): data mean 0.132 / ink 0.134 / contrast 0.30; untrained G 0.36 / 0.23 /
  // 0.19; after 1,000 steps 0.152 / 0.120 / 0.253, after 3,000 steps 0.142 / 0.130 / 0.283.
  for (const key of ['mean', 'ink', 'contrast']) {
    assert.ok(Math.abs(after[key] - data[key]) < Math.abs(before[key] - data[key]),
      `${key} did not move towards the data: before ${before[key]}, after ${after[key]}, data ${data[key]}`);
  }
  assert.ok(Math.abs(after.mean - data.mean) < 0.03, `mean ${after.mean} vs data ${data.mean}`);
  assert.ok(Math.abs(after.ink - data.ink) < 0.03, `ink ${after.ink} vs data ${data.ink}`);
  assert.ok(after.contrast > 0.22, `contrast ${after.contrast}: samples are washed out`);
  // Not collapsed to one image: samples differ from each other.
  const s = gan.sample(2, { seed: 9 }).data;
  let diff = 0;
  for (let i = 0; i < 784; i++) diff += Math.abs(s[i] - s[784 + i]);
  assert.ok(diff / 784 > 0.05, 'two samples are nearly identical');
  gan.dispose(); train.dispose();
});
