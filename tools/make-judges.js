#!/usr/bin/env node
// make-judges.js — trains the classifiers that judge generated images (data/judge-*.safetensors).
//
// A judge is the lenet preset trained by our own core with a fixed recipe, so the same command
// gives the same bytes on any machine (tests/judges.test.js retrains the MNIST judge and compares).
// The evaluation tools read their features from the judge's penultimate layer and its class
// predictions; conditional models are checked by whether the judge recognises the class asked for.
//
//   node tools/make-judges.js [mnist|fashion ...] [--out data] [--check]
//   --check   train, compare with the committed file and print the test accuracy; write nothing
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { init } from '../wasm/node.js';

/** The recipes: everything that decides the bytes of a judge. */
export const JUDGES = {
  mnist: { config: { model: 'lenet', seed: 1 }, dataset: 'mnist', epochs: 8, batch: 32 },
  fashion: { config: { model: 'lenet', seed: 1 }, dataset: 'fashion', epochs: 4, batch: 32 },
};

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const judgePath = (name, dir = path.join(root, 'data')) => path.join(dir, `judge-${name}.safetensors`);

/** Trains one judge; returns { bytes, accuracy (test split), seconds }. */
export async function trainJudge(wg, name, { onEpoch } = {}) {
  const recipe = JUDGES[name];
  if (!recipe) throw new Error(`no judge "${name}" (known: ${Object.keys(JUDGES).join(', ')})`);
  const train = await wg.loadDataset(recipe.dataset, { split: 'train' });
  const test = await wg.loadDataset(recipe.dataset, { split: 'test' });
  const model = wg.createModel(recipe.config);
  const start = performance.now();
  for (let e = 1; e <= recipe.epochs; e++) {
    await model.train(train, { steps: Math.round(train.length / recipe.batch), batch: recipe.batch });
    onEpoch?.(e, model.evaluate(test));
  }
  const result = { bytes: model.save(), accuracy: model.evaluate(test).accuracy, seconds: (performance.now() - start) / 1000 };
  model.dispose(); train.dispose(); test.dispose();
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' }, check: { type: 'boolean' } }, allowPositionals: true });
  const wg = await init();
  for (const name of positionals.length ? positionals : Object.keys(JUDGES)) {
    const { bytes, accuracy, seconds } = await trainJudge(wg, name, {
      onEpoch: (e, r) => console.error(`${name} epoch ${e}: test accuracy ${(100 * r.accuracy).toFixed(2)}%`),
    });
    const file = judgePath(name, values.out);
    if (values.check) {
      const same = fs.existsSync(file) && Buffer.compare(fs.readFileSync(file), Buffer.from(bytes)) === 0;
      console.log(`${name}: ${same ? 'identical to' : 'DIFFERS from'} ${file}; test accuracy ${(100 * accuracy).toFixed(2)}% (${seconds.toFixed(0)} s)`);
      if (!same) process.exitCode = 1;
    } else {
      fs.writeFileSync(file, bytes);
      console.log(`wrote ${file} (${bytes.length} bytes): test accuracy ${(100 * accuracy).toFixed(2)}% (${seconds.toFixed(0)} s)`);
    }
  }
}
