// synthesis.js — making new images from old ones and from trained models.
//
//   blend(core, a, b, { mask, pyramid: true })        // Laplacian-pyramid fusion (C core)
//   fillDiffusion(core, img, mask)                     // classical inpainting from the border
//   inpaint(model, img, mask, { iterations: 20 })      // VAE: encode, decode, keep known pixels
//   denoise(model, img, { threshold: 0.7 })            // VAE: replace pixels it disagrees with
//   interpolate(model, { z0, z1, steps: 8, spherical: true })  // tween strip of latents
//   psnr(a, b, { mask })                               // quality, optionally on masked pixels
//
// Images are { data: Float32Array (n, C, H, W) in [0, 1], n, channels, height, width }; masks are
// Float32Array (H, W) with 1 where pixels are unknown (inpainting) or taken from `a` (blending).
import { WasmgenError } from './core.js';

function checkSameShape(a, b, what) {
  if (a.channels !== b.channels || a.height !== b.height || a.width !== b.width || a.data.length !== b.data.length) {
    throw new WasmgenError(`${what}: images differ in size (${a.channels}x${a.height}x${a.width} vs ${b.channels}x${b.height}x${b.width})`, 1);
  }
}
function checkMask(mask, img, what) {
  if (!(mask instanceof Float32Array) || mask.length !== img.height * img.width) {
    throw new WasmgenError(`${what}: the mask must be a Float32Array of ${img.height}x${img.width} values`, 1);
  }
}

/** Runs fn with the given Float32Arrays copied into the wasm heap; returns what fn returns. */
function withFloats(core, arrays, fn) {
  return core.scoped((heap) => fn(...arrays.map((a) => (a ? heap.floats(a) : 0))));
}

/** Blend of one image pair: mask (1 = a) or constant alpha; pyramid: multi-scale, seamless. */
export function blend(core, a, b, { mask = null, alpha = 0.5, pyramid = false, levels = 0 } = {}) {
  checkSameShape(a, b, 'blend');
  if (mask) checkMask(mask, a, 'blend');
  if (pyramid && !mask) throw new WasmgenError('blend: a pyramid blend needs a mask', 1);
  const { channels: C, height: H, width: W } = a, size = C * H * W;
  const data = new Float32Array(a.data.length);
  for (let k = 0; k < a.data.length / size; k++) {
    const part = withFloats(core, [a.data.subarray(k * size, (k + 1) * size), b.data.subarray(k * size, (k + 1) * size), mask, new Float32Array(size)],
      (pa, pb, pm, po) => {
        core.check(core.exports.wg_api_blend(po, pa, pb, pm, alpha, pyramid ? levels : -1, C, H, W));
        return core.f32.slice(po >> 2, (po >> 2) + size);
      });
    data.set(part, k * size);
  }
  return { ...a, data };
}

/** Classical fill: masked pixels become the solution of Laplace's equation from their border. */
export function fillDiffusion(core, img, mask, { iterations = 500 } = {}) {
  checkMask(mask, img, 'fill');
  const { channels: C, height: H, width: W } = img, size = C * H * W;
  const data = new Float32Array(img.data);
  for (let k = 0; k < img.n; k++) {
    const part = withFloats(core, [data.subarray(k * size, (k + 1) * size), mask], (pi, pm) => {
      core.check(core.exports.wg_api_fill_diffusion(pi, pm, iterations, C, H, W));
      return core.f32.slice(pi >> 2, (pi >> 2) + size);
    });
    data.set(part, k * size);
  }
  return { ...img, data };
}

function requireVae(model, what) {
  if (!model.capabilities?.encode) throw new WasmgenError(`${what} needs a VAE (a model that encodes images); this model is a ${model.preset}`, 4);
  if (model.capabilities.classes) throw new WasmgenError(`${what} works with unconditional VAEs; a ${model.preset} needs the class of each image`, 4);
}

/**
 * VAE inpainting: start from the classical fill, then repeat encode -> decode (mean) and put the
 * known pixels back; the model's prior fills the hole with something that fits the rest.
 */
