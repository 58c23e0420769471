#!/usr/bin/env node
// wasmgen — command-line front end of the wasmgen package (Node >= 20).
//
//   wasmgen train --model gan --dataset mnist --steps 2000 --save gan.safetensors --samples gan.png
//   wasmgen sample --load gan.safetensors --n 64 --seed 3 --out grid.png
//   wasmgen sample --load cgan.safetensors --labels 0-9 --out rows.png
//   wasmgen train --model cyclegan --dataset mnist:3 --dataset-b mnist:8 --steps 500 --save cg.safetensors
//   wasmgen translate --load cg.safetensors --direction ab three.png eight.png
//   wasmgen onnx --load cg.safetensors --role G_BA --out b-to-a.onnx
//   wasmgen info --load gan.safetensors
//   wasmgen eval --load gan.safetensors --n 2000 --against mnist-test
import fs from 'node:fs';
import path from 'node:path';
import { init, toGrid, encodePng, exportOnnx, onnxRoles, WasmgenError } from '../wasm/node.js';
import { ProgressReporter } from './progress.js';
import { UsageError, number, parse, writeAtomic, readFile, openWasmgen, takeThreadsOption } from './cli-util.js';
import { IMAGE_COMMANDS, IMAGE_USAGE, readForModel, writeImage } from './image-commands.js';
import { evalCommand, EVAL_USAGE, EVAL_HELP } from './eval-command.js';

const usage = (models, conditional, twoDomain) => `usage:
  wasmgen train --model MODEL --dataset DATA [--labels LABELS.idx[.gz]] [--dataset-b DATA]
                [--size 28] [--steps N | --epochs E] [--batch 64] [--seed S] [--lr X] [--latent N] [--classes K]
                [--augment flip,rotate:15,crop:24]
                [--config model.json] [--resume model.safetensors]
                [--save model.safetensors] [--samples grid.png] [--json]
  wasmgen sample --load model.safetensors [--n 64] [--seed S] [--cols C] [--truncation T]
                 [--label K | --labels 0-9] --out grid.png
  wasmgen translate --load model.safetensors [--direction ab|ba] IN OUT
  wasmgen onnx --load model.safetensors [--role ROLE] --out net.onnx
  wasmgen info --load model.safetensors
${EVAL_USAGE}
${IMAGE_USAGE}
  wasmgen help
Every command takes --threads N (default: WASMGEN_THREADS if set, else the machine's cores, at
most 4; 1 = single-thread build). Results are the same bits for any thread count.

MODEL is one of:
${models}

DATA is mnist, fashion, one class of them (mnist:3, fashion:7), an IDX file, or a folder of
PNG/JPEG/BMP/GIF images (centre-cropped and resized to --size, default 28, or to the other
domain's size). Two-domain models (${twoDomain}) take domain A from --dataset and domain B from
--dataset-b; the domains may hold different numbers of images. Built-in and IDX domains must have the same
channel count (grey or RGB); a folder is decoded to the other domain's. translate maps an image, or
every image of a folder into a folder of the same names, from domain A to B (--direction ab, the
default) or back (ba).

onnx writes the net that makes images as an ONNX file (opset 13): the generator or decoder (input
z), or a two-domain model's G_AB (A to B, the default) or G_BA (--role G_BA; input source [N, C,
H, W] in [0, 1]). The output image is in [0, 1], the numbers sample/translate give.

train prints a progress bar on a terminal (a plain line every few steps otherwise) to stderr,
and a summary to stdout (one JSON line with --json). Ctrl-C stops training and still saves.
Conditional models (${conditional}) and classifiers train on labelled data. sample --label K
draws N images of class K; --labels 0-9 (or 1,3,5) draws one row of N (default 10) per class.

${EVAL_HELP}`;

/** The usage text with the model list read from the core's registry. */
async function usageText() {
  const wg = await init({ threads: 1 });   // the registry only: no need for worker threads
  const twoDomain = wg.families.filter((f) => f.capabilities.two_domains).flatMap((f) => f.presets.map((p) => p.name)).join(', ');
  return usage(wg.families.flatMap((f) => f.presets.map((p) => `  ${p.name.padEnd(9)} ${p.summary}`)).join('\n'), conditionalPresets(wg).join(', '), twoDomain);
}

