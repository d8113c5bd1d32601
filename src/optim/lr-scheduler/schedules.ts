// The schedulers that follow a fixed formula of the epoch, as torch.optim.lr_scheduler computes them.
// StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR and
// MultiplicativeLR are chainable: each step multiplies the group's current lr by a ratio, so they
// compose with other changes to the lr. LambdaLR and CosineAnnealingWarmRestarts compute the lr
// afresh from `baseLrs`.
import { check } from '../options';
import {
  JsonObject,
  LRScheduler,
  SchedulableOptimizer,
  pyMod,
  requireFinite,
  requireInteger,
  prepareScheduler,
} from './scheduler';

/** Every scheduler of this kind takes torch's `last_epoch`; -1 starts the schedule. */
interface EpochOptions {
  lastEpoch: number;
}

/** `lrs` times one ratio. */
const scaled = (lrs: number[], ratio: number) => lrs.map((lr) => lr * ratio);

export interface StepLROptions extends EpochOptions {
  stepSize: number;
  gamma: number;
}
/** Multiplies the lr by gamma every `stepSize` steps. */
export class StepLR extends LRScheduler {
  readonly options: StepLROptions;
  constructor(optimizer: SchedulableOptimizer, options: Partial<StepLROptions>) {
    const o = prepareScheduler('StepLR', optimizer, { stepSize: null, gamma: 0.1, lastEpoch: -1 }, options, ['stepSize']);
    requireInteger('StepLR', 'stepSize', o.stepSize, 1);
    super('StepLR', optimizer, o);
    this.options = o as unknown as StepLROptions;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.options.stepSize !== 0) return lrs;
    return scaled(lrs, this.options.gamma);
  }
  protected override closedFormLr(): number[] {
    const { gamma, stepSize } = this.options;
    return this.baseLrs.map((lr) => lr * gamma ** Math.floor(this.lastEpoch / stepSize));
  }
}

export interface MultiStepLROptions extends EpochOptions {
  milestones: number[];
  gamma: number;
}
/** Multiplies the lr by gamma at each milestone (by gamma^n at one listed n times). */
export class MultiStepLR extends LRScheduler {
  readonly options: MultiStepLROptions;
  private readonly counts = new Map<number, number>();
  constructor(optimizer: SchedulableOptimizer, options: Partial<MultiStepLROptions>) {
    const o = prepareScheduler('MultiStepLR', optimizer, { milestones: null, gamma: 0.1, lastEpoch: -1 }, options, ['milestones']);
    const milestones = o.milestones as unknown;
    check(
      Array.isArray(milestones) && milestones.every((m) => Number.isInteger(m)),
      `MultiStepLR: milestones must be an array of integers, got ${JSON.stringify(milestones)}.`,
    );
    super('MultiStepLR', optimizer, o);
    this.options = o as unknown as MultiStepLROptions;
    for (const m of this.options.milestones) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    const n = this.counts.get(this.lastEpoch);
    const lrs = this.groupLrs();
    return n === undefined ? lrs : scaled(lrs, this.options.gamma ** n);
  }
  protected override closedFormLr(): number[] {
    const passed = this.options.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * this.options.gamma ** passed);
  }
}

export interface ConstantLROptions extends EpochOptions {
  factor: number;
  totalIters: number;
}
/** Multiplies the lr by `factor` for the first `totalIters` steps. */
export class ConstantLR extends LRScheduler {
  readonly options: ConstantLROptions;
  constructor(optimizer: SchedulableOptimizer, options: Partial<ConstantLROptions> = {}) {
    const o = prepareScheduler('ConstantLR', optimizer, { factor: 1 / 3, totalIters: 5, lastEpoch: -1 }, options);
    check(o.factor <= 1 && o.factor >= 0, 'Constant multiplicative factor expected to be between 0 and 1.');
    requireInteger('ConstantLR', 'totalIters', o.totalIters, 0);
    super('ConstantLR', optimizer, o);
    this.options = o;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return scaled(lrs, this.options.factor);
    if (this.lastEpoch !== this.options.totalIters) return lrs;
    return scaled(lrs, 1 / this.options.factor);
  }
  protected override closedFormLr(): number[] {
    const { factor, totalIters } = this.options;
    return this.baseLrs.map((lr) => lr * (factor + (this.lastEpoch >= totalIters ? 1 : 0) * (1 - factor)));
  }
}

