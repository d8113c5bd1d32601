// The cycling schedulers, as torch.optim.lr_scheduler computes them: CyclicLR (triangular,
// triangular2, exp_range or a custom scale function) and OneCycleLR (two or three phases, cosine or
// linear annealing). Both compute the lr afresh each step and, with `cycleMomentum`, move momentum
// the opposite way: `momentum` in groups that have it (SGD, RMSprop), `betas[0]` in groups that have
// `betas` (Adam and the like).
import { OptimizerOptionError, check } from '../options';
import {
  LRScheduler,
  SchedulerGroup,
  SchedulableOptimizer,
  perGroup,
  requireFinite,
  requireInteger,
  prepareScheduler,
} from './scheduler';

/** Whether the optimizer keeps beta1 (`betas`) rather than `momentum`; refuses one that has neither. */
function momentumKind(name: string, optimizer: SchedulableOptimizer): 'betas' | 'momentum' {
  const group = optimizer.paramGroups[0];
  check(
    group.momentum !== undefined || group.betas !== undefined,
    `${name}: optimizer must support momentum or beta1 with \`cycleMomentum\` option enabled (or pass cycleMomentum: false)`,
  );
  return group.betas !== undefined ? 'betas' : 'momentum';
}

function setMomentum(group: SchedulerGroup, kind: 'betas' | 'momentum', value: number): void {
  if (kind === 'betas') group.betas = [value, ...(group.betas as number[]).slice(1)];
  else group.momentum = value;
}

/** The momentum a cycling scheduler moves: which key, and its per-group bounds. */
interface MomentumCycle {
  kind: 'betas' | 'momentum';
  base: number[];
  max: number[];
}

/** Checks and formats the momentum options (nothing when `cycleMomentum` is off). */
function momentumCycle(
  name: string,
  optimizer: SchedulableOptimizer,
  o: { cycleMomentum: boolean; baseMomentum: number | number[] | null; maxMomentum: number | number[] | null },
  defaults: { base: number; max: number },
): MomentumCycle | undefined {
  if (!o.cycleMomentum) return undefined;
  return {
    kind: momentumKind(name, optimizer),
    base: perGroup(name, 'baseMomentum', o.baseMomentum ?? defaults.base, optimizer),
    max: perGroup(name, 'maxMomentum', o.maxMomentum ?? defaults.max, optimizer),
  };
}

/** Starts every group at its max momentum and records the bounds in it, as torch does when made. */
function startMomentum(optimizer: SchedulableOptimizer, m: MomentumCycle): void {
  optimizer.paramGroups.forEach((group, i) => {
    setMomentum(group, m.kind, m.max[i]);
    group.maxMomentum = m.max[i];
    group.baseMomentum = m.base[i];
  });
}

export type ScaleFn = (x: number) => number;

export interface CyclicLROptions {
  baseLr: number | number[];
  maxLr: number | number[];
  stepSizeUp: number;
  stepSizeDown: number | null;
  mode: 'triangular' | 'triangular2' | 'exp_range';
  gamma: number;
  scaleFn: ScaleFn | null;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  baseMomentum: number | number[];
  maxMomentum: number | number[];
  lastEpoch: number;
}

/** Cycles the lr between `baseLr` and `maxLr` (and momentum between `maxMomentum` and `baseMomentum`). */
export class CyclicLR extends LRScheduler {
  private readonly maxLrs: number[];
  private readonly totalSize: number;
  private readonly stepRatio: number;
  private readonly scale: ScaleFn;
  private readonly scaleMode: 'cycle' | 'iterations';
  private readonly momentum?: MomentumCycle;

  constructor(optimizer: SchedulableOptimizer, options: Partial<CyclicLROptions>) {
    const name = 'CyclicLR';
    const o = prepareScheduler(
      name,
      optimizer,
      {
        baseLr: null,
        maxLr: null,
        stepSizeUp: 2000,
        stepSizeDown: null as number | null,
        mode: 'triangular',
        gamma: 1,
        scaleFn: null,
        scaleMode: 'cycle',
        cycleMomentum: true,
        baseMomentum: null as number | null,
        maxMomentum: null as number | null,
        lastEpoch: -1,
      },
      options,
      ['baseLr', 'maxLr'],
    );
    const baseLrs = perGroup(name, 'baseLr', o.baseLr, optimizer);
    const maxLrs = perGroup(name, 'maxLr', o.maxLr, optimizer);
    requireInteger(name, 'stepSizeUp', o.stepSizeUp, 1);
    if (o.stepSizeDown !== null) requireInteger(name, 'stepSizeDown', o.stepSizeDown, 0);
    const scaleFn = o.scaleFn as unknown as ScaleFn | null;
    check(scaleFn === null || typeof scaleFn === 'function', `${name}: scaleFn must be a function of one number, or null.`);
    check(['triangular', 'triangular2', 'exp_range'].includes(o.mode) || scaleFn !== null, 'mode is invalid and scaleFn is null');
    check(['cycle', 'iterations'].includes(o.scaleMode), `${name}: scaleMode must be 'cycle' or 'iterations', got '${o.scaleMode}'.`);
    const momentum = momentumCycle(name, optimizer, o, { base: 0.8, max: 0.9 });

    super(name, optimizer, o);
    if (o.lastEpoch === -1) optimizer.paramGroups.forEach((group, i) => (group.lr = baseLrs[i]));
    this.maxLrs = maxLrs;
    const up = o.stepSizeUp;
    const down = o.stepSizeDown ?? up;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const gamma = o.gamma;
    if (scaleFn) {
      this.scale = scaleFn;
      this.scaleMode = o.scaleMode as 'cycle' | 'iterations';
    } else if (o.mode === 'triangular') {
      [this.scale, this.scaleMode] = [() => 1, 'cycle'];
    } else if (o.mode === 'triangular2') {
      [this.scale, this.scaleMode] = [(x) => 1 / 2 ** (x - 1), 'cycle'];
    } else {
      [this.scale, this.scaleMode] = [(x) => gamma ** x, 'iterations'];
    }
    this.momentum = momentum;
    if (momentum && o.lastEpoch === -1) startMomentum(optimizer, momentum);
    this.start(o.lastEpoch);
    // torch reads baseLrs from initialLr for the first step, then uses baseLr from then on.
    this.baseLrs = baseLrs;
  }

