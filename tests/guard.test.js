// The divergence guard: a far too high learning rate produces non-finite steps, which are skipped;
// repeated failures roll back to the last good weights and halve the learning rate until
// training is finite again. Users hear about it (JS callback, CLI line) and nothing is lost:
// a run saved at any step, also in the middle of a divergence episode, resumes bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { getWg, CLI, tempDir } from './helpers.js';

test('huge learning rate: non-finite steps skipped, rollback, lower LR, training recovers', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  const vae = wg.createModel({ model: 'vae', optimizer: 'sgd', lr: 10, seed: 2 });
  const events = [];
  await vae.train(train, { steps: 300, batch: 32, onGuard: (g) => events.push(g) });
  const g = vae.guard;
  assert.ok(events.length > 0, 'onGuard was never called');
  assert.ok(g.skipped >= 5, `skipped ${g.skipped}`);
  assert.ok(g.rollbacks >= 1, `rollbacks ${g.rollbacks}`);
  assert.equal(g.lr, Math.fround(10 * 0.5 ** g.rollbacks));
  assert.equal(g.badStreak, 0, 'still diverging at the end');
  assert.ok(Object.values(vae.losses).every(Number.isFinite), JSON.stringify(vae.losses));
  assert.ok(vae.losses.loss < 400, `no learning after recovery: ${vae.losses.loss}`);   // untrained: ~540
  assert.ok(vae.sample(8).data.every(Number.isFinite), 'non-finite weights leaked into samples');
  // The guard's state (and the lowered learning rate) survives a checkpoint.
  const copy = wg.loadModel(vae.save());
  assert.deepEqual(copy.guard, g);
  copy.dispose(); vae.dispose(); train.dispose();
});

test('a model that trains normally never skips', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  const gan = wg.createModel({ model: 'gan', seed: 3 });
  await gan.train(train, { steps: 30, batch: 32 });
  assert.deepEqual({ ...gan.guard, lr: undefined }, { skipped: 0, rollbacks: 0, badStreak: 0, lr: undefined });
  gan.dispose(); train.dispose();
});

test('CLI tells the user when the guard acts', () => {
  const config = path.join(tempDir(), 'diverging.json');
  fs.writeFileSync(config, JSON.stringify({ model: 'vae', optimizer: 'sgd', lr: 10 }));
  const r = spawnSync(process.execPath, [CLI, 'train', '--config', config, '--steps', '120', '--batch', '32', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /guard: \d+ step\(s\) with non-finite losses or gradients skipped so far; rolled back \d+ time\(s\) to the last good weights, learning rate now/);
  const summary = JSON.parse(r.stdout);
  assert.ok(summary.guard.rollbacks >= 1);
});

// --- Resume through a divergence episode -------------------------------------------------------

/** safetensors bytes -> { header, data } (header with __metadata__ and per-tensor offsets). */
function parseCheckpoint(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(buf.readBigUInt64LE(0));
  return { header: JSON.parse(buf.subarray(8, 8 + headerLen).toString()), data: buf.subarray(8 + headerLen) };
}

/** Rewrites a checkpoint: `state(obj)` edits the parsed "state" record, `tensors(map)` edits the
 * name -> Float32Array map (delete, add or change tensors). */
function rewriteCheckpoint(bytes, { state = () => {}, tensors = () => {} }) {
  const { header, data } = parseCheckpoint(bytes);
  const meta = { ...header.__metadata__ };
  const st = JSON.parse(meta.state);
  state(st);
  meta.state = JSON.stringify(st);
  const map = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const raw = data.subarray(t.data_offsets[0], t.data_offsets[1]);
    map.set(name, { shape: t.shape, values: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) });
  }
  tensors(map);
  const out = { __metadata__: meta }, parts = [];
  let offset = 0;
  for (const [name, t] of map) {
    out[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.byteLength] };
    parts.push(Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength));
    offset += t.values.byteLength;
  }
  let text = JSON.stringify(out);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(text.length));
  return new Uint8Array(Buffer.concat([len, Buffer.from(text), ...parts]));
}

const guardTensors = (bytes) => Object.keys(parseCheckpoint(bytes).header).filter((n) => n.startsWith('guard.'));

