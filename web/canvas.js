// canvas.js — what the page's views share: painting RGBA grids from the worker onto canvases and
// downloading a blob under a file name.
//
//   paint(canvas, { width, height, data });   // data: RGBA bytes (Uint8ClampedArray or its buffer)
//   download(blob, 'samples.png');

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
