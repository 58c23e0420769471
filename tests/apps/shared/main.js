import { createTrainer } from 'wasmgen/worker';

const status = (text) => { document.getElementById('status').textContent = text; };

/** Paints `n` samples from the model onto a canvas as one RGBA grid. */
async function drawSamples(trainer, canvas) {
  const grid = await trainer.sampleGrid(16, { seed: 7 });
  canvas.width = grid.width;
  canvas.height = grid.height;
  canvas.getContext('2d').putImageData(new ImageData(grid.data, grid.width, grid.height), 0, 0);
}

try {
  const trainer = createTrainer({ onProgress: (p) => status(`step ${p.step}`) });
  await trainer.init();
  await trainer.loadDataset('mnist');
  await trainer.createModel({ model: 'vae', latent: 8, seed: 1 });
  await drawSamples(trainer, document.getElementById('before'));
  await trainer.train({ steps: 40, batch: 32 });
  await drawSamples(trainer, document.getElementById('after'));
  const { point } = await trainer.measureQuality();   // FID etc. of 500 samples vs shipped MNIST statistics
  document.title = `FID ${point.fid.toFixed(1)}`;
  status('done');
} catch (e) {
  status(`error: ${e.message}`);
}
