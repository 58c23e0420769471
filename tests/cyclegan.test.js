// cyclegan.test.js — CycleGAN through the package and the CLI: class-subset domains, training on two
// domains, translate() in both directions, the CLI's train/translate (file and folder), the bad
// inputs (an empty domain, domains of different channel counts, a folder with no usable image,
// translate with a model that is not a CycleGAN), and a learning test judged by the MNIST judge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { encodePng, datasetImages } from '../wasm/node.js';
import { CLI, getWg, tempDir } from './helpers.js';

const run = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const SMALL = { model: 'cyclegan', seed: 3, hidden: [4], disc_hidden: [4], res_blocks: 1 };

/** A 28x28 PNG of one colour (RGBA bytes). */
function png(r, g = r, b = r) {
  const data = new Uint8ClampedArray(28 * 28 * 4);
  for (let i = 0; i < data.length; i += 4) { data[i] = r; data[i + 1] = g; data[i + 2] = b; data[i + 3] = 255; }
  return encodePng({ width: 28, height: 28, data });
}

/** The first n images of a dataset as floats in [0, 1]. */
function images(ds, n) {
  const P = ds.imageSize, out = new Float32Array(n * P);
  for (let i = 0; i < n; i++) ds.image(i).forEach((v, k) => { out[i * P + k] = v / 255; });
  return out;
}

test('class-subset domains hold one class; a CycleGAN trains on two and translates both ways', async () => {
  const wg = await getWg();
  const three = await wg.loadDataset('mnist:3'), eight = await wg.loadDataset('mnist:8', { split: 'test' });
  const full = await wg.loadDataset('mnist');
  const wanted = full.labels().filter((l) => l === 3).length;
  full.dispose();
  assert.equal(three.length, wanted);
  assert.ok(three.labels().every((l) => l === 3) && eight.labels().every((l) => l === 8));
  assert.equal(three.name, 'mnist-train:3');
  const model = wg.createModel(SMALL);
  assert.deepEqual(model.roles, ['G_AB', 'G_BA', 'D_A', 'D_B']);
  assert.ok(model.capabilities.two_domains && model.capabilities.translate && !model.capabilities.sample);
  assert.deepEqual(Object.keys(model.lossGroups), ['total', 'adversarial', 'cycle', 'identity']);
  const progress = await model.train(three, { datasetB: eight, steps: 3, batch: 2 });
  assert.equal(model.step, 3);
  assert.deepEqual(Object.keys(progress.losses), ['g_loss', 'd_a', 'd_b', 'gan_ab', 'gan_ba', 'cycle_a', 'cycle_b', 'idt_a', 'idt_b']);
  assert.ok(Object.values(progress.losses).every(Number.isFinite));
  const x = images(three, 2);
  const ab = model.translate(x), ba = model.translate(x, { direction: 'ba' });
  assert.equal(ab.n, 2);
  assert.equal(ab.data.length, x.length);
  assert.ok(ab.data.every((v) => v >= 0 && v <= 1));
  assert.ok(!ab.data.every((v, i) => v === ba.data[i]), 'both directions gave the same images');
  assert.throws(() => model.translate(x, { direction: 'ac' }), /direction must be 'ab' or 'ba'/);
  assert.throws(() => model.translate(x.subarray(1)), /not a whole number of 28x28x1 images/);
  // Training needs the second domain; a checkpoint resumes with it.
  assert.throws(() => model.trainSteps(three, 1, 2), /give datasetB \(domain B\)/);
  const again = wg.loadModel(model.save());
  assert.equal(again.datasetId, 'mnist-train:3:' + three.length + '+mnist-test:8:' + eight.length);
  again.trainSteps(three, 1, 2, { datasetB: eight });
  assert.equal(again.step, 4);
  again.dispose(); model.dispose(); three.dispose(); eight.dispose();
});