function conditionalPresets(wg) {
  return wg.families.filter((f) => f.capabilities.classes && f.capabilities.sample).flatMap((f) => f.presets.map((p) => p.name));
}

function presetNames(wg) {
  return wg.families.flatMap((f) => f.presets.map((p) => p.name));
}

const IMAGE_FILE = /\.(png|jpe?g|bmp|gif)$/i;

/** A dataset from DATA (see usage); `fit` { size, channels } sizes a folder of images. */
async function openDataset(wg, name, labels, split = 'train', fit = {}, flag = '--dataset') {
  if (/^(mnist|fashion)(:\d+)?$/.test(name)) return wg.loadDataset(name, { split });
  if (!fs.existsSync(name)) throw new UsageError(`${flag} must be mnist, fashion, mnist:K, fashion:K, an IDX file or a folder of images; "${name}" is none of these`);
  if (fs.statSync(name).isDirectory()) {
    const files = fs.readdirSync(name).filter((f) => IMAGE_FILE.test(f)).sort();
    if (!files.length) throw new WasmgenError(`${flag} ${name}: the folder holds no PNG, JPEG, BMP or GIF file`, 1);
    const { dataset, skipped } = await wg.loadImageFiles(files.map((f) => ({ name: f, bytes: readFile(path.join(name, f), 'image') })),
      { size: fit.size ?? 28, channels: fit.channels ?? 1, name: path.basename(path.resolve(name)) });
    for (const k of skipped) console.error(`wasmgen: skipped ${path.join(name, k.name)}: ${k.reason} (${k.message})`);
    return dataset;
  }
  return wg.loadIdxDataset(readFile(name, 'dataset'), labels ? readFile(labels, 'labels') : null, path.basename(name));
}

const isFolder = (name) => !/^(mnist|fashion)(:\d+)?$/.test(name) && fs.existsSync(name) && fs.statSync(name).isDirectory();

/** Domains A and B of a two-domain model: a folder takes the other domain's size and channels. */
async function openDomains(wg, o, fit) {
  const folderA = isFolder(o.dataset);
  let a = folderA ? null : await openDataset(wg, o.dataset, o.labels, 'train', fit);
  const b = await openDataset(wg, o['dataset-b'], null, 'train', a ? { size: a.height, channels: a.channels } : fit, '--dataset-b');
  a ??= await openDataset(wg, o.dataset, o.labels, 'train', { size: b.height, channels: b.channels });
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    const what = (d) => `${d.height}x${d.width} ${d.channels === 1 ? 'grey' : 'RGB'}`;
    a.dispose(); b.dispose();
    throw new WasmgenError(`the two domains differ: A (${o.dataset}) is ${what(a)}, B (${o['dataset-b']}) is ${what(b)}; ` +
      'use domains of one size and channel count (a folder of images is decoded to the other domain\'s)', 1);
  }
  return [a, b];
}

