// What every optimizer promises beyond its update rule: it is a real tf.Optimizer (model.compile /
// model.fit), it refuses bad settings, it leaks no tensors, its learning rate can change between
// steps, and its state survives a save/restore with the trajectory unchanged.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { createOptimizer, optimizerNames, OptimizerName, TorchOptimizer } from '../src/optim';

before(() => backendReady);

/** A setting per optimizer that exercises its state (momentum buffers, averaging, line search...). */
const stateful: Record<OptimizerName, Record<string, unknown>> = {
  sgd: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  adagrad: { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 },
  adadelta: { lr: 1, rho: 0.9 },
  rmsprop: { lr: 0.01, momentum: 0.5, centered: true },
  adam: { lr: 0.01, amsgrad: true, weightDecay: 0.01 },
  adamw: { lr: 0.01 },
  adamax: { lr: 0.01 },
  sparseadam: { lr: 0.01 },
  asgd: { lr: 0.01, t0: 2 },
  lbfgs: { lr: 1, maxIter: 3, historySize: 4, lineSearchFn: 'strong_wolfe' },
  rprop: { lr: 0.01 },
  nadam: { lr: 0.01 },
  radam: { lr: 0.01 },
  lion: { lr: 0.003, betas: [0.9, 0.95], weightDecay: 0.1, decoupledWeightDecay: true },
  adamwschedulefree: { lr: 0.02, warmupSteps: 2, weightDecay: 0.01, r: 1 },
  adafactor: { lr: 0.05, weightDecay: 0.01, eps: [null, 1e-3] },
  muon: { lr: 0.02, momentum: 0.9, weightDecay: 0.01 },
};

/** What each optimizer trains: Muon takes only 2-D parameters (PyTorch's rule), so the matrix alone. */
const trainedBy = (name: OptimizerName, vars: tf.Variable[]) => (name === 'muon' ? vars.filter((v) => v.rank === 2) : vars);

/** A small least-squares problem with an embedding-like table (so SparseAdam sees absent rows). */
function problem(seed: number) {
  const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', seed), true, `w_${seed}_${Math.random()}`);
  const b = tf.variable(tf.zeros([3]), true, `b_${seed}_${Math.random()}`);
  const x = tf.randomNormal([8, 4], 0, 1, 'float32', seed + 1);
  // Row 2 of w never matters: its gradient row is exactly zero.
  const mask = tf.tensor2d([1, 1, 0, 1], [1, 4]);
  const y = tf.randomNormal([8, 3], 0, 1, 'float32', seed + 2);
  const loss = () => tf.tidy(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(tf.mul(x, mask), w), b), y))) as tf.Scalar);
  const dispose = () => tf.dispose([w, b, x, mask, y]);
  return { vars: [w, b], loss, dispose };
}

function step(optimizer: tf.Optimizer, loss: () => tf.Scalar, vars: tf.Variable[]): number {
  const cost = optimizer.minimize(loss, true, vars);
  const value = cost!.dataSync()[0];
  cost!.dispose();
  return value;
}

describe('every optimizer', () => {
  for (const name of optimizerNames) {
    test(`${name}: minimizes, leaks nothing, and survives a save/restore exactly`, async () => {
      const { vars: all, loss, dispose } = problem(7);
      const vars = trainedBy(name, all);
      const optimizer = createOptimizer(name, stateful[name]);
      try {
        assert.ok(optimizer instanceof tf.Optimizer, 'is a tf.Optimizer');
        const first = step(optimizer, loss, vars);
        step(optimizer, loss, vars);
        const tensorsAfterTwo = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) step(optimizer, loss, vars);
        assert.equal(tf.memory().numTensors, tensorsAfterTwo, 'no tensor leaks across steps');
        assert.ok(step(optimizer, loss, vars) < first, 'the loss went down');

        // Save, take three more steps, then restore into a fresh optimizer and replay them.
        const saved = await optimizer.getWeights();
        const savedCopy = saved.map(({ name: n, tensor }) => ({ name: n, tensor: tensor.clone() }));
        const paramsAtSave = vars.map((v) => v.clone());
        const continued = [0, 1, 2].map(() => step(optimizer, loss, vars));
        const paramsContinued = vars.map((v) => Array.from(v.dataSync()));

        vars.forEach((v, i) => v.assign(paramsAtSave[i]));
        const restored = createOptimizer(name, stateful[name]);
        await restored.setWeights(savedCopy);
        const replayed = [0, 1, 2].map(() => step(restored, loss, vars));
        assert.deepEqual(replayed, continued, 'the same losses after a restore');
        vars.forEach((v, i) => assert.deepEqual(Array.from(v.dataSync()), paramsContinued[i], 'the same parameters'));
        assert.equal(restored.iterations, optimizer.iterations, 'the iteration count is restored');
        restored.dispose();
        tf.dispose([...paramsAtSave, ...savedCopy.map((w) => w.tensor)]);
      } finally {
        optimizer.dispose();
        dispose();
      }
    });

    test(`${name}: config round-trips through tf.serialization`, () => {
      const optimizer = createOptimizer(name, stateful[name]);
      const config = optimizer.getConfig();
      const className = optimizer.getClassName();
      assert.match(className, /^Torch/);
      const registered = tf.serialization.SerializationMap.getMap().classNameMap[className];
      assert.ok(registered, `${className} is registered`);
      const [cls, fromConfig] = registered;
      const copy = fromConfig(cls, config) as tf.Optimizer;
      assert.deepEqual(copy.getConfig(), config);
      copy.dispose();
      optimizer.dispose();
    });

    test(`${name}: refuses an unknown option and a negative learning rate`, () => {
      assert.throws(() => createOptimizer(name, { learningRate: 0.1 }), /has no option 'learningRate'.*Its options are: lr/);
      assert.throws(() => createOptimizer(name, { lr: -0.1 }), /Invalid learning rate: -0.1/);
    });
  }
});

