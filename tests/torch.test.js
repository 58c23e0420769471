// torch.test.js — the PyTorch road (python/wasmgen_torch, run by Debian's /usr/bin/python3):
// wasm -> torch -> wasm round trips of every family (CycleGAN's translate and image pools too), one
// training step in torch against the core's, data-parallel training (DistributedDataParallel) on 2
// CPU processes from a wasmgen checkpoint and back (a VAE with batch norm, a CycleGAN), a model
// built and trained in plain PyTorch exported and sampled in wasm, and clear errors for what
// cannot be converted. The PyTorch side of the
// round-trip, export and error cases is tests/torch-helper.py.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { getWg, tempDir, ROOT, CLI } from './helpers.js';

const PYTHON = '/usr/bin/python3';   // Debian's, where python3-torch lives (not the first python3 on PATH)
const HELPER = path.join(ROOT, 'tests', 'torch-helper.py');
const env = { ...process.env, PYTHONPATH: path.join(ROOT, 'python'), OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
const wg = await getWg();
const train = await wg.loadDataset('mnist', { split: 'train' });
const eights = await wg.loadDataset('mnist:8');   // CycleGAN's domain B (A is all of train, or the 3s)
const threes = await wg.loadDataset('mnist:3');
const dir = tempDir('wasmgen-torch-');

function python(args, what) {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env, cwd: ROOT });
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr}`);
  return r;
}

function readSafetensors(bytes) {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  const tensors = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const raw = new Uint8Array(bytes.subarray(8 + len + t.data_offsets[0], 8 + len + t.data_offsets[1]));   // a copy
    tensors.set(name, new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4));
  }
  return { meta: header.__metadata__, tensors };
}

function maxDiff(a, b) {
  assert.equal(a.length, b.length, 'lengths differ');
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function spread(a) {
  return Math.max(...a) - Math.min(...a);
}

/** Deterministic values in [-2, 2] (no RNG needed to agree between the two sides: both read them). */
function values(n, k = 1) {
  return Float32Array.from({ length: n }, (_, i) => 2 * Math.sin(1.7 * i + k) * Math.cos(0.31 * i * k));
}

const PAD_G = [{ type: 'pad', padding: 2, mode: 'replicate' }, { type: 'conv2d', out_channels: 4, kernel: 5 }, { type: 'instancenorm' },
  { type: 'relu' }, { type: 'pad', padding: [2, 1], mode: 'zero' }, { type: 'conv2d', out_channels: 4, kernel: [5, 3] },
  { type: 'instancenorm' }, { type: 'relu' }, { type: 'pad', padding: 1, mode: 'reflect' }, { type: 'conv2d', out_channels: 1, kernel: 3 },
  { type: 'tanh' }];
const PAD_D = [{ type: 'conv2d', out_channels: 4, kernel: 4, stride: 2, padding: 1 }, { type: 'leaky_relu', slope: 0.2 },
  { type: 'pad', padding: [2, 1], mode: 'replicate' }, { type: 'conv2d', out_channels: 1, kernel: [5, 3] }];
const FAMILY_CONFIGS = {
  gan: { model: 'gan', hidden: [16], disc_hidden: [12], latent: 5, seed: 3 },
  dcgan: { model: 'dcgan', hidden: [8, 4], latent: 6, seed: 3 },
  cgan: { model: 'cgan', hidden: [16], disc_hidden: [12], latent: 5, seed: 3 },
  cdcgan: { model: 'cdcgan', hidden: [8, 4], latent: 6, seed: 3 },
  acgan: { model: 'acgan', hidden: [16], disc_hidden: [12], latent: 5, seed: 3 },
  vae: { model: 'vae', hidden: [16], latent: 3, seed: 3 },
  convvae: { model: 'convvae', hidden: [4, 6], latent: 3, seed: 3 },
  cvae: { model: 'cvae', hidden: [16], latent: 2, seed: 3 },
  lenet: { model: 'lenet', hidden: [4, 6, 10, 8], seed: 3 },
  cyclegan: { model: 'cyclegan', hidden: [4], disc_hidden: [4], res_blocks: 1, seed: 3 },
  // Every pad mode, [h, w] pads and kernels, pools that fill and swap within 3 steps of 8, and a
  // learning rate halved by the decay at step 0 (1 - 1 / (1 + 1)).
  cyclegan_pads: { model: 'cyclegan_upsample', seed: 3, pool_size: 3, lr_constant_steps: 0, lr_decay_steps: 1,
    generator_ab: PAD_G, generator_ba: PAD_G, discriminator_a: PAD_D, discriminator_b: PAD_D },
};
const twoDomains = (config) => (config.model.startsWith('cyclegan') ? { datasetB: eights } : {});

/** Checkpoints of every family (3 steps trained) and what wasm computes from them. */
function prepareRoundtrip(rt) {
  const inputs = {}, wasm = {};
  for (const [name, config] of Object.entries(FAMILY_CONFIGS)) {
    const m = wg.createModel(config);
    m.trainSteps(train, 3, 8, twoDomains(config));   // moved weights, batch-norm statistics, Adam moments, pools
    fs.writeFileSync(path.join(rt, `${name}.safetensors`), m.save());
    const n = 4, labels = m.capabilities.classes ? [0, 3, 7, 9] : undefined;
    const x = values(n * m.imageSize, 2).map((v) => (v + 2) / 4);
    inputs[name] = { labels: m.capabilities.sample || m.capabilities.encode ? labels ?? null : null };
    const w = {};
    if (m.capabilities.sample) {
      const z = values(n * m.latent);
      inputs[name].z = Array.from(z);
      w.images = m.decode(z, { labels }).data;
    }
    if (m.capabilities.encode || m.capabilities.classify || m.capabilities.translate) inputs[name].x = Array.from(x);
    if (m.capabilities.encode) w.encoded = m.encode(x, { labels });
    if (m.capabilities.classify) w.probs = m.classify(x).probs;
    if (m.capabilities.translate) {
      w.ab = m.translate(x).data;
      w.ba = m.translate(x, { direction: 'ba' }).data;
    }
    wasm[name] = w;
    m.dispose();
  }
  fs.writeFileSync(path.join(rt, 'inputs.json'), JSON.stringify(inputs));
  return { inputs, wasm };
}

/** Fresh checkpoints of every family and the core's first step from each. */
function prepareStep(st) {
  const batch = 8, wasmLosses = {}, lrs = {};
  for (const [name, config] of Object.entries(FAMILY_CONFIGS)) {
    const m = wg.createModel(config);
    fs.writeFileSync(path.join(st, `${name}.safetensors`), m.save());
    m.trainSteps(train, 1, batch, twoDomains(config));
    wasmLosses[name] = m.losses;
    lrs[name] = m.config.lr;
    fs.writeFileSync(path.join(st, `${name}-wasmstep.safetensors`), m.save());
    m.dispose();
  }
  const dataB = Object.fromEntries(Object.keys(FAMILY_CONFIGS).filter((k) => k.startsWith('cyclegan')).map((k) => [k, 'mnist:8']));
  fs.writeFileSync(path.join(st, 'step.json'), JSON.stringify({ names: Object.keys(FAMILY_CONFIGS), batch, data_b: dataB }));
  return { wasmLosses, lrs };
}

/** A small checkpoint the error cases corrupt. */
function prepareErrors(er) {
  const m = wg.createModel({ model: 'vae', hidden: [8], latent: 2, seed: 1 });
  fs.writeFileSync(path.join(er, 'source.safetensors'), m.save());
  m.dispose();
  const cg = wg.createModel(FAMILY_CONFIGS.cyclegan);
  fs.writeFileSync(path.join(er, 'cyclegan.safetensors'), cg.save());
  cg.dispose();
}

/**
 * Prepares the round-trip, step, export and error cases, then runs the PyTorch side of all of
 * them in one Python process (each start imports torch: seconds on a loaded machine). Memoised:
 * the first test that needs it pays.
 */
let helperCache = null;
function helperResults() {
  if (helperCache) return helperCache;
  const sub = (name) => { const d = path.join(dir, name); fs.mkdirSync(d); return d; };
  const roundtrip = prepareRoundtrip(sub('roundtrip'));
  const step = prepareStep(sub('step'));
  sub('export');
  prepareErrors(sub('errors'));
  python([HELPER, 'all', dir], 'torch-helper all');
  helperCache = { roundtrip, step };
  return helperCache;
}

test('round trip wasm -> torch -> wasm for every family: same outputs, optimizer state in torch, file unchanged', () => {
  const { roundtrip: { inputs, wasm } } = helperResults();
  const rt = path.join(dir, 'roundtrip');
  const torch = JSON.parse(fs.readFileSync(path.join(rt, 'torch.json')));
  const families = new Set();
  for (const name of Object.keys(FAMILY_CONFIGS)) {
    const t = torch[name], w = wasm[name];
    families.add(t.family);
    if (w.images) {
      assert.ok(maxDiff(w.images, t.images) <= 1e-5, `${name}: torch's images differ from wasm's decode by ${maxDiff(w.images, t.images)}`);
      assert.ok(spread(t.images) > 1e-3, `${name}: images are constant, the comparison would prove nothing`);
    }
    if (w.encoded) {
      assert.ok(maxDiff(w.encoded.mu, t.mu) <= 1e-5, `${name}: mu differs`);
      assert.ok(maxDiff(w.encoded.logvar, t.logvar) <= 1e-5, `${name}: logvar differs`);
    }
    if (w.probs) assert.ok(maxDiff(w.probs, t.probs) <= 1e-5, `${name}: class probabilities differ by ${maxDiff(w.probs, t.probs)}`);
    for (const dir of ['ab', 'ba']) {
      if (!w[dir]) continue;
      assert.ok(maxDiff(w[dir], t[dir]) <= 1e-5, `${name}: torch's G_${dir.toUpperCase()} differs from wasm's translate by ${maxDiff(w[dir], t[dir])}`);
      assert.ok(spread(t[dir]) > 1e-3, `${name}: translations are constant, the comparison would prove nothing`);
    }

    const orig = readSafetensors(fs.readFileSync(path.join(rt, `${name}.safetensors`)));
    const state = JSON.parse(orig.meta.state), config = JSON.parse(orig.meta.config);
    for (const [role, o] of Object.entries(t.optim)) {   // Adam moments, step and settings inside torch's optimizer
      assert.equal(o.step, state[`opt_${role}`][0], `${name}: torch's Adam step of ${role}`);
      assert.deepEqual(Float32Array.from(o.exp_avg), orig.tensors.get(`${o.tensor}.exp_avg`), `${name}: ${role} exp_avg`);
      assert.deepEqual(Float32Array.from(o.exp_avg_sq), orig.tensors.get(`${o.tensor}.exp_avg_sq`), `${name}: ${role} exp_avg_sq`);
      assert.ok(Math.abs(o.lr - config.lr) < 1e-9 && Math.abs(o.betas[0] - config.beta1) < 1e-7, `${name}: ${role} lr/betas`);
      assert.ok(spread(o.exp_avg) > 0, `${name}: ${role} moments are zero, the check would prove nothing`);
    }
    for (const [key, v] of Object.entries(t.running_means)) assert.deepEqual(Float32Array.from(v), orig.tensors.get(key), `${name}: ${key}`);

    // Written back without training: the same tensors (weights, moments, guard snapshot) and metadata.
    const back = readSafetensors(fs.readFileSync(path.join(rt, `${name}-back.safetensors`)));
    assert.deepEqual([...back.tensors.keys()].sort(), [...orig.tensors.keys()].sort(), name);
    for (const [key, v] of orig.tensors) assert.deepEqual(back.tensors.get(key), v, `${name}: ${key}`);
    assert.deepEqual(JSON.parse(back.meta.state), state, `${name}: state record`);
    for (const key of ['format', 'format_version', 'step', 'epoch', 'dataset']) assert.equal(back.meta[key], orig.meta[key], `${name}: ${key}`);
    if (orig.meta.family_state) assert.deepEqual(JSON.parse(back.meta.family_state), JSON.parse(orig.meta.family_state), `${name}: family_state`);
    assert.deepEqual(JSON.parse(back.meta.config), config);
    const m = wg.loadModel(fs.readFileSync(path.join(rt, `${name}-back.safetensors`)));
    if (w.images) {
      const z = Float32Array.from(inputs[name].z), labels = inputs[name].labels ?? undefined;
      assert.deepEqual(m.decode(z, { labels }).data, w.images, `${name}: decode after the round trip`);
    }
    if (w.probs) assert.deepEqual(m.classify(Float32Array.from(inputs[name].x)).probs, w.probs);
    if (w.ab) assert.deepEqual(m.translate(Float32Array.from(inputs[name].x)).data, w.ab, `${name}: translate after the round trip`);
    m.dispose();
  }
  assert.deepEqual([...families].sort(), ['acgan', 'cdcgan', 'cgan', 'classifier', 'cvae', 'cyclegan', 'gan', 'vae']);
  // The pools of the 3-step model are full (3 steps of 8 fakes into 3 slots), so the round trip above carried real images.
  const pads = JSON.parse(readSafetensors(fs.readFileSync(path.join(rt, 'cyclegan_pads.safetensors'))).meta.family_state);
  assert.deepEqual(pads.pool_count, [3, 3]);
});

