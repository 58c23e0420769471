// image-commands.js — the CLI's image tools: transform, augment, blend, inpaint, denoise, interpolate.
// Inputs are PNG, JPEG, BMP or GIF; outputs PNG, or JPEG when the name ends in .jpg/.jpeg.
import path from 'node:path';
import { blend, inpaint, denoise, interpolate, fillDiffusion } from '../wasm/node.js';
import { decodeImage, encodeImage, formatOf, transformImage, augmentImages, fitImage } from '../wasm/imagefile.js';
import { gaussian } from '../wasm/random.js';
import { UsageError, number, parse, writeAtomic, readFile, openWasmgen, takeThreadsOption } from './cli-util.js';

export const IMAGE_USAGE = `  wasmgen transform IN OUT --ops "flip:h,rotate:30,blur:1.5,crop:X,Y,W,H,resize:W,H" [--seed S] [--grey]
  wasmgen augment IN OUT --ops "flip,rotate:15,crop:24" [--n 8] [--seed S] [--grey]
  wasmgen blend A B OUT [--alpha 0.5 | --mask M [--pyramid] [--levels L]] [--grey]
  wasmgen inpaint --load vae.safetensors IN MASK OUT [--iterations 20] [--classical]
  wasmgen denoise --load vae.safetensors IN OUT [--threshold 0.7] [--iterations 3] | --classical [--sigma 1] [--grey]
  wasmgen interpolate --load model.safetensors [A B] [--steps 8] [--seed S] [--spherical] OUT`;

function readImage(core, file, channels) {
  return decodeImage(core, readFile(file, 'image'), { channels, name: path.basename(file) });
}

/** PNG, or JPEG for .jpg/.jpeg; with cols, all images as a grid. */
export function writeImage(core, file, images, cols = 0) {
  writeAtomic(file, encodeImage(core, images, { format: formatOf(file), cols }));
}

/** A mask image as weights in [0, 1] per pixel (white = 1), fitted to the size of `like`. */
function readMask(core, file, like) {
  return fitImage(core, readImage(core, file, 1), { height: like.height, width: like.width }).data;
}

/** Square image at the model's size for the model-based tools (centre crop + resize in the core). */
export async function readForModel(wg, model, file) {
  let loaded;
  try {
    loaded = await wg.loadImageFiles([{ name: path.basename(file), bytes: readFile(file, 'image') }],
      { size: model.height, channels: model.channels });
  } catch (e) {
    if (e.skipped?.length) e.message = `${path.basename(file)}: ${e.skipped[0].reason}: ${e.skipped[0].message}`;
    throw e;
  }
  const { dataset } = loaded;
  try {
    const size = dataset.imageSize, img = dataset.image(0), data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = img[i] / 255;
    return { data, n: 1, channels: model.channels, height: model.height, width: model.width };
  } finally { dataset.dispose(); }
}

async function transformCommand(args) {
  const o = parse(args, { ops: { type: 'string' }, seed: { type: 'string', default: '0' }, grey: { type: 'boolean' } }, { positionals: true });
  if (o._.length !== 2) throw new UsageError('transform needs IN OUT');
  if (!o.ops) throw new UsageError('transform needs --ops, e.g. --ops "flip:h,rotate:30,resize:64,64"');
  const seed = number('seed', o.seed, { integer: true, min: 0 });
  const wg = await openWasmgen();
  const img = readImage(wg.core, o._[0], o.grey ? 1 : 3);
  const out = transformImage(wg.core, img, o.ops, { seed });
  writeImage(wg.core, o._[1], out);
  console.log(`wrote ${o._[1]} (${img.width}x${img.height} -> ${out.width}x${out.height})`);
  return 0;
}

/** A strip of `n` random draws of a training augmentation chain: what `--augment` feeds a model. */
async function augmentCommand(args) {
  const o = parse(args, { ops: { type: 'string' }, n: { type: 'string', default: '8' }, seed: { type: 'string', default: '0' }, grey: { type: 'boolean' } }, { positionals: true });
  if (o._.length !== 2) throw new UsageError('augment needs IN OUT');
  if (!o.ops) throw new UsageError('augment needs --ops, e.g. --ops "flip,rotate:15,crop:24"');
  const n = number('n', o.n, { integer: true, min: 1 });
  if (n > 256) throw new UsageError('--n must be at most 256');
  const seed = number('seed', o.seed, { integer: true, min: 0 });
  const wg = await openWasmgen();
  const img = readImage(wg.core, o._[0], o.grey ? 1 : 3);
  const draws = augmentImages(wg.core, img, o.ops, { seed, draws: n });
  writeImage(wg.core, o._[1], draws, Math.min(n, 8));
  console.log(`wrote ${o._[1]} (${n} draws of "${o.ops}", seed ${seed})`);
  return 0;
}

