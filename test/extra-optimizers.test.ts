// Lion and Schedule-Free AdamW, the two optimizers torch.optim lacks: replayed against trajectories
// recorded from their reference implementations (fixtures/extra-optimizers.json, made by
// fixtures/record-extra-optimizers.py: lion-pytorch's Lion, schedulefree's AdamWScheduleFree,
// train- and eval-mode parameters), checked branch by branch against their mathjs equations
// (float64, src/equations), and held to what they promise beyond the update: Schedule-Free's
// train/eval switch, its save/restore across modes, the refused settings, no leaks, model.fit.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { AdamWScheduleFree, createOptimizer, Lion } from '../src/optim';
import { HandTrajectory, OptionValues, handTrajectory } from '../src/equations';
import { seededRandom } from '../src/notebook/random';

before(() => backendReady);

const ATOL = 1e-5;
const RTOL = 1e-4;
/** |err| / (atol + rtol |expected|): at most 1 passes. */
const errorRatio = (got: number, want: number) => Math.abs(got - want) / (ATOL + RTOL * Math.abs(want));

type Optimizer = Lion | AdamWScheduleFree;
type Values = number[][][]; // [step][param][element]

/** The largest error ratio over every step, parameter and element, and where it is. */
function worstRatio(got: Values, want: Values): { ratio: number; at: string } {
  let worst = { ratio: 0, at: 'nowhere' };
  want.forEach((params, t) =>
    params.forEach((values, i) =>
      values.forEach((expected, j) => {
        const ratio = errorRatio(got[t][i][j], expected);
        if (!(ratio <= worst.ratio)) worst = { ratio, at: `step ${t + 1}, param ${i} [${j}]: got ${got[t][i][j]}, expected ${expected}` };
      }),
    ),
  );
  return worst;
}

interface Trajectory {
  /** The parameters after each step, in train mode. */
  params: Values;
  /** For Schedule-Free: the parameters after eval() following each step. */
  evalParams: Values;
  /** The optimizer's state after each step, [step][param]. */
  states: Array<Array<{ tensors: Record<string, number[]>; scalars: Record<string, number> }>>;
  /** tf.memory().numTensors after the second step and after the last. */
  tensors: [number, number];
}

let serial = 0;

/**
 * The implementation through applyGradients: lr set before each step when `lrs` is given; for
 * Schedule-Free, eval() after each step (parameters read) then train(), as a loop that evaluates
 * every step would do.
 */
function runImplementation(
  name: string,
  options: Record<string, unknown>,
  shapes: number[][],
  init: number[][],
  grads: Values,
  lrs?: number[],
): Trajectory {
  const id = serial++;
  const vars = shapes.map((shape, i) => tf.variable(tf.tensor(init[i], shape, 'float32'), true, `extra_${id}_p${i}`));
  const optimizer = createOptimizer(name, options) as Optimizer;
  const out: Trajectory = { params: [], evalParams: [], states: [], tensors: [0, 0] };
  const read = () => vars.map((v) => Array.from(v.dataSync()));
  try {
    grads.forEach((stepGrads, t) => {
      if (lrs) optimizer.lr = lrs[t];
      const named: tf.NamedTensorMap = {};
      vars.forEach((v, i) => (named[v.name] = tf.tensor(stepGrads[i], shapes[i], 'float32')));
      optimizer.applyGradients(named);
      tf.dispose(Object.values(named));
      out.params.push(read());
      out.states.push(
        vars.map((v) => {
          const state = optimizer.stateFor(v.name)!;
          const tensors = Object.entries(state.tensors).map(([k, tensor]) => [k, Array.from(tensor.dataSync())]);
          return { tensors: Object.fromEntries(tensors), scalars: { ...state.scalars } };
        }),
      );
      // (not instanceof: tf.Optimizer's Symbol.hasInstance says yes to every optimizer)
      if (name === 'adamwschedulefree') {
        const scheduleFree = optimizer as AdamWScheduleFree;
        scheduleFree.eval();
        out.evalParams.push(read());
        scheduleFree.train();
      }
      if (t === 1) out.tensors[0] = tf.memory().numTensors;
    });
    out.tensors[1] = tf.memory().numTensors;
  } finally {
    optimizer.dispose();
    vars.forEach((v) => v.dispose());
  }
  return out;
}

