// Property-based tests (fast-check, fixed seeds) of every optimizer in optimizerNames:
//   1. random option records are refused at construction, with an OptimizerOptionError naming an
//      offending option, exactly when the rules in option-domains.ts refuse them; the others build
//      and take finite steps on bounded gradients;
//   2. random step sequences saved and restored at a random point (into a fresh optimizer with the
//      same options) follow the uninterrupted trajectory bit for bit;
//   3. random misuse of applyGradients changes no variable, no state and not the iteration count.
// Each property prints one line with its counts. FUN_OPTIM_PROPERTY_RUNS=k runs k times as many cases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { createOptimizer, LBFGS, optimizerNames, OptimizerOptionError, type OptimizerName } from '../src/optim';
import { Random } from '../src/data/random';
import { crossDefaults, crossRules, hostile, mayOverflow, namesOption, optionDomains, unknownKeys } from './option-domains';

before(() => backendReady);

const scale = Number(process.env.FUN_OPTIM_PROPERTY_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * scale));

/** What a TorchOptimizer shows of its state, for the checks below. */
interface Stateful extends tf.Optimizer {
  statefulVariableNames: string[];
  stateFor(name: string): { tensors: Record<string, tf.Tensor>; scalars: Record<string, number> } | undefined;
  lr: number;
  eval?(): void;
  train?(): void;
  trainMode?: boolean;
}

// ---- the problem every optimizer steps on ------------------------------------------------------

const random = new Random(8, 'properties');
/** Values in ±[0.1, 1]: bounded, and never zero (a zero gradient over eps = 0 is 0/0 in PyTorch too). */
const bounded = (count: number) => Array.from(random.uniform(count, 0.1, 1), (x) => (random.nextFloat() < 0.5 ? -x : x));

interface Problem {
  variables: tf.Variable[];
  initial: tf.Tensor[];
  /** gradients[k][i]: the gradient of variable i at step k (fixed tensors, reused by every case). */
  gradients: tf.Tensor[][];
  reset(): void;
  dispose(): void;
}

function problem(tag: string, shapes: number[][], steps: number): Problem {
  const variables = shapes.map((s, i) => tf.variable(tf.tensor(bounded(tf.util.sizeFromShape(s)), s), true, `properties/${tag}/v${i}`));
  const initial = variables.map((v) => v.clone());
  const gradients = Array.from({ length: steps }, () => shapes.map((s) => tf.tensor(bounded(tf.util.sizeFromShape(s)), s)));
  return {
    variables,
    initial,
    gradients,
    reset: () => variables.forEach((v, i) => v.assign(initial[i])),
    dispose: () => tf.dispose([...variables, ...initial, ...gradients.flat()]),
  };
}

/** Muon takes only 2-D variables; the others get a matrix and a vector (Adafactor factors only the matrix). */
const shapesFor = (name: OptimizerName) => (name === 'muon' ? [[3, 4], [4, 2]] : [[3, 4], [5]]);

/** The L-BFGS closure: a fixed positive-definite quadratic, 0.5 * sum(c * (x - t)²), with c in [0.5, 1.5]. */
function quadratic(x: tf.Variable) {
  const curvature = tf.tensor1d(random.uniform(x.size, 0.5, 1.5));
  const target = tf.tensor1d(bounded(x.size));
  return {
    f: () => tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(curvature, tf.square(tf.sub(x, target))))) as tf.Scalar),
    dispose: () => tf.dispose([curvature, target]),
  };
}

const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array | Int32Array).buffer.slice(0)).toString('hex');
const allFinite = (t: tf.Tensor) => (t.dataSync() as Float32Array).every(Number.isFinite);

// ---- option records ------------------------------------------------------------------------------

const ABSENT = Symbol('absent');