test('bad input: an empty domain, different channel counts, a folder with no usable image, translate without a CycleGAN', async () => {
  const wg = await getWg();
  const dir = tempDir();
  // An empty domain: a class that no image has, an empty folder, a folder of broken files.
  await assert.rejects(wg.loadDataset('mnist:12'), /mnist has classes 0\.\.9/);
  const empty = path.join(dir, 'empty'), broken = path.join(dir, 'broken');
  fs.mkdirSync(empty); fs.mkdirSync(broken);
  fs.writeFileSync(path.join(broken, 'a.png'), 'not a png');
  let r = run('train', '--model', 'cyclegan', '--dataset', 'mnist:3', '--dataset-b', empty, '--steps', '1');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /--dataset-b .*empty: the folder holds no PNG, JPEG, BMP or GIF file/);
  r = run('train', '--model', 'cyclegan', '--dataset', broken, '--dataset-b', 'mnist:8', '--steps', '1');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /none of the 1 files is a usable image/);
  // Domain B missing, or given to a one-domain model.
  r = run('train', '--model', 'cyclegan', '--dataset', 'mnist:3', '--steps', '1');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give --dataset A and --dataset-b B/);
  r = run('train', '--model', 'gan', '--dataset', 'mnist', '--dataset-b', 'mnist:3', '--steps', '1');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--dataset-b is the second domain of a two-domain model; gan trains on one dataset/);
  // Different channel counts: the API refuses an RGB domain for a grey model, naming both.
  const model = wg.createModel(SMALL);
  const three = await wg.loadDataset('mnist:3');
  const rgb = png(200, 60, 30);
  const { dataset: colour } = await wg.loadImageFiles([{ name: 'c.png', bytes: rgb }], { size: 28, channels: 3 });
  assert.throws(() => model.trainSteps(three, 1, 2, { datasetB: colour }), /dataset B images are 28x28x3 but the model expects 28x28x1/);
  // The CLI decodes a folder to the other domain's channels: an RGB PNG trains a grey model.
  const colourDir = path.join(dir, 'colour');
  fs.mkdirSync(colourDir);
  fs.writeFileSync(path.join(colourDir, 'c.png'), rgb);
  fs.writeFileSync(path.join(colourDir, 'd.png'), rgb);
  r = run('train', '--model', 'cyclegan', '--dataset', 'mnist:3', '--dataset-b', colourDir, '--steps', '1', '--batch', '2',
    '--config', writeConfig(dir), '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).datasetB, 'colour');
  // translate on a model that does not translate: the API and the CLI say so.
  const gan = wg.createModel({ model: 'gan' });
  assert.throws(() => gan.translate(images(three, 1)), /a gan model does not translate images \(a CycleGAN does\)/);
  const ganFile = path.join(dir, 'gan.safetensors');
  fs.writeFileSync(ganFile, gan.save());
  fs.writeFileSync(path.join(dir, 'in.png'), rgb);
  r = run('translate', '--load', ganFile, path.join(dir, 'in.png'), path.join(dir, 'out.png'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /holds a gan, which does not translate images \(cyclegan, cyclegan_upsample do\)/);
  gan.dispose(); model.dispose(); three.dispose(); colour.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(dir) {
  const file = path.join(dir, 'small.json');
  fs.writeFileSync(file, JSON.stringify(SMALL));
  return file;
}

test('CLI: train on two class subsets, translate a file and a folder (same names out)', () => {
  const dir = tempDir();
  const ckpt = path.join(dir, 'cg.safetensors');
  let r = run('train', '--dataset', 'fashion:7', '--dataset-b', 'fashion:9', '--config', writeConfig(dir),
    '--steps', '2', '--batch', '2', '--save', ckpt);
  assert.equal(r.status, 0, r.stderr);
  // The summary names every loss term.
  for (const name of ['g_loss', 'd_a', 'd_b', 'gan_ab', 'gan_ba', 'cycle_a', 'cycle_b', 'idt_a', 'idt_b']) assert.match(r.stdout, new RegExp(`${name} \\d`));
  const inDir = path.join(dir, 'in'), outDir = path.join(dir, 'out');
  fs.mkdirSync(inDir);
  fs.writeFileSync(path.join(inDir, 'one.png'), png(50));
  fs.writeFileSync(path.join(inDir, 'two.png'), png(230));
  fs.writeFileSync(path.join(inDir, 'notes.txt'), 'ignored');
  r = run('translate', '--load', ckpt, '--direction', 'ba', path.join(inDir, 'one.png'), path.join(dir, 'one-ba.png'));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.readFileSync(path.join(dir, 'one-ba.png')).subarray(1, 4).toString() === 'PNG');
  r = run('translate', '--load', ckpt, inDir, outDir);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(outDir).sort(), ['one.png', 'two.png']);
  assert.match(r.stdout, /translated 2 of 2 images/);
  r = run('translate', '--load', ckpt, '--direction', 'up', inDir, outDir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--direction must be ab \(A to B\) or ba \(B to A\)/);
  // ONNX of either generator; the graph's metadata names the role written (tests/onnx.test.js runs them).
  const onnxFile = path.join(dir, 'ba.onnx');
  r = run('onnx', '--load', ckpt, '--role', 'G_BA', '--out', onnxFile);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote G_BA \(B to A\) of cyclegan \(step 2\) to .*ba\.onnx/);
  // The metadata entry as protobuf: key "wasmgen.role", then field 2 (tag 0x12) of 4 bytes, the value.
  assert.ok(fs.readFileSync(onnxFile).includes(Buffer.from('wasmgen.role\x12\x04G_BA', 'latin1')), 'the file is not the G_BA graph');
  r = run('onnx', '--load', ckpt, '--role', 'D_A', '--out', onnxFile);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--role D_A: .* holds a cyclegan, which exports G_AB or G_BA/);
  // eval of a translating checkpoint: per direction, on the recorded domains' test images.
  r = run('eval', '--load', ckpt, '--n', '10');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /translations of 10 images per domain, A fashion-test:7 \(1000 images, class 7\), B fashion-test:9 \(1000 images, class 9\); judge fashion/);
  assert.match(r.stdout, /A to B: judged as B's class \d+\.\d% {3}cycle PSNR \(A -> B -> A\) \d+\.\d\d dB {3}FID against real B \d+\.\d{3}/);
  assert.match(r.stdout, /B to A: judged as A's class \d+\.\d% {3}cycle PSNR \(B -> A -> B\)/);
  assert.match(r.stdout, /note: FID over 10 images per side is biased upward, the more so the smaller n/);
  // Own domains: a folder of grey PNGs has no classes, so B to A has no target-class rate, and says why.
  r = run('eval', '--load', ckpt, '--n', '2', '--domain-a', inDir, '--domain-b', 'fashion:9', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual([j.translation.n, j.translation.judge, j.translation.ba.targetClassRate, j.domains.a.name], [2, 'fashion', null, 'in']);
  assert.ok(Number.isFinite(j.translation.ab.targetClassRate) && Number.isFinite(j.translation.ab.fid));
  assert.ok(j.notes.includes('ba: no target-class rate: domain A (in) has no class labels'), j.notes.join('; '));
  r = run('eval', '--load', ckpt, '--against', 'fashion-test');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--against and --seed do not apply to a cyclegan: it is measured on its two domains/);
  fs.rmSync(dir, { recursive: true, force: true });
});

