// Every scheduler against the lr (and momentum) sequences recorded from torch 2.13, on param groups
// built as the golden case's optimizer has them; then the save/restore property: a scheduler
// restored mid-run (on a fresh optimizer) continues exactly as the uninterrupted one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createScheduler, SchedulerGroup, Scheduler } from '../src/optim';
import { sgdDefaults } from '../src/optim/sgd';
import { adamDefaults } from '../src/optim/adam';

interface SchedulerSpec {
  name: string;
  torch_options?: Record<string, unknown>;
  schedulers?: SchedulerSpec[];
  lr_lambda?: string | string[];
}
interface ScheduledCase {
  kind: string;
  optimizer: 'sgd' | 'adam';
  torch_options: Record<string, unknown>;
  param_groups?: Array<{ params: number[] } & Record<string, unknown>>;
  scheduler: SchedulerSpec;
  metrics?: number[];
  expected_lr: number[][];
  expected_momentum?: number[][];
}

const golden = JSON.parse(readFileSync(resolve(__dirname, '../../shared/golden/torch-extras.json'), 'utf8'));
const cases: ScheduledCase[] = golden.cases.filter((c: ScheduledCase) => c.kind === 'scheduled');

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const lowerCamel = (k: string) => k.replace(/^[A-Z]/, (c) => c.toLowerCase()).replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const rename = (o: Record<string, unknown>, f: (k: string) => string) => Object.fromEntries(Object.entries(o).map(([k, v]) => [f(k), v]));

/** The optimizer's param groups as a plain object: its defaults, the case's options, each group's overrides. */
function optimizerFor(c: ScheduledCase): { paramGroups: SchedulerGroup[] } {
  const defaults = { ...(c.optimizer === 'sgd' ? sgdDefaults : adamDefaults), ...rename(c.torch_options, camel) };
  const overrides = c.param_groups ?? [{ params: [] }];
  return { paramGroups: overrides.map(({ params: _, ...o }) => ({ ...defaults, ...rename(o, camel) }) as SchedulerGroup) };
}

const jsFunction = (src: string) => new Function(`return (${src});`)() as (epoch: number) => number;

function build(spec: SchedulerSpec, optimizer: { paramGroups: SchedulerGroup[] }): Scheduler {
  const o: Record<string, unknown> = rename(spec.torch_options ?? {}, lowerCamel);
  if (spec.schedulers) o.schedulers = spec.schedulers.map((s) => build(s, optimizer));
  if (spec.lr_lambda) o.lrLambda = Array.isArray(spec.lr_lambda) ? spec.lr_lambda.map(jsFunction) : jsFunction(spec.lr_lambda);
  return createScheduler(spec.name, optimizer, o);
}

const momentumOf = (g: SchedulerGroup) => (Array.isArray(g.betas) ? (g.betas[0] as number) : (g.momentum as number));

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) <= 1e-12 + 1e-6 * Math.abs(expected[i]), `${what}[${i}]: ${a} != ${expected[i]}`),
  );
}

const stepOf = (c: ScheduledCase, s: Scheduler, t: number) => (c.metrics ? s.step(c.metrics[t]) : s.step());

/** The groups' lrs and momenta before each step, from step `from` on, continuing `s`. */
function trajectory(c: ScheduledCase, s: Scheduler, optimizer: { paramGroups: SchedulerGroup[] }, from: number) {
  const out: Array<{ lr: number[]; last: number[]; momentum: number[] }> = [];
  for (let t = from; t < c.expected_lr.length; t++) {
    out.push({ lr: optimizer.paramGroups.map((g) => g.lr as number), last: s.getLastLr(), momentum: optimizer.paramGroups.map(momentumOf) });
    stepOf(c, s, t);
  }
  return out;
}

const label = (c: ScheduledCase) =>
  `${c.scheduler.name}${c.scheduler.schedulers ? `[${c.scheduler.schedulers.map((s) => s.name).join(', ')}]` : ''} ${JSON.stringify(c.scheduler.torch_options)} on ${c.optimizer}${c.param_groups ? ` (${c.param_groups.length} groups)` : ''}`;

describe('schedulers against torch 2.13 (golden lr and momentum)', () => {
  test('the goldens hold every scheduler', () => {
    const names = new Set(cases.flatMap((c) => [c.scheduler.name, ...(c.scheduler.schedulers ?? []).map((s) => s.name)]));
    assert.equal(names.size, 16, [...names].join(', '));
  });
  for (const c of cases) {
    test(label(c), () => {
      const optimizer = optimizerFor(c);
      const s = build(c.scheduler, optimizer);
      trajectory(c, s, optimizer, 0).forEach((at, t) => {
        assertClose(at.lr, c.expected_lr[t], `step ${t + 1} lr`);
        assertClose(at.last, c.expected_lr[t], `step ${t + 1} getLastLr()`);
        if (c.expected_momentum) assertClose(at.momentum, c.expected_momentum[t], `step ${t + 1} momentum`);
      });
    });
  }
});

describe('a scheduler restored mid-run continues exactly as the uninterrupted one', () => {
  for (const c of cases) {
    test(label(c), () => {
      const n = c.expected_lr.length;
      const reference = (() => {
        const optimizer = optimizerFor(c);
        return trajectory(c, build(c.scheduler, optimizer), optimizer, 0);
      })();
      // Cut early, in the middle, and near the end (around milestones and cycle turns alike).
      for (const cut of [0, 1, 4, Math.floor(n / 2), n - 3]) {
        const first = optimizerFor(c);
        const running = build(c.scheduler, first);
        for (let t = 0; t < cut; t++) stepOf(c, running, t);
        const saved = JSON.stringify(running.stateDict());

        // A fresh optimizer and scheduler, as a resumed process makes them: only the scheduler's state is loaded.
        const second = optimizerFor(c);
        const restored = build(c.scheduler, second);
        restored.loadStateDict(JSON.parse(saved));
        const resumed = trajectory(c, restored, second, cut);
        assert.deepEqual(resumed, reference.slice(cut), `restored after ${cut} steps`);
      }
    });
  }
});
