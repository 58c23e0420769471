// eval-command.js — `wasmgen eval`: sample quality of a saved model, or of one image set against
// another, measured by a shipped judge (see wasm/evaluate.js).
//
//   wasmgen eval --load gan.safetensors [--n 2000] [--against mnist-test] [--seed 0] [--json]
//   wasmgen eval --real real-dir/ --fake generated.idx.gz [--judge mnist]
//   wasmgen eval --load cyclegan.safetensors [--n 1000] [--domain-a fashion:7 --domain-b fashion:9]
import fs from 'node:fs';
import path from 'node:path';
import { EVAL_DEFAULTS, REFERENCES } from '../wasm/node.js';
import { UsageError, number, parse, readFile, openWasmgen } from './cli-util.js';

export const EVAL_USAGE = `  wasmgen eval --load model.safetensors [--n ${EVAL_DEFAULTS.n}] [--against mnist-test|fashion-test|IMAGES.idx[.gz]|DIR]
               [--seed ${EVAL_DEFAULTS.seed}] [--judge mnist|fashion] [--json]
  wasmgen eval --real DIR|IMAGES.idx[.gz] --fake DIR|IMAGES.idx[.gz] [--n N] [--judge mnist|fashion] [--json]
  wasmgen eval --load cyclegan.safetensors [--n 1000] [--domain-a DATA --domain-b DATA] [--judge mnist|fashion] [--json]`;

export const EVAL_HELP = `eval samples N images (seed S) from a model and compares them with a real split through a judge
(a lenet shipped in data/: its 84 penultimate-layer features and its class predictions): FID,
KID (mean ± std over 100 subsets of 1000), precision/recall (k = 3), Inception-style score, class
histogram and classes covered; conditional models also the share of samples judged as the class
asked for; models that encode also test loss, reconstruction MSE and PSNR. --against defaults to
the test split of the model's own dataset (mnist-test otherwise); the mnist and fashion splits use
shipped statistics. FID and KID are comparable only at equal judge, reference and n. Own images
(a folder of PNG/JPEG/BMP/GIF, or IDX) are converted to grey and resized to 28x28 for the judge;
the output says so. Classifiers generate nothing: eval refuses them (train prints their test accuracy).
A model that translates (cyclegan) is measured on N test images of each domain (default: the test
split of the built-in domains it trained on, up to 1000; or --domain-a/--domain-b: mnist:K,
fashion:K (test split), an IDX file or a folder), per direction: the share of translations the
judge names as the target domain's class (class-subset domains only; otherwise the output says
why), the cycle PSNR of G_BA(G_AB(a)) against a (pixels in [0, 1]), and the FID of the
translations against the target domain's N real images (biased upward at small N).`;

const IMAGE_FILE = /\.(png|jpe?g|bmp|gif)$/i;

/** A folder of images or an IDX file as a Dataset, and a note on what was converted. */
async function openImages(wg, location, what) {
  if (!fs.existsSync(location)) throw new UsageError(`--${what}: no such file or folder "${location}"`);
  if (fs.statSync(location).isDirectory()) {
    const names = fs.readdirSync(location).filter((f) => IMAGE_FILE.test(f)).sort();
    if (names.length < 2) throw new UsageError(`--${what}: ${location} holds ${names.length} PNG/JPEG/BMP/GIF files; need at least 2`);
    const { dataset, skipped } = await wg.loadImageFiles(names.map((f) => ({ name: f, bytes: readFile(path.join(location, f), 'image') })), { size: 28, channels: 1, name: path.basename(path.resolve(location)) });
    const note = `${what} images from ${location}: decoded and converted to grey (BT.601 luma), centre square cut and resized to 28x28 for the judge` +
      (skipped.length ? `; ${skipped.length} file(s) skipped (${skipped.slice(0, 3).map((s) => `${s.name}: ${s.reason}`).join(', ')})` : '');
    return { dataset, note };
  }
  return { dataset: await wg.loadIdxDataset(readFile(location, what), null, path.basename(location)), note: null };
}

