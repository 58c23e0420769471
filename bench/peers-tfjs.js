// TF.js peer measurements (wasm and cpu backends) on the same workloads as our
// own benchmark: square float32 GEMM in three layouts, and training steps of
// the MLP GAN, the DCGAN and the conv VAE on 28x28x1, so ratios can be printed
// side by side.
//
//   node bench/peers-tfjs.js          # standalone table, both backends

import { createRequire, register as registerModuleHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const requireFromHere = createRequire(import.meta.url);

const errorMessage = (e) => (e && e.message) || String(e);

// Backends are imported lazily so a missing/broken package becomes an
// { error } result instead of a crash at module load.
let wasmPathsConfigured = false;

async function registerBackend(name) {
  if (name === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else if (name === 'wasm') {
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsConfigured) {
      // In Node the emscripten loader reads the .wasm with fs, so a plain
      // directory path (trailing slash required) works; no fetch involved.
      const packageJson = requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json');
      setWasmPaths(path.join(path.dirname(packageJson), 'dist') + path.sep);
      wasmPathsConfigured = true;
    }
  } else {
    throw new Error(`unknown backend '${name}' (expected 'wasm' or 'cpu')`);
  }
}

/**
 * Activates a TF.js backend. Returns { name, simd, threads } or { error }.
 * simd: for wasm, whether the SIMD binary was chosen (tfjs picks
 * tfjs-backend-wasm-simd.wasm exactly when WASM_HAS_SIMD_SUPPORT is true and
 * threads are unavailable); for cpu always false (plain JS loops).
 * threads: for wasm, read back from the module (get_threads_count).
 */
export async function setBackend(name) {
  try {
    await registerBackend(name);
    if (tf.getBackend() !== name) {
      // tfjs logs the init failure reason itself, then just returns false.
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') failed to initialize (see warning above)`);
    }
    await tf.ready();
    silenceTfjsNodeBanner();
    if (name === 'cpu') return { name, simd: false, threads: 1 };

    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    // Always false in Node: tfjs hard-codes it off under IS_NODE
    // (tensorflow/tfjs#3830), so the threaded binary is never loaded here.
    const multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const wasmModule = tf.backend().wasm;
    const threads = wasmModule?.tfjs?.getThreadsCount ? wasmModule.tfjs.getThreadsCount() : 1;
    if (multithread || threads !== 1) {
      throw new Error(`wasm backend is multi-threaded (threads=${threads}); peers must run single-threaded`);
    }
    return { name, simd: Boolean(simd), threads };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

// The cpu backend warns "install tfjs-node" on its first tensor write in Node;
// make that write now with logging muted. (PROD only mutes logs in 4.x;
// IS_TEST would also enable per-kernel leak checks and skew timings.)
function silenceTfjsNodeBanner() {
  const wasProd = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    tf.scalar(0).dispose();
  } finally {
    tf.env().set('PROD', wasProd);
  }
}

async function ensureBackend(name) {
  const info = await setBackend(name);
  if (info.error) throw new Error(info.error);
  return info;
}

const GEMM_TRANSPOSES = { nn: [false, false], nt: [false, true], tn: [true, false] };

/**
 * Times C = op(A)·op(B) for square n×n float32 matrices with tf.matMul.
 * At least one timed call is always made, so minSeconds = 0 means "one call".
 * Returns { gflops, seconds, iterations } or { error }.
 * On wasm (tfjs 4.22) only 'nn' reaches XNNPACK, which also caches B packed
 * across calls with the same B tensor; 'nt'/'tn' run tfjs' scalar fallback.
 */
export async function tfjsGemm(backendName, layout, n, { minSeconds = 1.0, warmup = 1, maxIterations = Infinity } = {}) {
  let a, b;
  try {
    await ensureBackend(backendName);
    const transposes = GEMM_TRANSPOSES[layout];
    if (!transposes) throw new Error(`unknown layout '${layout}' (expected nn, nt or tn)`);
    const [transposeA, transposeB] = transposes;
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`matrix size must be a positive integer, got ${n}`);

    a = tf.randomUniform([n, n], -1, 1, 'float32');
    b = tf.randomUniform([n, n], -1, 1, 'float32');
    // No tf.tidy: tidy walks what its callback returns, and walking an
    // n²-element typed array costs more than the GEMM itself.
    const multiplyOnce = () => {
      const c = tf.matMul(a, b, transposeA, transposeB);
      c.dataSync(); // forces the kernel to run and the result to be readable
      c.dispose();
    };

    for (let i = 0; i < warmup; i++) multiplyOnce();

    let iterations = 0;
    const start = performance.now();
    let seconds = 0;
    do {
      multiplyOnce();
      iterations++;
      seconds = (performance.now() - start) / 1e3;
    } while (seconds < minSeconds && iterations < maxIterations);

    return { gflops: (2 * n ** 3 * iterations) / seconds / 1e9, seconds, iterations };
  } catch (e) {
    return { error: errorMessage(e) };
  } finally {
    a?.dispose();
    b?.dispose();
  }
}

// ---------------------------------------------------------------- MLP GAN ---

// tfjs-core's Node bundle registers no gradients (the @tensorflow/tfjs union
// package normally does, and it is not installed), so load the package's own
// gradient definitions from its ES module build through small loader hooks.
// The engine, kernel and gradient registries live on globalThis, so that
// second copy of the core modules shares them with the bundle.
let gradientsRegistered = null;

function registerTfjsGradients() {
  gradientsRegistered ??= (async () => {
    if (tf.getGradient(tf.BatchMatMul) != null) return; // someone already did
    registerModuleHooks('./tfjs-core-esm-hooks.js', import.meta.url);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return gradientsRegistered;
}

const LATENT_SIZE = 100;
const IMAGE_SIZE = 28 * 28;
const LEAKY_SLOPE = 0.2;
const BATCH_NORM_EPSILON = 1e-5;

// tf.variable shares the initializer's buffer but leaves the initializer
// tensor itself alive, so release it here.
function trainableVariable(initialValue) {
  const variable = tf.variable(initialValue, true);
  initialValue.dispose();
  return variable;
}

function denseLayer(inputSize, outputSize) {
  // He-uniform-ish init; the values only matter for keeping the step finite.
  const limit = Math.sqrt(6 / inputSize);
  return {
    weight: trainableVariable(tf.randomUniform([inputSize, outputSize], -limit, limit)),
    bias: trainableVariable(tf.zeros([outputSize])),
  };
}

function batchNormLayer(size) {
  return {
    gamma: trainableVariable(tf.ones([size])),
    beta: trainableVariable(tf.zeros([size])),
  };
}

const applyDense = (x, { weight, bias }) => tf.add(tf.matMul(x, weight), bias);

// Training-mode batch norm: normalize with the batch's own statistics.
// Running averages are not tracked since inference is never run here.
function applyBatchNorm(x, { gamma, beta }) {
  const { mean, variance } = tf.moments(x, 0);
  const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)));
  return tf.add(tf.mul(normalized, gamma), beta);
}

