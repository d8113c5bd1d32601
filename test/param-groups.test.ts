// Param groups as PyTorch has them: per-group hyperparameters selected by names, variables, a
// RegExp or a predicate; `optimizer.paramGroups` changed between steps and checked when changed;
// the groups carried by getConfig and by getWeights/setWeights; L-BFGS's single group.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { createOptimizer, createScheduler, LBFGS, TorchOptimizer } from '../src/optim';
import type { SchedulableOptimizer } from '../src/optim';

before(() => backendReady);

let serial = 0;
const unique = (name: string) => `pg${serial++}/${name}`;

/** A kernel [3, 2] and a bias [2], named like a dense layer's, and a fixed gradient sequence. */
function layer() {
  const kernel = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25], [-0.75, 1.5]]), true, unique('kernel'));
  const bias = tf.variable(tf.tensor1d([0.3, -0.6]), true, unique('bias'));
  const grads = (t: number) => ({
    [kernel.name]: tf.tensor2d([[1, -2], [0.5, 3], [-1, 0.25]].map((r) => r.map((x) => x * Math.cos(t + 1)))),
    [bias.name]: tf.tensor1d([0.7 * Math.sin(t + 2), -1.1]),
  });
  return { kernel, bias, grads, dispose: () => tf.dispose([kernel, bias]) };
}

type Opt = Omit<TorchOptimizer<{ lr: number }>, 'paramGroups'> & tf.Optimizer & { paramGroups: Array<Record<string, unknown>> };
const make = (name: string, options: Record<string, unknown>) => createOptimizer(name, options) as unknown as Opt;

function run(optimizer: tf.Optimizer, l: ReturnType<typeof layer>, steps: number, before?: (t: number) => void) {
  for (let t = 0; t < steps; t++) {
    before?.(t);
    const g = l.grads(t);
    optimizer.applyGradients(g);
    tf.dispose(Object.values(g));
  }
  return [Array.from(l.kernel.dataSync()), Array.from(l.bias.dataSync())];
}

/** Runs each variable alone with its own optimizer: what a group must reproduce bit for bit. */
function separately(name: string, kernelOptions: Record<string, unknown>, biasOptions: Record<string, unknown>, steps: number) {
  const l = layer();
  const forKernel = make(name, kernelOptions);
  const forBias = make(name, biasOptions);
  for (let t = 0; t < steps; t++) {
    const g = l.grads(t);
    forKernel.applyGradients({ [l.kernel.name]: g[l.kernel.name] });
    forBias.applyGradients({ [l.bias.name]: g[l.bias.name] });
    tf.dispose(Object.values(g));
  }
  const out = [Array.from(l.kernel.dataSync()), Array.from(l.bias.dataSync())];
  forKernel.dispose();
  forBias.dispose();
  l.dispose();
  return out;
}

