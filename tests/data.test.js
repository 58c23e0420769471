// Datasets beyond the built-in MNIST: Fashion-MNIST from Debian's package, and a clear message
// when it is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FASHION_DIR } from '../wasm/data.js';
import { WasmgenError } from '../wasm/node.js';
import { getWg, tempDir } from './helpers.js';

test('Fashion-MNIST loads from the dataset-fashion-mnist package (60,000 / 10,000)', async (t) => {
  if (!fs.existsSync(`${FASHION_DIR}train-images-idx3-ubyte.gz`)) {
    // .ci/run installs the package; on a machine without it this test must not pass silently.
    assert.fail(`Fashion-MNIST is not installed in ${FASHION_DIR}: apt-get install dataset-fashion-mnist`);
  }
  const wg = await getWg();
  const train = await wg.loadDataset('fashion', { split: 'train' });
  const test_ = await wg.loadDataset('fashion', { split: 'test' });
  assert.equal(train.length, 60000);
  assert.equal(test_.length, 10000);
  assert.deepEqual([train.height, train.width, train.channels], [28, 28, 1]);
  const labels = train.labels();
  assert.ok(labels.every((l) => l < 10));
  // A model trains on it through the same path as MNIST.
  const vae = wg.createModel({ model: 'vae', seed: 1 });
  vae.trainSteps(train, 20, 64);
  assert.ok(Number.isFinite(vae.losses.loss));
  vae.dispose(); train.dispose(); test_.dispose();
});

test('a missing Fashion-MNIST says how to get it', async () => {
  const wg = await getWg();
  const empty = tempDir();
  await assert.rejects(wg.loadDataset('fashion', { dir: empty }),
    (e) => e instanceof WasmgenError && /Fashion-MNIST not found at .* apt-get install dataset-fashion-mnist/.test(e.message));
});
