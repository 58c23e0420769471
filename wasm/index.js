// wasmgen — train and sample small generative image models on a C core compiled to wasm SIMD.
//
//   import { init } from 'wasmgen';
//   const wg = await init();
//   const train = await wg.loadDataset('mnist', { split: 'train' });
//   const model = wg.createModel({ model: 'vae', latent: 20, seed: 1 });
//   await model.train(train, { epochs: 1, batch: 64, onProgress: (p) => console.log(p.step, p.losses) });
//   const png = encodePng(toGrid(model.sample(64, { seed: 7 })));

import { loadCore, WasmgenError } from './core.js';
import { defaultThreads, loadThreadedCore, threadSupport } from './threads.js';
import { createModel, loadModel, listFamilies, Model } from './model.js';
import { Dataset, loadDataset, loadIdxDataset, maybeGunzip } from './data.js';
import { loadImageFiles } from './images.js';
import { evaluate } from './evaluate.js';

export { WasmgenError, Model, Dataset, maybeGunzip };
export { toGrid, pixelStats, datasetImages } from './image.js';
export { encodePng } from './png.js';
export { SKIP_REASONS } from './images.js';
export { exportOnnx, onnxRoles } from './onnx.js';
export { encodeImage } from './imagefile.js';
export { decodeImage, transformImage, augmentImages, fitImage, imageChannels } from './imageops.js';
export { blend, fillDiffusion, inpaint, denoise, interpolate, interpolateLatents, psnr } from './synthesis.js';
export {
  features, featureStats, createFeatureStats, fid, kid, precisionRecall, compareFeatures, inceptionScore,
  classHistogram, labelAccuracy, COVER_SHARE,
} from './metrics.js';
export { EVAL_DEFAULTS, METRICS } from './evaluate.js';
export { REFERENCES, REFERENCE_ROWS } from './judges.js';

const threadedCores = new Map();   // thread count -> shared Core (unless fresh)

/**
 * The threaded core (build/wasmgen-mt.wasm) when more than one thread is asked for and shared
 * memory is allowed here (Node; browsers when cross-origin isolated), else the single-thread one.
 * Either way core.threads and core.threadNote say what was chosen and, on a fallback, why.
 */
async function loadEngine(options) {
  const ownBytes = options.wasmModule || options.wasmBytes || options.wasmUrl;
  const wanted = options.threads ?? (ownBytes ? 1 : defaultThreads());
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 8)
    throw new WasmgenError(`threads must be an integer from 1 to 8, got ${wanted}`);
  let note = '';
  if (wanted > 1) {
    const support = threadSupport();
    if (support.ok) {
      const threadedOptions = {
        threads: wanted, wasmModule: options.threadedWasmModule, wasmBytes: options.threadedWasmBytes, wasmUrl: options.threadedWasmUrl,
      };
      if (options.fresh || threadedOptions.wasmModule || threadedOptions.wasmBytes || threadedOptions.wasmUrl) return loadThreadedCore(threadedOptions);
      if (!threadedCores.has(wanted)) threadedCores.set(wanted, loadThreadedCore(threadedOptions));
      try {
        return await threadedCores.get(wanted);
      } catch (err) {
        threadedCores.delete(wanted);
        throw err;
      }
    }
    note = ` (${wanted} threads asked for, but ${support.reason})`;
  }
  const core = await loadCore(options);
  core.threads = 1;
  core.threadNote = `wasmgen.wasm, 1 thread${note}`;
  return core;
}

/**
 * Loads the wasm core and returns the API bound to it. Options: threads (default: the hardware's
 * thread count, at most 4; results are the same bits for any count); wasmModule, wasmBytes or
 * wasmUrl to load the single-thread module from elsewhere (e.g. a bundler's asset URL) and
 * threadedWasmModule/Bytes/Url for the threaded one; fresh: true for a separate instance.
 */
export async function init(options = {}) {
  const core = await loadEngine(options);
  return {
    core,
    simd: core.readString(core.exports.wg_api_simd()),
    /** Threads the core computes with, and which build was chosen (and why, on a fallback). */
    threads: core.threads,
    engine: core.threadNote,
    /** Model families and their presets, from the core's registry. */
    families: listFamilies(core),
    createModel: (config) => createModel(core, config),
    loadModel: (bytes) => loadModel(core, bytes),
    loadDataset: (name, opts) => loadDataset(core, name, opts),
    loadIdxDataset: (images, labels, name) => loadIdxDataset(core, images, labels, name),
    /** Own PNG/JPEG/BMP/GIF files -> { dataset, skipped } (see images.js). */
    loadImageFiles: (files, opts) => loadImageFiles(core, files, opts),
    /** Sample quality of a model or of images against a reference (see evaluate.js and the README). */
    evaluate: (subject, opts) => evaluate(core, subject, opts),
    /** Current size of the wasm heap in bytes (it grows on demand up to 2 GiB). */
    heapBytes: () => core.heapBytes(),
  };
}