// ---- the reference's trajectories -----------------------------------------------------------

interface RecordedCase {
  kind: 'open';
  optimizer: 'lion' | 'adamwschedulefree';
  torch_options: Record<string, number | boolean | number[]>;
  shapes: number[][];
  init: number[][];
  grads: Values;
  expected: Values;
  expected_eval?: Values;
  lr_schedule?: number[];
  ablation_margin: Record<string, number>;
}
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'extra-optimizers.json'), 'utf8')) as {
  packages: Record<string, string>;
  cases: RecordedCase[];
  lr_schedule_cases: RecordedCase[];
};
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const ourOptions = (c: RecordedCase) => Object.fromEntries(Object.entries(c.torch_options).map(([k, v]) => [camel(k), v]));

describe(`the references' trajectories (lion-pytorch ${fixture.packages['lion-pytorch']}, schedulefree ${fixture.packages.schedulefree})`, () => {
  const all = [...fixture.cases, ...fixture.lr_schedule_cases];
  test('every case and both optimizers are there, and every option moves the result', () => {
    assert.equal(fixture.cases.length, 15);
    assert.equal(fixture.lr_schedule_cases.length, 4);
    for (const c of all) {
      for (const [option, margin] of Object.entries(c.ablation_margin)) {
        assert.ok(margin >= 3, `${c.optimizer} ${JSON.stringify(c.torch_options)}: ${option} moves it by ${margin} tolerances only`);
      }
    }
    const options = (name: string) => new Set(all.filter((c) => c.optimizer === name).flatMap((c) => Object.keys(c.torch_options)));
    assert.deepEqual([...options('lion')].sort(), ['betas', 'decoupled_weight_decay', 'lr', 'weight_decay']);
    assert.deepEqual([...options('adamwschedulefree')].sort(), ['betas', 'eps', 'lr', 'r', 'warmup_steps', 'weight_decay', 'weight_lr_power']);
  });

  for (const c of all) {
    const label = `${c.optimizer} ${JSON.stringify(c.torch_options)}${c.lr_schedule ? ' with the lr changed between steps' : ''}`;
    test(label, (t) => {
      const run = runImplementation(c.optimizer, ourOptions(c), c.shapes, c.init, c.grads, c.lr_schedule);
      const train = worstRatio(run.params, c.expected);
      assert.ok(train.ratio <= 1, `train mode: ${train.at}`);
      if (c.optimizer === 'adamwschedulefree') {
        const evaluated = worstRatio(run.evalParams, c.expected_eval!);
        assert.ok(evaluated.ratio <= 1, `eval mode: ${evaluated.at}`);
        t.diagnostic(`worst error ratio: train ${train.ratio.toFixed(4)}, eval ${evaluated.ratio.toFixed(4)}`);
      } else {
        t.diagnostic(`worst error ratio ${train.ratio.toFixed(4)}`);
      }
      assert.equal(run.tensors[1], run.tensors[0], 'no tensor leaks after the second step');
    });
  }
});

// ---- the mathjs equations, branch by branch -------------------------------------------------

const SHAPES = [[4, 3], [5]];
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Case {
  optimizer: 'lion' | 'adamwschedulefree';
  options: OptionValues;
  branch: string;
  /** The same case without the option under test: its hand result must differ beyond tolerance. */
  baseline?: OptionValues;
  /** lr multipliers, one per step, set on the optimizer before each step. */
  lrSchedule?: number[];
}

