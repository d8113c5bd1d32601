// Adagrad, Adadelta, RMSprop, Adamax, ASGD and Rprop against hand computations: each reference below
// is PyTorch's documented algorithm written out in plain float64 JS, one element at a time. The cases
// cover the branches the golden PyTorch trajectories (../shared/golden) leave out: weight decay, the
// initial accumulator, momentum, maximize, averaging, step-size bounds, lr changes between steps,
// and every validation error.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { backendReady } from './helpers';
import { Adadelta, Adagrad, Adamax, ASGD, OptimizerOptionError, RMSprop, Rprop } from '../src/optim';
import { adagradDefaults } from '../src/optim/adagrad';
import { adadeltaDefaults } from '../src/optim/adadelta';
import { rmspropDefaults } from '../src/optim/rmsprop';
import { adamaxDefaults } from '../src/optim/adamax';
import { asgdDefaults } from '../src/optim/asgd';
import { rpropDefaults } from '../src/optim/rprop';

before(() => backendReady);

type Vec = number[];

const init: Vec = [0.5, -1.25, 2.0, 0.0];
/** Mixed signs, a zero, sign flips and repeats, so that every Rprop case occurs. */
const grads: Vec[] = [
  [0.3, -0.8, 0.0, 1.5],
  [0.2, 0.6, -0.4, 1.1],
  [-0.5, 0.7, -0.2, 0.9],
  [0.1, -0.3, 0.6, 1.2],
  [0.4, -0.2, 0.5, -0.7],
];

let serial = 0;

/**
 * Runs `optimizer` on one variable starting at `start`, feeding `gradients`; returns the parameters
 * after each step. `beforeStep` may change the lr; `afterStep` may read state.
 */
function trajectory(
  optimizer: tf.Optimizer & { lr: number },
  gradients: Vec[],
  hooks: { beforeStep?: (t: number) => void; afterStep?: (variable: tf.Variable, t: number) => void } = {},
  start: Vec = init,
): Vec[] {
  const variable = tf.variable(tf.tensor1d(start), true, `adaptive_${serial++}`);
  try {
    return gradients.map((g, t) => {
      hooks.beforeStep?.(t);
      const grad = tf.tensor1d(g);
      optimizer.applyGradients({ [variable.name]: grad });
      grad.dispose();
      hooks.afterStep?.(variable, t);
      return Array.from(variable.dataSync());
    });
  } finally {
    optimizer.dispose();
    variable.dispose();
  }
}

/** float32 results against float64 hand computations: a few float32 roundings per step. */
function assertClose(actual: Vec[], expected: Vec[], what: string): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, t) =>
    row.forEach((x, i) => {
      const want = expected[t][i];
      assert.ok(
        Math.abs(x - want) <= 1e-6 + 1e-5 * Math.abs(want),
        `${what}: step ${t + 1}, element ${i}: ${x} != ${want}`,
      );
    }),
  );
}

/** The gradient the rules see: negated for maximize, then the L2 term added (PyTorch's order). */
const effective = (g: number, p: number, maximize: boolean, weightDecay: number) => (maximize ? -g : g) + weightDecay * p;

describe('adagrad', () => {
  function reference(o: { lr: number; lrDecay: number; weightDecay: number; initialAccumulatorValue: number; eps: number; maximize: boolean }, lrs: number[]): Vec[] {
    let p = [...init];
    const sum = init.map(() => o.initialAccumulatorValue);
    return grads.map((grad, t) => {
      const clr = lrs[t] / (1 + t * o.lrDecay);
      p = p.map((x, i) => {
        const g = effective(grad[i], x, o.maximize, o.weightDecay);
        sum[i] += g * g;
        return x - (clr * g) / (Math.sqrt(sum[i]) + o.eps);
      });
      return p;
    });
  }

  test('weight decay, initial accumulator, lr decay and maximize, with an lr change', () => {
    const o = { lr: 0.1, lrDecay: 0.2, weightDecay: 0.3, initialAccumulatorValue: 0.5, eps: 1e-3, maximize: true };
    const lrs = [0.1, 0.1, 0.05, 0.05, 0.05];
    const optimizer = new Adagrad(o);
    const actual = trajectory(optimizer, grads, { beforeStep: (t) => (optimizer.lr = lrs[t]) });
    assertClose(actual, reference(o, lrs), 'adagrad');
  });

  test('the initial accumulator damps the first steps', () => {
    const o = { ...adagradDefaults, lr: 0.1, initialAccumulatorValue: 2 };
    assertClose(trajectory(new Adagrad(o), grads), reference(o, grads.map(() => 0.1)), 'adagrad');
  });
});

