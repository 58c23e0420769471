// Running out of wasm memory (2 GiB at most) is a clear "out of memory" error, and the model in
// use stays intact and can still be saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, WasmgenError } from '../wasm/node.js';

test('a model too large for the wasm heap: clear out-of-memory error', async () => {
  const wg = await init({ fresh: true });   // its own heap: the failed growth stays with it
  // 12000 x 12000 dense weights: 155M parameters; with gradients and Adam moments 2.5 GB.
  assert.throws(() => wg.createModel({ model: 'gan', hidden: [12000, 12000] }),
    (e) => e instanceof WasmgenError && e.code === 'out of memory' && /out of memory allocating \d+ parameters for G/.test(e.message));
});

test('a training step that does not fit: error, and the model keeps its trained state', async () => {
  const wg = await init({ fresh: true });
  const data = await wg.loadIdxDataset(idxImages(4096, 64, 64));
  const model = wg.createModel({ model: 'dcgan', height: 64, width: 64, hidden: [512, 256, 128], seed: 1 });
  model.trainSteps(data, 1, 4);
  const before = model.save();
  assert.throws(() => model.trainSteps(data, 1, 4096),
    (e) => e instanceof WasmgenError && e.code === 'out of memory' && /out of memory/.test(e.message));
  assert.equal(model.step, 1);
  const after = model.save();
  assert.ok(Buffer.from(before).equals(Buffer.from(after)), 'the failed step changed the model');
  // Still usable at a batch that fits.
  model.trainSteps(data, 1, 4);
  assert.equal(model.step, 2);
});

function idxImages(n, h, w) {
  const header = Buffer.alloc(16);
  header[2] = 8; header[3] = 3;
  header.writeUInt32BE(n, 4); header.writeUInt32BE(h, 8); header.writeUInt32BE(w, 12);
  const pixels = Buffer.alloc(n * h * w);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return Buffer.concat([header, pixels]);
}

test('core.scoped frees every buffer of a scope, also when a later allocation fails', async () => {
  const wg = await init({ fresh: true });
  const before = wg.heapBytes();
  for (let i = 0; i < 100; i++) {
    assert.throws(() => wg.core.scoped((heap) => { heap.malloc(4 << 20); heap.malloc(3 * 2 ** 30); }), /out of memory/);
  }
  // 100 leaked 4 MiB buffers would have grown the heap by 400 MiB.
  assert.ok(wg.heapBytes() - before <= 8 << 20, `heap grew by ${(wg.heapBytes() - before) >> 20} MiB`);
});
