// MNIST training: the tutorial's networks, a trainer over any optimizer of src/optim, run records.
export * from './network';
export * from './parameters';
export * from './program';
export * from './setups';
export * from './config';
export * from '../results';
export * from './trainer';
export * from './run';
export * from './notebook-runs';
export * from './run-plan';
export * from './lr-grid';
export * from './schedule';
export * from './run-optimizer';
export { createProgressReporter, formatEpoch } from './progress';
export type { ProgressReporter } from './progress';
