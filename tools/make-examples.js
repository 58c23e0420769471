#!/usr/bin/env node
// make-examples.js — before/after pictures of every image tool, for the README and issue notes,
// and the PSNR figures of the synthesis tools on held-out digits. Everything is seeded, so a run
// writes the same files:
//
//   node tools/make-examples.js [--out docs/examples]    # ~1 minute: trains an MLP VAE 5 epochs
//
// Colour examples use two procedural pictures (no image files needed); digits come from the
// MNIST test split, which the VAE never trains on.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  init, datasetImages, toGrid, encodePng, transformImage, augmentImages, blend, fillDiffusion, inpaint,
  denoise, interpolate, psnr,
} from '../wasm/node.js';
import { gaussian, uniforms } from '../wasm/random.js';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'docs/examples' } } });
const SCALE = 3;                 // digits are 28 px: shown 3x, nearest neighbour
const HOLE = [9, 19];            // 10 x 10 centre square, as in tests/synthesis.test.js
const EVAL_IMAGES = 200;

/** A 96 x 96 RGB picture: sky gradient, a sun, hills and a checker ground (1 image). */
function landscape(size = 96) {
  const plane = size * size, data = new Float32Array(3 * plane);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sky = y / size;
      let rgb = [0.35 + 0.4 * sky, 0.55 + 0.3 * sky, 0.95];
      if (Math.hypot(x - 70, y - 24) < 12) rgb = [1, 0.85, 0.2];
      if (y > 58 + 10 * Math.sin(x / 9)) rgb = [0.2, 0.6 - 0.2 * (y / size), 0.25];
      if (y > 80) rgb = ((x >> 3) + (y >> 3)) % 2 ? [0.55, 0.4, 0.25] : [0.4, 0.28, 0.16];
      for (let c = 0; c < 3; c++) data[c * plane + y * size + x] = rgb[c];
    }
  }
  return { data, n: 1, channels: 3, height: size, width: size };
}

/** A 96 x 96 RGB picture: diagonal magenta / teal stripes with a white ring. */
function stripes(size = 96) {
  const plane = size * size, data = new Float32Array(3 * plane);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let rgb = ((x + y) >> 3) % 2 ? [0.85, 0.2, 0.6] : [0.1, 0.6, 0.65];
      if (Math.abs(Math.hypot(x - 48, y - 48) - 28) < 4) rgb = [1, 1, 1];
      for (let c = 0; c < 3; c++) data[c * plane + y * size + x] = rgb[c];
    }
  }
  return { data, n: 1, channels: 3, height: size, width: size };
}

const concat = (...sets) => {
  const data = new Float32Array(sets.reduce((n, s) => n + s.data.length, 0));
  let at = 0;
  for (const s of sets) { data.set(s.data, at); at += s.data.length; }
  return { ...sets[0], data, n: sets.reduce((n, s) => n + s.n, 0) };
};
const pick = (images, k) => {
  const size = images.channels * images.height * images.width;
  return { ...images, n: 1, data: images.data.slice(k * size, (k + 1) * size) };
};
const maskImage = (mask, like) => ({ data: mask, n: 1, channels: 1, height: like.height, width: like.width });
const grey3 = (img) => (img.channels === 3 ? img : { ...img, channels: 3, data: concat(img, img, img).data });

/** Nearest-neighbour enlargement of an RGBA grid. */
function enlarge(grid, k) {
  if (k === 1) return grid;
  const W = grid.width * k, H = grid.height * k, data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) data.set(grid.data.subarray(((y / k | 0) * grid.width + (x / k | 0)) * 4, ((y / k | 0) * grid.width + (x / k | 0)) * 4 + 4), (y * W + x) * 4);
  }
  return { width: W, height: H, data };
}

function write(name, rows, scale) {
  const images = concat(...rows.flat());
  const png = encodePng(enlarge(toGrid(images, { cols: rows[0].length, pad: 2, background: 96 }), scale));
  fs.writeFileSync(path.join(args.out, name), png);
  console.log(`  ${path.join(args.out, name)}: ${rows.length} row(s) x ${rows[0].length}`);
}

const wg = await init();
fs.mkdirSync(args.out, { recursive: true });
const train = await wg.loadDataset('mnist', { split: 'train' });
const testSet = await wg.loadDataset('mnist', { split: 'test' });
const digits = datasetImages(testSet, { n: EVAL_IMAGES });
const land = landscape(), bands = stripes();
console.log('writing examples:');

// Transform: one op per column, in the order of the caption in the README.
const TRANSFORMS = ['flip:h', 'rotate:30', 'blur:2', 'crop:16,16,64,64,resize:96,96', 'rot90:1', 'brightness:0.2,contrast:1.6'];
write('transform.png', [[land, ...TRANSFORMS.map((ops) => transformImage(wg.core, land, ops))]], 1);