const steps = 8;
const schedule = [1, 0.5, 0.25, 2, 1, 1, 0.5, 1];
const cases: Case[] = [
  { optimizer: 'lion', options: { lr: 0.01 }, branch: 'plain', baseline: {} },
  { optimizer: 'lion', options: { lr: 0.01, betas: [0.5, 0.8] }, branch: 'betas', baseline: { lr: 0.01 } },
  { optimizer: 'lion', options: { lr: 0.01, weightDecay: 0.5 }, branch: 'weightDecay', baseline: { lr: 0.01 } },
  {
    optimizer: 'lion',
    options: { lr: 0.01, weightDecay: 0.5, decoupledWeightDecay: true },
    branch: 'decoupledWeightDecay',
    baseline: { lr: 0.01, weightDecay: 0.5 },
  },
  {
    optimizer: 'lion',
    options: { lr: 0.01, weightDecay: 0.5, decoupledWeightDecay: true },
    branch: 'decoupled decay with the lr changed: divided by the initial lr',
    lrSchedule: schedule,
    baseline: { lr: 0.01, weightDecay: 0.5, decoupledWeightDecay: true },
  },
  { optimizer: 'adamwschedulefree', options: { lr: 0.05 }, branch: 'plain', baseline: {} },
  { optimizer: 'adamwschedulefree', options: { lr: 0.05, betas: [0.5, 0.8] }, branch: 'betas', baseline: { lr: 0.05 } },
  { optimizer: 'adamwschedulefree', options: { lr: 0.05, eps: 0.5 }, branch: 'eps', baseline: { lr: 0.05 } },
  { optimizer: 'adamwschedulefree', options: { lr: 0.05, weightDecay: 0.5 }, branch: 'weightDecay at y', baseline: { lr: 0.05 } },
  { optimizer: 'adamwschedulefree', options: { lr: 0.05, warmupSteps: 4 }, branch: 'warm-up over half the steps', baseline: { lr: 0.05 } },
  { optimizer: 'adamwschedulefree', options: { lr: 0.05, r: 2 }, branch: 'r: polynomial weights', baseline: { lr: 0.05 } },
  {
    optimizer: 'adamwschedulefree',
    options: { lr: 0.05, warmupSteps: 4, weightLrPower: 0.5 },
    branch: 'weightLrPower during warm-up',
    baseline: { lr: 0.05, warmupSteps: 4 },
  },
  {
    optimizer: 'adamwschedulefree',
    options: { lr: 0.05, weightDecay: 0.1 },
    branch: 'lr changed between steps (lrMax keeps the largest)',
    lrSchedule: schedule,
    baseline: { lr: 0.05, weightDecay: 0.1 },
  },
  {
    optimizer: 'adamwschedulefree',
    options: { lr: 0.05 },
    branch: 'lr 0 at first: no weight yet, c = 0',
    lrSchedule: [0, 0, 1, 1, 1, 1, 1, 1],
  },
  {
    optimizer: 'adamwschedulefree',
    options: { lr: 0.05, betas: [0.7, 0.9], eps: 0.01, weightDecay: 0.2, warmupSteps: 3, r: 1, weightLrPower: 3 },
    branch: 'every option at once',
  },
];

/** Seeded float32 inputs: parameters in [-1, 1), gradients too. */
function inputs(seed: number): { init: number[][]; grads: Values } {
  const next = seededRandom(seed);
  const uniform = () => Math.fround(2 * next() - 1);
  const init = SHAPES.map((shape) => Array.from({ length: size(shape) }, uniform));
  const grads = Array.from({ length: steps }, () => SHAPES.map((shape) => Array.from({ length: size(shape) }, uniform)));
  return { init, grads };
}

