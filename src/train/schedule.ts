// A run's learning-rate schedule: which of torch.optim.lr_scheduler's schedulers a run may record,
// their options (torch's keywords in camelCase, for the command line), when they step, and the
// schedule while a run trains. SequentialLR, ChainedScheduler, LambdaLR and MultiplicativeLR take
// other schedulers or functions, which a run's JSON cannot hold: the library has them, runs do not.
import { createScheduler, SchedulableOptimizer, Scheduler, SchedulerName } from '../optim';
import type { OptionValue } from '../optim/options';

/**
 * The options of each scheduler a run can use, torch's keywords in camelCase (T_max -> tMax), as
 * its constructor in src/optim/lr-scheduler takes them; `lastEpoch` (resuming) and function-valued
 * options (CyclicLR's scaleFn) are left out. test/cli.test.ts checks these against the library.
 */
export const trainableSchedulers = {
  StepLR: ['stepSize', 'gamma'],
  MultiStepLR: ['milestones', 'gamma'],
  ConstantLR: ['factor', 'totalIters'],
  LinearLR: ['startFactor', 'endFactor', 'totalIters'],
  ExponentialLR: ['gamma'],
  PolynomialLR: ['totalIters', 'power'],
  CosineAnnealingLR: ['tMax', 'etaMin'],
  CosineAnnealingWarmRestarts: ['t0', 'tMult', 'etaMin'],
  CyclicLR: ['baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleMode', 'cycleMomentum', 'baseMomentum', 'maxMomentum'],
  OneCycleLR: [
    'maxLr',
    'totalSteps',
    'epochs',
    'stepsPerEpoch',
    'pctStart',
    'annealStrategy',
    'cycleMomentum',
    'baseMomentum',
    'maxMomentum',
    'divFactor',
    'finalDivFactor',
    'threePhase',
  ],
  ReduceLROnPlateau: ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'],
  SWALR: ['swaLr', 'annealEpochs', 'annealStrategy'],
} as const satisfies Partial<Record<SchedulerName, readonly string[]>>;

export type TrainableSchedulerName = keyof typeof trainableSchedulers;
export const trainableSchedulerNames = Object.keys(trainableSchedulers) as [TrainableSchedulerName, ...TrainableSchedulerName[]];

/** The schedulers that need sub-schedulers or functions: the library's only. */
export const libraryOnlySchedulers: readonly SchedulerName[] = ['SequentialLR', 'ChainedScheduler', 'LambdaLR', 'MultiplicativeLR'];

export const schedulerIntervals = ['epoch', 'step'] as const;
export type SchedulerInterval = (typeof schedulerIntervals)[number];

/** CyclicLR and OneCycleLR are written for a step per batch (torch's docs step them so); the rest, per epoch. */
export function defaultInterval(name: TrainableSchedulerName): SchedulerInterval {
  return name === 'CyclicLR' || name === 'OneCycleLR' ? 'step' : 'epoch';
}

/** What a run's record says of its scheduler (the shape of the schema's `scheduler`). */
export interface ScheduleSpec {
  name: TrainableSchedulerName;
  options: Record<string, OptionValue>;
  interval: SchedulerInterval;
}

/** A schedule a run cannot follow, whatever its options (the scheduler itself checks those). */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/**
 * The scheduler of a run on `optimizer`, made (and checked) by the library. OneCycleLR needs its
 * length: without totalSteps (or epochs and stepsPerEpoch) it is the run's, epochs x steps per
 * epoch when it steps per batch, epochs when it steps per epoch.
 */
export function createRunScheduler(spec: ScheduleSpec, optimizer: SchedulableOptimizer, epochs: number, stepsPerEpoch: number): Scheduler {
  if (spec.name === 'ReduceLROnPlateau' && spec.interval === 'step') {
    throw new ScheduleError("ReduceLROnPlateau steps once per epoch, on the epoch's mean training loss: use the interval 'epoch'");
  }
  const options: Record<string, unknown> = { ...spec.options };
  const lengthGiven = options.totalSteps != null || (options.epochs != null && options.stepsPerEpoch != null);
  if (spec.name === 'OneCycleLR' && !lengthGiven) options.totalSteps = spec.interval === 'step' ? epochs * stepsPerEpoch : epochs;
  return createScheduler(spec.name, optimizer, options);
}

/**
 * A run's schedule as it trains: `afterStep()` after every optimizer step, `afterEpoch(loss)` after
 * each epoch's evaluation; the scheduler steps at the one its interval names.
 */
export class RunSchedule {
  constructor(
    readonly spec: ScheduleSpec,
    readonly scheduler: Scheduler,
  ) {}

  afterStep(): void {
    if (this.spec.interval === 'step') this.scheduler.step();
  }

  /** `trainLoss`: the epoch's mean training loss, the metric ReduceLROnPlateau watches. */
  afterEpoch(trainLoss: number): void {
    if (this.spec.interval !== 'epoch') return;
    // ReduceLROnPlateau watches the training loss: the tutorial's script has no validation split,
    // and the test set must not steer training. A diverged epoch (NaN) counts as infinitely bad.
    if (this.spec.name === 'ReduceLROnPlateau') this.scheduler.step(Number.isNaN(trainLoss) ? Infinity : trainLoss);
    else this.scheduler.step();
  }
}
