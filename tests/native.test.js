// The native C test suite (gradient checks, SIMD-vs-scalar, parsers, checkpoints), built by
// build.sh with AddressSanitizer and UndefinedBehaviorSanitizer, run from the same test command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './helpers.js';

test('native C tests pass under ASan + UBSan', () => {
  const exe = path.join(ROOT, 'build', 'native', 'wasmgen_tests');
  const r = spawnSync(exe, [], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  if (r.error) throw new Error(`cannot run ${exe} (run bash build.sh first): ${r.error.message}`);
  const summary = r.stdout.trim().split('\n').at(-1);
  assert.equal(r.status, 0, `native tests failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(summary, /^\d+ passed, 0 failed$/);
  const passed = Number(summary.split(' ')[0]);
  assert.ok(passed >= 55, `expected the full native suite, got ${summary}`);
});