/** The options the hand computation gets at a 0-based step (Lion's initialLr stays the constructor's lr). */
function optionsAt(c: Case, options: OptionValues, withSchedule: boolean): (step: number) => OptionValues {
  return (step) => {
    if (!withSchedule || !c.lrSchedule) return options;
    const lr = (options.lr as number) * c.lrSchedule[step];
    return c.optimizer === 'lion' ? { ...options, lr, initialLr: options.lr as number } : { ...options, lr };
  };
}

function hand(c: Case, options: OptionValues, init: number[][], grads: Values, withSchedule = true): HandTrajectory[] {
  return SHAPES.map((shape, i) =>
    handTrajectory(c.optimizer, optionsAt(c, options, withSchedule), init[i], grads.map((g) => g[i]), shape),
  );
}

const paramsOf = (trajectories: HandTrajectory[]): Values => trajectories[0].params.map((_, t) => trajectories.map((tr) => tr.params[t]));
const handState = (trajectories: HandTrajectory[], name: string): Values =>
  trajectories[0].states.map((_, t) =>
    trajectories.map((tr) => (name in tr.states[t].tensors ? tr.states[t].tensors[name] : [tr.states[t].scalars[name]])),
  );
const implementationState = (run: Trajectory, name: string): Values =>
  run.states.map((params) => params.map((state) => (name in state.tensors ? state.tensors[name] : [state.scalars[name]])));

describe('Lion and Schedule-Free AdamW against their mathjs equations (float32 vs float64)', () => {
  cases.forEach((c, index) => {
    test(`${c.optimizer}: ${c.branch} ${JSON.stringify(c.options)}`, () => {
      const { init, grads } = inputs(2000 + index);
      const expected = hand(c, c.options, init, grads);
      if (c.baseline) {
        const baseline = hand(c, c.baseline, init, grads, false);
        assert.ok(
          worstRatio(paramsOf(baseline), paramsOf(expected)).ratio > 3,
          `the hand result is that of ${JSON.stringify(c.baseline)}: this case does not exercise its branch`,
        );
      }
      const lrs = c.lrSchedule?.map((k) => (c.options.lr as number) * k);
      const run = runImplementation(c.optimizer, c.options as Record<string, unknown>, SHAPES, init, grads, lrs);
      const params = worstRatio(run.params, paramsOf(expected));
      assert.ok(params.ratio <= 1, `params: ${params.at}`);
      const stateNames = c.optimizer === 'lion' ? ['expAvg'] : ['z', 'expAvgSq', 'lrMax', 'weightSum'];
      for (const name of stateNames) {
        const state = worstRatio(implementationState(run, name), handState(expected, name));
        assert.ok(state.ratio <= 1, `state '${name}': ${state.at}`);
      }
      if (c.optimizer === 'adamwschedulefree') {
        // eval() puts the equations' average x in the parameters.
        const averaged = worstRatio(run.evalParams, handState(expected, 'x'));
        assert.ok(averaged.ratio <= 1, `eval-mode params against x: ${averaged.at}`);
      }
    });
  });

  test('the inputs reach every branch they are meant to, far from the thresholds', () => {
    // Lion: the sign's argument beta1 * m + (1 - beta1) * g depends on the gradients only; none is near 0.
    cases.forEach((c, index) => {
      if (c.optimizer !== 'lion') return;
      const { init, grads } = inputs(2000 + index);
      const [beta1] = (c.options.betas ?? [0.9, 0.99]) as number[];
      hand(c, c.options, init, grads).forEach((trajectory, i) => {
        trajectory.states.forEach((state, t) => {
          const before = t === 0 ? grads[0][i].map(() => 0) : trajectory.states[t - 1].tensors.expAvg;
          const smallest = Math.min(...before.map((m, j) => Math.abs(beta1 * m + (1 - beta1) * grads[t][i][j])));
          assert.ok(smallest > 1e-4, `${c.branch}: step ${t + 1}, param ${i}: |sign argument| ${smallest}`);
        });
      });
    });
    // Schedule-Free: warm-up scales the lr by t/4 up to step 4; with lr 0 for two steps c stays 0, then 1.
    const warm = handTrajectory('adamwschedulefree', { lr: 0.05, warmupSteps: 4 }, [0.5], Array.from({ length: 6 }, () => [0.1]));
    assert.deepEqual(warm.traces.map((trace) => +(trace.lrT as number).toFixed(6)), [0.0125, 0.025, 0.0375, 0.05, 0.05, 0.05]);
    const index = cases.findIndex((c) => c.branch.startsWith('lr 0 at first'));
    const { init, grads } = inputs(2000 + index);
    const zeroFirst = hand(cases[index], cases[index].options, init, grads);
    assert.deepEqual(zeroFirst[0].traces.map((trace) => trace.c).slice(0, 4), [0, 0, 1, 0.5]);
  });
});

