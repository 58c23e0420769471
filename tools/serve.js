#!/usr/bin/env node
// serve.js — serves the static page (build/web/, made by tools/build-web.js) on 127.0.0.1 with the
// cross-origin isolation headers (COOP/COEP) that SharedArrayBuffer and wasm threads need.
// Only files under the site folder are served: no directory listings, no path traversal. --base
// serves the site under a subpath, as a shared static host would (everything else is 404).
//
//   node tools/serve.js [--port 8080] [--root build/web] [--base /demos/wasmgen/]
//                       (or PORT=9000; --port 0 picks a free one)
//
// Prints "wasmgen page: http://127.0.0.1:PORT/BASE" once listening.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',              // fetched as bytes and unzipped by the page, not by the browser
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.safetensors': 'application/octet-stream',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/** The file under `root` that `urlPath` names, or null when it names nothing servable. */
export function resolveFile(root, urlPath) {
  let decoded;
  try { decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0]); } catch { return null; }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return null;
  let file = path.join(root, decoded);
  if (!file.startsWith(root + path.sep) && file !== root) return null;
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    const real = fs.realpathSync(file);   // a symlink must not lead out of the site either
    if (!real.startsWith(fs.realpathSync(root) + path.sep) || !fs.statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

function reply(res, status, text) {
  res.writeHead(status, { ...ISOLATION, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts the server; resolves to { server, url } once it listens. */
export function serve({ root = path.join(ROOT, 'build', 'web'), port = 8080, host = HOST, base = '/' } = {}) {
  const site = path.resolve(root);
  if (!base.startsWith('/') || !base.endsWith('/')) throw new Error(`the base path must start and end with "/", got "${base}"`);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      reply(res, 405, 'method not allowed\n');
      return;
    }
    const { pathname } = new URL(req.url, 'http://localhost');
    if (`${pathname}/` === base) {   // the subpath without its slash: relative URLs need the slash
      res.writeHead(301, { ...ISOLATION, Location: base });
      res.end();
      return;
    }
    const file = pathname.startsWith(base) ? resolveFile(site, `/${pathname.slice(base.length)}`) : null;
    if (!file) { reply(res, 404, 'not found\n'); return; }
    const { size } = fs.statSync(file);
    res.writeHead(200, {
      ...ISOLATION,
      'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
    });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, url: `http://${host}:${server.address().port}${base}` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, root: { type: 'string' }, base: { type: 'string' } } });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: the port must be a whole number in [0, 65535], got "${values.port ?? process.env.PORT}"`);
    process.exit(1);
  }
  const root = values.root ? path.resolve(values.root) : undefined;
  if (!fs.existsSync(path.join(root ?? path.join(ROOT, 'build', 'web'), 'index.html'))) {
    console.error('serve: no page to serve yet; run: node tools/build-web.js (npm start does both)');
    process.exit(1);
  }
  const base = values.base ? `/${values.base.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/') : '/';
  serve({ root, port, base }).then(({ url }) => {
    console.log(`wasmgen page: ${url}`);
  }, (e) => {
    console.error(e.code === 'EADDRINUSE' ? `serve: port ${port} is in use; pick another, e.g. PORT=9000 npm start` : `serve: ${e.message}`);
    process.exit(1);
  });
}
