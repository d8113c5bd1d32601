// Every optimizer against its mathjs equations: the implementation (src/optim, float32, through
// applyGradients) and the hand computation (src/equations, float64, one element at a time) run the
// same steps from the same start, for every option that changes the update rule, and must agree
// to float32 accuracy. Each branch case also proves it exercises its branch: the hand result must
// differ, beyond the tolerance, from the same case without the option.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { backendReady } from './helpers';
import { createOptimizer } from '../src/optim';
import {
  HandLbfgs,
  HandTrajectory,
  LbfgsStepRecord,
  OptionValues,
  equationNames,
  equationsFor,
  handLbfgsTrajectory,
  handTrajectory,
  latexBlock,
  quadraticObjective,
  toLatex,
} from '../src/equations';
import { seededRandom } from '../src/notebook/random';

before(() => backendReady);

const SHAPES = [[4, 3], [5]];
const ATOL = 1e-5;
const RTOL = 1e-4;
const close = (got: number, want: number) => Math.abs(got - want) <= ATOL + RTOL * Math.abs(want);

/** A small seeded generator, so every run feeds the same numbers. */
const random = seededRandom;

type GradKind = 'random' | 'shrinking' | 'sparse';
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Case {
  optimizer: string;
  options: OptionValues;
  /** What the case is for (the test's title). */
  branch: string;
  steps?: number;
  grads?: GradKind;
  /** The same case without the option under test: its hand result must differ beyond tolerance. */
  baseline?: OptionValues;
  /** lr multipliers, one per step: the lr is set on the optimizer before each step. */
  lrSchedule?: number[];
  /** The parameters' shapes, when not SHAPES (Muon takes matrices only). */
  shapes?: number[][];
}

/** Initial parameters and per-step gradients (float32 values, so both sides see the same numbers). */
function inputs(seed: number, steps: number, kind: GradKind, shapes = SHAPES): { init: number[][]; grads: number[][][] } {
  const next = random(seed);
  const uniform = () => Math.fround(2 * next() - 1);
  const init = shapes.map((shape) => Array.from({ length: size(shape) }, uniform));
  const grads = Array.from({ length: steps }, (_, t) =>
    shapes.map((shape) => {
      const values = Array.from({ length: size(shape) }, () => Math.fround(uniform() * (kind === 'shrinking' ? 0.3 ** t : 1)));
      if (kind !== 'sparse') return values;
      // The 1-D parameter gets no gradient rows at all on step 2 (its step count still advances).
      if (t === 1 && shape.length === 1) return values.map(() => 0);
      // Some rows absent (all zero), some present with zeros inside (those elements still update).
      const rowSize = shape.length > 1 ? size(shape.slice(1)) : 1;
      for (let start = 0; start < values.length; start += rowSize) {
        const absent = next() < 0.35;
        for (let j = start; j < start + rowSize; j++) if (absent || (rowSize > 1 && next() < 0.3)) values[j] = 0;
      }
      return values;
    }),
  );
  return { init, grads };
}