// ---- Schedule-Free's train and eval modes ---------------------------------------------------

/** Two variables and a fresh Schedule-Free AdamW that has taken `steps` steps on seeded gradients. */
function scheduleFree(steps: number, options: Record<string, unknown> = { lr: 0.05, weightDecay: 0.1 }) {
  const id = serial++;
  const { init, grads } = inputs(3000 + id);
  const vars = SHAPES.map((shape, i) => tf.variable(tf.tensor(init[i], shape, 'float32'), true, `extra_sf_${id}_p${i}`));
  const optimizer = createOptimizer('adamwschedulefree', options) as AdamWScheduleFree;
  const gradsAt = (t: number): tf.NamedTensorMap =>
    Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(grads[t % grads.length][i], SHAPES[i], 'float32')]));
  const stepOnce = (t: number) => {
    const named = gradsAt(t);
    try {
      optimizer.applyGradients(named);
    } finally {
      tf.dispose(Object.values(named));
    }
  };
  for (let t = 0; t < steps; t++) stepOnce(t);
  const read = () => vars.map((v) => Array.from(v.dataSync()));
  const dispose = () => {
    optimizer.dispose();
    vars.forEach((v) => v.dispose());
  };
  return { vars, optimizer, read, stepOnce, gradsAt, dispose };
}

const closeValues = (got: number[][], want: number[][]) => worstRatio([got], [want]).ratio <= 1;

