// Own image files -> Dataset (wasm/images.js over src/imageio.c): pixels land where they should,
// and every unusable file is skipped with its reason instead of failing the whole load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from 'fast-png';
import { getWg } from './helpers.js';

/** PNG of a w x h RGB image whose centre h x h square is `inside` and margins `outside`. */
function framedPng(w, h, inside, outside) {
  const data = new Uint8Array(w * h * 3);
  const x0 = (w - h) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set(x >= x0 && x < x0 + h ? inside : outside, (y * w + x) * 3);
  }
  return encode({ width: w, height: h, data, channels: 3, depth: 8 });
}

test('image files become a centre-cropped, resized dataset; bad files are skipped with reasons', async () => {
  const wg = await getWg();
  const good = framedPng(40, 20, [200, 100, 50], [0, 0, 0]);
  const huge = framedPng(4, 2, [1, 1, 1], [0, 0, 0]);
  new DataView(huge.buffer, huge.byteOffset).setUint32(16, 9000);   // IHDR width: 9000 x 2
  new DataView(huge.buffer, huge.byteOffset).setUint32(20, 9000);   // ... x 9000 = 81 M pixels
  const files = [
    { name: 'a.png', bytes: good },
    { name: 'notes.txt', bytes: new TextEncoder().encode('not an image') },
    { name: 'cut.png', bytes: good.slice(0, 60) },
    { name: 'huge.png', bytes: huge },
    { name: 'b.png', bytes: framedPng(10, 10, [0, 0, 0], [0, 0, 0]) },
  ];
  const progress = [];
  const { dataset, skipped } = await wg.loadImageFiles(files, { size: 8, channels: 3, onProgress: (p) => progress.push(p.done) });
  assert.deepEqual(progress, [1, 2, 3, 4, 5]);
  assert.equal(dataset.length, 2);
  assert.deepEqual([dataset.height, dataset.width, dataset.channels], [8, 8, 3]);
  const first = dataset.image(0);   // planar (C, H, W): the crop removed every black margin
  assert.ok(first.subarray(0, 64).every((v) => v === 200), 'red plane');
  assert.ok(first.subarray(64, 128).every((v) => v === 100), 'green plane');
  assert.ok(first.subarray(128).every((v) => v === 50), 'blue plane');
  assert.ok(dataset.image(1).every((v) => v === 0));
  assert.deepEqual(skipped.map((s) => [s.name, s.reason]),
    [['notes.txt', 'unsupported'], ['cut.png', 'corrupt'], ['huge.png', 'too large']]);
  assert.match(skipped[2].message, /9000x9000 pixels is too large/);
  const grey = await wg.loadImageFiles([{ name: 'a.png', bytes: good }], { size: 4, channels: 1 });
  assert.equal(grey.dataset.image(0)[0], Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50));
  dataset.dispose(); grey.dataset.dispose();
});