const cases: Case[] = [
  { optimizer: 'sgd', options: { lr: 0.1 }, branch: 'plain' },
  { optimizer: 'sgd', options: { lr: 0.1, maximize: true }, branch: 'maximize', baseline: { lr: 0.1 } },
  { optimizer: 'sgd', options: { lr: 0.1, weightDecay: 0.1 }, branch: 'weightDecay', baseline: { lr: 0.1 } },
  { optimizer: 'sgd', options: { lr: 0.05, momentum: 0.9 }, branch: 'momentum > 0', baseline: { lr: 0.05 } },
  { optimizer: 'sgd', options: { lr: 0.05, momentum: 0.9, dampening: 0.3 }, branch: 'dampening', baseline: { lr: 0.05, momentum: 0.9 } },
  { optimizer: 'sgd', options: { lr: 0.05, momentum: 0.9, nesterov: true }, branch: 'nesterov', baseline: { lr: 0.05, momentum: 0.9 } },
  {
    optimizer: 'sgd',
    options: { lr: 0.05, momentum: 0.5, nesterov: true, weightDecay: 0.05, maximize: true },
    branch: 'nesterov + weightDecay + maximize',
  },

  { optimizer: 'adagrad', options: {}, branch: 'defaults' },
  { optimizer: 'adagrad', options: { lr: 0.1, lrDecay: 0.05 }, branch: 'lrDecay', baseline: { lr: 0.1 } },
  { optimizer: 'adagrad', options: { initialAccumulatorValue: 0.5 }, branch: 'initialAccumulatorValue', baseline: {} },
  { optimizer: 'adagrad', options: { weightDecay: 0.5 }, branch: 'weightDecay', baseline: {} },
  { optimizer: 'adagrad', options: { maximize: true }, branch: 'maximize', baseline: {} },
  { optimizer: 'adagrad', options: { eps: 0.1 }, branch: 'eps outside the root', baseline: {} },

  { optimizer: 'adadelta', options: {}, branch: 'defaults' },
  { optimizer: 'adadelta', options: { lr: 0.5, rho: 0.5 }, branch: 'rho', baseline: { lr: 0.5 } },
  { optimizer: 'adadelta', options: { weightDecay: 0.5 }, branch: 'weightDecay', baseline: {} },
  { optimizer: 'adadelta', options: { maximize: true }, branch: 'maximize', baseline: {} },
  { optimizer: 'adadelta', options: { eps: 0.01 }, branch: 'eps inside both roots', baseline: {} },

  { optimizer: 'rmsprop', options: {}, branch: 'defaults' },
  { optimizer: 'rmsprop', options: { alpha: 0.9 }, branch: 'alpha', baseline: {} },
  { optimizer: 'rmsprop', options: { centered: true }, branch: 'centered', baseline: {} },
  { optimizer: 'rmsprop', options: { momentum: 0.9 }, branch: 'momentum > 0', baseline: {} },
  { optimizer: 'rmsprop', options: { centered: true, momentum: 0.5 }, branch: 'centered + momentum', baseline: { momentum: 0.5 } },
  { optimizer: 'rmsprop', options: { weightDecay: 0.5 }, branch: 'weightDecay', baseline: {} },
  { optimizer: 'rmsprop', options: { maximize: true }, branch: 'maximize', baseline: {} },
  { optimizer: 'rmsprop', options: { eps: 0.1 }, branch: 'eps outside the root', baseline: {} },

  { optimizer: 'adam', options: {}, branch: 'defaults' },
  {
    optimizer: 'adam',
    options: { lr: 0.01, betas: [0.9, 0.5], amsgrad: true },
    branch: 'amsgrad (second moment falling)',
    grads: 'shrinking',
    baseline: { lr: 0.01, betas: [0.9, 0.5] },
  },
  { optimizer: 'adam', options: { lr: 0.01, weightDecay: 0.5 }, branch: 'weightDecay (L2)', baseline: { lr: 0.01 } },
  {
    optimizer: 'adam',
    options: { lr: 0.01, weightDecay: 0.5, decoupledWeightDecay: true },
    branch: 'decoupledWeightDecay',
    baseline: { lr: 0.01, weightDecay: 0.5 },
  },
  { optimizer: 'adam', options: { maximize: true }, branch: 'maximize', baseline: {} },
  { optimizer: 'adam', options: { eps: 0.1 }, branch: 'eps after bias correction', baseline: {} },
  {
    optimizer: 'adam',
    options: { lr: 0.01, betas: [0.8, 0.5], amsgrad: true, weightDecay: 0.1, maximize: true },
    branch: 'amsgrad + weightDecay + maximize',
    grads: 'shrinking',
  },

  { optimizer: 'adamw', options: {}, branch: 'defaults' },
  { optimizer: 'adamw', options: { lr: 0.01, weightDecay: 0.5 }, branch: 'weightDecay', baseline: { lr: 0.01, weightDecay: 0 } },
  {
    optimizer: 'adamw',
    options: { lr: 0.01, betas: [0.9, 0.5], amsgrad: true },
    branch: 'amsgrad',
    grads: 'shrinking',
    baseline: { lr: 0.01, betas: [0.9, 0.5] },
  },
  { optimizer: 'adamw', options: { maximize: true }, branch: 'maximize', baseline: {} },
  { optimizer: 'adamw', options: { eps: 0.1 }, branch: 'eps after bias correction', baseline: {} },

  { optimizer: 'adamax', options: {}, branch: 'defaults' },
  { optimizer: 'adamax', options: { betas: [0.9, 0.5] }, branch: 'infinity norm decaying', grads: 'shrinking', baseline: {} },
  { optimizer: 'adamax', options: { weightDecay: 0.5 }, branch: 'weightDecay', baseline: {} },
  { optimizer: 'adamax', options: { maximize: true }, branch: 'maximize', baseline: {} },
  { optimizer: 'adamax', options: { eps: 0.1 }, branch: 'eps inside the max', baseline: {} },

  { optimizer: 'sparseadam', options: {}, branch: 'rows absent and present', grads: 'sparse' },
  { optimizer: 'sparseadam', options: { lr: 0.01, betas: [0.8, 0.9] }, branch: 'betas', grads: 'sparse', baseline: { lr: 0.01 } },
  { optimizer: 'sparseadam', options: { maximize: true }, branch: 'maximize', grads: 'sparse', baseline: {} },
  { optimizer: 'sparseadam', options: { eps: 0.1 }, branch: 'eps before bias correction', grads: 'sparse', baseline: {} },

  { optimizer: 'asgd', options: {}, branch: 'defaults (no averaging yet)' },
  { optimizer: 'asgd', options: { lr: 0.05, lambd: 0.01, t0: 2 }, branch: 't0 small: averaging starts', baseline: { lr: 0.05, lambd: 0.01 } },
  { optimizer: 'asgd', options: { lr: 0.1, lambd: 0.5, alpha: 0.5 }, branch: 'eta schedule (lambd, alpha)', baseline: { lr: 0.1 } },
  { optimizer: 'asgd', options: { lr: 0.05, weightDecay: 0.5, t0: 1 }, branch: 'weightDecay', baseline: { lr: 0.05, t0: 1 } },
  { optimizer: 'asgd', options: { maximize: true, t0: 1 }, branch: 'maximize', baseline: { t0: 1 } },

  { optimizer: 'rprop', options: {}, branch: 'defaults (sign flips)' },
  { optimizer: 'rprop', options: { lr: 0.01, stepSizes: [0.008, 0.012] }, branch: 'step sizes clamped both ways', baseline: { lr: 0.01 } },
  { optimizer: 'rprop', options: { lr: 0.1, stepSizes: [1e-6, 0.05] }, branch: 'lr above the largest step size', baseline: { lr: 0.1 } },
  { optimizer: 'rprop', options: { etas: [0.3, 1.5] }, branch: 'etas', baseline: {} },
  { optimizer: 'rprop', options: { maximize: true }, branch: 'maximize', baseline: {} },

  { optimizer: 'nadam', options: {}, branch: 'defaults' },
  { optimizer: 'nadam', options: { lr: 0.01, momentumDecay: 5 }, branch: 'momentumDecay', baseline: { lr: 0.01 } },
  { optimizer: 'nadam', options: { lr: 0.01, weightDecay: 0.5 }, branch: 'weightDecay (L2)', baseline: { lr: 0.01 } },
  {
    optimizer: 'nadam',
    options: { lr: 0.01, weightDecay: 0.5, decoupledWeightDecay: true },
    branch: 'decoupledWeightDecay',
    baseline: { lr: 0.01, weightDecay: 0.5 },
  },
  { optimizer: 'nadam', options: { maximize: true }, branch: 'maximize', baseline: {} },
  { optimizer: 'nadam', options: { eps: 0.1 }, branch: 'eps after bias correction', baseline: {} },

  { optimizer: 'radam', options: {}, branch: 'unrectified steps 1-5, rectified 6-7', steps: 7 },
  { optimizer: 'radam', options: { lr: 0.01, betas: [0.8, 0.99] }, branch: 'betas', steps: 7, baseline: { lr: 0.01 } },
  { optimizer: 'radam', options: { lr: 0.01, weightDecay: 0.5 }, branch: 'weightDecay (L2)', steps: 7, baseline: { lr: 0.01 } },
  {
    optimizer: 'radam',
    options: { lr: 0.01, weightDecay: 0.5, decoupledWeightDecay: true },
    branch: 'decoupledWeightDecay',
    steps: 7,
    baseline: { lr: 0.01, weightDecay: 0.5 },
  },
  { optimizer: 'radam', options: { maximize: true }, branch: 'maximize', steps: 7, baseline: {} },
  {
    optimizer: 'radam',
    options: { lr: 0.05, betas: [0.9, 0.9], eps: 0.1 },
    branch: 'eps in the adaptive rate',
    steps: 8,
    baseline: { lr: 0.05, betas: [0.9, 0.9] },
  },

  // Adafactor: a 2-D parameter factored, a vector kept whole (SHAPES); then 3-D and a scalar.
  { optimizer: 'adafactor', options: {}, branch: 'defaults (factored matrix, full vector)', steps: 6 },
  { optimizer: 'adafactor', options: { lr: 0.5 }, branch: 'lr above 1/sqrt(t) from step 5', steps: 8, baseline: { lr: 0.3 } },
  { optimizer: 'adafactor', options: { beta2Decay: -0.5 }, branch: 'beta2Decay', baseline: {} },
  { optimizer: 'adafactor', options: { eps: [0.3, 1e-3] }, branch: 'eps1 clamps the second moment', baseline: {} },
  { optimizer: 'adafactor', options: { eps: [null, 1.5] }, branch: 'eps2 above RMS(theta)', baseline: {} },
  { optimizer: 'adafactor', options: { d: 1.5 }, branch: 'clipping threshold d', steps: 6, baseline: {} },
  { optimizer: 'adafactor', options: { lr: 0.05, weightDecay: 0.5 }, branch: 'weightDecay', baseline: { lr: 0.05 } },
  { optimizer: 'adafactor', options: { maximize: true }, branch: 'maximize', baseline: {} },
  {
    optimizer: 'adafactor',
    options: { lr: 0.05, weightDecay: 0.1 },
    branch: '3-D (factored over the last two axes) and a scalar',
    shapes: [[2, 3, 4], []],
  },

  // Muon: a tall matrix (orthogonalised through its transpose) and a wide one.
  ...(
    [
      [{}, 'defaults', undefined],
      [{ lr: 0.02, nesterov: false }, 'nesterov off', { lr: 0.02 }],
      [{ lr: 0.02, momentum: 0.5 }, 'momentum', { lr: 0.02 }],
      [{ lr: 0.02, nsCoefficients: [1.5, -0.5, 0] }, 'nsCoefficients (cubic)', { lr: 0.02 }],
      [{ lr: 0.02, nsSteps: 2 }, 'nsSteps', { lr: 0.02 }],
      [{ lr: 0.02, eps: 10 }, 'eps above the norm', { lr: 0.02 }],
      [{ lr: 0.02, adjustLrFn: 'match_rms_adamw' }, "adjustLrFn 'match_rms_adamw'", { lr: 0.02 }],
      [{ lr: 0.02, weightDecay: 0 }, 'no weight decay', { lr: 0.02 }],
    ] as const
  ).map(([options, branch, baseline]): Case => ({ optimizer: 'muon', options, branch, baseline, shapes: [[4, 3], [3, 5]] })),

  // An lr changed between steps: read afresh (SGD, Adagrad with lrDecay, AdamW's decay), only
  // through the next step size (ASGD), or never after the first step (Rprop).
  ...(
    [
      ['sgd', { lr: 0.1, momentum: 0.9 }],
      ['adagrad', { lr: 0.1, lrDecay: 0.05 }],
      ['adamw', { lr: 0.01, weightDecay: 0.5 }],
      ['asgd', { lr: 0.05, lambd: 0.5, t0: 1 }],
      ['rprop', { lr: 0.01 }],
      ['adafactor', { lr: 0.05, weightDecay: 0.5 }],
      ['muon', { lr: 0.02 }],
    ] as const
  ).map(([optimizer, options]): Case => ({
    optimizer,
    options,
    branch: 'lr changed between steps',
    lrSchedule: [1, 0.5, 0.25, 2, 1],
    baseline: optimizer === 'rprop' ? undefined : options,
    shapes: optimizer === 'muon' ? [[4, 3], [3, 5]] : undefined,
  })),
];