function buildGenerator() {
  const sizes = [LATENT_SIZE, 256, 512, 1024];
  const hidden = sizes.slice(1).map((size, i) => ({
    dense: denseLayer(sizes[i], size),
    norm: batchNormLayer(size),
  }));
  const output = denseLayer(1024, IMAGE_SIZE);
  const forward = (z) => {
    let h = z;
    for (const { dense, norm } of hidden) {
      h = applyBatchNorm(tf.leakyRelu(applyDense(h, dense), LEAKY_SLOPE), norm);
    }
    return tf.tanh(applyDense(h, output));
  };
  const variables = [...hidden.flatMap(({ dense, norm }) => [dense.weight, dense.bias, norm.gamma, norm.beta]),
    output.weight, output.bias];
  return { forward, variables };
}

function buildDiscriminator() {
  const layers = [denseLayer(IMAGE_SIZE, 512), denseLayer(512, 256)];
  const output = denseLayer(256, 1);
  const forward = (x) => {
    let h = x;
    for (const layer of layers) h = tf.leakyRelu(applyDense(h, layer), LEAKY_SLOPE);
    return applyDense(h, output); // logit
  };
  const variables = [...layers.flatMap(({ weight, bias }) => [weight, bias]), output.weight, output.bias];
  return { forward, variables };
}

