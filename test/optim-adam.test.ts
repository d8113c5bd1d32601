// The Adam family (Adam, AdamW, NAdam, RAdam, SparseAdam) against hand computations in float64,
// written from the algorithms as PyTorch documents them, for the branches the golden cases in
// ../shared/golden do not reach; and every validation error.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { backendReady } from './helpers';
import { createOptimizer, OptimizerName } from '../src/optim';
import { smaLength } from '../src/optim/radam';

before(() => backendReady);

// ---- Running an optimizer ---------------------------------------------------------------------

interface Param {
  shape: number[];
  values: number[];
}

let serial = 0;

/** Feeds `grads[t][i]` to parameter i at step t; returns every parameter's values after each step. */
function trajectory(name: OptimizerName, options: Record<string, unknown>, params: Param[], grads: number[][][]) {
  const variables = params.map((p) => tf.variable(tf.tensor(p.values, p.shape, 'float32'), true, `adam_test_${serial++}`));
  const optimizer = createOptimizer(name, options);
  const after: number[][][] = [];
  try {
    for (const stepGrads of grads) {
      const named: tf.NamedTensorMap = {};
      variables.forEach((v, i) => (named[v.name] = tf.tensor(stepGrads[i], params[i].shape, 'float32')));
      optimizer.applyGradients(named);
      tf.dispose(Object.values(named));
      after.push(variables.map((v) => Array.from(v.dataSync())));
    }
  } finally {
    optimizer.dispose();
    variables.forEach((v) => v.dispose());
  }
  return after;
}

const vector = (...values: number[]): Param => ({ shape: [values.length], values });
/** Gradients of a single parameter, step by step, in `trajectory`'s [step][param] layout. */
const oneParam = (grads: number[][]) => grads.map((g) => [g]);

/** float32 against float64 over a few steps: well inside 1e-6 + 1e-5 relative. */
function assertClose(actual: number[][][], expected: number[][][], what: string): void {
  expected.forEach((stepValues, t) =>
    stepValues.forEach((values, i) =>
      values.forEach((e, k) => {
        const a = actual[t][i][k];
        assert.ok(Math.abs(a - e) <= 1e-6 + 1e-5 * Math.abs(e), `${what}: step ${t + 1}, param ${i}[${k}]: ${a} != ${e}`);
      }),
    ),
  );
}

/** The test data must tell the branch apart: without the feature the answer is clearly different. */
function assertFar(actual: number[][][], without: number[][][], what: string): void {
  const gap = Math.max(...actual.flat(2).map((a, j) => Math.abs(a - without.flat(2)[j])));
  assert.ok(gap > 1e-4, `${what}: the data does not exercise the branch (gap ${gap})`);
}

// ---- Hand computations (float64, one element at a time, as PyTorch's docs write them) -----------

interface Decay {
  lr: number;
  weightDecay: number;
  decoupled: boolean;
  maximize: boolean;
}

/** g (negated if maximize) and L2 decay, or the decoupled shrink of p; returns [p, g]. */
function decayStep(p: number, grad: number, o: Decay): [number, number] {
  const g = o.maximize ? -grad : grad;
  if (o.weightDecay === 0) return [p, g];
  return o.decoupled ? [p * (1 - o.lr * o.weightDecay), g] : [p, g + o.weightDecay * p];
}

/** Runs `update(element, t)` over every element of one 1-D parameter for all steps. */
function elementwise(init: number[], grads: number[][], update: (i: number, g: number, t: number) => number): number[][][] {
  const after: number[][][] = [];
  grads.forEach((stepGrad, t) => {
    after.push([init.map((_, i) => update(i, stepGrad[i], t + 1))]);
  });
  return after;
}

function adamByHand(
  init: number[],
  grads: number[][],
  o: Decay & { betas: [number, number]; eps: number; amsgrad: boolean },
): number[][][] {
  const [b1, b2] = o.betas;
  const p = [...init];
  const m = init.map(() => 0);
  const v = init.map(() => 0);
  const vMax = init.map(() => 0);
  return elementwise(init, grads, (i, grad, t) => {
    const [decayed, g] = decayStep(p[i], grad, o);
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    vMax[i] = Math.max(vMax[i], v[i]);
    const mHat = m[i] / (1 - b1 ** t);
    const vHat = (o.amsgrad ? vMax[i] : v[i]) / (1 - b2 ** t);
    return (p[i] = decayed - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps));
  });
}

