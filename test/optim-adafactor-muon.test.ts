// Adafactor and Muon beyond ../shared/golden: trajectories recorded from torch 2.13 on the shapes
// the goldens lack (fixtures/adafactor-muon.json, made by fixtures/record-adafactor-muon.py), the
// settings PyTorch refuses, Muon's refusal of non-2-D parameters (which must change nothing), and
// Muon paired with AdamW as one optimizer for model.fit.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { Adafactor, Muon, MuonWithAdamW, createMuonWithAdamW, createOptimizer, newtonSchulz } from '../src/optim';

before(() => backendReady);

interface RecordedCase {
  optimizer: 'adafactor' | 'muon';
  torch_options: Record<string, unknown>;
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  expected: number[][][];
}
const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'adafactor-muon.json'), 'utf8')) as { cases: RecordedCase[] };
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

let serial = 0;
const unique = (name: string) => `${name}_${serial++}`;

describe('against torch 2.13 on the shapes the goldens lack', () => {
  for (const c of recorded.cases) {
    test(`${c.optimizer} ${JSON.stringify(c.torch_options)} on ${JSON.stringify(c.shapes)}`, () => {
      const vars = c.shapes.map((shape, i) => tf.variable(tf.tensor(c.init[i], shape, 'float32'), true, unique(`rec_p${i}`)));
      const options = Object.fromEntries(Object.entries(c.torch_options).map(([k, v]) => [camel(k), v]));
      const optimizer = createOptimizer(c.optimizer, options);
      try {
        let tensorsAfterTwo = 0;
        c.grads.forEach((stepGrads, t) => {
          const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(stepGrads[i], c.shapes[i], 'float32')]));
          optimizer.applyGradients(grads);
          tf.dispose(Object.values(grads));
          if (t === 1) tensorsAfterTwo = tf.memory().numTensors;
          vars.forEach((v, i) => {
            const got = v.dataSync();
            c.expected[t][i].forEach((want, j) =>
              assert.ok(Math.abs(got[j] - want) <= 1e-5 + 1e-4 * Math.abs(want), `step ${t + 1}, param ${i} [${j}]: ${got[j]} vs torch ${want}`),
            );
          });
        });
        assert.equal(tf.memory().numTensors, tensorsAfterTwo, 'no tensor leaks');
      } finally {
        optimizer.dispose();
        tf.dispose(vars);
      }
    });
  }

  test('Adafactor factors the last two dimensions and keeps vectors and scalars whole', () => {
    const shapes = [[2, 3, 4], [4, 3], [5], []];
    const vars = shapes.map((shape, i) => tf.variable(tf.ones(shape), true, unique(`af_state${i}`)));
    const optimizer = new Adafactor();
    optimizer.applyGradients(Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)])));
    const stateShapes = vars.map((v) => {
      const { tensors } = optimizer.stateFor(v.name)!;
      return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape]));
    });
    assert.deepEqual(stateShapes, [
      { rowVar: [2, 3, 1], colVar: [2, 1, 4] },
      { rowVar: [4, 1], colVar: [1, 3] },
      { variance: [5] },
      { variance: [] },
    ]);
    optimizer.dispose();
    tf.dispose(vars);
  });
});

describe('settings are checked as PyTorch checks them', () => {
  const refused: Array<['adafactor' | 'muon', Record<string, unknown>, RegExp]> = [
    ['adafactor', { beta2Decay: 0.5 }, /beta2_decay should be <= 0 but is: 0.5$/],
    ['adafactor', { eps: [-1, 1e-3] }, /epsilon1 should be >= 0 but is: -1$/],
    ['adafactor', { eps: [null, -1e-3] }, /epsilon2 should be >= 0 but is: -0.001$/],
    ['adafactor', { d: 0.5 }, /Clipping threshold d should be >= 1 but is: 0.5$/],
    ['adafactor', { weightDecay: -0.1 }, /weight_decay should be >= 0 but is: -0.1$/],
    ['adafactor', { eps: [1e-3, null] }, /'eps' must be 2 finite numbers or null where allowed \(index 0\)/],
    ['adafactor', { eps: [null] }, /'eps' must be 2 finite numbers/],
    ['muon', { momentum: -0.1 }, /momentum should be >= 0 but is: -0.1$/],
    ['muon', { weightDecay: -0.1 }, /weight decay should be >= 0 but is: -0.1$/],
    ['muon', { adjustLrFn: 'spectral' }, /Adjust learning rate function spectral is not supported \(use null, 'original' or 'match_rms_adamw'\)$/],
    ['muon', { nsSteps: 100 }, /Number of steps must be less than 100 for computational efficiency$/],
    ['muon', { nsSteps: 2.5 }, /Invalid ns_steps value: 2.5/],
    ['muon', { nsCoefficients: [3.4, -4.7] }, /'nsCoefficients' must be 3 finite numbers/],
    ['muon', { eps: -1 }, /Invalid epsilon value: -1/],
  ];
  for (const [name, options, message] of refused) {
    test(`${name} ${JSON.stringify(options)} is refused`, () => assert.throws(() => createOptimizer(name, options), message));
  }

  test('Adafactor takes eps1 = null (float32 epsilon) and a number, and keeps the null in its config', () => {
    assert.deepEqual(createOptimizer('adafactor').getConfig().eps, [null, 1e-3]);
    assert.deepEqual(createOptimizer('adafactor', { eps: [1e-30, 1e-3] }).getConfig().eps, [1e-30, 1e-3]);
  });
});

