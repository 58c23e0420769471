// imagefile.js — image files out for the image tools and the CLI: PNG (fast-png, via png.js) or
// JPEG (stb_image_write in the core). Decoding and transforms live in imageops.js (no npm imports,
// so the page's worker can load them); they are re-exported here for Node callers.
//
//   const img = decodeImage(core, fs.readFileSync('a.png'), { channels: 3 });  // Images, n = 1
//   fs.writeFileSync('out.jpg', encodeImage(core, img, { format: 'jpeg', quality: 90 }));
import { WasmgenError } from './core.js';
import { toGrid } from './image.js';
import { encodePng } from './png.js';

export { decodeImage, transformImage, augmentImages, fitImage, imageChannels } from './imageops.js';

/**
 * PNG or JPEG bytes of the first image, or with `cols` of all n images as a grid of that many
 * columns (2 px apart).
 */
export function encodeImage(core, images, { format = 'png', quality = 92, cols = 0 } = {}) {
  const grid = cols ? toGrid(images, { cols, pad: 2 }) : toGrid({ ...images, n: 1 }, { cols: 1, pad: 0 });
  if (format === 'png') return encodePng(grid);
  if (format !== 'jpeg') throw new WasmgenError(`unknown image format "${format}" (png or jpeg)`, 1);
  return core.scoped((heap) => {
    const src = heap.bytes(new Uint8Array(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength)), p = heap.malloc(8);
    core.check(core.exports.wg_api_encode_jpeg(src, grid.width, grid.height, quality, p, p + 4));
    const ptr = core.u32[p >> 2], len = core.u32[(p >> 2) + 1];
    const bytes = core.u8.slice(ptr, ptr + len);
    core.free(ptr);
    return bytes;
  });
}

/** Format from a file name: .jpg/.jpeg -> 'jpeg', anything else 'png'. */
export function formatOf(file) {
  return /\.jpe?g$/i.test(file) ? 'jpeg' : 'png';
}