// Augmentation: 7 random draws of a training chain per picture.
const draws = (img, ops, seed) => {
  const out = augmentImages(wg.core, img, ops, { seed, draws: 7 });
  return Array.from({ length: 7 }, (_, k) => pick(out, k));
};
write('augment-colour.png', [[land, ...draws(land, 'flip,rotate:15,edge,crop:80,jitter:0.2,0.2', 1)]], 1);
write('augment-digit.png', [[pick(digits, 0), ...draws(pick(digits, 0), 'rotate:10,crop:24', 1)]], SCALE);

// Blend: A, B, mask (1 = A), constant alpha, masked alpha, pyramid.
const half = new Float32Array(96 * 96).map((_, i) => ((i % 96) < 48 ? 1 : 0));
write('blend.png', [[land, bands, grey3(maskImage(half, land)), blend(wg.core, land, bands, { alpha: 0.5 }),
  blend(wg.core, land, bands, { mask: half }), blend(wg.core, land, bands, { mask: half, pyramid: true })]], 1);

// A VAE for the model tools: 5 epochs of the MLP VAE, seed 1 (the synthesis test's model).
const t0 = performance.now();
const vae = wg.createModel({ model: 'vae', seed: 1 });
await vae.train(train, { epochs: 5 });
console.log(`  trained the MLP VAE (5 epochs) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Inpainting and denoising, measured on all EVAL_IMAGES held-out digits, pictured on the first 6.
const hole = new Float32Array(784);
for (let y = HOLE[0]; y < HOLE[1]; y++) for (let x = HOLE[0]; x < HOLE[1]; x++) hole[y * 28 + x] = 1;
const masked = { ...digits, data: digits.data.map((v, i) => (hole[i % 784] ? 0 : v)) };
const filled = fillDiffusion(wg.core, masked, hole);
const repaired = inpaint(vae, masked, hole, { iterations: 20 });
const u = uniforms(1);
const noisy = { ...digits, data: digits.data.map((v) => { const r = u(); return r < 0.1 ? 0 : r < 0.2 ? 1 : v; }) };
const blurred = transformImage(wg.core, noisy, 'blur:1');
const cleaned = denoise(vae, noisy);
const SHOWN = 6;
const rowsOf = (...sets) => Array.from({ length: SHOWN }, (_, k) => sets.map((s) => pick(s, k)));
write('inpaint.png', rowsOf(digits, masked, filled, repaired), SCALE);
write('denoise.png', rowsOf(digits, noisy, blurred, cleaned), SCALE);

// Interpolation: between two held-out digits through the encoder (8 steps, the inputs at the ends);
// spherical, between two random latent vectors (10 steps).
const tween = interpolate(vae, { from: pick(digits, 0), to: pick(digits, 1), steps: 8 });
const slerp = interpolate(vae, { z0: gaussian(3, vae.latent), z1: gaussian(4, vae.latent), steps: 10, spherical: true });
write('interpolate.png', [[pick(digits, 0), ...Array.from({ length: 8 }, (_, k) => pick(tween, k)), pick(digits, 1)],
  Array.from({ length: 10 }, (_, k) => pick(slerp, k))], SCALE);

const dB = (x) => `${x.toFixed(1)} dB`;
console.log(`PSNR on ${EVAL_IMAGES} held-out MNIST digits (higher is better):`);
console.log(`  inpainting a 10x10 centre hole (on the hole): masked ${dB(psnr(digits, masked, { mask: hole }))}, ` +
  `diffusion fill ${dB(psnr(digits, filled, { mask: hole }))}, VAE ${dB(psnr(digits, repaired, { mask: hole }))}`);
console.log(`  20% salt-and-pepper noise (all pixels): noisy ${dB(psnr(digits, noisy))}, Gaussian blur sigma 1 ` +
  `${dB(psnr(digits, blurred))}, VAE ${dB(psnr(digits, cleaned))}`);
// Gaussian noise: every pixel is off a little, so the blur's averaging wins (README says so).
const gauss = transformImage(wg.core, digits, 'noise:0.3', { seed: 1 });
const vaeBest = Math.max(psnr(digits, denoise(vae, gauss)), psnr(digits, denoise(vae, gauss, { threshold: 0, iterations: 1 })));
console.log(`  Gaussian noise sigma 0.3 (all pixels): noisy ${dB(psnr(digits, gauss))}, Gaussian blur sigma 1 ` +
  `${dB(psnr(digits, transformImage(wg.core, gauss, 'blur:1')))}, VAE ${dB(vaeBest)} (best of threshold 0.7 and plain projection); ` +
  `VAE reconstruction of the clean digits ${dB(psnr(digits, denoise(vae, digits, { threshold: 0, iterations: 1 })))}`);
vae.dispose(); train.dispose(); testSet.dispose();
