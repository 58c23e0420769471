// Every input in tests/fuzz/regressions/ goes through its fuzz target's own checks (no crash,
// no sanitizer report, load -> save -> load round trips, two decodes agree), natively under
// ASan + UBSan (build/native/fuzz_replay), and through the wasm build's JS API.
// image_msan inputs were found under MemorySanitizer, which gcc lacks; ASan still replays them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage, WasmgenError } from '../wasm/node.js';
import { getWg, ROOT } from './helpers.js';

const DIR = path.join(ROOT, 'tests', 'fuzz', 'regressions');
const TARGET_OF = { checkpoint: 'checkpoint', image: 'image', image_msan: 'image', idx: 'idx' };
const inputs = (dir) => fs.readdirSync(path.join(DIR, dir)).filter((f) => !f.startsWith('.') && !f.endsWith('.md')).sort()
  .map((f) => path.join(DIR, dir, f));
const dirs = fs.readdirSync(DIR).filter((d) => fs.statSync(path.join(DIR, d)).isDirectory()).sort();

test('the regression folders are the known targets and none is empty', () => {
  for (const d of dirs) {
    assert.ok(d in TARGET_OF, `tests/fuzz/regressions/${d}: no fuzz target of that name`);
    assert.ok(inputs(d).length > 0, `tests/fuzz/regressions/${d} is empty`);
  }
  assert.ok(dirs.includes('checkpoint') && dirs.includes('image'));
});

for (const d of dirs) {
  test(`fuzz regressions ${d}/ replay cleanly under ASan + UBSan`, () => {
    const files = inputs(d);
    const r = spawnSync(path.join(ROOT, 'build', 'native', 'fuzz_replay'), [TARGET_OF[d], ...files], {
      encoding: 'utf8', timeout: 60000,
      // As libFuzzer's malloc limit in tools/fuzz.sh: a single allocation over 2 GB is a failure.
      env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:max_allocation_size_mb=2048:allocator_may_return_null=0' },
    });
    if (r.error) throw new Error(`fuzz_replay: ${r.error.message} (run bash build.sh first; a timeout means an input hangs)`);
    assert.equal(r.status, 0, `a regression input fails:\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.stdout.trim().split('\n'), files.map((f) => `ok ${f}`));
  });
}

test('fuzz regressions through the wasm build: checkpoints load or fail with a message, images decode twice alike or fail', async () => {
  const wg = await getWg();
  for (const d of dirs) {
    for (const file of inputs(d)) {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const name = path.relative(DIR, file);
      if (TARGET_OF[d] === 'checkpoint') {
        let model;
        try { model = wg.loadModel(bytes); } catch (e) {
          assert.ok(e instanceof WasmgenError && e.message.length > 10, `${name}: ${e}`);
          continue;
        }
        const again = wg.loadModel(model.save());   // what loads also re-saves and loads
        assert.equal(again.step, model.step, name);
        assert.deepEqual(again.config, model.config, name);
        model.dispose(); again.dispose();
      } else if (TARGET_OF[d] === 'image') {
        const decode = () => { try { return decodeImage(wg.core, bytes, { channels: 3 }); } catch (e) { assert.ok(e instanceof WasmgenError, `${name}: ${e}`); return null; } };
        const a = decode(), b = decode();
        assert.deepEqual(a && Array.from(a.data), b && Array.from(b.data), `${name}: two decodes differ`);
      }
    }
  }
});
