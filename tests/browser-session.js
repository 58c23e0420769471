// browser-session.js — what the browser tests share: the built page served on a free port and
// Debian's Chromium (playwright-core) in a persistent profile, with every request that is not
// to 127.0.0.1 blocked and recorded, and page errors collected.
//
//   let page;
//   const session = useBrowserSession((s) => { page = s.page; });   // in a test file: opened before, closed after
//   test('...', async () => { await page.goto(session.url); await session.waitForText('data-status', /images/); });
//
// or by hand: const s = await openBrowserSession({ outsideRequests, pageErrors }); ...; closeBrowserSession(s).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { buildWeb } from '../tools/build-web.js';
import { ROOT, tempDir } from './helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function openBrowserSession({ outsideRequests, pageErrors }) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: sudo apt-get install -y chromium`);
  const site = tempDir('wasmgen-web-');
  buildWeb(site);
  const server = spawn(process.execPath, [path.join(ROOT, 'tools', 'serve.js'), '--port', '0', '--root', site], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`serve.js exited with ${code}`)));
    server.stdout.on('data', (chunk) => {
      const match = /wasmgen page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(String(chunk));
      if (match) resolve(match[1]);
    });
  });
  const context = await chromium.launchPersistentContext(tempDir('wasmgen-chromium-'), {
    executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS, viewport: { width: 1280, height: 800 },
  });
  await context.route('**/*', (route) => {
    if (new URL(route.request().url()).hostname === '127.0.0.1') return route.continue();
    outsideRequests.push(route.request().url());
    return route.abort();
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { server, context, page, url };
}

export async function closeBrowserSession(session) {
  await session?.context?.close();
  session?.server?.kill();
}

/** Waits until element `id`'s text matches `pattern`; a timeout names what the page showed. */
export async function waitForText(page, id, pattern, timeout = 10000) {
  try {
    await page.waitForFunction(([id, source]) => new RegExp(source).test(document.getElementById(id).textContent),
      [id, pattern.source], { timeout });
  } catch (e) {
    const shown = await page.textContent(`#${id}`);
    const messages = await page.locator('.message').allTextContents();
    throw new Error(`#${id} never matched ${pattern}: it shows "${shown}"; messages: ${JSON.stringify(messages)}`);
  }
}

/** Waits until the page's step counter shows at least `step`. */
export async function waitForStep(page, step, timeout = 600000) {
  await page.waitForFunction((t) => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= t, step, { timeout, polling: 50 });
}

/**
 * The page's model as checkpoint bytes, and the seconds since the page's window.startedAt (set by
 * the caller at Start). Sets window.snapshotting on the page (a probe can skip the span: the copy
 * blocks the main thread); the caller clears it. The bytes cross to Node as base64: an array of
 * millions of numbers would take minutes.
 */
export async function checkpointFromPage(page) {
  const snap = await page.evaluate(async () => {
    window.snapshotting = true;
    const seconds = (performance.now() - window.startedAt) / 1000;
    const bytes = await wasmgen.client.save();
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { seconds, base64: btoa(text) };
  });
  return { seconds: snap.seconds, bytes: new Uint8Array(Buffer.from(snap.base64, 'base64')) };
}

/**
 * One session for the calling test file: registers its before/after hooks and returns an object
 * whose server, context, page and url are set once the session is open; outsideRequests and
 * pageErrors collect from the start; waitForText(id, pattern, timeout) works on its page.
 * `ready(session)` runs in the same before hook, after opening: node 20 runs a file's top-level
 * before hooks concurrently, so a second hook could not rely on the session being open.
 */
export function useBrowserSession(ready = () => {}) {
  const session = { outsideRequests: [], pageErrors: [] };
  session.waitForText = (id, pattern, timeout) => waitForText(session.page, id, pattern, timeout);
  before(async () => {
    Object.assign(session, await openBrowserSession(session));
    await ready(session);
  });
  after(async () => { await closeBrowserSession(session); });
  return session;
}
