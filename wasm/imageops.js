// imageops.js — images in and through the core's image operations, with no npm imports so the
// page's worker loads it as it is: decoding files (stb_image in the core, the same hardened path as
// datasets), fixed transform chains, training's random augmentation, and fitting an image to a
// size and colour mode.
//
//   const img = decodeImage(core, bytes, { channels: 3 });             // Images, n = 1, own size
//   transformImage(core, img, 'flip:h,rotate:30,blur:1.5')            // ops in order
//   augmentImages(core, img, 'flip,rotate:15', { seed: 1 })           // training's random chain
//   fitImage(core, img, { height: 28, width: 28, channels: 1 })       // centre crop, resize, grey
import { WasmgenError } from './core.js';

const PROBLEMS = [null, 'unsupported', 'corrupt', 'too large'];

/**
 * Decodes PNG, JPEG, BMP or GIF bytes into { data (C, H, W) in [0, 1], n: 1, channels, height,
 * width }. maxPixels refuses larger images from their header, before anything is decoded.
 */
export function decodeImage(core, bytes, { channels = 3, name = 'image', maxPixels = Infinity } = {}) {
  if (channels !== 1 && channels !== 3) throw new WasmgenError(`channels must be 1 or 3, got ${channels}`, 1);
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return core.scoped((heap) => {
    const src = heap.bytes(u8), p = heap.malloc(16);
    const fail = (status, at) => {
      const problem = core.i32[at];
      throw new WasmgenError(`${name}: ${PROBLEMS[problem] ? `${PROBLEMS[problem]}: ` : ''}${core.lastError()}`, status);
    };
    if (Number.isFinite(maxPixels)) {
      const status = core.exports.wg_api_image_probe(src, u8.length, p);
      if (status) fail(status, (p >> 2) + 3);
      const [w, h] = core.i32.subarray(p >> 2, (p >> 2) + 2);
      if (w * h > maxPixels) {
        throw new WasmgenError(`${name}: too large: ${w}x${h} is over the ${maxPixels.toLocaleString('en')} pixels allowed here`, 2);
      }
    }
    const status = core.exports.wg_api_image_decode(src, u8.length, channels, p, p + 4);
    if (status) fail(status, ((p + 4) >> 2) + 2);
    const [w, h] = core.i32.subarray((p + 4) >> 2, ((p + 4) >> 2) + 2);
    const out = core.u32[p >> 2];
    const data = core.f32.slice(out >> 2, (out >> 2) + channels * w * h);
    core.free(out);
    return { data, n: 1, channels, height: h, width: w };
  });
}

/**
 * Applies a fixed chain of transforms, in order (see README: flip:h, rotate:30, blur:1.5,
 * crop:X,Y,W,H, resize:W,H, ...), to each image; sizes may change. seed drives `noise`.
 */
export function transformImage(core, images, ops, { seed = 0 } = {}) {
  const { channels: C, height: H, width: W } = images, size = C * H * W;
  const results = [];
  for (let k = 0; k < images.n; k++) {
    results.push(core.scoped((heap) => {
      const text = heap.string(String(ops)), input = heap.floats(images.data.subarray(k * size, (k + 1) * size));
      const p = heap.malloc(12);
      core.check(core.exports.wg_api_transform(text, input, C, H, W, seed, p, p + 4));
      const out = core.u32[p >> 2], [h, w] = core.i32.subarray((p + 4) >> 2, ((p + 4) >> 2) + 2);
      const data = core.f32.slice(out >> 2, (out >> 2) + C * h * w);
      core.free(out);
      return { data, h, w };
    }));
  }
  const { h, w } = results[0];
  const data = new Float32Array(images.n * C * h * w);
  results.forEach((r, k) => data.set(r.data, k * C * h * w));
  return { data, n: images.n, channels: C, height: h, width: w };
}

/**
 * The training reading of a chain (`config.augment`, e.g. "flip,rotate:15,crop:24"): returns the
 * images augmented at random, sizes kept, the same draws for the same seed — a preview of what
 * training sees. draws > 1 augments that many copies of each image (image k's draws side by side).
 */
export function augmentImages(core, images, ops, { seed = 0, draws = 1 } = {}) {
  const { channels: C, height: H, width: W } = images, size = C * H * W;
  if (!Number.isInteger(draws) || draws < 1) throw new WasmgenError(`augment: draws must be a whole number >= 1, got ${draws}`, 1);
  const n = images.n * draws;
  let data = images.data;
  if (draws > 1) {
    data = new Float32Array(n * size);
    for (let i = 0; i < n; i++) data.set(images.data.subarray(Math.floor(i / draws) * size, (Math.floor(i / draws) + 1) * size), i * size);
  }
  return core.scoped((heap) => {
    const text = heap.string(String(ops)), ptr = heap.floats(data);
    core.check(core.exports.wg_api_augment(text, ptr, n, C, H, W, seed));
    return { data: core.f32.slice(ptr >> 2, (ptr >> 2) + data.length), n, channels: C, height: H, width: W };
  });
}

/** Grey <-> RGB: grey copies into three planes; RGB becomes luma (ITU-R BT.601 weights). */
export function imageChannels(images, channels) {
  const { data, n, channels: C, height: H, width: W } = images;
  if (C === channels) return images;
  if (![1, 3].includes(channels) || ![1, 3].includes(C)) throw new WasmgenError(`channels must be 1 or 3, got ${C} -> ${channels}`, 1);
  const plane = H * W, out = new Float32Array(n * channels * plane);
  for (let k = 0; k < n; k++) {
    const src = k * C * plane, dst = k * channels * plane;
    for (let i = 0; i < plane; i++) {
      if (channels === 3) {
        out[dst + i] = out[dst + plane + i] = out[dst + 2 * plane + i] = data[src + i];
      } else {
        out[dst + i] = 0.299 * data[src + i] + 0.587 * data[src + plane + i] + 0.114 * data[src + 2 * plane + i];
      }
    }
  }
  return { data: out, n, channels, height: H, width: W };
}

/**
 * The image at another size and colour mode: the largest centred crop of the target's aspect
 * ratio, then an area resize when shrinking (no aliasing) or bilinear when growing.
 */
export function fitImage(core, images, { height, width, channels = images.channels }) {
  let img = imageChannels(images, channels);
  if (img.height === height && img.width === width) return img;
  const scale = Math.min(img.width / width, img.height / height);
  const cw = Math.max(1, Math.min(img.width, Math.round(width * scale)));
  const ch = Math.max(1, Math.min(img.height, Math.round(height * scale)));
  const ops = [];
  if (cw !== img.width || ch !== img.height) ops.push(`centercrop:${cw},${ch}`);
  ops.push(`${cw >= width && ch >= height ? 'area' : 'resize'}:${width},${height}`);
  img = transformImage(core, img, ops.join(','));
  return img;
}
