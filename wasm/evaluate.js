// evaluate.js — how good are generated images? One call that samples a model (or takes images),
// runs a judge over them and compares with the shipped statistics of a real split.
//
//   const r = await wg.evaluate(model, { against: 'mnist-test', n: 2000, seed: 0 });
//   r.fid; r.kid.mean; r.kid.std; r.precision; r.recall; r.inceptionScore; r.classes.covered
//   r.accuracy            // conditional models: share of samples judged as the class asked for
//   r.reconstruction      // models that encode (VAEs): test loss, reconstruction error, PSNR
//   r.translation         // models that translate (CycleGAN): { ab, ba: { targetClassRate,
//                         //   cyclePsnr, fid }, judge, n } (see translation-eval.js)
//   r.judge, r.against, r.n, r.seed   // what the numbers were measured with: always reported
//   await wg.evaluate(images, { against: realDataset })                   // images vs own data
//
// Numbers are comparable only at equal judge, reference and n (FID is biased by n). What the model
// can do decides what is measured (description.capabilities: sample, classes, encode, translate),
// never its family name. Classifiers generate nothing and are refused (their measure is model.evaluate(test)).
import { WasmgenError } from './core.js';
import { Model } from './model.js';
import { loadDataset } from './data.js';
import { featureStats, fid, compareFeatures, inceptionScore, classHistogram, labelAccuracy } from './metrics.js';
import { evaluateTranslation } from './translation-eval.js';
import { REFERENCES, loadJudge, loadReference, computeReference, judgeInput, judgeAll, JUDGE_NAMES } from './judges.js';

/** The fixed defaults: change them and earlier numbers stop being comparable. */
export const EVAL_DEFAULTS = { n: 2000, seed: 0, against: 'mnist-test', k: 3, kidSubsets: 100, kidSubsetSize: 1000 };
export const METRICS = ['fid', 'kid', 'precisionRecall', 'inceptionScore', 'classes', 'accuracy', 'reconstruction', 'translation'];

/** The shipped reference a model's own data points to: its dataset's test split, else mnist-test. */
export function defaultReference(model) {
  const data = model?.datasetId?.split(':')[0] ?? '';
  const shipped = Object.keys(REFERENCES).find((name) => REFERENCES[name].dataset === data.split('-')[0]);
  return shipped ? `${REFERENCES[shipped].dataset}-test` : EVAL_DEFAULTS.against;
}

function checkWhole(name, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) throw new WasmgenError(`evaluate: ${name} must be a whole number in [${min}, ${max}], got ${value}`, 1);
}

/**
 * Evaluates a Model (samples n images with `seed`; conditional models get classes in turn 0, 1,
 * ...) or given images (a Dataset, or { data, n, channels, height, width }) against a reference:
 * a shipped one by name ('mnist-test' default, 'mnist-train', 'fashion-test', 'fashion-train'),
 * or real images (a Dataset or images), whose statistics are computed here with `judge`.
 * Options: against, judge ('mnist' | 'fashion'; default the reference's, else 'mnist'), metrics
 * (subset of METRICS; default every one that applies), n (default 2000; images: all given),
 * seed (default 0), onStage(text) for progress.
 * A model that translates (and does not sample) is measured on its translations instead: options
 * domainA, domainB (default: the test splits of the built-in domains it trained on), n (default
 * min(1000, the domains' sizes)), judge; see translation-eval.js.
 */