/** A record of options for `name`: each option absent, valid, at an edge of its rule, or hostile; now and then an unknown key. */
function optionRecords(name: OptimizerName, hostileWeight = 1): fc.Arbitrary<Record<string, unknown>> {
  const unknownWeight = hostileWeight > 0 ? 1 : 0;
  const domains = optionDomains[name];
  const entries = Object.entries(domains).map(([key, domain]) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(ABSENT) },
      { weight: 8, arbitrary: domain.values },
      { weight: hostileWeight, arbitrary: hostile },
    ).map((value) => [key, value] as const),
  );
  // One record in twenty has an option name the optimizer does not have.
  const unknown = fc.oneof(
    { weight: 19, arbitrary: fc.constant(null) },
    { weight: unknownWeight, arbitrary: fc.tuple(fc.constantFrom(...unknownKeys), fc.constantFrom<unknown>(0.1, true, 'x')) },
  );
  return fc.tuple(fc.tuple(...entries), unknown).map(([pairs, extra]) => {
    const record: Record<string, unknown> = {};
    for (const [key, value] of pairs) if (value !== ABSENT) record[key] = value;
    // defineProperty, so that '__proto__' becomes a key of the record rather than its prototype.
    if (extra) Object.defineProperty(record, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
    return record;
  });
}

/**
 * The options the rules refuse in `record`, any of which the message may name; unknown keys alone
 * when there are any (resolveOptions checks names before values).
 */
function refusedKeys(name: OptimizerName, record: Record<string, unknown>): string[] {
  const domains = optionDomains[name];
  const unknown = Object.keys(record).filter((key) => !Object.hasOwn(domains, key));
  if (unknown.length > 0) return unknown;
  const bad = Object.entries(record).filter(([key, value]) => !domains[key].accepts(value)).map(([key]) => key);
  const cross = crossRules[name]?.({ ...crossDefaults[name], ...record });
  return cross ? [...bad, cross] : bad;
}

/** Three steps (L-BFGS: two minimize calls) from the fixed start; true when every value stays finite. */
function stepsStayFinite(name: OptimizerName, optimizer: tf.Optimizer, setup: Problem, lbfgsLoss?: () => tf.Scalar): string | undefined {
  setup.reset();
  if (name === 'lbfgs') {
    for (let k = 0; k < 2; k++) optimizer.minimize(lbfgsLoss!, false, setup.variables);
  } else {
    for (const grads of setup.gradients) optimizer.applyGradients(Object.fromEntries(setup.variables.map((v, i) => [v.name, grads[i]])));
  }
  const badVariable = setup.variables.find((v) => !allFinite(v));
  if (badVariable) return `variable ${badVariable.name} = [${Array.from(badVariable.dataSync())}]`;
  if (name === 'lbfgs') return undefined;
  const stateful = optimizer as unknown as Stateful;
  for (const variableName of stateful.statefulVariableNames) {
    const { tensors, scalars } = stateful.stateFor(variableName)!;
    for (const [slot, t] of Object.entries(tensors)) if (!allFinite(t)) return `${name} state ${variableName}/${slot}`;
    for (const [key, value] of Object.entries(scalars)) if (!Number.isFinite(value)) return `${name} state ${variableName}/${key} = ${value}`;
  }
  return undefined;
}

const summaries: string[] = [];
after(() => {
  for (const line of summaries) console.log(line);
});

/** Counts of one optimizer's option records, by outcome. */
interface OptionCounts {
  records: number;
  refused: number;
  built: number;
  stepped: number;
  excluded: number;
}

/**
 * Builds `record` and checks the outcome against the rules: refused with an OptimizerOptionError
 * naming an offending option, or built; and, when `step`, three finite steps unless the record may
 * legitimately overflow.
 */
function judge(name: OptimizerName, record: Record<string, unknown>, counts: OptionCounts, step?: { setup: Problem; loss?: () => tf.Scalar }): void {
  counts.records++;
  const refused = refusedKeys(name, record);
  let optimizer: tf.Optimizer;
  try {
    optimizer = createOptimizer(name, record);
  } catch (error) {
    if (!(error instanceof OptimizerOptionError)) throw new Error(`not an OptimizerOptionError: ${String(error)}`);
    const { message } = error;
    assert.ok(refused.length > 0, `a valid record was refused: ${message}`);
    assert.ok(refused.some((key) => namesOption(message, key)), `the message names none of ${refused.join(', ')}: ${message}`);
    counts.refused++;
    return;
  }
  try {
    assert.deepEqual(refused, [], `built although the rules refuse ${refused.join(', ')}`);
    counts.built++;
    if (!step) return;
    if (mayOverflow(name, record) !== undefined) {
      counts.excluded++;
      return;
    }
    const problemFound = stepsStayFinite(name, optimizer, step.setup, step.loss);
    assert.equal(problemFound, undefined, `a non-finite value after three steps on bounded gradients: ${problemFound}`);
    counts.stepped++;
  } finally {
    optimizer.dispose();
  }
}

