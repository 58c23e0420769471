// imagefile.js — image files in and out for the image tools (transform, blend, inpaint):
// decoding keeps the file's size (stb_image in the core, the same hardened path as datasets),
// encoding writes PNG (fast-png, via png.js) or JPEG (stb_image_write in the core).
//
//   const img = decodeImage(core, fs.readFileSync('a.png'), { channels: 3 });  // Images, n = 1
//   fs.writeFileSync('out.jpg', encodeImage(core, img, { format: 'jpeg', quality: 90 }));
//   augmentImages(core, img, 'flip,rotate:15', { seed: 1 })                   // training's random chain
import { WasmgenError } from './core.js';
import { toGrid } from './image.js';
import { encodePng } from './png.js';

const PROBLEMS = [null, 'unsupported', 'corrupt', 'too large'];

/** Decodes PNG, JPEG, BMP or GIF bytes into { data (C, H, W) in [0, 1], n: 1, channels, height, width }. */
export function decodeImage(core, bytes, { channels = 3, name = 'image' } = {}) {
  if (channels !== 1 && channels !== 3) throw new WasmgenError(`channels must be 1 or 3, got ${channels}`, 1);
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const src = core.allocBytes(u8);
  try {
    return core.withBuffer(16, (p) => {
      const status = core.exports.wg_api_image_decode(src, u8.length, channels, p, p + 4);
      const [w, h, problem] = core.i32.subarray((p + 4) >> 2, ((p + 4) >> 2) + 3);
      if (status) throw new WasmgenError(`${name}: ${PROBLEMS[problem] ? `${PROBLEMS[problem]}: ` : ''}${core.lastError()}`, status);
      const out = core.u32[p >> 2];
      const data = core.f32.slice(out >> 2, (out >> 2) + channels * w * h);
      core.free(out);
      return { data, n: 1, channels, height: h, width: w };
    });
  } finally { core.free(src); }
}

/** PNG or JPEG bytes of the first image. */
export function encodeImage(core, images, { format = 'png', quality = 92 } = {}) {
  const grid = toGrid({ ...images, n: 1 }, { cols: 1, pad: 0 });
  if (format === 'png') return encodePng(grid);
  if (format !== 'jpeg') throw new WasmgenError(`unknown image format "${format}" (png or jpeg)`, 1);
  const src = core.allocBytes(new Uint8Array(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength));
  try {
    return core.withBuffer(8, (p) => {
      core.check(core.exports.wg_api_encode_jpeg(src, grid.width, grid.height, quality, p, p + 4));
      const ptr = core.u32[p >> 2], len = core.u32[(p >> 2) + 1];
      const bytes = core.u8.slice(ptr, ptr + len);
      core.free(ptr);
      return bytes;
    });
  } finally { core.free(src); }
}

/**
 * Applies a fixed chain of transforms, in order (see README: flip:h, rotate:30, blur:1.5,
 * crop:X,Y,W,H, resize:W,H, ...), to each image; sizes may change. seed drives `noise`.
 */
export function transformImage(core, images, ops, { seed = 0 } = {}) {
  const { channels: C, height: H, width: W } = images, size = C * H * W;
  const results = [];
  for (let k = 0; k < images.n; k++) {
    const text = core.allocString(String(ops));
    const input = core.malloc(size * 4);
    try {
      core.f32.set(images.data.subarray(k * size, (k + 1) * size), input >> 2);
      results.push(core.withBuffer(12, (p) => {
        core.check(core.exports.wg_api_transform(text, input, C, H, W, seed, p, p + 4));
        const out = core.u32[p >> 2], [h, w] = core.i32.subarray((p + 4) >> 2, ((p + 4) >> 2) + 2);
        const data = core.f32.slice(out >> 2, (out >> 2) + C * h * w);
        core.free(out);
        return { data, h, w };
      }));
    } finally { core.free(text); core.free(input); }
  }
  const { h, w } = results[0];
  const data = new Float32Array(images.n * C * h * w);
  results.forEach((r, k) => data.set(r.data, k * C * h * w));
  return { data, n: images.n, channels: C, height: h, width: w };
}

/**
 * The training reading of a chain (`config.augment`, e.g. "flip,rotate:15,crop:24"): returns the
 * images augmented at random, sizes kept, the same draws for the same seed — a preview of what
 * training sees.
 */
export function augmentImages(core, images, ops, { seed = 0 } = {}) {
  const { channels: C, height: H, width: W, n } = images;
  const text = core.allocString(String(ops));
  const ptr = core.malloc(images.data.length * 4);
  try {
    core.f32.set(images.data, ptr >> 2);
    core.check(core.exports.wg_api_augment(text, ptr, n, C, H, W, seed));
    return { data: core.f32.slice(ptr >> 2, (ptr >> 2) + images.data.length), n, channels: C, height: H, width: W };
  } finally { core.free(text); core.free(ptr); }
}

/** Format from a file name: .jpg/.jpeg -> 'jpeg', anything else 'png'. */
export function formatOf(file) {
  return /\.jpe?g$/i.test(file) ? 'jpeg' : 'png';
}