test('one training step in torch equals the core\'s for every family, on the same batch and noise', () => {
  // The helper replays the core's shuffle and noise streams from each checkpoint's state record.
  const st = path.join(dir, 'step');
  const { step: { wasmLosses, lrs } } = helperResults();
  const torchLosses = JSON.parse(fs.readFileSync(path.join(st, 'step-out.json')));
  for (const name of Object.keys(FAMILY_CONFIGS)) {
    for (const [key, v] of Object.entries(wasmLosses[name])) {
      assert.ok(Math.abs(torchLosses[name][key] - v) <= 1e-5 * Math.max(1, Math.abs(v)), `${name}: ${key} ${torchLosses[name][key]} vs the core's ${v}`);
    }
    const a = readSafetensors(fs.readFileSync(path.join(st, `${name}-wasmstep.safetensors`))).tensors;
    const b = readSafetensors(fs.readFileSync(path.join(st, `${name}-torchstep.safetensors`))).tensors;
    const start = readSafetensors(fs.readFileSync(path.join(st, `${name}.safetensors`))).tensors;
    let weights = 0, farOff = 0, movedWasm = 0, movedTorch = 0;
    const netMax = {};   // the largest first moment of each net: a gradient that is 0 up to rounding is compared at that scale
    for (const [key, v] of a) if (key.endsWith('.exp_avg')) netMax[key.split('.')[1]] = Math.max(netMax[key.split('.')[1]] ?? 0, ...v.map(Math.abs));
    for (const [key, v] of a) {
      if (key.startsWith('guard.')) continue;
      const w = b.get(key), scale = Math.max(...v.map(Math.abs));
      if (key.endsWith('.exp_avg')) {   // (1 - beta1) x the gradient: the objective's gradients, to 1e-4 of their size
        // (biases just before an instance norm have a gradient of 0 but for rounding, at 1e-7 of the net's others)
        assert.ok(maxDiff(v, w) <= 1e-4 * scale + 1e-5 * netMax[key.split('.')[1]], `${name}: ${key} differs by ${maxDiff(v, w)} (max ${scale})`);
      } else if (key.startsWith('family.')) {   // CycleGAN's pools after one step: that step's fakes, in order
        assert.ok(maxDiff(v, w) <= 1e-5, `${name}: ${key} differs by ${maxDiff(v, w)}`);
        assert.ok(spread(v) > 0.1, `${name}: ${key} holds no fakes, the comparison would prove nothing`);
      } else if (key.endsWith('running_mean') || key.endsWith('running_var')) {
        assert.ok(maxDiff(v, w) <= 1e-5 * (1 + scale), `${name}: ${key} differs by ${maxDiff(v, w)}`);
      } else if (!key.startsWith('opt.')) {
        // Adam's first step is about lr x sign(gradient): only the rare gradients within rounding
        // of zero (biases just before a batch norm) may step the other way.
        const s0 = start.get(key);
        for (let i = 0; i < v.length; i++) {
          farOff += Math.abs(v[i] - w[i]) > lrs[name] / 2;
          movedWasm += Math.abs(v[i] - s0[i]);
          movedTorch += Math.abs(w[i] - s0[i]);
        }
        weights += v.length;
      }
    }
    assert.ok(farOff <= 0.01 * weights, `${name}: ${farOff} of ${weights} weights stepped differently`);
    // The same step length: the learning rate, with a family's schedule (cyclegan_pads: halved).
    assert.ok(movedWasm > 0 && Math.abs(movedTorch / movedWasm - 1) < 0.05, `${name}: torch moved the weights ${movedTorch / movedWasm} times as far`);
  }
});