test('no usable image is an error that still lists every skipped file', async () => {
  const wg = await getWg();
  await assert.rejects(
    wg.loadImageFiles([{ name: 'x.webp', bytes: new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ') }, { name: 'empty.png', bytes: new Uint8Array(0) }]),
    (e) => {
      assert.equal(e.name, 'WasmgenError');
      assert.match(e.message, /none of the 2 files is a usable image \(2 unsupported\)/);
      assert.match(e.skipped[0].message, /WebP images are not supported/);
      return true;
    });
  await assert.rejects(wg.loadImageFiles([], {}), /no files were given/);
  await assert.rejects(wg.loadImageFiles([{ name: 'a', bytes: new Uint8Array(1) }], { channels: 2 }), /channels must be 1/);
});

test('augmentImages: the training chain at random, sizes kept, the same draws for the same seed', async () => {
  const wg = await getWg();
  const { augmentImages, WasmgenError } = await import('../wasm/node.js');
  const n = 64, plane = 4 * 5;
  const data = new Float32Array(n * plane);
  for (let k = 0; k < n; k++) for (let i = 0; i < plane; i++) data[k * plane + i] = (i % 5) / 4;   // ramp left -> right
  const images = { data, n, channels: 1, height: 4, width: 5 };
  const out = augmentImages(wg.core, images, 'flip', { seed: 3 });
  assert.deepEqual([out.n, out.channels, out.height, out.width], [n, 1, 4, 5]);
  let flipped = 0;
  for (let k = 0; k < n; k++) {
    const img = out.data.subarray(k * plane, (k + 1) * plane);
    const mirrored = img[0] === 1;
    for (let i = 0; i < plane; i++) assert.equal(img[i], mirrored ? 1 - (i % 5) / 4 : (i % 5) / 4);
    flipped += mirrored;
  }
  assert.ok(flipped > 16 && flipped < 48, `about half are flipped: ${flipped} of ${n}`);
  assert.deepEqual(augmentImages(wg.core, images, 'flip', { seed: 3 }).data, out.data);
  assert.notDeepEqual(augmentImages(wg.core, images, 'flip', { seed: 4 }).data, out.data);
  // draws: k copies of one image, the same as stacking them by hand.
  const one = { ...images, n: 1, data: images.data.slice(0, plane) };
  assert.deepEqual(augmentImages(wg.core, one, 'flip', { seed: 3, draws: n }).data, out.data);
  assert.throws(() => augmentImages(wg.core, images, 'spin:3'), (e) => e instanceof WasmgenError && /spin/.test(e.message));
  assert.throws(() => augmentImages(wg.core, images, 'resize:4,4'), (e) => e instanceof WasmgenError && /resize/.test(e.message));
});

test("decodeImage: maxPixels refuses a large image from its header, as the page's tools do", async () => {
  const wg = await getWg();
  const { decodeImage } = await import('../wasm/node.js');
  const bytes = encode({ width: 100, height: 60, data: new Uint8Array(100 * 60 * 3), channels: 3, depth: 8 });
  assert.equal(decodeImage(wg.core, bytes, { maxPixels: 6000 }).width, 100);
  assert.throws(() => decodeImage(wg.core, bytes, { maxPixels: 5999, name: 'big.png' }), /big\.png: too large: 100x60 is over the 5,999 pixels allowed here/);
  assert.throws(() => decodeImage(wg.core, bytes.slice(0, 20), { maxPixels: 6000, name: 'cut.png' }), /cut\.png: /);
});

test('a top-down BMP (negative height) decodes with its first row on top', async () => {
  const wg = await getWg();
  const { decodeImage } = await import('../wasm/node.js');
  const rowBytes = 8, bmp = Buffer.alloc(14 + 40 + 2 * rowBytes);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(54, 10);                  // pixel data offset
  bmp.writeUInt32LE(40, 14);                  // BITMAPINFOHEADER
  bmp.writeInt32LE(2, 18);                    // width
  bmp.writeInt32LE(-2, 22);                   // height < 0: top-down rows
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);                  // BGR
  bmp.writeUInt32LE(2 * rowBytes, 34);
  bmp.set([0, 0, 255, 0, 0, 255], 54);                // first row stored: red, red
  bmp.set([255, 0, 0, 255, 0, 0], 54 + rowBytes);     // second: blue, blue
  const img = decodeImage(wg.core, bmp, { channels: 3 });
  assert.deepEqual([img.width, img.height], [2, 2]);
  assert.deepEqual(Array.from(img.data), [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], 'red plane: top row; blue plane: bottom row');
});

test('a BMP whose pixels index past its palette is refused as corrupt (stb_image would read stack garbage)', async () => {
  const wg = await getWg();
  const { decodeImage } = await import('../wasm/node.js');
  const fs = await import('node:fs');
  const bytes = fs.readFileSync(new URL('./fuzz/regressions/image/bmp_short_palette_uninit_stack_index.bmp', import.meta.url));
  assert.throws(() => decodeImage(wg.core, bytes, { name: 'short.bmp' }), /short\.bmp: corrupt: corrupt BMP \(a pixel uses a colour its palette does not have\)/);
});
