// The CLI: train with progress and a JSON summary, save, sample, info; bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toGrid, encodePng } from '../wasm/node.js';
import { CLI, getWg, tempDir } from './helpers.js';

const run = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('train --json saves a checkpoint and samples; sample and info read it', async () => {
  const dir = tempDir();
  const ckpt = path.join(dir, 'vae.safetensors'), grid = path.join(dir, 'grid.png'), out = path.join(dir, 'out.png');
  const r = run('train', '--model', 'vae', '--dataset', 'mnist', '--steps', '40', '--batch', '32', '--seed', '5',
    '--lr', '0.002', '--save', ckpt, '--samples', grid, '--json');
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim());
  assert.equal(summary.steps, 40);
  assert.equal(summary.batch, 32);
  assert.ok(summary.imagesPerSec > 0 && summary.seconds > 0);
  assert.ok(Number.isFinite(summary.losses.loss) && summary.losses.loss < 300);
  assert.ok(summary.test.loss > 0);
  assert.match(r.stderr, /\[#+-*\] \d+\/40 step \d+ ep \d+ \| loss/);   // plain progress lines off a TTY
  assert.deepEqual([...fs.readFileSync(grid).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const s = run('sample', '--load', ckpt, '--n', '16', '--seed', '2', '--out', out);
  assert.equal(s.status, 0, s.stderr);
  // The grid is the JS API's samples for seed 2 from the same checkpoint, byte for byte.
  const wg = await getWg();
  const model = wg.loadModel(fs.readFileSync(ckpt));
  assert.ok(fs.readFileSync(out).equals(Buffer.from(encodePng(toGrid(model.sample(16, { seed: 2 }), {})))), 'sample grid differs from the JS API');
  assert.ok(!fs.readFileSync(out).equals(Buffer.from(encodePng(toGrid(model.sample(16, { seed: 3 }), {})))));
  model.dispose();
  const i = run('info', '--load', ckpt);
  assert.equal(i.status, 0, i.stderr);
  const info = JSON.parse(i.stdout);
  assert.equal(info.step, 40);
  assert.equal(info.config.lr, 0.002);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('bad arguments print usage and exit non-zero; bad files name the problem', () => {
  const cases = [
    [['train', '--model', 'foo'], 2, /unknown --model "foo"/],
    [['train', '--model', 'gan', '--steps', 'ten'], 2, /--steps must be a whole number/],
    [['train', '--model', 'gan', '--steps', '5', '--epochs', '1'], 2, /--steps or --epochs, not both/],
    [['train', '--model', 'gan', '--batch', '1'], 2, /--batch must be a whole number >= 2/],
    [['train', '--model', 'gan', '--bogus'], 2, /Unknown option '--bogus'/],
    [['train'], 2, /train needs --model/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['sample', '--load', 'x.safetensors'], 2, /sample needs --out/],
    [['sample', '--load', '/nonexistent.safetensors', '--out', '/tmp/x.png'], 1, /cannot read checkpoint \/nonexistent.safetensors: no such file/],
    [['train', '--model', 'gan', '--dataset', '/nonexistent.idx'], 2, /--dataset must be mnist, fashion, mnist:K, fashion:K, an IDX file or a folder of images/],
    [['train', '--model', 'gan', '--lr=-1', '--steps', '1'], 1, /"lr" must be in/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.status, code, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    if (code === 2) assert.match(r.stderr, /usage:/);
  }
});

test('--resume continues bit-identically: N steps + save + M steps == N+M steps', () => {
  const dir = tempDir();
  const part = path.join(dir, 'part.safetensors'), resumed = path.join(dir, 'resumed.safetensors'), straight = path.join(dir, 'straight.safetensors');
  const common = ['--dataset', 'mnist', '--batch', '32'];
  for (const [args, label] of [
    [['train', '--model', 'gan', '--seed', '9', ...common, '--steps', '7', '--save', part], 'first part'],
    [['train', '--resume', part, ...common, '--steps', '6', '--save', resumed], 'resume'],
    [['train', '--model', 'gan', '--seed', '9', ...common, '--steps', '13', '--save', straight], 'straight'],
  ]) {
    const r = run(...args);
    assert.equal(r.status, 0, `${label}: ${r.stderr}`);
  }
  assert.ok(fs.readFileSync(resumed).equals(fs.readFileSync(straight)), 'resumed run differs from the straight run');
  // Resuming on other data is refused with a message naming both datasets.
  const other = run('train', '--resume', part, '--dataset', 'fashion', '--steps', '1');
  assert.equal(other.status, 1);
  assert.match(other.stderr, /trained on mnist-train:8337, not fashion-train:60000/);
  fs.rmSync(dir, { recursive: true, force: true });
});