describe('selecting the variables of a group', () => {
  const selectors: Array<[string, (l: ReturnType<typeof layer>) => unknown]> = [
    ['a RegExp on the name', () => /bias$/],
    ['a predicate on the variable', () => (v: tf.Variable) => v.shape.length === 1],
    ['names', (l) => [l.bias.name]],
    ['tf.Variables', (l) => [l.bias]],
  ];
  for (const [what, selector] of selectors) {
    test(`${what}: the group's overrides apply to its variables, the rest group has the top-level options`, () => {
      const l = layer();
      const optimizer = make('adamw', { lr: 0.05, weightDecay: 0.1, paramGroups: [{ params: selector(l), weightDecay: 0, lr: 0.02 }, {}] });
      const got = run(optimizer, l, 4);
      assert.equal(optimizer.paramGroups.length, 2);
      assert.deepEqual([optimizer.paramGroups[0].lr, optimizer.paramGroups[0].weightDecay], [0.02, 0]);
      assert.deepEqual([optimizer.paramGroups[1].lr, optimizer.paramGroups[1].weightDecay], [0.05, 0.1]);
      optimizer.dispose();
      l.dispose();
      assert.deepEqual(got, separately('adamw', { lr: 0.05, weightDecay: 0.1 }, { lr: 0.02, weightDecay: 0 }, 4));
    });
  }

  test('without paramGroups there is one group holding the options', () => {
    const optimizer = make('sgd', { lr: 0.1, momentum: 0.9 });
    assert.equal(optimizer.paramGroups.length, 1);
    assert.deepEqual({ ...optimizer.paramGroups[0] }, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    assert.equal(JSON.parse(JSON.stringify(optimizer.paramGroups[0])).momentum, 0.9);
    optimizer.dispose();
  });

  test('a variable in two groups is refused: at construction when names tell, else at its first step, changing nothing', () => {
    const l = layer();
    assert.throws(
      () => make('sgd', { paramGroups: [{ params: [l.bias.name] }, { params: /bias$/ }] }),
      /some parameters appear in more than one parameter group: '.*bias' is in paramGroups\[0\] and paramGroups\[1\]/,
    );
    const optimizer = make('sgd', { lr: 0.1, paramGroups: [{ params: /bias$/ }, { params: (v: tf.Variable) => v.shape.length === 1 }, {}] });
    const before = [Array.from(l.kernel.dataSync()), Array.from(l.bias.dataSync())];
    const g = l.grads(0);
    assert.throws(() => optimizer.applyGradients(g), /'.*bias' is selected by paramGroups\[0\] and paramGroups\[1\]/);
    assert.deepEqual([Array.from(l.kernel.dataSync()), Array.from(l.bias.dataSync())], before, 'the kernel (first in the map) did not move');
    assert.equal(optimizer.iterations, 0);
    tf.dispose(Object.values(g));
    optimizer.dispose();
    l.dispose();
  });

  test('a variable no name list selects is refused with what to do, changing nothing', () => {
    const l = layer();
    const optimizer = make('sgd', { lr: 0.1, paramGroups: [{ params: [l.kernel.name] }] });
    const before = Array.from(l.kernel.dataSync());
    const g = l.grads(0);
    assert.throws(() => optimizer.applyGradients(g), /'.*bias' is in no param group.*add a group without params/);
    assert.deepEqual(Array.from(l.kernel.dataSync()), before);
    tf.dispose(Object.values(g));
    optimizer.dispose();
    l.dispose();
  });

  test('variables a RegExp or a predicate leaves out use the top-level options, in a rest group shown last', () => {
    for (const params of [/bias$/, (v: tf.Variable) => v.name.endsWith('bias')]) {
      const l = layer();
      const grouped = make('sgd', { lr: 0.1, momentum: 0.5, paramGroups: [{ params, lr: 0.01, momentum: 0 }] });
      assert.equal(grouped.paramGroups.length, 2, 'the rest group is there before any step');
      assert.deepEqual([grouped.paramGroups[1].lr, grouped.paramGroups[1].momentum, grouped.paramGroups[1].params], [0.1, 0.5, undefined]);
      // The same steps as two explicit groups: [{params, lr 0.01, momentum 0}, {}].
      const explicit = make('sgd', { lr: 0.1, momentum: 0.5, paramGroups: [{ params, lr: 0.01, momentum: 0 }, {}] });
      const twin = layer();
      run(grouped, l, 3);
      run(explicit, twin, 3);
      assert.deepEqual([Array.from(l.kernel.dataSync()), Array.from(l.bias.dataSync())], [Array.from(twin.kernel.dataSync()), Array.from(twin.bias.dataSync())]);
      // A scheduler made before the first step reaches the rest group too.
      const scheduled = make('sgd', { lr: 0.1, paramGroups: [{ params, lr: 0.01 }] });
      const scheduler = createScheduler('StepLR', scheduled as unknown as SchedulableOptimizer, { stepSize: 1, gamma: 0.5 });
      scheduler.step();
      assert.deepEqual(scheduler.getLastLr(), [0.005, 0.05]);
      [grouped, explicit, scheduled].forEach((o) => o.dispose());
      l.dispose();
      twin.dispose();
    }
    assert.throws(() => make('lbfgs', { paramGroups: [{ params: /bias$/ }] }), /LBFGS doesn't support per-parameter options/);
  });

  test('bad groups are refused at construction', () => {
    const refused: Array<[unknown, RegExp]> = [
      [[], /'paramGroups' must be a non-empty array/],
      [{ params: ['a'] }, /'paramGroups' must be a non-empty array/],
      [[{ params: [3] }], /paramGroups\[0\]\.params must be variable names, tf\.Variables, a RegExp/],
      [[{ params: ['a', 'a'] }], /lists 'a' twice/],
      [[{}, {}], /only one param group may leave out params/],
      [[{ params: ['a'], lr: -1 }], /SGD paramGroups\[0\]: Invalid learning rate: -1/],
      [[{ params: ['a'], lr: null }], /SGD paramGroups\[0\] option 'lr' must be a number, got null/],
      [[{ params: ['a'], momentm: 0.9 }], /SGD paramGroups\[0\] has no option 'momentm' \(did you mean 'momentum'\?\)/],
      [[{ params: ['a'], nesterov: true }], /paramGroups\[0\]: Nesterov momentum requires a momentum/],
      [['a'], /paramGroups\[0\] options must be an object/],
    ];
    for (const [paramGroups, message] of refused) {
      assert.throws(() => make('sgd', { lr: 0.1, paramGroups }), message, JSON.stringify(paramGroups));
    }
  });
});

describe('changing a group between steps', () => {
  test('an assignment is used by the next step, as a fresh optimizer with that value would step', () => {
    const l = layer();
    const optimizer = make('sgd', { lr: 0.1, momentum: 0.9, paramGroups: [{ params: /bias$/ }, {}] });
    const got = run(optimizer, l, 4, (t) => {
      optimizer.paramGroups[0].lr = 0.1 / (t + 1);
      optimizer.paramGroups[1].momentum = 0.9 - 0.1 * t;
    });
    optimizer.dispose();
    l.dispose();

    const m = layer();
    const forKernel = make('sgd', { lr: 0.1, momentum: 0.9 });
    const forBias = make('sgd', { lr: 0.1, momentum: 0.9 });
    for (let t = 0; t < 4; t++) {
      forBias.lr = 0.1 / (t + 1);
      forKernel.paramGroups[0].momentum = 0.9 - 0.1 * t;
      const g = m.grads(t);
      forKernel.applyGradients({ [m.kernel.name]: g[m.kernel.name] });
      forBias.applyGradients({ [m.bias.name]: g[m.bias.name] });
      tf.dispose(Object.values(g));
    }
    assert.deepEqual(got, [Array.from(m.kernel.dataSync()), Array.from(m.bias.dataSync())]);
    forKernel.dispose();
    forBias.dispose();
    m.dispose();
  });

  test('a bad assignment throws with the constructor message and changes nothing', () => {
    const optimizer = make('adam', { lr: 0.01, paramGroups: [{ params: ['x'], lr: 0.02 }, {}] });
    const group = optimizer.paramGroups[0];
    const refused: Array<[string, unknown, RegExp]> = [
      ['lr', -1, /Adam paramGroups\[0\]: Invalid learning rate: -1/],
      ['lr', Infinity, /option 'lr' must be a finite number, got Infinity/],
      ['lr', NaN, /option 'lr' must be a finite number, got NaN/],
      ['lr', '0.5', /option 'lr' must be a number, got "0.5"/],
      ['lr', null, /option 'lr' must be a number, got null/],
      ['lr', undefined, /option 'lr' must be a number, got undefined/],
      ['betas', [0.9], /option 'betas' must be 2 finite numbers/],
      ['betas', [0.9, 1], /Invalid beta parameter at index 1: 1/],
      ['amsgrad', 1, /option 'amsgrad' must be a boolean/],
      ['learningRate', 0.1, /has no option 'learningRate'/],
      ['params', ['y'], /params cannot change/],
      ['initialLr', 'x', /option 'initialLr' must be a number/],
    ];
    for (const [key, value, message] of refused) {
      assert.throws(() => ((group as Record<string, unknown>)[key] = value), message, `${key} = ${String(value)}`);
    }
    assert.throws(() => delete (group as Record<string, unknown>).lr, /cannot be deleted/);
    assert.deepEqual({ ...group }, { params: ['x'], lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false });
    assert.throws(() => ((group.betas as number[])[0] = 0.5), TypeError, 'the arrays are frozen: assign a new pair');
    group.betas = [0.8, 0.99];
    group.initialLr = 0.02; // a scheduler's own key, as PyTorch's initial_lr
    assert.deepEqual([group.betas, group.initialLr], [[0.8, 0.99], 0.02]);
    optimizer.dispose();
  });

  test('optimizer.lr sets every group and is checked the same way', () => {
    const optimizer = make('sgd', { lr: 0.1, paramGroups: [{ params: ['x'], lr: 0.5 }, {}] });
    assert.equal(optimizer.lr, 0.5, 'the first group');
    optimizer.lr = 0.02;
    assert.deepEqual(optimizer.paramGroups.map((g) => g.lr), [0.02, 0.02]);
    assert.equal(optimizer.settings.lr, 0.02);
    for (const bad of [Infinity, '0.5', null, NaN, -1]) {
      assert.throws(() => (optimizer.lr = bad as number), /lr|learning rate/, String(bad));
    }
    assert.deepEqual(optimizer.paramGroups.map((g) => g.lr), [0.02, 0.02]);
    optimizer.dispose();
  });

  test('switching an option that shapes the state adds or drops slots (amsgrad), without leaks', () => {
    const l = layer();
    const optimizer = make('adam', { lr: 0.01 });
    run(optimizer, l, 2);
    optimizer.paramGroups[0].amsgrad = true;
    run(optimizer, l, 1);
    assert.ok(optimizer.stateFor(l.kernel.name)!.tensors.maxExpAvgSq, 'maxExpAvgSq was added');
    const tensors = tf.memory().numTensors;
    run(optimizer, l, 2);
    optimizer.paramGroups[0].amsgrad = false;
    run(optimizer, l, 1);
    assert.equal(optimizer.stateFor(l.kernel.name)!.tensors.maxExpAvgSq, undefined);
    assert.equal(tf.memory().numTensors, tensors - 2, 'two slots (kernel and bias) freed');
    optimizer.dispose();
    l.dispose();
  });
});

describe('groups in the config and in saved state', () => {
  test('getConfig holds the groups in the form the constructor takes (a RegExp as {regexp, flags})', () => {
    const optimizer = make('sgd', { lr: 0.1, paramGroups: [{ params: /bias$/i, lr: 0.5 }, { params: ['k'], momentum: 0.5 }, {}] });
    const config = optimizer.getConfig();
    assert.deepEqual((config.paramGroups as Array<Record<string, unknown>>).map((g) => g.params), [{ regexp: 'bias$', flags: 'i' }, ['k'], undefined]);
    const copy = make('sgd', config as Record<string, unknown>);
    assert.deepEqual(copy.getConfig(), config);
    assert.deepEqual(copy.paramGroups.map((g) => [g.lr, g.momentum]), [[0.5, 0], [0.1, 0.5], [0.1, 0]]);
    assert.ok(copy.paramGroups[0].params instanceof RegExp);
    copy.dispose();
    optimizer.dispose();
    const byFunction = make('sgd', { paramGroups: [{ params: () => true }] });
    assert.throws(() => byFunction.getConfig(), /selects its variables with a function, which a config cannot hold/);
    byFunction.dispose();
  });

  test("a restore brings every group's hyperparameters and continues exactly", async () => {
    const options = { lr: 0.05, paramGroups: [{ params: /bias$/, weightDecay: 0 }, { weightDecay: 0.1 }] };
    const l = layer();
    const original = make('adamw', options);
    run(original, l, 2, (t) => (original.paramGroups[0].lr = 0.05 * 0.5 ** t));
    original.paramGroups[1].betas = [0.8, 0.9];
    original.paramGroups[1].initialLr = 0.05;
    const saved = (await original.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    const atSave = { kernel: l.kernel.clone(), bias: l.bias.clone() };
    const continued = run(original, l, 3);

    l.kernel.assign(atSave.kernel);
    l.bias.assign(atSave.bias);
    const restored = make('adamw', options);
    await restored.setWeights(saved);
    assert.deepEqual(restored.paramGroups.map((g) => ({ ...g, params: undefined })), original.paramGroups.map((g) => ({ ...g, params: undefined })));
    assert.equal(restored.paramGroups[1].initialLr, 0.05);
    assert.deepEqual(run(restored, l, 3), continued);

    const oneGroup = make('adamw', { lr: 0.05 });
    await assert.rejects(oneGroup.setWeights(saved), /saved with 2 param group\(s\), this optimizer has 1/);
    tf.dispose([atSave.kernel, atSave.bias, ...saved.map((w) => w.tensor)]);
    [original, restored, oneGroup].forEach((o) => o.dispose());
    l.dispose();
  });
});

describe('L-BFGS', () => {
  test("refuses more than one group, as PyTorch does", () => {
    assert.throws(
      () => new LBFGS({ paramGroups: [{ params: ['a'] }, { params: ['b'] }] } as never),
      /^OptimizerOptionError: LBFGS doesn't support per-parameter options \(parameter groups\)$/,
    );
  });

  test('shares the groups, lr and validation of the base class; one group selects what it steps', () => {
    const x = tf.variable(tf.tensor1d([1, 2]), true, unique('x'));
    const frozen = tf.variable(tf.tensor1d([3]), true, unique('y'));
    const optimizer = new LBFGS({ lr: 0.5, paramGroups: [{ params: [x], maxIter: 3 }] } as never);
    assert.deepEqual([optimizer.paramGroups[0].lr, optimizer.paramGroups[0].maxIter, optimizer.paramGroups[0].maxEval], [0.5, 3, 25]);
    assert.throws(() => (optimizer.paramGroups[0].lineSearchFn = 'backtracking'), /Invalid line_search_fn value/);
    assert.throws(() => (optimizer.lr = null as never), /option 'lr' must be a number, got null/);
    const loss = () => tf.sum(tf.square(tf.concat([x, frozen]))) as tf.Scalar;
    optimizer.minimize(loss, false, [x, frozen]);
    assert.deepEqual(Array.from(frozen.dataSync()), [3], 'the variable outside the group did not move');
    assert.ok(Math.abs(x.dataSync()[0]) < 1, 'the one in it did');
    optimizer.dispose();
    tf.dispose([x, frozen]);
  });
});