export interface LinearLROptions extends EpochOptions {
  startFactor: number;
  endFactor: number;
  totalIters: number;
}
/** Moves the lr's factor linearly from `startFactor` to `endFactor` over `totalIters` steps. */
export class LinearLR extends LRScheduler {
  readonly options: LinearLROptions;
  constructor(optimizer: SchedulableOptimizer, options: Partial<LinearLROptions> = {}) {
    const o = prepareScheduler('LinearLR', optimizer, { startFactor: 1 / 3, endFactor: 1, totalIters: 5, lastEpoch: -1 }, options);
    check(
      o.startFactor <= 1 && o.startFactor > 0,
      'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.',
    );
    check(o.endFactor <= 1 && o.endFactor >= 0, 'Ending multiplicative factor expected to be between 0 and 1.');
    requireInteger('LinearLR', 'totalIters', o.totalIters, 1);
    super('LinearLR', optimizer, o);
    this.options = o;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    const { startFactor, endFactor, totalIters } = this.options;
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return scaled(lrs, startFactor);
    if (this.isInitial || this.lastEpoch > totalIters) return lrs;
    const span = endFactor - startFactor;
    return scaled(lrs, 1 + span / (totalIters * startFactor + (this.lastEpoch - 1) * span));
  }
  protected override closedFormLr(): number[] {
    const { startFactor, endFactor, totalIters } = this.options;
    const factor = startFactor + ((endFactor - startFactor) * Math.min(totalIters, this.lastEpoch)) / totalIters;
    return this.baseLrs.map((lr) => lr * factor);
  }
}

export interface ExponentialLROptions extends EpochOptions {
  gamma: number;
}
/** Multiplies the lr by gamma every step. */
export class ExponentialLR extends LRScheduler {
  readonly options: ExponentialLROptions;
  constructor(optimizer: SchedulableOptimizer, options: Partial<ExponentialLROptions>) {
    const o = prepareScheduler('ExponentialLR', optimizer, { gamma: null, lastEpoch: -1 }, options, ['gamma']);
    requireFinite('ExponentialLR', 'gamma', o.gamma);
    super('ExponentialLR', optimizer, o);
    this.options = o as unknown as ExponentialLROptions;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    // Resuming (lastEpoch given), the constructor's step must not decay once more.
    return this.isInitial ? this.groupLrs() : scaled(this.groupLrs(), this.options.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.options.gamma ** this.lastEpoch);
  }
}

export interface PolynomialLROptions extends EpochOptions {
  totalIters: number;
  power: number;
}
/** Decays the lr as (1 - t/totalIters)^power, then keeps it at 0. */
export class PolynomialLR extends LRScheduler {
  readonly options: PolynomialLROptions;
  constructor(optimizer: SchedulableOptimizer, options: Partial<PolynomialLROptions> = {}) {
    const o = prepareScheduler('PolynomialLR', optimizer, { totalIters: 5, power: 1, lastEpoch: -1 }, options);
    requireInteger('PolynomialLR', 'totalIters', o.totalIters, 1);
    super('PolynomialLR', optimizer, o);
    this.options = o;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    const { totalIters, power } = this.options;
    if (this.isInitial || this.lastEpoch > totalIters) return this.groupLrs();
    const ratio = ((1 - this.lastEpoch / totalIters) / (1 - (this.lastEpoch - 1) / totalIters)) ** power;
    return scaled(this.groupLrs(), ratio);
  }
  protected override closedFormLr(): number[] {
    const { totalIters, power } = this.options;
    return this.baseLrs.map((lr) => lr * (1 - Math.min(totalIters, this.lastEpoch) / totalIters) ** power);
  }
}

export interface CosineAnnealingLROptions extends EpochOptions {
  tMax: number;
  etaMin: number;
}
/** Cosine annealing from the lr to `etaMin` over `tMax` steps; past `tMax` it rises again (period 2·tMax). */
export class CosineAnnealingLR extends LRScheduler {
  readonly options: CosineAnnealingLROptions;
  constructor(optimizer: SchedulableOptimizer, options: Partial<CosineAnnealingLROptions>) {
    const o = prepareScheduler('CosineAnnealingLR', optimizer, { tMax: null, etaMin: 0, lastEpoch: -1 }, options, ['tMax']);
    requireInteger('CosineAnnealingLR', 'tMax', o.tMax, 1);
    super('CosineAnnealingLR', optimizer, o);
    this.options = o as unknown as CosineAnnealingLROptions;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    const { tMax, etaMin } = this.options;
    const t = this.lastEpoch;
    if (this.isInitial) return this.groupLrs();
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    }
    if (pyMod(t - 1 - tMax, 2 * tMax) === 0) {
      // The trough: the recursive ratio would divide by zero, so add the step's rise directly.
      return this.groupLrs().map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return this.groupLrs().map((lr) => ratio * (lr - etaMin) + etaMin);
  }
  protected override closedFormLr(): number[] {
    const { tMax, etaMin } = this.options;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / tMax))) / 2);
  }
}