// Numerically stable elementwise BCE on logits: max(x,0) - x·t + log1p(exp(-|x|)).
const bceWithLogitsElementwise = (logits, target) =>
  tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));

// Mean BCE on logits, the GAN loss.
const bceWithLogits = (logits, target) => tf.mean(bceWithLogitsElementwise(logits, target));

// ------------------------------------------------------- shared training ---

// When a gradient kernel throws (e.g. one the backend lacks), tfjs has already
// closed its scopes and tape depth, but leaves the recorded tape, and the
// tensors each node saved for backprop, alive. Release them.
function discardAbandonedTape() {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) {
    for (const tensor of node.saved ?? []) tensor.dispose();
  }
  state.activeTape = null;
}

/**
 * Shared harness: validates options, loads gradients, activates the backend,
 * lets setUp(batch, own) build the model and return a trainStep() that runs
 * one synchronized step and returns its losses as plain numbers, then times
 * `steps` steps after `warmup` untimed ones. own(x) registers a tensor or
 * optimizer for disposal and returns it.
 * Returns { imagesPerSec, seconds, steps, finalLosses } or { error }.
 */
async function benchmarkTraining(backendName, { batch, steps, warmup }, setUp) {
  const owned = [];
  const own = (resource) => {
    owned.push(resource);
    return resource;
  };
  try {
    if (!(Number.isInteger(batch) && batch >= 1 && Number.isInteger(steps) && steps >= 1 && Number.isInteger(warmup) && warmup >= 0)) {
      throw new Error(`need integer batch >= 1, steps >= 1, warmup >= 0; got ${JSON.stringify({ batch, steps, warmup })}`);
    }
    await registerTfjsGradients();
    await ensureBackend(backendName);
    const trainStep = setUp(batch, own);

    let lastLosses = null; // a sanity check, not part of the timing
    for (let i = 0; i < warmup; i++) lastLosses = trainStep();
    const start = performance.now();
    for (let i = 0; i < steps; i++) lastLosses = trainStep();
    const seconds = (performance.now() - start) / 1e3;

    if (!Object.values(lastLosses).every(Number.isFinite)) {
      throw new Error(`non-finite loss ${JSON.stringify(lastLosses)}`);
    }
    return { imagesPerSec: (batch * steps) / seconds, seconds, steps, finalLosses: lastLosses };
  } catch (e) {
    discardAbandonedTape();
    return { error: errorMessage(e) };
  } finally {
    for (const resource of owned) resource.dispose();
  }
}

/**
 * GAN step shared by the MLP GAN and the DCGAN: generator update (D(G(z)) vs
 * target 1, gradients to G only), then discriminator update on the real batch
 * (target 1) plus the same fake batch, detached (target 0).
 * Adam(2e-4, beta1 0.5) per network.
 */
function makeGanTrainStep(batch, own, { generator, discriminator, realImages }) {
  for (const variable of [...generator.variables, ...discriminator.variables]) own(variable);
  own(realImages);
  const generatorOptimizer = own(tf.train.adam(2e-4, 0.5));
  const discriminatorOptimizer = own(tf.train.adam(2e-4, 0.5));
  const ones = own(tf.ones([batch, 1]));
  const zeros = own(tf.zeros([batch, 1]));

  return () => {
    let fakeImages = null;
    try {
      return tf.tidy(() => {
        const z = tf.randomNormal([batch, LATENT_SIZE]);
        const generatorLoss = generatorOptimizer.minimize(() => {
          // kept past minimize's own tidy: D reuses this batch below
          fakeImages = tf.keep(generator.forward(z));
          return bceWithLogits(discriminator.forward(fakeImages), ones);
        }, true, generator.variables);
        // fakeImages was produced outside this tape, so it acts detached.
        const discriminatorLoss = discriminatorOptimizer.minimize(() => tf.add(
          bceWithLogits(discriminator.forward(realImages), ones),
          bceWithLogits(discriminator.forward(fakeImages), zeros)), true, discriminator.variables);
        // Reading the losses synchronizes, so the timed step really ran.
        return { generator: generatorLoss.dataSync()[0], discriminator: discriminatorLoss.dataSync()[0] };
      });
    } finally {
      fakeImages?.dispose();
    }
  };
}

