// ONNX export: the exported generator / decoder run in onnxruntime-node gives model.decode(z).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { exportOnnx, WasmgenError } from '../wasm/node.js';
import { getWg } from './helpers.js';

const TOL = 2e-6;   // measured at most 1.1e-6 (custom generator), about 1e-7 for the presets
let wg, train;

before(async () => {
  wg = await getWg();
  train = await wg.loadDataset('mnist');
});
after(() => train.dispose());

/** Deterministic standard-normal-ish latents (Box-Muller over a small LCG). */
function latents(n, latent, seed) {
  let s = seed >>> 0;
  const u = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s + 1) / 4294967297; };
  const z = new Float32Array(n * latent);
  for (let i = 0; i < z.length; i++) z[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return z;
}

/** The float32 tensors of a safetensors checkpoint, by name. */
function tensors(bytes) {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = t.data_offsets;
    out[name] = new Float32Array(bytes.slice(8 + len + a, 8 + len + b).buffer);
  }
  return out;
}

/** Trains a few steps, exports, runs the ONNX file; returns the max |onnx - decode| over n rows. */
async function exportAndCompare(config, { steps = 3, batch = 16, n = 5 } = {}) {
  const model = wg.createModel({ seed: 1, ...config });
  model.trainSteps(train, steps, batch);
  // Batchnorm running statistics moved away from their (0, 1) start: the export must use them
  // (the weights' own, not the optimizer's or the divergence guard's snapshot's).
  const t = tensors(model.save());
  for (const name of Object.keys(t).filter((k) => k.endsWith('.running_mean') && !k.startsWith('opt.') && !k.startsWith('guard.'))) {
    assert.ok(t[name].some((v) => v !== 0), `${name} is still all zero`);
  }
  const bytes = exportOnnx(model);
  assert.ok(bytes instanceof Uint8Array);
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, ['z']);
  assert.deepEqual(session.outputNames, ['image']);
  const z = latents(n, model.latent, 7);
  const { image } = await session.run({ z: new ort.Tensor('float32', z, [n, model.latent]) });
  assert.deepEqual(image.dims, [n, model.channels, model.height, model.width]);
  const ref = model.decode(z).data;
  assert.equal(image.data.length, ref.length);
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(image.data[i] - ref[i]));
  const min = Math.min(...image.data), max = Math.max(...image.data);
  assert.ok(min >= 0 && max <= 1, `ONNX output range [${min}, ${max}] is not within [0, 1]`);
  model.dispose();
  return maxDiff;
}

for (const preset of ['gan', 'vae', 'dcgan', 'convvae']) {
  test(`ONNX export of the ${preset} preset matches decode(z)`, async (t) => {
    const diff = await exportAndCompare({ model: preset });
    t.diagnostic(`${preset}: max abs difference ${diff.toExponential(2)}`);
    // Measured: 0.6e-7 to 1.8e-7 for the presets.
    assert.ok(diff <= TOL, `${preset}: max abs difference ${diff}`);
  });
}

test('ONNX export of a generator with instancenorm, upsample, avgpool, dropout, conv2d', async (t) => {
  const diff = await exportAndCompare({
    model: 'gan', latent: 12,
    generator: [
      { type: 'dense', units: 8 * 7 * 7 }, { type: 'leaky_relu', slope: 0.1 },
      { type: 'reshape', shape: [8, 7, 7] },
      { type: 'upsample', mode: 'nearest' },                                        // 14x14
      { type: 'conv2d', out_channels: 6, kernel: 3, padding: 1 },
      { type: 'instancenorm', affine: true, eps: 1e-4 }, { type: 'relu' },
      { type: 'dropout', p: 0.3 },
      { type: 'upsample', mode: 'bilinear' },                                       // 28x28
      { type: 'conv2d', out_channels: 4, kernel: [3, 5], padding: [1, 2], bias: false },
      { type: 'batchnorm', momentum: 0.5 }, { type: 'relu' },                       // per channel
      { type: 'avgpool', kernel: 3, stride: 1, padding: 1 },                        // count_include_pad
      { type: 'instancenorm' },                                                     // not affine
      { type: 'avgpool', kernel: 2 },                                               // 14x14
      { type: 'conv_transpose2d', out_channels: 1, kernel: [4, 3], stride: 2, padding: [1, 1], output_padding: [0, 1] }, // 28x28
      { type: 'tanh' },
    ],
  }, { steps: 2 });
  t.diagnostic(`custom generator: max abs difference ${diff.toExponential(2)}`);
  assert.ok(diff <= TOL, `custom generator: max abs difference ${diff}`);
});

