// helpers.js — shared setup for the Node tests: one wasm instance, the built-in datasets, temp dirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init } from '../wasm/node.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'bin', 'wasmgen.js');

let wgPromise = null;
export function getWg() {
  wgPromise ??= init();
  return wgPromise;
}

export function tempDir(prefix = 'wasmgen-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Checkpoint bytes of a model of `config` after `steps` steps of `batch` on built-in MNIST. */
export async function trainedBytes(wg, config, steps, batch) {
  const data = await wg.loadDataset('mnist', { split: 'train' });
  const model = wg.createModel(config);
  model.trainSteps(data, steps, batch);
  const bytes = model.save();
  model.dispose();
  data.dispose();
  return bytes;
}

/** Float images (N, C, H, W) in [0, 1] from the first n images of a dataset. */
export function firstImages(dataset, n) {
  const size = dataset.imageSize;
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const img = dataset.image(i);
    for (let p = 0; p < size; p++) out[i * size + p] = img[p] / 255;
  }
  return out;
}