describe('adadelta', () => {
  test('weight decay, maximize and a custom rho', () => {
    const o = { lr: 0.5, rho: 0.8, eps: 1e-4, weightDecay: 0.2, maximize: true };
    let p = [...init];
    const squareAvg = init.map(() => 0);
    const accDelta = init.map(() => 0);
    const expected = grads.map((grad) => {
      p = p.map((x, i) => {
        const g = effective(grad[i], x, o.maximize, o.weightDecay);
        squareAvg[i] = o.rho * squareAvg[i] + (1 - o.rho) * g * g;
        const delta = (Math.sqrt(accDelta[i] + o.eps) / Math.sqrt(squareAvg[i] + o.eps)) * g;
        accDelta[i] = o.rho * accDelta[i] + (1 - o.rho) * delta * delta;
        return x - o.lr * delta;
      });
      return p;
    });
    assertClose(trajectory(new Adadelta(o), grads), expected, 'adadelta');
  });
});

describe('rmsprop', () => {
  type RMSpropCase = { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean };
  function reference(o: RMSpropCase): Vec[] {
    let p = [...init];
    const squareAvg = init.map(() => 0);
    const gradAvg = init.map(() => 0);
    const buffer = init.map(() => 0);
    return grads.map((grad) => {
      p = p.map((x, i) => {
        const g = effective(grad[i], x, o.maximize, o.weightDecay);
        squareAvg[i] = o.alpha * squareAvg[i] + (1 - o.alpha) * g * g;
        gradAvg[i] = o.alpha * gradAvg[i] + (1 - o.alpha) * g;
        const variance = o.centered ? squareAvg[i] - gradAvg[i] * gradAvg[i] : squareAvg[i];
        const avg = Math.sqrt(variance) + o.eps;
        if (o.momentum > 0) {
          buffer[i] = o.momentum * buffer[i] + g / avg;
          return x - o.lr * buffer[i];
        }
        return x - (o.lr * g) / avg;
      });
      return p;
    });
  }

  const cases: Array<[string, RMSpropCase]> = [
    ['momentum', { lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0, momentum: 0.7, centered: false, maximize: false }],
    ['momentum, centered, weight decay and maximize', { lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, momentum: 0.5, centered: true, maximize: true }],
    ['weight decay without momentum', { lr: 0.02, alpha: 0.95, eps: 1e-8, weightDecay: 0.5, momentum: 0, centered: false, maximize: false }],
  ];
  for (const [name, o] of cases) {
    test(name, () => assertClose(trajectory(new RMSprop(o), grads), reference(o), `rmsprop ${name}`));
  }
});

describe('adamax', () => {
  test('weight decay, maximize and custom betas', () => {
    const o = { lr: 0.01, betas: [0.8, 0.95] as const, eps: 1e-6, weightDecay: 0.25, maximize: true };
    const [beta1, beta2] = o.betas;
    let p = [...init];
    const expAvg = init.map(() => 0);
    const expInf = init.map(() => 0);
    const expected = grads.map((grad, t) => {
      const clr = o.lr / (1 - beta1 ** (t + 1));
      p = p.map((x, i) => {
        const g = effective(grad[i], x, o.maximize, o.weightDecay);
        expAvg[i] = beta1 * expAvg[i] + (1 - beta1) * g;
        expInf[i] = Math.max(beta2 * expInf[i], Math.abs(g) + o.eps);
        return x - (clr * expAvg[i]) / expInf[i];
      });
      return p;
    });
    assertClose(trajectory(new Adamax(o), grads), expected, 'adamax');
  });
});

