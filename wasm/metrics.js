// metrics.js — sample-quality metrics over feature matrices, computed by the C core in float64
// (src/metrics.h): FID, KID, improved precision/recall, Inception-style score, class histogram
// with coverage, and label accuracy. The building blocks of evaluate(): a judge network turns
// images into features (its penultimate layer) and class probabilities, and these functions
// compare them with a reference set or its shipped statistics.
//
//   const real = features(realData, 84), fake = features(fakeData, 84);   // { data, n, dim }
//   const ref = featureStats(core, real);          // { n, dim, mean, cov } float64, serialisable
//   fid(core, ref, fake)                            // statistics or features on either side
//   kid(core, real, fake, { subsets: 100, subsetSize: 1000, seed: 0 })   // { mean, std, ... }
//   precisionRecall(core, real, fake, { k: 3 })     // { precision, recall, k }
//   compareFeatures(core, real, fake)               // KID + precision/recall from one pass
//   inceptionScore(core, features(probs, 10))       // or { logits: true }
//   classHistogram(core, features(probs, 10))       // { counts, fractions, covered, ... }
//   labelAccuracy(core, features(probs, 10), intendedLabels)
//   const acc = createFeatureStats(core, 84); acc.add(batch1); acc.add(batch2); acc.finalize();
//
// "real" is the reference side and "fake" the generated one: precision asks how much of the
// fake set lies on the real manifold, recall how much of the real set the fakes cover.
import { WasmgenError } from './core.js';

/** Default share of a uniform class's due that a class needs to count as covered (see classHistogram). */
export const COVER_SHARE = 0.5;

/** A feature matrix { data: Float32Array (n, dim) row-major, n, dim } from numbers (copied if not float32). */
export function features(data, dim) {
  if (!Number.isInteger(dim) || dim < 1) throw new WasmgenError(`features: dim must be a positive whole number (got ${dim})`, 1);
  const array = data instanceof Float32Array ? data : Float32Array.from(data ?? []);
  if (array.length % dim !== 0) throw new WasmgenError(`features: ${array.length} values are not whole rows of ${dim}`, 1);
  return { data: array, n: array.length / dim, dim };
}

function checkFeatures(f, what) {
  if (!f || !(f.data instanceof Float32Array) || !Number.isInteger(f.dim) || f.dim < 1 || f.data.length !== f.n * f.dim) {
    throw new WasmgenError(`${what}: expected a feature matrix { data: Float32Array (n * dim), n, dim } (see features())`, 1);
  }
}

function isStats(s) {
  return s && s.mean instanceof Float64Array && s.cov instanceof Float64Array;
}

function heapDoubles(core, heap, array) {
  const p = heap.malloc(array.length * 8);
  core.f64.set(array, p >> 3);
  return p;
}

/** Streaming mean/covariance: add(features or Float32Array rows) any number of times, then finalize(). */
export function createFeatureStats(core, dim) {
  let handle = core.checkHandle(core.exports.wg_api_stats_create(dim));
  const live = () => { if (!handle) throw new WasmgenError('feature stats: already disposed', 4); return handle; };
  return {
    dim,
    get n() { return core.exports.wg_api_stats_count(live()); },
    add(batch) {
      const f = batch instanceof Float32Array ? features(batch, dim) : batch;
      checkFeatures(f, 'feature stats');
      if (f.dim !== dim) throw new WasmgenError(`feature stats: rows of ${f.dim} values, expected ${dim}`, 1);
      core.scoped((heap) => core.check(core.exports.wg_api_stats_add(live(), heap.floats(f.data), f.n)));
      return this;
    },
    /** { n, dim, mean: Float64Array (dim), cov: Float64Array (dim * dim) }, covariance divided by n - 1. */
    finalize() {
      return core.scoped((heap) => {
        const mp = heap.malloc(dim * 8), cp = heap.malloc(dim * dim * 8);
        core.check(core.exports.wg_api_stats_finalize(live(), mp, cp));
        const f64 = core.f64;
        return { n: this.n, dim, mean: f64.slice(mp >> 3, (mp >> 3) + dim), cov: f64.slice(cp >> 3, (cp >> 3) + dim * dim) };
      });
    },
    dispose() { if (handle) core.exports.wg_api_stats_free(handle); handle = 0; },
  };
}

/** Mean and covariance (float64) of a feature matrix: the "reference statistics" FID needs. */
export function featureStats(core, f) {
  checkFeatures(f, 'featureStats');
  const acc = createFeatureStats(core, f.dim);
  try { return acc.add(f).finalize(); } finally { acc.dispose(); }
}

/**
 * Fréchet distance between two feature distributions; each side is statistics ({ mean, cov })
 * or a feature matrix. Only comparable between runs with the same judge, reference and n.
 */
export function fid(core, a, b) {
  const sa = isStats(a) ? a : featureStats(core, a), sb = isStats(b) ? b : featureStats(core, b);
  const dim = sa.mean.length;
  if (sb.mean.length !== dim || sa.cov.length !== dim * dim || sb.cov.length !== dim * dim) {
    throw new WasmgenError(`fid: the two sides have different feature sizes (${sa.mean.length} and ${sb.mean.length})`, 1);
  }
  return core.scoped((heap) => {
    const out = heap.malloc(8);
    core.check(core.exports.wg_api_fid(heapDoubles(core, heap, sa.mean), heapDoubles(core, heap, sa.cov),
      heapDoubles(core, heap, sb.mean), heapDoubles(core, heap, sb.cov), dim, out));
    return core.f64[out >> 3];
  });
}