/** A translation domain for a model: a built-in class subset's test split, an IDX file or a folder, at the model's size. */
async function openDomain(wg, location, flag, model) {
  if (/^(mnist|fashion)(:\d+)?$/.test(location)) return wg.loadDataset(location, { split: 'test' });
  if (!fs.existsSync(location)) throw new UsageError(`--${flag}: must be mnist:K, fashion:K, an IDX file or a folder; "${location}" is none of these`);
  if (fs.statSync(location).isDirectory()) {
    const names = fs.readdirSync(location).filter((f) => IMAGE_FILE.test(f)).sort();
    if (names.length < 2) throw new UsageError(`--${flag}: ${location} holds ${names.length} PNG/JPEG/BMP/GIF files; need at least 2`);
    const { dataset } = await wg.loadImageFiles(names.map((f) => ({ name: f, bytes: readFile(path.join(location, f), 'image') })),
      { size: model.height, channels: model.channels, name: path.basename(path.resolve(location)) });
    return dataset;
  }
  return wg.loadIdxDataset(readFile(location, flag), null, path.basename(location));
}

const fixed = (v, digits = 3) => (v === undefined ? '-' : v.toFixed(digits));
const percent = (v) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);

/** The human-readable report of a translation evaluation (r.translation). */
export function formatTranslation(r) {
  const t = r.translation, { a, b } = r.domains;
  const domain = (d) => `${d.name} (${d.images} images${d.class === null ? '' : `, class ${d.class}`})`;
  const lines = [`eval of ${r.model} (step ${r.step}): translations of ${t.n} images per domain, A ${domain(a)}, B ${domain(b)}; judge ${r.judge.name} (lenet ${r.judge.fingerprint}, ${r.judge.features} features)`];
  for (const [dir, from, to] of [['ab', 'A', 'B'], ['ba', 'B', 'A']]) {
    const m = t[dir];
    lines.push(`  ${from} to ${to}: judged as ${to}'s class ${percent(m.targetClassRate)}   cycle PSNR (${from} -> ${to} -> ${from}) ${fixed(m.cyclePsnr, 2)} dB   FID against real ${to} ${fixed(m.fid)}`);
  }
  for (const note of r.notes) lines.push(`  note: ${note}`);
  lines.push(`FID is comparable only at equal judge (${r.judge.name}) and n (${t.n}).`);
  return lines.join('\n');
}

/** The human-readable report of an evaluation. */
export function formatEvaluation(r) {
  const lines = [];
  const what = r.model ? `${r.model} (step ${r.step}): ${r.n} samples, seed ${r.seed}` : `${r.n} images`;
  lines.push(`eval of ${what}; judge ${r.judge.name} (lenet ${r.judge.fingerprint}, ${r.judge.features} features), against ${r.against.name} (${r.against.images} images; ${r.against.featureRows} feature rows for KID and precision/recall)`);
  const scores = [];
  if (r.fid !== undefined) scores.push(`FID ${fixed(r.fid)}`);
  if (r.kid) scores.push(`KID ${fixed(r.kid.mean)} ± ${fixed(r.kid.std)}`);
  if (r.precision !== undefined) scores.push(`precision ${fixed(r.precision)}`, `recall ${fixed(r.recall)}`);
  if (r.inceptionScore !== undefined) scores.push(`IS ${fixed(r.inceptionScore, 2)}`);
  lines.push(`  ${scores.join('   ')}`);
  if (r.classes) lines.push(`  classes covered ${r.classes.covered}/${r.classes.classes} (a class needs >= ${r.classes.threshold} samples): ${r.classes.counts.map((c, i) => `${i}:${c}`).join(' ')}`);
  if (r.accuracy) lines.push(`  judged as the class asked for: ${(100 * r.accuracy.accuracy).toFixed(1)}% (per class: ${r.accuracy.perClass.map((a) => (Number.isNaN(a) ? '-' : `${(100 * a).toFixed(0)}%`)).join(' ')})`);
  if (r.reconstruction) {
    const c = r.reconstruction;
    lines.push(`  on ${c.images} real images: test loss ${fixed(c.loss, 2)} (recon ${fixed(c.recon, 2)} + KL ${fixed(c.kl, 2)}), reconstruction MSE ${fixed(c.mse, 4)}, PSNR ${fixed(c.psnr, 2)} dB`);
  }
  for (const note of r.notes) lines.push(`  note: ${note}`);
  lines.push(`FID and KID are comparable only at equal judge (${r.judge.name}), reference (${r.against.name}) and n (${r.n}).`);
  return lines.join('\n');
}

