// Determinism: the same seed gives byte-identical checkpoints in two runs, and the native build
// of the same C gives the same bytes as the wasm build after the same training, and the same
// sample-quality metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { getWg, ROOT, tempDir, trainedBytes } from './helpers.js';
import { features, fid, compareFeatures, inceptionScore } from '../wasm/node.js';

async function trainBytes(config, steps, batch) {
  return trainedBytes(await getWg(), config, steps, batch);
}

// The conv presets run every conv/convT/batch-norm kernel; augmentation and dropout use their own
// random streams, whose draws must land the same in both builds. Small widths keep these fast.
const DROP = { type: 'dropout', p: 0.3 };
const CONFIGS = [
  ['gan', { model: 'gan', seed: 11 }, 8, 32],
  ['vae', { model: 'vae', seed: 12 }, 40, 50],
  ['dcgan + augment', { model: 'dcgan', seed: 13, hidden: [32, 16], augment: 'flip,rotate:10,crop:24' }, 4, 8],
  ['convvae + augment', { model: 'convvae', seed: 14, hidden: [8, 16], augment: 'rotate:15,crop:22' }, 6, 16],
  ['gan + dropout', {
    model: 'gan', seed: 15, hidden: [64, 128],
    discriminator: [{ type: 'dense', units: 128 }, { type: 'leaky_relu', slope: 0.2 }, DROP, { type: 'dense', units: 1 }],
  }, 6, 16],
  ['vae + dropout', {
    model: 'vae', seed: 16, latent: 8,
    encoder: [{ type: 'dense', units: 64 }, { type: 'relu' }, DROP, { type: 'dense', units: 16 }],
    decoder: [{ type: 'dense', units: 64 }, { type: 'relu' }, DROP, { type: 'dense', units: 784 }, { type: 'sigmoid' }],
  }, 10, 16],
];

for (const [name, config, steps, batch] of CONFIGS) {
  test(`${name}: same seed, same checkpoint bytes; another seed differs`, async () => {
    const a = await trainBytes(config, steps, batch);
    const b = await trainBytes(config, steps, batch);
    assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'two runs with one seed differ');
    const c = await trainBytes({ ...config, seed: config.seed + 1 }, steps, batch);
    assert.ok(!Buffer.from(a).equals(Buffer.from(c)), 'a different seed gave the same weights');
  });

  test(`${name}: native and wasm builds give identical checkpoints`, async () => {
    const dir = tempDir();
    const idx = path.join(dir, 'train-images.idx');
    fs.writeFileSync(idx, zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'data', 'mnist-train-images.idx.gz'))));
    const out = path.join(dir, 'native.safetensors');
    const wg = await getWg();
    // The native tool gets the canonical config, exactly as the checkpoint records it.
    const canonical = JSON.stringify(wg.createModel(config).config);
    const r = spawnSync(path.join(ROOT, 'build', 'native', 'wasmgen_native'), [canonical, idx, String(steps), String(batch), out, 'mnist-train:8337'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const native = fs.readFileSync(out);
    const wasm = Buffer.from(await trainBytes(config, steps, batch));
    assert.equal(native.length, wasm.length);
    assert.ok(native.equals(wasm), 'native and wasm checkpoints differ');
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('metrics: native and wasm builds give the same bits (FID, KID subsets, precision/recall, IS)', async () => {
  const fixture = path.join(ROOT, 'tests', 'reference', 'metric_fixtures', 'metrics.json');
  const r = spawnSync(path.join(ROOT, 'build', 'native', 'wasmgen_native'), ['--metrics', fixture], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const native = r.stdout.trim().split('\n').map((line) => JSON.parse(line));   // 17 digits: exact doubles
  const { cases } = JSON.parse(fs.readFileSync(fixture, 'utf8'));
  assert.equal(native.length, cases.length);
  const { core } = await getWg();
  cases.forEach((c, i) => {
    const real = features(c.real, c.dim), fake = features(c.fake, c.dim);
    const s = c.kid_subsets;
    const both = compareFeatures(core, real, fake, { kid: { subsets: s.subsets, subsetSize: s.size, seed: s.seed }, k: c.k });
    assert.deepEqual({
      fid: fid(core, real, fake),
      kid: [both.kid.mean, both.kid.std],
      pr: [both.precision, both.recall],
      is: [inceptionScore(core, features(c.logits, c.classes), { logits: true }), inceptionScore(core, features(c.probs, c.classes))],
    }, native[i], c.name);
  });
});

// CycleGAN: two domains of different sizes (MNIST's train and test images), pools that fill and
// then swap (3 images, batch 2), every conv, pad and instance-norm kernel of its nets.
test('cyclegan: native and wasm builds give identical checkpoints (two domains, image pools)', async () => {
  const config = { model: 'cyclegan', seed: 17, hidden: [4], disc_hidden: [4], res_blocks: 1, pool_size: 3 };
  const steps = 4, batch = 2;
  const dir = tempDir();
  const idx = path.join(dir, 'a.idx'), idxB = path.join(dir, 'b.idx');
  fs.writeFileSync(idx, zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'data', 'mnist-train-images.idx.gz'))));
  fs.writeFileSync(idxB, zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'data', 'mnist-test-images.idx.gz'))));
  const wg = await getWg();
  const a = await wg.loadDataset('mnist', { split: 'train' }), b = await wg.loadDataset('mnist', { split: 'test' });
  const model = wg.createModel(config);
  model.trainSteps(a, steps, batch, { datasetB: b });
  const wasm = Buffer.from(model.save());
  const canonical = JSON.stringify(model.config), id = model.datasetId;
  model.dispose(); a.dispose(); b.dispose();
  assert.equal(id, 'mnist-train:8337+mnist-test:1663');
  const out = path.join(dir, 'native.safetensors');
  const r = spawnSync(path.join(ROOT, 'build', 'native', 'wasmgen_native'), [canonical, idx, String(steps), String(batch), out, id],
    { encoding: 'utf8', env: { ...process.env, WASMGEN_DATASET_B: idxB } });
  assert.equal(r.status, 0, r.stderr);
  const native = fs.readFileSync(out);
  assert.ok(native.includes('family.pool_a') && native.includes('\\"pool_count\\":[3,3]'), 'the pools are full and saved');
  assert.equal(native.length, wasm.length);
  assert.ok(native.equals(wasm), 'native and wasm checkpoints differ');
  fs.rmSync(dir, { recursive: true, force: true });
});
