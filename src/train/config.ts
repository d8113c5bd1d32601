// A training run's configuration as recorded in its JSON file, with the defaults filled in.
import type { BackendChoice } from '../backend';
import { optimizerName } from '../optim';
import type { DatasetName } from '../data/datasets';
import { entryRequest, SweepEntry } from '../results/names';
import type { TrainConfig } from '../results/schema';
import type { KernelChoice } from './program';
import { optimizerSetup, SWEEP_EPOCHS, TEST_BATCH_SIZE } from './setups';

export type { TrainConfig } from '../results/schema';

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
    scheduler: request.scheduler ?? null,
    no_decay_biases: request.no_decay_biases ?? false,
    others: request.others ?? null,
    setup: request.setup ?? setup.note,
  };
}

/** The sweep's run of an entry on a dataset and seed: the run the results tables and the lr grid's centre read. */
export function sweepRunConfig(entry: SweepEntry, dataset: DatasetName, seed: number): TrainConfig {
  return configFor({ ...entryRequest(entry), dataset, seed, epochs: SWEEP_EPOCHS });
}