/**
 * Trains `steps` steps one at a time, saving a checkpoint at each split point, then resumes each
 * checkpoint in a fresh model for the remaining steps and requires the final checkpoint to equal,
 * byte for byte, the one of a straight run trained in a single call. Returns what it saw at the
 * split points, so callers can check the splits covered the cases that matter.
 */
async function resumeEverywhere(wg, data, config, { steps, batch, splits }) {
  const straight = wg.createModel(config);
  await straight.train(data, { steps, batch });
  const want = Buffer.from(straight.save());
  const guard = straight.guard;
  straight.dispose();
  const stepwise = wg.createModel(config);
  const saved = new Map(), seen = [];
  let rollbacks = 0;
  for (let step = 1; step <= steps; step++) {
    stepwise.trainSteps(data, 1, batch);
    const g = stepwise.guard;
    const justRolledBack = g.rollbacks > rollbacks;
    rollbacks = g.rollbacks;
    if (splits(step, g, justRolledBack) && step < steps) {
      const bytes = stepwise.save();
      saved.set(step, bytes);
      seen.push({ step, ...g, justRolledBack, storesSnapshot: guardTensors(bytes).length > 0, bytes: bytes.length });
    }
  }
  assert.ok(Buffer.from(stepwise.save()).equals(want), 'one step at a time differs from one call');
  stepwise.dispose();
  for (const [step, bytes] of saved) {
    const resumed = wg.loadModel(bytes);
    await resumed.train(data, { steps: steps - step, batch });
    assert.deepEqual(resumed.guard, guard, `resumed at step ${step}`);
    assert.ok(Buffer.from(resumed.save()).equals(want), `resumed at step ${step}: the checkpoint differs from the straight run's`);
    resumed.dispose();
  }
  return { guard, seen };
}

/** Split points: fixed ones, and in the first `episodes` divergence episodes the first step of
 * the bad streak, the step of the rollback and the step after it (a good step past a rollback:
 * the snapshot differs from the weights again). */
function splitPicker(fixed, episodes) {
  let afterRollback = false, prevStreak = 0;
  return (step, g, justRolledBack) => {
    const inEpisode = g.rollbacks < episodes || (justRolledBack && g.rollbacks === episodes);
    const pick = fixed.includes(step) || afterRollback ||
      (inEpisode && ((g.badStreak === 1 && prevStreak === 0) || justRolledBack));
    afterRollback = justRolledBack && g.rollbacks <= episodes;
    prevStreak = g.badStreak;
    return pick;
  };
}

function assertCoverage({ guard, seen }) {
  assert.ok(guard.skipped >= 10 && guard.rollbacks >= 2 && guard.badStreak === 0, `straight run: ${JSON.stringify(guard)}`);
  const where = JSON.stringify(seen.map(({ step, badStreak, justRolledBack, storesSnapshot }) => ({ step, badStreak, justRolledBack, storesSnapshot })));
  assert.ok(seen.some((s) => s.badStreak > 0), `no split in the middle of a bad streak: ${where}`);
  assert.ok(seen.some((s) => s.justRolledBack && !s.storesSnapshot), `no split right after a rollback (snapshot = weights): ${where}`);
  assert.ok(seen.some((s) => s.rollbacks > 0 && s.badStreak === 0 && s.storesSnapshot), `no split after recovering: ${where}`);
  // Snapshot = weights: the file holds nothing more than one without the guard record.
  const small = seen.find((s) => !s.storesSnapshot), big = seen.find((s) => s.storesSnapshot);
  assert.ok(big.bytes > small.bytes, `${big.bytes} vs ${small.bytes}`);
}

test('resume is bit-identical at every kind of split point through divergence episodes (MLP VAE, SGD)', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  // The case (its splits at 3, 12, 20 and 40 resumed into a trap): 9 episodes of 5
  // skipped steps and a rollback, the last at step 74. Equal checkpoints at step 100 stay equal.
  const r = await resumeEverywhere(wg, train, { model: 'vae', optimizer: 'sgd', lr: 10, seed: 2 },
    { steps: 100, batch: 32, splits: splitPicker([3, 12, 20, 40, 80], 1) });
  assertCoverage(r);
  train.dispose();
});