test('ONNX export of a VAE decoder from z straight into convs, residual adds, flatten, per-feature batchnorm', async (t) => {
  const diff = await exportAndCompare({
    model: 'vae', latent: 6,
    decoder: [
      { type: 'leaky_relu' },                                                       // 0: (6,1,1) as [N, 6]
      { type: 'conv_transpose2d', out_channels: 6, kernel: 1 },                     // 1: (6,1,1) as [N, 6, 1, 1]
      { type: 'add', from: 0 },                                                     // 2: across the two layouts
      { type: 'conv_transpose2d', out_channels: 8, kernel: 7 },                     // 3: (8,7,7)
      { type: 'relu' },                                                             // 4
      { type: 'conv2d', out_channels: 8, kernel: 3, padding: 1 },                   // 5
      { type: 'add', from: 4 },                                                     // 6: a residual block
      { type: 'conv2d', out_channels: 4, kernel: 3, stride: 2 },                    // 3x3
      { type: 'flatten' },
      { type: 'batchnorm' },                                                        // per feature (36)
      { type: 'dense', units: 784, bias: false },
      { type: 'sigmoid' },
    ],
  });
  t.diagnostic(`custom decoder: max abs difference ${diff.toExponential(2)}`);
  assert.ok(diff <= TOL, `custom decoder: max abs difference ${diff}`);
});

test('exportOnnx: clear errors for a disposed model and an unsupported layer', () => {
  const model = wg.createModel({ model: 'vae', seed: 1 });
  const config = model.config;
  model.dispose();
  assert.throws(() => exportOnnx(model), (e) => e instanceof WasmgenError && /exportOnnx: .*disposed/.test(e.message));
  assert.throws(() => exportOnnx({}), /exportOnnx: expected a wasmgen Model/);
  // A model-like object whose config names a layer type the exporter does not know.
  const fake = {
    kind: 'vae', latent: 20, channels: 1, height: 28, width: 28, description: model.description,
    config: { ...config, decoder: [{ type: 'dense', units: 784 }, { type: 'swish' }] },
    save: () => { throw new Error('save must not be reached'); },
  };
  assert.throws(() => exportOnnx(fake), (e) => e instanceof WasmgenError &&
    /decoder layer 1 has type "swish", which has no ONNX export/.test(e.message));
});

// ---- translators (CycleGAN): G_AB and G_BA, chosen by role, against model.translate() ------------

let domainA, domainB;
const TRANSLATE_TOL = 3e-5;   // measured at most 8.1e-6 (cyclegan preset): deeper nets, instance norm

/** Trains a CycleGAN one step, exports both directions and returns the max |onnx - translate| of each. */
async function exportTranslatorsAndCompare(config, n = 3) {
  domainA ??= await wg.loadDataset('fashion:7');
  domainB ??= await wg.loadDataset('fashion:9');
  const model = wg.createModel({ seed: 1, ...config });
  model.trainSteps(domainA, 1, 2, { datasetB: domainB });
  assert.deepEqual(model.description.translators, { ab: 'G_AB', ba: 'G_BA' });
  const P = model.imageSize, x = new Float32Array(n * P);
  for (let i = 0; i < n; i++) domainA.image(i).forEach((v, k) => { x[i * P + k] = v / 255; });
  const diffs = {}, outputs = {};
  for (const [role, direction] of [[undefined, 'ab'], ['G_BA', 'ba']]) {   // the default role is A to B
    const session = await ort.InferenceSession.create(exportOnnx(model, role ? { role } : {}));
    assert.deepEqual(session.inputNames, ['source']);
    assert.deepEqual(session.outputNames, ['image']);
    const { image } = await session.run({ source: new ort.Tensor('float32', x, [n, model.channels, model.height, model.width]) });
    assert.deepEqual(image.dims, [n, model.channels, model.height, model.width]);
    const ref = model.translate(x, { direction }).data;
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(image.data[i] - ref[i]));
    diffs[direction] = maxDiff;
    outputs[direction] = image.data;
  }
  // The two generators differ, so a graph of the wrong one cannot pass for the other.
  assert.ok(outputs.ab.some((v, i) => Math.abs(v - outputs.ba[i]) > 1e-3), 'G_AB and G_BA exported the same graph');
  model.dispose();
  return diffs;
}