function nadamByHand(
  init: number[],
  grads: number[][],
  o: Decay & { betas: [number, number]; eps: number; momentumDecay: number },
): number[][][] {
  const [b1, b2] = o.betas;
  const mu = (t: number) => b1 * (1 - 0.5 * 0.96 ** (t * o.momentumDecay));
  const productTo = (t: number) => Array.from({ length: t }, (_, k) => mu(k + 1)).reduce((a, b) => a * b, 1);
  const p = [...init];
  const m = init.map(() => 0);
  const v = init.map(() => 0);
  return elementwise(init, grads, (i, grad, t) => {
    const [decayed, g] = decayStep(p[i], grad, o);
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    const denom = Math.sqrt(v[i] / (1 - b2 ** t)) + o.eps;
    const nesterov = (mu(t + 1) * m[i]) / (1 - productTo(t + 1)) + ((1 - mu(t)) * g) / (1 - productTo(t));
    return (p[i] = decayed - (o.lr * nesterov) / denom);
  });
}

function radamByHand(init: number[], grads: number[][], o: Decay & { betas: [number, number]; eps: number }): number[][][] {
  const [b1, b2] = o.betas;
  const rhoInf = 2 / (1 - b2) - 1;
  const p = [...init];
  const m = init.map(() => 0);
  const v = init.map(() => 0);
  return elementwise(init, grads, (i, grad, t) => {
    const [decayed, g] = decayStep(p[i], grad, o);
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    const mHat = m[i] / (1 - b1 ** t);
    const rho = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
    if (rho <= 5) return (p[i] = decayed - o.lr * mHat);
    const adaptive = Math.sqrt(1 - b2 ** t) / (Math.sqrt(v[i]) + o.eps);
    const rect = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
    return (p[i] = decayed - o.lr * mHat * adaptive * rect);
  });
}

const plain = { weightDecay: 0, decoupled: false, maximize: false };

// ---- Adam and AdamW -----------------------------------------------------------------------------

// A large first gradient then small ones: v falls, so AMSGrad's running max differs from v.
const init3 = [0.5, -1.5, 2];
const fallingGrads = [
  [3, -2, 1],
  [0.1, 0.2, -0.1],
  [0.05, -0.3, 0.2],
  [-0.2, 0.1, 0.05],
];

test('adam: amsgrad with L2 weight decay follows the hand computation', () => {
  // beta2 = 0.5 lets v fall within a few steps, so that v and its running max part.
  const o = { lr: 0.1, betas: [0.9, 0.5] as [number, number], eps: 1e-8, amsgrad: true, ...plain, weightDecay: 0.1 };
  const options = { lr: 0.1, betas: [0.9, 0.5], amsgrad: true, weightDecay: 0.1 };
  const actual = trajectory('adam', options, [vector(...init3)], oneParam(fallingGrads));
  assertClose(actual, adamByHand(init3, fallingGrads, o), 'adam amsgrad+L2');
  assertFar(actual, adamByHand(init3, fallingGrads, { ...o, amsgrad: false }), 'amsgrad');
  assertFar(actual, adamByHand(init3, fallingGrads, { ...o, weightDecay: 0 }), 'L2 decay');
});

test('adam: maximize ascends', () => {
  const o = { lr: 0.05, betas: [0.8, 0.99] as [number, number], eps: 1e-6, amsgrad: false, ...plain, maximize: true };
  const actual = trajectory('adam', { lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, maximize: true }, [vector(...init3)], oneParam(fallingGrads));
  assertClose(actual, adamByHand(init3, fallingGrads, o), 'adam maximize');
  assertFar(actual, adamByHand(init3, fallingGrads, { ...o, maximize: false }), 'maximize');
});

test('adam: decoupledWeightDecay shrinks the parameter instead of adding to the gradient', () => {
  const o = { lr: 0.1, betas: [0.9, 0.999] as [number, number], eps: 1e-8, amsgrad: true, ...plain, weightDecay: 0.5, decoupled: true };
  const options = { lr: 0.1, amsgrad: true, weightDecay: 0.5, decoupledWeightDecay: true };
  const actual = trajectory('adam', options, [vector(...init3)], oneParam(fallingGrads));
  assertClose(actual, adamByHand(init3, fallingGrads, o), 'adam decoupled');
  assertFar(actual, adamByHand(init3, fallingGrads, { ...o, decoupled: false }), 'decoupled vs L2');
});