const zeroCounts = (): OptionCounts => ({ records: 0, refused: 0, built: 0, stepped: 0, excluded: 0 });
const addCounts = (into: OptionCounts, from: OptionCounts) => {
  for (const key of Object.keys(into) as Array<keyof OptionCounts>) into[key] += from[key];
};

describe('1. option records: refused with a clear message, or built and stepping finitely', () => {
  const built = zeroCounts();
  const stepped = zeroCounts();
  optimizerNames.forEach((name, index) => {
    test(name, () => {
      // Construction alone is cheap: many records, hostile values among them.
      const onlyBuilt = zeroCounts();
      fc.assert(
        fc.property(optionRecords(name), (record) => judge(name, record, onlyBuilt)),
        { includeErrorInReport: true, seed: 7100 + index, numRuns: runs(800) },
      );
      // Steps cost a few milliseconds: fewer records, valid ones, each stepped unless it may overflow.
      const setup = problem(`options-${name}`, name === 'lbfgs' ? [[6]] : shapesFor(name), 3);
      const loss = name === 'lbfgs' ? quadratic(setup.variables[0]) : undefined;
      const withSteps = zeroCounts();
      try {
        fc.assert(
          fc.property(optionRecords(name, 0).filter((record) => refusedKeys(name, record).length === 0), (record) => judge(name, record, withSteps, { setup, loss: loss?.f })),
          { includeErrorInReport: true, seed: 7200 + index, numRuns: runs(name === 'lbfgs' || name === 'muon' ? 40 : 50) },
        );
      } finally {
        loss?.dispose();
        setup.dispose();
      }
      addCounts(built, onlyBuilt);
      addCounts(stepped, withSteps);
      console.log(
        `property 1 ${name}: ${onlyBuilt.records} records built or refused (${onlyBuilt.refused} refused, ${onlyBuilt.built} built); ` +
          `${withSteps.records} valid ones: ${withSteps.stepped} stepped finitely, ${withSteps.excluded} built but not stepped (may overflow)`,
      );
    });
  });
  after(() =>
    summaries.push(
      `property 1 (options): ${built.records + stepped.records} records over ${optimizerNames.length} optimizers; ${built.refused + stepped.refused} refused with ` +
        `an OptimizerOptionError naming an offending option, ${built.built + stepped.built} built; ${stepped.stepped} of these stepped three times on bounded gradients ` +
        `and stayed finite, ${stepped.excluded} not stepped (a value that may overflow float32)`,
    ),
  );
});

