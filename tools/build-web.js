#!/usr/bin/env node
// build-web.js — assembles the web page as a self-contained static folder, build/web/, that any
// static host can serve (tools/serve.js does, with the COOP/COEP headers):
//
//   build/web/index.html, app.js, worker.js, ...   everything in web/
//   build/web/wasm/*.js                            the package modules the page reaches (worker.js too)
//   build/web/build/wasmgen.wasm, wasmgen-url.js   the core and the module naming it
//   build/web/build/wasmgen-mt.wasm, ...-url.js    the threaded core (threads.js; cross-origin isolated)
//   build/web/data/mnist-*.idx.gz, builtin-url.js  built-in MNIST and the module naming it
//   build/web/data/fashion/train-*.gz              Fashion-MNIST, when Debian's package is installed
//   build/web/vendor/uPlot.*                       npm dependencies, copied (never from a CDN)
//   build/web/sw.js                                the service worker, with the list of every file
//                                                  above and a version hash filled in (offline use)
//
// Files are copied by following static imports, import() of literals and
// new URL('./file', import.meta.url) references (the worker, the wasm, the data) from web/*.js,
// the same references a bundler follows. A bare specifier (an npm package name) anywhere on that
// path fails the build: browsers cannot resolve those without an import map, and module workers
// cannot use import maps at all.
//
//   node tools/build-web.js [--out DIR]

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'];   // the page trains on train

/** Files of the static site that do not come from web/: site path -> source path. */
const VENDORED = {
  'vendor/uPlot.esm.js': 'node_modules/uplot/dist/uPlot.esm.js',
  'vendor/uPlot.min.css': 'node_modules/uplot/dist/uPlot.min.css',
  'vendor/uPlot.LICENSE': 'node_modules/uplot/LICENSE',
};

/** Folders of the repository that the site keeps under the same name (web/ is the site's root). */
const FROM_ROOT = ['wasm/', 'build/', 'data/'];

/** Where a site path's file comes from in the repository. */
function sourceOf(sitePath) {
  if (VENDORED[sitePath]) return path.join(ROOT, VENDORED[sitePath]);
  if (FROM_ROOT.some((dir) => sitePath.startsWith(dir))) return path.join(ROOT, sitePath);
  return path.join(ROOT, 'web', sitePath);
}

// Static imports and re-exports, dynamic import() of a string literal, and asset or worker URLs
// written as new URL('./file', import.meta.url).
const IMPORT = /(?:^|[;\s])(?:import|export)\s*(?:[\w*{}\s,$]+\s*from\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** Site paths a module imports; throws on bare specifiers the browser cannot resolve. */
function importsOf(sitePath, text) {
  const found = [];
  const code = text.replace(/^\s*\/\/.*$/gm, '');   // usage examples in comments are not imports
  for (const match of code.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    const dynamic = match[2] !== undefined;
    if (dynamic && spec.startsWith('node:')) continue;   // Node-only branch (e.g. core.js reading files)
    if (!spec.startsWith('./') && !spec.startsWith('../')) {
      throw new Error(`${sitePath} imports "${spec}": the page can only load relative modules (keep npm packages out of the browser path or vendor them)`);
    }
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(sitePath), spec));
    if (resolved.startsWith('../')) throw new Error(`${sitePath} imports "${spec}", outside the site`);
    found.push(resolved);
  }
  return found;
}

function copy(sitePath, out) {
  const from = sourceOf(sitePath);
  if (!fs.existsSync(from)) throw new Error(`missing ${path.relative(ROOT, from)}${sitePath.startsWith('build/') || sitePath.startsWith('data/') ? ' (run bash build.sh first)' : ''}`);
  const to = path.join(out, sitePath);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/**
 * Fills sw.js's file list and version (a hash of every file's path and bytes), so each build
 * that changes anything installs afresh and replaces the old offline cache.
 */
function writeServiceWorker(out, files) {
  const cached = files.filter((f) => f !== 'sw.js');
  const hash = crypto.createHash('sha256');
  for (const f of cached) hash.update(f).update('\0').update(fs.readFileSync(path.join(out, f)));
  const swPath = path.join(out, 'sw.js');
  const text = fs.readFileSync(swPath, 'utf8');
  const filled = text
    .replace(/^const VERSION = 'dev';/m, `const VERSION = '${hash.digest('hex').slice(0, 16)}';`)
    .replace(/^const FILES = \[\];/m, `const FILES = ${JSON.stringify(cached)};`);
  if (filled === text || /const (VERSION = 'dev'|FILES = \[\])/.test(filled)) throw new Error('web/sw.js lost its VERSION or FILES line');
  fs.writeFileSync(swPath, filled);
}

export function buildWeb(out = path.join(ROOT, 'build', 'web')) {
  fs.rmSync(out, { recursive: true, force: true });
  const pages = fs.readdirSync(path.join(ROOT, 'web'));
  const queue = [...pages, ...Object.keys(VENDORED)];
  const done = new Set();
  while (queue.length) {
    const sitePath = queue.shift();
    if (done.has(sitePath)) continue;
    done.add(sitePath);
    copy(sitePath, out);
    if (sitePath.endsWith('.js')) queue.push(...importsOf(sitePath, fs.readFileSync(sourceOf(sitePath), 'utf8')));
  }
  const fashion = FASHION_FILES.every((f) => fs.existsSync(path.join(FASHION_DIR, f)));
  if (fashion) {
    fs.mkdirSync(path.join(out, 'data', 'fashion'), { recursive: true });
    for (const f of FASHION_FILES) fs.copyFileSync(path.join(FASHION_DIR, f), path.join(out, 'data', 'fashion', f));
  }
  const files = [...done, ...(fashion ? FASHION_FILES.map((f) => `data/fashion/${f}`) : [])].sort();
  writeServiceWorker(out, files);
  return { out, files: files.length, fashion };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  try {
    const { out, files, fashion } = buildWeb(i > 0 ? path.resolve(process.argv[i + 1]) : undefined);
    console.log(`build-web: ${files} files in ${path.relative(process.cwd(), out) || out}` +
      (fashion ? ' (with Fashion-MNIST)' : ` (without Fashion-MNIST: install the Debian package dataset-fashion-mnist to bundle it)`));
  } catch (e) {
    console.error(`build-web: ${e.message}`);
    process.exit(1);
  }
}
