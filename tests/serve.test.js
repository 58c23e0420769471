// tools/serve.js: the page's headers and MIME types, and nothing outside the site folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { serve } from '../tools/serve.js';
import { tempDir } from './helpers.js';

let server, port;
const outside = tempDir('wasmgen-outside-');

before(async () => {
  const site = tempDir('wasmgen-site-');
  fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html>');
  fs.mkdirSync(path.join(site, 'build'));
  fs.writeFileSync(path.join(site, 'build', 'core.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  fs.mkdirSync(path.join(site, 'empty'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'not for the web');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(site, 'link.txt'));
  ({ server } = await serve({ root: site, port: 0 }));
  port = server.address().port;
});
after(() => server?.close());

/** A raw request, so paths like /../x reach the server exactly as written. */
function request(pathname, method = 'GET') {
  return new Promise((resolve, reject) => {
    http.request({ host: '127.0.0.1', port, path: pathname, method }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

test('pages and wasm are served cross-origin isolated with the right types', async () => {
  const page = await request('/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
  const wasm = await request('/build/core.wasm?v=1');
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.equal(wasm.headers['content-length'], '4');
  const head = await request('/index.html', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await request('/', 'POST')).status, 405);
});

test('nothing outside the site folder is reachable', async () => {
  const escapes = ['/../secret.txt', '/%2e%2e/secret.txt', '/build/..%2f..%2fsecret.txt', '/..\\secret.txt',
    `/${path.relative('/', outside)}/secret.txt`, '/link.txt', '/empty', '/missing.js', '/%00', '/%E0%A4%A'];
  for (const p of escapes) {
    const res = await request(p);
    assert.equal(res.status, 404, `${p} answered ${res.status}`);
    assert.doesNotMatch(res.body, /not for the web/);
  }
});
