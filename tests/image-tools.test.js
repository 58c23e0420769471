// The worker's image tools (wasm/image-tools.js) choose their model tools by capability: a model
// that encodes gets inpainting, denoising and interpolation through its encoder; a conditional
// encoder (cvae) gets the class of a dataset image, and is left out, with a note saying why, for an
// uploaded file (which has no class); a model that cannot encode is named in the note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageTools } from '../wasm/image-tools.js';
import { inpaint, encodePng, toGrid } from '../wasm/node.js';
import { getWg } from './helpers.js';

const wg = await getWg();
const mnist = await wg.loadDataset('mnist', { split: 'test' });
const cvae = wg.createModel({ model: 'cvae', seed: 1 });
const gan = wg.createModel({ model: 'gan', seed: 1 });
const vae = wg.createModel({ model: 'vae', seed: 1 });
const square = { width: 28, height: 28, data: Float32Array.from({ length: 784 }, (_, i) => (i % 28 >= 8 && i % 28 < 20 && i >= 8 * 28 && i < 20 * 28 ? 1 : 0)) };
const captions = (result) => result.figures.map((f) => f.caption.replace(/ · .*$/, ''));
const labels = mnist.labels();
const other = labels.findIndex((k) => k !== labels[0]);

function tools() {
  const t = new ImageTools(wg.core);
  t.setSource(0, { kind: 'dataset', index: 0 }, mnist);
  t.setSource(1, { kind: 'dataset', index: other }, mnist);
  return t;
}

test('a conditional VAE inpaints, denoises and interpolates dataset images with their classes', () => {
  const t = tools();
  assert.deepEqual(captions(t.run('inpaint', { iterations: 3 }, square, { model: cvae, dataset: mnist })),
    ['original', 'masked', 'diffusion fill', 'VAE inpainting']);
  assert.deepEqual(captions(t.run('denoise', { amount: 0.2 }, null, { model: cvae, dataset: mnist })),
    ['original', 'noisy', 'Gaussian blur σ 1', 'VAE denoised']);
  const tween = t.run('interpolate', { steps: 5 }, null, { model: cvae, dataset: mnist });
  assert.deepEqual(tween.figures.map((f) => f.caption), ['A', '5 steps, linear, through the encoder', 'B']);
  // Its first frame is A encoded and decoded with A's class; its last, B's with B's class.
  const ends = [0, other].map((i) => {
    const img = { data: Float32Array.from(mnist.image(i), (v) => v / 255), n: 1, channels: 1, height: 28, width: 28 };
    return toGrid(cvae.decode(cvae.encode(img.data, { labels: labels[i] }).mu, { labels: labels[i] }), { cols: 1, pad: 0 });
  });
  const frame = (k) => {   // frame k of the strip (pad 2) as the red channel
    const g = tween.figures[1];
    return Array.from({ length: 784 }, (_, p) => g.data[((2 + Math.floor(p / 28)) * g.width + 2 + k * 30 + (p % 28)) * 4]);
  };
  assert.deepEqual(frame(0), Array.from({ length: 784 }, (_, p) => ends[0].data[p * 4]));
  assert.deepEqual(frame(4), Array.from({ length: 784 }, (_, p) => ends[1].data[p * 4]));
});

test('an uploaded file has no class: the conditional encoder is left out and the note says why', () => {
  const t = tools();
  const png = encodePng(toGrid({ data: Float32Array.from(mnist.image(3), (v) => v / 255), n: 1, channels: 1, height: 28, width: 28 }, { cols: 1, pad: 0 }));
  t.setSource(0, { kind: 'file', name: 'digit.png', bytes: png }, mnist);
  const result = t.run('inpaint', { iterations: 3 }, square, { model: cvae, dataset: mnist });
  assert.deepEqual(captions(result), ['original', 'masked', 'diffusion fill']);
  assert.match(result.note, /This cvae model needs each image's class, which only dataset images have/);
  const tween = t.run('interpolate', { steps: 4 }, null, { model: cvae, dataset: mnist });
  assert.match(tween.figures[0].caption, /between two random latents \(seed 1, class 0\)/);
});

test('models without an encoder are named; unconditional VAEs work as before', () => {
  const t = tools();
  const result = t.run('denoise', {}, null, { model: gan, dataset: mnist });
  assert.equal(result.figures.length, 3);
  assert.match(result.note, /This gan model cannot encode images: train or load a VAE to compare VAE denoising/);
  assert.equal(t.run('inpaint', { iterations: 2 }, square, { model: vae, dataset: mnist }).figures.length, 4);
});

test('synthesis asks a conditional VAE for the image class', () => {
  const img = { data: Float32Array.from(mnist.image(0), (v) => v / 255), n: 1, channels: 1, height: 28, width: 28 };
  assert.throws(() => inpaint(cvae, img, square.data, { iterations: 1 }), /inpaint: a cvae needs the class of the image \(option labels\)/);
  assert.equal(inpaint(cvae, img, square.data, { iterations: 1, labels: labels[0] }).data.length, 784);
});