describe("Muon's refusal of non-2-D parameters changes nothing", () => {
  test('a vector among the gradients: an error naming it, no variable, state or count changed', () => {
    const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 1), true, unique('muon_w'));
    const b = tf.variable(tf.ones([3]), true, unique('muon_b'));
    const optimizer = new Muon({ lr: 0.1 });
    const before = { w: Array.from(w.dataSync()), b: Array.from(b.dataSync()), tensors: tf.memory().numTensors };
    // The matrix comes first, so an implementation that updated as it went would have moved it.
    const grads = { [w.name]: tf.onesLike(w), [b.name]: tf.onesLike(b) };
    assert.throws(
      () => optimizer.applyGradients(grads),
      new RegExp(`^OptimizerOptionError: Muon only supports 2D parameters whereas we found a parameter with size: \\[3\\] \\(variable '${b.name}'\\)\\. Give Muon the 2-D weights only and AdamW the rest`),
    );
    assert.deepEqual(Array.from(w.dataSync()), before.w);
    assert.deepEqual(Array.from(b.dataSync()), before.b);
    assert.deepEqual(optimizer.statefulVariableNames, []);
    assert.equal(optimizer.iterations, 0);
    tf.dispose(Object.values(grads));
    assert.equal(tf.memory().numTensors, before.tensors, 'nothing allocated');
    optimizer.applyGradients({ [w.name]: tf.onesLike(w) });
    assert.notDeepEqual(Array.from(w.dataSync()), before.w, 'the matrix alone is taken');
    optimizer.dispose();
    tf.dispose([w, b]);
  });

  test('scalars and 3-D tensors are refused too', () => {
    for (const shape of [[], [2, 3, 4]]) {
      const v = tf.variable(tf.zeros(shape), true, unique('muon_odd'));
      const optimizer = new Muon();
      assert.throws(() => optimizer.applyGradients({ [v.name]: tf.zerosLike(v) }), new RegExp(`size: \\[${shape.join(', ')}\\]`));
      optimizer.dispose();
      v.dispose();
    }
  });
});

describe('Newton-Schulz', () => {
  test('tall matrices are orthogonalised through their transpose, to the same result', () => {
    const m = tf.randomNormal([3, 7], 0, 1, 'float32', 5) as tf.Tensor2D;
    const wide = newtonSchulz(m, [3.4445, -4.775, 2.0315], 5, 1e-7);
    const tall = newtonSchulz(m.transpose(), [3.4445, -4.775, 2.0315], 5, 1e-7);
    const diff = tf.max(tf.abs(tf.sub(wide, tall.transpose()))).dataSync()[0];
    assert.ok(diff < 1e-5, `max difference ${diff}`);
    // Orthogonalised: O Oᵀ is near the identity (the quintic leaves singular values in about [0.7, 1.2]).
    const gram = tf.matMul(wide, wide, false, true).arraySync() as number[][];
    gram.forEach((row, i) => row.forEach((x, j) => assert.ok(i === j ? x > 0.4 && x < 1.5 : Math.abs(x) < 0.5, `(O Oᵀ)[${i}][${j}] = ${x}`)));
    tf.dispose([m, wide, tall]);
  });
});

