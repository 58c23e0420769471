// image-tools.js — the image tools the worker (worker.js) runs for trainer.setToolSource/runTool
// and the page's tools panel. Two source slots (A and B) hold a dataset image or an uploaded file; each tool runs the core's transforms or synthesis on them and answers
// with captioned figures (RGBA grids ready for canvas) and a note. Model tools (inpainting,
// denoising, interpolation through an encoder) work at the model's image size; the rest at image
// A's own size. They follow the model's capabilities: encode gives the encoder tools; translate
// gives translation (image A from domain A to B or B to A, and back); classes means
// the image's class is passed (known for dataset images; a file has none, so a conditional
// encoder is left out for it, and the note says why).
//
//   const tools = new ImageTools(core);
//   tools.setSource(0, { kind: 'dataset', index: 5 }, dataset);        // -> preview figure
//   tools.setSource(1, { kind: 'file', name: 'cat.png', bytes }, dataset);
//   tools.run('inpaint', { iterations: 20 }, mask, { model, dataset });  // -> { figures, note }

import { decodeImage, transformImage, augmentImages, fitImage } from './imageops.js';
import { blend, fillDiffusion, inpaint, denoise, interpolate, interpolateLatents, psnr } from './synthesis.js';
import { toGrid, datasetImages } from './image.js';
import { gaussian, uniforms } from './random.js';

const MAX_SIDE = 512;       // uploads are scaled down to this, so the tools answer in about a second
const MAX_UPLOAD_PIXELS = 16 << 20;   // refused from the header: decoding more would fill the heap
const AUGMENT_DRAWS = 8;

function figure(caption, images, cols = images.n) {
  const g = toGrid(images, { cols, pad: images.n > 1 ? 2 : 0, background: 24 });
  return { caption, width: g.width, height: g.height, data: g.data };
}

