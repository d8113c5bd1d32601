// clipGradNorm and clipGradValue against hand computations (float64) of torch.nn.utils'
// clip_grad_norm_ / clip_grad_value_, new tensors out, inputs untouched, nothing leaked.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { clipGradNorm, clipGradValue } from '../src/optim';

before(() => backendReady);

const values = { a: [3, -4, 0.5], b: [[1, -12], [0.25, 2]] };
const flat = [3, -4, 0.5, 1, -12, 0.25, 2];
const grads = () => ({ a: tf.tensor1d(values.a), b: tf.tensor2d(values.b) });

/** torch's total norm: the p-norm of the per-tensor p-norms. */
function handNorm(p: number): number {
  const norm = (xs: number[]) => (p === Infinity ? Math.max(...xs.map(Math.abs)) : xs.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p));
  return norm([norm(values.a), norm(values.b.flat())]);
}

function close(actual: number[], expected: number[], what: string) {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= 1e-6 + 1e-5 * Math.abs(expected[i]), `${what}[${i}]: ${a} != ${expected[i]}`));
}

describe('clipGradNorm', () => {
  for (const [normType, p] of [[2, 2], [1, 1], [3, 3], [0.5, 0.5], ['inf', Infinity], [Infinity, Infinity]] as const) {
    test(`norm type ${normType}: total norm before clipping, every gradient times min(1, max / (total + 1e-6))`, () => {
      const total = handNorm(p);
      for (const maxNorm of [total / 4, total * 2]) {
        const input = grads();
        const before = tf.memory().numTensors;
        const out = clipGradNorm(input, maxNorm, normType);
        assert.equal(tf.memory().numTensors, before + 2, 'two new tensors, nothing else kept');
        close([out.totalNorm], [total], 'totalNorm');
        const coefficient = Math.min(1, maxNorm / (total + 1e-6));
        close([...out.grads.a.dataSync(), ...out.grads.b.dataSync()], flat.map((x) => x * coefficient), 'clipped');
        assert.notEqual(out.grads.a, input.a);
        close([...input.a.dataSync(), ...input.b.dataSync()], flat, 'the inputs are untouched');
        tf.dispose([...Object.values(out.grads), ...Object.values(input)]);
      }
    });
  }

  test("PyTorch's 1e-6 shows on small gradients", () => {
    const g = { x: tf.tensor1d([3e-6, 4e-6]) };
    const out = clipGradNorm(g, 1e-6);
    close(Array.from(out.grads.x.dataSync()), [3e-6 * (1e-6 / 6e-6), 4e-6 * (1e-6 / 6e-6)], 'clipped');
    tf.dispose([g.x, out.grads.x]);
  });

  test('errorIfNonfinite, an empty map, and bad arguments', () => {
    const g = { x: tf.tensor1d([1, Infinity]) };
    const before = tf.memory().numTensors;
    assert.throws(() => clipGradNorm(g, 1, 2, { errorIfNonfinite: true }), /total norm of order 2 of the gradients is non-finite/);
    const nan = clipGradNorm(g, 1);
    assert.equal(nan.totalNorm, Infinity, 'without the flag it scales as PyTorch does');
    tf.dispose(nan.grads.x);
    assert.equal(tf.memory().numTensors, before, 'nothing left behind, the error case included');
    assert.deepEqual(clipGradNorm({}, 1), { grads: {}, totalNorm: 0 });
    assert.throws(() => clipGradNorm(g, -1), /clipGradNorm: maxNorm must be a number >= 0, got -1/);
    assert.throws(() => clipGradNorm(g, 1, 0), /normType must be a number > 0 or 'inf', got 0/);
    assert.throws(() => clipGradNorm({ x: [1] } as never, 1), /grads\['x'\] is not a live tf.Tensor/);
    g.x.dispose();
  });
});

describe('clipGradValue', () => {
  test('clamps every element to [-v, v], new tensors, inputs untouched', () => {
    const input = grads();
    const out = clipGradValue(input, 2);
    assert.deepEqual([...out.a.dataSync(), ...out.b.dataSync()], flat.map((x) => Math.max(-2, Math.min(2, x))));
    assert.deepEqual([...input.a.dataSync(), ...input.b.dataSync()], flat);
    assert.throws(() => clipGradValue(input, -1), /clipValue must be a finite number >= 0, got -1/);
    tf.dispose([...Object.values(out), ...Object.values(input)]);
  });
});
