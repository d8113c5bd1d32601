// AveragedModel (SWA and EMA) against torch's goldens, its memory, its validation, and evaluating a
// LayersModel with the averaged weights.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { createAveragedModel } from '../src/optim';

before(() => backendReady);

interface AveragedCase {
  kind: string;
  avg_fn: 'swa' | 'ema';
  decay?: number;
  shapes: number[][];
  init: number[][];
  params: number[][][];
  expected: number[][][];
}
const golden = JSON.parse(readFileSync(resolve(__dirname, '../../shared/golden/torch-extras.json'), 'utf8'));
const cases: AveragedCase[] = golden.cases.filter((c: AveragedCase) => c.kind === 'averaged');

let serial = 0;
const variablesOf = (values: number[][], shapes: number[][]) =>
  values.map((v, i) => tf.variable(tf.tensor(v, shapes[i]), true, `swa_test_${serial++}`));

function assign(vars: tf.Variable[], values: number[][]): void {
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i], v.shape))));
}

describe('AveragedModel', () => {
  for (const c of cases) {
    test(`torch's ${c.avg_fn}${c.decay !== undefined ? ` (decay ${c.decay})` : ''}`, () => {
      const vars = variablesOf(c.init, c.shapes);
      const model = createAveragedModel(vars, { avgFn: c.avg_fn, ...(c.decay !== undefined && { decay: c.decay }) });
      c.params.forEach((values, t) => {
        assign(vars, values);
        model.updateParameters();
        const avg = model.averagedParams();
        vars.forEach((v, i) =>
          Array.from(avg[v.name].dataSync()).forEach((a, j) => {
            const e = c.expected[t][i][j];
            assert.ok(Math.abs(a - e) <= 1e-5 + 1e-4 * Math.abs(e), `update ${t + 1}, param ${i}[${j}]: ${a} != ${e}`);
          }),
        );
      });
      model.dispose();
      tf.dispose(vars);
    });
  }

  test('SWA is the mean of the updates; EMA starts with a copy; no tensor leaks', () => {
    const vars = variablesOf([[0, 0]], [[2]]);
    const before = tf.memory().numTensors;
    const swa = createAveragedModel(vars);
    const ema = createAveragedModel(vars, { avgFn: 'ema', decay: 0.75 });
    const values = [[1, 2], [3, -2], [8, 6]];
    assign(vars, [values[0]]);
    swa.updateParameters();
    ema.updateParameters();
    assert.deepEqual(Array.from(ema.averagedParams()[vars[0].name].dataSync()), [1, 2], 'first EMA update copies');
    assign(vars, [values[1]]);
    swa.updateParameters();
    ema.updateParameters();
    const afterTwo = tf.memory().numTensors;
    assign(vars, [values[2]]);
    swa.updateParameters();
    ema.updateParameters();
    assert.equal(tf.memory().numTensors, afterTwo, 'updates leak nothing');
    assert.deepEqual(Array.from(swa.averagedParams()[vars[0].name].dataSync()), [4, 2]);
    // 0.75·(0.75·[1, 2] + 0.25·[3, -2]) + 0.25·[8, 6]
    assert.deepEqual(Array.from(ema.averagedParams()[vars[0].name].dataSync()), [3.125, 2.25]);
    assert.equal(swa.nAveraged, 3);
    swa.dispose();
    ema.dispose();
    assert.equal(tf.memory().numTensors, before, 'dispose frees the averages');
    tf.dispose(vars);
  });

  test('withAveragedWeights evaluates a LayersModel with the averages, then restores its weights', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
    const swa = createAveragedModel(model);
    const [kernel, bias] = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.tensor2d([[1, 2]]);
    const setWeights = (k: number[], b: number) => model.setWeights([tf.tensor2d(k, [2, 1]), tf.tensor1d([b])]);
    setWeights([1, 1], 1);
    swa.updateParameters();
    setWeights([3, 5], -1);
    swa.updateParameters();
    setWeights([10, 10], 10); // the raw weights now; the average is kernel [2, 3], bias 0
    const raw = kernel.dataSync().slice();
    const before = tf.memory().numTensors;
    const averaged = await swa.withAveragedWeights(() => model.predict(x) as tf.Tensor);
    assert.deepEqual(Array.from(averaged.dataSync()), [2 * 1 + 3 * 2 + 0]);
    averaged.dispose();
    assert.deepEqual(kernel.dataSync(), raw, 'the raw kernel is back');
    assert.deepEqual(Array.from(bias.dataSync()), [10]);
    await assert.rejects(
      swa.withAveragedWeights(() => {
        throw new Error('evaluation failed');
      }),
      /evaluation failed/,
    );
    assert.deepEqual(kernel.dataSync(), raw, 'restored after a throw');
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    swa.dispose();
    model.dispose();
    x.dispose();
  });

  test('a model restored from stateDict averages on exactly as the uninterrupted one', () => {
    for (const avgFn of ['swa', 'ema'] as const) {
      const vars = variablesOf([[0, 0, 0]], [[3]]);
      const values = [[1, 2, 3], [0.5, -1, 2], [3, 3, -3], [0.1, 0.2, 0.3], [-2, 5, 1]];
      const running = createAveragedModel(vars, { avgFn, decay: 0.7 });
      values.slice(0, 3).forEach((v) => (assign(vars, [v]), running.updateParameters()));
      const saved = JSON.parse(JSON.stringify(running.stateDict()));
      const restored = createAveragedModel(vars, { avgFn, decay: 0.7 });
      restored.loadStateDict(saved);
      const before = tf.memory().numTensors;
      values.slice(3).forEach((v) => (assign(vars, [v]), running.updateParameters(), restored.updateParameters()));
      assert.equal(tf.memory().numTensors, before, 'loading and updating leak nothing');
      assert.equal(restored.nAveraged, 5);
      assert.deepEqual(restored.averagedParams()[vars[0].name].dataSync(), running.averagedParams()[vars[0].name].dataSync(), avgFn);
      const other = createAveragedModel(vars, { avgFn: avgFn === 'swa' ? 'ema' : 'swa' });
      assert.throws(() => other.loadStateDict(saved), /the state averages with/);
      const wider = variablesOf([[0, 0, 0, 0]], [[4]]);
      const widerModel = createAveragedModel(wider, { avgFn, decay: 0.7 });
      assert.throws(() => widerModel.loadStateDict(saved), /average 0 .* has shape \[3\], the variable has \[4\]/);
      [running, restored, other, widerModel].forEach((m) => m.dispose());
      tf.dispose([...vars, ...wider]);
    }
  });

  test('bad options are refused with what to do, before anything is made', () => {
    const vars = variablesOf([[1]], [[1]]);
    const before = tf.memory().numTensors;
    assert.throws(() => createAveragedModel(vars, { avgFn: 'ema', decay: 1.5 }), /Invalid decay value 1.5 provided. Please provide a value in \[0,1\] range./);
    assert.throws(() => createAveragedModel(vars, { avgFn: 'mean' as 'swa' }), /avgFn must be 'swa' or 'ema', got 'mean'/);
    assert.throws(() => createAveragedModel(vars, { decai: 0.9 } as object), /no option 'decai' \(did you mean 'decay'\?\)/);
    assert.throws(() => createAveragedModel([]), /needs an array of tf.Variable/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(vars);
  });
});