describe('Schedule-Free AdamW: train and eval modes', () => {
  test('a new optimizer is in train mode; eval() and train() before any step change nothing', () => {
    const sf = scheduleFree(0);
    try {
      const before = sf.read();
      assert.equal(sf.optimizer.trainMode, true);
      sf.optimizer.eval();
      assert.equal(sf.optimizer.trainMode, false);
      assert.deepEqual(sf.read(), before);
      sf.optimizer.train();
      assert.deepEqual(sf.read(), before);
    } finally {
      sf.dispose();
    }
  });

  test('eval() puts x = (y - (1 - beta1) z) / beta1 in the parameters, train() puts y back; each is idempotent', () => {
    const sf = scheduleFree(5, { lr: 0.05, betas: [0.8, 0.999] });
    try {
      const y = sf.read();
      const z = sf.vars.map((v) => Array.from(sf.optimizer.stateFor(v.name)!.tensors.z.dataSync()));
      const x = y.map((values, i) => values.map((yj, j) => (yj - 0.2 * z[i][j]) / 0.8));
      sf.optimizer.eval();
      const evaluated = sf.read();
      assert.ok(closeValues(evaluated, x), 'eval mode holds x');
      assert.ok(!closeValues(evaluated, y), 'x is not y here');
      sf.optimizer.eval();
      assert.deepEqual(sf.read(), evaluated, 'a second eval() changes nothing');
      sf.optimizer.train();
      assert.ok(closeValues(sf.read(), y), 'train mode holds y again');
      const back = sf.read();
      sf.optimizer.train();
      assert.deepEqual(sf.read(), back, 'a second train() changes nothing');
    } finally {
      sf.dispose();
    }
  });

  test("eval() and train() use each param group's own beta1", () => {
    // The first variable in a group with beta1 0.5, the rest at 0.8: x = (y - (1 - beta1) z) / beta1 per group.
    // (The next scheduleFree() names its variables extra_sf_<serial>_p<i>.)
    const sf = scheduleFree(4, { lr: 0.05, betas: [0.8, 0.999], paramGroups: [{ params: [`extra_sf_${serial}_p0`], betas: [0.5, 0.999] }, {}] });
    try {
      const y = sf.read();
      const z = sf.vars.map((v) => Array.from(sf.optimizer.stateFor(v.name)!.tensors.z.dataSync()));
      const beta1 = [0.5, 0.8];
      const x = y.map((values, i) => values.map((yj, j) => (yj - (1 - beta1[i]) * z[i][j]) / beta1[i]));
      sf.optimizer.eval();
      assert.ok(closeValues(sf.read(), x), 'each group evaluates at its own average');
      sf.optimizer.train();
      assert.ok(closeValues(sf.read(), y), 'and goes back to its own y');
    } finally {
      sf.dispose();
    }
  });

  test('a step in eval mode is refused with the reference\'s message, and changes nothing', () => {
    const sf = scheduleFree(3);
    try {
      sf.optimizer.eval();
      const before = sf.read();
      const tensors = tf.memory().numTensors;
      const named = sf.gradsAt(3);
      assert.throws(() => sf.optimizer.applyGradients(named), /Optimizer was not in train mode when step is called/);
      tf.dispose(Object.values(named));
      const loss = () => tf.tidy(() => tf.add(tf.sum(tf.square(sf.vars[0])), tf.sum(sf.vars[1])) as tf.Scalar);
      assert.throws(() => sf.optimizer.minimize(loss, true, sf.vars), /Please insert \.train\(\) and \.eval\(\) calls/);
      assert.equal(tf.memory().numTensors, tensors, 'nothing left allocated');
      assert.deepEqual(sf.read(), before);
      assert.equal(sf.optimizer.iterations, 3);
    } finally {
      sf.dispose();
    }
  });

  test('switching modes leaks no tensors', () => {
    const sf = scheduleFree(2);
    try {
      const tensors = tf.memory().numTensors;
      for (let t = 2; t < 6; t++) {
        sf.optimizer.eval();
        sf.optimizer.train();
        sf.stepOnce(t);
      }
      assert.equal(tf.memory().numTensors, tensors);
    } finally {
      sf.dispose();
    }
  });

  test('the mode is saved with the state: a restore made in eval mode stays in eval mode', async () => {
    const sf = scheduleFree(4);
    const copy = createOptimizer('adamwschedulefree', { lr: 0.05, weightDecay: 0.1 }) as AdamWScheduleFree;
    try {
      sf.optimizer.eval();
      const saved = await sf.optimizer.getWeights();
      const savedCopy = saved.map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
      assert.ok(saved.some((w) => w.name === 'trainMode'), 'the mode is one of the weights');
      await copy.setWeights(savedCopy);
      tf.dispose(savedCopy.map((w) => w.tensor));
      assert.equal(copy.trainMode, false);
      const atX = sf.read();
      copy.train(); // moves the shared variables back to y with the restored z
      const viaCopy = sf.read();
      sf.vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(atX[i], v.shape))));
      sf.optimizer.train();
      assert.deepEqual(viaCopy, sf.read(), 'the restored optimizer returns to the same y');
    } finally {
      copy.dispose();
      sf.dispose();
    }
  });
});

// ---- settings refused, and model.fit --------------------------------------------------------

