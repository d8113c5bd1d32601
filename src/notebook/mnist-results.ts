// MNIST results for the notebooks: the finished runs in outputs/runs when they match the requested
// configuration (the sweep's seeds, averaged per epoch), and a training run otherwise. In quick mode
// (FUN_OPTIM_QUICK=1) a small run is trained and kept out of outputs/runs, so that CI exercises the
// training path without touching the committed results. The tutorial's own published numbers come
// from data/tutorial-results.csv (a copy of its tables).
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { configFor, TrainRequest } from '../train/config';
import { defaultRunFile, describeExisting, existingRun, perEpoch, readRunRecord, RunRecord, RUNS_DIR, sameConfig, TrainConfig } from '../results';
import { runTraining } from '../train/run';
import { useBackend } from '../backend';
import { MetricRecord, readMetricRecords } from './metric-records';
import { quick } from './quick';

const projectRoot = path.resolve(__dirname, '..', '..');
const QUICK_LIMIT = 2000;

export interface MnistRequest extends TrainRequest {
  /** The name of the curve (default: the optimizer's name). */
  label?: string;
}

export interface MnistRuns {
  /** Per-epoch means over the runs found (or the one trained): test_loss, test_acc, train_loss. */
  records: MetricRecord[];
  /** The runs behind them, per label. */
  runs: Record<string, RunRecord[]>;
}

/** Finished runs whose config equals `config` apart from the seed, whatever their file names. */
function finishedRuns(config: TrainConfig): RunRecord[] {
  const dir = path.join(projectRoot, RUNS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => readRunRecord(path.join(dir, file)))
    .filter((run) => sameConfig({ ...run.config, seed: config.seed }, config) && run.epochs.length === config.epochs);
}

/** Per-epoch means over the runs, by the results module's one rule (a diverged run's NaN is kept). */
function meanPerEpoch(label: string, runs: RunRecord[]): MetricRecord[] {
  return perEpoch(runs).map(({ epoch, metric, mean }) => ({ run: label, step: epoch, metric, value: mean }));
}

/** Where the run of the request `label` is kept: its default run file, refused if that holds another run. */
function runFileFor(label: string, config: TrainConfig): string {
  const file = path.join(projectRoot, defaultRunFile(config));
  const existing = existingRun(file, config);
  if (existing.kind === 'other' || existing.kind === 'unreadable') {
    throw new Error(`${label}: ${describeExisting(path.relative(projectRoot, file), existing)}: move it aside or delete it to train this run here.`);
  }
  return file;
}

/**
 * Test loss/accuracy per epoch for each request. Full mode: the finished runs of that configuration
 * (every seed found), else one run trained now with seed 1 and saved to outputs/runs. Quick mode: one
 * epoch on the first 2000 training images, not saved.
 */
export async function mnistResults(requests: MnistRequest[]): Promise<MnistRuns> {
  const result: MnistRuns = { records: [], runs: {} };
  for (const { label, ...request } of requests) {
    const name = label ?? request.optimizer;
    const config = configFor(quick ? { ...request, epochs: 1, limit: QUICK_LIMIT } : request);
    let runs = quick ? [] : finishedRuns(config);
    if (runs.length === 0) {
      const { name: backend } = await useBackend();
      const out = quick ? undefined : runFileFor(name, config);
      console.log(`training ${name} on ${config.dataset} (${config.epochs} epoch(s)${config.limit ? `, ${config.limit} images` : ''})...`);
      runs = [runTraining(config, { backend, out })];
    }
    result.runs[name] = runs;
    result.records.push(...meanPerEpoch(name, runs));
  }
  return result;
}

/**
 * The tutorial's published test loss and accuracy (its MNIST tables), for the given optimizers
 * (names as in its CSV: sgd, adagrad, adadelta, rmsprop, adam, adam_amsgrad, adamw, adamax, asgd),
 * labelled '<name> (tutorial)'.
 */
export function tutorialResults(optimizers: string[]): MetricRecord[] {
  const all = readMetricRecords(path.join(projectRoot, 'data', 'tutorial-results.csv'));
  return all
    .filter((record) => optimizers.includes(record.run))
    .map((record) => ({ ...record, run: `${record.run} (tutorial)` }));
}
