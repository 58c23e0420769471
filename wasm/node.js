// node.js — the package entry in Node (the "node" condition of package.json "exports"): the
// browser entry, wasm/index.js, plus reading files from disk, which Node's fetch cannot do for
// file: URLs. Keeping node:fs here keeps it out of browser bundles.
//
//   import { init } from 'wasmgen';          // in Node this module; in bundlers wasm/index.js
//   const wg = await init();                 // reads build/wasmgen.wasm from the package folder

import { readFile, access } from 'node:fs/promises';
import { setFileAccess } from './files.js';
import { WasmgenError } from './core.js';

setFileAccess({
  read: async (location) => {
    try {
      return new Uint8Array(await readFile(location));
    } catch (e) {
      throw new WasmgenError(`cannot read ${location}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, 2);
    }
  },
  exists: async (location) => { try { await access(location); return true; } catch { return false; } },
});

export * from './index.js';