test('adamw: Adam with decoupled weight decay 0.01 by default, and no decoupledWeightDecay option', () => {
  const o = { lr: 0.1, betas: [0.9, 0.999] as [number, number], eps: 1e-8, amsgrad: false, ...plain, weightDecay: 0.01, decoupled: true };
  const adamw = trajectory('adamw', { lr: 0.1 }, [vector(...init3)], oneParam(fallingGrads));
  assertClose(adamw, adamByHand(init3, fallingGrads, o), 'adamw');
  const adam = trajectory('adam', { lr: 0.1, weightDecay: 0.01, decoupledWeightDecay: true }, [vector(...init3)], oneParam(fallingGrads));
  assert.deepEqual(adamw, adam);
  // PyTorch's AdamW has no decoupled_weight_decay keyword: turning it off would no longer be AdamW.
  assert.throws(() => createOptimizer('adamw', { decoupledWeightDecay: false } as never), /AdamW has no option 'decoupledWeightDecay'/);
});

// ---- NAdam --------------------------------------------------------------------------------------

test('nadam: a larger momentumDecay with L2 decay, and with decoupled decay and maximize', () => {
  const base = { lr: 0.05, betas: [0.9, 0.999] as [number, number], eps: 1e-8, momentumDecay: 0.2 };
  const l2 = { ...base, ...plain, weightDecay: 0.1 };
  const actual = trajectory('nadam', { lr: 0.05, momentumDecay: 0.2, weightDecay: 0.1 }, [vector(...init3)], oneParam(fallingGrads));
  assertClose(actual, nadamByHand(init3, fallingGrads, l2), 'nadam momentumDecay+L2');
  assertFar(actual, nadamByHand(init3, fallingGrads, { ...l2, momentumDecay: 4e-3 }), 'momentumDecay');

  const decoupled = { ...base, weightDecay: 0.3, decoupled: true, maximize: true };
  const options = { lr: 0.05, momentumDecay: 0.2, weightDecay: 0.3, decoupledWeightDecay: true, maximize: true };
  const actual2 = trajectory('nadam', options, [vector(...init3)], oneParam(fallingGrads));
  assertClose(actual2, nadamByHand(init3, fallingGrads, decoupled), 'nadam decoupled+maximize');
  assertFar(actual2, nadamByHand(init3, fallingGrads, { ...decoupled, decoupled: false }), 'nadam decoupled vs L2');
});

test('nadam: muProduct is the float32 running product of mu_t, and survives save and restore', async () => {
  const variable = tf.variable(tf.tensor1d(init3), true, `adam_test_${serial++}`);
  const optimizer = createOptimizer('nadam', { lr: 0.05, momentumDecay: 0.2 });
  const step = (t: number) =>
    tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.tensor1d(fallingGrads[t]) }));
  step(0);
  step(1);
  const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (t * 0.2));
  const expected = Math.fround(Math.fround(mu(1)) * Math.fround(mu(2)));
  assert.equal(optimizer.stateFor(variable.name)?.scalars.muProduct, expected);

  const saved = (await optimizer.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
  const paramAfter2 = tf.clone(variable);
  step(2);
  const continued = Array.from(variable.dataSync());

  const restored = createOptimizer('nadam', { lr: 0.05, momentumDecay: 0.2 });
  await restored.setWeights(saved);
  variable.assign(paramAfter2);
  tf.tidy(() => restored.applyGradients({ [variable.name]: tf.tensor1d(fallingGrads[2]) }));
  assert.deepEqual(Array.from(variable.dataSync()), continued);
  [optimizer, restored, variable, paramAfter2].forEach((t) => t.dispose());
  tf.dispose(saved.map((w) => w.tensor));
});

// ---- RAdam --------------------------------------------------------------------------------------

test('radam: un-rectified while rho_t <= 5, rectified after (beta2 = 0.9 switches at step 6)', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((t) => smaLength(0.9, t).rhoT > 5),
    [false, false, false, false, false, true, true],
  );
  const grads = [...fallingGrads, [0.3, -0.2, 0.4], [-0.1, 0.5, 0.2], [0.2, 0.2, -0.3]];
  const o = { lr: 0.1, betas: [0.9, 0.9] as [number, number], eps: 1e-8, ...plain };
  const actual = trajectory('radam', { lr: 0.1, betas: [0.9, 0.9] }, [vector(...init3)], oneParam(grads));
  assertClose(actual, radamByHand(init3, grads, o), 'radam');
  // Adam's step differs from RAdam's both before the switch (no adaptive step) and after (rectification).
  const adam = adamByHand(init3, grads, { ...o, amsgrad: false });
  assertFar(actual.slice(0, 1), adam.slice(0, 1), 'radam un-rectified');
});

