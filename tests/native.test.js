// The native C test suite (gradient checks, SIMD-vs-scalar, PyTorch/Pillow/SciPy fixtures, parsers,
// checkpoints), run twice: built natively with AddressSanitizer and UndefinedBehaviorSanitizer (SSE
// kernels), and compiled to wasm with the product's flags (build/wasmgen_tests.cjs, wasm-SIMD
// kernels, which is what users run). Both must pass exactly the tests in
// tests/native/expected-tests.txt, so a test or suite that silently stops running fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';

/** "suite NAME" and test names from expected-tests.txt, in run order. */
function expectedLines() {
  return fs.readFileSync(path.join(ROOT, 'tests', 'native', 'expected-tests.txt'), 'utf8')
    .split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.trim());
}

/** The same lines as the suite reports them on stdout ("# suite x", "ok test_y"). */
function reportedLines(stdout) {
  return stdout.split('\n').flatMap((l) => {
    if (l.startsWith('# suite ')) return [l.slice(2)];
    if (l.startsWith('ok ')) return [l.slice(3)];
    return [];
  });
}

function checkRun(r, what, backend) {
  if (r.error) throw new Error(`cannot run ${what} (run bash build.sh first): ${r.error.message}`);
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`^# simd\\.h backend: ${backend}$`, 'm'));
  const expected = expectedLines();
  const got = reportedLines(r.stdout);
  const missing = expected.filter((n) => !got.includes(n));
  const extra = got.filter((n) => !expected.includes(n));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] },
    `${what}: the tests that ran differ from tests/native/expected-tests.txt`);
  assert.deepEqual(got, expected, `${what}: tests ran in a different order than expected-tests.txt`);
  const nTests = expected.filter((n) => !n.startsWith('suite ')).length;
  assert.equal(r.stdout.trim().split('\n').at(-1), `${nTests} passed, 0 failed`);
}

test('native C tests pass under ASan + UBSan (SSE kernels), exactly the expected list', () => {
  const exe = path.join(ROOT, 'build', 'native', 'wasmgen_tests');
  const r = spawnSync(exe, [], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  checkRun(r, exe, 'sse2');
});

test('the same C tests pass compiled to wasm SIMD: kernels vs references and scalar twins', () => {
  const js = path.join(ROOT, 'build', 'wasmgen_tests.cjs');
  const r = spawnSync(process.execPath, [js], { cwd: ROOT, encoding: 'utf8' });
  checkRun(r, js, 'wasm-simd128');
});
