// ReduceLROnPlateau, as torch.optim.lr_scheduler computes it: `step(metric)` after each epoch; when
// the metric has not improved (by `threshold`, relative or absolute) for more than `patience` steps,
// every group's lr becomes max(lr·factor, minLr), unless that lowers it by `eps` or less; a reduction
// starts `cooldown` steps in which bad epochs are not counted. Unlike the other schedulers it
// changes nothing when made.
import { OptimizerOptionError, check } from '../options';
import {
  JsonObject,
  SchedulableOptimizer,
  Scheduler,
  decodeNumber,
  encodeNumber,
  lrOf,
  perGroup,
  requireFinite,
  requireInteger,
  prepareScheduler,
} from './scheduler';

export interface ReduceLROnPlateauOptions {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLr: number | number[];
  eps: number;
}

export class ReduceLROnPlateau extends Scheduler {
  readonly options: ReduceLROnPlateauOptions;
  private readonly minLrs: number[];
  /** The best metric so far (±Infinity before the first). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(optimizer: SchedulableOptimizer, options: Partial<ReduceLROnPlateauOptions> = {}) {
    const name = 'ReduceLROnPlateau';
    const o = prepareScheduler(
      name,
      optimizer,
      {
        mode: 'min',
        factor: 0.1,
        patience: 10,
        threshold: 1e-4,
        thresholdMode: 'rel',
        cooldown: 0,
        minLr: null as number | null,
        eps: 1e-8,
      },
      options,
    );
    check(o.factor < 1, 'Factor should be < 1.0.');
    const minLrs = perGroup(name, 'minLr', o.minLr ?? 0, optimizer);
    requireInteger(name, 'patience', o.patience, 0);
    requireInteger(name, 'cooldown', o.cooldown, 0);
    requireFinite(name, 'threshold', o.threshold);
    requireFinite(name, 'eps', o.eps);
    check(o.mode === 'min' || o.mode === 'max', `mode ${o.mode} is unknown! Use 'min' or 'max'.`);
    check(o.thresholdMode === 'rel' || o.thresholdMode === 'abs', `threshold mode ${o.thresholdMode} is unknown! Use 'rel' or 'abs'.`);
    super(name, optimizer, o);
    this.options = o as unknown as ReduceLROnPlateauOptions;
    this.minLrs = minLrs;
    this.lastLrs = this.groupLrs();
    this.best = this.worst();
  }

  private worst(): number {
    return this.options.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** One epoch's metric (e.g. the validation loss). */
  step(metric?: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new OptimizerOptionError(`ReduceLROnPlateau.step needs the metric it watches, e.g. step(valLoss); got ${String(metric)}.`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      this.reduceLr();
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLrs = this.groupLrs();
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const old = lrOf(group, i);
      const reduced = Math.max(old * this.options.factor, this.minLrs[i]);
      if (old - reduced > this.options.eps) group.lr = reduced;
    });
  }

  protected saveState(): JsonObject {
    return {
      lastEpoch: this.lastEpoch,
      best: encodeNumber(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
    };
  }

  protected restoreState(state: JsonObject): void {
    this.lastEpoch = state.lastEpoch as number;
    this.best = decodeNumber(state.best);
    this.numBadEpochs = state.numBadEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
  }
}