// Learning: Fashion-MNIST sneakers (class 7) <-> ankle boots (9) with the 28x28 preset, batch 4.
// The Fashion judge (data/judge-fashion.safetensors, 89% on the test split) names the class of
// translated test images per direction; chance is 0.1. Measured (seed 1, 100 images): before
// training 0.00 and 0.00; after 20 steps 0.00 and 0.92, 40: 0.12 and 0.95, 60: 0.81 and 0.96, 80:
// 0.52 and 0.97. (MNIST 3 <-> 8 is no test of this: the judge already calls an untrained
// generator's blobs 8s and 3s.) The rates come from wg.evaluate(), which also gives cycle PSNR and
// FID; measured at 60 steps (n 100): cycle PSNR 15.6 / 13.7 dB (untrained 7.8 / 6.9), FID 74 / 38
// (untrained 348 / 288).
test('learning: after 60 steps the judge names most translations as the target class; evaluate() measures it', async (t) => {
  const wg = await getWg();
  const judge = wg.loadModel(fs.readFileSync(path.join(path.dirname(CLI), '..', 'data', 'judge-fashion.safetensors')));
  const sneakers = await wg.loadDataset('fashion:7'), boots = await wg.loadDataset('fashion:9');
  const testA = await wg.loadDataset('fashion:7', { split: 'test' }), testB = await wg.loadDataset('fashion:9', { split: 'test' });
  const model = wg.createModel({ model: 'cyclegan', seed: 1 });
  // Untrained: no recorded domains yet, so they are given (50 test images each).
  await assert.rejects(wg.evaluate(model), /this cyclegan has no recorded domains \(it was not trained yet\); pass domainA and domainB/);
  const before = (await wg.evaluate(model, { domainA: testA, domainB: testB, n: 50 })).translation;
  await model.train(sneakers, { datasetB: boots, steps: 60, batch: 4 });
  // Trained: the domains come from the model's datasetId (fashion-train:7, :9 -> their test splits).
  const r = await wg.evaluate(model, { n: 100 });
  const after = r.translation;
  assert.deepEqual(Object.keys(after), ['ab', 'ba', 'judge', 'n']);
  assert.deepEqual([after.judge, after.n, r.domains.a.name, r.domains.b.name, r.domains.a.class, r.domains.b.class], ['fashion', 100, 'fashion-test:7', 'fashion-test:9', 7, 9]);
  assert.deepEqual(Object.keys(after.ab), ['targetClassRate', 'cyclePsnr', 'fid']);
  // The rate is what the judge says of translate()'s output, counted here by hand for A to B.
  const xa = new Float32Array(100 * 784);
  for (let i = 0; i < 100; i++) testA.image(i).forEach((v, k) => { xa[i * 784 + k] = v / 255; });
  const byHand = judge.classify(model.translate(xa).data).labels.filter((l) => l === 9).length / 100;
  assert.equal(after.ab.targetClassRate, byHand);
  const show = (x) => `rate ${x.targetClassRate}, cycle PSNR ${x.cyclePsnr.toFixed(1)} dB, FID ${x.fid.toFixed(1)}`;
  t.diagnostic(`sneaker -> boot: before ${show(before.ab)}; after ${show(after.ab)}`);
  t.diagnostic(`boot -> sneaker: before ${show(before.ba)}; after ${show(after.ba)}`);
  for (const dir of ['ab', 'ba']) {
    assert.ok(before[dir].targetClassRate <= 0.2, `${dir}: ${before[dir].targetClassRate} of an untrained generator's images judged as the target class`);
    assert.ok(after[dir].targetClassRate >= 0.5, `${dir}: ${after[dir].targetClassRate} of translations judged as the target class after training`);
    // Training brings the way back closer to the original and the translations closer to the target domain.
    assert.ok(after[dir].cyclePsnr > before[dir].cyclePsnr + 3, `${dir}: cycle PSNR ${before[dir].cyclePsnr} -> ${after[dir].cyclePsnr}`);
    assert.ok(after[dir].fid < before[dir].fid / 2, `${dir}: FID ${before[dir].fid} -> ${after[dir].fid}`);
  }
  for (const d of [judge, model, sneakers, boots, testA, testB]) d.dispose();
});

