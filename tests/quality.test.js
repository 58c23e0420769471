// quality.test.js — the quality tracker behind the page's Quality card (wasm/quality.js): its
// measurements are evaluate()'s numbers, it only measures within its time budget, and its history
// rides in checkpoint metadata that the core ignores (old and new checkpoints load alike).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QualityTracker, withQualityHistory, qualityHistoryOf, qualityCsv } from '../wasm/quality.js';
import { getWg } from './helpers.js';

test('a measurement is evaluate() on 500 samples with seed 0, kept in the history by step', async () => {
  const wg = await getWg();
  const model = wg.createModel({ model: 'cgan', seed: 2 });
  const q = new QualityTracker(wg.core);
  const { point, result } = await q.measure(model);
  const direct = await wg.evaluate(model, { n: 500, seed: 0, metrics: ['fid', 'kid', 'classes', 'accuracy'] });
  assert.equal(point.fid, direct.fid);
  assert.equal(point.kid, direct.kid.mean);
  assert.deepEqual(point.counts, direct.classes.counts);
  assert.deepEqual(point.perClass, direct.accuracy.perClass);
  assert.equal(result.against.name, 'mnist-test');
  assert.ok(point.ms > 0);
  assert.equal(q.history.length, 1);
  await q.measure(model);   // same step: replaces, not appends
  assert.equal(q.history.length, 1);
  model.dispose();
});

test('measuring waits until it fits in 10% of the run\'s time', () => {
  const q = new QualityTracker(null, { samples: 500, everyMs: 1000 });
  const t0 = q.started;
  assert.equal(q.due(t0 + 999), false, 'not before everyMs');
  // First guess 3 s (6 ms a sample): due once 3 s is at most 10% of the time including it (27 s of run).
  assert.equal(q.due(t0 + 26900), false);
  assert.equal(q.due(t0 + 27000), true);
  // After a 2 s measurement ending at 15.5 s, the next waits until 4 s <= 10% of (run + 2 s): 38 s.
  Object.assign(q, { lastEnd: t0 + 15500, lastCost: 2000, spentMs: 2000 });
  assert.equal(q.due(t0 + 37900), false);
  assert.equal(q.due(t0 + 38000), true);
  q.running = true;
  assert.equal(q.due(t0 + 60000), false, 'never two at once');
});

test('the history rides in checkpoint metadata; checkpoints load with or without it', async () => {
  const wg = await getWg();
  const model = wg.createModel({ model: 'gan', seed: 1 });
  const plain = model.save();
  assert.deepEqual(qualityHistoryOf(plain), []);
  const history = [{ step: 0, fid: 500.5, kid: 12.5, kidStd: 0.5, covered: 3, counts: [1, 2, 3], accuracy: null, perClass: null, ms: 900 }];
  const bytes = withQualityHistory(plain, history);
  assert.deepEqual(qualityHistoryOf(bytes), history);
  const loaded = wg.loadModel(bytes);
  assert.deepEqual(loaded.sample(4, { seed: 3 }).data, model.sample(4, { seed: 3 }).data);
  assert.ok(Buffer.from(loaded.save()).equals(Buffer.from(plain)), 'the core keeps its own checkpoint bytes');
  assert.equal(withQualityHistory(plain, []), plain);
  assert.equal(qualityCsv(history), 'step,fid,kid,kid_std,classes_covered,accuracy,ms,count_0,count_1,count_2,accuracy_0,accuracy_1,accuracy_2\n0,500.5,12.5,0.5,3,,900,1,2,3,,,\n');
  loaded.dispose(); model.dispose();
});
