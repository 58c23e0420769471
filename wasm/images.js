// images.js — a Dataset from people's own image files (PNG, JPEG, BMP, GIF), decoded in wasm.
//
// Decoding is stb_image inside the core (src/imageio.c), so pages, workers and Node share one
// hardened decoder: each file is centre-cropped to a square and resized to size x size, grey or
// RGB. Files that cannot be used are skipped and reported, never fatal unless all are.
//
//   const { dataset, skipped } = await loadImageFiles(core, input.files, { size: 28, channels: 1 });
//   for (const s of skipped) console.log(`${s.name}: ${s.reason} (${s.message})`);
//   // in Node: loadImageFiles(core, [{ name: 'a.png', bytes: fs.readFileSync('a.png') }])

import { WasmgenError } from './core.js';
import { Dataset } from './data.js';

/** Why a file was skipped, indexed by the core's wg_image_problem. */
export const SKIP_REASONS = [null, 'unsupported', 'corrupt', 'too large'];

/** Files above this are refused before being read (a training image needs far less). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

async function fileBytes(file) {
  // Blobs are read; note that Blob.prototype.bytes is a method in newer browsers, not our field.
  if (typeof Blob !== 'undefined' && file instanceof Blob) return new Uint8Array(await file.arrayBuffer());
  return file.bytes instanceof Uint8Array ? file.bytes : new Uint8Array(file.bytes);
}

/**
 * Decodes `files` (File/Blob objects with a name, or { name, bytes }) into one Dataset of
 * size x size images with `channels` 1 (grey) or 3 (RGB). Resolves to { dataset, skipped } where
 * skipped lists { name, reason: 'unsupported' | 'corrupt' | 'too large', message }. Throws a
 * WasmgenError (with .skipped) when no file is usable. onProgress({ done, total }) follows along.
 */
export async function loadImageFiles(core, files, { size = 28, channels = 1, name = 'images', onProgress } = {}) {
  if (!Number.isInteger(size) || size < 1 || size > 1024) throw new WasmgenError(`image size must be a whole number in [1, 1024], got ${size}`, 1);
  if (channels !== 1 && channels !== 3) throw new WasmgenError(`channels must be 1 (grey) or 3 (RGB), got ${channels}`, 1);
  const list = Array.from(files);
  const imageBytes = size * size * channels;
  const decoded = [];
  const skipped = [];
  const out = core.malloc(imageBytes);
  let info = 0;
  try {
    info = core.malloc(16);
    for (const [i, file] of list.entries()) {
      const fileName = file.webkitRelativePath || file.name || `file ${i + 1}`;
      const byteLength = file.size ?? file.bytes.byteLength;
      if (byteLength > MAX_FILE_BYTES) {
        skipped.push({ name: fileName, reason: 'too large', message: `${(byteLength / 2 ** 20).toFixed(0)} MB is over the ${MAX_FILE_BYTES / 2 ** 20} MB limit per file` });
      } else {
        const bytes = await fileBytes(file);
        const input = core.allocBytes(bytes);
        try {
          const status = core.exports.wg_api_image_load(input, bytes.length, size, channels, out, info);
          if (status === 0) {
            decoded.push(core.u8.slice(out, out + imageBytes));
          } else {
            const problem = core.i32[(info >> 2) + 3];
            if (!SKIP_REASONS[problem]) core.check(status);   // not the file's fault: a real error
            skipped.push({ name: fileName, reason: SKIP_REASONS[problem], message: core.lastError() });
          }
        } finally { core.free(input); }
      }
      onProgress?.({ done: i + 1, total: list.length });
    }
  } finally { core.free(out); core.free(info); }

  if (decoded.length === 0) {
    const error = new WasmgenError(list.length === 0 ? 'no files were given'
      : `none of the ${list.length} files is a usable image (${summarise(skipped)})`, 2);
    error.skipped = skipped;
    throw error;
  }
  const handle = core.checkHandle(core.exports.wg_api_dataset_create(decoded.length, size, size, channels, 0));
  const dataset = new Dataset(core, handle, name);
  decoded.forEach((pixels, k) => core.u8.set(pixels, dataset.pixelsPtr + k * imageBytes));
  return { dataset, skipped };
}

/** "2 corrupt, 1 unsupported" */
export function summarise(skipped) {
  const counts = new Map();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}
