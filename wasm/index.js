// wasmgen — train and sample small generative image models on a C core compiled to wasm SIMD.
//
//   import { init } from 'wasmgen';
//   const wg = await init();
//   const train = await wg.loadDataset('mnist', { split: 'train' });
//   const model = wg.createModel({ model: 'vae', latent: 20, seed: 1 });
//   await model.train(train, { epochs: 1, batch: 64, onProgress: (p) => console.log(p.step, p.losses) });
//   const png = encodePng(toGrid(model.sample(64, { seed: 7 })));

import { loadCore, WasmgenError } from './core.js';
import { createModel, loadModel, listFamilies, Model } from './model.js';
import { Dataset, loadDataset, loadIdxDataset, maybeGunzip } from './data.js';
import { loadImageFiles } from './images.js';

export { WasmgenError, Model, Dataset, maybeGunzip };
export { toGrid, pixelStats, datasetImages } from './image.js';
export { encodePng } from './png.js';
export { SKIP_REASONS } from './images.js';
export { exportOnnx } from './onnx.js';
export { encodeImage } from './imagefile.js';
export { decodeImage, transformImage, augmentImages, fitImage, imageChannels } from './imageops.js';
export { blend, fillDiffusion, inpaint, denoise, interpolate, interpolateLatents, psnr } from './synthesis.js';
export {
  features, featureStats, createFeatureStats, fid, kid, precisionRecall, compareFeatures, inceptionScore,
  classHistogram, labelAccuracy, COVER_SHARE,
} from './metrics.js';

/**
 * Loads the wasm core and returns the API bound to it. Options: wasmBytes or wasmUrl to load the
 * module from elsewhere (e.g. a bundler's asset URL); fresh: true for a separate instance.
 */
export async function init(options = {}) {
  const core = await loadCore(options);
  return {
    core,
    simd: core.readString(core.exports.wg_api_simd()),
    /** Model families and their presets, from the core's registry. */
    families: listFamilies(core),
    createModel: (config) => createModel(core, config),
    loadModel: (bytes) => loadModel(core, bytes),
    loadDataset: (name, opts) => loadDataset(core, name, opts),
    loadIdxDataset: (images, labels, name) => loadIdxDataset(core, images, labels, name),
    /** Own PNG/JPEG/BMP/GIF files -> { dataset, skipped } (see images.js). */
    loadImageFiles: (files, opts) => loadImageFiles(core, files, opts),
    /** Current size of the wasm heap in bytes (it grows on demand up to 2 GiB). */
    heapBytes: () => core.heapBytes(),
  };
}