export interface CosineAnnealingWarmRestartsOptions extends EpochOptions {
  t0: number;
  tMult: number;
  etaMin: number;
}
/** Cosine annealing that restarts at the base lr after t0, t0·tMult, t0·tMult², ... steps. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly options: CosineAnnealingWarmRestartsOptions;
  /** Steps since the last restart (fractional when `step(epoch)` is given one). */
  private tCur: number;
  /** The length of the current cycle. */
  private tI: number;
  constructor(optimizer: SchedulableOptimizer, options: Partial<CosineAnnealingWarmRestartsOptions>) {
    const o = prepareScheduler('CosineAnnealingWarmRestarts', optimizer, { t0: null, tMult: 1, etaMin: 0, lastEpoch: -1 }, options, [
      't0',
    ]);
    check(typeof o.t0 === 'number' && Number.isInteger(o.t0) && o.t0 > 0, `Expected positive integer t0, but got ${o.t0}`);
    check(Number.isInteger(o.tMult) && o.tMult >= 1, `Expected integer tMult >= 1, but got ${o.tMult}`);
    super('CosineAnnealingWarmRestarts', optimizer, o);
    this.options = o as unknown as CosineAnnealingWarmRestartsOptions;
    this.tI = this.options.t0;
    this.tCur = o.lastEpoch;
    this.start(o.lastEpoch);
  }

  /**
   * The next step, or (as torch allows) the schedule at a given epoch, fractional for steps within
   * an epoch: `step(epoch + i / batchesPerEpoch)`.
   */
  override step(epoch?: number): void {
    const { t0, tMult } = this.options;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur % this.tI;
        this.tI = this.tI * tMult;
      }
    } else {
      check(Number.isFinite(epoch) && epoch >= 0, `Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= t0) {
        if (tMult === 1) {
          this.tCur = epoch % t0;
        } else {
          const n = Math.trunc(Math.log((epoch / t0) * (tMult - 1) + 1) / Math.log(tMult));
          this.tCur = epoch - (t0 * (tMult ** n - 1)) / (tMult - 1);
          this.tI = t0 * tMult ** n;
        }
      } else {
        this.tI = t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = lrs[i]));
    this.lastLrs = this.groupLrs();
  }

  protected computeLr(): number[] {
    const { etaMin } = this.options;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  protected override saveState(): JsonObject {
    return { ...super.saveState(), tCur: this.tCur, tI: this.tI };
  }
  protected override restoreState(state: JsonObject): void {
    super.restoreState(state);
    this.tCur = state.tCur as number;
    this.tI = state.tI as number;
  }
}

/** A factor of the epoch, or one such function per group. */
export type LrLambda = (epoch: number) => number;

export interface LambdaOptions extends EpochOptions {
  lrLambda: LrLambda | LrLambda[];
}

function lambdasFor(name: string, optimizer: SchedulableOptimizer, given: unknown): LrLambda[] {
  const groups = optimizer.paramGroups.length;
  const lambdas = Array.isArray(given) ? given : Array(groups).fill(given);
  check(!Array.isArray(given) || given.length === groups, `Expected ${groups} lr_lambdas, but got ${lambdas.length}`);
  for (const f of lambdas) {
    check(typeof f === 'function', `${name}: lrLambda should be a function, but got ${f === null ? 'null' : typeof f}`);
  }
  return lambdas as LrLambda[];
}

/** Sets the lr to the base lr times `lrLambda(epoch)` (from epoch 0, when made). */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: LrLambda[];
  constructor(optimizer: SchedulableOptimizer, options: Partial<LambdaOptions>) {
    const o = prepareScheduler('LambdaLR', optimizer, { lrLambda: null, lastEpoch: -1 }, options, ['lrLambda']);
    const lambdas = lambdasFor('LambdaLR', optimizer, o.lrLambda);
    super('LambdaLR', optimizer, o);
    this.lambdas = lambdas;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lambdas[i](this.lastEpoch));
  }
}

/** Multiplies the lr by `lrLambda(epoch)` at every step after the first (from epoch 1). */
export class MultiplicativeLR extends LRScheduler {
  private readonly lambdas: LrLambda[];
  constructor(optimizer: SchedulableOptimizer, options: Partial<LambdaOptions>) {
    const o = prepareScheduler('MultiplicativeLR', optimizer, { lrLambda: null, lastEpoch: -1 }, options, ['lrLambda']);
    const lambdas = lambdasFor('MultiplicativeLR', optimizer, o.lrLambda);
    super('MultiplicativeLR', optimizer, o);
    this.lambdas = lambdas;
    this.start(o.lastEpoch);
  }
  protected computeLr(): number[] {
    const lrs = this.groupLrs();
    return this.isInitial ? lrs : lrs.map((lr, i) => lr * this.lambdas[i](this.lastEpoch));
  }
}