async function train(args) {
  const o = parse(args, {
    model: { type: 'string' }, dataset: { type: 'string', default: 'mnist' }, labels: { type: 'string' },
    'dataset-b': { type: 'string' }, size: { type: 'string' },
    steps: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string', default: '64' },
    seed: { type: 'string' }, lr: { type: 'string' }, latent: { type: 'string' }, classes: { type: 'string' }, config: { type: 'string' },
    augment: { type: 'string' },
    resume: { type: 'string' }, save: { type: 'string' }, samples: { type: 'string' }, json: { type: 'boolean' },
  });
  if (o.steps !== undefined && o.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  if (o.resume && o.config) throw new UsageError('--resume continues a saved run with its own config; drop --config');
  if (!o.resume && !o.model && !o.config) throw new UsageError('train needs --model MODEL (or --config FILE, or --resume FILE)');
  const steps = number('steps', o.steps, { integer: true, min: 1 });
  const epochs = number('epochs', o.epochs, { min: 0 });
  if (epochs === 0) throw new UsageError('--epochs must be > 0');
  const batch = number('batch', o.batch, { integer: true, min: 2 });
  const size = number('size', o.size, { integer: true, min: 1 });

  const wg = await openWasmgen();
  const familyOf = (preset) => wg.families.find((f) => f.presets.some((p) => p.name === preset));
  let model;
  // The model options a command line may set, as config values.
  const flags = {};
  if (o.model !== undefined) {
    if (!presetNames(wg).includes(o.model)) throw new UsageError(`unknown --model "${o.model}" (expected ${presetNames(wg).join(', ')})`);
    flags.model = o.model;
  }
  if (o.seed !== undefined) flags.seed = number('seed', o.seed, { integer: true, min: 0 });
  if (o.lr !== undefined) flags.lr = number('lr', o.lr);
  if (o.latent !== undefined) flags.latent = number('latent', o.latent, { integer: true, min: 1 });
  if (o.classes !== undefined) flags.classes = number('classes', o.classes, { integer: true, min: 2 });
  if (o.augment !== undefined) flags.augment = o.augment;
  if (o.resume) {
    model = wg.loadModel(readFile(o.resume, 'checkpoint'));
    // Flags that repeat the checkpoint's values are fine; ones that would change the run are not.
    const differ = Object.entries(flags).filter(([key, value]) => (model.config[key] ?? (key === 'augment' ? '' : undefined)) !== value);
    if (differ.length) {
      model.dispose();
      throw new UsageError(`--resume continues ${o.resume} with its own config; these flags differ from it: ` +
        differ.map(([key, value]) => `--${key} ${value} (checkpoint: ${model.config[key] ?? 'none'})`).join(', '));
    }
  } else {
    let config = {};
    if (o.config) {
      try { config = JSON.parse(readFile(o.config, 'config')); } catch (e) {
        if (e instanceof WasmgenError) throw e;
        throw new WasmgenError(`config ${o.config} is not valid JSON: ${e.message}`, 1);
      }
    }
    Object.assign(config, flags);
    const two = familyOf(config.model)?.capabilities.two_domains;
    if (two && !o['dataset-b']) throw new UsageError(`--model ${config.model} translates between two domains: give --dataset A and --dataset-b B`);
    const fit = { size: size ?? config.height, channels: config.channels };
    const [dataset0, datasetB0] = two ? await openDomains(wg, o, fit) : [await openDataset(wg, o.dataset, o.labels, 'train', fit)];
    config.height ??= dataset0.height; config.width ??= dataset0.width; config.channels ??= dataset0.channels;
    dataset0.dispose(); datasetB0?.dispose();
    model = wg.createModel(config);
  }
  const two = model.capabilities.two_domains;
  if (!two && o['dataset-b']) throw new UsageError(`--dataset-b is the second domain of a two-domain model; ${model.preset} trains on one dataset`);
  if (two && !o['dataset-b']) throw new UsageError(`${model.preset} translates between two domains: give --dataset A and --dataset-b B`);
  const fit = { size: model.height, channels: model.channels };
  const [dataset, datasetB] = two ? await openDomains(wg, o, fit) : [await openDataset(wg, o.dataset, o.labels, 'train', fit)];

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const reporter = new ProgressReporter(process.stderr, { json: o.json });
  let result;
  try {
    result = await model.train(dataset, {
      steps, epochs: steps === undefined ? (epochs ?? undefined) : undefined, batch, datasetB,
      signal: controller.signal, onProgress: (p) => reporter.update(p),
      onGuard: (g) => reporter.note(`guard: ${g.skipped} step(s) with non-finite losses or gradients skipped so far` +
        (g.rollbacks ? `; rolled back ${g.rollbacks} time(s) to the last good weights, learning rate now ${g.lr.toPrecision(3)}` : '')),
    });
  } finally {
    process.off('SIGINT', onSigint);
    reporter.finish();
  }
  // Save even when stopped early: trained work is never thrown away.
  if (o.save) writeAtomic(o.save, model.save());
  if (o.samples && model.capabilities.sample) {
    // Conditional models: one row per class (up to 10 classes); otherwise an 8x8 grid.
    const rows = model.capabilities.classes ? Math.min(model.classes, 10) : 8, cols = model.capabilities.classes ? 10 : 8;
    const labels = model.capabilities.classes ? Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols)) : undefined;
    writeAtomic(o.samples, encodePng(toGrid(model.sample(rows * cols, { seed: 0, labels }), { cols })));
  }
  const summary = {
    model: model.config.model, dataset: dataset.name, ...(datasetB ? { datasetB: datasetB.name } : {}), steps: result.done, step: model.step, epoch: model.epoch,
    batch, seconds: +result.seconds.toFixed(3), imagesPerSec: +result.imagesPerSec.toFixed(1), threads: wg.threads,
    losses: result.losses, guard: result.guard, stopped: result.stopped, saved: o.save ?? null, samples: o.samples ?? null,
  };
  if (model.description.eval.length && (o.dataset === 'mnist' || o.dataset === 'fashion')) {
    const test = await wg.loadDataset(o.dataset, { split: 'test' });
    summary.test = model.evaluate(test);
    test.dispose();
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    const losses = Object.entries(summary.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
    console.log(`${summary.stopped ? 'stopped' : 'trained'} ${model.config.model} for ${summary.steps} steps (now at step ${summary.step}) in ${summary.seconds}s, ${summary.imagesPerSec} images/s (${wg.engine}); ${losses}`);
    if (summary.test) console.log(`on the test split: ${Object.entries(summary.test).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
    if (o.save) console.log(`saved ${o.save}`);
    if (o.samples) console.log(`wrote ${o.samples}`);
  }
  model.dispose();
  dataset.dispose();
  datasetB?.dispose();
  return result.stopped ? 130 : 0;
}

/** translate --load M [--direction ab|ba] IN OUT: an image to an image, or a folder to a folder. */
async function translate(args) {
  const o = parse(args, { load: { type: 'string' }, direction: { type: 'string', default: 'ab' } }, { positionals: true });
  if (!o.load) throw new UsageError('translate needs --load model.safetensors');
  if (o._.length !== 2) throw new UsageError('translate needs IN OUT (two image files, or two folders)');
  if (o.direction !== 'ab' && o.direction !== 'ba') throw new UsageError(`--direction must be ab (A to B) or ba (B to A), got "${o.direction}"`);
  const [input, output] = o._;
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  try {
    if (!model.capabilities.translate) {
      const which = wg.families.filter((f) => f.capabilities.translate).flatMap((f) => f.presets.map((p) => p.name)).join(', ');
      throw new UsageError(`${o.load} holds a ${model.preset}, which does not translate images (${which} do)`);
    }
    if (!fs.existsSync(input)) throw new WasmgenError(`translate: ${input} does not exist`, 1);
    const one = async (from, to) => writeImage(wg.core, to, model.translate((await readForModel(wg, model, from)).data, { direction: o.direction }));
    if (!fs.statSync(input).isDirectory()) {
      await one(input, output);
      console.log(`translated ${input} (${o.direction}) to ${output}`);
      return 0;
    }
    const files = fs.readdirSync(input).filter((f) => IMAGE_FILE.test(f)).sort();
    if (!files.length) throw new WasmgenError(`translate: the folder ${input} holds no PNG, JPEG, BMP or GIF file`, 1);
    fs.mkdirSync(output, { recursive: true });
    let done = 0;
    for (const f of files) {
      try { await one(path.join(input, f), path.join(output, f)); done++; } catch (e) {
        if (!(e instanceof WasmgenError)) throw e;
        console.error(`wasmgen: skipped ${path.join(input, f)}: ${e.message}`);
      }
    }
    if (!done) throw new WasmgenError(`translate: no usable image in ${input}`, 2);
    console.log(`translated ${done} of ${files.length} images from ${input} (${o.direction}) into ${output}`);
    return 0;
  } finally {
    model.dispose();
  }
}

/** "0-9", "1,3,5" or "2-4,7" -> [0, 1, ..., 9] etc. */
function parseClassList(text, classes) {
  const list = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--labels must list classes like 0-9 or 1,3,5; got "${text}"`);
    const a = +m[1], b = m[2] === undefined ? a : +m[2];
    if (b < a) throw new UsageError(`--labels: range ${part.trim()} runs backwards`);
    for (let k = a; k <= b; k++) list.push(k);
  }
  const bad = list.find((k) => k >= classes);
  if (bad !== undefined) throw new UsageError(`--labels: class ${bad} is out of range: the model has classes 0..${classes - 1}`);
  return list;
}

