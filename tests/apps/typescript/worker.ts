// The worker client as a strict TypeScript (nodenext) app sees it.
import { createTrainer, type Trainer, type RgbaGrid, type TrainResult, type DatasetInfo, type ModelInfo } from 'wasmgen/worker';

export async function run(canvas: HTMLCanvasElement): Promise<TrainResult> {
  const trainer: Trainer = createTrainer({ onProgress: (p) => console.log(p.step, p.imagesPerSec), onRestart: (why: string) => console.warn(why) });
  const { simd } = await trainer.init();
  const data: DatasetInfo = await trainer.loadDataset('mnist');
  const info: ModelInfo = await trainer.createModel({ model: 'vae', latent: 8, seed: 1 });
  const result = await trainer.train({ steps: 10, batch: 32, onProgress: (p) => p.losses });
  await trainer.pause();
  await trainer.resume();
  await trainer.stop();
  const grid: RgbaGrid = await trainer.sampleGrid(16, { seed: 7, cols: 4 });
  canvas.getContext('2d')?.putImageData(new ImageData(grid.data, grid.width, grid.height), 0, 0);
  const bytes: Uint8Array = await trainer.save();
  await trainer.loadModel(bytes);
  const tool = await trainer.setToolSource(0, { kind: 'dataset', index: 3 });
  const { figures, note } = await trainer.runTool('transform', { ops: 'flip:h' });
  console.log(simd, data.length, info.latent, tool.imageWidth, figures[0].caption, note);
  // @ts-expect-error: not a tool
  await trainer.runTool('sharpen');
  // @ts-expect-error: the dataset is 'mnist' or 'fashion'
  await trainer.loadDataset('cifar');
  return result;
}
