#!/usr/bin/env node
// cyclegan-picture.js — the README's picture of a CycleGAN's translations in both directions:
// the first N test images of each domain in rows of real, translated and translated back
// (A -> B -> A above, B -> A -> B below), drawn SCALE times larger with nearest neighbour.
//
//   npx wasmgen train --model cyclegan --dataset fashion:7 --dataset-b fashion:9 --steps 300 --batch 4 --seed 1 --save cg.safetensors
//   node tools/cyclegan-picture.js --load cg.safetensors --dataset fashion:7 --dataset-b fashion:9 --out docs/examples/cyclegan-translations.png
//
// Domains are built-in class subsets (their test split, which training never sees) or folders of
// images (fitted to the model's size, as the CLI does).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { init, toGrid, encodePng, datasetImages } from '../wasm/node.js';

const { values: args } = parseArgs({ options: {
  load: { type: 'string' }, dataset: { type: 'string' }, 'dataset-b': { type: 'string' },
  n: { type: 'string', default: '8' }, scale: { type: 'string', default: '3' }, out: { type: 'string', default: 'cyclegan-translations.png' },
} });
if (!args.load || !args.dataset || !args['dataset-b']) {
  console.error('usage: node tools/cyclegan-picture.js --load M.safetensors --dataset A --dataset-b B [--n 8] [--scale 3] [--out PNG]');
  process.exit(2);
}
const N = Number(args.n), SCALE = Number(args.scale), GAP = 6;

const wg = await init({ threads: 1 });
const model = wg.loadModel(fs.readFileSync(args.load));
if (!model.capabilities.translate) throw new Error(`${args.load} holds a ${model.preset}, which does not translate images`);

async function domain(source) {
  if (/^(mnist|fashion):\d$/.test(source)) return wg.loadDataset(source, { split: 'test' });
  const files = fs.readdirSync(source).sort().map((name) => ({ name, bytes: fs.readFileSync(`${source}/${name}`) }));
  return (await wg.loadImageFiles(files, { size: model.height, channels: model.channels })).dataset;
}

/** One direction: N real images, their translations and the translations back, as three rows. */
function rows(ds, direction) {
  const real = datasetImages(ds, { indices: Array.from({ length: Math.min(N, ds.length) }, (_, i) => i) });
  const there = model.translate(real.data, { direction });
  const back = model.translate(there.data, { direction: direction === 'ab' ? 'ba' : 'ab' });
  const data = new Float32Array(3 * real.data.length);
  data.set(real.data); data.set(there.data, real.data.length); data.set(back.data, 2 * real.data.length);
  return toGrid({ ...real, data, n: 3 * real.n }, { cols: real.n, pad: 2, background: 255 });
}

const a = await domain(args.dataset), b = await domain(args['dataset-b']);
const blocks = [rows(a, 'ab'), rows(b, 'ba')];
const width = Math.max(...blocks.map((g) => g.width)), height = blocks.reduce((h, g) => h + g.height, 0) + GAP;
const out = new Uint8ClampedArray(width * SCALE * height * SCALE * 4).fill(255);
let top = 0;
for (const g of blocks) {
  for (let y = 0; y < g.height * SCALE; y++) {
    for (let x = 0; x < g.width * SCALE; x++) {
      const from = ((Math.floor(y / SCALE)) * g.width + Math.floor(x / SCALE)) * 4, to = ((top * SCALE + y) * width * SCALE + x) * 4;
      for (let c = 0; c < 4; c++) out[to + c] = g.data[from + c];
    }
  }
  top += g.height + GAP;
}
fs.writeFileSync(args.out, encodePng({ width: width * SCALE, height: height * SCALE, data: out }));
console.log(`${args.out}: ${model.preset} at step ${model.step}; rows: ${args.dataset} real, translated to B, back to A; ${args['dataset-b']} real, translated to A, back to B`);