describe('shrunk counterexamples that property 1 found, kept as regression cases', () => {
  test('clipping options given as undefined are refused like every other option (they were taken as absent)', () => {
    const cases: Array<[OptimizerName, Record<string, unknown>, string]> = [
      ['adagrad', { lr: 0, weightDecay: 0, maximize: false, clipGradNorm: undefined, clipGradValue: 0.001 }, 'clipGradNorm'],
      ['adagrad', { lrDecay: 0, maximize: false, clipGradNormType: undefined }, 'clipGradNormType'],
      ['adam', { eps: 0, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false, clipGradNorm: null, clipGradValue: undefined }, 'clipGradValue'],
    ];
    for (const [name, record, key] of cases) {
      assert.throws(() => createOptimizer(name, record), new RegExp(`option '${key}' must be .*, got undefined \\(leave the option out for its default\\)`));
    }
  });

  test('RMSprop refuses alpha > 1, whose first square average is negative (every step was NaN)', () => {
    assert.throws(
      () => createOptimizer('rmsprop', { lr: 10, alpha: 1e300, weightDecay: 0, momentum: 0, centered: false, maximize: false, clipGradNorm: 0.001, clipGradNormType: 1, clipGradValue: null }),
      /Invalid alpha value: 1e\+300 \(it must be in \[0, 1\]/,
    );
    assert.throws(() => createOptimizer('rmsprop', { alpha: 1.5 }), /Invalid alpha value: 1.5/);
    createOptimizer('rmsprop', { alpha: 1 }).dispose();
  });

  test('ASGD refuses a negative lambd, which made eta NaN by the third step', () => {
    assert.throws(
      () => createOptimizer('asgd', { lr: 0.33333778381347656, lambd: -1, t0: 0, maximize: false, clipGradNorm: 0.001, clipGradNormType: 1 }),
      /Invalid lambd value: -1 \(it must be >= 0/,
    );
    createOptimizer('asgd', { lambd: 0 }).dispose();
  });

  test("Muon's nsSteps >= 100 message names the option (PyTorch's wording alone did not)", () => {
    assert.throws(
      () => createOptimizer('muon', { lr: 10, weightDecay: 0, nesterov: false, nsCoefficients: [-5, -5, -5], nsSteps: 1e300, clipGradNorm: null }),
      /^OptimizerOptionError: ns_steps = 1e\+300: Number of steps must be less than 100 for computational efficiency$/,
    );
  });
});

// ---- 2. save and restore at a random point ---------------------------------------------------------

/** Valid option records that stay finite on the test problem (property 1's claim), for trajectories. */
const steppableRecords = (name: OptimizerName) =>
  optionRecords(name, 0).filter((record) => refusedKeys(name, record).length === 0 && mayOverflow(name, record) === undefined);

/** Valid learning rates for `name` that property 1 steps with. */
const steppableLr = (name: OptimizerName) => {
  const domain = optionDomains[name].lr;
  return domain.values.filter((x) => domain.accepts(x) && !domain.grows?.(x)) as fc.Arbitrary<number>;
};

type StepEvent =
  | { kind: 'step'; mask: boolean[]; gradients: number }
  | { kind: 'lr'; value: number }
  | { kind: 'eval' };

/** A step on some of the variables (with one of the fixed gradient sets), an lr change, or (Schedule-Free) eval mode. */
function stepEvents(name: OptimizerName, variableCount: number): fc.Arbitrary<StepEvent[]> {
  const step = fc.record({ kind: fc.constant('step' as const), mask: fc.array(fc.boolean(), { minLength: variableCount, maxLength: variableCount }), gradients: fc.nat(2) });
  const lrChange = fc.record({ kind: fc.constant('lr' as const), value: steppableLr(name) });
  const event = fc.oneof(
    { weight: 6, arbitrary: step as fc.Arbitrary<StepEvent> },
    { weight: 1, arbitrary: lrChange as fc.Arbitrary<StepEvent> },
    { weight: name === 'adamwschedulefree' ? 1 : 0, arbitrary: fc.constant({ kind: 'eval' as const }) },
  );
  return fc.array(event, { minLength: 1, maxLength: 6 });
}

function runEvents(optimizer: Stateful, events: StepEvent[], setup: Problem, lbfgsLoss?: () => tf.Scalar): void {
  for (const event of events) {
    if (event.kind === 'lr') optimizer.lr = event.value;
    else if (event.kind === 'eval') optimizer.eval!();
    else if (lbfgsLoss) optimizer.minimize(lbfgsLoss, false, setup.variables);
    else {
      if (optimizer.trainMode === false) optimizer.train!();
      const grads = setup.gradients[event.gradients];
      optimizer.applyGradients(Object.fromEntries(setup.variables.flatMap((v, i) => (event.mask[i] ? [[v.name, grads[i]]] : []))));
    }
  }
}

/** Everything a trajectory leaves: the variables' bytes, the saved weights' names and bytes, the iteration count. */
async function endState(optimizer: tf.Optimizer, setup: Problem) {
  const weights = await optimizer.getWeights();
  return {
    variables: setup.variables.map(bytes),
    weights: weights.map((w) => [w.name, w.tensor.dtype, w.tensor.shape.join('x'), bytes(w.tensor)]),
    iterations: optimizer.iterations,
  };
}

describe('2. save and restore at a random point follows the uninterrupted trajectory bit for bit', () => {
  const totals = { sequences: 0, events: 0 };
  optimizerNames.forEach((name, index) => {
    test(name, async () => {
      const setup = problem(`restore-${name}`, name === 'lbfgs' ? [[6]] : shapesFor(name), 3);
      const loss = name === 'lbfgs' ? quadratic(setup.variables[0]) : undefined;
      let sequences = 0;
      try {
        await fc.assert(
          fc.asyncProperty(steppableRecords(name), stepEvents(name, setup.variables.length), fc.nat(), async (record, events, cut) => {
            sequences++;
            totals.events += events.length;
            const savePoint = cut % (events.length + 1);
            setup.reset();
            const uninterrupted = createOptimizer(name, record) as unknown as Stateful;
            const restored = createOptimizer(name, record) as unknown as Stateful;
            const saved: Array<{ name: string; tensor: tf.Tensor }> = [];
            const atSave: tf.Tensor[] = [];
            try {
              runEvents(uninterrupted, events.slice(0, savePoint), setup, loss?.f);
              saved.push(...(await uninterrupted.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
              atSave.push(...setup.variables.map((v) => v.clone()));
              runEvents(uninterrupted, events.slice(savePoint), setup, loss?.f);
              const expected = await endState(uninterrupted, setup);

              setup.variables.forEach((v, i) => v.assign(atSave[i]));
              await restored.setWeights(saved);
              runEvents(restored, events.slice(savePoint), setup, loss?.f);
              assert.deepEqual(await endState(restored, setup), expected);
            } finally {
              tf.dispose([...saved.map((w) => w.tensor), ...atSave]);
              uninterrupted.dispose();
              restored.dispose();
            }
          }),
          { includeErrorInReport: true, seed: 7300 + index, numRuns: runs(name === 'lbfgs' || name === 'muon' || name === 'adafactor' ? 10 : 16) },
        );
      } finally {
        loss?.dispose();
        setup.dispose();
      }
      totals.sequences += sequences;
      console.log(`property 2 ${name}: ${sequences} random sequences saved and restored at a random point, identical to the byte`);
    });
  });
  after(() =>
    summaries.push(
      `property 2 (save/restore): ${totals.sequences} random sequences (${totals.events} events: steps on random subsets of the variables, lr changes, eval mode) ` +
        `over ${optimizerNames.length} optimizers, each restored into a fresh optimizer at a random point: variables, state and iteration count identical to the byte`,
    ),
  );
});

describe('shrunk counterexamples that property 2 found, kept as regression cases', () => {
  test('ASGD with lr = -0 restored before its first step follows the same trajectory (the saved options turned -0 into 0)', async () => {
    const v = tf.variable(tf.tensor1d([0.5, -0.25]), true, 'properties/regression/asgd-negative-zero');
    const record = { lr: -0, t0: -10, weightDecay: 0, maximize: false, clipGradNorm: null, clipGradNormType: 1 };
    const grad = tf.tensor1d([0.3, -0.7]);
    const uninterrupted = createOptimizer('asgd', record);
    const saved = (await uninterrupted.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    uninterrupted.applyGradients({ [v.name]: grad });
    const expected = (await uninterrupted.getWeights()).map((w) => bytes(w.tensor));
    const restored = createOptimizer('asgd', record);
    await restored.setWeights(saved);
    restored.applyGradients({ [v.name]: grad });
    assert.deepEqual((await restored.getWeights()).map((w) => bytes(w.tensor)), expected);
    assert.ok(Object.is(restored.paramGroups[0].lr, 0) && Object.is(uninterrupted.paramGroups[0].lr, 0), '-0 is kept as 0');
    tf.dispose([v, grad, ...saved.map((w) => w.tensor)]);
    uninterrupted.dispose();
    restored.dispose();
  });
});

// ---- 3. misuse of applyGradients changes nothing -----------------------------------------------

type Entry =
  | { kind: 'valid'; variable: number }
  | { kind: 'null'; variable: number }
  | { kind: 'unknown'; id: number }
  | { kind: 'shape'; variable: number; shape: number[] }
  | { kind: 'dtype'; variable: number }
  | { kind: 'notTensor'; variable: number; value: unknown }
  | { kind: 'disposed'; variable: number }
  | { kind: 'duplicate'; variable: number }
  | { kind: 'rank' };

/** A mix of valid and bad gradient entries in random order (duplicates only where the array form can hold them). */
function misuse(variableCount: number, muon: boolean): fc.Arbitrary<{ entries: Entry[]; asArray: boolean }> {
  const variable = fc.nat(variableCount - 1);
  const entry: fc.Arbitrary<Entry> = fc.oneof(
    { weight: 4, arbitrary: variable.map((i) => ({ kind: 'valid' as const, variable: i })) },
    { weight: 1, arbitrary: variable.map((i) => ({ kind: 'null' as const, variable: i })) },
    { weight: 1, arbitrary: fc.nat(3).map((id) => ({ kind: 'unknown' as const, id })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('shape' as const), variable, shape: fc.constantFrom<number[]>([], [1], [4, 3], [12], [5, 1], [3, 4, 1]) }) },
    { weight: 1, arbitrary: variable.map((i) => ({ kind: 'dtype' as const, variable: i })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('notTensor' as const), variable, value: fc.constantFrom<unknown>(1, [1, 2], 'grad', {}, true) }) },
    { weight: 1, arbitrary: variable.map((i) => ({ kind: 'disposed' as const, variable: i })) },
    { weight: 1, arbitrary: variable.map((i) => ({ kind: 'duplicate' as const, variable: i })) },
    { weight: muon ? 1 : 0, arbitrary: fc.constant({ kind: 'rank' as const }) },
  );
  return fc
    .record({ entries: fc.array(entry, { minLength: 1, maxLength: 7 }), asArray: fc.boolean() })
    .map(({ entries, asArray }) => {
      // A duplicate comes after an entry of the same name.
      if (asArray) return { entries: entries.flatMap((e): Entry[] => (e.kind === 'duplicate' ? [{ kind: 'valid', variable: e.variable }, e] : [e])), asArray };
      // A map holds one entry per name: keep the first entry of each name, and no duplicates.
      const names = new Set<string>();
      const kept = entries.filter((e) => {
        if (e.kind === 'duplicate') return false;
        const key = e.kind === 'unknown' ? `u${e.id}` : e.kind === 'rank' ? 'rank' : `v${e.variable}`;
        return names.has(key) ? false : (names.add(key), true);
      });
      return { entries: kept, asArray };
    })
    .filter(({ entries }) => entries.some((e) => e.kind !== 'valid' && e.kind !== 'null'));
}

/** What applyGradients must say about the first bad entry (the rank check comes after every other). */
function expectedRefusal(entries: Array<{ entry: Entry; name: string }>): RegExp {
  const seen = new Set<string>();
  const quoted = (name: string) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let rank: RegExp | undefined;
  for (const { entry, name } of entries) {
    if (entry.kind === 'null') continue;
    const n = quoted(name);
    if (seen.has(name)) return new RegExp(`two gradients for '${n}'; nothing was updated`);
    seen.add(name);
    switch (entry.kind) {
      case 'unknown':
        return new RegExp(`no variable named '${n}' .*nothing was updated`);
      case 'shape':
        return new RegExp(`the gradient for '${n}' has shape \\[${entry.shape}\\], but the variable has shape .*Nothing was updated`);
      case 'dtype':
        return new RegExp(`the gradient for '${n}' is int32, but the variable is float32; nothing was updated`);
      case 'notTensor':
      case 'disposed':
        return new RegExp(`the gradient for '${n}' is not a live tf.Tensor .*nothing was updated`);
      case 'rank':
        rank ??= new RegExp(`Muon only supports 2D parameters .*\\(variable '${n}'\\)`);
    }
  }
  assert.ok(rank, 'the generator always puts in a bad entry');
  return rank;
}

describe('3. misuse of applyGradients changes no variable, no state and not the iteration count', () => {
  const totals = { calls: 0, entries: 0 };
  for (const [index, name] of optimizerNames.filter((n) => n !== 'lbfgs').entries()) {
    test(name, async () => {
      const setup = problem(`misuse-${name}`, shapesFor(name), 3);
      const vector = tf.variable(tf.zeros([5]), true, `properties/misuse-${name}/vector`);
      const disposed = tf.zeros([1]);
      disposed.dispose();
      let calls = 0;
      try {
        await fc.assert(
          fc.asyncProperty(steppableRecords(name), fc.nat(2), misuse(setup.variables.length, name === 'muon'), async (record, warmUp, { entries, asArray }) => {
            calls++;
            totals.entries += entries.length;
            setup.reset();
            const optimizer = createOptimizer(name, record) as unknown as Stateful;
            const made: tf.Tensor[] = [];
            try {
              runEvents(optimizer, Array.from({ length: warmUp }, (_, k) => ({ kind: 'step', mask: setup.variables.map(() => true), gradients: k })), setup);
              const named = entries.map((entry) => {
                const variable = 'variable' in entry ? setup.variables[entry.variable] : undefined;
                const make = (t: tf.Tensor) => (made.push(t), t);
                switch (entry.kind) {
                  case 'valid':
                  case 'duplicate':
                    return { entry, name: variable!.name, tensor: setup.gradients[0][entry.variable] as unknown };
                  case 'null':
                    return { entry, name: variable!.name, tensor: null };
                  case 'unknown':
                    return { entry, name: `properties/no-such-variable-${entry.id}`, tensor: make(tf.ones([3])) };
                  case 'shape':
                    return { entry, name: variable!.name, tensor: make(tf.ones(tf.util.arraysEqual(entry.shape, variable!.shape) ? [7] : entry.shape)) };
                  case 'dtype':
                    return { entry, name: variable!.name, tensor: make(tf.ones(variable!.shape, 'int32')) };
                  case 'notTensor':
                    return { entry, name: variable!.name, tensor: entry.value };
                  case 'disposed':
                    return { entry, name: variable!.name, tensor: disposed };
                  case 'rank':
                    return { entry, name: vector.name, tensor: make(tf.ones([5])) };
                }
              });
              const input = asArray
                ? named.map(({ name: n, tensor }) => ({ name: n, tensor }))
                : Object.fromEntries(named.map(({ name: n, tensor }) => [n, tensor]));
              const before = await endState(optimizer, setup);
              const stateful = [...optimizer.statefulVariableNames];
              assert.throws(() => optimizer.applyGradients(input as tf.NamedTensorMap), expectedRefusal(named));
              assert.deepEqual(await endState(optimizer, setup), before, 'variables, saved state and iteration count unchanged');
              assert.deepEqual(optimizer.statefulVariableNames, stateful, 'no variable gained state');
            } finally {
              tf.dispose(made);
              optimizer.dispose();
            }
          }),
          { includeErrorInReport: true, seed: 7400 + index, numRuns: runs(25) },
        );
      } finally {
        tf.dispose(vector);
        setup.dispose();
      }
      totals.calls += calls;
      console.log(`property 3 ${name}: ${calls} misused applyGradients calls refused, nothing changed`);
    });
  }

  test('lbfgs: gradients of any kind, and a varList of another size, are refused and change nothing', async () => {
    const setup = problem('misuse-lbfgs', [[6]], 1);
    const other = tf.variable(tf.zeros([4]), true, 'properties/misuse-lbfgs/other');
    const loss = quadratic(setup.variables[0]);
    let calls = 0;
    try {
      await fc.assert(
        fc.asyncProperty(steppableRecords('lbfgs'), fc.integer({ min: 1, max: 2 }), fc.boolean(), async (record, warmUp, viaApplyGradients) => {
          calls++;
          setup.reset();
          const optimizer = createOptimizer('lbfgs', record) as unknown as LBFGS;
          try {
            for (let k = 0; k < warmUp; k++) optimizer.minimize(loss.f, false, setup.variables);
            const before = { ...(await endState(optimizer, setup)), counters: optimizer.counters };
            // Without a direction yet (a start already optimal: toleranceGrad huge) there is no history whose size
            // another varList could break, so only gradients are misuse then.
            if (viaApplyGradients || optimizer.counters.nIter === 0) {
              assert.throws(() => optimizer.applyGradients({ [setup.variables[0].name]: setup.gradients[0][0] }), /LBFGS cannot step from precomputed gradients/);
            } else {
              assert.throws(() => optimizer.minimize(() => tf.sum(other) as tf.Scalar, false, [other]), /history is for 6 parameter values, but varList holds 4/);
            }
            assert.deepEqual({ ...(await endState(optimizer, setup)), counters: optimizer.counters }, before);
          } finally {
            optimizer.dispose();
          }
        }),
        { includeErrorInReport: true, seed: 7499, numRuns: runs(20) },
      );
    } finally {
      loss.dispose();
      tf.dispose(other);
      setup.dispose();
    }
    totals.calls += calls;
    console.log(`property 3 lbfgs: ${calls} misused calls refused, nothing changed`);
  });

  after(() =>
    summaries.push(
      `property 3 (misuse): ${totals.calls} refused calls over ${optimizerNames.length} optimizers (${totals.entries} gradient entries: unknown names, wrong shapes, int32, ` +
        'non-tensors, disposed tensors, duplicates, 1-D for Muon, among valid and null ones, in random order, as a map or an array): variables, saved state and iteration count unchanged',
    ),
  );
});

describe('2b. an L-BFGS state with weights left out is refused, changing nothing, or one L-BFGS can step from', () => {
  test('lbfgs', async () => {
    const setup = problem('restore-partial-lbfgs', [[6]], 1);
    const loss = quadratic(setup.variables[0]);
    const counts = { cases: 0, refused: 0, restored: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(steppableRecords('lbfgs'), fc.integer({ min: 0, max: 2 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), async (record, steps, keep) => {
          counts.cases++;
          setup.reset();
          const source = createOptimizer('lbfgs', record) as unknown as LBFGS;
          const target = createOptimizer('lbfgs', record) as unknown as LBFGS;
          try {
            for (let k = 0; k < steps; k++) source.minimize(loss.f, false, setup.variables);
            const all = await source.getWeights();
            // 'iter' and '@optimizer' stay (their absence has its own message); any state weight may go.
            const partial = all.filter((w, i) => w.name === 'iter' || w.name === '@optimizer' || keep[i % keep.length]);
            const before = { ...(await endState(target, setup)), counters: target.counters };
            try {
              await target.setWeights(partial);
            } catch (error) {
              assert.match(String(error), /LBFGS\.setWeights: .*Nothing was restored/);
              assert.deepEqual({ ...(await endState(target, setup)), counters: target.counters }, before);
              counts.refused++;
              return;
            }
            // Restored: a state L-BFGS can be in (none at all is a fresh one's), so it steps on, and finitely.
            target.minimize(loss.f, false, setup.variables);
            assert.ok(allFinite(setup.variables[0]), 'the parameters stay finite');
            counts.restored++;
          } finally {
            source.dispose();
            target.dispose();
          }
        }),
        { includeErrorInReport: true, seed: 7350, numRuns: runs(40) },
      );
    } finally {
      loss.dispose();
      setup.dispose();
    }
    console.log(`property 2b lbfgs: ${counts.cases} partial states: ${counts.refused} refused changing nothing, ${counts.restored} restored (states L-BFGS can be in) and stepping finitely`);
  });
});

describe('shrunk counterexample that property 2b found, kept as a regression case', () => {
  test("L-BFGS refuses a state of numbers without its tensors (it was taken, and the next minimize failed in 'sub' after counting)", async () => {
    const x = tf.variable(tf.tensor1d([0.5, -1, 0.25]), true, 'properties/regression/lbfgs-numbers-only');
    const f = () => tf.sum(tf.square(tf.sub(x, 1))) as tf.Scalar;
    const record = { lr: 0, maxEval: 1, toleranceGrad: 0, toleranceChange: 1e-9, historySize: 1 };
    const source = new LBFGS(record);
    source.minimize(f, false, [x]);
    const saved = await source.getWeights();
    assert.deepEqual(saved.map((w) => w.name).slice(5, 7), ['lbfgs/funcEvals:f64', 'lbfgs/nIter:f64']);
    const target = new LBFGS(record);
    await assert.rejects(
      target.setWeights(saved.filter((w) => ['iter', '@optimizer', 'lbfgs/nIter:f64'].includes(w.name))),
      /LBFGS\.setWeights: the state lacks 'lbfgs\/funcEvals:f64', 'lbfgs\/t:f64', 'lbfgs\/prevLoss:f64', 'lbfgs\/d', 'lbfgs\/prevFlatGrad', 'lbfgs\/hDiag' .*Nothing was restored/,
    );
    await assert.rejects(
      target.setWeights(saved.filter((w) => w.name !== 'lbfgs/t:f64')),
      /the state lacks 'lbfgs\/t:f64' \(an L-BFGS that has iterated keeps/,
    );
    assert.deepEqual(target.counters, { funcEvals: 0, nIter: 0 });
    await target.setWeights(saved);
    target.minimize(f, false, [x]);
    tf.dispose(x);
    source.dispose();
    target.dispose();
  });
});