  override cyclesMomentum(): boolean {
    return this.momentum !== undefined;
  }

  protected computeLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scale(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * scaleFactor * scale);
    const m = this.momentum;
    if (m) {
      this.optimizer.paramGroups.forEach((group, i) =>
        setMomentum(group, m.kind, m.max[i] - (m.max[i] - m.base[i]) * scaleFactor * scale),
      );
    }
    return lrs;
  }
}

export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps: number | null;
  epochs: number | null;
  stepsPerEpoch: number | null;
  pctStart: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  baseMomentum: number | number[];
  maxMomentum: number | number[];
  divFactor: number;
  finalDivFactor: number;
  threePhase: boolean;
  lastEpoch: number;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/** The 1cycle policy: warm up to `maxLr`, then anneal far below the start (optionally in three phases). */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly momentumKind?: 'betas' | 'momentum';

  constructor(optimizer: SchedulableOptimizer, options: Partial<OneCycleLROptions>) {
    const name = 'OneCycleLR';
    const o = prepareScheduler(
      name,
      optimizer,
      {
        maxLr: null,
        totalSteps: null as number | null,
        epochs: null as number | null,
        stepsPerEpoch: null as number | null,
        pctStart: 0.3,
        annealStrategy: 'cos',
        cycleMomentum: true,
        baseMomentum: null as number | null,
        maxMomentum: null as number | null,
        divFactor: 25,
        finalDivFactor: 1e4,
        threePhase: false,
        lastEpoch: -1,
      },
      options,
      ['maxLr'],
    );
    let totalSteps: number;
    if (o.totalSteps !== null) {
      check(Number.isInteger(o.totalSteps) && o.totalSteps > 0, `Expected positive integer totalSteps, but got ${o.totalSteps}`);
      totalSteps = o.totalSteps;
    } else if (o.epochs !== null && o.stepsPerEpoch !== null) {
      check(Number.isInteger(o.epochs) && o.epochs > 0, `Expected positive integer epochs, but got ${o.epochs}`);
      check(
        Number.isInteger(o.stepsPerEpoch) && o.stepsPerEpoch > 0,
        `Expected positive integer stepsPerEpoch, but got ${o.stepsPerEpoch}`,
      );
      totalSteps = o.epochs * o.stepsPerEpoch;
    } else {
      throw new OptimizerOptionError('You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    }
    check(o.pctStart >= 0 && o.pctStart <= 1, `Expected float between 0 and 1 pctStart, but got ${o.pctStart}`);
    check(
      o.annealStrategy === 'cos' || o.annealStrategy === 'linear',
      `annealStrategy must be one of 'cos' or 'linear', instead got ${o.annealStrategy}`,
    );
    requireFinite(name, 'divFactor', o.divFactor);
    requireFinite(name, 'finalDivFactor', o.finalDivFactor);
    const maxLrs = perGroup(name, 'maxLr', o.maxLr, optimizer);
    const momentum = momentumCycle(name, optimizer, o, { base: 0.85, max: 0.95 });

    super(name, optimizer, o);
    this.totalSteps = totalSteps;
    const up = o.pctStart * totalSteps - 1;
    this.phases = o.threePhase
      ? [
          { endStep: up, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          {
            endStep: 2 * o.pctStart * totalSteps - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          { endStep: totalSteps - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: up, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: totalSteps - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    this.anneal =
      o.annealStrategy === 'cos'
        ? (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
        : (start, end, pct) => (end - start) * pct + start;
    if (o.lastEpoch === -1) {
      optimizer.paramGroups.forEach((group, i) => {
        group.initialLr = maxLrs[i] / o.divFactor;
        group.maxLr = maxLrs[i];
        group.minLr = (group.initialLr as number) / o.finalDivFactor;
      });
    }
    this.momentumKind = momentum?.kind;
    if (momentum && o.lastEpoch === -1) startMomentum(optimizer, momentum);
    this.start(o.lastEpoch);
  }

  override cyclesMomentum(): boolean {
    return this.momentumKind !== undefined;
  }

  protected computeLr(): number[] {
    const t = this.lastEpoch;
    check(t <= this.totalSteps, `Tried to step ${t} times. The specified number of total steps is ${this.totalSteps}`);
    return this.optimizer.paramGroups.map((group) => {
      let start = 0;
      for (const [i, phase] of this.phases.entries()) {
        if (t <= phase.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (phase.endStep - start);
          const at = (key: string) => group[key] as number;
          if (this.momentumKind) setMomentum(group, this.momentumKind, this.anneal(at(phase.startMomentum), at(phase.endMomentum), pct));
          return this.anneal(at(phase.startLr), at(phase.endLr), pct);
        }
        start = phase.endStep;
      }
      throw new Error('unreachable: the last phase always matches');
    });
  }
}
