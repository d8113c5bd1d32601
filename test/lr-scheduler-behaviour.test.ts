// Scheduler behaviours beyond the shared goldens, recorded from torch 2.13 by
// fixtures/record-lr-schedulers.py; SequentialLR resumed as torch's cannot be (pytorch#162591,
// #175506); and every refusal, with torch's message where it has one, changing nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fixture from './fixtures/lr-schedulers.json';
import { createScheduler, SchedulerGroup, SchedulableOptimizer, Scheduler, SequentialLR } from '../src/optim';

type Groups = { paramGroups: SchedulerGroup[] };

function optimizer(kind: string, overrides: Array<Record<string, unknown>> = [{}]): Groups {
  const defaults = kind === 'sgd' ? { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0 } : { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8 };
  return { paramGroups: overrides.map((o) => ({ ...defaults, ...o })) };
}

const make = (js: string) => new Function('createScheduler', `return (${js});`)(createScheduler) as (o: Groups) => Scheduler;
const momentumOf = (g: SchedulerGroup) => (Array.isArray(g.betas) ? g.betas[0] : g.momentum) as number;

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= 1e-12 + 1e-6 * Math.abs(expected[i]), `${what}[${i}]: ${a} != ${expected[i]}`));
}

describe('torch behaviours beyond the goldens (recorded from torch 2.13)', () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const o = optimizer(c.optimizer, c.groups);
      for (const group of o.paramGroups) if (c.name.includes('resumed by last_epoch')) group.initialLr = 0.1;
      const s = make(c.js)(o);
      c.expected_lr.forEach((expected, t) => {
        assertClose(o.paramGroups.map((g) => g.lr as number), expected, `step ${t + 1} lr`);
        assertClose(s.getLastLr(), expected, `step ${t + 1} getLastLr()`);
        assertClose(o.paramGroups.map(momentumOf), c.expected_momentum[t], `step ${t + 1} momentum`);
        const { metrics, epochs } = c as { metrics?: number[]; epochs?: number[] };
        if (metrics) s.step(metrics[t]);
        else if (epochs) (s.step as (e: number) => void)(epochs[t]);
        else s.step();
      });
    });
  }
});

describe('SequentialLR resumes exactly (torch: pytorch#162591, #175506)', () => {
  const warmupThenDecay = (o: Groups, lastEpoch = -1) =>
    createScheduler('SequentialLR', o, {
      schedulers: [createScheduler('ConstantLR', o, { factor: 0.1, totalIters: 3 }), createScheduler('ExponentialLR', o, { gamma: 0.9 })],
      milestones: [3],
      lastEpoch,
    });

  const lrsOver = (s: Scheduler, o: Groups, steps: number) =>
    Array.from({ length: steps }, () => {
      const lr = o.paramGroups[0].lr as number;
      s.step();
      return lr;
    });

  test('made with lastEpoch N, it is where the uninterrupted run is after N + 1 steps, past the milestone', () => {
    const a = optimizer('sgd');
    const uninterrupted = lrsOver(warmupThenDecay(a), a, 12);
    for (const lastEpoch of [1, 2, 3, 4, 7]) {
      const b = optimizer('sgd');
      const resumed = warmupThenDecay(b, lastEpoch);
      assert.equal(resumed.lastEpoch, lastEpoch + 1);
      assert.deepEqual(lrsOver(resumed, b, 12 - lastEpoch - 1), uninterrupted.slice(lastEpoch + 1), `lastEpoch ${lastEpoch}`);
    }
    // torch's own gives 0.005 at lastEpoch 4 (its first scheduler's first step): the run has 0.0405.
    const c = optimizer('sgd');
    warmupThenDecay(c, 4);
    assert.ok(Math.abs((c.paramGroups[0].lr as number) - 0.05 * 0.9 ** 2) < 1e-15);
  });

  test('restored from stateDict at every step of a three-scheduler sequence, it continues identically', () => {
    const spec = fixture.cases.find((c) => c.name === 'SequentialLR of three')!;
    const steps = spec.expected_lr.length;
    const run = (o: Groups, s: Scheduler, n: number) =>
      Array.from({ length: n }, () => {
        const lrs = o.paramGroups.map((g) => g.lr);
        s.step();
        return lrs;
      });
    const a = optimizer('sgd', spec.groups);
    const reference = run(a, make(spec.js)(a), steps);
    for (let cut = 0; cut < steps; cut++) {
      const b = optimizer('sgd', spec.groups);
      const s = make(spec.js)(b);
      run(b, s, cut);
      const saved = JSON.parse(JSON.stringify(s.stateDict()));
      const c = optimizer('sgd', spec.groups);
      const restored = make(spec.js)(c);
      restored.loadStateDict(saved);
      assert.deepEqual(run(c, restored, steps - cut), reference.slice(cut), `cut at ${cut}`);
    }
  });
});

