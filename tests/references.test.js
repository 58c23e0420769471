// references.test.js — the shipped reference statistics (data/reference-*.safetensors.gz) are what
// tools/make-references.js computes from the committed judges: mnist-test recomputed in full (mean,
// covariance and feature rows, bit for bit), the other splits by their first feature rows, the
// image count and the judge fingerprint; and the reader refuses damaged files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { REFERENCES, REFERENCE_ROWS, loadJudge, loadReference, decodeReference, encodeReference, judgeInput, judgeAll } from '../wasm/judges.js';
import { makeReference, referencePath } from '../tools/make-references.js';
import { getWg } from './helpers.js';

test('mnist-test reference: a full recomputation gives the shipped mean, covariance and feature rows', async () => {
  const wg = await getWg();
  const shipped = await loadReference(wg.core, 'mnist-test');
  const fresh = await makeReference(wg, 'mnist-test');
  assert.equal(shipped.n, 1663);
  assert.equal(shipped.features.n, REFERENCE_ROWS);
  assert.deepEqual(shipped.mean, fresh.mean);
  assert.deepEqual(shipped.cov, fresh.cov);
  assert.deepEqual(shipped.features.data, fresh.features.data);
  assert.equal(shipped.fingerprint, fresh.fingerprint);
  // The file holds exactly what encodeReference writes of it.
  const bytes = zlib.gunzipSync(fs.readFileSync(referencePath('mnist-test')));
  assert.ok(Buffer.from(encodeReference({ ...fresh, name: 'mnist-test' })).equals(bytes));
});

for (const name of ['mnist-train', 'fashion-test', 'fashion-train']) {
  test(`${name} reference: judge, image count and the first feature rows match a recomputation`, async () => {
    const wg = await getWg();
    const spec = REFERENCES[name];
    const judge = await loadJudge(wg.core, spec.judge);
    const ref = await loadReference(wg.core, name);
    const dataset = await wg.loadDataset(spec.dataset, { split: spec.split });
    assert.equal(ref.name, name);
    assert.equal(ref.judge, spec.judge);
    assert.equal(ref.fingerprint, judge.fingerprint);
    assert.equal(ref.n, dataset.length);
    assert.equal(ref.features.n, REFERENCE_ROWS);
    const rows = 100, { features } = judgeAll(judge, judgeInput(wg.core, judge, dataset), rows);
    assert.deepEqual(ref.features.data.subarray(0, rows * ref.dim), features.data);
    // The covariance is symmetric and its diagonal positive where features vary.
    for (let i = 0; i < ref.dim; i++) {
      assert.ok(ref.cov[i * ref.dim + i] >= 0);
      for (let j = 0; j < i; j++) assert.equal(ref.cov[i * ref.dim + j], ref.cov[j * ref.dim + i]);
    }
    dataset.dispose();
  });
}

test('reference reader refuses truncated or mismatched files', async () => {
  const good = zlib.gunzipSync(fs.readFileSync(referencePath('mnist-test')));
  assert.equal(decodeReference(new Uint8Array(good)).n, 1663);
  assert.throws(() => decodeReference(new Uint8Array(good.subarray(0, good.length - 8))), /reference statistics: tensor "features" has bad data offsets/);
  assert.throws(() => decodeReference(new Uint8Array(4)), /not safetensors/);
  const header = good.readUInt32LE(0), text = good.subarray(8, 8 + header).toString().replace('"F64"', '"F32"');
  assert.throws(() => decodeReference(new Uint8Array(Buffer.concat([good.subarray(0, 8), Buffer.from(text), good.subarray(8 + header)]))), /no F64 tensor "mean"/);
});