/** The options in force at a 0-based step. */
function optionsAt(c: Case, options: OptionValues): (step: number) => OptionValues {
  return (step) => (c.lrSchedule ? { ...options, lr: (options.lr as number) * c.lrSchedule[step] } : options);
}

interface StateValues {
  tensors: Record<string, number[]>;
  scalars: Record<string, number>;
}

interface Run {
  params: number[][][];
  averaged: number[][][];
  /** The optimizer's state of each parameter after each step, [step][param]. */
  states: StateValues[][];
}

/** TorchOptimizer's read access to per-parameter state. */
interface WithState {
  stateFor(variableName: string): { tensors: Record<string, tf.Tensor>; scalars: Record<string, number> } | undefined;
}

/** The implementation: tf.variables, createOptimizer, applyGradients, float32. */
function runImplementation(c: Case, init: number[][], grads: number[][][], serial: number): Run {
  const shapes = c.shapes ?? SHAPES;
  const vars = shapes.map((shape, i) => tf.variable(tf.tensor(init[i], shape, 'float32'), true, `equations_${serial}_p${i}`));
  const optimizer = createOptimizer(c.optimizer, c.options as Record<string, unknown>);
  const run: Run = { params: [], averaged: [], states: [] };
  try {
    for (const [step, stepGrads] of grads.entries()) {
      if (c.lrSchedule) (optimizer as unknown as { lr: number }).lr = optionsAt(c, c.options)(step).lr as number;
      const named: tf.NamedTensorMap = {};
      vars.forEach((v, i) => (named[v.name] = tf.tensor(stepGrads[i], shapes[i], 'float32')));
      optimizer.applyGradients(named);
      tf.dispose(Object.values(named));
      run.params.push(vars.map((v) => Array.from(v.dataSync())));
      run.states.push(
        vars.map((v) => {
          const state = (optimizer as unknown as WithState).stateFor(v.name);
          const tensors = Object.entries(state?.tensors ?? {}).map(([k, t]) => [k, Array.from(t.dataSync())]);
          return { tensors: Object.fromEntries(tensors), scalars: { ...state?.scalars } };
        }),
      );
      if (c.optimizer === 'asgd') {
        const averaged = (optimizer as unknown as { averagedParams(): tf.NamedTensorMap }).averagedParams();
        run.averaged.push(vars.map((v) => Array.from(averaged[v.name].dataSync())));
      }
    }
  } finally {
    optimizer.dispose();
    vars.forEach((v) => v.dispose());
  }
  return run;
}