describe('refusals say what to do and change nothing', () => {
  const sgd = () => optimizer('sgd', [{}, { lr: 0.02 }]);

  function refuses(make: (o: Groups) => unknown, message: RegExp, o: Groups = sgd()): void {
    const before = structuredClone(o.paramGroups);
    assert.throws(() => make(o), message);
    assert.deepEqual(o.paramGroups, before, 'the groups are unchanged');
  }

  test('names and options', () => {
    refuses((o) => createScheduler('CosineAnealingLR', o, { tMax: 3 }), /Unknown scheduler 'CosineAnealingLR' \(did you mean 'CosineAnnealingLR'\?\)\. Choose one of: StepLR, /);
    refuses((o) => createScheduler('StepLR', o, { stepsize: 3 } as object), /StepLR has no option 'stepsize' \(did you mean 'stepSize'\?\)/);
    refuses((o) => createScheduler('StepLR', o, {} as { stepSize: number }), /StepLR needs the option 'stepSize'/);
    refuses((o) => createScheduler('StepLR', o, { stepSize: 0 }), /StepLR: stepSize must be an integer >= 1, got 0/);
    refuses((o) => createScheduler('StepLR', o, { stepSize: 2, gamma: '0.5' as unknown as number }), /StepLR option 'gamma' must be a number/);
    refuses(() => createScheduler('StepLR', {} as SchedulableOptimizer, { stepSize: 2 }), /StepLR: the optimizer has no paramGroups/);
    const o = sgd();
    assert.equal(createScheduler('step_lr', o, { stepSize: 2 }).name, 'StepLR', 'snake case finds the class');
  });

  test("torch's messages for bad values", () => {
    refuses((o) => createScheduler('ConstantLR', o, { factor: 2 }), /^OptimizerOptionError: Constant multiplicative factor expected to be between 0 and 1\.$/);
    refuses((o) => createScheduler('LinearLR', o, { startFactor: 0 }), /Starting multiplicative factor expected to be greater than 0 and less or equal to 1\./);
    refuses((o) => createScheduler('LinearLR', o, { endFactor: 1.5 }), /Ending multiplicative factor expected to be between 0 and 1\./);
    refuses((o) => createScheduler('CosineAnnealingWarmRestarts', o, { t0: 0 }), /Expected positive integer t0, but got 0/);
    refuses((o) => createScheduler('CosineAnnealingWarmRestarts', o, { t0: 2, tMult: 1.5 }), /Expected integer tMult >= 1, but got 1.5/);
    refuses((o) => createScheduler('OneCycleLR', o, { maxLr: 0.1 }), /You must define either totalSteps OR \(epochs AND stepsPerEpoch\)/);
    refuses((o) => createScheduler('OneCycleLR', o, { maxLr: 0.1, totalSteps: 10, pctStart: 1.2 }), /Expected float between 0 and 1 pctStart, but got 1.2/);
    refuses((o) => createScheduler('OneCycleLR', o, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as 'cos' }), /annealStrategy must be one of 'cos' or 'linear', instead got exp/);
    refuses((o) => createScheduler('CyclicLR', o, { baseLr: 0.01, maxLr: [0.1] }), /CyclicLR: maxLr must have the same length as optimizer.paramGroups. maxLr has 1 values, paramGroups has 2\./);
    refuses((o) => createScheduler('CyclicLR', o, { baseLr: 0.01, maxLr: 0.1, mode: 'sine' as 'triangular' }), /mode is invalid and scaleFn is null/);
    refuses((o) => createScheduler('CyclicLR', o, { baseLr: 0.01, maxLr: 0.1 }), /optimizer must support momentum or beta1 with `cycleMomentum` option enabled/, {
      paramGroups: [{ lr: 0.1 }],
    });
    refuses((o) => createScheduler('ReduceLROnPlateau', o, { factor: 1 }), /Factor should be < 1\.0\./);
    refuses((o) => createScheduler('ReduceLROnPlateau', o, { mode: 'mid' as 'min' }), /mode mid is unknown!/);
    refuses((o) => createScheduler('ReduceLROnPlateau', o, { minLr: [0.1, 0.2, 0.3] }), /minLr has 3 values, paramGroups has 2/);
    refuses((o) => createScheduler('LambdaLR', o, { lrLambda: [() => 1] }), /Expected 2 lr_lambdas, but got 1/);
    refuses((o) => createScheduler('MultiplicativeLR', o, { lrLambda: 0.9 as unknown as () => number }), /lrLambda should be a function, but got number/);
    refuses((o) => createScheduler('SWALR', o, { swaLr: 0.01, annealStrategy: 'exp' as 'cos' }), /anneal_strategy must by one of 'cos' or 'linear', instead got exp/);
    refuses((o) => createScheduler('SWALR', o, { swaLr: 0.01, annealEpochs: -1 }), /annealEpochs must be equal or greater than 0, got -1/);
    refuses((o) => createScheduler('StepLR', o, { stepSize: 2, lastEpoch: 3 }), /param 'initialLr' is not specified in paramGroups\[0\] when resuming/);
  });

  test('composites', () => {
    const o = sgd();
    const other = sgd();
    const linear = createScheduler('LinearLR', o);
    const plateau = createScheduler('ReduceLROnPlateau', o);
    const before = structuredClone(o.paramGroups);
    const seq = (options: Record<string, unknown>) => () => createScheduler('SequentialLR', o, options);
    assert.throws(seq({ schedulers: [linear], milestones: [2] }), /expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 1 and the number of milestones to be equal to 1/);
    assert.throws(seq({ schedulers: [linear, plateau], milestones: [2] }), /SequentialLR does not support `ReduceLROnPlateau` scheduler .* at index 1/);
    assert.throws(seq({ schedulers: [createScheduler('ExponentialLR', other, { gamma: 0.5 })], milestones: [] }), /expects all schedulers to belong to the same optimizer, but got scheduler ExponentialLR at index 0/);
    assert.throws(seq({ schedulers: [], milestones: [] }), /SequentialLR expects at least one scheduler/);
    const chained = createScheduler('ChainedScheduler', o, { schedulers: [linear] });
    assert.throws(seq({ schedulers: [chained], milestones: [] }), /schedulers\[0\] is a ChainedScheduler; SequentialLR takes single schedulers/);
    assert.throws(() => createScheduler('ChainedScheduler', o, { schedulers: [linear, plateau] }), /ChainedScheduler does not support `ReduceLROnPlateau`/);
    assert.deepEqual(o.paramGroups, before);
  });

  test('OneCycleLR may be stepped totalSteps times; one more raises as torch does and changes nothing', () => {
    const o = optimizer('sgd');
    const s = createScheduler('OneCycleLR', o, { maxLr: 0.1, totalSteps: 3 });
    for (let i = 0; i < 3; i++) s.step();
    const [lr, last, epoch] = [o.paramGroups[0].lr, s.getLastLr(), s.lastEpoch];
    assert.throws(() => s.step(), new RegExp(`^OptimizerOptionError: ${fixture.one_cycle_beyond}$`.replace(/\./g, '\\.')));
    assert.deepEqual([o.paramGroups[0].lr, s.getLastLr(), s.lastEpoch], [lr, last, epoch]);
  });

  test('a state loads into a scheduler resumed with lastEpoch as well as into a fresh one', () => {
    const a = optimizer('sgd');
    const s = createScheduler('StepLR', a, { stepSize: 3, gamma: 0.5 });
    for (let i = 0; i < 5; i++) s.step();
    const saved = JSON.parse(JSON.stringify(s.stateDict()));
    const b = optimizer('sgd');
    b.paramGroups[0].initialLr = 0.05; // as an optimizer restored from a checkpoint has it
    const resumed = createScheduler('StepLR', b, { stepSize: 3, gamma: 0.5, lastEpoch: 4 });
    resumed.loadStateDict(saved);
    const next = (x: Scheduler, o: Groups) => Array.from({ length: 6 }, () => (x.step(), o.paramGroups[0].lr));
    assert.deepEqual(next(resumed, b), next(s, a));
  });

  test('step takes no argument except where torch reads one (a metric passed to StepLR is a mistake)', () => {
    const o = optimizer('sgd');
    const s = createScheduler('StepLR', o, { stepSize: 1 });
    assert.throws(() => s.step(0.37), /StepLR.step\(\) takes no argument, got 0.37 \(torch's epoch argument is deprecated; only ReduceLROnPlateau.step takes a metric\)/);
    const chained = createScheduler('ChainedScheduler', o, { schedulers: [s] });
    assert.throws(() => chained.step(1), /ChainedScheduler.step\(\) takes no argument/);
    assert.deepEqual([s.lastEpoch, o.paramGroups[0].lr], [0, 0.05]);
  });

  test('ReduceLROnPlateau.step needs its metric', () => {
    const s = createScheduler('ReduceLROnPlateau', optimizer('sgd'));
    assert.throws(() => s.step(), /ReduceLROnPlateau.step needs the metric it watches, e.g. step\(valLoss\); got undefined/);
    assert.equal(s.lastEpoch, 0);
  });

  test('loadStateDict refuses a state from another scheduler, other options or other groups, before changing anything', () => {
    const o = optimizer('sgd');
    const s = createScheduler('StepLR', o, { stepSize: 2 });
    s.step();
    const before = [structuredClone(o.paramGroups), JSON.stringify(s.stateDict())];
    const exponential = createScheduler('ExponentialLR', optimizer('sgd'), { gamma: 0.5 }).stateDict();
    assert.throws(() => s.loadStateDict(exponential), /StepLR.loadStateDict: the state is from ExponentialLR, not a StepLR/);
    const otherGamma = createScheduler('StepLR', optimizer('sgd'), { stepSize: 2, gamma: 0.5 }).stateDict();
    assert.throws(() => s.loadStateDict(otherGamma), /the state was saved with options .*"gamma":0.5.*this scheduler has .*"gamma":0.1.*Make the scheduler with the options it was saved with/);
    const twoGroups = createScheduler('StepLR', optimizer('sgd', [{}, {}]), { stepSize: 2 }).stateDict();
    assert.throws(() => s.loadStateDict(twoGroups), /the state holds 2 param groups, the optimizer has 1/);
    assert.deepEqual([o.paramGroups, JSON.stringify(s.stateDict())], before);
    const seq = createScheduler('SequentialLR', o, { schedulers: [createScheduler('ConstantLR', o), createScheduler('LinearLR', o)], milestones: [2] });
    const otherNested = (() => {
      const p = optimizer('sgd');
      return createScheduler('SequentialLR', p, { schedulers: [createScheduler('ConstantLR', p), createScheduler('LinearLR', p, { totalIters: 9 })], milestones: [2] });
    })().stateDict();
    assert.throws(() => seq.loadStateDict(otherNested), /LinearLR.loadStateDict: the state was saved with options/);
    assert.ok(seq instanceof SequentialLR);
  });
});
