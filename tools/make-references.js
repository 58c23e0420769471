#!/usr/bin/env node
// make-references.js — the reference statistics evaluations compare against
// (data/reference-<dataset>-<split>.safetensors.gz), computed from the committed judges.
//
// For each shipped split: the judge's features of every image -> mean and covariance (float64),
// plus the features of the first REFERENCE_ROWS images (KID, precision/recall). Everything is
// deterministic, so the same command gives the same tensors on any machine
// (tests/references.test.js recomputes them and compares). Run it after retraining a judge.
//
//   node tools/make-references.js [mnist-test mnist-train fashion-test fashion-train] [--out data]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { init } from '../wasm/node.js';
import { REFERENCES, loadJudge, computeReference, encodeReference } from '../wasm/judges.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const referencePath = (name, dir = path.join(root, 'data')) => path.join(dir, `reference-${name}.safetensors.gz`);

/** The reference of one shipped split, computed afresh: { name, judge, fingerprint, n, dim, mean, cov, features }. */
export async function makeReference(wg, name) {
  const spec = REFERENCES[name];
  if (!spec) throw new Error(`no reference "${name}" (known: ${Object.keys(REFERENCES).join(', ')})`);
  const judge = await loadJudge(wg.core, spec.judge);
  const dataset = await wg.loadDataset(spec.dataset, { split: spec.split });
  try { return computeReference(wg.core, judge, dataset, { name }); } finally { dataset.dispose(); }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  const wg = await init({ threads: 1 });
  for (const name of positionals.length ? positionals : Object.keys(REFERENCES)) {
    const start = performance.now();
    const ref = await makeReference(wg, name);
    const file = referencePath(name, values.out);
    const bytes = zlib.gzipSync(encodeReference(ref), { level: 9 });
    fs.writeFileSync(file, bytes);
    console.log(`wrote ${file} (${bytes.length} bytes): ${ref.n} images, judge ${ref.judge} ${ref.fingerprint}, ${((performance.now() - start) / 1000).toFixed(0)} s`);
  }
}