/**
 * MLP GAN on flattened 28x28x1: see makeGanTrainStep for what a step is.
 * Returns { imagesPerSec, seconds, steps, finalLosses } or { error }.
 */
export async function tfjsMlpGan(backendName, { batch = 64, steps = 20, warmup = 3 } = {}) {
  return benchmarkTraining(backendName, { batch, steps, warmup }, (batchSize, own) => makeGanTrainStep(batchSize, own, {
    generator: buildGenerator(),
    discriminator: buildDiscriminator(),
    // Fixed stand-in for real images: the data pipeline is not being measured.
    realImages: tf.randomUniform([batchSize, IMAGE_SIZE], -1, 1),
  }));
}

// ------------------------------------------------------ conv layers (NHWC) ---

const IMAGE_SIDE = 28;

function conv2dLayer(kernelSize, inChannels, outChannels) {
  const limit = Math.sqrt(6 / (kernelSize * kernelSize * inChannels));
  return {
    filter: trainableVariable(tf.randomUniform([kernelSize, kernelSize, inChannels, outChannels], -limit, limit)),
    bias: trainableVariable(tf.zeros([outChannels])),
  };
}

// tf.conv2dTranspose takes its filter as [height, width, outChannels, inChannels].
function conv2dTransposeLayer(kernelSize, inChannels, outChannels) {
  const limit = Math.sqrt(6 / (kernelSize * kernelSize * inChannels));
  return {
    filter: trainableVariable(tf.randomUniform([kernelSize, kernelSize, outChannels, inChannels], -limit, limit)),
    bias: trainableVariable(tf.zeros([outChannels])),
  };
}

// 'same' padding with stride 2: 28→14→7 for both 5x5 and 4x4 kernels (for
// 4x4 that is exactly padding 1 on each side).
const applyConv2d = (x, { filter, bias }, stride) => tf.add(tf.conv2d(x, filter, stride, 'same'), bias);

// Inverse of the above: 7→14→28.
function applyConv2dTranspose(x, { filter, bias }, stride) {
  const [batch, height, width] = x.shape;
  const outputShape = [batch, height * stride, width * stride, filter.shape[2]];
  return tf.add(tf.conv2dTranspose(x, filter, outputShape, stride, 'same'), bias);
}

// Training-mode batch norm per channel: statistics over batch and space.
function applySpatialBatchNorm(x, { gamma, beta }) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)));
  return tf.add(tf.mul(normalized, gamma), beta);
}

const layerVariables = (layers) => layers.flatMap((layer) => Object.values(layer));

// ------------------------------------------------------------------ DCGAN ---

function buildDcganGenerator() {
  const project = denseLayer(LATENT_SIZE, 7 * 7 * 128);
  const norm1 = batchNormLayer(128);
  const up1 = conv2dTransposeLayer(5, 128, 64);
  const norm2 = batchNormLayer(64);
  const up2 = conv2dTransposeLayer(5, 64, 1);
  const forward = (z) => {
    let h = tf.reshape(applyDense(z, project), [z.shape[0], 7, 7, 128]);
    h = tf.relu(applySpatialBatchNorm(h, norm1));
    h = tf.relu(applySpatialBatchNorm(applyConv2dTranspose(h, up1, 2), norm2)); // 14x14x64
    return tf.tanh(applyConv2dTranspose(h, up2, 2)); // 28x28x1
  };
  return { forward, variables: layerVariables([project, norm1, up1, norm2, up2]) };
}

function buildDcganDiscriminator() {
  const down1 = conv2dLayer(5, 1, 64);
  const down2 = conv2dLayer(5, 64, 128);
  const output = denseLayer(7 * 7 * 128, 1);
  const forward = (x) => {
    let h = tf.leakyRelu(applyConv2d(x, down1, 2), LEAKY_SLOPE); // 14x14x64
    h = tf.leakyRelu(applyConv2d(h, down2, 2), LEAKY_SLOPE); // 7x7x128
    return applyDense(tf.reshape(h, [x.shape[0], 7 * 7 * 128]), output); // logit
  };
  return { forward, variables: layerVariables([down1, down2, output]) };
}

