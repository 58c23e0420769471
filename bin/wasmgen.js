#!/usr/bin/env node
// wasmgen — command-line front end of the wasmgen package (Node >= 20).
//
//   wasmgen train --model gan --dataset mnist --steps 2000 --save gan.safetensors --samples gan.png
//   wasmgen sample --load gan.safetensors --n 64 --seed 3 --out grid.png
//   wasmgen info --load gan.safetensors
import fs from 'node:fs';
import path from 'node:path';
import { toGrid, encodePng, WasmgenError } from '../wasm/index.js';
import { ProgressReporter } from './progress.js';
import { UsageError, number, parse, writeAtomic, readFile, openWasmgen, takeThreadsOption } from './cli-util.js';
import { IMAGE_COMMANDS, IMAGE_USAGE } from './image-commands.js';

const USAGE = `usage:
  wasmgen train --model gan|vae|dcgan|convvae --dataset mnist|fashion|IMAGES.idx[.gz] [--labels LABELS.idx[.gz]]
                [--steps N | --epochs E] [--batch 64] [--seed S] [--lr X] [--latent N]
                [--augment flip,rotate:15,crop:24]
                [--config model.json] [--resume model.safetensors]
                [--save model.safetensors] [--samples grid.png] [--json]
  wasmgen sample --load model.safetensors [--n 64] [--seed S] [--cols C] --out grid.png
  wasmgen info --load model.safetensors
${IMAGE_USAGE}
  wasmgen help
Every command takes --threads N (default: the machine's cores, at most 4; 1 = single-thread
build). Results are the same bits for any thread count.

train prints a progress bar on a terminal (a plain line every few steps otherwise) to stderr,
and a summary to stdout (one JSON line with --json). Ctrl-C stops training and still saves.`;

const MODELS = ['gan', 'vae', 'dcgan', 'convvae'];

async function openDataset(wg, name, labels, split = 'train') {
  if (name === 'mnist' || name === 'fashion') return wg.loadDataset(name, { split });
  if (!fs.existsSync(name)) throw new UsageError(`--dataset must be mnist, fashion or an IDX file; "${name}" is none of these`);
  return wg.loadIdxDataset(readFile(name, 'dataset'), labels ? readFile(labels, 'labels') : null, path.basename(name));
}