test('DDP on 2 CPU processes continues a wasmgen checkpoint: ranks in sync, loss goes down, wasm and the CLI resume it', () => {
  const start = path.join(dir, 'start.safetensors'), out = path.join(dir, 'ddp.safetensors');
  // Batch norm in both nets: their running statistics are buffers the ranks must agree on too.
  const bn = (out) => [{ type: 'dense', units: 64 }, { type: 'batchnorm' }, { type: 'relu' }, { type: 'dense', units: out }];
  const m0 = wg.createModel({ model: 'vae', latent: 8, seed: 2, encoder: bn(16), decoder: [...bn(784), { type: 'sigmoid' }] });
  m0.trainSteps(train, 2, 32);
  fs.writeFileSync(start, m0.save());
  const startWeights = readSafetensors(fs.readFileSync(start)).tensors;
  m0.dispose();
  const r = python(['-m', 'wasmgen_torch', 'train', '--resume', start, '--data', 'mnist', '--steps', '20', '--batch', '32',
    '--nproc', '2', '--threads', '1', '--json', '--out', out], 'wasmgen_torch train --nproc 2');
  const summary = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(summary.world_size, 2);
  assert.equal(summary.rank_digests.length, 2);
  assert.equal(summary.rank_digests[0], summary.rank_digests[1], 'the two ranks ended with different weights');
  assert.equal(summary.buffers, 2 * (64 + 64 + 1), 'running mean, variance and batch count of both batch norms');
  assert.equal(summary.rank_buffer_digests[0], summary.rank_buffer_digests[1], 'the two ranks ended with different batch-norm statistics');
  assert.equal(summary.history.length, 20);
  const mean = (a) => a.reduce((s, h) => s + h.loss, 0) / a.length;
  const first = mean(summary.history.slice(0, 5)), last = mean(summary.history.slice(-5));
  assert.ok(last < first - 5, `loss did not go down: first 5 steps ${first}, last 5 ${last}`);

  const file = readSafetensors(fs.readFileSync(out));
  assert.equal(file.meta.format_version, '2');
  assert.equal(file.meta.step, '22');
  assert.deepEqual(JSON.parse(file.meta.state).opt_encoder.slice(0, 1), [22], 'Adam step count continues');
  assert.notDeepEqual(file.tensors.get('decoder.0.weight'), startWeights.get('decoder.0.weight'), 'weights did not change');
  const m = wg.loadModel(fs.readFileSync(out));
  assert.equal(m.step, 22);
  assert.equal(m.datasetId, 'mnist-train:8337');
  const s = m.sample(16, { seed: 1 }).data;
  assert.ok(s.every(Number.isFinite) && spread(s) > 0.1, 'samples of the returned model');
  m.trainSteps(train, 2, 16);   // wasmgen continues training it on the same data
  assert.equal(m.step, 24);
  assert.ok(Object.values(m.losses).every(Number.isFinite));
  m.dispose();

  const png = path.join(dir, 'ddp.png');
  const cliSample = spawnSync(process.execPath, [CLI, 'sample', '--load', out, '--n', '16', '--out', png, '--threads', '1'], { encoding: 'utf8' });
  assert.equal(cliSample.status, 0, cliSample.stderr);
  assert.ok(fs.statSync(png).size > 100);
  const cliTrain = spawnSync(process.execPath, [CLI, 'train', '--resume', out, '--dataset', 'mnist', '--steps', '2', '--batch', '16',
    '--json', '--threads', '1'], { encoding: 'utf8' });
  assert.equal(cliTrain.status, 0, cliTrain.stderr);
  assert.equal(JSON.parse(cliTrain.stdout.trim().split('\n').pop()).step, 24);
});