/**
 * DCGAN on 28x28x1 (NHWC internally); same step structure as tfjsMlpGan.
 * G: z(100) → dense 7·7·128 → BN → ReLU → convT 5x5/2 64 → BN → ReLU →
 *    convT 5x5/2 1 → tanh.
 * D: conv 5x5/2 64 → LeakyReLU(0.2) → conv 5x5/2 128 → LeakyReLU → dense 1.
 * Returns { imagesPerSec, seconds, steps, finalLosses } or { error } (the
 * wasm backend of tfjs 4.22 has no Conv2DBackpropFilter kernel).
 * On cpu a step costs roughly 10 s per image (Conv2DBackpropFilter there is an
 * element-wise TensorBuffer.get loop), so use a small batch and 1-2 steps.
 */
export async function tfjsDcgan(backendName, { batch = 64, steps = 5, warmup = 1 } = {}) {
  return benchmarkTraining(backendName, { batch, steps, warmup }, (batchSize, own) => makeGanTrainStep(batchSize, own, {
    generator: buildDcganGenerator(),
    discriminator: buildDcganDiscriminator(),
    realImages: tf.randomUniform([batchSize, IMAGE_SIDE, IMAGE_SIDE, 1], -1, 1),
  }));
}

// --------------------------------------------------------------- conv VAE ---

const VAE_LATENT_SIZE = 16;

function buildConvVae() {
  const down1 = conv2dLayer(4, 1, 32);
  const down2 = conv2dLayer(4, 32, 64);
  const toLatent = denseLayer(7 * 7 * 64, 2 * VAE_LATENT_SIZE); // [mu | logvar]
  const fromLatent = denseLayer(VAE_LATENT_SIZE, 7 * 7 * 64);
  const up1 = conv2dTransposeLayer(4, 64, 32);
  const up2 = conv2dTransposeLayer(4, 32, 1);

  // Per-image loss (pixel-summed BCE on logits + KL), averaged over the batch.
  const loss = (x) => {
    const batch = x.shape[0];
    let h = tf.relu(applyConv2d(x, down1, 2)); // 14x14x32
    h = tf.relu(applyConv2d(h, down2, 2)); // 7x7x64
    const stats = applyDense(tf.reshape(h, [batch, 7 * 7 * 64]), toLatent);
    const mu = tf.slice(stats, [0, 0], [batch, VAE_LATENT_SIZE]);
    const logvar = tf.slice(stats, [0, VAE_LATENT_SIZE], [batch, VAE_LATENT_SIZE]);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.randomNormal([batch, VAE_LATENT_SIZE])));

    let g = tf.reshape(tf.relu(applyDense(z, fromLatent)), [batch, 7, 7, 64]);
    g = tf.relu(applyConv2dTranspose(g, up1, 2)); // 14x14x32
    const logits = applyConv2dTranspose(g, up2, 2); // 28x28x1

    const reconstruction = tf.sum(bceWithLogitsElementwise(logits, x));
    const kl = tf.mul(tf.sum(tf.sub(tf.add(logvar, 1), tf.add(tf.square(mu), tf.exp(logvar)))), -0.5);
    return tf.div(tf.add(reconstruction, kl), batch);
  };
  return { loss, variables: layerVariables([down1, down2, toLatent, fromLatent, up1, up2]) };
}

/**
 * Conv VAE on 28x28x1 (NHWC internally), Adam(1e-3), one update per step.
 * Encoder: conv 4x4/2 32 → ReLU → conv 4x4/2 64 → ReLU → dense 2·16.
 * Decoder: dense 7·7·64 → ReLU → convT 4x4/2 32 → ReLU → convT 4x4/2 1.
 * Returns { imagesPerSec, seconds, steps, finalLosses: { vae } } or { error }
 * (wasm: no Conv2DBackpropFilter). On cpu a step costs ~1-2 s per image.
 */
