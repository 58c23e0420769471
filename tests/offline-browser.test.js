// The built page as a static host serves it: under a subpath (/demos/wasmgen/, as on a shared
// host), and offline after the first visit (sw.js caches the site). Chromium loads the page under
// the subpath, waits for the service worker to finish caching, then the server is shut down and
// the page reloaded with the browser offline too: MNIST loads from the cache and training runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { buildWeb } from '../tools/build-web.js';
import { serve } from '../tools/serve.js';
import { CHROMIUM, waitForText } from './browser-session.js';
import { tempDir } from './helpers.js';

const BASE = '/demos/wasmgen/';
let server, url, context, page;
const requests = [], refused = [], pageErrors = [];

before(async () => {
  const site = tempDir('wasmgen-web-');
  buildWeb(site);
  ({ server, url } = await serve({ root: site, port: 0, base: BASE }));
  server.on('request', (req, res) => {
    requests.push(req.url);
    res.on('finish', () => { if (res.statusCode >= 400) refused.push(`${res.statusCode} ${req.url}`); });
  });
  context = await chromium.launchPersistentContext(tempDir('wasmgen-chromium-'), {
    executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic'],
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await context?.close();
  server?.close();
  server?.closeAllConnections?.();
});

test('under a subpath: every request stays inside it, MNIST loads, the manifest is linked', async () => {
  assert.ok(url.endsWith(BASE));
  await page.goto(url.slice(0, -1));   // without the trailing slash: redirected to the folder
  assert.equal(page.url(), url);
  await waitForText(page, 'data-status', /8,337 training images/, 20000);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.deepEqual(refused, [], 'no request missed the site (an absolute path would be a 404)');
  assert.ok(requests.every((u) => u.startsWith(BASE) || `${u}/` === BASE), `requests outside ${BASE}: ${requests.filter((u) => !u.startsWith(BASE))}`);
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel=manifest]').href;
    return { href, body: await (await fetch(href)).json() };
  });
  assert.equal(manifest.href, `${url}manifest.webmanifest`);
  assert.equal(manifest.body.start_url, './');
  assert.ok(manifest.body.icons.length >= 1 && manifest.body.name);
});

test('after the first visit it works with the network off: reload, load MNIST, train', async () => {
  // The service worker has cached every file when it is active (install waits for the cache).
  const cached = await page.evaluate(async () => {
    const registration = await wasmgen.offlineReady;
    if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    const cache = await caches.open((await caches.keys()).find((k) => k.startsWith('wasmgen-')));
    return { scope: registration.scope, files: (await cache.keys()).map((r) => new URL(r.url).pathname) };
  });
  assert.equal(cached.scope, url);
  for (const file of ['', 'index.html', 'app.js', 'wasm/worker.js', 'build/wasmgen.wasm', 'data/mnist-train-images.idx.gz']) {
    assert.ok(cached.files.includes(`${BASE}${file}`), `${file || 'the page'} is cached: ${cached.files.join(' ')}`);
  }
  assert.ok(!cached.files.some((f) => f.includes('/fashion/')), 'Fashion-MNIST waits until it is used');

  server.close();
  server.closeAllConnections();
  await context.setOffline(true);
  const before = requests.length;
  await page.reload();
  await waitForText(page, 'data-status', /8,337 training images/, 20000);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'cached responses keep COOP/COEP');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= 20, null, { timeout: 20000 });
  await page.waitForFunction(() => document.getElementById('samples').classList.contains('painted'));
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await waitForText(page, 'run-status', /Stopped at step/, 10000);
  assert.equal(requests.length, before, 'nothing reached the (closed) server');
  assert.deepEqual(pageErrors, []);
});
