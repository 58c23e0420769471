// The Node API as a strict TypeScript (nodenext) app sees it; the @ts-expect-error lines must stay
// errors, so types that decayed to `any` fail this check.
import { init, toGrid, encodePng, WasmgenError, type Model, type Progress, type Images } from 'wasmgen';

const wg = await init({ fresh: true });
const data = await wg.loadDataset('mnist', { split: 'test' });
const model: Model = wg.createModel({ model: 'gan', latent: 16, seed: 3 });
const progress: Progress = await model.train(data, { steps: 2, batch: 16, chunkMs: 50 });
const images: Images = model.sample(4, { seed: 1 });
const png: Uint8Array = encodePng(toGrid(images, { cols: 2 }));
const lossNames: string[] = Object.keys(progress.losses);
const compiled: WebAssembly.Module = new WebAssembly.Module(new Uint8Array(0));
await init({ wasmModule: compiled }).catch((e: unknown) => e instanceof WasmgenError);
console.log(png.length, lossNames);

// @ts-expect-error: the model kind is one of the presets
wg.createModel({ model: 'transformer' });
// @ts-expect-error: sample takes a count
model.sample('4');
// @ts-expect-error: steps is a number
await model.train(data, { steps: '2' });
