// How the package loads in each environment: the entries package.json "exports" picks, the
// escape hatches for where the wasm comes from, and Model.train's speed-sized chunks (chunkMs)
// that the worker (wasm/worker.js) relies on to answer pause and stop promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { init, WasmgenError } from '../wasm/node.js';
import { getWg, ROOT } from './helpers.js';

const run = promisify(execFile);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('exports: types first, Node gets wasm/node.js, browsers and bundlers wasm/index.js', () => {
  const main = pkg.exports['.'];
  assert.equal(Object.keys(main)[0], 'types');
  assert.equal(main.node, './wasm/node.js');
  assert.equal(main.browser, './wasm/index.js');
  assert.equal(main.default, './wasm/index.js');
  assert.equal(Object.keys(pkg.exports['./worker'])[0], 'types');
  assert.equal(pkg.exports['./worker'].default, './wasm/trainer.js');
  for (const target of [main.types, main.node, main.default, pkg.exports['./worker'].types, pkg.exports['./worker'].default]) {
    assert.ok(fs.existsSync(path.join(ROOT, target)), `${target} exists`);
  }
});

test('the browser entry and the worker reach no node: module', () => {
  // Follow relative imports and import() from the browser entries, as a bundler would.
  const seen = new Set();
  const queue = ['wasm/index.js', 'wasm/trainer.js', 'wasm/worker.js'];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    assert.doesNotMatch(code, /['"]node:/, `${file} imports a node: module`);
    for (const [, spec] of code.matchAll(/(?:from\s*|import\(\s*)['"](\.[^'"]+)['"]/g)) {
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
    }
  }
  assert.ok(seen.has('wasm/core.js') && seen.has('data/builtin-url.js') && seen.has('build/wasmgen-url.js'));
  assert.ok(!seen.has('wasm/node.js'));
});

test('without the Node entry, reading a file says how to fix it', async () => {
  const script = "import('./wasm/index.js').then((m) => m.init()).then(() => console.log('loaded'), (e) => console.log(e.name, e.message))";
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
  assert.match(stdout, /^WasmgenError cannot read file:.*wasmgen\.wasm: reading files needs Node \(import 'wasmgen' there\) or pass the bytes instead/);
});

test('init takes a compiled WebAssembly.Module, bytes or a path; a wrong wasmModule is refused', async () => {
  const bytes = fs.readFileSync(path.join(ROOT, 'build', 'wasmgen.wasm'));
  const fromModule = await init({ wasmModule: await WebAssembly.compile(bytes) });
  const fromBytes = await init({ wasmBytes: bytes });
  const fromPath = await init({ wasmUrl: path.join(ROOT, 'build', 'wasmgen.wasm') });
  const shared = await getWg();
  for (const wg of [fromModule, fromBytes, fromPath]) {
    assert.equal(wg.simd, 'wasm-simd128');
    assert.notEqual(wg.core, shared.core, 'an own source gives an own instance');
  }
  await assert.rejects(init({ wasmModule: bytes }), (e) => e instanceof WasmgenError && /wasmModule must be a WebAssembly.Module/.test(e.message));
  await assert.rejects(init({ wasmUrl: path.join(ROOT, 'build', 'missing.wasm') }),
    (e) => e instanceof WasmgenError && /cannot read .*missing\.wasm: no such file/.test(e.message));
});

test('Model.train with chunkMs sizes chunks by speed; a bad chunkMs is refused', async () => {
  const wg = await getWg();
  const data = await wg.loadDataset('mnist', { split: 'test' });
  const model = wg.createModel({ model: 'vae', latent: 4, hidden: [32], seed: 5 });
  const chunks = [];
  let last = 0;
  const result = await model.train(data, { steps: 200, batch: 16, chunkMs: 20, onProgress: (p) => { chunks.push(p.done - last); last = p.done; } });
  assert.equal(result.done, 200);
  assert.equal(chunks[0], 1, 'the first chunk measures one step');
  assert.ok(Math.max(...chunks) > 4, `later chunks grow to fill 20 ms: ${chunks.join(',')}`);
  await assert.rejects(model.train(data, { steps: 1, chunkMs: 0 }), /chunkMs must be a positive number, got 0/);
  model.dispose(); data.dispose();
});