test('radam: L2 decay, and decoupled decay with maximize', () => {
  const grads = [...fallingGrads, [0.3, -0.2, 0.4], [-0.1, 0.5, 0.2], [0.2, 0.2, -0.3]];
  const base = { lr: 0.1, betas: [0.9, 0.9] as [number, number], eps: 1e-8 };
  const l2 = { ...base, ...plain, weightDecay: 0.2 };
  assertClose(
    trajectory('radam', { lr: 0.1, betas: [0.9, 0.9], weightDecay: 0.2 }, [vector(...init3)], oneParam(grads)),
    radamByHand(init3, grads, l2),
    'radam L2',
  );
  const decoupled = { ...base, weightDecay: 0.2, decoupled: true, maximize: true };
  const options = { lr: 0.1, betas: [0.9, 0.9], weightDecay: 0.2, decoupledWeightDecay: true, maximize: true };
  const actual = trajectory('radam', options, [vector(...init3)], oneParam(grads));
  assertClose(actual, radamByHand(init3, grads, decoupled), 'radam decoupled+maximize');
  assertFar(actual, radamByHand(init3, grads, { ...decoupled, decoupled: false }), 'radam decoupled vs L2');
});

// ---- SparseAdam ---------------------------------------------------------------------------------

test('sparseadam: all-zero rows are absent; present rows use the tensor step count for bias correction', () => {
  // A [3, 2] embedding-like parameter and a 1-D one (each element a row). Row 2 of the matrix is
  // absent until step 3, so its first update is bias-corrected with t = 3, not 1. At step 3 row 0
  // is present with one zero entry: that entry's moments decay and it moves, as in a sparse row.
  const matrix: Param = { shape: [3, 2], values: [0.5, -1, 1.5, 2, -0.5, 0.25] };
  const flat = vector(1, -2, 3);
  const grads = [
    [[0.4, -0.2, 0, 0, 0, 0], [0.5, 0, -1]],
    [[0, 0, 1, 0.3, 0, 0], [0, 0, 2]],
    [[0.2, 0, 0, 0, -0.7, 0.6], [-0.3, 0.4, 0]],
    [[0, 0, 0, 0, 0, 0], [0, 0, 0]],
  ];
  const [b1, b2, lr, eps] = [0.8, 0.95, 0.1, 1e-8];
  const actual = trajectory('sparseadam', { lr, betas: [b1, b2], maximize: true }, [matrix, flat], grads);

  const byHand = (param: Param, rowLength: number, i: number) => {
    const p = [...param.values];
    const m = p.map(() => 0);
    const v = p.map(() => 0);
    return grads.map((stepGrads, s) => {
      const t = s + 1;
      const g = stepGrads[i].map((x) => -x); // maximize
      for (let row = 0; row * rowLength < p.length; row++) {
        const cols = Array.from({ length: rowLength }, (_, c) => row * rowLength + c);
        if (cols.every((k) => g[k] === 0)) continue;
        for (const k of cols) {
          m[k] = b1 * m[k] + (1 - b1) * g[k];
          v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
          p[k] -= ((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)) * (m[k] / (Math.sqrt(v[k]) + eps));
        }
      }
      return [...p];
    });
  };
  const expectedMatrix = byHand(matrix, 2, 0);
  const expectedFlat = byHand(flat, 1, 1);
  assertClose(actual, expectedMatrix.map((mat, t) => [mat, expectedFlat[t]]), 'sparseadam');
  // Absent rows are left exactly as they were, bit for bit.
  assert.deepEqual(actual[0][0].slice(2), matrix.values.slice(2));
  assert.deepEqual(actual[2][0].slice(2, 4), actual[1][0].slice(2, 4));
  assert.deepEqual(actual[3], actual[2]);
});