export async function evaluate(core, subject, options = {}) {
  const isModel = subject instanceof Model;
  if (isModel) {
    const caps = subject.capabilities;
    if (caps.translate && !caps.sample) {
      const other = (options.metrics ?? []).filter((m) => m !== 'translation');
      if (other.length) throw new WasmgenError(`evaluate: ${other.join(', ')} needs a model that samples; a ${subject.preset} is measured by translation`, 1);
      if (options.against !== undefined) throw new WasmgenError('evaluate: a model that translates is measured against its own domains: give domainA and domainB, not against', 1);
      return evaluateTranslation(core, subject, options);
    }
    if (!caps.sample) {
      const hint = caps.classify ? ': it classifies; its measure is the test accuracy (model.evaluate(testSet); the CLI prints it after train)' : '';
      throw new WasmgenError(`evaluate: a ${subject.preset} model does not generate images, so there is nothing to evaluate${hint}`, 4);
    }
  }
  const seed = options.seed ?? EVAL_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new WasmgenError(`evaluate: seed must be a whole number >= 0, got ${seed}`, 1);
  const stage = options.onStage ?? (() => {});

  // The reference and its judge.
  const against = options.against ?? (isModel ? defaultReference(subject) : EVAL_DEFAULTS.against);
  const shipped = typeof against === 'string';
  if (shipped && !REFERENCES[against]) throw new WasmgenError(`evaluate: unknown reference "${against}" (shipped: ${Object.keys(REFERENCES).join(', ')}; or pass a Dataset or images)`, 1);
  const judgeName = options.judge ?? (shipped ? REFERENCES[against].judge : 'mnist');
  if (!JUDGE_NAMES.includes(judgeName)) throw new WasmgenError(`evaluate: unknown judge "${judgeName}" (known: ${JUDGE_NAMES.join(', ')})`, 1);
  if (shipped && judgeName !== REFERENCES[against].judge) {
    throw new WasmgenError(`evaluate: the ${against} statistics were made with the ${REFERENCES[against].judge} judge, not ${judgeName}`, 1);
  }
  stage(`loading the ${judgeName} judge`);
  const judge = await loadJudge(core, judgeName);
  stage(shipped ? `loading the ${against} reference` : 'judging the real images');
  const ref = shipped ? await loadReference(core, against) : computeReference(core, judge, against, { name: against.name ?? 'images' });
  if (ref.fingerprint !== judge.fingerprint) {
    throw new WasmgenError(`evaluate: the ${ref.name} statistics belong to another ${judgeName} judge (${ref.fingerprint}, loaded ${judge.fingerprint}); rerun tools/make-references.js`, 5);
  }

  // Which metrics apply.
  const conditional = isModel && subject.capabilities.classes;
  const applies = {
    fid: true, kid: true, precisionRecall: true, inceptionScore: true, classes: true,
    accuracy: conditional, reconstruction: isModel && subject.capabilities.encode, translation: false,
  };
  const unknown = (options.metrics ?? []).filter((m) => !METRICS.includes(m));
  if (unknown.length) throw new WasmgenError(`evaluate: unknown metric ${unknown.join(', ')} (known: ${METRICS.join(', ')})`, 1);
  const wanted = options.metrics ?? METRICS.filter((m) => applies[m]);
  const impossible = wanted.filter((m) => !applies[m]);
  if (impossible.length) {
    const needs = { accuracy: 'a conditional model (capabilities.classes)', reconstruction: 'a model that encodes (capabilities.encode)', translation: 'a model that translates (capabilities.translate)' };
    throw new WasmgenError(`evaluate: ${impossible.join(', ')} needs ${needs[impossible[0]]}`, 1);
  }

  // The generated side.
  const notes = [];
  let images, labels = null, n;
  if (isModel) {
    n = options.n ?? EVAL_DEFAULTS.n;
    checkWhole('n', n, 2, 65536);
    if (conditional) labels = Int32Array.from({ length: n }, (_, i) => i % subject.classes);
    stage(`sampling ${n} images`);
    images = subject.sample(n, { seed, labels: labels ?? undefined });
  } else {
    images = subject;
  }
  const input = judgeInput(core, judge, images);
  if (!isModel) {
    n = options.n ?? input.length;
    checkWhole('n', n, 2, input.length);
  }
  if (input.note) notes.push(input.note);
  if (ref.note) notes.push(`reference: ${ref.note}`);
  stage(`judging ${n} images`);
  const fake = judgeAll(judge, input, n);

  const result = {
    judge: { name: judge.name, fingerprint: judge.fingerprint, features: judge.featureSize, classes: judge.classes },
    against: { name: ref.name, shipped, images: ref.n, featureRows: ref.features.n },
    n, seed, notes,
  };
  if (isModel) Object.assign(result, { model: subject.preset, step: subject.step });
  if (wanted.includes('fid')) result.fid = fid(core, ref, featureStats(core, fake.features));
  if (wanted.includes('kid') || wanted.includes('precisionRecall')) {
    stage('KID and precision/recall');
    const both = compareFeatures(core, ref.features, fake.features, {
      kid: { subsets: EVAL_DEFAULTS.kidSubsets, subsetSize: EVAL_DEFAULTS.kidSubsetSize, seed }, k: EVAL_DEFAULTS.k,
    });
    if (wanted.includes('kid')) result.kid = { mean: both.kid.mean, std: both.kid.std, subsets: both.kid.subsets, subsetSize: Math.min(both.kid.subsetSize, n, ref.features.n) };
    if (wanted.includes('precisionRecall')) Object.assign(result, { precision: both.precision, recall: both.recall, k: both.k });
  }
  if (wanted.includes('inceptionScore')) result.inceptionScore = inceptionScore(core, fake.probs);
  if (wanted.includes('classes')) {
    const h = classHistogram(core, fake.probs);
    result.classes = { counts: [...h.counts], covered: h.covered, classes: h.classes, threshold: h.threshold };
  }
  if (wanted.includes('accuracy')) {
    if (subject.classes !== judge.classes) {
      notes.push(`accuracy not measured: the model has ${subject.classes} classes, the ${judge.name} judge ${judge.classes}`);
    } else {
      const a = labelAccuracy(core, fake.probs, labels);
      result.accuracy = { accuracy: a.accuracy, perClass: [...a.perClass] };
    }
  }
  if (wanted.includes('reconstruction')) {
    stage('reconstruction on real images');
    result.reconstruction = await reconstruction(core, subject, against, n, stage);
  }
  return result;
}

