// bench.js — wasmgen's benchmark: our wasm core against peers measured in the same run.
//
//   npm run bench              # table with ratios
//   npm run bench -- --json    # one JSON object
//   npm run bench -- --quick   # shorter timings
//   npm run bench -- --threads-only   # only our 1- and 2-thread figures and PyTorch's
//   npm run bench -- --metrics # only the sample-quality metrics timing and the judge's speed
//
// Workloads: single-thread GEMM in the three layouts training needs (A·B, A·Bᵀ, Aᵀ·B) at 256³ and
// 1024³, training throughput (images/s, batch 64) of each model, and the time the sample-quality
// metrics take on judge-sized features (FID + KID + precision/recall, see ourMetrics). Peers: TF.js's wasm (XNNPACK,
// SIMD, one thread in Node) and cpu backends, and PyTorch CPU on one thread when Debian's
// python3-torch is installed (bench/peers-torch.py). Threads: GEMM 1024³ and training again with
// 2 threads (the threaded build), the speed-up against 1 thread, and PyTorch at 1 and 2 threads
// beside it. Results are the same bits at any thread count, so only time differs. The thread
// figures come from interleaved rounds (1 thread, 2 threads, 2 threads, 1 thread, ...) with the
// median and the lowest and highest round printed: a core of a shared VM changes speed by tens of
// percent within a minute, and back-to-back runs put that drift into the speed-up. Every figure is
// measured now, on this machine; the load before and after is printed.
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { init, features, featureStats, fid, compareFeatures } from '../wasm/node.js';
import { gaussian } from '../wasm/random.js';
import { loadJudge, judgeInput, judgeAll } from '../wasm/judges.js';
import * as tfjsPeers from './peers-tfjs.js';

const { setBackend, tfjsGemm } = tfjsPeers;

const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, 'threads-only': { type: 'boolean' }, metrics: { type: 'boolean' } } });
const THREADS = 2;   // the threaded column
const ROUNDS = args.quick ? 3 : 5;   // interleaved 1-thread / THREADS-thread rounds (see ourTraining)
const minSeconds = args.quick ? 0.3 : 1.0;
const log = args.json ? () => {} : (...a) => console.error(...a);

/** Our GEMM through the exported C ABI, on heap buffers filled with random values. */
function ourGemm(core, layout, n) {
  const bytes = n * n * 4;
  const a = core.malloc(bytes), b = core.malloc(bytes), c = core.malloc(bytes);
  try {
    const f32 = core.f32;
    for (let i = 0; i < n * n; i++) { f32[(a >> 2) + i] = Math.random() - 0.5; f32[(b >> 2) + i] = Math.random() - 0.5; }
    const code = { nn: 0, nt: 1, tn: 2 }[layout];
    core.exports.wg_api_gemm(code, n, n, n, a, b, c);   // warm-up (packing buffers, JIT tiers)
    let iterations = 0;
    const start = performance.now();
    do {
      core.exports.wg_api_gemm(code, n, n, n, a, b, c);
      iterations++;
    } while (performance.now() - start < minSeconds * 1000);
    const seconds = (performance.now() - start) / 1000;
    return { gflops: (2 * n ** 3 * iterations) / seconds / 1e9, iterations, seconds };
  } finally {
    core.free(a); core.free(b); core.free(c);
  }
}

const median = (values) => { const v = [...values].sort((a, b) => a - b); return v[Math.floor((v.length - 1) / 2)]; };

/**
 * Runs `one()` and `two()` in `rounds` interleaved turns (1, 2, then 2, 1, ...) and returns their
 * results as two arrays: a drift in the machine's speed then falls on both alike.
 */
function alternate(rounds, one, two) {
  const ones = [], twos = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2) { twos.push(two()); ones.push(one()); } else { ones.push(one()); twos.push(two()); }
  }
  return [ones, twos];
}

/** Medians of two series of speeds measured in the same rounds, and the per-round speed-ups. */
function summarizeRounds(ones, twos) {
  const speedups = ones.map((v, i) => twos[i] / v);
  return { one: median(ones), two: median(twos), speedup: median(speedups), speedupMin: Math.min(...speedups), speedupMax: Math.max(...speedups) };
}

