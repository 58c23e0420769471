// image.js — turning model outputs (float images in [0, 1], (N, C, H, W)) into things people see.
//
//   const grid = toGrid(model.sample(64), { cols: 8 });   // { width, height, data: RGBA bytes }
//   ctx.putImageData(new ImageData(grid.data, grid.width, grid.height), 0, 0);
//   pixelStats(images)                                     // { mean, ink } for evaluation
//
// No imports: pages and workers load this file as it is (PNG encoding lives in png.js).

/** Lays out n images in a grid of `cols` columns with `pad` pixels between them, as RGBA bytes. */
export function toGrid({ data, n, channels, height, width }, { cols, pad = 2, background = 32 } = {}) {
  cols = cols ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const W = cols * width + (cols + 1) * pad, H = rows * height + (rows + 1) * pad;
  const out = new Uint8ClampedArray(W * H * 4);
  for (let i = 0; i < out.length; i += 4) { out[i] = out[i + 1] = out[i + 2] = background; out[i + 3] = 255; }
  const plane = height * width;
  for (let k = 0; k < n; k++) {
    const x0 = pad + (k % cols) * (width + pad), y0 = pad + Math.floor(k / cols) * (height + pad);
    const base = k * plane * channels;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = ((y0 + y) * W + x0 + x) * 4, p = base + y * width + x;
        if (channels === 1) {
          out[o] = out[o + 1] = out[o + 2] = Math.round(data[p] * 255);
        } else {
          for (let c = 0; c < 3; c++) out[o + c] = Math.round(data[p + c * plane] * 255);
        }
      }
    }
  }
  return { width: W, height: H, data: out };
}

/**
 * Pixel statistics used to judge generated images against data: mean intensity, fraction of
 * "ink" pixels (> 0.5) and the mean per-image standard deviation (contrast; 0 for blank images).
 */
export function pixelStats({ data, n }) {
  let sum = 0, ink = 0, contrast = 0;
  const size = data.length / n;
  for (let k = 0; k < n; k++) {
    let s = 0, s2 = 0;
    for (let i = k * size; i < (k + 1) * size; i++) {
      const v = data[i];
      s += v; s2 += v * v;
      if (v > 0.5) ink++;
    }
    sum += s;
    const m = s / size;
    contrast += Math.sqrt(Math.max(0, s2 / size - m * m));
  }
  return { mean: sum / data.length, ink: ink / data.length, contrast: contrast / n };
}

/** Float images in [0, 1] from a dataset's uint8 images (first `n`, or the given indices). */
export function datasetImages(dataset, { n = 64, indices } = {}) {
  const idx = indices ?? Array.from({ length: Math.min(n, dataset.length) }, (_, i) => i);
  const size = dataset.imageSize;
  const data = new Float32Array(idx.length * size);
  idx.forEach((i, k) => {
    const img = dataset.image(i);
    for (let p = 0; p < size; p++) data[k * size + p] = img[p] / 255;
  });
  return { data, n: idx.length, channels: dataset.channels, height: dataset.height, width: dataset.width };
}
