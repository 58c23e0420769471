// cli-util.js — argument parsing and file helpers shared by the CLI's commands.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { init, WasmgenError } from '../wasm/node.js';

let engineOptions = {};

/**
 * Takes the global --threads N (or --threads=N) out of a command's arguments; every command then
 * opens the engine with that many threads (default: the hardware's, at most 4).
 */
export function takeThreadsOption(args) {
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    let text;
    if (args[i] === '--threads') text = args[++i] ?? '';
    else if (args[i].startsWith('--threads=')) text = args[i].slice('--threads='.length);
    else { rest.push(args[i]); continue; }
    const threads = number('threads', text, { integer: true, min: 1 });
    if (threads > 8) throw new UsageError(`--threads must be at most 8, got "${text}"`);
    engineOptions = { threads };
  }
  return rest;
}

/** The wasmgen API with the thread count chosen on the command line. */
export function openWasmgen() {
  return init(engineOptions);
}

/** A mistake in the command line: the CLI prints the message and the usage, exit 2. */
export class UsageError extends Error {}

export function number(name, text, { integer = false, min = -Infinity } = {}) {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}, got "${text}"`);
  }
  return v;
}

export function parse(args, options, { positionals = false } = {}) {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals });
    return positionals ? { ...parsed.values, _: parsed.positionals } : parsed.values;
  } catch (e) {
    throw new UsageError(e.message);
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves half a checkpoint. */
export function writeAtomic(file, bytes) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

export function readFile(file, what) {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new WasmgenError(`cannot read ${what} ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, 1);
  }
}