describe('settings are checked as PyTorch checks them', () => {
  const refused: Array<[OptimizerName, Record<string, unknown>, RegExp]> = [
    ['sgd', { momentum: -0.5 }, /Invalid momentum value/],
    ['sgd', { nesterov: true }, /Nesterov momentum requires a momentum and zero dampening/],
    ['sgd', { momentum: 0.9, dampening: 0.1, nesterov: true }, /Nesterov momentum requires/],
    ['sgd', { weightDecay: -1 }, /Invalid weight_decay value/],
    ['adam', { betas: [0.9, 1.0] }, /Invalid beta parameter at index 1/],
    ['adam', { betas: [-0.1, 0.999] }, /Invalid beta parameter at index 0/],
    ['adam', { eps: -1e-8 }, /Invalid epsilon value/],
    ['adamw', { weightDecay: -0.01 }, /Invalid weight_decay value/],
    ['adadelta', { rho: 1.5 }, /Invalid rho value/],
    ['rmsprop', { alpha: -0.1 }, /Invalid alpha value/],
    ['rprop', { etas: [1.5, 1.2] }, /Invalid eta values/],
    ['adam', { betas: [0.9] }, /must be 2 finite numbers/],
    ['sgd', { momentum: '0.9' }, /must be a number/],
    ['lbfgs', { lineSearchFn: 'backtracking' }, /strong_wolfe/],
  ];
  for (const [name, options, message] of refused) {
    test(`${name} ${JSON.stringify(options)} is refused`, () => {
      assert.throws(() => createOptimizer(name, options), message);
    });
  }

  test('an unknown optimizer name lists the known ones', () => {
    assert.throws(() => createOptimizer('adamm'), /Unknown optimizer 'adamm'\. Choose one of: sgd, adagrad/);
  });

  test('names are matched as PyTorch spells them, in any case', () => {
    const optimizer = createOptimizer('SparseAdam');
    assert.equal(optimizer.getClassName(), 'TorchSparseAdam');
    optimizer.dispose();
  });
});

describe('the learning rate can change between steps', () => {
  test('a step with lr 0 leaves the parameters alone, and lr is validated', () => {
    const { vars, loss, dispose } = problem(3);
    const optimizer = createOptimizer('adam', { lr: 0.1 }) as TorchOptimizer<{ lr: number }>;
    step(optimizer, loss, vars);
    optimizer.lr = 0;
    const before = vars.map((v) => Array.from(v.dataSync()));
    step(optimizer, loss, vars);
    vars.forEach((v, i) => assert.deepEqual(Array.from(v.dataSync()), before[i]));
    assert.throws(() => (optimizer.lr = -1), /Invalid learning rate/);
    assert.equal(optimizer.getConfig().lr, 0);
    optimizer.dispose();
    dispose();
  });
});

describe('drop-in for tfjs-layers', () => {
  for (const name of ['sgd', 'adam', 'rmsprop', 'lbfgs'] as const) {
    test(`${name} trains a small model with model.compile + model.fit`, async () => {
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }), tf.layers.dense({ units: 1 })],
      });
      const optimizer = createOptimizer(name, name === 'lbfgs' ? { maxIter: 5 } : { lr: name === 'sgd' ? 0.1 : 0.01 });
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const xs = tf.randomUniform([64, 2], -1, 1, 'float32', 1);
      const ys = tf.tidy(() => tf.sum(tf.square(xs), 1, true));
      const history = await model.fit(xs, ys, { epochs: 15, batchSize: 64, verbose: 0 });
      const losses = history.history.loss as number[];
      assert.ok(losses[losses.length - 1] < losses[0] * 0.8, `${name} reduced the loss: ${losses[0]} -> ${losses.at(-1)}`);
      tf.dispose([xs, ys]);
      model.dispose();
      optimizer.dispose();
    });
  }
});
