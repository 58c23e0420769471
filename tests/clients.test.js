// The npm package as real apps use it: `npm pack` of this repository installed (offline) into a
// temporary folder, then the apps in tests/apps/ built and run from it:
//   - Vite (vite build, served; and the dev server) and webpack 5 (no config file) bundle
//     tests/apps/shared/main.js, which trains a VAE in the worker API, draws samples on two
//     canvases and measures their quality (the shipped judge and reference statistics);
//     Chromium checks the canvases differ, a worker ran, and the wasm and data came
//     from the bundle;
//   - the same main.js as a plain <script type="module"> with an import map, on a static server;
//   - Node ESM (tests/apps/node) and a strict nodenext TypeScript project (tests/apps/typescript)
//     that type-checks the public API, worker client included;
//   - the CLI as `npx wasmgen train`;
//   - the rest of the worker API (pause/resume/stop, save/load, image tools) in the plain-HTML page.
// The README's "Use it in your app" snippets are these files (checked at the end).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { serve } from '../tools/serve.js';
import { CHROMIUM } from './browser-session.js';
import { ROOT, tempDir } from './helpers.js';

const run = promisify(execFile);
const APPS = path.join(ROOT, 'tests', 'apps');
const BIN = path.join(ROOT, 'node_modules', '.bin');
let app;        // the temporary app folder with node_modules/wasmgen installed from the tarball
let browser;

