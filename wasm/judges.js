// judges.js — the classifiers that judge generated images, and the shipped statistics of the real
// data they compare against.
//
// A judge is a lenet trained by tools/make-judges.js (data/judge-*.safetensors). It turns 28x28
// grey images into class probabilities and 84 features (its penultimate layer). A reference is what
// an evaluation needs of a real split, computed once by tools/make-references.js and shipped
// (data/reference-*.safetensors.gz), so an evaluation never loads the real set: the mean and
// covariance (float64) of the judge's features over the whole split (FID) and the features of its
// first REFERENCE_ROWS images (KID, precision/recall). Each reference names its judge and the
// judge's fingerprint; a reference is refused with any other judge.
//
//   const judge = await loadJudge(core, 'mnist');
//   const { features, probs } = judge.judge(images);          // Float32Array (n * 784) in [0, 1]
//   const ref = await loadReference(core, 'mnist-test');      // { judge, n, mean, cov, features, ... }
//   const mine = computeReference(core, judge, dataset);      // the same from any dataset or images
import { WasmgenError } from './core.js';
import { readBytes } from './files.js';
import { loadModel } from './model.js';
import { maybeGunzip } from './data.js';
import { features as featureMatrix, createFeatureStats } from './metrics.js';
import { fitImage } from './imageops.js';

/** The shipped references: which judge reads them and which split of which dataset they describe. */
export const REFERENCES = {
  'mnist-test': { judge: 'mnist', dataset: 'mnist', split: 'test' },
  'mnist-train': { judge: 'mnist', dataset: 'mnist', split: 'train' },
  'fashion-test': { judge: 'fashion', dataset: 'fashion', split: 'test' },
  'fashion-train': { judge: 'fashion', dataset: 'fashion', split: 'train' },
};
export const JUDGE_NAMES = ['mnist', 'fashion'];
/** Real images whose features a reference keeps for KID and precision/recall (the first ones of the split). */
export const REFERENCE_ROWS = 1000;

