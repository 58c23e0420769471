// A real checkpoint whose metadata "state" record (data position, random streams, Adam counters,
// guard) is damaged in various ways: loading fails with a WasmgenError that names the record and
// what is wrong, never loads garbage; and the undamaged file, re-written the same way, loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmgenError } from '../wasm/node.js';
import { getWg } from './helpers.js';

/** The safetensors header (JSON) and the data after it. */
function split(bytes) {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))), data: bytes.subarray(8 + len) };
}

/** A checkpoint with the same tensors and `header` (padded with spaces to a multiple of 8). */
function join(header, data) {
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json), out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

test('a damaged "state" record gives a clear error naming it', async () => {
  const wg = await getWg();
  const data = await wg.loadDataset('mnist');
  const model = wg.createModel({ model: 'gan', seed: 3, hidden: [32], disc_hidden: [32] });
  model.trainSteps(data, 3, 16);
  const bytes = model.save();
  const { header, data: tensors } = split(bytes);
  const state = JSON.parse(header.__metadata__.state);
  assert.ok(state.perm_n > 0 && state.opt_G[0] === 3, 'the file holds a real training state');

  // Unchanged, re-written by this test's own writer: it loads and resumes at the same step.
  const same = wg.loadModel(join(header, tensors));
  assert.equal(same.step, 3);
  same.dispose();

  const damage = (edit) => {
    const s = JSON.parse(header.__metadata__.state);
    const text = edit(s) ?? JSON.stringify(s);
    return join({ ...header, __metadata__: { ...header.__metadata__, state: text } }, tensors);
  };
  const cases = [
    ['not JSON', () => '{"perm_n": 12,', /metadata "state" is not valid JSON/],
    ['not an object', () => '[1, 2, 3]', /metadata "state"/],
    ['data position past the epoch', (s) => { s.perm_pos = s.perm_n + 1; }, /"state" has an invalid data position/],
    ['fractional data position', (s) => { s.perm_pos = 1.5; }, /"state" has an invalid data position/],
    ['negative epoch size', (s) => { s.perm_n = -4; }, /"state" has an invalid data position/],
    ['a random stream missing', (s) => { delete s.noise; }, /"state" lacks a valid "noise" random stream/],
    ['a stream state that is not hex', (s) => { s.shuffle[0] = 'zz'; }, /"state" lacks a valid "shuffle" random stream/],
    ['an even stream increment', (s) => { s.dropout[1] = s.dropout[1].replace(/.$/, (c) => (parseInt(c, 16) & 14).toString(16)); }, /"state" lacks a valid "dropout" random stream/],
    ['a stream of the wrong length', (s) => { s.epoch_start = s.epoch_start.slice(0, 2); }, /"state" lacks a valid "epoch_start" random stream/],
    ['Adam counters missing', (s) => { delete s.opt_D; }, /"state" lacks "opt_D"/],
    ['Adam beta power above 1', (s) => { s.opt_G[1] = 2; }, /"state" lacks "opt_G"/],
    ['Adam step count fractional', (s) => { s.opt_G[0] = 2.5; }, /"state" lacks "opt_G"/],
    ['guard record of the wrong type', (s) => { s.guard = 'ok'; }, /metadata "state"/],
    ['learning rate not positive', (s) => { s.lr = -1; }, /metadata "state"/],
  ];
  for (const [what, edit, message] of cases) {
    assert.throws(() => wg.loadModel(damage(edit)), (e) => {
      assert.ok(e instanceof WasmgenError, `${what}: ${e}`);
      assert.match(e.message, message, what);
      assert.match(e.message, /^checkpoint: /, what);
      return true;
    }, what);
  }
  const { state: _, ...noState } = header.__metadata__;
  assert.throws(() => wg.loadModel(join({ ...header, __metadata__: noState }, tensors)), /checkpoint: metadata lacks "state"/);
  model.dispose();
  data.dispose();
});