describe('settings are refused with a clear message', () => {
  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['lion', { lr: 0 }, /Invalid learning rate: 0 \(Lion's must be > 0\)/],
    ['lion', { betas: [0.9, 1.5] }, /Invalid beta parameter at index 1: 1.5 \(it must be in \[0, 1\]\)/],
    ['lion', { betas: [-0.1, 0.99] }, /Invalid beta parameter at index 0/],
    ['lion', { weightDecay: -0.1 }, /Invalid weight_decay value: -0.1/],
    ['lion', { decoupledWeightDecay: 1 }, /'decoupledWeightDecay' must be a boolean/],
    ['lion', { eps: 1e-8 }, /Lion has no option 'eps'/],
    ['adamwschedulefree', { lr: -1 }, /Invalid learning rate: -1/],
    ['adamwschedulefree', { betas: [0, 0.999] }, /Invalid beta parameter at index 0: 0 \(Schedule-Free needs it > 0/],
    ['adamwschedulefree', { betas: [0.9, 1] }, /Invalid beta parameter at index 1: 1/],
    ['adamwschedulefree', { eps: -1 }, /Invalid epsilon value: -1/],
    ['adamwschedulefree', { weightDecay: -1 }, /Invalid weight_decay value: -1/],
    ['adamwschedulefree', { warmupSteps: 2.5 }, /Invalid warmup_steps value: 2.5 \(it must be a whole number >= 0\)/],
    ['adamwschedulefree', { warmupSteps: -1 }, /Invalid warmup_steps value: -1/],
    ['adamwschedulefree', { r: -1 }, /Invalid r value: -1/],
    ['adamwschedulefree', { weightLrPower: -2 }, /Invalid weight_lr_power value: -2/],
    ['adamwschedulefree', { warmup_steps: 10 }, /has no option 'warmup_steps' \(did you mean 'warmupSteps'\?\)/],
  ];
  for (const [name, options, message] of refused) {
    test(`${name} ${JSON.stringify(options)} is refused`, () => {
      assert.throws(() => createOptimizer(name, options), message);
    });
  }

  test('the names are matched in any spelling', () => {
    for (const spelling of ['AdamWScheduleFree', 'adamw_schedule_free', 'Lion']) {
      const optimizer = createOptimizer(spelling);
      assert.match(optimizer.getClassName(), /^Torch(AdamWScheduleFree|Lion)$/);
      optimizer.dispose();
    }
  });
});

describe('drop-in for tfjs-layers', () => {
  for (const name of ['lion', 'adamwschedulefree'] as const) {
    test(`${name} trains a small model with model.compile + model.fit${name === 'lion' ? '' : ', evaluated in eval mode'}`, async () => {
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }), tf.layers.dense({ units: 1 })],
      });
      const optimizer = createOptimizer(name, { lr: name === 'lion' ? 0.003 : 0.02 });
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const xs = tf.randomUniform([64, 2], -1, 1, 'float32', 1);
      const ys = tf.tidy(() => tf.sum(tf.square(xs), 1, true));
      const evaluate = () => tf.tidy(() => (model.evaluate(xs, ys) as tf.Scalar).dataSync()[0]);
      try {
        const initial = evaluate();
        await model.fit(xs, ys, { epochs: 20, batchSize: 16, verbose: 0 });
        if (name === 'adamwschedulefree') {
          const scheduleFree = optimizer as AdamWScheduleFree;
          const atY = evaluate();
          scheduleFree.eval();
          const atX = evaluate();
          assert.notEqual(atX, atY, 'eval mode holds other weights');
          assert.ok(atX < initial * 0.8, `the average x fits: ${initial} -> ${atX}`);
          scheduleFree.train();
          await model.fit(xs, ys, { epochs: 2, batchSize: 16, verbose: 0 });
          scheduleFree.eval();
          assert.ok(evaluate() < initial * 0.8, 'training on after train() keeps improving');
        } else {
          assert.ok(evaluate() < initial * 0.8, `${name} reduced the loss: ${initial} -> ${evaluate()}`);
        }
      } finally {
        tf.dispose([xs, ys]);
        model.dispose();
        optimizer.dispose();
      }
    });
  }
});