/** Runs a command in `cwd`, failing with its output. */
async function sh(cwd, file, args, options = {}) {
  try {
    return await run(file, args, { cwd, maxBuffer: 16 << 20, ...options });
  } catch (e) {
    throw new Error(`${path.basename(file)} ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

/** The package's production dependencies (and theirs), as folders in this repo's node_modules. */
function dependencyFolders(pkgDir, seen = new Map()) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (seen.has(name)) continue;
    const dir = path.join(ROOT, 'node_modules', name);
    seen.set(name, dir);
    dependencyFolders(dir, seen);
  }
  return [...seen.values()];
}

const copy = (from, to) => fs.cpSync(from, to, { recursive: true });

before(async () => {
  app = tempDir('wasmgen-apps-');
  const packs = path.join(app, 'packs');
  fs.mkdirSync(packs);
  // The package and its dependencies as tarballs, so `npm install --offline` needs no registry.
  for (const dir of [ROOT, ...dependencyFolders(ROOT)]) {
    await sh(ROOT, 'npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packs, dir]);
  }
  fs.writeFileSync(path.join(app, 'package.json'), fs.readFileSync(path.join(APPS, 'shared', 'package.json')));
  const tarballs = fs.readdirSync(packs).map((f) => path.join(packs, f));
  await sh(app, 'npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs]);
  for (const name of ['vite', 'webpack', 'node', 'typescript']) copy(path.join(APPS, name), path.join(app, name));
  copy(path.join(APPS, 'shared', 'main.js'), path.join(app, 'vite', 'main.js'));
  copy(path.join(APPS, 'shared', 'main.js'), path.join(app, 'webpack', 'src', 'index.js'));
  copy(path.join(APPS, 'html', 'index.html'), path.join(app, 'index.html'));
  copy(path.join(APPS, 'shared', 'main.js'), path.join(app, 'main.js'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic'] });
});

after(async () => {
  await browser?.close();
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

/** Red channel of a canvas on the page. */
const pixels = (page, id) => page.evaluate((id) => {
  const c = document.getElementById(id);
  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
}, id);

/**
 * Opens `url` in Chromium with every request off 127.0.0.1 refused, waits for main.js to finish,
 * and checks what it did: a worker ran, the wasm and MNIST came over HTTP, the sample canvases
 * were drawn before and after training and differ.
 */
async function checkApp(url) {
  const context = await browser.newContext();
  const requests = [], outside = [], errors = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (new URL(u).hostname !== '127.0.0.1') { outside.push(u); return route.abort(); }
    requests.push(u);
    return route.continue();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  const workers = [];
  page.on('worker', (w) => workers.push(w.url()));
  try {
    await page.goto(url);
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
    assert.equal(await page.textContent('#status'), 'done');
    // One trainer worker; served cross-origin isolated (serve.js sends COOP/COEP), it runs the
    // threaded core, so the bundle must carry its wasm and thread-worker.js: threads - 1 more workers.
    const { isolated, cores } = await page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    const threads = isolated ? Math.max(1, Math.min(4, cores)) : 1;   // the worker's default: every core, at most 4
    assert.equal(workers.length, threads, `the model ran in one worker plus ${threads - 1} thread workers: ${workers.join(' ')}`);
    assert.equal(new Set(requests.filter((u) => u.endsWith('.wasm'))).size, 1, `one wasm core was fetched: ${requests.join(' ')}`);
    assert.ok(requests.some((u) => /mnist-train-images.*\.gz$/.test(u) || /\/[0-9a-f]+\.gz$/.test(u)), 'the built-in MNIST was fetched');
    // The judge and the reference statistics came from the bundle too (measureQuality in main.js).
    // Named (Vite: reference-mnist-test.safetensors-HASH.gz) or hashed (webpack: three .gz files, the
    // MNIST images and labels and the reference; Vite inlines the tiny labels file).
    const gz = [...new Set(requests.filter((u) => u.endsWith('.gz')))];
    assert.ok(gz.some((u) => /reference-mnist-test/.test(u)) || gz.filter((u) => /\/[0-9a-f]+\.gz$/.test(u)).length >= 3,
      `the reference statistics were fetched: ${requests.join(' ')}`);
    assert.ok(requests.some((u) => u.endsWith('.safetensors')), 'the judge was fetched');
    assert.match(await page.title(), /^FID \d+\.\d$/);
    const [before, afterTraining] = [await pixels(page, 'before'), await pixels(page, 'after')];
    assert.equal(before.length, afterTraining.length);
    assert.ok(before.length >= 16 * 28 * 28, 'a grid of 16 samples was drawn');
    const changed = before.filter((v, i) => Math.abs(v - afterTraining[i]) > 8).length / before.length;
    assert.ok(changed > 0.05, `training changed the samples (${(changed * 100).toFixed(1)}% of pixels)`);
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, []);
  } finally {
    await context.close();
  }
}

/** Serves `root` (tools/serve.js), runs fn(url), stops the server. */
async function served(root, fn) {
  const { server, url } = await serve({ root, port: 0 });
  try { await fn(url); } finally { server.close(); server.closeAllConnections?.(); }
}

/** A bundle must not contain Node's modules or the build machine's paths. */
function assertBrowserOnly(dir) {
  for (const file of fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    assert.doesNotMatch(text, /["']node:|require\(["']fs["']\)/, `${file} carries a Node module`);
    assert.ok(!text.includes(app), `${file} names the build folder`);
  }
}

test('Node ESM: import from the installed package, train, sample, encode a PNG', async () => {
  const { stdout } = await sh(path.join(app, 'node'), process.execPath, ['index.js']);
  const result = JSON.parse(stdout);
  assert.equal(result.step, 20);
  assert.ok(Number.isFinite(result.loss) && result.loss > 0);
  assert.ok(result.pngBytes > 100);
});

test('the CLI from the tarball: npx wasmgen train saves a checkpoint', async () => {
  const { stdout } = await sh(app, 'npx', ['--offline', '--no-install', 'wasmgen', 'train', '--model', 'vae', '--dataset', 'mnist',
    '--steps', '5', '--batch', '16', '--json', '--save', 'cli.safetensors']);
  assert.equal(JSON.parse(stdout.trim().split('\n').pop()).step, 5);
  assert.ok(fs.statSync(path.join(app, 'cli.safetensors')).size > 1000);
});

test('TypeScript (strict, nodenext) type-checks the public API and the worker client', async () => {
  await sh(path.join(app, 'typescript'), path.join(BIN, 'tsc'), ['-p', '.']);
});

test('Vite: vite build, served, trains in the worker and draws samples', async () => {
  const dir = path.join(app, 'vite');
  const { stdout, stderr } = await sh(dir, path.join(BIN, 'vite'), ['build', '--logLevel', 'warn']);
  // Vite swaps a node: import for an empty stub and only warns ("externalized for browser compatibility").
  assert.doesNotMatch(stdout + stderr, /externalized|node:/, 'vite build warned about Node modules');
  assertBrowserOnly(path.join(dir, 'dist'));
  await served(path.join(dir, 'dist'), checkApp);
});

test('Vite: the dev server runs the same app', async () => {
  const { createServer } = await import('vite');
  const server = await createServer({ root: path.join(app, 'vite'), logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
  await server.listen();
  try {
    await checkApp(server.resolvedUrls.local[0]);
  } finally {
    await server.close();
  }
});

test('webpack 5 without a config file: bundled, served, trains in the worker and draws samples', async () => {
  const dir = path.join(app, 'webpack');
  await sh(dir, process.execPath, [path.join(ROOT, 'node_modules', 'webpack-cli', 'bin', 'cli.js'), '--mode', 'production', '--no-stats']);
  assertBrowserOnly(path.join(dir, 'dist'));
  await served(dir, (url) => checkApp(url));
});

test('plain HTML: <script type="module"> and an import map on a static server', async () => {
  await served(app, checkApp);
});

test('the worker API: pause, resume and stop a run, save and load, the image tools', async () => {
  await served(app, async (url) => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);   // the plain-HTML app: its import map resolves 'wasmgen/worker' for import() too
      const result = await page.evaluate(async () => {
        const { createTrainer } = await import('wasmgen/worker');
        let step = 0;
        const trainer = createTrainer({ onProgress: (p) => { step = p.step; } });
        const until = async (ok) => { while (!ok()) await new Promise((r) => setTimeout(r, 20)); };
        await trainer.init();
        await trainer.loadDataset('mnist', { split: 'test' });
        await trainer.createModel({ model: 'gan', seed: 2 });
        const run = trainer.train({ steps: 1e6, batch: 16, views: false });
        await until(() => step >= 10);
        await trainer.pause();
        const paused = (await trainer.info()).model.step;
        await new Promise((r) => setTimeout(r, 300));
        const stillPaused = (await trainer.info()).model.step;
        const wasPaused = (await trainer.info()).paused;
        await trainer.resume();
        await until(() => step > paused + 5);
        await trainer.stop();
        const ended = await run;
        const bytes = await trainer.save();
        await trainer.createModel({ model: 'vae', seed: 1 });
        const loaded = await trainer.loadModel(bytes);
        const samples = await trainer.sample(3, { seed: 1 });
        const figure = await trainer.setToolSource(0, { kind: 'dataset', index: 3 });
        const tool = await trainer.runTool('transform', { ops: 'flip:h' });
        const error = await trainer.runTool('sharpen').then(() => null, (e) => e.message);
        trainer.terminate();
        return { paused, stillPaused, wasPaused, ended, bytes: bytes.length, loaded: { kind: loaded.kind, step: loaded.step },
          samples: [samples.n, samples.data.length], figure: [figure.imageWidth, figure.imageHeight], figures: tool.figures.length, error };
      });
      assert.equal(result.stillPaused, result.paused, 'no steps while paused');
      assert.equal(result.wasPaused, true);
      assert.equal(result.ended.stopped, true);
      assert.ok(result.ended.step > result.paused + 5, 'resume trained on');
      assert.ok(result.bytes > 10000);
      assert.deepEqual(result.loaded, { kind: 'gan', step: result.ended.step }, 'the saved GAN came back at its step');
      assert.deepEqual(result.samples, [3, 3 * 28 * 28]);
      assert.deepEqual(result.figure, [28, 28]);
      assert.ok(result.figures >= 1);
      assert.match(result.error, /sharpen/);
    } finally {
      await context.close();
    }
  });
});

test('the README shows the files these tests run', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const file of ['shared/main.js', 'html/index.html']) {
    const text = fs.readFileSync(path.join(APPS, file), 'utf8').trimEnd();
    assert.ok(readme.includes(text), `README.md shows tests/apps/${file} as it is`);
  }
  assert.ok(!fs.existsSync(path.join(APPS, 'vite', 'vite.config.js')), 'README says Vite needs no config');
  assert.ok(!fs.readdirSync(path.join(APPS, 'webpack')).some((f) => f.startsWith('webpack.config')), 'README says webpack needs no config');
});