/** FNV-1a (32 bits) of the judge's bytes as 8 hex digits: enough to notice a different judge. */
export function fingerprint(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A loaded judge: a classifier model plus the feature size of its penultimate layer. */
export class Judge {
  constructor(core, name, bytes) {
    this.core = core;
    this.name = name;
    this.fingerprint = fingerprint(bytes);
    this.model = loadModel(core, bytes);
    if (!this.model.capabilities.classify) throw new WasmgenError(`judge ${name}: the file holds a ${this.model.preset}, not a classifier`, 5);
    this.featureSize = core.exports.wg_api_model_feature_size(this.model.handle);
    this.height = this.model.height; this.width = this.model.width; this.channels = this.model.channels;
    this.classes = this.model.classes;
  }
  get imageSize() { return this.height * this.width * this.channels; }

  /** Images (Float32Array n * H*W*C in [0, 1], the judge's size) -> { features, probs } feature matrices. */
  judge(images) {
    const n = images.length / this.imageSize;
    if (!Number.isInteger(n) || n < 1) throw new WasmgenError(`judge: ${images.length} values is not a whole number of ${this.height}x${this.width} grey images`, 1);
    const core = this.core, F = this.featureSize, K = this.classes;
    return core.scoped((heap) => {
      const xp = heap.floats(images), pp = heap.malloc(n * K * 4), fp = heap.malloc(n * F * 4);
      core.check(core.exports.wg_api_model_judge(this.model.handle, xp, n, pp, fp));
      return {
        features: featureMatrix(core.f32.slice(fp >> 2, (fp >> 2) + n * F), F),
        probs: featureMatrix(core.f32.slice(pp >> 2, (pp >> 2) + n * K), K),
      };
    });
  }

  dispose() { this.model.dispose(); }
}

const judgeCache = new WeakMap();   // core -> Map(name -> Promise<Judge>)
const referenceCache = new WeakMap();

function cached(cache, core, key, make) {
  if (!cache.has(core)) cache.set(core, new Map());
  const map = cache.get(core);
  if (!map.has(key)) map.set(key, make().catch((e) => { map.delete(key); throw e; }));
  return map.get(key);
}

/** The shipped judge 'mnist' or 'fashion' (loaded once per core). */
export function loadJudge(core, name) {
  if (!JUDGE_NAMES.includes(name)) throw new WasmgenError(`unknown judge "${name}" (known: ${JUDGE_NAMES.join(', ')})`, 1);
  return cached(judgeCache, core, name, async () => {
    const { JUDGE_FILES } = await import('../data/judge-url.js');
    return new Judge(core, name, await readBytes(JUDGE_FILES[name]));
  });
}

/** The shipped reference 'mnist-test', 'mnist-train', 'fashion-test' or 'fashion-train' (loaded once per core). */
export function loadReference(core, name) {
  if (!REFERENCES[name]) throw new WasmgenError(`unknown reference "${name}" (shipped: ${Object.keys(REFERENCES).join(', ')})`, 1);
  return cached(referenceCache, core, name, async () => {
    const { REFERENCE_FILES } = await import('../data/judge-url.js');
    return decodeReference(await maybeGunzip(await readBytes(REFERENCE_FILES[name])));
  });
}

/**
 * What the judge reads of a Dataset or of images ({ data: Float32Array (n, C, H, W) in [0, 1], n,
 * channels, height, width }, as sample() gives): { name, length, read(i0, i1) -> Float32Array of
 * judge-sized images, note }. Images of another size or colour are fitted as the page fits
 * uploads: RGB becomes grey (BT.601 luma), the largest centred square is cut and resized to the
 * judge's 28x28; `note` then says so (null when nothing was converted).
 */
export function judgeInput(core, judge, subject) {
  const isDataset = typeof subject?.image === 'function' && subject.pixelsPtr !== undefined;
  if (!isDataset && !(subject?.data instanceof Float32Array && Number.isInteger(subject.n))) {
    throw new WasmgenError('evaluate: expected a model, a Dataset or images { data: Float32Array, n, channels, height, width }', 1);
  }
  const { height: H, width: W, channels: C } = subject, P = H * W * C;
  if (!isDataset && subject.data.length !== subject.n * P) throw new WasmgenError(`evaluate: ${subject.data.length} values are not ${subject.n} images of ${W}x${H}x${C}`, 1);
  const same = H === judge.height && W === judge.width && C === judge.channels;
  const floats = (i0, i1) => (isDataset
    ? Float32Array.from(core.u8.subarray(subject.pixelsPtr + i0 * P, subject.pixelsPtr + i1 * P), (v) => v / 255)
    : subject.data.subarray(i0 * P, i1 * P));
  return {
    name: subject.name ?? 'images',
    length: isDataset ? subject.length : subject.n,
    read: (i0, i1) => (same ? floats(i0, i1)
      : fitImage(core, { data: floats(i0, i1), n: i1 - i0, channels: C, height: H, width: W },
        { height: judge.height, width: judge.width, channels: judge.channels }).data),
    note: same ? null : `${W}x${H} ${C === 3 ? 'RGB' : 'grey'} images were ${C === 3 ? 'converted to grey (BT.601 luma), ' : ''}` +
      `${H === W ? '' : 'centre-cropped to a square, '}resized to ${judge.width}x${judge.height} for the ${judge.name} judge`,
  };
}

/** The judge over the first `count` images of a judgeInput: { features, probs } feature matrices. */
export function judgeAll(judge, input, count = input.length) {
  const F = judge.featureSize, K = judge.classes, features = new Float32Array(count * F), probs = new Float32Array(count * K);
  for (let i0 = 0; i0 < count; i0 += 1000) {
    const i1 = Math.min(count, i0 + 1000), r = judge.judge(input.read(i0, i1));
    features.set(r.features.data, i0 * F);
    probs.set(r.probs.data, i0 * K);
  }
  return { features: featureMatrix(features, F), probs: featureMatrix(probs, K) };
}

/**
 * Reference statistics of a dataset (or images) as the judge sees it: mean and covariance of the
 * features of all its images (streamed in batches), and the features of its first `rows` images.
 */
export function computeReference(core, judge, dataset, { rows = REFERENCE_ROWS, name = dataset.name } = {}) {
  const input = judgeInput(core, judge, dataset);
  if (input.length < 2) throw new WasmgenError(`reference ${name}: needs at least 2 images, got ${input.length}`, 1);
  const acc = createFeatureStats(core, judge.featureSize);
  const kept = Math.min(rows, input.length);
  let head = null;
  try {
    for (let i0 = 0; i0 < input.length; i0 += 1000) {
      const { features } = judge.judge(input.read(i0, Math.min(input.length, i0 + 1000)));
      acc.add(features);
      if (i0 === 0) head = features.data.slice(0, kept * judge.featureSize);
    }
    const { n, dim, mean, cov } = acc.finalize();
    return { name, judge: judge.name, fingerprint: judge.fingerprint, n, dim, mean, cov, features: featureMatrix(head, dim), note: input.note };
  } finally { acc.dispose(); }
}

// ---- file format: safetensors with float64 mean/cov, float32 features, strings in __metadata__ --

/** A reference as safetensors bytes (tensors mean, cov, features; name, judge, fingerprint, n in metadata). */
export function encodeReference(ref) {
  const tensors = [
    ['mean', 'F64', [ref.dim], new Uint8Array(ref.mean.buffer, ref.mean.byteOffset, ref.mean.byteLength)],
    ['cov', 'F64', [ref.dim, ref.dim], new Uint8Array(ref.cov.buffer, ref.cov.byteOffset, ref.cov.byteLength)],
    ['features', 'F32', [ref.features.n, ref.dim], new Uint8Array(ref.features.data.buffer, ref.features.data.byteOffset, ref.features.data.byteLength)],
  ];
  const header = { __metadata__: { name: ref.name, judge: ref.judge, fingerprint: ref.fingerprint, n: String(ref.n) } };
  let offset = 0;
  for (const [key, dtype, shape, bytes] of tensors) {
    header[key] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const [, , , bytes] of tensors) { out.set(bytes, at); at += bytes.length; }
  return out;
}

/** The reference that encodeReference wrote; every length is checked before use. */
export function decodeReference(bytes) {
  const fail = (why) => new WasmgenError(`reference statistics: ${why}`, 2);
  if (bytes.length < 8) throw fail('not safetensors bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (8 + headerLen > bytes.length) throw fail('the header is truncated');
  let header;
  try { header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))); } catch (e) { throw fail(`the header is not JSON (${e.message})`); }
  const meta = header.__metadata__ ?? {};
  const tensor = (key, dtype, Type) => {
    const t = header[key];
    if (!t || t.dtype !== dtype) throw fail(`no ${dtype} tensor "${key}"`);
    const [a, b] = t.data_offsets, count = t.shape.reduce((x, y) => x * y, 1);
    if (b - a !== count * Type.BYTES_PER_ELEMENT || 8 + headerLen + b > bytes.length) throw fail(`tensor "${key}" has bad data offsets`);
    return { shape: t.shape, data: new Type(bytes.slice(8 + headerLen + a, 8 + headerLen + b).buffer) };
  };
  const mean = tensor('mean', 'F64', Float64Array), cov = tensor('cov', 'F64', Float64Array), feats = tensor('features', 'F32', Float32Array);
  const dim = mean.shape[0];
  if (cov.shape.join() !== `${dim},${dim}` || feats.shape[1] !== dim) throw fail('mean, covariance and features disagree in size');
  return {
    name: meta.name, judge: meta.judge, fingerprint: meta.fingerprint, n: Number(meta.n), dim,
    mean: mean.data, cov: cov.data, features: featureMatrix(feats.data, dim),
  };
}
