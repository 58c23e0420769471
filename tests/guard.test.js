// The divergence guard: a far too high learning rate produces non-finite steps, which are skipped;
// repeated failures roll back to the last good weights and halve the learning rate until
// training is finite again. Users hear about it (JS callback, CLI line) and nothing is lost.
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
