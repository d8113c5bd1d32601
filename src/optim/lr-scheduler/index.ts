// Every scheduler of torch.optim.lr_scheduler, and SWALR, made by torch's class name:
// `createScheduler('OneCycleLR', optimizer, {maxLr: 0.1, totalSteps: 1000})`. Options are torch's
// keywords with the first letter lower-cased, then camelCase (T_max -> tMax, eta_min -> etaMin).
import { OptimizerOptionError, closestName } from '../options';
import { SWALR } from '../swa';
import type { SchedulableOptimizer, Scheduler } from './scheduler';
import {
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  PolynomialLR,
  StepLR,
} from './schedules';
import { CyclicLR, OneCycleLR } from './cyclic';
import { ReduceLROnPlateau } from './plateau';
import { ChainedScheduler, SequentialLR } from './composite';

export { Scheduler, LRScheduler } from './scheduler';
export type { SchedulableOptimizer, SchedulerGroup, SchedulerState } from './scheduler';
export * from './schedules';
export * from './cyclic';
export * from './plateau';
export * from './composite';
export * from './callback';

export const schedulers = {
  StepLR,
  MultiStepLR,
  ConstantLR,
  LinearLR,
  ExponentialLR,
  PolynomialLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  OneCycleLR,
  ReduceLROnPlateau,
  LambdaLR,
  MultiplicativeLR,
  SequentialLR,
  ChainedScheduler,
  SWALR,
} as const;

export type SchedulerName = keyof typeof schedulers;
export type SchedulerOf<N extends SchedulerName> = InstanceType<(typeof schedulers)[N]>;
export type SchedulerOptionsOf<N extends SchedulerName> = NonNullable<ConstructorParameters<(typeof schedulers)[N]>[1]>;
export const schedulerNames = Object.keys(schedulers) as SchedulerName[];

/** torch's class name from 'StepLR', 'steplr' or 'step_lr'; throws for unknown names, with a "did you mean". */
export function schedulerName(name: string): SchedulerName {
  const key = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const found = schedulerNames.find((n) => key(n) === key(String(name)));
  if (found) return found;
  const near = closestName(String(name), schedulerNames);
  throw new OptimizerOptionError(
    `Unknown scheduler '${name}'${near ? ` (did you mean '${near}'?)` : ''}. Choose one of: ${schedulerNames.join(', ')}.`,
  );
}

/**
 * Makes a scheduler by torch's class name on `optimizer` (anything with `paramGroups`); like
 * torch's, it makes its first step at once. Unknown names and options throw.
 */
export function createScheduler<N extends SchedulerName>(
  name: N,
  optimizer: SchedulableOptimizer,
  options?: SchedulerOptionsOf<N>,
): SchedulerOf<N>;
export function createScheduler(name: string, optimizer: SchedulableOptimizer, options?: Record<string, unknown>): Scheduler;
export function createScheduler(name: string, optimizer: SchedulableOptimizer, options: Record<string, unknown> = {}): Scheduler {
  const Class = schedulers[schedulerName(name)] as unknown as new (o: SchedulableOptimizer, options: Record<string, unknown>) => Scheduler;
  return new Class(optimizer, options);
}
