import { init, toGrid, encodePng } from 'wasmgen';

const wg = await init();
const data = await wg.loadDataset('mnist', { split: 'test' });
const model = wg.createModel({ model: 'vae', latent: 8, seed: 1 });
const progress = await model.train(data, { steps: 20, batch: 32 });
const png = encodePng(toGrid(model.sample(16, { seed: 7 })));
console.log(JSON.stringify({ simd: wg.simd, step: progress.step, loss: progress.losses.loss, pngBytes: png.length }));
