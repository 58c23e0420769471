// compat.test.js — checkpoints written by format 1 (wasmgen before model families, commit d34fcb8)
// still load and resume bit-identically: load the step-7 file, train 5 more steps on the same
// data, and every tensor, the RNG/data state and the samples equal the old code's step-12 file.
// tests/fixtures/format1/ holds the files and MANIFEST.json (how they were made; the old script
// is kept as make-format1.mjs.txt, it runs only in a checkout of that commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { init } from '../wasm/node.js';

const dir = new URL('./fixtures/format1/', import.meta.url);
const manifest = JSON.parse(fs.readFileSync(new URL('MANIFEST.json', dir)));
const wg = await init();
const train = await wg.loadDataset('mnist', { split: 'train' });

/** safetensors -> { meta, tensors: Map(name -> Uint8Array of the raw bytes) } */
function readSafetensors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  const tensors = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    tensors.set(name, bytes.subarray(8 + len + t.data_offsets[0], 8 + len + t.data_offsets[1]));
  }
  return { meta: header.__metadata__, tensors };
}

test('format-1 fixtures are what they claim (version 1, written by the old code)', () => {
  assert.equal(manifest.fixtures.length, 5);
  for (const f of manifest.fixtures) {
    for (const file of [f.file_a, f.file_b]) {
      assert.equal(readSafetensors(fs.readFileSync(new URL(file, dir))).meta.format_version, '1', file);
    }
  }
});

for (const f of manifest.fixtures) {
  test(`format 1 ${f.name}: loads, keeps its config, and resumes to the old code's step 12 bit for bit`, () => {
    const a = fs.readFileSync(new URL(`${f.name}-step7.safetensors`, dir));
    const b = readSafetensors(fs.readFileSync(new URL(`${f.name}-step12.safetensors`, dir)));
    const model = wg.loadModel(a);
    assert.equal(model.step, manifest.steps_a);
    assert.deepEqual(model.config, f.expanded_config, 'the canonical config of an old model is unchanged');
    model.trainSteps(train, manifest.steps_more, manifest.batch);
    assert.equal(model.step, manifest.steps_a + manifest.steps_more);
    const bits = (v) => new Uint32Array(Float32Array.of(v).buffer)[0];
    assert.deepEqual(Object.fromEntries(Object.entries(model.losses).map(([k, v]) => [k, bits(v)])), f.losses_step12_bits);
    const resumed = readSafetensors(model.save());
    assert.equal(resumed.meta.format_version, '2');
    const names = [...resumed.tensors.keys()].filter((name) => !name.startsWith('guard.'));
    assert.deepEqual(names.sort(), [...b.tensors.keys()].sort());
    for (const [name, bytes] of b.tensors) {
      assert.ok(Buffer.from(resumed.tensors.get(name)).equals(Buffer.from(bytes)), `tensor ${name} differs from the old code's`);
    }
    // Data position, every RNG stream, optimizer step counts and guard: the same; "lr" is now one
    // number per optimizer group.
    const oldState = JSON.parse(b.meta.state), newState = JSON.parse(resumed.meta.state);
    assert.deepEqual(newState.lr, model.roles.map(() => oldState.lr));
    delete oldState.lr; delete newState.lr;
    // Format 1 kept no guard snapshot: it is taken from the loaded weights, 5 good steps ago.
    assert.deepEqual(newState.guard_snapshot, [manifest.steps_more, 1]);
    delete newState.guard_snapshot;
    assert.deepEqual(newState, oldState);
    for (const key of ['step', 'epoch', 'dataset', 'config']) assert.equal(resumed.meta[key], b.meta[key], key);
    const want = JSON.parse(fs.readFileSync(new URL(`${f.name}-step12-samples.json`, dir)));
    const got = model.sample(want.n, { seed: want.seed });
    assert.deepEqual(Array.from(new Uint32Array(got.data.buffer)), want.bits);
    model.dispose();
  });
}
