// Stopping training keeps the work: model.train() stops between chunks when its AbortSignal
// fires; Ctrl-C (SIGINT) in `wasmgen train` stops it and still writes --save; and that write goes
// to a temporary file renamed over the target, so the old file is replaced whole, never rewritten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { getWg, CLI, tempDir } from './helpers.js';

test('model.train() stops between chunks when its AbortSignal fires, and the model is whole', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist');
  const config = { model: 'vae', hidden: [32], latent: 4, seed: 5 };
  const model = wg.createModel(config);
  const controller = new AbortController();
  const seen = [];
  const result = await model.train(train, {
    steps: 1000, batch: 16, chunkSteps: 7,
    onProgress: (p) => { seen.push(p.done); if (p.done >= 14) controller.abort(); },
    signal: controller.signal,
  });
  assert.deepEqual(seen, [7, 14], 'no chunk ran after the abort');
  assert.equal(result.stopped, true);
  assert.equal(result.done, 14);
  assert.equal(model.step, 14);
  // Stopped at a chunk boundary, the model is what 14 uninterrupted steps make.
  const straight = wg.createModel(config);
  straight.trainSteps(train, 14, 16);
  assert.ok(Buffer.from(model.save()).equals(Buffer.from(straight.save())));
  // An already aborted signal runs nothing.
  const none = await model.train(train, { steps: 10, batch: 16, signal: AbortSignal.abort() });
  assert.equal(none.stopped, true);
  assert.equal(model.step, 14);
  model.dispose(); straight.dispose(); train.dispose();
});

test('Ctrl-C in `wasmgen train` stops training and still writes --save, by renaming a temporary file', async () => {
  const dir = tempDir();
  const save = path.join(dir, 'model.safetensors');
  // An older file at --save, with a second name (hard link): a rename gives --save a new file
  // and leaves the old one whole under the other name; writing in place would change both.
  fs.writeFileSync(save, 'the previous checkpoint');
  fs.linkSync(save, path.join(dir, 'previous.safetensors'));
  const child = spawn(process.execPath, [CLI, 'train', '--model', 'vae', '--dataset', 'mnist', '--steps', '1000000',
    '--batch', '16', '--save', save, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // The first progress line means training is under way.
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => { stderr += d; if (/step/.test(stderr)) resolve(); });
    child.once('exit', () => reject(new Error(`train exited before training: ${stderr}`)));
  });
  child.kill('SIGINT');
  const { code, signal } = await exited;
  assert.deepEqual({ code, signal }, { code: 130, signal: null }, stderr);   // 128 + SIGINT, as shells report it
  const summary = JSON.parse(stdout);
  assert.equal(summary.stopped, true);
  assert.ok(summary.step > 0 && summary.step < 1000000, `stopped at step ${summary.step}`);
  assert.equal(summary.saved, save);
  const wg = await getWg();
  const model = wg.loadModel(fs.readFileSync(save));
  assert.equal(model.step, summary.step, 'the file holds the model as it was when stopped');
  model.dispose();
  assert.equal(fs.readFileSync(path.join(dir, 'previous.safetensors'), 'utf8'), 'the previous checkpoint');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['model.safetensors', 'previous.safetensors'], 'no temporary file left');
});
