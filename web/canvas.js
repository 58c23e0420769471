// canvas.js — what the page's views share: painting RGBA grids from the worker onto canvases and
// downloading a blob under a file name.
//
//   paint(canvas, { width, height, data });   // data: RGBA bytes (Uint8ClampedArray or its buffer)
//   download(blob, 'samples.png');
//   downloadSideBySide([a, b], 'views.png', { gap: 8, background: '#ffffff' });

const SMALL = 128;   // canvases below this many pixels tall are marked .small: scaled up crisply

export function paint(canvas, grid) {
  canvas.width = grid.width;
  canvas.height = grid.height;
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(grid.data.buffer ?? grid.data), grid.width, grid.height), 0, 0);
  canvas.classList.add('painted');
  canvas.classList.toggle('small', grid.height < SMALL);
}

export function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

/** Canvases side by side in one PNG (at their own pixel sizes, top-aligned on `background`). */
export function downloadSideBySide(canvases, name, { gap = 8, background = '#ffffff' } = {}) {
  let out = canvases[0];
  if (canvases.length > 1) {
    out = document.createElement('canvas');
    out.width = canvases.reduce((w, c) => w + c.width, 0) + gap * (canvases.length - 1);
    out.height = Math.max(...canvases.map((c) => c.height));
    const ctx = out.getContext('2d');
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, out.width, out.height);
    let x = 0;
    for (const c of canvases) { ctx.drawImage(c, x, 0); x += c.width + gap; }
  }
  out.toBlob((blob) => download(blob, name), 'image/png');
}