async function sample(args) {
  const o = parse(args, {
    load: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string', default: '0' },
    cols: { type: 'string' }, out: { type: 'string' }, label: { type: 'string' }, labels: { type: 'string' },
    truncation: { type: 'string', default: '0' },
  });
  if (!o.load) throw new UsageError('sample needs --load model.safetensors');
  if (!o.out) throw new UsageError('sample needs --out grid.png');
  if (o.label !== undefined && o.labels !== undefined) throw new UsageError('give --label K or --labels LIST, not both');
  const n = number('n', o.n, { integer: true, min: 1 });
  const seed = number('seed', o.seed, { integer: true, min: 0 });
  let cols = number('cols', o.cols, { integer: true, min: 1 });
  const truncation = number('truncation', o.truncation, { min: 0 });
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  if (!model.capabilities.sample) throw new UsageError(`${o.load} holds a ${model.preset}, which does not generate images`);
  const conditional = model.capabilities.classes;
  if (!conditional && (o.label !== undefined || o.labels !== undefined)) {
    throw new UsageError(`${o.load} holds an unconditional ${model.preset}; --label/--labels need a conditional model (${conditionalPresets(wg).join(', ')})`);
  }
  if (conditional && o.label === undefined && o.labels === undefined) {
    throw new UsageError(`${o.load} holds a conditional ${model.preset}: give --label K (0..${model.classes - 1}) or --labels 0-${model.classes - 1}`);
  }
  let labels, count = n ?? 64, what = '';
  if (o.label !== undefined) {
    const k = number('label', o.label, { integer: true, min: 0 });
    if (k >= model.classes) throw new UsageError(`--label ${k} is out of range: the model has classes 0..${model.classes - 1}`);
    labels = new Array(count).fill(k);
    what = ` of class ${k}`;
  } else if (o.labels !== undefined) {
    const list = parseClassList(o.labels, model.classes), perRow = n ?? 10;
    count = list.length * perRow;
    labels = list.flatMap((k) => new Array(perRow).fill(k));
    cols ??= perRow;
    what = `, one row per class ${list.join(',')}`;
  }
  writeAtomic(o.out, encodePng(toGrid(model.sample(count, { seed, labels, truncation }), { cols })));
  console.log(`wrote ${count} samples${what} of ${model.preset} (step ${model.step}) to ${o.out}`);
  return 0;
}

