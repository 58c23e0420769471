// translation-eval.js — how good are a translating model's translations (CycleGAN)? evaluate()
// calls this for a model whose capabilities include translate. Per direction (ab: A to B, ba: B
// to A), on the first n test images of the source domain:
//   targetClassRate  share of the translations that the judge names as the target domain's class
//                    (class-subset domains such as fashion:9 only; null otherwise, with a note why)
//   cyclePsnr        PSNR of the way there and back, G_BA(G_AB(a)) against a (pixels in [0, 1],
//                    peak 1, as evaluate()'s reconstruction PSNR; Infinity when exact)
//   fid              FID of the translations against the first n real images of the target
//                    domain, both through the judge's features (biased upward at small n)
//
//   const r = await wg.evaluate(cyclegan, { n: 500 });   // domains from model.datasetId's test splits
//   r.translation.ab.targetClassRate; r.translation.ba.cyclePsnr; r.translation.judge; r.translation.n
//   await wg.evaluate(cyclegan, { domainA: datasetA, domainB: datasetB, judge: 'fashion' });
import { WasmgenError } from './core.js';
import { loadDataset } from './data.js';
import { datasetImages } from './image.js';
import { fid, labelAccuracy } from './metrics.js';
import { loadJudge, judgeInput, judgeAll, JUDGE_NAMES } from './judges.js';

/** At most this many test images per domain unless options.n says otherwise (a class's test split holds 1000). */
export const TRANSLATION_N = 1000;
const CHUNK = 200;   // images per translate() call: bounds the memory of 64x64 RGB models

const testDomains = new WeakMap();   // core -> Map(key -> Promise<Dataset>): a page measures every few seconds

/** The test split of a built-in domain { source, cls }, loaded once per core (a class subset is small). */
function testDomain(core, { source, cls }, baseUrl) {
  if (!testDomains.has(core)) testDomains.set(core, new Map());
  const map = testDomains.get(core), name = cls === null ? source : `${source}:${cls}`, key = `${name} ${baseUrl ?? ''}`;
  if (!map.has(key)) map.set(key, loadDataset(core, name, { split: 'test', baseUrl }).catch((e) => { map.delete(key); throw e; }));
  return map.get(key);
}

/** A built-in domain's name as datasets spell it ("fashion-train:7") -> { source, split, cls }, or null. */
function builtIn(name) {
  const m = /^(mnist|fashion)-(train|test)(?::(\d+))?$/.exec(name ?? '');
  return m ? { source: m[1], split: m[2], cls: m[3] === undefined ? null : Number(m[3]) } : null;
}

/**
 * The two domains a model trained on, as recorded in model.datasetId ("fashion-train:7:6000+
 * fashion-train:9:6000"): the names without their image counts.
 */
export function recordedDomains(model) {
  const parts = (model.datasetId ?? '').split('+');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return parts.map((p) => p.replace(/:\d+$/, ''));
}

/** What evaluation needs of one domain: its images in [0, 1], and its class and source when it is a class subset. */
function describeDomain(subject, which, model) {
  const isDataset = typeof subject?.image === 'function' && subject.pixelsPtr !== undefined;
  if (!isDataset && !(subject?.data instanceof Float32Array && Number.isInteger(subject.n))) {
    throw new WasmgenError(`evaluate: domain ${which} must be a Dataset or images { data: Float32Array, n, channels, height, width }`, 1);
  }
  if (subject.height !== model.height || subject.width !== model.width || subject.channels !== model.channels) {
    throw new WasmgenError(`evaluate: domain ${which} holds ${subject.width}x${subject.height}x${subject.channels} images; the ${model.preset} translates ${model.width}x${model.height}x${model.channels}`, 1);
  }
  const name = subject.name ?? 'images';
  const length = isDataset ? subject.length : subject.n;
  let cls = null, why = null;
  const labels = isDataset ? subject.labels() : null;
  if (!labels) why = `domain ${which} (${name}) has no class labels`;
  else {
    const classes = new Set(labels);
    if (classes.size === 1) cls = labels[0];
    else why = `domain ${which} (${name}) holds ${classes.size} classes, not one`;
  }
  const source = builtIn(name)?.source ?? null;   // 'fashion' for fashion-test:9
  return { subject, isDataset, name, length, cls, source, why };
}

/** The first n images of a domain as { data, n, channels, height, width } in [0, 1]. */
function firstImages(domain, n) {
  if (domain.isDataset) return datasetImages(domain.subject, { n });
  const s = domain.subject, P = s.channels * s.height * s.width;
  return { data: s.data.subarray(0, n * P), n, channels: s.channels, height: s.height, width: s.width };
}