test('DDP on 2 CPU processes continues a CycleGAN on two domains: ranks in sync, pools and schedule carried, wasm translates and resumes it', () => {
  const start = path.join(dir, 'cg-start.safetensors'), out = path.join(dir, 'cg-ddp.safetensors');
  const m0 = wg.createModel({ model: 'cyclegan', hidden: [4], disc_hidden: [4], res_blocks: 1, seed: 5, pool_size: 20,
    lr_constant_steps: 3, lr_decay_steps: 8 });
  m0.trainSteps(threes, 1, 2, { datasetB: eights });   // 2 fakes in each pool
  fs.writeFileSync(start, m0.save());
  const startFile = readSafetensors(fs.readFileSync(start));
  m0.dispose();
  const r = python(['-m', 'wasmgen_torch', 'train', '--resume', start, '--data', 'mnist:3', '--data-b', 'mnist:8', '--steps', '4',
    '--batch', '4', '--nproc', '2', '--threads', '1', '--json', '--out', out], 'wasmgen_torch train cyclegan --nproc 2');
  const summary = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(summary.world_size, 2);
  assert.equal(summary.rank_digests[0], summary.rank_digests[1], 'the two ranks ended with different weights');
  assert.equal(summary.rank_buffer_digests[0], summary.rank_buffer_digests[1]);
  assert.deepEqual(Object.keys(summary.losses), ['g_loss', 'd_a', 'd_b', 'gan_ab', 'gan_ba', 'cycle_a', 'cycle_b', 'idt_a', 'idt_b']);
  assert.ok(summary.history.every((h) => Object.values(h).every(Number.isFinite)));
  // Steps 1..4 were trained; the next (5) decays by 1 - (5 + 1 - 3) / (8 + 1).
  assert.ok(Math.abs(summary.next_lr_factor - (1 - 3 / 9)) < 1e-9, `lr factor ${summary.next_lr_factor}`);

  const file = readSafetensors(fs.readFileSync(out));
  assert.equal(file.meta.step, '5');
  assert.equal(file.meta.dataset, `mnist-train:3:${threes.length}+mnist-train:8:${eights.length}`);
  const state = JSON.parse(file.meta.state), family = JSON.parse(file.meta.family_state);
  assert.deepEqual(state.lr, JSON.parse(startFile.meta.state).lr, 'the base rates go back, not the decayed ones');
  assert.deepEqual(family.pool_count, [18, 18], 'rank 0 added its 4 x 4 fakes to the 2 of each pool');
  assert.deepEqual(family.pool_rng, JSON.parse(startFile.meta.family_state).pool_rng, 'the pool stream is the one loaded');
  const poolA = file.tensors.get('family.pool_a'), oldA = startFile.tensors.get('family.pool_a');
  assert.deepEqual(poolA.subarray(0, 2 * 784), oldA.subarray(0, 2 * 784), 'the 2 images wasmgen pooled are still there');
  assert.ok(spread(poolA.subarray(2 * 784, 18 * 784)) > 0.1, 'PyTorch\'s fakes follow');
  assert.ok(poolA.subarray(18 * 784).every((v) => v === 0), 'the rest is still empty');
  for (const role of ['G_AB', 'G_BA', 'D_A', 'D_B']) assert.equal(state[`opt_${role}`][0], 5, `${role}'s Adam step`);

  const m = wg.loadModel(fs.readFileSync(out));
  const x = values(2 * 784, 4).map((v) => (v + 2) / 4);
  const ab = m.translate(x).data;
  assert.ok(ab.every(Number.isFinite) && spread(ab) > 1e-3);
  m.trainSteps(threes, 2, 4, { datasetB: eights });   // wasmgen continues on the same two domains
  assert.equal(m.step, 7);
  assert.ok(Object.values(m.losses).every(Number.isFinite));
  m.dispose();
});

