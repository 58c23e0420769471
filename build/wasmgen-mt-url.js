// wasmgen-mt-url.js — where the threaded wasm core is, written so bundlers see it (as
// build/wasmgen-url.js does for the single-thread core). wasm/threads.js imports this URL, so a
// bundle carries build/wasmgen-mt.wasm only when threads.js is reached.
//
//   import wasmgenMtWasmUrl from '../build/wasmgen-mt-url.js';   // URL of build/wasmgen-mt.wasm

export default new URL('./wasmgen-mt.wasm', import.meta.url);