async function onnx(args) {
  const o = parse(args, { load: { type: 'string' }, role: { type: 'string' }, out: { type: 'string' } });
  if (!o.load || !o.out) throw new UsageError('onnx needs --load model.safetensors and --out net.onnx');
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  try {
    const roles = onnxRoles(model.description);
    if (o.role !== undefined && !roles.some((r) => r.role === o.role)) {
      throw new UsageError(`--role ${o.role}: ${o.load} holds a ${model.preset}, which exports ${roles.length ? roles.map((r) => r.role).join(' or ') : 'no net'}`);
    }
    const bytes = exportOnnx(model, { role: o.role });
    writeAtomic(o.out, bytes);
    const role = o.role ?? roles[0].role, what = roles.find((r) => r.role === role);
    console.log(`wrote ${role}${what.direction ? ` (${what.direction === 'ab' ? 'A to B' : 'B to A'})` : ''} of ${model.preset} (step ${model.step}) to ${o.out} (${bytes.length} bytes)`);
    return 0;
  } finally {
    model.dispose();
  }
}

async function info(args) {
  const o = parse(args, { load: { type: 'string' } });
  if (!o.load) throw new UsageError('info needs --load model.safetensors');
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  const d = model.description;
  console.log(JSON.stringify({
    model: d.preset, family: d.family, step: model.step, epoch: model.epoch, capabilities: d.capabilities,
    nets: d.nets.map((net) => ({ role: net.role, parameters: net.params })), losses: model.lossNames, config: model.config,
  }, null, 2));
  return 0;
}

const COMMANDS = { train, sample, translate, onnx, info, eval: evalCommand, ...IMAGE_COMMANDS };

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(await usageText());
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(takeThreadsOption(rest));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`wasmgen: ${e.message}\n\n${await usageText()}`);
      return 2;
    }
    if (e instanceof WasmgenError) {
      console.error(`wasmgen: error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
