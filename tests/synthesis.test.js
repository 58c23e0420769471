// Synthesis with measured quality: VAE inpainting beats the masked input and the classical fill
// on held-out digits; interpolation endpoints reproduce their inputs; blends behave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetImages, inpaint, fillDiffusion, psnr, interpolate, interpolateLatents, blend, denoise, transformImage, WasmgenError } from '../wasm/node.js';
import { getWg } from './helpers.js';

test('VAE inpainting of a masked square beats the masked input and the diffusion fill (PSNR)', async () => {
  const wg = await getWg();
  const train = await wg.loadDataset('mnist', { split: 'train' });
  const testSet = await wg.loadDataset('mnist', { split: 'test' });
  const vae = wg.createModel({ model: 'vae', seed: 1 });
  await vae.train(train, { epochs: 5 });
  const truth = datasetImages(testSet, { n: 200 });   // held out: never trained on
  const mask = new Float32Array(784);
  for (let y = 9; y < 19; y++) for (let x = 9; x < 19; x++) mask[y * 28 + x] = 1;   // 10x10 centre
  const masked = { ...truth, data: truth.data.map((v, i) => (mask[i % 784] ? 0 : v)) };
  const classical = fillDiffusion(wg.core, masked, mask);
  const repaired = inpaint(vae, masked, mask, { iterations: 20 });
  const p = { masked: psnr(truth, masked, { mask }), classical: psnr(truth, classical, { mask }), vae: psnr(truth, repaired, { mask }) };
  // Measured (seed 1, 5 epochs): masked 4.6 dB, diffusion fill 7.8 dB, VAE 8.7 dB.
  assert.ok(p.vae > p.classical + 0.5 && p.vae > p.masked + 2, JSON.stringify(p));
  // Known pixels are kept exactly.
  for (let i = 0; i < repaired.data.length; i++) if (!mask[i % 784]) assert.equal(repaired.data[i], masked.data[i]);
  // Denoising 20% salt-and-pepper noise: the VAE beats a Gaussian blur (measured: noisy 10.2 dB,
  // blur 14.7 dB, plain projection 13.8 dB, denoise() 18.2 dB); known-good pixels stay exact.
  const noisy = { ...truth, data: truth.data.map((v, i) => { const u = Math.abs((Math.sin(i * 78.233) * 43758.5453) % 1); return u < 0.1 ? 0 : u < 0.2 ? 1 : v; }) };
  const blurred = transformImage(wg.core, noisy, 'blur:1');
  const cleaned = denoise(vae, noisy);
  const d = { noisy: psnr(truth, noisy), blur: psnr(truth, blurred), projection: psnr(truth, denoise(vae, noisy, { threshold: 0, iterations: 1 })), vae: psnr(truth, cleaned) };
  assert.ok(d.vae > d.blur + 1.5 && d.vae > d.projection + 2 && d.vae > d.noisy + 5, JSON.stringify(d));
  let kept = 0;
  for (let i = 0; i < cleaned.data.length; i++) if (cleaned.data[i] === noisy.data[i]) kept++;
  assert.ok(kept > 0.7 * cleaned.data.length, `most pixels are kept as they were: ${kept} of ${cleaned.data.length}`);
  assert.throws(() => denoise(vae, noisy, { threshold: 2 }), /threshold must be in \[0, 1\]/);
  vae.dispose(); train.dispose(); testSet.dispose();
});