describe('asgd', () => {
  type ASGDCase = { lr: number; lambd: number; alpha: number; t0: number; weightDecay: number; maximize: boolean };
  /** Parameters, averages, and eta and mu as they stand after each step. */
  function reference(o: ASGDCase, lrs: number[]) {
    let p = [...init];
    let ax = init.map(() => 0);
    let eta = lrs[0];
    let mu = 1;
    const params: Vec[] = [];
    const averages: Vec[] = [];
    const scalars: Array<{ eta: number; mu: number }> = [];
    grads.forEach((grad, t) => {
      const step = t + 1;
      p = p.map((x, i) => x * (1 - o.lambd * eta) - eta * effective(grad[i], x, o.maximize, o.weightDecay));
      ax = mu === 1 ? [...p] : ax.map((a, i) => a + mu * (p[i] - a));
      eta = lrs[t] / (1 + o.lambd * lrs[t] * step) ** o.alpha;
      mu = 1 / Math.max(1, step - o.t0);
      params.push(p);
      averages.push(ax);
      scalars.push({ eta, mu });
    });
    return { params, averages, scalars };
  }

  test('averaging from t0 on, with decay, weight decay, maximize and an lr change', () => {
    const o = { lr: 0.1, lambd: 0.5, alpha: 0.6, t0: 1.5, weightDecay: 0.2, maximize: true };
    const lrs = [0.1, 0.1, 0.2, 0.2, 0.2];
    const want = reference(o, lrs);
    assert.ok(want.scalars.some(({ mu }) => mu < 1), 'the case reaches averaging');
    const optimizer = new ASGD(o);
    const averages: Vec[] = [];
    const params = trajectory(optimizer, grads, {
      beforeStep: (t) => (optimizer.lr = lrs[t]),
      afterStep: (variable, t) => {
        averages.push(Array.from(optimizer.averagedParams()[variable.name].dataSync()));
        // eta and mu are float32 in PyTorch: the host scalars hold exactly the float32 values.
        const { eta, mu } = optimizer.stateFor(variable.name)!.scalars;
        assert.equal(eta, Math.fround(want.scalars[t].eta), `eta after step ${t + 1}`);
        assert.equal(mu, Math.fround(want.scalars[t].mu), `mu after step ${t + 1}`);
      },
    });
    assertClose(params, want.params, 'asgd params');
    assertClose(averages, want.averages, 'asgd averages');
  });

  test('eta starts at the lr in force at the first step', () => {
    const o = { ...asgdDefaults, lr: 0.01, lambd: 0.1 };
    const lrs = grads.map(() => 0.3);
    const optimizer = new ASGD(o);
    const params = trajectory(optimizer, grads, { beforeStep: (t) => (optimizer.lr = lrs[t]) });
    assertClose(params, reference(o, lrs).params, 'asgd');
  });

  test('averagedParams hands out the state it owns, for variables that have stepped', () => {
    const optimizer = new ASGD({ lr: 0.1, t0: 0 });
    const stepped = tf.variable(tf.tensor1d([1, 2]), true, `adaptive_${serial++}`);
    const idle = tf.variable(tf.tensor1d([3]), true, `adaptive_${serial++}`);
    try {
      assert.deepEqual(optimizer.averagedParams(), {}, 'nothing before the first step');
      for (let t = 0; t < 3; t++) tf.tidy(() => optimizer.applyGradients({ [stepped.name]: tf.tensor1d([0.5, -1]) }));
      const before = tf.memory().numTensors;
      const averaged = optimizer.averagedParams();
      assert.deepEqual(Object.keys(averaged), [stepped.name]);
      assert.equal(averaged[stepped.name], optimizer.averagedParams()[stepped.name], 'the same tensor each call');
      assert.equal(tf.memory().numTensors, before, 'no tensor is created');
      assert.ok(!averaged[stepped.name].isDisposed);
      optimizer.dispose();
      assert.ok(averaged[stepped.name].isDisposed, 'dispose() frees them');
    } finally {
      optimizer.dispose();
      tf.dispose([stepped, idle]);
    }
  });
});