/**
 * Training images/s of one of our models on built-in MNIST at 1 thread (build/wasmgen.wasm) and at
 * THREADS threads (build/wasmgen-mt.wasm), in interleaved rounds: on a shared machine the speed
 * of a core drifts by tens of percent within a minute, so the two engines take turns (alternating
 * which goes first) and each round gives one speed-up. Returns the medians and the spread of the
 * per-round speed-ups. Each engine is a fresh wasm instance, so the single-thread one's heap size
 * afterwards is this run's peak memory (a wasm heap never shrinks).
 */
async function ourTraining(config, { batch = 64, warmup = 3, domains, rounds } = {}) {
  const engines = [];
  for (const threads of [1, THREADS]) {
    const wg = await init({ fresh: true, threads });
    // Two-domain models (CycleGAN) train on two class subsets, e.g. ['mnist:3', 'mnist:8'].
    const data = await wg.loadDataset(domains ? domains[0] : 'mnist');
    const datasetB = domains ? await wg.loadDataset(domains[1]) : undefined;
    const model = wg.createModel(config);
    model.trainSteps(data, warmup, batch, { datasetB });
    engines.push({ wg, data, datasetB, model });
  }
  const timeSteps = (e, steps) => {
    const start = performance.now();
    e.model.trainSteps(e.data, steps, batch, { datasetB: e.datasetB });
    return (performance.now() - start) / 1000;
  };
  // Steps per turn: about minSeconds of the single-thread engine.
  const steps = Math.max(1, Math.round(minSeconds / timeSteps(engines[0], 1)));
  const perSec = (e) => () => (steps * batch) / timeSteps(e, steps);
  const result = {
    ...summarizeRounds(...alternate(rounds, perSec(engines[0]), perSec(engines[1]))),
    stepsPerTurn: steps, rounds, heapPeakMiB: engines[0].wg.heapBytes() / 2 ** 20,
  };
  for (const e of engines) { e.model.dispose(); e.data.dispose(); e.datasetB?.dispose(); e.wg.core.terminateThreads?.(); }
  return result;
}

/**
 * Seconds for FID + KID + precision/recall of 2,000 generated samples against a reference: 84
 * features each (the size of a LeNet-style judge's penultimate layer, 120-84-10), non-negative
 * like post-ReLU features. The reference statistics are precomputed (shipped with a judge); the
 * 2,000 reference features are given. Timed: the generated set's statistics, FID, and KID (100
 * subsets of 1,000) with precision/recall (k = 3) from one pass of pairwise products. Median of
 * `runs`; single thread. `cpu` is the process's CPU time over the same span: on a busy machine
 * the wall-clock time includes waiting for a core, the CPU time does not.
 */
function ourMetrics(core, { n = 2000, dim = 84, runs = 3 } = {}) {
  const relu = (seed, scale, shift) => features(gaussian(seed, n * dim).map((v) => Math.max(0, v * scale + shift)), dim);
  const real = relu(1, 1, 0.3), fake = relu(2, 1.1, 0.25);
  const reference = featureStats(core, real);
  const times = [];
  let result;
  const cpuSeconds = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1e6; };
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    const f = fid(core, reference, featureStats(core, fake));
    const t1 = performance.now();
    const pairwise = compareFeatures(core, real, fake);
    const t2 = performance.now();
    times.push({ total: (t2 - t0) / 1000, fid: (t1 - t0) / 1000, kidPrecisionRecall: (t2 - t1) / 1000, cpu: cpuSeconds(c0) });
    result = { fid: f, kid: pairwise.kid.mean, precision: pairwise.precision, recall: pairwise.recall };
  }
  times.sort((a, b) => a.total - b.total);
  return { n, dim, runs, ...times[Math.floor(runs / 2)], values: result };
}

/**
 * The judge's forward speed (images/s): the shipped MNIST judge's features and class
 * probabilities of the 1,663 built-in test digits in one call, single thread, repeated for
 * minSeconds; the part of an evaluation that grows with n besides sampling.
 */