test('resume is bit-identical through divergence episodes with batch norm and Adam (MLP GAN)', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  // Adam with beta2 0 divides a long-memory momentum by the last gradient alone: steps explode,
  // the guard skips and rolls back (restarting Adam's moments), G's batch norm statistics included.
  const config = { model: 'gan', lr: 10, beta1: 0.99, beta2: 0, seed: 1, hidden: [32, 32], disc_hidden: [32, 32] };
  // 7 episodes; the snapshot taken after 100 good steps (step ~125) is the one rolled back to at 257.
  const r = await resumeEverywhere(wg, train, config, { steps: 300, batch: 32, splits: splitPicker([60, 130, 200], 7) });
  assertCoverage(r);
  train.dispose();
});

test('the guard snapshot record: older files load as before, a damaged record is refused by name', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  const config = { model: 'gan', lr: 10, beta1: 0.99, beta2: 0, seed: 1, hidden: [8], disc_hidden: [8] };
  const m = wg.createModel(config);
  m.trainSteps(train, 40, 16);   // past several good steps: the snapshot differs from the weights
  const bytes = m.save();
  const names = guardTensors(bytes);
  // Every parameter and statistic has its snapshot twin, and nothing else does.
  const weights = Object.keys(parseCheckpoint(bytes).header).filter((n) => /^[GD]\./.test(n));
  assert.deepEqual(names, weights.map((n) => `guard.${n}`));
  assert.equal(JSON.parse(parseCheckpoint(bytes).header.__metadata__.state).guard_snapshot[1], 1);
  const throwsWith = (b, re) => assert.throws(() => wg.loadModel(b), (e) => e.name === 'WasmgenError' && re.test(e.message));
  const dropGuard = (map) => { for (const n of [...map.keys()]) if (n.startsWith('guard.')) map.delete(n); };
  // A file written before the record existed: loads, and the snapshot is the loaded weights.
  const old = rewriteCheckpoint(bytes, { state: (s) => { delete s.guard_snapshot; }, tensors: dropGuard });
  const fromOld = wg.loadModel(old);
  assert.deepEqual(fromOld.guard, m.guard);
  const again = fromOld.save();
  assert.deepEqual(guardTensors(again), []);
  assert.deepEqual(JSON.parse(parseCheckpoint(again).header.__metadata__.state).guard_snapshot, [0, 0]);
  fromOld.dispose();
  throwsWith(rewriteCheckpoint(bytes, { tensors: (map) => map.delete('guard.G.0.weight') }), /snapshot tensor 'guard\.G\.0\.weight' is missing/);
  throwsWith(rewriteCheckpoint(bytes, { tensors: (map) => { map.get('guard.D.0.bias').shape = [4, 2]; } }), /snapshot tensor 'guard\.D\.0\.bias' does not have its weight's shape/);
  throwsWith(rewriteCheckpoint(bytes, { tensors: (map) => map.set('guard.G.9.weight', { shape: [1], values: new Float32Array(1) }) }), /unexpected tensor 'guard\.G\.9\.weight'/);
  throwsWith(rewriteCheckpoint(bytes, { state: (s) => { s.guard_snapshot[1] = 0; } }), /tensor 'guard\.G\.0\.weight' but metadata "state" has no stored guard snapshot/);
  throwsWith(rewriteCheckpoint(bytes, { state: (s) => { delete s.guard_snapshot; } }), /tensor 'guard\.G\.0\.weight' but metadata "state" has no stored guard snapshot/);
  for (const bad of [[100, 1], [-1, 1], [1.5, 1], [3, 2], [3], '3,1', null])
    throwsWith(rewriteCheckpoint(bytes, { state: (s) => { s.guard_snapshot = bad; } }), /invalid "guard_snapshot" record/);
  throwsWith(rewriteCheckpoint(bytes, { state: (s) => { s.guard[2] = 5; } }), /invalid guard record/);
  // Stored with record 0 and no tensors: the snapshot is the weights (what a file right after a
  // rollback holds); it loads.
  wg.loadModel(rewriteCheckpoint(bytes, { state: (s) => { s.guard_snapshot[1] = 0; }, tensors: dropGuard })).dispose();
  m.dispose(); train.dispose();
});