export function inpaint(model, img, mask, { iterations = 20 } = {}) {
  requireVae(model, 'inpaint');
  checkMask(mask, img, 'inpaint');
  let x = fillDiffusion(model.core, img, mask);
  const plane = img.height * img.width, size = img.channels * plane;
  for (let it = 0; it < iterations; it++) {
    const rec = model.decode(model.encode(x.data).mu).data;
    const next = new Float32Array(x.data);
    for (let i = 0; i < next.length; i++) if (mask[(i % size) % plane] >= 0.5) next[i] = rec[i];
    x = { ...x, data: next };
  }
  return x;
}

/**
 * VAE denoising, made for outlier noise (salt and pepper, specks, scratches): pixels that differ
 * from the model's reconstruction by more than `threshold` count as corrupted and are replaced by
 * it, the others keep their values; repeated `iterations` times, each time reconstructing the
 * last result and comparing with the original input. threshold 0 with 1 iteration is the plain
 * projection decode(encode(img).mu).
 */
export function denoise(model, img, { threshold = 0.7, iterations = 3 } = {}) {
  requireVae(model, 'denoise');
  if (!(threshold >= 0 && threshold <= 1)) throw new WasmgenError(`denoise: threshold must be in [0, 1], got ${threshold}`, 1);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100) throw new WasmgenError(`denoise: iterations must be a whole number in [1, 100], got ${iterations}`, 1);
  let x = img;
  for (let it = 0; it < iterations; it++) {
    const rec = model.decode(model.encode(x.data).mu).data;
    x = { ...img, data: img.data.map((v, i) => (Math.abs(v - rec[i]) > threshold ? rec[i] : v)) };
  }
  return x;
}

/** Points between two latent vectors: linear, or spherical (slerp, better for Gaussian latents). */
export function interpolateLatents(z0, z1, steps, { spherical = false } = {}) {
  if (z0.length !== z1.length) throw new WasmgenError('interpolate: latents differ in length', 1);
  if (!Number.isInteger(steps) || steps < 2 || steps > 1024) throw new WasmgenError(`interpolate: steps must be a whole number in [2, 1024], got ${steps}`, 1);
  const n = z0.length, out = new Float32Array(steps * n);
  let omega = 0;
  if (spherical) {
    let dot = 0, n0 = 0, n1 = 0;
    for (let i = 0; i < n; i++) { dot += z0[i] * z1[i]; n0 += z0[i] ** 2; n1 += z1[i] ** 2; }
    omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(n0 * n1 || 1))));
  }
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    let w0 = 1 - t, w1 = t;
    if (spherical && omega > 1e-6 && s > 0 && s < steps - 1) {   // endpoints stay exactly z0, z1
      w0 = Math.sin((1 - t) * omega) / Math.sin(omega);
      w1 = Math.sin(t * omega) / Math.sin(omega);
    }
    for (let i = 0; i < n; i++) out[s * n + i] = w0 * z0[i] + w1 * z1[i];
  }
  return out;
}

/**
 * A tween strip from the model: between latents z0 and z1, or (VAE) between two images through
 * the encoder's means. Endpoints are exactly decode(z0) and decode(z1).
 */
export function interpolate(model, { z0, z1, from, to, steps = 8, spherical = false, labels } = {}) {
  if (from || to) {
    requireVae(model, 'interpolating between images');
    z0 = model.encode(from.data).mu;
    z1 = model.encode(to.data).mu;
  }
  if (!z0 || !z1) throw new WasmgenError('interpolate: give latents z0 and z1, or images from and to', 1);
  // A conditional model keeps one class (a number) along the strip.
  return model.decode(interpolateLatents(z0, z1, steps, { spherical }), labels === undefined ? {} : { labels });
}

/** Peak signal-to-noise ratio in dB for images in [0, 1], over all pixels or the masked ones. */
export function psnr(a, b, { mask = null } = {}) {
  checkSameShape(a, b, 'psnr');
  const plane = a.height * a.width, size = a.channels * plane;
  let se = 0, count = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (mask && mask[(i % size) % plane] < 0.5) continue;
    se += (a.data[i] - b.data[i]) ** 2;
    count++;
  }
  if (!count) throw new WasmgenError('psnr: the mask selects no pixels', 1);
  const mse = se / count;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}
