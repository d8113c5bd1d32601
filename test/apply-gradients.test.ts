// applyGradients is all or nothing (every name, shape and dtype checked before any variable
// changes), and clips the whole gradient map first when the optimizer has clipping options.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-node';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { backendReady } from './helpers';
import { clipGradNorm, clipGradValue, createOptimizer, optimizerNames, TorchOptimizer } from '../src/optim';

before(() => backendReady);

let serial = 0;

function variables() {
  const a = tf.variable(tf.tensor1d([1, -2, 3]), true, `ag${serial++}/a`);
  const b = tf.variable(tf.tensor2d([[0.5, 4], [-1, 2]]), true, `ag${serial++}/b`);
  return { a, b, values: () => [Array.from(a.dataSync()), Array.from(b.dataSync())], dispose: () => tf.dispose([a, b]) };
}

describe('all or nothing', () => {
  const perOptimizer = optimizerNames.filter((n) => n !== 'lbfgs');
  for (const name of perOptimizer) {
    test(`${name}: a bad entry anywhere in the map changes no variable, no state and not the iteration count`, () => {
      const v = variables();
      const optimizer = createOptimizer(name, { lr: 0.1 }) as TorchOptimizer<{ lr: number }>;
      const good = tf.tensor1d([0.1, 0.2, 0.3]);
      const cases: Array<[tf.NamedTensorMap | NamedTensor[], RegExp]> = [
        [{ [v.a.name]: good, nope: tf.tensor1d([1]) }, /no variable named 'nope'/],
        [{ [v.a.name]: good, [v.b.name]: tf.scalar(1) }, new RegExp(`the gradient for '${v.b.name}' has shape \\[\\], but the variable has shape \\[2,2\\]`)],
        [{ [v.b.name]: tf.ones([2, 2]), [v.a.name]: tf.tensor1d([1]) }, /has shape \[1\], but the variable has shape \[3\]; they must be equal/],
        [{ [v.a.name]: good, [v.b.name]: tf.ones([4]) }, /has shape \[4\], but the variable has shape \[2,2\]/],
        [{ [v.a.name]: good, [v.b.name]: tf.ones([2, 2], 'int32') }, /is int32, but the variable is float32/],
        [{ [v.a.name]: good, [v.b.name]: [1, 2, 3, 4] as unknown as tf.Tensor }, /is not a live tf.Tensor/],
        [[{ name: v.a.name, tensor: good }, { name: v.a.name, tensor: good }], /two gradients for/],
      ];
      const before = v.values();
      for (const [grads, message] of cases) {
        assert.throws(() => optimizer.applyGradients(grads), message);
        assert.deepEqual(v.values(), before, 'no variable changed');
        assert.equal(optimizer.iterations, 0);
        assert.deepEqual(optimizer.statefulVariableNames, []);
      }
      tf.dispose([good, ...cases.flatMap(([g]) => (Array.isArray(g) ? [] : Object.values(g).filter((t) => t instanceof tf.Tensor)))]);
      optimizer.dispose();
      v.dispose();
    });
  }
});

describe('clipping inside applyGradients', () => {
  /** The trajectory of an optimizer with clipping options against clipping by hand before a plain one. */
  function compare(options: Record<string, unknown>, clip: (g: tf.NamedTensorMap) => tf.NamedTensorMap) {
    const grads = (v: ReturnType<typeof variables>, t: number) => ({
      [v.a.name]: tf.tensor1d([3, -4, 12].map((x) => x * (t + 1))),
      [v.b.name]: tf.tensor2d([[1, -0.5], [2, 0.25]].map((r) => r.map((x) => x / (t + 1)))),
    });
    const trajectory = (withOptions: boolean) => {
      const v = variables();
      const optimizer = createOptimizer('adam', { lr: 0.1, ...(withOptions ? options : {}) });
      for (let t = 0; t < 3; t++) {
        const g = grads(v, t);
        const used = withOptions ? g : clip(g);
        optimizer.applyGradients(used);
        tf.dispose([...Object.values(g), ...(withOptions ? [] : Object.values(used))]);
      }
      const out = v.values();
      optimizer.dispose();
      v.dispose();
      return out;
    };
    const byHand = trajectory(false);
    assert.deepEqual(trajectory(true), byHand);
    const v = variables();
    const unclipped = createOptimizer('adam', { lr: 0.1 });
    for (let t = 0; t < 3; t++) {
      const g = grads(v, t);
      unclipped.applyGradients(g);
      tf.dispose(Object.values(g));
    }
    assert.notDeepEqual(v.values(), byHand, 'the clipping changes the trajectory');
    unclipped.dispose();
    v.dispose();
  }

  test('clipGradNorm (any norm type) clips the whole map as clipGradNorm() does', () => {
    compare({ clipGradNorm: 1 }, (g) => clipGradNorm(g, 1).grads);
    compare({ clipGradNorm: 2, clipGradNormType: 'inf' }, (g) => clipGradNorm(g, 2, 'inf').grads);
    compare({ clipGradNorm: 3, clipGradNormType: 1 }, (g) => clipGradNorm(g, 3, 1).grads);
  });

  test('clipGradValue clamps every element; with both, the norm is clipped first', () => {
    compare({ clipGradValue: 0.5 }, (g) => clipGradValue(g, 0.5));
    compare({ clipGradNorm: 5, clipGradValue: 0.5 }, (g) => {
      const byNorm = clipGradNorm(g, 5).grads;
      const out = clipGradValue(byNorm, 0.5);
      tf.dispose(Object.values(byNorm));
      return out;
    });
  });

  test('no leaks, the options are in the config, and bad values are refused', () => {
    const v = variables();
    const optimizer = createOptimizer('sgd', { lr: 0.1, momentum: 0.9, clipGradNorm: 0.5, clipGradValue: 0.1 });
    const step = () => tf.tidy(() => optimizer.applyGradients({ [v.a.name]: tf.ones([3]), [v.b.name]: tf.ones([2, 2]) }));
    step();
    step();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    const config = optimizer.getConfig();
    assert.deepEqual([config.clipGradNorm, config.clipGradNormType, config.clipGradValue], [0.5, 2, 0.1]);
    const copy = createOptimizer('sgd', config as Record<string, unknown>);
    assert.deepEqual(copy.getConfig(), config);
    copy.dispose();
    optimizer.dispose();
    v.dispose();
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ clipGradNorm: -1 }, /SGD option 'clipGradNorm' must be a number >= 0, got -1/],
      [{ clipGradNorm: '1' }, /'clipGradNorm' must be a number >= 0/],
      [{ clipGradNorm: 1, clipGradNormType: 0 }, /'clipGradNormType' must be a number > 0 or 'inf'/],
      [{ clipGradNorm: 1, clipGradNormType: 'max' }, /'clipGradNormType' must be a number > 0 or 'inf'/],
      [{ clipGradValue: Infinity }, /'clipGradValue' must be a finite number >= 0/],
    ];
    for (const [options, message] of refused) assert.throws(() => createOptimizer('sgd', options), message);
    assert.throws(() => createOptimizer('lbfgs', { clipGradNorm: 1 }), /LBFGS has no option 'clipGradNorm'/);
    assert.throws(() => createOptimizer('sgd', { paramGroups: [{ params: ['x'], clipGradNorm: 1 }] }), /paramGroups\[0\] has no option 'clipGradNorm'/);
  });
});