/** translate() in chunks: { data, n, ... } of the model's translations. */
function translateAll(model, images, direction) {
  const P = model.imageSize, out = new Float32Array(images.n * P);
  for (let i0 = 0; i0 < images.n; i0 += CHUNK) {
    const i1 = Math.min(images.n, i0 + CHUNK);
    out.set(model.translate(images.data.subarray(i0 * P, i1 * P), { direction }).data, i0 * P);
  }
  return { data: out, n: images.n, channels: model.channels, height: model.height, width: model.width };
}

/** PSNR (peak 1) of b against a, both in [0, 1]; Infinity when they are equal. */
function psnr(a, b) {
  let squared = 0;
  for (let i = 0; i < a.length; i++) squared += (b[i] - a[i]) ** 2;
  const mse = squared / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

/**
 * The translation measures of a model that translates (see the file header). Options: domainA,
 * domainB (Datasets or images; default the test splits of the built-in domains in model.datasetId),
 * n (images per domain, default min(1000, both domains' sizes)), judge ('mnist' | 'fashion';
 * default the target domains' dataset, else 'mnist'), baseUrls ({ mnist, fashion }: where the
 * built-in datasets' files are, as loadDataset's baseUrl, for the default domains in a page),
 * onStage(text). The default domains' test splits stay loaded for the next evaluation.
 */
export async function evaluateTranslation(core, model, options = {}) {
  const stage = options.onStage ?? (() => {});
  const notes = [];
  // The domains: given, or the test splits of the built-in ones the model trained on.
  let subjects = [options.domainA, options.domainB];
  if ((subjects[0] === undefined) !== (subjects[1] === undefined)) throw new WasmgenError('evaluate: give both domainA and domainB, or neither', 1);
  if (subjects[0] === undefined) {
    const recorded = recordedDomains(model);
    if (!recorded) throw new WasmgenError(`evaluate: this ${model.preset} has no recorded domains (it was not trained yet); pass domainA and domainB (Datasets or images)`, 1);
    subjects = [];
    for (const [k, name] of recorded.entries()) {
      const b = builtIn(name);
      if (!b) throw new WasmgenError(`evaluate: domain ${'AB'[k]} of this ${model.preset} is ${name}, not a built-in dataset; pass domainA and domainB (Datasets or images)`, 1);
      stage(`loading the test images of ${b.source}${b.cls === null ? '' : `:${b.cls}`}`);
      subjects.push(await testDomain(core, b, options.baseUrls?.[b.source]));
    }
  }
  const [A, B] = subjects.map((s, k) => describeDomain(s, 'AB'[k], model));

  const limit = Math.min(A.length, B.length);
  const n = options.n ?? Math.min(TRANSLATION_N, limit);
  if (!Number.isInteger(n) || n < 2 || n > limit) throw new WasmgenError(`evaluate: n must be a whole number in [2, ${limit}] (the smaller domain's size), got ${n}`, 1);
  const judgeName = options.judge ?? B.source ?? A.source ?? 'mnist';
  if (!JUDGE_NAMES.includes(judgeName)) throw new WasmgenError(`evaluate: unknown judge "${judgeName}" (known: ${JUDGE_NAMES.join(', ')})`, 1);
  stage(`loading the ${judgeName} judge`);
  const judge = await loadJudge(core, judgeName);

  const images = { a: firstImages(A, n), b: firstImages(B, n) };
  const judged = (imgs) => {
    const input = judgeInput(core, judge, imgs);
    if (input.note && !notes.includes(input.note)) notes.push(input.note);
    return judgeAll(judge, input, n);
  };
  const real = { a: judged(images.a).features, b: judged(images.b).features };
  const translation = {};
  for (const [dir, from, to, back] of [['ab', 'a', 'b', 'ba'], ['ba', 'b', 'a', 'ab']]) {
    const target = to === 'a' ? A : B;
    stage(`translating ${n} images ${from.toUpperCase()} to ${to.toUpperCase()} and back`);
    const there = translateAll(model, images[from], dir);
    const again = translateAll(model, there, back);
    const fake = judged(there);
    let targetClassRate = null;
    if (target.cls === null) notes.push(`${dir}: no target-class rate: ${target.why}`);
    else if (target.source !== judge.name) notes.push(`${dir}: no target-class rate: domain ${to.toUpperCase()} (${target.name}) is not one of the ${judge.name} judge's classes`);
    else targetClassRate = labelAccuracy(core, fake.probs, new Int32Array(n).fill(target.cls)).accuracy;
    translation[dir] = { targetClassRate, cyclePsnr: psnr(images[from].data, again.data), fid: fid(core, real[to], fake.features) };
  }
  Object.assign(translation, { judge: judge.name, n });
  notes.push(`FID over ${n} images per side is biased upward, the more so the smaller n: compare only at equal n and judge`);
  return {
    model: model.preset, step: model.step, n, notes,
    judge: { name: judge.name, fingerprint: judge.fingerprint, features: judge.featureSize, classes: judge.classes },
    domains: { a: { name: A.name, images: A.length, class: A.cls }, b: { name: B.name, images: B.length, class: B.cls } },
    translation,
  };
}