describe('rprop', () => {
  type RpropCase = { lr: number; etas: readonly [number, number]; stepSizes: readonly [number, number]; maximize: boolean };
  function reference(o: RpropCase, lrAtFirstStep = o.lr): Vec[] {
    const [etaminus, etaplus] = o.etas;
    const [min, max] = o.stepSizes;
    let p = [...init];
    const prev = init.map(() => 0);
    const stepSize = init.map(() => lrAtFirstStep);
    return grads.map((grad) => {
      p = p.map((x, i) => {
        let g = o.maximize ? -grad[i] : grad[i];
        const agreement = g * prev[i];
        const factor = agreement > 0 ? etaplus : agreement < 0 ? etaminus : 1;
        stepSize[i] = Math.min(max, Math.max(min, stepSize[i] * factor));
        if (agreement < 0) g = 0;
        prev[i] = g;
        return x - Math.sign(g) * stepSize[i];
      });
      return p;
    });
  }

  test('custom etas, step sizes clamped at both bounds, and maximize', () => {
    const o = { lr: 0.01, etas: [0.3, 1.5] as const, stepSizes: [0.004, 0.013] as const, maximize: true };
    assertClose(trajectory(new Rprop(o), grads), reference(o), 'rprop');
  });

  test('a sign flip shrinks the step, skips the move, and is not counted again', () => {
    const o = { ...rpropDefaults, lr: 0.1 };
    // Element 0: +, -, -, - : flip at step 2 (no move), then prev = 0 so step 3 keeps the size.
    const flips: Vec[] = [[1], [-1], [-1], [-1]];
    const optimizer = new Rprop(o);
    const sizes: Vec[] = [];
    const params = trajectory(
      optimizer,
      flips,
      { afterStep: (variable) => sizes.push(Array.from(optimizer.stateFor(variable.name)!.tensors.stepSize.dataSync())) },
      [0],
    );
    assertClose(sizes, [[0.1], [0.05], [0.05], [0.06]], 'step sizes');
    assertClose(params, [[-0.1], [-0.1], [-0.05], [0.01]], 'params');
  });

  test('an infinite first gradient gives NaN (inf * 0) as in PyTorch, and leaves the others alone', () => {
    const optimizer = new Rprop();
    const sizes: Vec[] = [];
    const params = trajectory(
      optimizer,
      [[Infinity, 1]],
      { afterStep: (variable) => sizes.push(Array.from(optimizer.stateFor(variable.name)!.tensors.stepSize.dataSync())) },
      [1, 2],
    );
    assert.ok(Number.isNaN(params[0][0]) && Number.isNaN(sizes[0][0]));
    assertClose([[params[0][1], sizes[0][1]]], [[1.99, 0.01]], 'the finite element');
  });

  test('step sizes start at the lr in force at the first step, clamped', () => {
    const o = { ...rpropDefaults, lr: 0.01, stepSizes: [1e-6, 0.05] as const };
    const optimizer = new Rprop(o);
    optimizer.lr = 0.08;
    assertClose(trajectory(optimizer, grads), reference(o, 0.08), 'rprop');
  });
});

