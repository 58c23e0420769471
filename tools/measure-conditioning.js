#!/usr/bin/env node
// measure-conditioning.js — how many training steps until a conditional model's samples are the
// class asked for? Trains one model and, every --every steps, samples 30 images of each class
// (seed 5, labels 0..9 in turn) and lets the shipped MNIST judge (data/judge-mnist.safetensors,
// 98.3% on the test digits) name them: the share judged as asked, untruncated and with z
// truncated at ±1. Seeded, so the same figures on any machine; it takes minutes to an hour, which
// is why it is a tool and not a test (tests/learning-conditional.test.js holds the CI-sized runs).
//
//   node tools/measure-conditioning.js --model cdcgan [--config '{"hidden":[32,16]}'] \
//        [--steps 3000] [--every 250] [--batch 64] [--seed 1] [--threads 1]
// Prints one JSON line per measurement: { step, seconds, judged, judgedTruncated }.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { init } from '../wasm/node.js';
import { judgePath } from './make-judges.js';

const { values: o } = parseArgs({
  options: {
    model: { type: 'string' }, config: { type: 'string', default: '{}' }, steps: { type: 'string', default: '3000' },
    every: { type: 'string', default: '250' }, batch: { type: 'string', default: '64' }, seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: '1' },
  },
});
if (!o.model) {
  console.error('usage: node tools/measure-conditioning.js --model cgan|cdcgan|acgan|cvae [--config JSON] [--steps N] [--every N] [--batch B] [--seed S] [--threads T]');
  process.exit(2);
}
const wg = await init({ threads: Number(o.threads) });
const judge = wg.loadModel(fs.readFileSync(judgePath('mnist')));
const train = await wg.loadDataset('mnist', { split: 'train' });
const model = wg.createModel({ ...JSON.parse(o.config), model: o.model, seed: Number(o.seed) });
if (!model.capabilities.classes) {
  console.error(`measure-conditioning: ${o.model} is not a conditional model (it takes no class)`);
  process.exit(1);
}
const labels = Array.from({ length: 300 }, (_, i) => i % 10);

/** Share of 300 samples (30 per class) that the judge assigns to the class asked for. */
function judged(truncation) {
  const predicted = judge.classify(model.sample(labels.length, { seed: 5, labels, truncation }).data).labels;
  return predicted.filter((k, i) => k === labels[i]).length / labels.length;
}

const steps = Number(o.steps), every = Number(o.every), start = performance.now();
for (let done = 0; done < steps;) {
  const n = Math.min(every, steps - done);
  await model.train(train, { steps: n, batch: Number(o.batch) });
  done += n;
  console.log(JSON.stringify({ step: done, seconds: Math.round((performance.now() - start) / 1000), judged: judged(), judgedTruncated: judged(1) }));
}