const dB = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} dB` : 'exact');

/** A mask image (1 channel, H x W) shown as white on black. */
const maskImage = (mask, { height, width }) => ({ data: mask, n: 1, channels: 1, height, width });

export class ImageTools {
  constructor(core) {
    this.core = core;
    this.sources = [null, null];   // { img: Images (n = 1), label, klass: its class or null }
  }

  /** Loads a source into slot 0 (A) or 1 (B); returns its preview figure and size. */
  setSource(slot, source, dataset) {
    if (slot !== 0 && slot !== 1) throw new Error(`no image slot ${slot}`);
    let img, label, klass = null;
    if (source.kind === 'dataset') {
      if (!dataset) throw new Error('no dataset is loaded to take an image from');
      const index = Number(source.index);
      if (!Number.isInteger(index) || index < 0 || index >= dataset.length) {
        throw new Error(`image number must be a whole number from 0 to ${dataset.length - 1}, got ${source.index}`);
      }
      img = datasetImages(dataset, { indices: [index] });
      label = `${dataset.name} #${index}`;
      klass = dataset.labels()?.[index] ?? null;
    } else if (source.kind === 'file') {
      img = decodeImage(this.core, new Uint8Array(source.bytes), { channels: 3, name: source.name, maxPixels: MAX_UPLOAD_PIXELS });
      const { width: w, height: h } = img;
      if (Math.max(w, h) > MAX_SIDE) {
        const s = MAX_SIDE / Math.max(w, h);
        img = fitImage(this.core, img, { height: Math.max(1, Math.round(h * s)), width: Math.max(1, Math.round(w * s)) });
      }
      if (isGrey(img)) img = fitImage(this.core, img, { height: img.height, width: img.width, channels: 1 });
      label = `${source.name}${img.width !== w ? ` (${w}×${h}, shown at ${img.width}×${img.height})` : ''}`;
    } else {
      throw new Error(`unknown image source "${source.kind}"`);
    }
    this.sources[slot] = { img, label, klass };
    return { ...figure(label, img), imageWidth: img.width, imageHeight: img.height, channels: img.channels };
  }

  /**
   * Runs a tool on the sources; `mask` is { width, height, data: Float32Array } in image A's
   * pixels (1 = marked); the model (or null) and the dataset give the training image size.
   */
  run(tool, options, mask, { model = null, dataset = null } = {}) {
    const a = this.#source(0, 'A');
    switch (tool) {
      case 'transform': return this.#transform(a, options);
      case 'augment': return this.#augment(a, options, model ?? dataset);
      case 'blend': return this.#blend(a, this.#source(1, 'B'), options, mask);
      case 'inpaint': return this.#inpaint(a, options, mask, model);
      case 'denoise': return this.#denoise(a, options, model);
      case 'interpolate': return this.#interpolate(a, options, model);
      case 'translate': return this.#translate(a, options, model);
      default: throw new Error(`unknown image tool "${tool}"`);
    }
  }

  #source(slot, name) {
    const s = this.sources[slot];
    if (!s) throw new Error(`choose image ${name} first (a dataset image or a file)`);
    return s;
  }

  #transform(a, { ops, seed = 0 }) {
    if (!String(ops ?? '').trim()) throw new Error('write the operations to apply, e.g. flip:h,rotate:30,blur:1.5');
    const out = transformImage(this.core, a.img, ops, { seed });
    return {
      figures: [figure(`before · ${a.img.width}×${a.img.height}`, a.img), figure(`after · ${out.width}×${out.height}`, out)],
      note: `Applied in order: ${ops}`,
    };
  }

  #augment(a, { ops, seed = 0 }, training) {
    if (!String(ops ?? '').trim()) throw new Error('set an augmentation chain first (Model settings), e.g. flip,rotate:15,crop:24');
    // At the training size: crop:24 means 24 of the model's pixels, not of a large upload's.
    const img = training ? this.#forModel(a, training) : a.img;
    const out = augmentImages(this.core, img, ops, { seed, draws: AUGMENT_DRAWS });
    return {
      figures: [figure(`original · ${img.width}×${img.height}`, img), figure(`${AUGMENT_DRAWS} random draws (seed ${seed})`, out)],
      note: `What training with augmentation "${ops}" can feed the model; Run again draws anew.`,
    };
  }

  #blend(a, b, { mode = 'alpha', alpha = 0.5 }, mask) {
    const B = fitImage(this.core, b.img, { height: a.img.height, width: a.img.width, channels: a.img.channels });
    const figures = [figure('A', a.img), figure(B === b.img ? 'B' : 'B, fitted to A', B)];
    if (mode === 'alpha') {
      const value = Number(alpha);
      if (!(value >= 0 && value <= 1)) throw new Error(`alpha must be between 0 and 1, got ${alpha}`);
      figures.push(figure(`${Math.round(value * 100)}% A + ${Math.round((1 - value) * 100)}% B`, blend(this.core, a.img, B, { alpha: value })));
      return { figures, note: 'A constant mix of the two images.' };
    }
    const m = this.#maskAt(mask, a.img, a.img, { binary: false });
    figures.push(
      figure('mask (white: A)', maskImage(m, a.img)),
      figure('masked alpha blend', blend(this.core, a.img, B, { mask: m })),
      figure('Laplacian-pyramid blend', blend(this.core, a.img, B, { mask: m, pyramid: true })),
    );
    return { figures, note: 'The pyramid blend mixes coarse detail over a wide band and fine detail over a narrow one, so the seam disappears.' };
  }

  /**
   * The model's encoder for these sources, with the labels a conditional one needs:
   * { vae, cond } or { vae: null, why } (why: a sentence for the note).
   */
  #encoder(model, ...sources) {
    if (!model?.capabilities.encode) {
      return { vae: null, why: `${model ? `This ${model.preset} model cannot encode images: t` : 'T'}rain or load a VAE to compare` };
    }
    if (!model.capabilities.classes) return { vae: model, cond: {} };
    if (sources.some((s) => s.klass === null)) {
      return { vae: null, why: `This ${model.preset} model needs each image's class, which only dataset images have: pick a dataset image to compare` };
    }
    return { vae: model, cond: { labels: sources[0].klass } };
  }

  #inpaint(a, { iterations = 20 }, mask, model) {
    const { vae, cond, why } = this.#encoder(model, a);
    const truth = vae ? this.#forModel(a, vae) : a.img;
    const hole = this.#maskAt(mask, a.img, truth, { binary: true });
    const masked = { ...truth, data: truth.data.map((v, i) => (hole[i % hole.length] ? 0 : v)) };
    const score = (img) => dB(psnr(truth, img, { mask: hole }));
    const figures = [figure('original', truth), figure(`masked · ${score(masked)}`, masked)];
    const filled = fillDiffusion(this.core, masked, hole);
    figures.push(figure(`diffusion fill · ${score(filled)}`, filled));
    let note = 'PSNR on the masked pixels against the original (higher is better).';
    if (vae) {
      const n = Number(iterations);
      if (!Number.isInteger(n) || n < 1 || n > 200) throw new Error(`iterations must be a whole number from 1 to 200, got ${iterations}`);
      const repaired = inpaint(vae, masked, hole, { iterations: n, ...cond });
      figures.push(figure(`VAE inpainting · ${score(repaired)}`, repaired));
    } else {
      note += ` ${why} VAE inpainting.`;
    }
    return { figures, note };
  }

  #denoise(a, { noise = 'saltpepper', amount = 0.2, threshold = 0.7, seed = 0 }, model) {
    const { vae, cond, why } = this.#encoder(model, a);
    const truth = vae ? this.#forModel(a, vae) : a.img;
    const level = Number(amount);
    if (!(level >= 0 && level <= 1)) throw new Error(`noise amount must be between 0 and 1, got ${amount}`);
    let noisy;
    if (noise === 'saltpepper') {   // one draw per pixel, all its channels: black or white specks
      const u = uniforms(seed + 1), plane = truth.height * truth.width;
      const draws = Float64Array.from({ length: plane }, () => u());
      noisy = { ...truth, data: truth.data.map((v, i) => { const r = draws[i % plane]; return r < level / 2 ? 0 : r < level ? 1 : v; }) };
    } else if (noise === 'gaussian') {
      noisy = transformImage(this.core, truth, `noise:${level}`, { seed });
    } else {
      throw new Error(`unknown noise "${noise}" (saltpepper or gaussian)`);
    }
    const score = (img) => dB(psnr(truth, img));
    const blurred = transformImage(this.core, noisy, 'blur:1');
    const figures = [figure('original', truth), figure(`noisy · ${score(noisy)}`, noisy), figure(`Gaussian blur σ 1 · ${score(blurred)}`, blurred)];
    if (vae) {
      const clean = denoise(vae, noisy, { threshold: Number(threshold), iterations: Number(threshold) > 0 ? 3 : 1, ...cond });
      figures.push(figure(`VAE denoised · ${score(clean)}`, clean));
    }
    return { figures, note: `PSNR against the original over all pixels.${vae ? '' : ` ${why} VAE denoising.`}` };
  }

  #interpolate(a, { steps = 8, spherical = false, seed = 1 }, model) {
    if (!model) throw new Error('interpolation needs a model: press Start (or load a checkpoint) first');
    if (!model.capabilities.sample) throw new Error(`a ${model.preset} model does not generate images, so it cannot interpolate`);
    const n = Number(steps);
    if (!Number.isInteger(n) || n < 2 || n > 32) throw new Error(`steps must be a whole number from 2 to 32, got ${steps}`);
    const how = spherical ? 'spherical' : 'linear';
    const b = this.sources[1];
    const { vae, why } = b ? this.#encoder(model, a, b) : { vae: null, why: '' };
    if (vae) {
      const from = this.#forModel(a, model), to = this.#forModel(b, model);
      const strip = vae.capabilities.classes ? this.#classTween(vae, from, a.klass, to, b.klass, n, spherical)
        : interpolate(vae, { from, to, steps: n, spherical });
      return {
        figures: [figure('A', from), figure(`${n} steps, ${how}, through the encoder`, strip), figure('B', to)],
        note: 'The ends are the decoder\'s versions of A and B; between them, decoded points on the line between their latent codes.',
      };
    }
    const klass = model.capabilities.classes ? (a.klass ?? 0) : undefined;
    const strip = interpolate(model, { z0: gaussian(seed, model.latent), z1: gaussian(seed + 1, model.latent), steps: n, spherical, labels: klass });
    const kept = klass === undefined ? '' : `, class ${klass}`;
    return {
      figures: [figure(`${n} steps, ${how}, between two random latents (seed ${seed}${kept})`, strip)],
      note: why ? `${why} interpolation through the encoder; this tween runs between random latent vectors.`
        : model.capabilities.encode ? 'Choose image B to interpolate between A and B.'
          : `This ${model.preset} model cannot encode images, so its tween runs between random latent vectors.`,
    };
  }

  /** A translating model (CycleGAN): image A at the model's size, translated, and translated back. */
  #translate(a, { direction = 'ab' }, model) {
    if (!model) throw new Error('translation needs a model that translates (CycleGAN): choose one, pick its two domains and press Start (or load a checkpoint)');
    if (!model.capabilities.translate) throw new Error(`a ${model.preset} model does not translate images (a CycleGAN does)`);
    if (direction !== 'ab' && direction !== 'ba') throw new Error(`direction must be 'ab' (A to B) or 'ba' (B to A), got ${JSON.stringify(direction)}`);
    const [from, to] = direction === 'ab' ? ['A', 'B'] : ['B', 'A'];
    const input = this.#forModel(a, model);
    const there = model.translate(input.data, { direction });
    const back = model.translate(there.data, { direction: direction === 'ab' ? 'ba' : 'ab' });
    return {
      figures: [figure(`input as domain ${from} · ${input.width}×${input.height}`, input), figure(`translated to ${to}`, there),
        figure(`back to ${from} · ${dB(psnr(input, back))}`, back)],
      note: `Image A fitted to the model's ${input.width}×${input.height}${input.channels === 3 ? ' RGB' : ' grey'}, translated from domain ${from} to ${to} by G_${from}${to}, then back by G_${to}${from} (PSNR of the round trip against the input).`,
    };
  }

  /** Conditional encoder: each image encoded with its own class; latents and classes move together. */
  #classTween(model, from, fromClass, to, toClass, steps, spherical) {
    const z = interpolateLatents(model.encode(from.data, { labels: fromClass }).mu, model.encode(to.data, { labels: toClass }).mu, steps, { spherical });
    const weights = new Float32Array(steps * model.classes);
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      weights[s * model.classes + fromClass] += 1 - t;
      weights[s * model.classes + toClass] += t;
    }
    return model.decode(z, { classWeights: weights });
  }

  /** A source at the model's (or dataset's) image size and colour mode. */
  #forModel(source, { height, width, channels }) {
    return fitImage(this.core, source.img, { height, width, channels });
  }

  /**
   * The page's mask, drawn on A, taken to `target` the way A was (the same centre crop and
   * resize); binary: 1 where at least a quarter marked, so thin strokes survive shrinking.
   */
  #maskAt(mask, a, target, { binary }) {
    if (!mask?.data || !(mask.width > 0 && mask.height > 0) || mask.data.length !== mask.width * mask.height) {
      throw new Error('draw a mask on image A first (or pick a mask shape)');
    }
    if (mask.width !== a.width || mask.height !== a.height) {
      throw new Error(`the mask (${mask.width}×${mask.height}) was drawn for another image A (now ${a.width}×${a.height}): draw it again`);
    }
    const m = fitImage(this.core, { data: Float32Array.from(mask.data), n: 1, channels: 1, height: a.height, width: a.width },
      { height: target.height, width: target.width });
    const data = binary ? m.data.map((v) => (v >= 0.25 ? 1 : 0)) : m.data;
    if (!data.some((v) => v > 0)) throw new Error('the mask is empty: paint on image A or pick a mask shape');
    return data;
  }
}

/** Whether an RGB image's three planes are equal (a grey picture saved as colour). */
function isGrey({ data, channels, height, width }) {
  if (channels !== 3) return channels === 1;
  const plane = height * width;
  for (let i = 0; i < plane; i++) if (data[i] !== data[plane + i] || data[i] !== data[2 * plane + i]) return false;
  return true;
}
