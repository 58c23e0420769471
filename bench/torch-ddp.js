// torch-ddp.js — the PyTorch road's data-parallel speed: python/wasmgen_torch training a wasmgen
// checkpoint on 1 process against 2 (torch.multiprocessing.spawn, DistributedDataParallel with
// gloo on CPU), one torch thread per process. Two comparisons: the same batch per process (2
// processes see twice the images per step) and the same global batch (2 x half: the same work). images/s counts the training loop only (not the
// start-up of Python, torch and the process group, printed separately as wall seconds). Images
// per CPU second (all ranks' loops, every thread, communication included) are the cost of the
// same work, less sensitive to other jobs on a shared machine than images/s.
//
//   node bench/torch-ddp.js                      # dcgan and gan on MNIST, 200 steps of batch 64
//   node bench/torch-ddp.js --model vae --steps 100 --batch 32
//   node bench/torch-ddp.js --model cyclegan --steps 30 --batch 8   # MNIST 3s -> 8s, default widths
//
// Needs Debian's python3-torch (/usr/bin/python3). On a shared machine the load (printed) makes
// the figures noisy; run it when the machine is otherwise idle.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { init } from '../wasm/node.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({ options: { model: { type: 'string' }, steps: { type: 'string', default: '200' }, batch: { type: 'string', default: '64' } } });
const models = o.model ? [o.model] : ['dcgan', 'gan'];
const steps = +o.steps, batch = +o.batch;
const env = { ...process.env, PYTHONPATH: path.join(ROOT, 'python'), OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmgen-torch-bench-'));
const wg = await init({ threads: 1 });

function run(start, nproc, perProcessBatch, model) {
  const t0 = performance.now();
  const data = model.startsWith('cyclegan') ? ['--data', 'mnist:3', '--data-b', 'mnist:8'] : ['--data', 'mnist'];
  const r = spawnSync('/usr/bin/python3', ['-m', 'wasmgen_torch', 'train', '--resume', start, ...data, '--steps', String(steps),
    '--batch', String(perProcessBatch), '--nproc', String(nproc), '--threads', '1', '--json', '--out', path.join(dir, 'out.safetensors')],
  { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(r.stderr);
  const s = JSON.parse(r.stdout.trim().split('\n').pop());
  return { imagesPerSec: s.images_per_sec, loopSeconds: s.seconds, wallSeconds: +((performance.now() - t0) / 1000).toFixed(1),
    imagesPerCpuSec: s.cpu_seconds ? +(s.steps * s.batch * s.world_size / s.cpu_seconds).toFixed(1) : NaN };
}

console.log(`machine: ${os.cpus().length} cores, load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}; ${steps} steps`);
for (const model of models) {
  const m = wg.createModel({ model, seed: 1 });
  fs.writeFileSync(path.join(dir, `${model}.safetensors`), m.save());
  m.dispose();
  const start = path.join(dir, `${model}.safetensors`);
  const one = run(start, 1, batch, model);
  const twoSame = run(start, 2, batch, model);
  const twoHalf = run(start, 2, batch / 2, model);
  const cpu = (r) => `${r.imagesPerCpuSec} images per CPU second`;
  console.log(`${model}: 1 process batch ${batch}: ${one.imagesPerSec} images/s, ${cpu(one)} (loop ${one.loopSeconds}s, wall ${one.wallSeconds}s)`);
  console.log(`${model}: 2 processes batch ${batch} each: ${twoSame.imagesPerSec} images/s, x${(twoSame.imagesPerSec / one.imagesPerSec).toFixed(2)}; ${cpu(twoSame)} (wall ${twoSame.wallSeconds}s)`);
  console.log(`${model}: 2 processes batch ${batch / 2} each (same global batch): ${twoHalf.imagesPerSec} images/s, x${(twoHalf.imagesPerSec / one.imagesPerSec).toFixed(2)}; ${cpu(twoHalf)} (wall ${twoHalf.wallSeconds}s)`);
}
fs.rmSync(dir, { recursive: true, force: true });
