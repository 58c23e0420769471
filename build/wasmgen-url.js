// wasmgen-url.js — where the wasm core is, written so bundlers see it. Vite and webpack copy a
// file into the bundle only when a module next to it names it literally as
// new URL('./file', import.meta.url); wasm/core.js imports this URL instead of building one.
// (A second wasm file, e.g. a threaded build, gets its own module of this shape beside it, so a
// bundle only carries the files its imports reach.)
//
//   import wasmgenWasmUrl from '../build/wasmgen-url.js';   // URL of build/wasmgen.wasm

export default new URL('./wasmgen.wasm', import.meta.url);