for (const preset of ['cyclegan', 'cyclegan_upsample']) {
  test(`ONNX export of both ${preset} generators (role G_AB, G_BA) matches translate()`, async (t) => {
    const diffs = await exportTranslatorsAndCompare({ model: preset });
    t.diagnostic(`${preset}: max abs difference ab ${diffs.ab.toExponential(2)}, ba ${diffs.ba.toExponential(2)}`);
    for (const dir of ['ab', 'ba']) assert.ok(diffs[dir] <= TRANSLATE_TOL, `${preset} ${dir}: max abs difference ${diffs[dir]}`);
  });
}

test('ONNX export of translators with replicate, zero and reflect padding of unequal height and width', async (t) => {
  const G = (mode1, mode2) => [
    { type: 'pad', padding: [1, 2], mode: mode1 },                                // 30x32
    { type: 'conv2d', out_channels: 4, kernel: [3, 5] },                          // 28x28
    { type: 'instancenorm' }, { type: 'relu' },
    { type: 'pad', padding: [2, 1], mode: mode2 },                                // 32x30
    { type: 'conv2d', out_channels: 4, kernel: [5, 3] },                          // 28x28
    { type: 'add', from: 3 },
    { type: 'pad', padding: 1 },                                                  // zero by default
    { type: 'conv2d', out_channels: 1, kernel: 3 }, { type: 'tanh' },
  ];
  const diffs = await exportTranslatorsAndCompare({
    model: 'cyclegan', hidden: [4], disc_hidden: [4], res_blocks: 1,
    generator_ab: G('replicate', 'reflect'), generator_ba: G('reflect', 'zero'),
  });
  t.diagnostic(`padded translators: max abs difference ab ${diffs.ab.toExponential(2)}, ba ${diffs.ba.toExponential(2)}`);
  for (const dir of ['ab', 'ba']) assert.ok(diffs[dir] <= TOL, `${dir}: max abs difference ${diffs[dir]}`);
});

test('exportOnnx: a role that does not export is refused, naming the ones that do', () => {
  const model = wg.createModel({ model: 'cyclegan', seed: 1, hidden: [4], disc_hidden: [4], res_blocks: 1 });
  assert.throws(() => exportOnnx(model, { role: 'D_A' }), (e) => e instanceof WasmgenError &&
    /exportOnnx: role "D_A" does not export: a cyclegan model exports G_AB \(A to B\), G_BA \(B to A\)/.test(e.message));
  // translate()'s direction names the same graphs as the roles.
  assert.deepEqual(exportOnnx(model, { direction: 'ba' }), exportOnnx(model, { role: 'G_BA' }));
  assert.deepEqual(exportOnnx(model, { direction: 'ab' }), exportOnnx(model));
  assert.throws(() => exportOnnx(model, { direction: 'up' }), /direction "up" does not export: it is 'ab' or 'ba'/);
  assert.throws(() => exportOnnx(model, { direction: 'ab', role: 'G_BA' }), /role G_BA is not direction ab \(G_AB\)/);
  model.dispose();
  const gan = wg.createModel({ model: 'gan', seed: 1 });
  assert.throws(() => exportOnnx(gan, { role: 'D' }), /role "D" does not export: a gan model exports G$/);
  gan.dispose();
  const lenet = wg.createModel({ model: 'lenet', seed: 1 });
  assert.throws(() => exportOnnx(lenet), /a lenet model neither generates nor translates images/);
  lenet.dispose();
});

after(() => { domainA?.dispose(); domainB?.dispose(); });
