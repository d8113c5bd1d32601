// A training run's configuration as recorded in its JSON file, with the defaults filled in.
import * as path from 'node:path';
import type { BackendChoice } from '../backend';
import { DatasetName } from '../data/datasets';
import type { OptionValue } from '../optim/options';
import { OptimizerName, optimizerName } from '../optim';
import { NetName } from './network';
import type { ParameterLayout } from './parameters';
import type { KernelChoice } from './program';
import { optimizerSetup, TEST_BATCH_SIZE } from './setups';

export interface TrainConfig {
  dataset: DatasetName;
  net: NetName;
  optimizer: OptimizerName;
  /** The options given to createOptimizer (PyTorch names in camelCase); PyTorch's defaults fill the rest. */
  optimizer_options: Record<string, OptionValue>;
  seed: number;
  epochs: number;
  /** Train on the first `limit` training images only (null: all); the test set is always whole. */
  limit: number | null;
  batch_size: number;
  test_batch_size: number;
  parameter_layout: ParameterLayout;
  /** Why this setup (see setups.ts). */
  setup: string;
}

/** What a caller may leave out; `configFor` fills it in. */
export type TrainRequest = Partial<Omit<TrainConfig, 'optimizer'>> & { optimizer: string };

/** Settings of the process that do not change the arithmetic (not part of a run's identity). */
export interface RunSettings {
  backend: BackendChoice;
  kernels: KernelChoice;
  out?: string;
}

export function configFor(request: TrainRequest): TrainConfig {
  const optimizer = optimizerName(request.optimizer);
  const setup = optimizerSetup(optimizer);
  return {
    dataset: request.dataset ?? 'mnist',
    net: request.net ?? 'seed',
    optimizer,
    optimizer_options: { ...setup.options, ...request.optimizer_options },
    seed: request.seed ?? 1,
    epochs: request.epochs ?? SWEEP_EPOCHS,
    limit: request.limit ?? null,
    batch_size: request.batch_size ?? setup.batchSize,
    test_batch_size: request.test_batch_size ?? TEST_BATCH_SIZE,
    parameter_layout: request.parameter_layout ?? 'flat',
    setup: request.setup ?? setup.note,
  };
}

/** The length of the tutorial's runs, and of the sweep's. */
export const SWEEP_EPOCHS = 10;

export const RUNS_DIR = path.join('outputs', 'runs');

/**
 * outputs/runs/<dataset>-<net>-<label>-<seed>.json, the label being the optimizer's name unless
 * given (the sweep's 'adam_amsgrad'); a run on a subset (--limit N) gets '-limitN' so that it does
 * not replace a full run.
 */
export function defaultRunFile(config: Pick<TrainConfig, 'dataset' | 'net' | 'optimizer' | 'seed' | 'limit' | 'epochs'>, label: string = config.optimizer): string {
  // Runs shorter or longer than the sweep's 10 epochs, or on a subset, get names of their own so
  // that a quick `npm run train -- --epochs 1` never replaces a finished sweep run.
  const length = config.epochs !== SWEEP_EPOCHS ? `-e${config.epochs}` : '';
  const subset = config.limit ? `-limit${config.limit}` : '';
  return path.join(RUNS_DIR, `${config.dataset}-${config.net}-${label}-${config.seed}${length}${subset}.json`);
}