test('a GAN built, initialised and trained in plain PyTorch, exported, samples in wasm as in torch and keeps training', async () => {
  helperResults();
  const ex = path.join(dir, 'export');
  const ref = JSON.parse(fs.readFileSync(path.join(ex, 'exported.json')));
  const m = wg.loadModel(fs.readFileSync(path.join(ex, 'exported.safetensors')));
  const got = m.decode(Float32Array.from(ref.z)).data;
  assert.ok(maxDiff(got, ref.images) <= 1e-5, `wasm's decode differs from torch's output by ${maxDiff(got, ref.images)}`);
  assert.ok(spread(ref.images) > 0.05);
  assert.equal(m.config.optimizers.G.lr, ref.g_lr);
  assert.equal(m.config.optimizers.D.lr, ref.d_lr);
  const file = readSafetensors(fs.readFileSync(path.join(ex, 'exported.safetensors')));
  assert.equal(JSON.parse(file.meta.state).opt_G[0], ref.g_steps);
  assert.deepEqual(file.tensors.get('opt.G.0.weight.exp_avg').slice(0, 8), Float32Array.from(ref.g_exp_avg0));

  // wasmgen trains it further on 16x16 images (an IDX file of 32 images), with the exported Adam state.
  const n = 32, header = [0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 16, 0, 0, 0, 16];
  const idx = Uint8Array.from([...header, ...Array.from({ length: n * 256 }, (_, i) => (i * 37) % 256)]);
  const ds = await wg.loadIdxDataset(idx, null, 'stripes');
  m.trainSteps(ds, 2, 8);
  assert.equal(m.step, 2);
  assert.ok(Object.values(m.losses).every(Number.isFinite));
  ds.dispose();
  m.dispose();

  // The CLI export of the same nets (torch.save'd) writes the same weights.
  const cliOut = path.join(ex, 'cli.safetensors');
  python(['-m', 'wasmgen_torch', 'export', path.join(ex, 'nets.pt'), '--model', 'dcgan', '--height', '16', '--width', '16',
    '--latent', '5', '--seed', '5', '--out', cliOut], 'wasmgen_torch export');
  const cli = wg.loadModel(fs.readFileSync(cliOut));
  assert.deepEqual(cli.decode(Float32Array.from(ref.z)).data, got);
  cli.dispose();
});

