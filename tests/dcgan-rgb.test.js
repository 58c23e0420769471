// The DCGAN preset on RGB images at 32x32 and 64x64 (the sizes the README names): the preset grows
// a stage per doubling, trains on real RGB files, samples in colour, saves and resumes exactly, and
// exports to ONNX that onnxruntime runs to the same numbers. Narrow widths keep it CI-sized; the
// layer structure is the preset's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from 'fast-png';
import ort from 'onnxruntime-node';
import { exportOnnx } from '../wasm/node.js';
import { getWg } from './helpers.js';

/** n RGB PNGs of size x size: a coloured square on another colour, all different. */
function pngs(n, size) {
  return Array.from({ length: n }, (_, k) => {
    const data = new Uint8Array(size * size * 3), fg = [40 + 13 * k, 200 - 9 * k, 90 + 5 * k], bg = [220 - 11 * k, 30 + 7 * k, 160];
    const x0 = (k * 3) % (size / 2), y0 = (k * 5) % (size / 2);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      data.set(x >= x0 && x < x0 + size / 2 && y >= y0 && y < y0 + size / 2 ? fg : bg, (y * size + x) * 3);
    }
    return { name: `${k}.png`, bytes: encode({ width: size, height: size, data, channels: 3, depth: 8 }) };
  });
}

for (const [size, hidden, stages] of [[32, [32, 16], 2], [64, [32, 16, 8], 3]]) {
  test(`dcgan on ${size}x${size} RGB: trains, samples in colour, resumes exactly, exports to ONNX`, async () => {
    const wg = await getWg();
    const { dataset } = await wg.loadImageFiles(pngs(12, size), { size, channels: 3 });
    const config = { model: 'dcgan', height: size, width: size, channels: 3, hidden, seed: 4 };
    const model = wg.createModel(config);
    const g = model.config.generator;
    assert.equal(g.filter((l) => l.type === 'conv_transpose2d').length, stages, 'one upsampling stage per doubling');
    assert.equal(g.at(-2).out_channels, 3);
    assert.deepEqual(g.find((l) => l.type === 'reshape').shape, [hidden[0], size >> stages, size >> stages]);

    model.trainSteps(dataset, 2, 6);
    const saved = model.save();
    model.trainSteps(dataset, 2, 6);
    assert.ok(Number.isFinite(model.losses.g_loss) && Number.isFinite(model.losses.d_loss), JSON.stringify(model.losses));
    const resumed = wg.loadModel(saved);
    assert.deepEqual([resumed.height, resumed.width, resumed.channels], [size, size, 3]);
    resumed.trainSteps(dataset, 2, 6);
    assert.ok(Buffer.from(resumed.save()).equals(Buffer.from(model.save())), 'save + load + 2 steps differs from 4 steps');

    const samples = model.sample(3, { seed: 1 });
    assert.deepEqual([samples.n, samples.channels, samples.height, samples.width], [3, 3, size, size]);
    const plane = size * size;
    let channelGap = 0;   // colour: the three planes of an image are not copies of each other
    for (let i = 0; i < plane; i++) channelGap = Math.max(channelGap, Math.abs(samples.data[i] - samples.data[plane + i]), Math.abs(samples.data[i] - samples.data[2 * plane + i]));
    assert.ok(channelGap > 1e-3, `sample planes are identical (${channelGap})`);

    const session = await ort.InferenceSession.create(exportOnnx(model));
    const z = Float32Array.from({ length: 2 * model.latent }, (_, i) => Math.sin(i * 0.37));
    const { image } = await session.run({ z: new ort.Tensor('float32', z, [2, model.latent]) });
    assert.deepEqual(image.dims, [2, 3, size, size]);
    const ref = model.decode(z).data;
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(image.data[i] - ref[i]));
    assert.ok(diff <= 2e-6, `ONNX vs decode: ${diff}`);
    model.dispose(); resumed.dispose(); dataset.dispose();
  });
}
