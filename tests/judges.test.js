// judges.test.js — the classifiers that judge generated images (data/judge-*.safetensors) are
// what tools/make-judges.js makes: retraining the MNIST judge with its recipe gives the committed
// bytes, and the committed judges reach the test accuracy the README states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { init } from '../wasm/node.js';
import { JUDGES, judgePath, trainJudge } from '../tools/make-judges.js';

const wg = await init();

test('the committed MNIST judge is reproduced bit for bit by its recipe', async () => {
  const committed = fs.readFileSync(judgePath('mnist'));
  const { bytes, accuracy } = await trainJudge(wg, 'mnist');
  assert.ok(accuracy >= 0.98, `retrained MNIST judge: test accuracy ${accuracy}`);
  assert.equal(bytes.length, committed.length);
  assert.ok(Buffer.from(bytes).equals(committed), 'retrained MNIST judge differs from data/judge-mnist.safetensors');
});

for (const [name, minimum] of [['mnist', 0.98], ['fashion', 0.89]]) {
  test(`the ${name} judge is a lenet with test accuracy >= ${minimum}`, async () => {
    const judge = wg.loadModel(fs.readFileSync(judgePath(name)));
    assert.equal(judge.preset, 'lenet');
    assert.deepEqual(judge.config.seed, JUDGES[name].config.seed);
    const testSet = await wg.loadDataset(JUDGES[name].dataset, { split: 'test' });
    const { accuracy } = judge.evaluate(testSet);
    assert.ok(accuracy >= minimum, `${name} judge: test accuracy ${accuracy}`);
    // Not a constant answer: every class is predicted for some test image.
    const images = new Float32Array(500 * testSet.imageSize);
    for (let i = 0; i < 500; i++) testSet.image(i).forEach((v, k) => { images[i * testSet.imageSize + k] = v / 255; });
    assert.equal(new Set(judge.classify(images).labels).size, 10);
    testSet.dispose(); judge.dispose();
  });
}
