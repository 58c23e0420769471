// Bad input gets a clear error naming the problem — never a crash, a hang or garbage — and the
// model being used stays intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { WasmgenError } from '../wasm/node.js';
import { getWg, ROOT } from './helpers.js';

function idx(dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08; header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

const throwsWith = (fn, pattern) => assert.throws(fn, (e) => e instanceof WasmgenError && pattern.test(e.message), `expected an error matching ${pattern}`);
const rejectsWith = (p, pattern) => assert.rejects(p, (e) => e instanceof WasmgenError && pattern.test(e.message), `expected an error matching ${pattern}`);

test('unknown model and invalid or non-finite hyperparameters', async () => {
  const wg = await getWg();
  throwsWith(() => wg.createModel({ model: 'diffusion' }), /unknown model "diffusion"/);
  throwsWith(() => wg.createModel({ model: 'gan', lr: NaN }), /config\.lr must be a finite number, got NaN/);
  throwsWith(() => wg.createModel({ model: 'gan', lr: Infinity }), /config\.lr must be a finite number/);
  throwsWith(() => wg.createModel({ model: 'gan', lr: -0.1 }), /"lr" must be in/);
  throwsWith(() => wg.createModel({ model: 'gan', lr: '0.1' }), /"lr" must be a finite number, got a string/);
  throwsWith(() => wg.createModel({ model: 'vae', beta2: 1 }), /"beta2" must be in/);
  throwsWith(() => wg.createModel({ model: 'gan', latent: 0 }), /"latent" must be in/);
  throwsWith(() => wg.createModel({ model: 'gan', laten: 10 }), /unknown option "laten"/);
  throwsWith(() => wg.createModel({ model: 'gan', generator: [{ type: 'dense', units: 10 }] }), /generator outputs 10 values/);
  throwsWith(() => wg.createModel({ model: 'gan', discriminator: [{ type: 'conv', units: 1 }] }), /unknown layer type "conv"/);
  throwsWith(() => wg.createModel(null), /config must be an object/);
  // 4096 x 64 x 64 inputs x 2^20 units = 2^44 weights: counted in 64 bits, not wrapped by wasm's 32-bit size_t.
  throwsWith(() => wg.createModel({ model: 'vae', height: 64, width: 64, latent: 1, encoder: [
    { type: 'conv2d', out_channels: 4096, kernel: 1 }, { type: 'flatten' }, { type: 'dense', units: 1048576 }, { type: 'dense', units: 2 }] }),
  /encoder layer 2: 17592186044416 weights, more than 2\^28/);
  const model = wg.createModel({ model: 'vae' });
  const data = await wg.loadDataset('mnist');
  throwsWith(() => model.trainSteps(data, 1, 1), /batch must be a whole number in \[2, 4096\]/);
  throwsWith(() => model.trainSteps(data, 1.5, 64), /steps must be a whole number/);
  throwsWith(() => model.sample(0), /n must be/);
  throwsWith(() => model.sample(2, { seed: -1 }), /seed must be/);
  throwsWith(() => model.decode(new Float32Array(7)), /not a multiple of latent size 20/);
  await rejectsWith(model.train(data, { epochs: NaN }), /epochs must be a positive number/);
  const gan = wg.createModel({ model: 'gan' });
  throwsWith(() => gan.encode(new Float32Array(784)), /encode: a gan model has no encoder \(only VAEs do\)/);
  gan.dispose();
  model.dispose();
  throwsWith(() => model.sample(1), /disposed/);
  data.dispose();
});

test('truncated, mislabelled and malformed IDX files', async () => {
  const wg = await getWg();
  const good = idx([3, 4, 4], new Uint8Array(48).fill(7));
  const ds = await wg.loadIdxDataset(good, idx([3], [1, 2, 3]), 'tiny');
  assert.equal(ds.length, 3);
  ds.dispose();
  await rejectsWith(wg.loadIdxDataset(good.subarray(0, 40)), /truncated/);
  await rejectsWith(wg.loadIdxDataset(good, idx([2], [1, 2])), /3 images but 2 labels/);
  await rejectsWith(wg.loadIdxDataset(idx([3], [1, 2, 3])), /3 or 4 dimensions/);
  const badMagic = Buffer.from(good); badMagic[2] = 0x0d;   // float data type
  await rejectsWith(wg.loadIdxDataset(badMagic), /magic|type/);
  await rejectsWith(wg.loadIdxDataset(Buffer.from([0x1f, 0x8b, 1, 2, 3])), /corrupt gzip/);
  await rejectsWith(wg.loadIdxDataset(idx([2, 3, 3, 2], new Uint8Array(36))), /2 channels/);
  // A real MNIST images file paired with the wrong labels file (test labels for train images).
  const images = fs.readFileSync(path.join(ROOT, 'data', 'mnist-train-images.idx.gz'));
  const labels = fs.readFileSync(path.join(ROOT, 'data', 'mnist-test-labels.idx.gz'));
  await rejectsWith(wg.loadIdxDataset(images, labels), /8337 images but 1663 labels/);
  await rejectsWith(wg.loadDataset('cifar'), /unknown dataset "cifar"/);
});

test('a dataset of another image size is refused by the model', async () => {
  const wg = await getWg();
  const ds = await wg.loadIdxDataset(idx([4, 8, 8], new Uint8Array(256)));
  const model = wg.createModel({ model: 'gan' });
  throwsWith(() => model.trainSteps(ds, 1, 2), /dataset images are 8x8x1 but the model expects 28x28x1/);
  assert.equal(model.step, 0);
  model.dispose(); ds.dispose();
});

test('wrong-shape, truncated and foreign checkpoints give clear errors', async () => {
  const wg = await getWg();
  const small = wg.createModel({ model: 'gan', hidden: [32], disc_hidden: [16] });
  const bytes = small.save();
  // Wrong shape: keep the tensors, claim a config with another latent size.
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.slice(8, 8 + headerLen)));
  const withConfig = (change) => {
    const config = JSON.parse(header.__metadata__.config);
    change(config);
    let text = JSON.stringify({ ...header, __metadata__: { ...header.__metadata__, config: JSON.stringify(config) } });
    text += ' '.repeat((8 - (text.length % 8)) % 8);
    const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(text.length));
    return Buffer.concat([len, Buffer.from(text), Buffer.from(bytes.slice(8 + headerLen))]);
  };
  throwsWith(() => wg.loadModel(withConfig((c) => { c.latent = 64; })), /tensor 'G\.0\.weight' has shape \[32, 100\] but the model needs \[32, 64\]/);
  // A config edited to describe a huge model is refused before anything is allocated for it:
  // 88 M parameters, 1.4 GB with gradients and Adam moments, asked for by a 0.5 MB file.
  const heap = wg.heapBytes();
  throwsWith(() => wg.loadModel(withConfig((c) => { c.generator[0].units = 100000; })),
    /describes a larger model than the file holds \(G has more than \d+ parameters, the file has \d+ values\)/);
  assert.equal(wg.heapBytes(), heap, 'the heap did not grow');
  throwsWith(() => wg.loadModel(bytes.slice(0, bytes.length - 10)), /out of range|truncated|data section/);
  throwsWith(() => wg.loadModel(bytes.slice(0, 5)), /too short/);
  throwsWith(() => wg.loadModel(new Uint8Array(0)), /too short/);
  throwsWith(() => wg.loadModel(zlib.gzipSync(Buffer.from('hello'))), /safetensors/);
  // The model that was in use is untouched by failed loads.
  assert.deepEqual(small.sample(2, { seed: 1 }).data, wg.loadModel(bytes).sample(2, { seed: 1 }).data);
  small.dispose();
});