// evaluate() on translators that copy their input (no weights: a 1x1 average pool): the way back
// is exact up to the [0, 1] <-> [-1, 1] rounding, the "translations" are the source images, so
// their FID is the FID of the source domain against the target's, and sneakers are not boots.
// Then on translators that invert the image, whose way back is exact too.
test('evaluate(): copying or inverting translators have a huge cycle PSNR and their images\' FID; copied sneakers are not boots', async () => {
  const wg = await getWg();
  const testA = await wg.loadDataset('fashion:7', { split: 'test' }), testB = await wg.loadDataset('fashion:9', { split: 'test' });
  const copy = [{ type: 'avgpool', kernel: 1 }];
  const model = wg.createModel({ model: 'cyclegan', seed: 1, disc_hidden: [4], generator_ab: copy, generator_ba: copy });
  const A = datasetImages(testA, { n: 50 }), B = datasetImages(testB, { n: 50 });
  // Domain A as bare images (no labels): no target-class rate for B to A, and the output says why.
  const r = await wg.evaluate(model, { domainA: A, domainB: testB, n: 50 });
  const { ab, ba } = r.translation;
  assert.ok(ab.cyclePsnr > 100 && ba.cyclePsnr > 100, `cycle PSNR ${ab.cyclePsnr}, ${ba.cyclePsnr}`);   // measured 171, 172
  assert.ok(ab.targetClassRate < 0.1, `sneakers judged as boots: ${ab.targetClassRate}`);             // measured 0
  assert.equal(ba.targetClassRate, null);
  assert.ok(r.notes.includes('ba: no target-class rate: domain A (images) has no class labels'), r.notes.join('; '));
  assert.match(r.notes.join(), /FID over 50 images per side is biased upward, the more so the smaller n/);
  const sourceFid = (await wg.evaluate(A, { against: B, judge: 'fashion', metrics: ['fid'] })).fid;   // measured 217.5
  assert.ok(Math.abs(ab.fid - sourceFid) < 1e-6 * sourceFid, `FID ${ab.fid}, of the source images ${sourceFid}`);
  assert.ok(Math.abs(ba.fid - sourceFid) < 1e-6 * sourceFid, `FID ${ba.fid}, of the source images ${sourceFid}`);
  // Domains that do not fit the model, and options that belong to sampling models, are refused.
  await assert.rejects(wg.evaluate(model, { domainA: A }), /give both domainA and domainB, or neither/);
  await assert.rejects(wg.evaluate(model, { domainA: A, domainB: { ...B, data: B.data.subarray(0, 100 * 28), height: 10, width: 10, n: 28 } }),
    /domain B holds 10x10x1 images; the cyclegan translates 28x28x1/);
  await assert.rejects(wg.evaluate(model, { domainA: A, domainB: B, n: 51 }), /n must be a whole number in \[2, 50\]/);
  await assert.rejects(wg.evaluate(model, { metrics: ['fid'] }), /fid needs a model that samples; a cyclegan is measured by translation/);
  await assert.rejects(wg.evaluate(wg.createModel({ model: 'gan' }), { metrics: ['translation'] }), /translation needs a model that translates/);

  // Translators that invert the image (a 1x1 conv of weight -1 in [-1, 1]: x -> 1 - x in [0, 1]):
  // each translation is far from its source, but the way back is exact, and that is what cycle
  // PSNR measures; the translations' FID is the FID of the inverted images.
  const invert = [{ type: 'conv2d', out_channels: 1, kernel: 1, bias: false }];
  const start = wg.createModel({ model: 'cyclegan', seed: 1, disc_hidden: [4], generator_ab: invert, generator_ba: invert });
  const inverting = wg.loadModel(setTensors(start.save(), { 'G_AB.0.weight': [-1], 'G_BA.0.weight': [-1] }));
  start.dispose();
  const inv = (await wg.evaluate(inverting, { domainA: testA, domainB: testB, n: 50 })).translation;
  assert.ok(inv.ab.cyclePsnr > 100 && inv.ba.cyclePsnr > 100, `cycle PSNR ${inv.ab.cyclePsnr}, ${inv.ba.cyclePsnr}`);
  const inverted = { ...A, data: A.data.map((v) => 1 - v) };
  let squared = 0;
  for (let i = 0; i < A.data.length; i++) squared += (inverted.data[i] - A.data[i]) ** 2;
  assert.ok(10 * Math.log10(A.data.length / squared) < 10, 'an inverted image is far from its source');
  const invertedFid = (await wg.evaluate(inverted, { against: B, judge: 'fashion', metrics: ['fid'] })).fid;
  assert.ok(Math.abs(inv.ab.fid - invertedFid) < 1e-4 * invertedFid, `FID ${inv.ab.fid}, of the inverted images ${invertedFid}`);
  for (const d of [model, inverting, testA, testB]) d.dispose();
});

/** Checkpoint bytes with the named float32 tensors' values replaced. */
function setTensors(bytes, values) {
  const out = bytes.slice(), view = new DataView(out.buffer);
  const len = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + len)));
  for (const [name, list] of Object.entries(values)) {
    const [a, b] = header[name].data_offsets;
    assert.equal(b - a, 4 * list.length, name);
    list.forEach((v, i) => view.setFloat32(8 + len + a + 4 * i, v, true));
  }
  return out;
}
