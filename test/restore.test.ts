// setWeights checks what it restores before anything changes (the class, every variable, slot,
// shape and dtype), and keeps no copy of what it was given: memory is flat across restores.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-node';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { backendReady } from './helpers';
import { createOptimizer, LBFGS } from '../src/optim';

before(() => backendReady);

let serial = 0;

/** An optimizer after two steps on a [2, 3] variable, and a copy of its weights. */
async function trained(name: string, options: Record<string, unknown> = { lr: 0.1 }) {
  const v = tf.variable(tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]), true, `restore${serial++}`);
  const optimizer = createOptimizer(name, options);
  for (let t = 0; t < 2; t++) tf.tidy(() => optimizer.applyGradients({ [v.name]: tf.mul(tf.onesLike(v), t + 1) }));
  const saved = (await optimizer.getWeights()).map(({ name: n, tensor }) => ({ name: n, tensor: tensor.clone() }));
  return { v, optimizer, saved, dispose: () => (optimizer.dispose(), v.dispose(), tf.dispose(saved.map((w) => w.tensor))) };
}

/** The state of an optimizer as plain numbers, to show that a refused restore changed nothing. */
async function snapshot(optimizer: tf.Optimizer) {
  const weights = await optimizer.getWeights();
  return { iterations: optimizer.iterations, weights: weights.map((w) => [w.name, Array.from(w.tensor.dataSync())]) };
}

describe('refused restores change nothing', () => {
  for (const [from, into] of [['adam', 'sgd'], ['sgd', 'adam'], ['adam', 'rmsprop'], ['adam', 'lbfgs']]) {
    test(`${from}'s state into ${into}`, async () => {
      const source = await trained(from, from === 'sgd' ? { lr: 0.1, momentum: 0.9 } : { lr: 0.1 });
      const target = createOptimizer(into);
      const before = await snapshot(target);
      const className = source.optimizer.getClassName();
      await assert.rejects(target.setWeights(source.saved), new RegExp(`saved by ${className}, not ${target.getClassName()}: restore them into a ${className}`));
      assert.deepEqual(await snapshot(target), before);
      target.dispose();
      source.dispose();
    });
  }

  test('a missing slot, a wrong shape or dtype, an unknown variable, an empty list, no header', async () => {
    const { v, saved, dispose } = await trained('adam', { lr: 0.1, amsgrad: true });
    const target = await trained('adam', { lr: 0.1, amsgrad: true });
    const before = await snapshot(target.optimizer);
    const slot = (s: string) => saved.findIndex((w) => w.name === `${v.name}/${s}`);
    const replaced = (i: number, w: NamedTensor) => saved.map((x, j) => (j === i ? w : x));
    const wrongShape = tf.zeros([3, 2]);
    const wrongDtype = tf.zeros([2, 3], 'int32');
    const cases: Array<[NamedTensor[], RegExp]> = [
      [saved.filter((_, i) => i !== slot('maxExpAvgSq')), /state for '.*' lacks slot 'maxExpAvgSq' \(Adam keeps expAvg, expAvgSq, maxExpAvgSq/],
      [replaced(slot('expAvg'), { name: `${v.name}/expAvg`, tensor: wrongShape }), /has slot 'expAvg' of shape \[3,2\], expected \[2,3\]/],
      [replaced(slot('expAvg'), { name: `${v.name}/expAvg`, tensor: wrongDtype }), /has slot 'expAvg' of dtype int32, expected float32/],
      [[...saved, { name: `${v.name}/momentumBuffer`, tensor: wrongShape }], /has slot 'momentumBuffer', which Adam does not keep/],
      [saved.map((w) => ({ ...w, name: w.name.replace(v.name, 'no_such_variable') })), /state for 'no_such_variable', but no variable of that name exists/],
      [saved.filter((w) => w.name !== `${v.name}/step:f64`), /lacks the number 'step:f64'/],
      [[], /no weights given/],
      [saved.filter((w) => w.name !== '@optimizer'), /hold no '@optimizer' record/],
      [saved.filter((w) => w.name !== 'iter'), /hold no 'iter'/],
      [[...saved, saved[2]], /is given twice/],
    ];
    for (const [weights, message] of cases) {
      await assert.rejects(target.optimizer.setWeights(weights), message);
      assert.deepEqual(await snapshot(target.optimizer), before, String(message));
    }
    // The restore brings the groups' options with the state: amsgrad comes back on with its slot.
    const plain = createOptimizer('adam', { lr: 0.5 }) as unknown as { paramGroups: Array<Record<string, unknown>> } & tf.Optimizer;
    await plain.setWeights(saved);
    assert.deepEqual([plain.paramGroups[0].amsgrad, plain.paramGroups[0].lr], [true, 0.1]);
    plain.dispose();
    tf.dispose([wrongShape, wrongDtype]);
    target.dispose();
    dispose();
  });

  test('L-BFGS state of inconsistent shapes is refused', async () => {
    const x = tf.variable(tf.tensor1d([-1.2, 1, 0.5]));
    const f = () => tf.sum(tf.square(tf.sub(x, 1))) as tf.Scalar;
    const optimizer = new LBFGS({ maxIter: 3 });
    tf.dispose(optimizer.minimize(f, true, [x]) ?? []);
    tf.dispose(optimizer.minimize(f, true, [x]) ?? []);
    const saved = await optimizer.getWeights();
    const short = tf.zeros([2]);
    const bad = saved.map((w) => (w.name === 'lbfgs/d' ? { name: w.name, tensor: short } : w));
    const fresh = new LBFGS({ maxIter: 3 });
    await assert.rejects(fresh.setWeights(bad), /'lbfgs\/d' and 'lbfgs\/prevFlatGrad' must be vectors of one length/);
    await assert.rejects(fresh.setWeights(saved.filter((w) => w.name !== 'lbfgs/ro')), /the history needs all of/);
    assert.deepEqual(fresh.counters, { funcEvals: 0, nIter: 0 });
    tf.dispose([short, x]);
    optimizer.dispose();
    fresh.dispose();
  });
});

describe('memory', () => {
  test('restoring a 1M-parameter Adam five times holds no extra copy', async () => {
    const v = tf.variable(tf.zeros([1000, 1000]), true, `restore${serial++}`);
    const optimizer = createOptimizer('adam');
    tf.tidy(() => optimizer.applyGradients({ [v.name]: tf.onesLike(v) }));
    const saved = (await optimizer.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    await optimizer.setWeights(saved);
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 4; i++) await optimizer.setWeights(saved);
    assert.equal(tf.memory().numBytes, bytes, 'flat across restores');
    tf.dispose(saved.map((w) => w.tensor));
    const afterInputsFreed = tf.memory().numBytes;
    tf.tidy(() => optimizer.applyGradients({ [v.name]: tf.onesLike(v) }));
    assert.equal(tf.memory().numBytes, afterInputsFreed, 'the restored state does not depend on the given tensors');
    optimizer.dispose();
    v.dispose();
  });
});