test('bad input gets a clear error: unsupported layers and settings, a newer checkpoint format, unknown layer types and models, domains that do not fit', () => {
  helperResults();
  const er = path.join(dir, 'errors');
  const msgs = JSON.parse(fs.readFileSync(path.join(er, 'errors.json')));
  assert.match(msgs.unsupported_module, /^net G layer 12: unsupported layer GELU \(wasmgen has Linear, .*, ZeroPad2d\)$/);
  assert.match(msgs.one_sided_pad, /^net G layer 3: ReplicationPad2d padding \(1, 2, 1, 1\) is not supported \(wasmgen pads both sides alike: \(w, w, h, h\)\)$/);
  assert.match(msgs.unsupported_setting, /^net D layer 0: conv2d with dilation \(2, 2\) is not supported$/);
  assert.match(msgs.newer_format, /checkpoint format version 3 is newer than wasmgen_torch supports \(2\)/);
  assert.match(msgs.unknown_layer, /^config: decoder layer 4: unsupported layer type 'swish' \(wasmgen_torch knows dense, /);
  assert.match(msgs.cyclegan_one_domain, /^a cyclegan model translates between two domains: give --data A and --data-b B$/);
  assert.match(msgs.cyclegan_bad_class, /^mnist:12: mnist has classes 0\.\.9$/);
  assert.match(msgs.cyclegan_bad_source, /^--data-b must be mnist, fashion, mnist:K, fashion:K, an IDX file or an image folder; "nowhere" is none of these$/);
  assert.match(msgs.vae_two_domains, /^--data-b is the second domain of a two-domain model; a vae trains on one dataset$/);
  assert.ok(!fs.existsSync(path.join(er, 'never.safetensors')));
  assert.match(msgs.unknown_family, /^model 'stylegan' is not supported by wasmgen_torch \(it supports gan, dcgan, .*, cyclegan, cyclegan_upsample\)$/);
  // wasmgen itself refuses the newer file too, and the command line reports the error without a traceback.
  assert.throws(() => wg.loadModel(fs.readFileSync(path.join(er, 'newer.safetensors'))), /newer than this wasmgen supports/);
  const out = path.join(er, 'never.safetensors');
  const r = spawnSync(PYTHON, ['-m', 'wasmgen_torch', 'train', '--resume', path.join(er, 'newer.safetensors'), '--data', 'mnist',
    '--steps', '1', '--out', out], { encoding: 'utf8', env });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^wasmgen_torch: .*newer\.safetensors: checkpoint format version 3 is newer than wasmgen_torch supports \(2\); update/);
  assert.doesNotMatch(r.stderr, /Traceback/);
  assert.ok(!fs.existsSync(out));
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));