/** The first element where `got` and `want` disagree, described, or undefined. */
function firstMismatch(what: string, got: number[][][], want: number[][][]): string | undefined {
  let worst = 0;
  let first: string | undefined;
  want.forEach((perParam, t) =>
    perParam.forEach((values, i) =>
      values.forEach((expected, j) => {
        const actual = got[t][i][j];
        if (!close(actual, expected)) {
          worst = Math.max(worst, Math.abs(actual - expected));
          first ??= `${what} step ${t + 1}, param ${i} [${j}]: hand (float64) ${expected}, implementation ${actual}`;
        }
      }),
    ),
  );
  return first && `${first} (worst |err| ${worst.toExponential(2)})`;
}

/**
 * The implementation keeps the state the equations keep, under the same (PyTorch's, camelCased)
 * names, with the same values: per-element state as tensors, per-tensor state as scalars. Each
 * parameter's own (Adafactor keeps other state for a matrix than for a vector).
 */
function stateMismatch(got: StateValues[][], expected: HandTrajectory[]): string | undefined {
  for (const [i, trajectory] of expected.entries()) {
    const { tensors, scalars } = trajectory.states[0];
    for (const [kind, names] of [['tensors', Object.keys(tensors)], ['scalars', Object.keys(scalars)]] as const) {
      for (const name of names) {
        const lacking = got.map((step) => step[i]).find((state) => !(name in state[kind]));
        if (lacking) return `param ${i}: state ${kind} '${name}' missing (the implementation has ${Object.keys(lacking[kind]).join(', ') || 'none'})`;
        const values = (state: { tensors: Record<string, number[]>; scalars: Record<string, number> }) =>
          kind === 'tensors' ? state.tensors[name] : [state.scalars[name]];
        const problem = firstMismatch(
          `param ${i}: state '${name}'`,
          got.map((step) => [values(step[i])]),
          trajectory.states.map((state) => [values(state)]),
        );
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

function hand(c: Case, options: OptionValues, init: number[][], grads: number[][][]) {
  return (c.shapes ?? SHAPES).map((shape, i) =>
    handTrajectory(
      c.optimizer,
      optionsAt(c, options),
      init[i],
      grads.map((g) => g[i]),
      shape,
    ),
  );
}

/** One hand trajectory per parameter, read step-major: [step][param]. */
function stepMajor<T>(trajectories: HandTrajectory[], pick: (trajectory: HandTrajectory, step: number) => T): T[][] {
  return trajectories[0].params.map((_, t) => trajectories.map((trajectory) => pick(trajectory, t)));
}
const byStep = (trajectories: HandTrajectory[]) => stepMajor(trajectories, (tr, t) => tr.params[t]);
/** ASGD's averaged parameters (state `ax`). */
const averagedByStep = (trajectories: HandTrajectory[]) => stepMajor(trajectories, (tr, t) => tr.states[t].tensors.ax);

describe('every optimizer against its mathjs equations (float32 vs float64)', () => {
  cases.forEach((c, serial) => {
    test(`${c.optimizer}: ${c.branch} ${JSON.stringify(c.options)}`, () => {
      const steps = c.steps ?? 5;
      const { init, grads } = inputs(1000 + serial, steps, c.grads ?? 'random', c.shapes);
      const expected = hand(c, c.options, init, grads);

      if (c.baseline) {
        const baseline = hand(c.lrSchedule ? { ...c, lrSchedule: undefined } : c, c.baseline, init, grads);
        const differs =
          firstMismatch('', byStep(baseline), byStep(expected)) !== undefined ||
          (c.optimizer === 'asgd' && firstMismatch('', averagedByStep(baseline), averagedByStep(expected)) !== undefined);
        assert.ok(
          differs,
          `the hand result equals the one without the option (${JSON.stringify(c.baseline)}): this case does not exercise its branch`,
        );
      }

      const run = runImplementation(c, init, grads, serial);
      const problem = firstMismatch('param', run.params, byStep(expected));
      assert.equal(problem, undefined, problem);
      const stateProblem = stateMismatch(run.states, expected);
      assert.equal(stateProblem, undefined, stateProblem);
      if (c.optimizer === 'asgd') {
        const averagedProblem = firstMismatch('averagedParams', run.averaged, averagedByStep(expected));
        assert.equal(averagedProblem, undefined, averagedProblem);
      }
    });
  });

  test('the inputs reach every branch they are meant to', () => {
    // RAdam: rho_t <= 5 (unrectified) on steps 1-5 and > 5 on steps 6-7.
    const radam = handTrajectory('radam', {}, [0.5], Array.from({ length: 7 }, () => [0.1]));
    assert.deepEqual(
      radam.traces.map((trace) => (trace.rhoT as number) > 5),
      [false, false, false, false, false, true, true],
    );
    // ASGD with t0 = 2: mu is 1 until step 3, then 1/2, 1/3: averaging really starts.
    const asgd = handTrajectory('asgd', { t0: 2 }, [0.5], Array.from({ length: 5 }, () => [0.1]));
    assert.deepEqual(asgd.states.map((s) => s.scalars.mu), [1, 1, 1, 1 / 2, 1 / 3]);
    // SparseAdam: absent rows, and present rows with zero elements, in both parameters.
    const { grads } = inputs(1000 + cases.findIndex((c) => c.optimizer === 'sparseadam'), 5, 'sparse');
    const rows = grads.flatMap((step) => step[0].length === 12 ? [0, 3, 6, 9].map((r) => step[0].slice(r, r + 3)) : []);
    assert.ok(rows.some((row) => row.every((x) => x === 0)), 'an absent row');
    assert.ok(rows.some((row) => row.some((x) => x === 0) && row.some((x) => x !== 0)), 'a present row with a zero element');
    // Rprop: sign flips and sign holds both occur.
    const rprop = handTrajectory('rprop', {}, [0, 0, 0, 0], [[1, 1, -1, 0.5], [1, -1, -1, 0.5], [1, 1, 1, 0.5]]);
    assert.deepEqual(rprop.states[1].tensors.stepSize.map((x) => +x.toPrecision(12)), [0.012, 0.005, 0.012, 0.012]);
    assert.deepEqual(rprop.states[1].tensors.prev, [1, 0, -1, 0.5]);
    // Adafactor with lr 0.5: rho is lr for steps 1-4, then 1/sqrt(t); update clipping happens (c_t > 1).
    const adafactor = handTrajectory('adafactor', { lr: 0.5 }, [0.5, -0.2, 0.1], [[0.1, 0.1, 0.1], [3, -3, 3], ...Array(6).fill([0.1, 0.2, 0.3])]);
    assert.deepEqual(adafactor.traces.map((trace) => trace.rho), [0.5, 0.5, 0.5, 0.5, ...[5, 6, 7, 8].map((t) => 1 / Math.sqrt(t))]);
    assert.ok(adafactor.traces.some((trace) => (trace.clip as number) > 1.2), 'an update clipped');
    // Muon: the eps case's direction has a norm far below eps (10), the default's far above 1e-7.
    const { grads: muonGrads } = inputs(1000 + cases.findIndex((c) => c.branch === 'eps above the norm'), 5, 'random', [[4, 3]]);
    const norms = muonGrads.map((step) => Math.hypot(...step[0]));
    assert.ok(norms.every((n) => n < 5 && n > 1e-3), `gradient norms ${norms}`);
  });
});

describe('LBFGS against its mathjs equations (fixed step, no line search)', () => {
  // f(x) = x'Ax/2 - b'x with A symmetric positive definite; float32-exact inputs.
  const A = [
    [3, 0.5, 0, 0.2],
    [0.5, 2, 0.3, 0],
    [0, 0.3, 1.5, 0.1],
    [0.2, 0, 0.1, 1],
  ];
  const b = [1, -1, 0.5, 2];
  const x0 = [0.5, -0.3, 0.8, 0.1];
  const objective = quadraticObjective(A, b);

  // The float32 implementation and the float64 hand computation make the same decisions only where
  // each comparison sits far from its threshold (a float32 value is off by a few 2^-23 of the terms
  // it is summed from, and the last bits depend on the CPU's summation order). So the cases stay away
  // from convergence, where loss changes shrink to rounding noise, and every decision of every case
  // must clear MIN_MARGIN units of 2^-23 (LbfgsDecision.margin); the comparisons at their threshold
  // are tested exactly, in float32-exact arithmetic, in test/lbfgs.test.ts.
  const MIN_MARGIN = 1000;
  const lbfgsCases: Array<{ options: OptionValues; steps: number; branch: string; baseline?: OptionValues }> = [
    { options: { lr: 0.2, maxIter: 4 }, steps: 3, branch: 'maxIter: no re-evaluation after the last move' },
    { options: { lr: 1, maxIter: 2 }, steps: 3, branch: 'default maxEval (maxIter * 5 // 4) stops after one move' },
    { options: { lr: 0.2, maxIter: 5, historySize: 2 }, steps: 3, branch: 'history full: oldest pair dropped', baseline: { lr: 0.2, maxIter: 5 } },
    { options: { lr: 0.3, maxIter: 10, maxEval: 4 }, steps: 2, branch: 'maxEval stops the step' },
    { options: { lr: 0.5, toleranceGrad: 0.05 }, steps: 3, branch: 'toleranceGrad stops the step, then the next at once' },
    { options: { lr: 0.5, toleranceChange: 2e-2 }, steps: 2, branch: 'toleranceChange stops the step' },
  ];

  lbfgsCases.forEach(({ options, steps, branch, baseline }, serial) => {
    test(`lbfgs: ${branch} ${JSON.stringify(options)}`, (t) => {
      const expected = handLbfgsTrajectory(options, objective, x0, steps);
      const decisions = expected.flatMap((record, k) => record.decisions.map((d) => ({ step: k + 1, ...d })));
      const closest = decisions.reduce((a, d) => (d.margin < a.margin ? d : a));
      t.diagnostic(`${decisions.length} decisions; the closest: step ${closest.step}, iteration ${closest.iteration}, ${closest.rule} ${closest.value.toExponential(3)} vs ${closest.threshold}, margin ${closest.margin.toExponential(2)} (x 2^-23 of its scale)`);
      for (const d of decisions) {
        assert.ok(
          d.margin >= MIN_MARGIN,
          `case too close to threshold: step ${d.step}, iteration ${d.iteration}, ${d.rule} ${d.value} vs ${d.threshold} is ${d.margin.toFixed(1)} x 2^-23 of ${d.scale.toExponential(2)} from it (at least ${MIN_MARGIN} needed): a float32 run on another CPU may decide otherwise; choose a case further from the threshold`,
        );
      }
      if (baseline) {
        const without = handLbfgsTrajectory(baseline, objective, x0, steps);
        const differs = without.some((record, k) => record.x.some((v, j) => !close(v, expected[k].x[j])));
        assert.ok(differs, `the case does not exercise its branch: ${JSON.stringify(baseline)} gives the same trajectory`);
      }
      // Two variables, one of them 2-D: LBFGS works on their concatenation, flattened in order.
      const head = tf.variable(tf.tensor1d(x0.slice(0, 2), 'float32'), true, `equations_lbfgs_${serial}_a`);
      const tail = tf.variable(tf.tensor2d(x0.slice(2), [1, 2], 'float32'), true, `equations_lbfgs_${serial}_b`);
      const matrix = tf.tensor2d(A, [4, 4], 'float32');
      const vector = tf.tensor1d(b, 'float32');
      const optimizer = createOptimizer('lbfgs', options as Record<string, unknown>);
      let evaluations = 0;
      const loss = () => {
        evaluations++;
        return tf.tidy(() => {
          const x = tf.concat([head, tail.reshape([2])]);
          const Ax = tf.matMul(matrix, x.reshape([4, 1])).reshape([4]);
          return tf.sub(tf.mul(0.5, tf.sum(tf.mul(x, Ax))), tf.sum(tf.mul(vector, x))) as tf.Scalar;
        });
      };
      try {
        expected.forEach((record, k) => {
          evaluations = 0;
          const returned = optimizer.minimize(loss, true, [head, tail]);
          const value = returned?.dataSync()[0];
          returned?.dispose();
          const where = `step ${k + 1}`;
          assert.ok(value !== undefined && close(value, record.loss), `${where}: loss ${value}, hand ${record.loss}`);
          assert.equal(evaluations, record.evaluations, `${where}: closure evaluations (PyTorch's count)`);
          const got = [...head.dataSync(), ...tail.dataSync()];
          record.x.forEach((want, j) => assert.ok(close(got[j], want), `${where}, x[${j}]: implementation ${got[j]}, hand ${want}`));
        });
      } finally {
        optimizer.dispose();
        tf.dispose([head, tail, matrix, vector]);
      }
    });
  });

  test('the LBFGS cases reach their stopping rules', () => {
    const run = (options: OptionValues, steps: number) => handLbfgsTrajectory(options, objective, x0, steps);
    const counts = (records: LbfgsStepRecord[]) => records.map((r) => [r.iterations, r.evaluations]);
    assert.deepEqual(counts(run({ lr: 0.2, maxIter: 4 }, 3)), [[4, 4], [4, 4], [4, 4]]);
    assert.deepEqual(counts(run({ lr: 0.2, maxIter: 5, historySize: 2 }, 3)), [[5, 5], [5, 5], [5, 5]]);
    assert.deepEqual(counts(run({ lr: 1, maxIter: 2 }, 3)), [[1, 2], [1, 2], [1, 2]]);
    assert.deepEqual(run({ lr: 0.3, maxIter: 10, maxEval: 4 }, 2).map((r) => r.iterations), [3, 3]);
    const early = run({ lr: 0.5, toleranceGrad: 0.05 }, 3);
    assert.ok(early[0].iterations < 20 && early[0].iterations > 1, `stopped after ${early[0].iterations}`);
    assert.deepEqual([early[1].iterations, early[1].evaluations], [0, 1], 'the next step returns after one evaluation');
    const change = run({ lr: 0.5, toleranceChange: 2e-2 }, 2);
    assert.ok(change[0].iterations < 20, 'a small change stops the first step');
    assert.deepEqual(counts(change.slice(1)), [[1, 1]], 'a small directional derivative stops the second before it moves');
    assert.throws(() => new HandLbfgs({ lineSearchFn: 'strong_wolfe' }), /no line search/);
  });
});

describe('LaTeX from the same expressions', () => {
  const optionSets = (name: string): OptionValues[] => [{}, ...cases.filter((c) => c.optimizer === name).map((c) => c.options)];

  for (const name of equationNames) {
    test(`${name}: toLatex gives mathjs-rendered, well-formed lines`, () => {
      for (const options of optionSets(name)) {
        const lines = toLatex(name, options);
        if (name !== 'lbfgs') {
          const { equations, appliesTo } = equationsFor(name, options);
          assert.equal(lines.length, equations.length + (appliesTo === 'presentRows' ? 1 : 0));
        }
        for (const line of lines) {
          assert.ok(line.trim().length > 0, 'empty line');
          assert.doesNotMatch(line, /undefined|NaN|\[object/);
          assert.ok(balanced(line), `unbalanced braces or \\left/\\right: ${line}`);
        }
        const rendered = lines.filter((line) => line.includes('&\\leftarrow'));
        assert.ok(rendered.length >= 2, `${name} ${JSON.stringify(options)}: no assignments rendered`);
        const block = latexBlock(name, options);
        assert.match(block, /^\\begin\{aligned\}\n[\s\S]+\n\\end\{aligned\}$/);
      }
    });
  }

  test('symbols read as in the papers', () => {
    const adam = toLatex('adam', { amsgrad: true }).join('\n');
    for (const piece of ['\\beta_1', '\\beta_2', '\\eta', '\\epsilon', '\\sqrt{', '\\theta_{t}', '\\theta_{t-1}', 'm_{t-1}', 'v^{\\max}_{t}']) {
      assert.ok(adam.includes(piece), `adam LaTeX lacks ${piece}`);
    }
    assert.ok(toLatex('sgd', { momentum: 0.9 }).join('').includes('\\begin{cases}'), 'first-step branch rendered as cases');
  });

  test('tensor rules render the branch their shape takes', () => {
    const matrix = toLatex('adafactor', {}, [4, 3]).join('\n');
    const vector = toLatex('adafactor', {}, [5]).join('\n');
    for (const piece of ['R_{t}', 'C_{t}', '\\operatorname{mean}_{\\text{row}}', '\\odot', '\\operatorname{RMS}']) assert.ok(matrix.includes(piece), piece);
    assert.ok(vector.includes('V_{t}') && !vector.includes('R_{t}'), 'a vector keeps its second moment whole');
    const tall = toLatex('muon', { nsSteps: 4 }, [5, 3]).join('\n');
    for (const piece of ['\\widetilde{B}_t^{\\top}', '\\right\\rVert_F', 'O_t &\\leftarrow X^{\\top}', 'Newton-Schulz iteration, 4 times']) {
      assert.ok(tall.includes(piece), `muon LaTeX lacks ${piece}`);
    }
    assert.ok(!toLatex('muon', {}, [3, 5]).join('\n').includes('^{\\top} &'), 'a wide matrix is not transposed');
  });
});

test('the hand computation does not import the implementation', () => {
  const dir = join(__dirname, '..', 'src', 'equations');
  for (const file of readdirSync(dir)) {
    const source = readFileSync(join(dir, file), 'utf8');
    assert.doesNotMatch(source, /(from|require\()\s*['"][^'"]*\/optim(\/[^'"]*)?['"]/, `${file} imports src/optim`);
  }
});

test('the hand computation refuses unknown options and invalid settings', () => {
  assert.throws(() => equationsFor('adam', { weightdecay: 0.1 }), /no option 'weightdecay'/);
  assert.throws(() => equationsFor('sgd', { nesterov: true }), /Nesterov momentum requires/);
  assert.throws(() => equationsFor('rprop', { etas: [1.5, 1.2] }), /Invalid eta values/);
  assert.throws(() => equationsFor('muon', {}, [5]), /Muon only supports 2D parameters whereas we found a parameter with size: \[5\]/);
  assert.throws(() => equationsFor('adafactor', { d: 0.5 }), /Clipping threshold d should be >= 1/);
  assert.throws(() => handTrajectory('adafactor', {}, [1, 2, 3], [[1, 2, 3]], [2, 2]), /\[2,2\] holds 4 elements; parameter 3/);
});

/** Braces, \left/\right and \begin/\end pairs balance. */
function balanced(tex: string): boolean {
  let depth = 0;
  for (let i = 0; i < tex.length; i++) {
    if (tex[i] === '\\') {
      i++; // an escaped character (\{ \} \\) does not count
      continue;
    }
    if (tex[i] === '{') depth++;
    if (tex[i] === '}' && --depth < 0) return false;
  }
  const count = (re: RegExp) => (tex.match(re) ?? []).length;
  return depth === 0 && count(/\\left[^a-z]/g) === count(/\\right[^a-z]/g) && count(/\\begin\{/g) === count(/\\end\{/g);
}