async function blendCommand(args) {
  const o = parse(args, { alpha: { type: 'string' }, mask: { type: 'string' }, pyramid: { type: 'boolean' }, levels: { type: 'string' }, grey: { type: 'boolean' } }, { positionals: true });
  if (o._.length !== 3) throw new UsageError('blend needs A B OUT');
  if (o.alpha !== undefined && o.mask) throw new UsageError('give --alpha or --mask, not both');
  if (o.pyramid && !o.mask) throw new UsageError('--pyramid needs --mask');
  const alpha = number('alpha', o.alpha ?? '0.5');
  if (alpha < 0 || alpha > 1) throw new UsageError('--alpha must be in [0, 1]');
  const wg = await openWasmgen();
  const channels = o.grey ? 1 : 3;
  const a = readImage(wg.core, o._[0], channels), given = readImage(wg.core, o._[1], channels);
  // B (and the mask) take A's size: the largest centred crop of A's shape, resized.
  const b = fitImage(wg.core, given, { height: a.height, width: a.width });
  if (b !== given) console.error(`B is ${given.width}x${given.height}: fitted to A's ${a.width}x${a.height} (centre crop + resize)`);
  const mask = o.mask ? readMask(wg.core, o.mask, a) : null;
  const out = blend(wg.core, a, b, { alpha, mask, pyramid: !!o.pyramid, levels: number('levels', o.levels ?? '0', { integer: true, min: 0 }) });
  writeImage(wg.core, o._[2], out);
  console.log(`wrote ${o._[2]} (${o.pyramid ? 'pyramid' : mask ? 'mask' : `alpha ${alpha}`} blend, ${a.width}x${a.height})`);
  return 0;
}

async function inpaintCommand(args) {
  const o = parse(args, { load: { type: 'string' }, iterations: { type: 'string', default: '20' }, classical: { type: 'boolean' } }, { positionals: true });
  if (!o.load) throw new UsageError('inpaint needs --load vae.safetensors');
  if (o._.length !== 3) throw new UsageError('inpaint needs IN MASK OUT');
  const iterations = number('iterations', o.iterations, { integer: true, min: 0 });
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  if (!model.capabilities.encode) throw new UsageError(`inpaint needs a VAE checkpoint (a model that encodes); ${o.load} holds a ${model.preset}`);
  const img = await readForModel(wg, model, o._[0]);
  const maskImg = await readForModel(wg, { ...model, channels: 1 }, o._[1]);
  const mask = maskImg.data.map((v) => (v >= 0.5 ? 1 : 0));
  const out = o.classical ? fillDiffusion(wg.core, img, mask) : inpaint(model, img, mask, { iterations });
  writeImage(wg.core, o._[2], out);
  console.log(`wrote ${o._[2]} (${o.classical ? 'diffusion fill' : `VAE inpainting, ${iterations} iterations`}, ${model.width}x${model.height})`);
  return 0;
}

async function denoiseCommand(args) {
  const o = parse(args, { load: { type: 'string' }, classical: { type: 'boolean' }, sigma: { type: 'string', default: '1' },
    threshold: { type: 'string', default: '0.7' }, iterations: { type: 'string', default: '3' }, grey: { type: 'boolean' } }, { positionals: true });
  if (o._.length !== 2) throw new UsageError('denoise needs IN OUT');
  if (!o.load && !o.classical) throw new UsageError('denoise needs --load vae.safetensors (or --classical for a Gaussian blur)');
  if (o.load && o.classical) throw new UsageError('give --load (VAE) or --classical (Gaussian blur), not both');
  const sigma = number('sigma', o.sigma);
  if (!(sigma > 0 && sigma <= 100)) throw new UsageError(`--sigma must be in (0, 100], got "${o.sigma}"`);
  const threshold = number('threshold', o.threshold, { min: 0 });
  const iterations = number('iterations', o.iterations, { integer: true, min: 1 });
  const wg = await openWasmgen();
  let out, how;
  if (o.classical) {
    out = transformImage(wg.core, readImage(wg.core, o._[0], o.grey ? 1 : 3), `blur:${sigma}`);
    how = `Gaussian blur, sigma ${sigma}`;
  } else {
    const model = wg.loadModel(readFile(o.load, 'checkpoint'));
    if (!model.capabilities.encode) throw new UsageError(`denoise needs a VAE checkpoint (a model that encodes); ${o.load} holds a ${model.preset}`);
    out = denoise(model, await readForModel(wg, model, o._[0]), { threshold, iterations });
    how = `VAE, ${model.width}x${model.height}, threshold ${threshold}`;
  }
  writeImage(wg.core, o._[1], out);
  console.log(`wrote ${o._[1]} (${how})`);
  return 0;
}

async function interpolateCommand(args) {
  const o = parse(args, { load: { type: 'string' }, steps: { type: 'string', default: '8' }, seed: { type: 'string', default: '0' }, spherical: { type: 'boolean' } }, { positionals: true });
  if (!o.load) throw new UsageError('interpolate needs --load model.safetensors');
  if (o._.length !== 1 && o._.length !== 3) throw new UsageError('interpolate needs OUT, or A B OUT');
  const steps = number('steps', o.steps, { integer: true, min: 2 });
  const seed = number('seed', o.seed, { integer: true, min: 0 });
  const wg = await openWasmgen();
  const model = wg.loadModel(readFile(o.load, 'checkpoint'));
  let strip;
  if (o._.length === 3) {
    if (!model.capabilities.encode) throw new UsageError(`interpolating between images needs a model that encodes (a VAE); give only OUT for a ${model.preset}`);
    strip = interpolate(model, { from: await readForModel(wg, model, o._[0]), to: await readForModel(wg, model, o._[1]), steps, spherical: !!o.spherical });
  } else {
    // Two latent vectors from the seed (wasm/random.js), as the page's Interpolate tool draws them.
    strip = interpolate(model, { z0: gaussian(seed, model.latent), z1: gaussian(seed + 1, model.latent), steps, spherical: !!o.spherical });
  }
  const out = o._.at(-1);
  writeImage(wg.core, out, strip, steps);
  console.log(`wrote ${out} (${steps}-step ${o.spherical ? 'spherical' : 'linear'} interpolation)`);
  return 0;
}

export const IMAGE_COMMANDS = { transform: transformCommand, augment: augmentCommand, blend: blendCommand, inpaint: inpaintCommand, denoise: denoiseCommand, interpolate: interpolateCommand };
