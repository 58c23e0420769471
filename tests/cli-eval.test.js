// cli-eval.test.js — `wasmgen eval`: a saved model against a shipped reference (JSON equal to the
// API's result), own image folders and IDX files (RGB/odd sizes fitted and said so), the text
// report naming judge, reference and n, and clear refusals (classifiers, bad flags).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { datasetImages } from '../wasm/node.js';
import { encodeImage } from '../wasm/imagefile.js';
import { CLI, ROOT, getWg, tempDir } from './helpers.js';

const run = (command, ...args) => spawnSync(process.execPath, [CLI, command, '--threads', '1', ...args], { encoding: 'utf8' });

test('eval --load: the JSON is the API\'s evaluation with the fixed defaults; the text names judge, reference and n', async () => {
  const wg = await getWg();
  const dir = tempDir(), ckpt = path.join(dir, 'cvae.safetensors');
  const model = wg.createModel({ model: 'cvae', seed: 3 });
  fs.writeFileSync(ckpt, model.save());
  const r = run('eval', '--load', ckpt, '--n', '120', '--json');
  assert.equal(r.status, 0, r.stderr);
  const cli = JSON.parse(r.stdout);
  assert.deepEqual(cli, JSON.parse(JSON.stringify(await wg.evaluate(model, { n: 120 }))));
  assert.deepEqual([cli.judge.name, cli.against.name, cli.n, cli.seed], ['mnist', 'mnist-test', 120, 0]);
  assert.ok(cli.accuracy && cli.reconstruction, 'a conditional VAE gets accuracy and reconstruction');
  const text = run('eval', '--load', ckpt, '--n', '120', '--seed', '4');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /eval of cvae \(step 0\): 120 samples, seed 4; judge mnist \(lenet [0-9a-f]{8}, 84 features\), against mnist-test \(1663 images/);
  assert.match(text.stdout, /FID \d+\.\d{3} {3}KID -?\d+\.\d{3} ± \d+\.\d{3} {3}precision/);
  assert.match(text.stdout, /judged as the class asked for: \d+\.\d%/);
  assert.match(text.stdout, /PSNR \d+\.\d\d dB/);
  assert.match(text.stdout, /comparable only at equal judge \(mnist\), reference \(mnist-test\) and n \(120\)/);
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('eval --real DIR --fake IDX: RGB files of another size are fitted for the judge and the output says so', async () => {
  const wg = await getWg();
  const dir = tempDir(), real = path.join(dir, 'real');
  fs.mkdirSync(real);
  const test = await wg.loadDataset('mnist', { split: 'test' });
  const digits = datasetImages(test, { n: 100 });
  test.dispose();
  for (let k = 0; k < 100; k++) {
    // RGB, 30x30 with a border: the judge sees them grey and resized to 28x28
    const img = { n: 1, channels: 3, height: 30, width: 30, data: new Float32Array(3 * 30 * 30) };
    for (let c = 0; c < 3; c++) for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) img.data[(c * 30 + y + 1) * 30 + x + 1] = digits.data[k * 784 + y * 28 + x];
    fs.writeFileSync(path.join(real, `d${String(k).padStart(2, '0')}.png`), encodeImage(wg.core, img));
  }
  fs.writeFileSync(path.join(real, 'notes.txt'), 'not an image');
  const r = run('eval', '--real', real, '--fake', path.join(ROOT, 'data/mnist-test-images.idx.gz'), '--n', '300', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.n, 300);
  assert.equal(out.against.images, 100);
  assert.match(out.notes[0], /real images from .*: decoded and converted to grey \(BT.601 luma\), centre square cut and resized to 28x28/);
  assert.ok(out.fid < 100, `digits vs digits: FID ${out.fid}`);   // measured 36 (only 100 real images)
  assert.equal(out.classes.covered, 10);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('eval refuses classifiers and bad flags clearly', async () => {
  const wg = await getWg();
  const dir = tempDir(), ckpt = path.join(dir, 'lenet.safetensors');
  fs.writeFileSync(ckpt, wg.createModel({ model: 'lenet', seed: 1 }).save());
  const c = run('eval', '--load', ckpt);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /holds a lenet, which generates no images: eval measures generated images \(a classifier's measure is its test accuracy/);
  assert.match(run('eval').stderr, /eval needs --load model.safetensors, or --real DIR\|IDX and --fake DIR\|IDX/);
  assert.match(run('eval', '--load', ckpt, '--real', dir).stderr, /not both/);
  assert.match(run('eval', '--load', ckpt, '--judge', 'cifar').stderr, /--judge must be mnist or fashion/);
  assert.match(run('eval', '--real', dir, '--fake', dir).stderr, /holds 0 PNG\/JPEG\/BMP\/GIF files/);
  const help = run('help');
  assert.match(help.stdout, /wasmgen eval --load model.safetensors \[--n 2000\] \[--against mnist-test\|fashion-test\|IMAGES.idx\[.gz\]\|DIR\]/);
  assert.match(help.stdout, /comparable only at equal judge, reference and n/);
  fs.rmSync(dir, { recursive: true, force: true });
});