/** Runs fn(gram handle) with the pairwise products of real and fake computed once, then frees them. */
function withGram(core, real, fake, what, fn) {
  checkFeatures(real, what);
  checkFeatures(fake, what);
  if (real.dim !== fake.dim) throw new WasmgenError(`${what}: real and generated features differ in size (${real.dim} and ${fake.dim})`, 1);
  const gram = core.scoped((heap) => core.checkHandle(
    core.exports.wg_api_gram_create(heap.floats(real.data), real.n, heap.floats(fake.data), fake.n, real.dim)));
  try { return fn(gram); } finally { core.exports.wg_api_gram_free(gram); }
}

function kidOn(core, gram, { subsets = 100, subsetSize = 1000, seed = 0 } = {}) {
  return core.withBuffer(16, (out) => {
    core.check(core.exports.wg_api_kid(gram, subsets, subsetSize, seed, out));
    return { mean: core.f64[out >> 3], std: core.f64[(out >> 3) + 1], subsets, subsetSize, seed };
  });
}

function precisionRecallOn(core, gram, { k = 3 } = {}) {
  return core.withBuffer(16, (out) => {
    core.check(core.exports.wg_api_precision_recall(gram, k, out));
    return { precision: core.f64[out >> 3], recall: core.f64[(out >> 3) + 1], k };
  });
}

/**
 * Kernel Inception Distance: unbiased MMD² with the kernel (x·y/d + 1)³ over `subsets` seeded
 * random subsets of min(n, subsetSize) rows of each set; { mean, std } over the subsets. With
 * both sets no larger than subsetSize every subset is the whole sets: one MMD², std 0. Pairwise
 * products take 8 (n_real² + n_fake² + n_real·n_fake) bytes, refused above 1 GiB (~6,000 per set).
 */
export function kid(core, real, fake, options = {}) {
  return withGram(core, real, fake, 'kid', (gram) => kidOn(core, gram, options));
}

/** Improved precision and recall (Kynkäänniemi et al. 2019) with k-th nearest neighbour balls. */
export function precisionRecall(core, real, fake, options = {}) {
  return withGram(core, real, fake, 'precisionRecall', (gram) => precisionRecallOn(core, gram, options));
}

/**
 * KID and precision/recall from one computation of the pairwise products (the O(n² d) part):
 * { kid: { mean, std, ... }, precision, recall, k }. Options: { kid: kid()'s options, k }.
 */
export function compareFeatures(core, real, fake, { kid: kidOptions = {}, k = 3 } = {}) {
  return withGram(core, real, fake, 'compareFeatures', (gram) => ({
    kid: kidOn(core, gram, kidOptions), ...precisionRecallOn(core, gram, { k }),
  }));
}

/** exp(E KL(p(y|x) ‖ p(y))) from class probabilities (rows are normalised) or, with logits: true, logits. */
export function inceptionScore(core, probs, { logits = false } = {}) {
  checkFeatures(probs, 'inceptionScore');
  return core.scoped((heap) => {
    const out = heap.malloc(8);
    core.check(core.exports.wg_api_inception_score(heap.floats(probs.data), probs.n, probs.dim, logits ? 1 : 0, out));
    return core.f64[out >> 3];
  });
}

/**
 * Histogram of predicted classes (argmax of each row of probabilities or logits, first on ties).
 * A class counts as covered when it holds at least coverShare (default 0.5) of a uniform class's
 * due, n / classes: with 10 classes and n = 2,000 that is 100 samples (5%). A uniform generator
 * misses it by chance with negligible probability (its count is 200 ± 13), while the stray
 * samples a judge misclassifies into a dropped mode (~1% errors spread over classes) stay far
 * below it, so a collapsed mode is not hidden by judge noise. Returns { counts, fractions,
 * covered, classes, threshold } (threshold: samples a class needs).
 */
export function classHistogram(core, probs, { coverShare = COVER_SHARE } = {}) {
  checkFeatures(probs, 'classHistogram');
  if (!(coverShare >= 0)) throw new WasmgenError(`classHistogram: coverShare must be >= 0 (got ${coverShare})`, 1);
  return core.scoped((heap) => {
    const cp = heap.malloc(probs.dim * 4);
    core.check(core.exports.wg_api_class_histogram(heap.floats(probs.data), probs.n, probs.dim, cp));
    const counts = core.i32.slice(cp >> 2, (cp >> 2) + probs.dim);
    const covered = core.exports.wg_api_classes_covered(cp, probs.dim, coverShare);
    return {
      counts, fractions: Float64Array.from(counts, (c) => c / probs.n), covered, classes: probs.dim,
      threshold: (coverShare * probs.n) / probs.dim,
    };
  });
}

/**
 * Accuracy of the predicted class (argmax) against the class each sample was generated for:
 * { accuracy, perClass: Float64Array (NaN where a class had no samples), correct, total }.
 */
export function labelAccuracy(core, probs, intended) {
  checkFeatures(probs, 'labelAccuracy');
  const labels = intended instanceof Int32Array ? intended : Int32Array.from(intended ?? []);
  if (labels.length !== probs.n) {
    throw new WasmgenError(`labelAccuracy: ${labels.length} intended labels for ${probs.n} samples`, 1);
  }
  const C = probs.dim;
  return core.scoped((heap) => {
    const lp = heap.malloc(labels.length * 4), cp = heap.malloc(C * 4), tp = heap.malloc(C * 4), out = heap.malloc(8);
    core.i32.set(labels, lp >> 2);
    core.check(core.exports.wg_api_label_accuracy(heap.floats(probs.data), lp, probs.n, C, cp, tp, out));
    const correct = core.i32.slice(cp >> 2, (cp >> 2) + C), total = core.i32.slice(tp >> 2, (tp >> 2) + C);
    return {
      accuracy: core.f64[out >> 3], correct, total,
      perClass: Float64Array.from(correct, (c, i) => (total[i] ? c / total[i] : NaN)),
    };
  });
}