test('interpolation: endpoints reproduce their inputs, linear and spherical', async () => {
  const wg = await getWg();
  const vae = wg.createModel({ model: 'vae', seed: 2 });
  const z0 = Float32Array.from({ length: 20 }, (_, i) => Math.sin(i)), z1 = Float32Array.from({ length: 20 }, (_, i) => Math.cos(3 * i));
  for (const spherical of [false, true]) {
    const strip = interpolate(vae, { z0, z1, steps: 8, spherical });
    assert.equal(strip.n, 8);
    assert.deepEqual(strip.data.subarray(0, 784), vae.decode(z0).data);
    assert.deepEqual(strip.data.subarray(7 * 784), vae.decode(z1).data);
    const mid = interpolateLatents(z0, z1, 8, { spherical }).subarray(3 * 20, 4 * 20);
    assert.deepEqual(strip.data.subarray(3 * 784, 4 * 784), vae.decode(mid).data, `spherical ${spherical}: step 3`);
  }
  // Linear: every point of every step is (1 - t)·z0 + t·z1.
  const lin = interpolateLatents(z0, z1, 5, { spherical: false });
  for (let s = 0; s < 5; s++) for (let i = 0; i < 20; i++) assert.ok(Math.abs(lin[s * 20 + i] - ((1 - s / 4) * z0[i] + (s / 4) * z1[i])) < 1e-6, `linear step ${s}`);
  // Spherical, checked by geometry rather than by its formula: with |z0| = |z1| every step keeps
  // that norm (a linear midpoint is shorter), and the steps are equal angles along the arc.
  const norm = (v) => Math.hypot(...v), angle = (u, v) => Math.acos(u.reduce((acc, x, i) => acc + x * v[i], 0) / (norm(u) * norm(v)));
  const z1r = z1.map((v) => v * norm(z0) / norm(z1));
  const sph = interpolateLatents(z0, z1r, 5, { spherical: true }), omega = angle(z0, z1r);
  for (let s = 0; s < 5; s++) {
    const p = sph.subarray(s * 20, (s + 1) * 20);
    assert.ok(Math.abs(norm(p) / norm(z0) - 1) < 1e-5, `spherical step ${s} leaves the sphere: ${norm(p)} vs ${norm(z0)}`);
    if (s > 0) assert.ok(Math.abs(angle(z0, p) - (s / 4) * omega) < 1e-4, `spherical step ${s}: angle ${angle(z0, p)} vs ${(s / 4) * omega}`);
  }
  assert.ok(Math.abs(norm(lin.subarray(40, 60)) - norm(sph.subarray(40, 60))) > 0.1, 'linear and spherical midpoints agree');
  // Through the encoder: the strip starts and ends at the images' reconstructions.
  const train = await wg.loadDataset('mnist');
  const imgs = datasetImages(train, { n: 2 });
  const from = { ...imgs, n: 1, data: imgs.data.subarray(0, 784) }, to = { ...imgs, n: 1, data: imgs.data.subarray(784) };
  const strip = interpolate(vae, { from, to, steps: 5 });
  assert.deepEqual(strip.data.subarray(0, 784), vae.decode(vae.encode(from.data).mu).data);
  assert.deepEqual(strip.data.subarray(4 * 784), vae.decode(vae.encode(to.data).mu).data);
  assert.notDeepEqual(strip.data.subarray(0, 784), strip.data.subarray(4 * 784));
  assert.throws(() => interpolateLatents(z0, z1, 1), /steps must be/);
  const gan = wg.createModel({ model: 'gan' });
  assert.throws(() => interpolate(gan, { from, to }), (e) => e instanceof WasmgenError && /needs a VAE/.test(e.message));
  vae.dispose(); gan.dispose(); train.dispose();
});

test('blends: alpha mixes, a mask selects, the pyramid blend keeps each side away from the seam', async () => {
  const wg = await getWg();
  // Textures that differ at every pixel (digits are 0 at both edges, so they could not tell an
  // ignored, swapped or inverted mask from the right one).
  const texture = (f) => ({ n: 1, channels: 1, height: 28, width: 28, data: Float32Array.from({ length: 784 }, (_, i) => f(i % 28, Math.floor(i / 28))) });
  const a = texture((x, y) => 0.5 + 0.4 * Math.sin(x * 1.3 + y * 0.7)), b = texture((x, y) => 0.5 + 0.4 * Math.cos(x * 0.9 - y * 1.1));
  assert.ok(a.data.filter((v, i) => Math.abs(v - b.data[i]) > 0.01).length > 750);
  // alpha 0.3 weighs a (alpha) and b (1 - alpha) unequally, so a swap is seen; every pixel checked.
  const mixed = blend(wg.core, a, b, { alpha: 0.3 });
  const al = Math.fround(0.3), f = Math.fround;   // the C computes alpha·a + (1 − alpha)·b in float
  for (let i = 0; i < 784; i++) assert.equal(mixed.data[i], f(f(al * a.data[i]) + f(f(1 - al) * b.data[i])), `pixel ${i}`);
  // Mask 1 (left half) takes a, 0 takes b: every pixel.
  const mask = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 14; x++) mask[y * 28 + x] = 1;
  const hard = blend(wg.core, a, b, { mask });
  for (let i = 0; i < 784; i++) assert.equal(hard.data[i], mask[i] ? a.data[i] : b.data[i], `pixel ${i}`);
  // Pyramid: the outer 6 columns on each side are their own image's (measured: error 0 there,
  // while the other image is 0.8 away), and the seam is mixed, not cut.
  const soft = blend(wg.core, a, b, { mask, pyramid: true });
  let nearA = 0, nearB = 0, seam = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 6; x++) nearA = Math.max(nearA, Math.abs(soft.data[y * 28 + x] - a.data[y * 28 + x]));
    for (let x = 22; x < 28; x++) nearB = Math.max(nearB, Math.abs(soft.data[y * 28 + x] - b.data[y * 28 + x]));
    for (let x = 12; x < 16; x++) seam = Math.max(seam, Math.abs(soft.data[y * 28 + x] - hard.data[y * 28 + x]));
  }
  assert.ok(nearA < 0.01 && nearB < 0.01, `far from the seam: ${nearA} ${nearB}`);
  assert.ok(seam > 0.05, `the seam is a hard cut: ${seam}`);
  // A mask of ones gives back a (the Laplacian pyramid reconstructs its image).
  const all = blend(wg.core, a, b, { mask: new Float32Array(784).fill(1), pyramid: true });
  for (let i = 0; i < 784; i++) assert.ok(Math.abs(all.data[i] - a.data[i]) < 1e-6, `pixel ${i}`);
  assert.throws(() => blend(wg.core, a, { ...b, height: 14 }), /differ in size/);
  assert.throws(() => blend(wg.core, a, b, { pyramid: true }), /needs a mask/);
});
