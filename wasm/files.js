// files.js — how the package reads its own files (the wasm core, built-in data) and files named
// by the caller. Browsers and bundlers get fetch(); Node's fetch cannot read file: URLs, so the
// Node entry (wasm/node.js, picked by the "node" export condition) installs a file-system reader.
// Nothing here imports node: modules, so browser bundles carry none.
//
//   setFileAccess({ read: (location) => bytes, exists: (path) => boolean });   // wasm/node.js does this
//   const bytes = await readBytes(new URL('./x.bin', import.meta.url));

import { WasmgenError } from './core.js';   // a cycle, safe: used only inside functions

let fileAccess = null;

/** Installs a reader for file: URLs and plain paths (Node). */
export function setFileAccess(access) { fileAccess = access; }

/** file: URLs, and (with a reader installed, i.e. in Node) strings without a scheme: paths. */
const isFileLocation = (location) => String(location).startsWith('file:') ||
  (!!fileAccess && typeof location === 'string' && !/^[a-z][a-z0-9+.-]+:/i.test(location));

/** The bytes at a URL (fetch) or, in Node, a file: URL or path. */
export async function readBytes(location) {
  if (isFileLocation(location)) {
    if (!fileAccess) {
      throw new WasmgenError(`cannot read ${location}: reading files needs Node (import 'wasmgen' there) or pass the bytes instead`, 1);
    }
    return fileAccess.read(location);
  }
  const res = await fetch(location);
  if (!res.ok) throw new WasmgenError(`cannot load ${location}: HTTP ${res.status}`, 2);
  return new Uint8Array(await res.arrayBuffer());
}

/** Whether a file exists (Node); elsewhere true, and a failed fetch reports a missing file. */
export async function fileExists(location) {
  return isFileLocation(location) && fileAccess ? fileAccess.exists(location) : true;
}