describe('defaults are PyTorch 2.x defaults', () => {
  test('each optimizer', () => {
    assert.deepEqual(new Adagrad().settings, { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
    assert.deepEqual(new Adadelta().settings, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });
    assert.deepEqual(new RMSprop().settings, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    assert.deepEqual(new Adamax().settings, { lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
    assert.deepEqual(new ASGD().settings, { lr: 0.01, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false });
    assert.deepEqual(new Rprop().settings, { lr: 0.01, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false });
    // The exported defaults are what the classes use.
    assert.deepEqual(
      [adagradDefaults, adadeltaDefaults, rmspropDefaults, adamaxDefaults, asgdDefaults, rpropDefaults].map((d) => d.lr),
      [0.01, 1, 0.01, 0.002, 0.01, 0.01],
    );
  });
});

describe('validation refuses what PyTorch refuses, in its words', () => {
  const refusals: Array<[string, () => unknown, RegExp]> = [
    ['adagrad lr', () => new Adagrad({ lr: -0.1 }), /Invalid learning rate: -0.1/],
    ['adagrad lrDecay', () => new Adagrad({ lrDecay: -1 }), /Invalid lr_decay value: -1/],
    ['adagrad weightDecay', () => new Adagrad({ weightDecay: -1 }), /Invalid weight_decay value: -1/],
    ['adagrad initialAccumulatorValue', () => new Adagrad({ initialAccumulatorValue: -0.5 }), /Invalid initial_accumulator_value value: -0.5/],
    ['adagrad eps', () => new Adagrad({ eps: -1e-10 }), /Invalid epsilon value: -1e-10/],
    ['adadelta lr', () => new Adadelta({ lr: -1 }), /Invalid learning rate: -1/],
    ['adadelta rho above 1', () => new Adadelta({ rho: 1.1 }), /Invalid rho value: 1.1/],
    ['adadelta rho below 0', () => new Adadelta({ rho: -0.1 }), /Invalid rho value: -0.1/],
    ['adadelta eps', () => new Adadelta({ eps: -1 }), /Invalid epsilon value: -1/],
    ['adadelta weightDecay', () => new Adadelta({ weightDecay: -1 }), /Invalid weight_decay value: -1/],
    ['rmsprop lr', () => new RMSprop({ lr: -1 }), /Invalid learning rate: -1/],
    ['rmsprop eps', () => new RMSprop({ eps: -1 }), /Invalid epsilon value: -1/],
    ['rmsprop momentum', () => new RMSprop({ momentum: -0.9 }), /Invalid momentum value: -0.9/],
    ['rmsprop weightDecay', () => new RMSprop({ weightDecay: -1 }), /Invalid weight_decay value: -1/],
    ['rmsprop alpha', () => new RMSprop({ alpha: -0.5 }), /Invalid alpha value: -0.5/],
    ['adamax lr', () => new Adamax({ lr: -1 }), /Invalid learning rate: -1/],
    ['adamax eps', () => new Adamax({ eps: -1 }), /Invalid epsilon value: -1/],
    ['adamax beta1', () => new Adamax({ betas: [1, 0.999] }), /Invalid beta parameter at index 0: 1/],
    ['adamax beta2', () => new Adamax({ betas: [0.9, -0.1] }), /Invalid beta parameter at index 1: -0.1/],
    ['adamax weightDecay', () => new Adamax({ weightDecay: -1 }), /Invalid weight_decay value: -1/],
    ['asgd lr', () => new ASGD({ lr: -1 }), /Invalid learning rate: -1/],
    ['asgd weightDecay', () => new ASGD({ weightDecay: -1 }), /Invalid weight_decay value: -1/],
    ['rprop lr', () => new Rprop({ lr: -1 }), /Invalid learning rate: -1/],
    ['rprop etaminus of 1', () => new Rprop({ etas: [1, 1.2] }), /Invalid eta values: 1, 1.2/],
    ['rprop etaminus of 0', () => new Rprop({ etas: [0, 1.2] }), /Invalid eta values: 0, 1.2/],
    ['rprop etaplus of 1', () => new Rprop({ etas: [0.5, 1] }), /Invalid eta values: 0.5, 1/],
    ['rprop step sizes reversed', () => new Rprop({ stepSizes: [1, 0.5] }), /Invalid step_sizes values: 1, 0.5/],
    ['rprop negative step size', () => new Rprop({ stepSizes: [-1, 50] }), /Invalid step_sizes values: -1, 50/],
    ['a pair of the wrong length', () => new Rprop({ etas: [0.5] as never }), /'etas' must be 2 finite numbers/],
  ];
  for (const [name, make, message] of refusals) {
    test(name, () => {
      assert.throws(make, (e: unknown) => e instanceof OptimizerOptionError && message.test(e.message));
    });
  }

  test('the edges PyTorch accepts are accepted', () => {
    const accepted = [
      new Adadelta({ rho: 0 }),
      new Adadelta({ rho: 1 }),
      new RMSprop({ alpha: 0, momentum: 0, eps: 0 }),
      new Adamax({ betas: [0, 0] }),
      new ASGD({ lambd: 0, alpha: 0, t0: 0 }),
      new Rprop({ lr: 0, stepSizes: [0, 0] }),
      new Adagrad({ lr: 0, lrDecay: 0, initialAccumulatorValue: 0, eps: 0 }),
    ];
    accepted.forEach((optimizer) => optimizer.dispose());
  });
});