async function train(args) {
  const o = parse(args, {
    model: { type: 'string' }, dataset: { type: 'string', default: 'mnist' }, labels: { type: 'string' },
    steps: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string', default: '64' },
    seed: { type: 'string' }, lr: { type: 'string' }, latent: { type: 'string' }, config: { type: 'string' },
    augment: { type: 'string' },
    resume: { type: 'string' }, save: { type: 'string' }, samples: { type: 'string' }, json: { type: 'boolean' },
  });
  if (o.steps !== undefined && o.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
  if (o.resume && (o.model || o.config || o.lr || o.latent || o.seed || o.augment)) {
    throw new UsageError('--resume continues a saved run with its own config; drop --model/--config/--lr/--latent/--seed/--augment');
  }
  if (!o.resume && !o.model && !o.config) throw new UsageError('train needs --model gan|vae|dcgan|convvae (or --config FILE, or --resume FILE)');
  const steps = number('steps', o.steps, { integer: true, min: 1 });
  const epochs = number('epochs', o.epochs, { min: 0 });
  if (epochs === 0) throw new UsageError('--epochs must be > 0');
  const batch = number('batch', o.batch, { integer: true, min: 2 });

  const wg = await openWasmgen();
  let model;
  if (o.resume) {
    model = wg.loadModel(readFile(o.resume, 'checkpoint'));
  } else {
    let config = {};
    if (o.config) {
      try { config = JSON.parse(readFile(o.config, 'config')); } catch (e) {
        if (e instanceof WasmgenError) throw e;
        throw new WasmgenError(`config ${o.config} is not valid JSON: ${e.message}`, 1);
      }
    }
    if (o.model) {
      if (!MODELS.includes(o.model)) throw new UsageError(`unknown --model "${o.model}" (expected ${MODELS.join(', ')})`);
      config.model = o.model;
    }
    if (o.seed !== undefined) config.seed = number('seed', o.seed, { integer: true, min: 0 });
    if (o.lr !== undefined) config.lr = number('lr', o.lr);
    if (o.latent !== undefined) config.latent = number('latent', o.latent, { integer: true, min: 1 });
    if (o.augment !== undefined) config.augment = o.augment;
    const dataset0 = await openDataset(wg, o.dataset, o.labels);
    config.height ??= dataset0.height; config.width ??= dataset0.width; config.channels ??= dataset0.channels;
    dataset0.dispose();
    model = wg.createModel(config);
  }
  const dataset = await openDataset(wg, o.dataset, o.labels);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const reporter = new ProgressReporter(process.stderr, { json: o.json });
  let result;
  try {
    result = await model.train(dataset, {
      steps, epochs: steps === undefined ? (epochs ?? undefined) : undefined, batch,
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
  if (o.samples) writeAtomic(o.samples, encodePng(toGrid(model.sample(64, { seed: 0 }), { cols: 8 })));
  const summary = {
    model: model.config.model, dataset: dataset.name, steps: result.done, step: model.step, epoch: model.epoch,
    batch, seconds: +result.seconds.toFixed(3), imagesPerSec: +result.imagesPerSec.toFixed(1), threads: wg.threads,
    losses: result.losses, guard: result.guard, stopped: result.stopped, saved: o.save ?? null, samples: o.samples ?? null,
  };
  if (model.kind === 'vae' && (o.dataset === 'mnist' || o.dataset === 'fashion')) {
    const test = await wg.loadDataset(o.dataset, { split: 'test' });
    summary.test = model.evaluate(test);
    test.dispose();
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    const losses = Object.entries(summary.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
    console.log(`${summary.stopped ? 'stopped' : 'trained'} ${model.config.model} for ${summary.steps} steps (now at step ${summary.step}) in ${summary.seconds}s, ${summary.imagesPerSec} images/s (${wg.engine}); ${losses}`);
    if (summary.test) console.log(`test loss per image: ${summary.test.loss.toFixed(2)} (recon ${summary.test.recon.toFixed(2)}, KL ${summary.test.kl.toFixed(2)})`);
    if (o.save) console.log(`saved ${o.save}`);
    if (o.samples) console.log(`wrote ${o.samples}`);
  }
  model.dispose();
  dataset.dispose();
  return result.stopped ? 130 : 0;
}

async function sample(args) {
  const o = parse(args, {
    load: { type: 'string' }, n: { type: 'string', default: '64' }, seed: { type: 'string', default: '0' },
    cols: { type: 'string' }, out: { type: 'string' },
  });
  if (!o.load) throw new UsageError('sample needs --load model.safetensors');
  if (!o.out) throw new UsageError('sample needs --out grid.png');
  const n = number('n', o.n, { integer: true, min: 1 });
  const seed = number('seed', o.seed, { integer: true, min: 0 });
  const cols = number('cols', o.cols, { integer: true, min: 1 });
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  writeAtomic(o.out, encodePng(toGrid(model.sample(n, { seed }), { cols })));
  console.log(`wrote ${n} samples of ${model.kind} (step ${model.step}) to ${o.out}`);
  return 0;
}

async function info(args) {
  const o = parse(args, { load: { type: 'string' } });
  if (!o.load) throw new UsageError('info needs --load model.safetensors');
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  console.log(JSON.stringify({ kind: model.kind, step: model.step, epoch: model.epoch, parameters: model.parameterCounts, config: model.config }, null, 2));
  return 0;
}

const COMMANDS = { train, sample, info, ...IMAGE_COMMANDS };

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(takeThreadsOption(rest));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`wasmgen: ${e.message}\n\n${USAGE}`);
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