/** A small regression network: two dense kernels (2-D) and two biases (1-D). */
function denseModel(): tf.Sequential {
  return tf.sequential({
    // Seeded initial weights: the trajectory (and so the check below) is the same on every run.
    layers: [
      tf.layers.dense({ inputShape: [2], units: 16, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

async function fitLosses(model: tf.LayersModel, optimizer: tf.Optimizer, epochs: number): Promise<number[]> {
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const xs = tf.randomUniform([64, 2], -1, 1, 'float32', 1);
  const ys = tf.tidy(() => tf.sum(tf.square(xs), 1, true));
  const history = await model.fit(xs, ys, { epochs, batchSize: 64, verbose: 0 });
  tf.dispose([xs, ys]);
  return history.history.loss as number[];
}

describe('drop-in for tfjs-layers', () => {
  test('Adafactor trains a small model with model.compile + model.fit', async () => {
    const model = denseModel();
    const optimizer = createOptimizer('adafactor', { lr: 0.05 });
    // Adafactor's relative step is also capped by 1/sqrt(t): it needs more steps than Adam here.
    const losses = await fitLosses(model, optimizer, 60);
    assert.ok(losses.at(-1)! < losses[0] * 0.8, `${losses[0]} -> ${losses.at(-1)}`);
    model.dispose();
    optimizer.dispose();
  });

  test('Muon with AdamW: Muon takes the kernels, AdamW the biases, and model.fit trains', async () => {
    const model = denseModel();
    const optimizer = createMuonWithAdamW({ muon: { lr: 0.02 }, adamw: { lr: 0.01 } });
    const losses = await fitLosses(model, optimizer, 20);
    assert.ok(losses.at(-1)! < losses[0] * 0.8, `${losses[0]} -> ${losses.at(-1)}`);
    const kernels = model.trainableWeights.filter((w) => w.shape.length === 2).map((w) => w.name);
    const biases = model.trainableWeights.filter((w) => w.shape.length === 1).map((w) => w.name);
    assert.deepEqual([...optimizer.muon.statefulVariableNames].sort(), [...kernels].sort());
    assert.deepEqual([...optimizer.adamw.statefulVariableNames].sort(), [...biases].sort());
    assert.equal(optimizer.iterations, 20);
    assert.equal(optimizer.muon.iterations, 20, 'both step every time');
    model.dispose();
    optimizer.dispose();
  });
});

describe('MuonWithAdamW', () => {
  function problem() {
    const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 11), true, unique('mwa_w'));
    const head = tf.variable(tf.randomNormal([3, 2], 0, 1, 'float32', 12), true, unique('mwa_head'));
    const b = tf.variable(tf.zeros([3]), true, unique('mwa_b'));
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 13);
    const y = tf.randomNormal([8, 2], 0, 1, 'float32', 14);
    const loss = () => tf.tidy(() => tf.mean(tf.square(tf.sub(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w), b)), head), y))) as tf.Scalar);
    return { vars: [w, head, b], loss, dispose: () => tf.dispose([w, head, b, x, y]) };
  }
  const step = (optimizer: tf.Optimizer, loss: () => tf.Scalar, vars: tf.Variable[]) => {
    const cost = optimizer.minimize(loss, true, vars)!;
    const value = cost.dataSync()[0];
    cost.dispose();
    return value;
  };

  test('leaks nothing, and survives a save/restore exactly', async () => {
    const { vars, loss, dispose } = problem();
    const options = { muon: { lr: 0.05 }, adamw: { lr: 0.01 } };
    const optimizer = createMuonWithAdamW(options);
    step(optimizer, loss, vars);
    step(optimizer, loss, vars);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step(optimizer, loss, vars);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor leaks across steps');

    const saved = (await optimizer.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    assert.ok(saved.some((w) => w.name.startsWith('muon/')) && saved.some((w) => w.name.startsWith('adamw/')));
    const atSave = vars.map((v) => v.clone());
    const continued = [0, 1, 2].map(() => step(optimizer, loss, vars));
    const paramsContinued = vars.map((v) => Array.from(v.dataSync()));
    vars.forEach((v, i) => v.assign(atSave[i]));
    const restored = createMuonWithAdamW(options);
    await restored.setWeights(saved);
    assert.deepEqual([0, 1, 2].map(() => step(restored, loss, vars)), continued);
    vars.forEach((v, i) => assert.deepEqual(Array.from(v.dataSync()), paramsContinued[i]));
    assert.equal(restored.iterations, optimizer.iterations);
    assert.equal(restored.adamw.iterations, optimizer.adamw.iterations);
    restored.dispose();
    optimizer.dispose();
    tf.dispose([...atSave, ...saved.map((w) => w.tensor)]);
    dispose();
  });

  test('useMuon picks the variables; one Muon cannot take is refused before anything moves', () => {
    const { vars, loss, dispose } = problem();
    const [w, head] = vars;
    const leaveHead = createMuonWithAdamW({ useMuon: (v) => v.rank === 2 && v.name !== head.name });
    step(leaveHead, loss, vars);
    assert.deepEqual(leaveHead.muon.statefulVariableNames, [w.name]);
    assert.deepEqual(leaveHead.adamw.statefulVariableNames.sort(), [head.name, vars[2].name].sort());
    leaveHead.dispose();

    const everything = createMuonWithAdamW({ useMuon: () => true });
    const before = vars.map((v) => Array.from(v.dataSync()));
    assert.throws(() => step(everything, loss, vars), /Muon only supports 2D parameters/);
    vars.forEach((v, i) => assert.deepEqual(Array.from(v.dataSync()), before[i], `${v.name} unchanged`));
    assert.deepEqual([everything.muon.statefulVariableNames, everything.adamw.statefulVariableNames], [[], []]);
    everything.dispose();
    dispose();
  });

  test('config round-trips through tf.serialization; unknown options are refused', () => {
    const optimizer = createMuonWithAdamW({ muon: { lr: 0.02, nsSteps: 4 }, adamw: { weightDecay: 0 } });
    const config = optimizer.getConfig();
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[optimizer.getClassName()];
    const copy = fromConfig(cls, config) as MuonWithAdamW;
    assert.deepEqual(copy.getConfig(), config);
    assert.equal(copy.muon.settings.nsSteps, 4);
    copy.dispose();
    optimizer.dispose();
    assert.throws(() => new MuonWithAdamW({ adam: {} } as never), /MuonWithAdamW has no option 'adam'/);
  });
});