test('sparseadam: a row that skips steps keeps its moments until it is present again', () => {
  const variable = tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, `adam_test_${serial++}`);
  const optimizer = createOptimizer('sparseadam', { lr: 0.1 });
  const moments = () => {
    const { tensors } = optimizer.stateFor(variable.name)!;
    return [Array.from(tensors.expAvg.dataSync()), Array.from(tensors.expAvgSq.dataSync())];
  };
  tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.tensor2d([[1, -1], [2, 0.5]]) }));
  const afterFirst = moments();
  tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.tensor2d([[0, 0], [1, 1]]) }));
  const afterSecond = moments();
  assert.deepEqual([afterSecond[0].slice(0, 2), afterSecond[1].slice(0, 2)], [afterFirst[0].slice(0, 2), afterFirst[1].slice(0, 2)]);
  assert.notDeepEqual(afterSecond[0].slice(2), afterFirst[0].slice(2));
  assert.equal(optimizer.stateFor(variable.name)?.scalars.step, 2);
  optimizer.dispose();
  variable.dispose();
});

// ---- Defaults, validation, and memory -------------------------------------------------------------

test("the family's defaults are PyTorch 2.x's", () => {
  const settings = (name: OptimizerName) => {
    const optimizer = createOptimizer(name) as unknown as { settings: Record<string, unknown>; dispose(): void };
    const { settings: s } = optimizer;
    optimizer.dispose();
    return s;
  };
  const adamLike = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false };
  assert.deepEqual(settings('adam'), { ...adamLike, amsgrad: false, decoupledWeightDecay: false });
  assert.deepEqual(settings('adamw'), { ...adamLike, amsgrad: false, weightDecay: 1e-2 });
  assert.deepEqual(settings('nadam'), { ...adamLike, lr: 2e-3, momentumDecay: 4e-3, decoupledWeightDecay: false });
  assert.deepEqual(settings('radam'), { ...adamLike, decoupledWeightDecay: false });
  assert.deepEqual(settings('sparseadam'), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false });
});

test('invalid settings are refused with PyTorch-worded messages', () => {
  const refusals: Array<[OptimizerName, Record<string, unknown>, RegExp]> = [];
  for (const name of ['adam', 'adamw', 'nadam', 'radam'] as const) {
    refusals.push(
      [name, { lr: -0.1 }, /Invalid learning rate: -0.1/],
      [name, { eps: -1e-8 }, /Invalid epsilon value: -1e-8/],
      [name, { betas: [1, 0.999] }, /Invalid beta parameter at index 0: 1/],
      [name, { betas: [0.9, -0.5] }, /Invalid beta parameter at index 1: -0.5/],
      [name, { weightDecay: -1 }, /Invalid weight_decay value: -1/],
      [name, { betas: [0.9] }, /option 'betas' must be 2 finite numbers/],
    );
  }
  refusals.push(
    ['nadam', { momentumDecay: -0.1 }, /Invalid momentum_decay value: -0.1/],
    ['sparseadam', { lr: 0 }, /Invalid learning rate: 0 \(it must be > 0\)/],
    ['sparseadam', { eps: 0 }, /Invalid epsilon value: 0 \(it must be > 0\)/],
    ['sparseadam', { betas: [0.9, 1] }, /Invalid beta parameter at index 1: 1/],
    ['sparseadam', { weightDecay: 0.1 }, /SparseAdam has no option 'weightDecay'/],
    ['adam', { amsGrad: true }, /did you mean 'amsgrad'/],
  );
  for (const [name, options, message] of refusals) {
    assert.throws(() => createOptimizer(name, options), message, `${name} ${JSON.stringify(options)}`);
  }
});

test('no optimizer of the family leaks tensors, whatever its options', () => {
  const configurations: Array<[OptimizerName, Record<string, unknown>]> = [
    ['adam', { amsgrad: true, weightDecay: 0.1, maximize: true }],
    ['adam', { decoupledWeightDecay: true, weightDecay: 0.1 }],
    ['adamw', { amsgrad: true }],
    ['nadam', { weightDecay: 0.1, decoupledWeightDecay: true, maximize: true }],
    ['radam', { weightDecay: 0.1, maximize: true }],
    ['sparseadam', { maximize: true }],
  ];
  for (const [name, options] of configurations) {
    const variable = tf.variable(tf.zeros([4, 3]), true, `adam_test_${serial++}`);
    const optimizer = createOptimizer(name, options);
    const step = () => tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.randomNormal([4, 3]) }));
    step();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 8; i++) step(); // RAdam switches to its rectified branch on the way.
    assert.equal(tf.memory().numTensors, before, `${name} ${JSON.stringify(options)}`);
    optimizer.dispose();
    variable.dispose();
  }
});