/**
 * A model that encodes, on the first n real images of the reference split (or the given Dataset):
 * its evaluation (test loss = mean BCE + KL per image, recon, kl) and the mean squared error and
 * PSNR of decode(mu) against the images, pixels in [0, 1].
 */
async function reconstruction(core, model, against, n, stage) {
  const own = typeof against === 'string';
  const dataset = own ? await loadDataset(core, REFERENCES[against].dataset, { split: REFERENCES[against].split }) : against;
  try {
    if (typeof dataset?.image !== 'function') throw new WasmgenError('evaluate: reconstruction needs real images as a Dataset (or a shipped reference)', 1);
    if (dataset.height !== model.height || dataset.width !== model.width || dataset.channels !== model.channels) {
      throw new WasmgenError(`evaluate: reconstruction needs ${model.width}x${model.height}x${model.channels} images like the model's; ${dataset.name} holds ${dataset.width}x${dataset.height}x${dataset.channels}`, 1);
    }
    const count = Math.min(n, dataset.length), P = model.imageSize;
    const evaluation = model.evaluate(dataset, { limit: count });
    const allLabels = dataset.labels();
    if (model.capabilities.classes && !allLabels) throw new WasmgenError(`evaluate: the conditional ${model.preset} needs labelled real images for reconstruction`, 1);
    let squared = 0;
    for (let i0 = 0; i0 < count; i0 += 500) {
      const i1 = Math.min(count, i0 + 500);
      const x = Float32Array.from(core.u8.subarray(dataset.pixelsPtr + i0 * P, dataset.pixelsPtr + i1 * P), (v) => v / 255);
      const labels = model.capabilities.classes ? Array.from(allLabels.subarray(i0, i1)) : undefined;
      const { mu } = model.encode(x, { labels });
      const y = model.decode(mu, { labels }).data;
      for (let k = 0; k < x.length; k++) squared += (y[k] - x[k]) ** 2;
    }
    const mse = squared / (count * P);
    return { images: count, ...evaluation, mse, psnr: 10 * Math.log10(1 / mse) };
  } finally { if (own) dataset.dispose(); }
}