export async function tfjsConvVae(backendName, { batch = 64, steps = 5, warmup = 1 } = {}) {
  return benchmarkTraining(backendName, { batch, steps, warmup }, (batchSize, own) => {
    const vae = buildConvVae();
    for (const variable of vae.variables) own(variable);
    const optimizer = own(tf.train.adam(1e-3));
    // Fixed stand-in for real images in [0, 1].
    const realImages = own(tf.randomUniform([batchSize, IMAGE_SIDE, IMAGE_SIDE, 1], 0, 1));
    return () => tf.tidy(() => {
      const loss = optimizer.minimize(() => vae.loss(realImages), true, vae.variables);
      return { vae: loss.dataSync()[0] }; // synchronizes
    });
  });
}

// -------------------------------------------------------------------- CLI ---

const formatNumber = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function printTraining(name, options, r) {
  const label = `${name} b${options.batch}`.padEnd(14);
  if (r.error) console.log(`  ${label}  error: ${r.error}`);
  else console.log(`  ${label}  ${formatNumber(r.imagesPerSec, 2).padStart(8)} img/s over ${r.steps} step${r.steps === 1 ? '' : 's'}, ${formatNumber(r.seconds, 2)} s`);
}

async function main() {
  const backends = ['wasm', 'cpu'];
  const layouts = ['nn', 'nt', 'tn'];
  // Time budget (~1 min here): one n=1024 call takes up to ~7 s on the slow
  // paths, and the n=256 runs already warmed the same kernels, so n=1024
  // skips warm-up and the slow paths stop after their first call.
  const gemmSizes = [
    { n: 256, options: { minSeconds: 0.5, warmup: 1 } },
    { n: 1024, options: { minSeconds: 0.5, warmup: 0 } },
  ];
  // A cpu-backend GAN step takes seconds here, so it gets fewer steps.
  const ganOptionsByBackend = {
    wasm: { batch: 64, steps: 10, warmup: 2 },
    cpu: { batch: 64, steps: 3, warmup: 1 },
  };
  // Conv training. On wasm both fail on the first backward pass (no
  // Conv2DBackpropFilter kernel). tfjs-backend-cpu's Conv2DBackpropFilter is
  // an element-by-element TensorBuffer.get loop (a few M MAC/s), so a DCGAN
  // step costs ~10 s per image: a batch-64 step would take ~10 min. Those
  // loops are linear in the batch, so a small batch gives the same images/s.
  const convOptionsByBackend = {
    wasm: { dcgan: { batch: 64, steps: 5, warmup: 1 }, vae: { batch: 64, steps: 5, warmup: 1 } },
    cpu: { dcgan: { batch: 2, steps: 1, warmup: 0 }, vae: { batch: 4, steps: 2, warmup: 0 } },
  };

  for (const backendName of backends) {
    const info = await setBackend(backendName);
    if (info.error) {
      console.log(`${backendName}: unavailable (${info.error})`);
      continue;
    }
    console.log(`\n${backendName}: simd=${info.simd} threads=${info.threads}`);
    console.log('  workload        GFLOP/s   iters   seconds');
    for (const { n, options } of gemmSizes) {
      for (const layout of layouts) {
        const r = await tfjsGemm(backendName, layout, n, options);
        const label = `gemm ${layout} ${n}`.padEnd(14);
        if (r.error) console.log(`  ${label}  error: ${r.error}`);
        else console.log(`  ${label}  ${formatNumber(r.gflops, 2).padStart(8)}  ${String(r.iterations).padStart(6)}  ${formatNumber(r.seconds, 2).padStart(8)}`);
      }
    }
    const ganOptions = ganOptionsByBackend[backendName];
    const gan = await tfjsMlpGan(backendName, ganOptions);
    printTraining('mlp-gan', ganOptions, gan);
    const convOptions = convOptionsByBackend[backendName];
    printTraining('dcgan', convOptions.dcgan, await tfjsDcgan(backendName, convOptions.dcgan));
    printTraining('conv-vae', convOptions.vae, await tfjsConvVae(backendName, convOptions.vae));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
