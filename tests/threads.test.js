// Threads: every preset gives byte-identical checkpoints after the same training at 1, 2, 3 and 4
// threads (the single-thread build for 1, the threaded build for the others), and those trained
// without labels also in the native build at 3 threads; the threaded runs really do open parallel
// regions; a worker's failure becomes a WasmgenError; a Node process with threads exits by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { init, WasmgenError } from '../wasm/node.js';
import { ROOT, tempDir, trainedBytes } from './helpers.js';

/** Checkpoint bytes with every NaN in the tensor data set to one canonical bit pattern. */
function canonical(bytes) {
  const buf = Buffer.from(bytes);
  const start = 8 + Number(buf.readBigUInt64LE(0));
  for (let off = start; off + 4 <= buf.length; off += 4) {
    if (Number.isNaN(buf.readFloatLE(off))) buf.writeUInt32LE(0x7fc00000, off);
  }
  return buf;
}

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex').slice(0, 16);

// Small batches and few steps keep this quick; the layers' products are still above the parallel
// threshold (checked below through the count of parallel regions).
const PRESETS = [
  ['gan', { model: 'gan', seed: 21 }, 4, 32],
  ['vae', { model: 'vae', seed: 22 }, 4, 32],
  ['dcgan', { model: 'dcgan', seed: 23 }, 2, 8],
  ['convvae', { model: 'convvae', seed: 24 }, 2, 8],
];

async function trainWith(wg, config, steps, batch) {
  return canonical(await trainedBytes(wg, config, steps, batch));
}

const engines = new Map();
async function engine(threads) {
  if (!engines.has(threads)) engines.set(threads, init({ threads, fresh: true }));
  return engines.get(threads);
}

test('init({ threads }) picks the threaded build and says so', async () => {
  const one = await engine(1);
  assert.equal(one.threads, 1);
  assert.match(one.engine, /^wasmgen\.wasm, 1 thread/);
  const two = await engine(2);
  assert.equal(two.threads, 2);
  assert.match(two.engine, /^wasmgen-mt\.wasm, 2 threads/);
  await assert.rejects(init({ threads: 0 }), /threads must be an integer from 1 to 8/);
});

/** Trains at 1 thread, then at 2, 3 and 4 (which must open parallel regions), and requires the
 * same checkpoint bytes; returns the 1-thread checkpoint. */
async function sameBytesAtEveryThreadCount(name, config, steps, batch) {
  const reference = await trainWith(await engine(1), config, steps, batch);
  for (const threads of [2, 3, 4]) {
    const wg = await engine(threads);
    const regionsBefore = wg.core.exports.wg_threads_parallel_regions();
    const bytes = await trainWith(wg, config, steps, batch);
    assert.ok(wg.core.exports.wg_threads_parallel_regions() > regionsBefore, `${threads} threads ran no parallel region`);
    assert.equal(sha(bytes), sha(reference), `${name} at ${threads} threads differs from 1 thread`);
  }
  return reference;
}

// The labelled families (conditional generators, AC-GAN, the classifier) train on MNIST's labels,
// which the native trainer reads from WASMGEN_LABELS.
const LABELLED_PRESETS = [
  ['cgan', { model: 'cgan', seed: 25 }, 2, 8],
  ['cdcgan', { model: 'cdcgan', seed: 26 }, 2, 8],
  ['acgan', { model: 'acgan', seed: 29 }, 2, 8],
  ['cvae', { model: 'cvae', seed: 27 }, 4, 16],
  ['lenet', { model: 'lenet', seed: 28 }, 4, 16],
];

/** MNIST's training images (and labels) as the IDX files the native trainer reads. */
function mnistIdx(dir) {
  const unpack = (name) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'data', `${name}.gz`))));
    return file;
  };
  return { images: unpack('mnist-train-images.idx'), labels: unpack('mnist-train-labels.idx') };
}

for (const [name, config, steps, batch, labelled] of [...PRESETS, ...LABELLED_PRESETS.map((p) => [...p, true])]) {
  test(`${name}: the same checkpoint bytes at 1, 2, 3 and 4 threads and in the native build`, async () => {
    const reference = await sameBytesAtEveryThreadCount(name, config, steps, batch);
    const dir = tempDir();
    const idx = mnistIdx(dir);
    const out = path.join(dir, 'native.safetensors');
    const wg = await engine(1);
    const canonicalConfig = JSON.stringify(wg.createModel(config).config);
    const r = spawnSync(path.join(ROOT, 'build', 'native', 'wasmgen_native'),
      [canonicalConfig, idx.images, String(steps), String(batch), out, 'mnist-train:8337'],
      { encoding: 'utf8', env: { ...process.env, WASMGEN_THREADS: '3', ...(labelled ? { WASMGEN_LABELS: idx.labels } : {}) } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(sha(canonical(fs.readFileSync(out))), sha(reference), `${name}: native at 3 threads differs from wasm`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('a trap in a worker thread becomes a WasmgenError, not a hang', async () => {
  const wg = await init({ threads: 2, fresh: true });
  // Simulate what thread-worker.js does when its instance traps: message, failure word.
  const word = wg.core.exports.wg_threads_failure_word();
  Atomics.store(new Int32Array(wg.core.memory.buffer, word, 1), 0, 1);
  assert.throws(() => wg.createModel({ model: 'gan', seed: 1 }), (err) => err instanceof WasmgenError && /worker thread failed/.test(err.message));
  wg.core.terminateThreads();
});

test('a Node process that used threads exits by itself when its work is done', () => {
  const script = `import { init } from ${JSON.stringify(path.join(ROOT, 'wasm', 'node.js'))};
    const wg = await init({ threads: 3 });
    const data = await wg.loadDataset('mnist', { split: 'train' });
    wg.createModel({ model: 'gan', seed: 1 }).trainSteps(data, 2, 64);
    console.log('done', wg.threads);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.signal, null, 'the process had to be killed: a worker kept it alive');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /done 3/);
});

test('WASMGEN_THREADS sets the default thread count of init() and the CLI; a bad value is named', () => {
  const cli = path.join(ROOT, 'bin', 'wasmgen.js');
  const run = (value, args) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120000, env: { ...process.env, WASMGEN_THREADS: value } });
  for (const n of [1, 3]) {
    const r = run(String(n), ['train', '--model', 'gan', '--steps', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).threads, n);
  }
  const flag = run('3', ['train', '--model', 'gan', '--steps', '1', '--threads', '2', '--json']);
  assert.equal(JSON.parse(flag.stdout).threads, 2, '--threads wins over the environment');
  const bad = run('many', ['train', '--model', 'gan', '--steps', '1']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /WASMGEN_THREADS must be an integer from 1 to 8, got "many"/);
});

test('the CLI takes --threads N on any command and reports the count', () => {
  const cli = path.join(ROOT, 'bin', 'wasmgen.js');
  const r = spawnSync(process.execPath, [cli, 'train', '--model', 'gan', '--steps', '2', '--threads', '3', '--json'], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).threads, 3);
  const bad = spawnSync(process.execPath, [cli, 'info', '--threads=9', '--load', 'x'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--threads must be at most 8/);
});