async function ourJudge(wg) {
  const judge = await loadJudge(wg.core, 'mnist');
  const data = await wg.loadDataset('mnist', { split: 'test' });
  const input = judgeInput(wg.core, judge, data);
  judgeAll(judge, input, 200);   // warm-up
  let images = 0;
  const start = performance.now();
  do { judgeAll(judge, input); images += input.length; } while (performance.now() - start < minSeconds * 2000);
  const seconds = (performance.now() - start) / 1000;
  data.dispose();
  return { imagesPerSec: images / seconds, images, seconds };
}

function torchPeers(only, threads = 1) {
  const script = fileURLToPath(new URL('./peers-torch.py', import.meta.url));
  if (!fs.existsSync(script) || !fs.existsSync('/usr/bin/python3')) return { error: 'bench/peers-torch.py or /usr/bin/python3 missing' };
  const r = spawnSync('/usr/bin/python3', [script, '--only', only.join(','), '--seconds', String(minSeconds * 2), '--threads', String(threads)], {
    encoding: 'utf8', env: process.env,   // the script sets its own thread variables (see its comment)
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').at(-1) };
  try { return JSON.parse(r.stdout); } catch { return { error: 'unparseable output from peers-torch.py' }; }
}

/**
 * PyTorch at 1 and at THREADS threads in alternating processes, `rounds` of each: per model the
 * median images/s and the spread of the per-round speed-ups (same reason as ourTraining's rounds).
 */
function torchRounds(only, rounds) {
  const [ones, twos] = alternate(rounds, () => torchPeers(only, 1), () => torchPeers(only, THREADS));
  const failed = [...ones, ...twos].find((x) => x.error);
  if (failed) return { error: failed.error };
  const results = {};
  for (const name of only) {
    const ips = (runs) => runs.map((x) => x.results?.[name]?.images_per_sec ?? NaN);
    const one = ips(ones), two = ips(twos);
    results[name] = [...one, ...two].every(Number.isFinite) ? summarizeRounds(one, two) : null;
  }
  return { torch: ones[0].torch, blas: ones[0].blas, rounds, results };
}

const wg = await init({ threads: 1 });
const wgThreaded = await init({ threads: THREADS, fresh: true });
const report = { machine: { node: process.version, simd: wg.simd, threads: THREADS, loadBefore: os.loadavg()[0] }, gemm: [], training: [] };

// --- Metrics -------------------------------------------------------------------------------
log('metrics: FID + KID + precision/recall, 2,000 x 84 features');
report.metrics = ourMetrics(wg.core, { runs: args.quick ? 1 : 3 });
log('judge: forward speed of the shipped MNIST judge');
report.judge = await ourJudge(wg);
const printMetrics = (m) => console.log(`\nSample-quality metrics, single thread: ${m.n} generated vs ${m.n} reference features of ${m.dim} dims
  FID (generated statistics + distance to precomputed reference statistics) ${m.fid.toFixed(3)} s
  KID (100 subsets of 1000) + precision/recall (k = 3), one pass of pairwise products ${m.kidPrecisionRecall.toFixed(3)} s
  total ${m.total.toFixed(3)} s wall clock, ${m.cpu.toFixed(3)} s CPU (median of ${m.runs}; goal < 3 s)
  judge forward (lenet features + class probabilities, data/judge-mnist.safetensors): ${report.judge.imagesPerSec.toFixed(0)} images/s`);
if (args.metrics) {
  if (args.json) console.log(JSON.stringify(report)); else printMetrics(report.metrics);
  process.exit(0);
}

// --- GEMM ---------------------------------------------------------------------------------
const layouts = ['nn', 'nt', 'tn'];
for (const n of [256, 1024]) {
  for (const layout of layouts) {
    log(`gemm ${layout} ${n}: wasmgen`);
    const row = { layout, n };
    if (n === 1024) {   // interleaved rounds, as for training
      log(`gemm ${layout} ${n}: wasmgen 1 and ${THREADS} threads, ${ROUNDS} rounds`);
      const { one, two, ...speedup } = summarizeRounds(...alternate(ROUNDS, () => ourGemm(wg.core, layout, n).gflops, () => ourGemm(wgThreaded.core, layout, n).gflops));
      Object.assign(row, { wasmgen: one, 'wasmgen-2t': two, ...speedup });
    } else {
      row.wasmgen = ourGemm(wg.core, layout, n).gflops;
    }
    report.gemm.push(row);
  }
}
wgThreaded.core.terminateThreads();
for (const backend of args['threads-only'] ? [] : ['wasm', 'cpu']) {
  const info = await setBackend(backend);
  for (const row of report.gemm) {
    log(`gemm ${row.layout} ${row.n}: tfjs-${backend}`);
    const r = info.error ? info : await tfjsGemm(backend, row.layout, row.n, { minSeconds: backend === 'cpu' ? 0.3 : minSeconds, warmup: row.n === 1024 ? 0 : 1 });
    row[`tfjs-${backend}`] = r.error ? null : r.gflops;
  }
}

// --- Training ---------------------------------------------------------------------------------
// Each model with the TF.js function that trains the same architecture (none for the MLP VAE).
const MODELS = [
  { name: 'mlp_gan', label: 'MLP GAN', config: { model: 'gan' }, tfjs: tfjsPeers.tfjsMlpGan },
  { name: 'mlp_vae', label: 'MLP VAE', config: { model: 'vae' } },
  { name: 'dcgan', label: 'DCGAN', config: { model: 'dcgan' }, tfjs: tfjsPeers.tfjsDcgan },
  { name: 'conv_vae', label: 'conv VAE', config: { model: 'convvae' }, tfjs: tfjsPeers.tfjsConvVae },
  // 28x28 grey preset (G 16 wide, 3 residual blocks; PatchGAN 16 wide), batch 4 as in the page;
  // PyTorch trains the same nets at the same batch (bench/peers-torch.py, CYCLEGAN_BATCH).
  { name: 'cyclegan', label: 'CycleGAN', config: { model: 'cyclegan' }, batch: 4, domains: ['mnist:3', 'mnist:8'] },
];
for (const m of MODELS) {
  log(`training ${m.label}: wasmgen 1 and ${THREADS} threads, ${ROUNDS} interleaved rounds`);
  const ours = await ourTraining(m.config, { batch: m.batch, domains: m.domains, warmup: m.batch ? 1 : 3, rounds: ROUNDS });
  const row = {
    model: m.name, wasmgen: ours.one, wasmgenHeapPeakMiB: ours.heapPeakMiB, 'wasmgen-2t': ours.two,
    speedup: ours.speedup, speedupMin: ours.speedupMin, speedupMax: ours.speedupMax,
  };
  if (m.tfjs && !args['threads-only']) {
    // tfjs-cpu's conv filter gradient runs at a few million MACs/s: one DCGAN step at batch 64
    // takes minutes, so it gets a tiny batch (images/s does not depend on the batch there).
    const conv = m.name !== 'mlp_gan';
    for (const backend of ['wasm', 'cpu']) {
      log(`training ${m.label}: tfjs-${backend}`);
      await setBackend(backend);
      const options = backend === 'cpu'
        ? (conv ? { batch: m.name === 'dcgan' ? 2 : 4, steps: 1, warmup: 0 } : { steps: 3, warmup: 1 })
        : { steps: args.quick ? 5 : 10, warmup: 2 };
      const r = await m.tfjs(backend, options);
      row[`tfjs-${backend}`] = r.error ? null : r.imagesPerSec;
      if (r.error) row[`tfjs-${backend}-error`] = r.error;
    }
  }
  report.training.push(row);
}
const TORCH_ROUNDS = args.quick ? 1 : 3;
log(`training: pytorch at 1 and ${THREADS} threads, ${TORCH_ROUNDS} interleaved rounds`);
const torch = torchRounds(MODELS.map((m) => m.name), TORCH_ROUNDS);
report.machine.torch = torch.error ? `unavailable: ${torch.error}` : `${torch.torch} (${torch.blas ?? 'blas?'})`;
for (const row of report.training) {
  const t = torch.results?.[row.model];
  Object.assign(row, { 'pytorch-1t': t?.one ?? null, 'pytorch-2t': t?.two ?? null, pytorchSpeedup: t?.speedup ?? null, pytorchSpeedupMin: t?.speedupMin, pytorchSpeedupMax: t?.speedupMax });
}
report.machine.loadAfter = os.loadavg()[0];

if (args.json) {
  console.log(JSON.stringify(report));
} else {
  const fmt = (v, d = 1) => (v === null || v === undefined ? '   n/a' : v.toFixed(d).padStart(7));
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x`.padStart(8) : '     n/a');
  console.log(`\nwasmgen ${wg.simd}, Node ${process.version}; PyTorch: ${report.machine.torch}`);
  console.log(`load average (1 min) before ${report.machine.loadBefore.toFixed(2)}, after ${report.machine.loadAfter.toFixed(2)} on ${os.cpus().length} cores: other processes slow the threaded figures most`);
  console.log('\nGEMM, single thread, GFLOP/s');
  console.log('layout   n    wasmgen  tfjs-wasm  tfjs-cpu   vs wasm   vs cpu');
  for (const r of report.gemm) {
    console.log(`${r.layout.padEnd(5)} ${String(r.n).padStart(5)}  ${fmt(r.wasmgen)}    ${fmt(r['tfjs-wasm'])}   ${fmt(r['tfjs-cpu'], 2)}  ${ratio(r.wasmgen, r['tfjs-wasm'])} ${ratio(r.wasmgen, r['tfjs-cpu'])}`);
  }
  console.log('\nTraining, batch 64 (CycleGAN 4), images/s (single thread)');
  console.log('model       wasmgen  tfjs-wasm  tfjs-cpu  pytorch-1t   vs tfjs-wasm  vs pytorch  wasm heap MiB');
  for (const r of report.training) {
    console.log(`${r.model.padEnd(9)} ${fmt(r.wasmgen, 0)}    ${fmt(r['tfjs-wasm'], 0)}   ${fmt(r['tfjs-cpu'], 0)}     ${fmt(r['pytorch-1t'], 0)}   ${ratio(r.wasmgen, r['tfjs-wasm'])}      ${ratio(r.wasmgen, r['pytorch-1t'])}  ${fmt(r.wasmgenHeapPeakMiB)}`);
  }
  for (const r of report.training) {
    for (const backend of ['wasm', 'cpu']) {
      if (r[`tfjs-${backend}-error`]) console.log(`tfjs-${backend} cannot train ${r.model}: ${r[`tfjs-${backend}-error`]}`);
    }
  }
  const spread = (r, key = 'speedup') => (r[key] ? `${ratio(r[key], 1)} (${r[`${key}Min`].toFixed(2)}-${r[`${key}Max`].toFixed(2)})` : '     n/a            ');
  console.log(`\nThreads: ${THREADS} threads (build/wasmgen-mt.wasm) against 1 (build/wasmgen.wasm); same bits, only time differs.`);
  console.log(`Interleaved rounds (ours ${ROUNDS}, PyTorch ${TORCH_ROUNDS}): medians, and the speed-up's median (lowest-highest round).`);
  console.log(`GEMM 1024³ GFLOP/s   1t      ${THREADS}t   speed-up`);
  for (const r of report.gemm.filter((g) => g['wasmgen-2t'])) {
    console.log(`  ${r.layout.padEnd(5)}          ${fmt(r.wasmgen)} ${fmt(r['wasmgen-2t'])}  ${spread(r)}`);
  }
  console.log(`training images/s  wasmgen-1t wasmgen-${THREADS}t speed-up (spread)      pytorch-1t pytorch-${THREADS}t speed-up (spread)      ${THREADS}t vs pytorch-${THREADS}t`);
  for (const r of report.training) {
    console.log(`  ${r.model.padEnd(9)}        ${fmt(r.wasmgen, 0)}    ${fmt(r['wasmgen-2t'], 0)} ${spread(r)}   ${fmt(r['pytorch-1t'], 0)}    ${fmt(r['pytorch-2t'], 0)} ${spread(r, 'pytorchSpeedup')}   ${ratio(r['wasmgen-2t'], r['pytorch-2t'])}`);
  }
  console.log('\nwasm heap MiB: the peak wasm memory of that training run (a fresh instance per model, dataset included)');
  printMetrics(report.metrics);
}
