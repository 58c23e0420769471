// Sample-quality metrics through the wasm build (wasm/metrics.js): the SciPy/NumPy references of
// tests/reference/metric_fixtures (make_metric_fixtures.py) with the native tests' tolerances,
// streamed statistics, class histogram/coverage/accuracy, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  features, featureStats, createFeatureStats, fid, kid, precisionRecall, compareFeatures, inceptionScore,
  classHistogram, labelAccuracy, WasmgenError,
} from '../wasm/node.js';
import { getWg, ROOT } from './helpers.js';

const { cases } = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/reference/metric_fixtures/metrics.json'), 'utf8'));
const rel = (got, ref) => Math.abs(got - ref) / Math.abs(ref);

for (const c of cases) {
  test(`metrics match the SciPy reference: ${c.name}`, async () => {
    const { core } = await getWg();
    const real = features(c.real, c.dim), fake = features(c.fake, c.dim);
    const stats = featureStats(core, real);
    assert.equal(stats.n, c.n_real);
    const covScale = Math.max(...c.cov_real.map(Math.abs));
    stats.cov.forEach((v, i) => assert.ok(Math.abs(v - c.cov_real[i]) / covScale <= 1e-12, `cov[${i}]`));
    stats.mean.forEach((v, i) => assert.ok(rel(v, c.mean_real[i]) <= 1e-12, `mean[${i}]`));
    // FID from statistics, from features, and mixed: the criterion is 1e-6 (measured ~2e-14).
    assert.ok(rel(fid(core, stats, featureStats(core, fake)), c.fid) <= 1e-6);
    assert.ok(rel(fid(core, real, fake), c.fid) <= 1e-6);
    const whole = kid(core, real, fake, { subsets: 1, subsetSize: 1e6 });
    assert.ok(rel(whole.mean, c.kid_full) <= 1e-10, `kid_full ${whole.mean} vs ${c.kid_full}`);
    assert.equal(whole.std, 0);
    const s = c.kid_subsets;
    const both = compareFeatures(core, real, fake, { kid: { subsets: s.subsets, subsetSize: s.size, seed: s.seed }, k: c.k });
    assert.ok(rel(both.kid.mean, s.mean) <= 1e-10 && rel(both.kid.std, s.std) <= 1e-10, JSON.stringify(both.kid));
    assert.deepEqual(both.kid, kid(core, real, fake, { subsets: s.subsets, subsetSize: s.size, seed: s.seed }));
    assert.equal(both.precision, c.precision);
    assert.equal(both.recall, c.recall);
    assert.deepEqual(precisionRecall(core, real, fake, { k: c.k }), { precision: c.precision, recall: c.recall, k: c.k });
    assert.ok(rel(inceptionScore(core, features(c.logits, c.classes), { logits: true }), c.is_logits) <= 1e-12);
    assert.ok(rel(inceptionScore(core, features(c.probs, c.classes)), c.is_probs) <= 1e-12);
  });
}

test('streamed statistics equal one-shot statistics bit for bit', async () => {
  const { core } = await getWg();
  const c = cases[1];
  const all = featureStats(core, features(c.real, c.dim));
  const acc = createFeatureStats(core, c.dim);
  const rows = Float32Array.from(c.real);
  acc.add(rows.subarray(0, 7 * c.dim)).add(features(rows.subarray(7 * c.dim), c.dim));
  assert.equal(acc.n, c.n_real);
  const streamed = acc.finalize();
  acc.dispose();
  assert.deepEqual(streamed, all);
  assert.throws(() => acc.add(rows), /already disposed/);
});

test('class histogram, coverage and label accuracy', async () => {
  const { core } = await getWg();
  // 40 samples of 4 classes: 19, 19, 1, 1 -> the last two are stray samples, not covered modes
  const probs = new Float32Array(40 * 4);
  const labels = [];
  for (let i = 0; i < 40; i++) { const c = i < 19 ? 0 : i < 38 ? 1 : i - 36; probs[i * 4 + c] = 0.9; labels.push(c); }
  const h = classHistogram(core, features(probs, 4));
  assert.deepEqual([...h.counts], [19, 19, 1, 1]);
  assert.equal(h.threshold, 5);           // half of a uniform class's 10
  assert.equal(h.covered, 2);
  assert.equal(classHistogram(core, features(probs, 4), { coverShare: 0.1 }).covered, 4);
  assert.equal(h.fractions[0], 19 / 40);
  const intended = labels.map((l, i) => (i === 0 ? 3 : l));   // one sample came out as 0, meant as 3
  const a = labelAccuracy(core, features(probs, 4), intended);
  assert.equal(a.accuracy, 39 / 40);
  assert.deepEqual([...a.total], [18, 19, 1, 2]);
  assert.deepEqual([...a.perClass], [1, 1, 1, 0.5]);
  assert.ok(Number.isNaN(labelAccuracy(core, features(probs.subarray(0, 4), 4), [0]).perClass[1]));
});

test('metrics refuse bad input with clear errors', async () => {
  const { core } = await getWg();
  const ok = features(new Float32Array(20).map((_, i) => i % 7), 4);
  assert.throws(() => features(new Float32Array(10), 4), /not whole rows of 4/);
  assert.throws(() => featureStats(core, features(new Float32Array(4), 4)), /at least 2 samples/);
  const withNaN = features(Float32Array.from(ok.data, (v, i) => (i === 9 ? NaN : v)), 4);
  assert.throws(() => featureStats(core, withNaN), (e) => e instanceof WasmgenError && /feature 1 of sample 2 is NaN/.test(e.message));
  assert.throws(() => kid(core, ok, withNaN), /generated features: feature 1 of sample 2 is NaN/);
  assert.throws(() => fid(core, ok, features(new Float32Array(15), 3)), /different feature sizes \(4 and 3\)/);
  assert.throws(() => precisionRecall(core, ok, features(new Float32Array(15), 3)), /differ in size \(4 and 3\)/);
  assert.throws(() => precisionRecall(core, ok, ok, { k: 5 }), /k must be 1..n-1/);
  assert.throws(() => kid(core, ok, { data: [1, 2], n: 1, dim: 2 }), /feature matrix/);
  assert.throws(() => inceptionScore(core, features([0.5, -0.5, 1, 0], 2)), /logits\?/);
  assert.throws(() => labelAccuracy(core, features([1, 0, 0, 1], 2), [0]), /1 intended labels for 2 samples/);
  assert.throws(() => labelAccuracy(core, features([1, 0, 0, 1], 2), [0, 2]), /outside 0..1/);
});
