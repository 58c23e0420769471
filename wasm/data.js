// data.js — datasets in wasm memory: built-in MNIST, Fashion-MNIST and any IDX file (plain or gzip).
//
// Pixels stay uint8 inside the wasm heap (N, C, H, W); training converts each batch to floats.
// IDX parsing and validation happen in C (src/idx.c), so Node, pages and the native tests share
// one hardened parser; here we only fetch bytes and undo gzip (DecompressionStream, in Node too).
// The built-in MNIST files are named in data/builtin-url.js so bundlers copy them.
//
//   const train = await loadDataset(core, 'mnist', { split: 'train' });  // 8,337 images
//   const own = await loadIdxDataset(core, imagesBytes, labelsBytes, 'my-data');

import { WasmgenError } from './core.js';
import { readBytes, fileExists } from './files.js';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist/';

/** A uint8 image dataset owned by the wasm core. Call dispose() when done. */
export class Dataset {
  constructor(core, handle, name) {
    this.core = core;
    this.handle = handle;
    this.name = name;
    const info = core.withBuffer(16, (p) => {
      // Heap addresses stay valid across memory growth; only the views must be re-created.
      this.pixelsPtr = core.exports.wg_api_dataset_pixels(handle, p);
      return Array.from(core.i32.subarray(p >> 2, (p >> 2) + 4));
    });
    [this.length, this.height, this.width, this.channels] = info;
  }
  get imageSize() { return this.height * this.width * this.channels; }
  /** Copy of image i's pixels (C, H, W) as uint8. */
  image(i) {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`image index ${i} out of range 0..${this.length - 1}`);
    const p = this.pixelsPtr;
    return this.core.u8.slice(p + i * this.imageSize, p + (i + 1) * this.imageSize);
  }
  /** Copy of all labels, or null when the dataset has none. */
  labels() {
    const p = this.core.exports.wg_api_dataset_labels(this.handle);
    return p ? this.core.u8.slice(p, p + this.length) : null;
  }
  dispose() {
    if (this.handle) this.core.exports.wg_api_dataset_free(this.handle);
    this.handle = 0;
  }
}

/** Undoes gzip when the bytes start with its magic number; plain bytes pass through. */
export async function maybeGunzip(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.length < 2 || u8[0] !== 0x1f || u8[1] !== 0x8b) return u8;
  try {
    const stream = new Blob([u8]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new WasmgenError(`corrupt gzip data: ${e.message}`, 2);
  }
}

/** Dataset from IDX bytes (images, optional labels); gzip is undone first. */
export async function loadIdxDataset(core, imageBytes, labelBytes = null, name = 'idx') {
  const images = await maybeGunzip(imageBytes);
  const labels = labelBytes ? await maybeGunzip(labelBytes) : null;
  const ip = core.allocBytes(images);
  let lp = 0;
  try {
    if (labels) lp = core.allocBytes(labels);
    const handle = core.exports.wg_api_dataset_from_idx(ip, images.length, lp, labels ? labels.length : 0);
    if (!handle) throw new WasmgenError(`${name}: ${core.lastError()}`, core.exports.wg_api_last_status() || 2);
    return new Dataset(core, handle, name);
  } finally {
    core.free(ip);
    core.free(lp);
  }
}

/**
 * Built-in datasets: 'mnist' (shipped: 8,337 train / 1,663 test, see README) and 'fashion'
 * (Fashion-MNIST, 60,000 / 10,000, read from Debian's dataset-fashion-mnist package or `dir`).
 * Options: split 'train' | 'test'; dir to override where Fashion-MNIST lives; baseUrl for pages.
 */
/** A new dataset of the images of `ds` labelled `cls` (labels kept), named `${ds.name}:${cls}`. */
export function classSubset(core, ds, cls) {
  const labels = ds.labels();
  if (!labels) throw new WasmgenError(`${ds.name}: has no labels, so no class subset ${cls}`, 1);
  const picked = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === cls) picked.push(i);
  if (!picked.length) throw new WasmgenError(`${ds.name}:${cls}: no image has class ${cls} (the labels run 0..${Math.max(...labels)}): the domain is empty`, 1);
  const handle = core.checkHandle(core.exports.wg_api_dataset_create(picked.length, ds.height, ds.width, ds.channels, 1));
  const sub = new Dataset(core, handle, `${ds.name}:${cls}`);
  const P = ds.imageSize, src = ds.pixelsPtr, dst = sub.pixelsPtr, lp = core.exports.wg_api_dataset_labels(handle);
  const u8 = core.u8;
  picked.forEach((i, k) => { u8.copyWithin(dst + k * P, src + i * P, src + (i + 1) * P); u8[lp + k] = cls; });
  return sub;
}

export async function loadDataset(core, name, { split = 'train', dir, baseUrl } = {}) {
  if (split !== 'train' && split !== 'test') throw new WasmgenError(`unknown split "${split}" (expected "train" or "test")`, 1);
  // "mnist:3", "fashion:7": the images of one class (a CycleGAN domain).
  const sub = /^(mnist|fashion):(\d+)$/.exec(name);
  if (sub) {
    const cls = Number(sub[2]);
    if (cls > 9) throw new WasmgenError(`${name}: ${sub[1]} has classes 0..9`, 1);
    const full = await loadDataset(core, sub[1], { split, dir, baseUrl });
    try { return classSubset(core, full, cls); } finally { full.dispose(); }
  }
  if (name === 'mnist') {
    const files = baseUrl
      ? { images: new URL(`mnist-${split}-images.idx.gz`, baseUrl), labels: new URL(`mnist-${split}-labels.idx.gz`, baseUrl) }
      : (await import('../data/builtin-url.js')).MNIST_FILES[split];
    const images = await readBytes(files.images);
    const labels = await readBytes(files.labels);
    return loadIdxDataset(core, images, labels, `mnist-${split}`);
  }
  if (name === 'fashion') {
    const prefix = split === 'train' ? 'train' : 't10k';
    const root = dir ?? baseUrl ?? FASHION_DIR;
    const imagesPath = `${root}${root.endsWith('/') ? '' : '/'}${prefix}-images-idx3-ubyte.gz`;
    if (!(await fileExists(imagesPath))) {
      throw new WasmgenError(`Fashion-MNIST not found at ${imagesPath}. Install it with: sudo apt-get install dataset-fashion-mnist (or pass its folder)`, 1);
    }
    const images = await readBytes(imagesPath);
    const labels = await readBytes(imagesPath.replace('-images-idx3-', '-labels-idx1-'));
    return loadIdxDataset(core, images, labels, `fashion-${split}`);
  }
  throw new WasmgenError(`unknown dataset "${name}" (built in: "mnist", "fashion", one class of them as "mnist:3"; or load an IDX file)`, 1);
}
