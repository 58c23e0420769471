// The CLI's image tools read and write real files: blend, inpaint, denoise, interpolate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { datasetImages, toGrid, encodePng, decodeImage, transformImage, blend, denoise, interpolate } from '../wasm/node.js';
import { gaussian } from '../wasm/random.js';
import { CLI, getWg, tempDir } from './helpers.js';

const run = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
/** Largest |a - b| over two equally long pixel arrays. */
const maxDiff = (a, b) => { assert.equal(a.length, b.length); let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
/** Image k of a one-row strip written by the CLI (tiles of 28x28 with a 2-pixel gap). */
const tile = (strip, k) => Float32Array.from({ length: 784 }, (_, i) => strip.data[(2 + Math.floor(i / 28)) * strip.width + 2 + k * 30 + (i % 28)]);
const png = (data, h = 28, w = 28) => encodePng(toGrid({ data, n: 1, channels: 1, height: h, width: w }, { cols: 1, pad: 0 }));

test('blend, inpaint, denoise and interpolate from the command line', async () => {
  const wg = await getWg();
  const dir = tempDir();
  const f = (name) => path.join(dir, name);
  const testSet = await wg.loadDataset('mnist', { split: 'test' });
  const imgs = datasetImages(testSet, { n: 2 });
  fs.writeFileSync(f('a.png'), png(imgs.data.slice(0, 784)));
  fs.writeFileSync(f('b.png'), png(imgs.data.slice(784)));
  const square = new Float32Array(784), half = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    square[y * 28 + x] = y >= 9 && y < 19 && x >= 9 && x < 19 ? 1 : 0;
    half[y * 28 + x] = x < 14 ? 1 : 0;
  }
  fs.writeFileSync(f('square.png'), png(square));
  fs.writeFileSync(f('half.png'), png(half));
  fs.writeFileSync(f('small.png'), png(new Float32Array(100), 10, 10));

  let r = run('blend', f('a.png'), f('b.png'), f('mix.png'), '--alpha', '0.25', '--grey');
  assert.equal(r.status, 0, r.stderr);
  const a = decodeImage(wg.core, fs.readFileSync(f('a.png')), { channels: 1 }), b = decodeImage(wg.core, fs.readFileSync(f('b.png')), { channels: 1 });
  const mix = decodeImage(wg.core, fs.readFileSync(f('mix.png')), { channels: 1 });
  for (let i = 0; i < 784; i += 13) assert.ok(Math.abs(mix.data[i] - (0.25 * a.data[i] + 0.75 * b.data[i])) <= 1 / 255 + 1e-6);
  r = run('blend', f('a.png'), f('b.png'), f('seam.jpg'), '--mask', f('half.png'), '--pyramid');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([...fs.readFileSync(f('seam.jpg')).subarray(0, 3)], [0xff, 0xd8, 0xff]);   // JPEG
  // The content is the JS API's pyramid blend of the same files: exactly in PNG, within JPEG's
  // loss in the JPEG (and closer to it than to the hard-mask blend or to either input).
  r = run('blend', f('a.png'), f('b.png'), f('seam.png'), '--mask', f('half.png'), '--pyramid', '--grey');
  assert.equal(r.status, 0, r.stderr);
  const halfMask = decodeImage(wg.core, fs.readFileSync(f('half.png')), { channels: 1 }).data;
  const pyramid = blend(wg.core, a, b, { mask: halfMask, pyramid: true });
  pyramid.data = pyramid.data.map((v) => Math.min(1, Math.max(0, v)));   // files hold [0, 1]
  assert.ok(maxDiff(decodeImage(wg.core, fs.readFileSync(f('seam.png')), { channels: 1 }).data, pyramid.data) <= 0.5 / 255 + 1e-6);
  const seamJpg = decodeImage(wg.core, fs.readFileSync(f('seam.jpg')), { channels: 1 }).data;
  const meanDiff = (x, y) => x.reduce((acc, v, i) => acc + Math.abs(v - y[i]), 0) / x.length;
  const toPyramid = meanDiff(seamJpg, pyramid.data);
  assert.ok(toPyramid < 0.02, `JPEG pyramid blend: mean error ${toPyramid}`);
  for (const other of [blend(wg.core, a, b, { mask: halfMask }).data, a.data, b.data]) assert.ok(meanDiff(seamJpg, other) > toPyramid);
  // Another size of B or mask is fitted to A (centre crop + resize): an all-black 10x10 mask = all B.
  fs.writeFileSync(f('wide.png'), png(new Float32Array(40 * 20).fill(1), 20, 40));
  r = run('blend', f('a.png'), f('wide.png'), f('fit.png'), '--mask', f('small.png'), '--grey');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /B is 40x20: fitted to A's 28x28/);
  const fit = decodeImage(wg.core, fs.readFileSync(f('fit.png')), { channels: 1 });
  assert.deepEqual([fit.width, fit.height], [28, 28]);
  assert.ok(fit.data.every((v) => v === 1), 'the empty mask takes every pixel from the (white) B');

  r = run('train', '--model', 'vae', '--steps', '150', '--save', f('vae.safetensors'));
  assert.equal(r.status, 0, r.stderr);
  r = run('inpaint', '--load', f('vae.safetensors'), f('a.png'), f('square.png'), f('fixed.png'));
  assert.equal(r.status, 0, r.stderr);
  const fixed = decodeImage(wg.core, fs.readFileSync(f('fixed.png')), { channels: 1 });
  for (let i = 0; i < 784; i++) if (!square[i]) assert.ok(Math.abs(fixed.data[i] - a.data[i]) <= 1 / 255 + 1e-6, 'a known pixel changed');
  r = run('denoise', '--load', f('vae.safetensors'), f('a.png'), f('clean.png'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /VAE, 28x28/);
  const vae = wg.loadModel(fs.readFileSync(f('vae.safetensors')));
  const clean = decodeImage(wg.core, fs.readFileSync(f('clean.png')), { channels: 1 }).data;
  const cleanJs = denoise(vae, a, { threshold: 0.7, iterations: 3 }).data;   // the CLI's defaults
  assert.ok(maxDiff(clean, cleanJs) <= 0.5 / 255 + 1e-6, 'denoise differs from the JS API');
  assert.ok(maxDiff(clean, a.data) > 0.1, 'denoise returned its input');
  r = run('denoise', '--classical', '--sigma', '1.5', f('a.png'), f('blur.png'));
  assert.equal(r.status, 0, r.stderr);
  const blurred = decodeImage(wg.core, fs.readFileSync(f('blur.png')), { channels: 3 });
  const expected = transformImage(wg.core, decodeImage(wg.core, fs.readFileSync(f('a.png')), { channels: 3 }), 'blur:1.5');
  for (let i = 0; i < expected.data.length; i++) assert.ok(Math.abs(blurred.data[i] - expected.data[i]) <= 0.5 / 255 + 1e-6);
  r = run('denoise', f('a.png'), f('x.png'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /denoise needs --load/);
  r = run('denoise', '--classical', '--sigma', '0', f('a.png'), f('x.png'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--sigma must be in \(0, 100\]/);
  r = run('denoise', '--classical', '--load', f('vae.safetensors'), f('a.png'), f('x.png'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not both/);
  r = run('interpolate', '--load', f('vae.safetensors'), f('a.png'), f('b.png'), '--steps', '6', f('tween.png'));
  assert.equal(r.status, 0, r.stderr);
  const strip = decodeImage(wg.core, fs.readFileSync(f('tween.png')), { channels: 1 });
  assert.deepEqual([strip.width, strip.height], [6 * 28 + 7 * 2, 28 + 4]);
  const tweenJs = interpolate(vae, { from: a, to: b, steps: 6 });
  for (let k = 0; k < 6; k++) assert.ok(maxDiff(tile(strip, k), tweenJs.data.subarray(k * 784, (k + 1) * 784)) <= 0.5 / 255 + 1e-6, `tween image ${k}`);
  assert.ok(maxDiff(tile(strip, 0), tile(strip, 5)) > 0.1, 'the strip does not move from A to B');
  vae.dispose();
  r = run('train', '--model', 'gan', '--steps', '2', '--save', f('gan.safetensors'));
  r = run('inpaint', '--load', f('gan.safetensors'), f('a.png'), f('square.png'), f('x.png'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /inpaint needs a VAE checkpoint/);
  r = run('denoise', '--load', f('gan.safetensors'), f('a.png'), f('x.png'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /denoise needs a VAE checkpoint/);
  r = run('interpolate', '--load', f('gan.safetensors'), '--steps', '4', f('gan-tween.png'));
  assert.equal(r.status, 0, r.stderr);
  // Between the latents of seeds 0 and 1 (wasm/random.js), as the JS API draws them.
  const gan = wg.loadModel(fs.readFileSync(f('gan.safetensors')));
  const ganStrip = decodeImage(wg.core, fs.readFileSync(f('gan-tween.png')), { channels: 1 });
  const ganJs = interpolate(gan, { z0: gaussian(0, gan.latent), z1: gaussian(1, gan.latent), steps: 4 });
  for (let k = 0; k < 4; k++) assert.ok(maxDiff(tile(ganStrip, k), ganJs.data.subarray(k * 784, (k + 1) * 784)) <= 0.5 / 255 + 1e-6, `GAN tween image ${k}`);
  assert.ok(maxDiff(tile(ganStrip, 0), tile(ganStrip, 3)) > 0.05, 'the GAN strip does not move');
  gan.dispose();
  r = run('blend', f('a.png'), CLI, f('x.png'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /wasmgen.js: unsupported: not a PNG, JPEG, BMP or GIF image/);
  testSet.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('transform applies ops in order; --augment trains deterministically and resumes exactly', async () => {
  const wg = await getWg();
  const dir = tempDir();
  const f = (name) => path.join(dir, name);
  const pixels = new Float32Array(28 * 20);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i % 20) / 19;   // horizontal ramp, 20 wide
  fs.writeFileSync(f('ramp.png'), png(pixels, 28, 20));
  let r = run('transform', f('ramp.png'), f('out.png'), '--ops', 'flip:h,crop:2,3,10,12,resize:20,24', '--grey');
  assert.equal(r.status, 0, r.stderr);
  const out = decodeImage(wg.core, fs.readFileSync(f('out.png')), { channels: 1 });
  assert.deepEqual([out.width, out.height], [20, 24]);
  assert.ok(out.data[0] > out.data[19], 'flip:h reverses the ramp');   // ramp now falls left to right
  r = run('transform', f('ramp.png'), f('x.png'), '--ops', 'crop:15,0,10,10');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /step 1: crop: box x=15 y=0 w=10 h=10 is not inside the 20 x 28/);
  r = run('transform', f('ramp.png'), f('x.png'), '--ops', 'sharpen:1');
  assert.match(r.stderr, /unknown operation "sharpen"/);
  r = run('augment', f('ramp.png'), f('draws.png'), '--ops', 'flip', '--n', '6', '--seed', '2', '--grey');
  assert.equal(r.status, 0, r.stderr);
  const draws = decodeImage(wg.core, fs.readFileSync(f('draws.png')), { channels: 1 });
  assert.deepEqual([draws.width, draws.height], [6 * 20 + 7 * 2, 28 + 4]);
  const first = Array.from({ length: 6 }, (_, k) => draws.data[2 * draws.width + 2 + k * 22]);   // each draw's top-left pixel
  assert.ok(first.some((v) => v === 0) && first.some((v) => v === 1), `some draws are flipped, some not: ${first}`);
  r = run('augment', f('ramp.png'), f('draws.jpg'), '--ops', 'flip', '--n', '3');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([...fs.readFileSync(f('draws.jpg')).subarray(0, 3)], [0xff, 0xd8, 0xff], 'a .jpg name writes JPEG');
  r = run('augment', f('ramp.png'), f('x.png'), '--ops', 'resize:4,4');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /augment: unknown operation "resize"/);

  const aug = ['--augment', 'flip,rotate:15,crop:24,noise:0.02', '--batch', '16', '--dataset', 'mnist'];
  for (const [args, name] of [
    [['train', '--model', 'vae', '--seed', '4', ...aug, '--steps', '5', '--save', f('part.safetensors')], 'part'],
    [['train', '--resume', f('part.safetensors'), '--batch', '16', '--steps', '4', '--save', f('resumed.safetensors')], 'resumed'],
    [['train', '--model', 'vae', '--seed', '4', ...aug, '--steps', '9', '--save', f('straight.safetensors')], 'straight'],
    [['train', '--model', 'vae', '--seed', '4', '--batch', '16', '--steps', '9', '--save', f('plain.safetensors')], 'plain'],
  ]) {
    r = run(...args);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  assert.ok(fs.readFileSync(f('resumed.safetensors')).equals(fs.readFileSync(f('straight.safetensors'))), 'augmented resume differs');
  assert.ok(!fs.readFileSync(f('plain.safetensors')).equals(fs.readFileSync(f('straight.safetensors'))), 'augmentation changed nothing');
  const info = JSON.parse(run('info', '--load', f('straight.safetensors')).stdout);
  assert.equal(info.config.augment, 'flip,rotate:15,crop:24,noise:0.02');
  r = run('train', '--model', 'vae', '--augment', 'crop:40', '--steps', '1');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /augment: crop:40 does not fit 28x28 images/);
  fs.rmSync(dir, { recursive: true, force: true });
});