export async function evalCommand(args) {
  const o = parse(args, {
    load: { type: 'string' }, n: { type: 'string' }, against: { type: 'string' }, seed: { type: 'string' },
    judge: { type: 'string' }, real: { type: 'string' }, fake: { type: 'string' }, json: { type: 'boolean' },
    'domain-a': { type: 'string' }, 'domain-b': { type: 'string' },
  });
  const n = number('n', o.n, { integer: true, min: 2 });
  const seed = number('seed', o.seed, { integer: true, min: 0 });
  if (o.judge !== undefined && !['mnist', 'fashion'].includes(o.judge)) throw new UsageError(`--judge must be mnist or fashion, got "${o.judge}"`);
  if (o.load && (o.real || o.fake)) throw new UsageError('give --load MODEL, or --real and --fake, not both');
  if (!o.load && !(o.real && o.fake)) throw new UsageError('eval needs --load model.safetensors, or --real DIR|IDX and --fake DIR|IDX');
  if (!o.load && (o.against || seed !== undefined)) throw new UsageError('--against and --seed go with --load; with --real/--fake the real images are the reference');
  const wg = await openWasmgen();
  const toDispose = [], notes = [];
  try {
    let subject, against = o.against;
    const domains = [o['domain-a'], o['domain-b']];
    if (domains.some((d) => d !== undefined) && !o.load) throw new UsageError('--domain-a and --domain-b go with --load of a model that translates');
    if (o.load) {
      subject = wg.loadModel(readFile(o.load, 'checkpoint'));
      toDispose.push(subject);
      if (subject.capabilities.translate && !subject.capabilities.sample) {
        if (o.against !== undefined || seed !== undefined) throw new UsageError(`--against and --seed do not apply to a ${subject.preset}: it is measured on its two domains (--domain-a, --domain-b)`);
        if ((domains[0] === undefined) !== (domains[1] === undefined)) throw new UsageError('give both --domain-a and --domain-b, or neither');
        const options = { n, judge: o.judge };
        if (domains[0] !== undefined) {
          options.domainA = await openDomain(wg, domains[0], 'domain-a', subject);
          toDispose.push(options.domainA);
          options.domainB = await openDomain(wg, domains[1], 'domain-b', subject);
          toDispose.push(options.domainB);
        }
        const result = await wg.evaluate(subject, options);
        if (o.json) process.stdout.write(JSON.stringify(result) + '\n');
        else console.log(formatTranslation(result));
        return 0;
      }
      if (domains.some((d) => d !== undefined)) throw new UsageError(`--domain-a and --domain-b go with a model that translates; ${o.load} holds a ${subject.preset}`);
      if (!subject.capabilities.sample) {
        throw new UsageError(`${o.load} holds a ${subject.preset}, which generates no images: eval measures generated images` +
          (subject.capabilities.classify ? ' (a classifier\'s measure is its test accuracy, which train prints)' : ''));
      }
      if (against !== undefined && !REFERENCES[against]) {
        const real = await openImages(wg, against, 'against');
        toDispose.push(real.dataset);
        if (real.note) notes.push(real.note);
        against = real.dataset;
      }
    } else {
      const real = await openImages(wg, o.real, 'real'), fake = await openImages(wg, o.fake, 'fake');
      toDispose.push(real.dataset, fake.dataset);
      notes.push(...[real.note, fake.note].filter(Boolean));
      subject = fake.dataset;
      against = real.dataset;
    }
    const result = await wg.evaluate(subject, { against, n, seed, judge: o.judge });
    result.notes.unshift(...notes);
    if (o.json) process.stdout.write(JSON.stringify(result) + '\n');
    else console.log(formatEvaluation(result));
    return 0;
  } finally {
    for (const d of toDispose) d.dispose();
  }
}
