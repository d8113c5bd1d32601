// Where runs and tables live, and the rule that names them. A run's default file is a function of
// its configuration alone, and two configurations that train differently never share a name:
//
//   outputs/runs/<dataset>-<net>-<label>-<seed>[-e<epochs>][-limit<N>][-batch<N>][-testbatch<N>][-<layout>][-<option>=<value>...].json
//
// <label> is the sweep entry whose setup the run has (`sgd`, `adam_amsgrad`, ...), else the
// optimizer's name; a suffix appears only where the run leaves the sweep's protocol: other than 10
// epochs, a subset of the training images, another batch size or test batch size, the 'tensors'
// layout, and every optimizer option that differs from the entry's (`-lr=0.05`, `-nesterov` for
// true, `-betas=0.9,0.99`). The sweep's own runs are therefore `mnist-seed-sgd-1.json` as always.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { DatasetName } from '../data/datasets';
import { OptimizerName } from '../optim';
import type { OptionValue } from '../optim/options';
import type { NetName } from '../train/network';
import { optimizerSetup, SWEEP_EPOCHS, TEST_BATCH_SIZE } from '../train/setups';
import { canonicalJson, TrainConfig } from './schema';

export const RUNS_DIR = path.join('outputs', 'runs');
export const RESULTS_DIR = path.join('outputs', 'results');

/** A configuration the sweep runs: a label (its name in tables and files), an optimizer, options beyond its setup. */
export interface SweepEntry {
  label: string;
  optimizer: OptimizerName;
  options: Record<string, OptionValue>;
}

/** The sweep's entries: every optimizer with its setup, and the tutorial's Adam with amsgrad. */
// The tutorial's optimizers (torch.optim's first 13) and its Adam with amsgrad, listed rather than
// read off the registry: an optimizer joins the sweep (and `npm start`'s training) only once its
// runs are committed. Adafactor, Muon, Lion and Schedule-Free AdamW are not in it yet.
const tutorialOptimizers = ['sgd', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'adamax', 'sparseadam', 'asgd', 'lbfgs', 'rprop', 'nadam', 'radam'] as const;

export const sweepEntries: readonly SweepEntry[] = [
  ...tutorialOptimizers.map((name) => ({ label: name, optimizer: name, options: {} })),
  { label: 'adam_amsgrad', optimizer: 'adam', options: { amsgrad: true } },
];

/** The options a sweep entry trains with: its optimizer's setup, then its own. */
export function entryOptions(entry: SweepEntry): Record<string, OptionValue> {
  return { ...optimizerSetup(entry.optimizer).options, ...entry.options };
}

/** The sweep entry whose optimizer and options are exactly the config's, if there is one. */
export function sweepEntryOf(config: Pick<TrainConfig, 'optimizer' | 'optimizer_options'>): SweepEntry | undefined {
  const options = canonicalJson(config.optimizer_options);
  return sweepEntries.find((entry) => entry.optimizer === config.optimizer && canonicalJson(entryOptions(entry)) === options);
}

/** `-lr=0.05`, `-nesterov`: the options in which `options` differ from `base`, sorted by name. */
function optionSuffix(options: Record<string, OptionValue>, base: Record<string, OptionValue>): string {
  const keys = [...new Set([...Object.keys(options), ...Object.keys(base)])].sort();
  const parts = keys
    .filter((key) => canonicalJson(options[key]) !== canonicalJson(base[key]))
    .map((key) => {
      if (!(key in options)) return `${key}=unset`;
      const value = options[key];
      if (value === true) return key;
      const text = value === null ? 'None' : Array.isArray(value) ? value.join(',') : String(value);
      return `${key}=${text.replace(/[^A-Za-z0-9._,+-]/g, '_')}`;
    });
  const suffix = parts.map((part) => `-${part}`).join('');
  // File names stop at 255 bytes: a long list of options becomes a digest of them.
  return suffix.length <= 160 ? suffix : `-options-${createHash('sha256').update(canonicalJson(options)).digest('hex').slice(0, 12)}`;
}

/** The run's file name (no folder) by the rule above. */
export function runFileName(config: TrainConfig): string {
  const entry = sweepEntryOf(config);
  const setup = optimizerSetup(config.optimizer);
  const label = entry?.label ?? config.optimizer;
  const parts = [
    `${config.dataset}-${config.net}-${label}-${config.seed}`,
    config.epochs !== SWEEP_EPOCHS ? `-e${config.epochs}` : '',
    config.limit !== null ? `-limit${config.limit}` : '',
    config.batch_size !== setup.batchSize ? `-batch${config.batch_size}` : '',
    config.test_batch_size !== TEST_BATCH_SIZE ? `-testbatch${config.test_batch_size}` : '',
    config.parameter_layout !== 'flat' ? `-${config.parameter_layout}` : '',
    entry ? '' : optionSuffix(config.optimizer_options, setup.options),
  ];
  return `${parts.join('')}.json`;
}

/** outputs/runs/<the name above> (or the same name in `folder`). */
export function defaultRunFile(config: TrainConfig, folder: string = RUNS_DIR): string {
  return path.join(folder, runFileName(config));
}

/** What a sweep covers, for naming its table. */
export interface SweepSelection {
  dataset: DatasetName;
  net: NetName;
  epochs: number;
  limit: number | null;
  /** Labels of the entries, in the sweep's order. */
  labels: string[];
  seeds: number[];
}

/** The seeds of a full sweep. */
export const SWEEP_SEEDS = [1, 2, 3];

/**
 * outputs/results/<dataset>.csv for the full sweep (every entry, seeds 1-3, net seed, 10 epochs,
 * every image); any other sweep's table is named for what it covers, so that it never replaces the
 * full table: <dataset>[-<net>][-e<epochs>][-limit<N>][-<label>+<label>...][-seeds<a>,<b>...].csv.
 */
export function resultsTableFile(selection: SweepSelection, folder: string = RESULTS_DIR): string {
  const allEntries = selection.labels.length === sweepEntries.length && sweepEntries.every((e, i) => e.label === selection.labels[i]);
  const parts = [
    selection.dataset,
    selection.net !== 'seed' ? `-${selection.net}` : '',
    selection.epochs !== SWEEP_EPOCHS ? `-e${selection.epochs}` : '',
    selection.limit !== null ? `-limit${selection.limit}` : '',
    allEntries ? '' : `-${selection.labels.join('+')}`,
    canonicalJson(selection.seeds) === canonicalJson(SWEEP_SEEDS) ? '' : `-seeds${selection.seeds.join(',')}`,
  ];
  return path.join(folder, `${parts.join('')}.csv`);
}
