// Where runs and tables live, and the rule that names them. A run's default file is a function of
// its configuration alone, and two configurations that train differently never share a name:
//
//   outputs/runs/<dataset>-<net>-<label>-<seed>[-e<epochs>][-limit<N>][-batch<N>][-testbatch<N>][-<layout>]
//                [-<option>=<value>...][-<others>[-<option>=<value>...]][-nodecaybias][-<Scheduler>[-<option>=<value>...]-<interval>].json
//
// <label> is the sweep entry whose recipe (optimizer, options, layout, second optimizer) the run
// has (`sgd`, `adam_amsgrad`, `muon_adamw`, ...), else the optimizer's name; a suffix appears only
// where the run leaves the sweep's protocol: other than 10 epochs, a subset of the training images,
// another batch size or test batch size, another layout than the entry's (or than 'flat'), every
// optimizer option that differs from the entry's (`-lr=0.05`, `-nesterov` for true,
// `-betas=0.9,0.99`), Muon's second optimizer with its options (`-adamw-lr=0.01`), no weight decay on
// the biases (`-nodecaybias`), and a scheduler with the options given and its interval
// (`-StepLR-stepSize=3-epoch`, `-OneCycleLR-maxLr=0.1-step`). The sweep's own runs are therefore
// `mnist-seed-sgd-1.json` as always, and a run file from before schedulers is named as it was.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { DatasetName } from '../data/datasets';
import { OptimizerName } from '../optim';
import type { OptionValue } from '../optim/options';
import type { NetName } from '../train/network';
import type { ParameterLayout } from '../train/parameters';
import { optimizerSetup, SWEEP_EPOCHS, TEST_BATCH_SIZE } from '../train/setups';
import { canonicalJson, OthersConfig, TrainConfig } from './schema';

export const RUNS_DIR = path.join('outputs', 'runs');
export const RESULTS_DIR = path.join('outputs', 'results');

/**
 * A configuration the sweep runs: a label (its name in tables and files) and the part of a run's
 * request that makes its recipe: an optimizer, options beyond its setup, and where they differ from
 * a run's defaults, the parameter layout and Muon's optimizer for the rest.
 */
export interface SweepEntry {
  label: string;
  optimizer: OptimizerName;
  options: Record<string, OptionValue>;
  /** Default 'flat'. */
  layout?: ParameterLayout;
  /** Default null (one optimizer). */
  others?: OthersConfig | null;
}

// The tutorial's optimizers (torch.optim's first 13) and its Adam with amsgrad, listed rather than
// read off the registry, then the four optimizers the tutorial did not have (src/train/setups.ts
// says why each is set up as it is).
const tutorialOptimizers = ['sgd', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'adamax', 'sparseadam', 'asgd', 'lbfgs', 'rprop', 'nadam', 'radam'] as const;

/** The tutorial's 14 entries, whose runs were committed first. */
export const tutorialSweepEntries: readonly SweepEntry[] = [
  ...tutorialOptimizers.map((name) => ({ label: name, optimizer: name, options: {} })),
  { label: 'adam_amsgrad', optimizer: 'adam', options: { amsgrad: true } },
];

/**
 * The sweep's entries: the tutorial's, then Adafactor and Muon (its factored second moment and its
 * orthogonalised update need the weights as matrices: the 'tensors' layout). Their options beyond
 * the setups' are the ones that make them an entry of their own.
 */
// An entry joins only with its runs committed (3 seeds on both datasets), or `npm start` would train
// them. Lion and Schedule-Free AdamW (torch.optim has neither) take their setups from
// src/train/setups.ts.
export const sweepEntries: readonly SweepEntry[] = [
  ...tutorialSweepEntries,
  { label: 'adafactor', optimizer: 'adafactor', options: {}, layout: 'tensors' },
  { label: 'muon_adamw', optimizer: 'muon', options: {}, layout: 'tensors', others: { optimizer: 'adamw', options: {} } },
  { label: 'lion', optimizer: 'lion', options: {} },
  { label: 'adamwschedulefree', optimizer: 'adamwschedulefree', options: {} },
];

/** The options a sweep entry trains with: its optimizer's setup, then its own. */
export function entryOptions(entry: SweepEntry): Record<string, OptionValue> {
  return { ...optimizerSetup(entry.optimizer).options, ...entry.options };
}

/** The request fields of a run of the entry (what `configFor` takes; the run's other settings join them). */
export function entryRequest(
  entry: SweepEntry,
): Pick<TrainConfig, 'optimizer' | 'optimizer_options' | 'parameter_layout' | 'others'> {
  return { optimizer: entry.optimizer, optimizer_options: entry.options, parameter_layout: entry.layout ?? 'flat', others: entry.others ?? null };
}

type Recipe = Pick<TrainConfig, 'optimizer' | 'optimizer_options' | 'parameter_layout' | 'others'>;

/** The entry's recipe as a config holds it (setup options filled in). */
function entryRecipe(entry: SweepEntry): Recipe {
  return { ...entryRequest(entry), optimizer_options: entryOptions(entry) };
}

function sameRecipe(a: Recipe, b: Recipe): boolean {
  return (
    a.optimizer === b.optimizer &&
    a.parameter_layout === b.parameter_layout &&
    canonicalJson(a.optimizer_options) === canonicalJson(b.optimizer_options) &&
    canonicalJson(a.others) === canonicalJson(b.others)
  );
}

/** The sweep entry whose recipe (optimizer, options, layout, others) is exactly the config's, if there is one. */
export function sweepEntryOf(config: Recipe): SweepEntry | undefined {
  return sweepEntries.find((entry) => sameRecipe(entryRecipe(entry), config));
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

/**
 * What a run's name is measured against when it matches no entry: the first entry of its optimizer
 * if there is one (so that a flat Adafactor run is `adafactor-...-flat`, not the sweep's Adafactor,
 * and a Muon run with another AdamW lr is `muon-...-adamw-lr=0.01`), else its setup, flat and alone.
 */
function baseRecipe(config: TrainConfig): Recipe {
  const entry = sweepEntries.find((e) => e.optimizer === config.optimizer);
  if (entry) return entryRecipe(entry);
  return { optimizer: config.optimizer, optimizer_options: optimizerSetup(config.optimizer).options, parameter_layout: 'flat', others: null };
}

function othersSuffix(others: OthersConfig | null, base: OthersConfig | null): string {
  if (canonicalJson(others) === canonicalJson(base)) return '';
  if (others === null) return '-alone';
  return `-${others.optimizer}${optionSuffix(others.options, base?.optimizer === others.optimizer ? base.options : {})}`;
}

function schedulerSuffix(scheduler: TrainConfig['scheduler']): string {
  if (scheduler === null) return '';
  return `-${scheduler.name}${optionSuffix(scheduler.options, {})}-${scheduler.interval}`;
}

/** The run's file name (no folder) by the rule above. */
export function runFileName(config: TrainConfig): string {
  const entry = sweepEntryOf(config);
  const setup = optimizerSetup(config.optimizer);
  const label = entry?.label ?? config.optimizer;
  const base = entry ? entryRecipe(entry) : baseRecipe(config);
  const parts = [
    `${config.dataset}-${config.net}-${label}-${config.seed}`,
    config.epochs !== SWEEP_EPOCHS ? `-e${config.epochs}` : '',
    config.limit !== null ? `-limit${config.limit}` : '',
    config.batch_size !== setup.batchSize ? `-batch${config.batch_size}` : '',
    config.test_batch_size !== TEST_BATCH_SIZE ? `-testbatch${config.test_batch_size}` : '',
    config.parameter_layout !== base.parameter_layout ? `-${config.parameter_layout}` : '',
    optionSuffix(config.optimizer_options, base.optimizer_options),
    othersSuffix(config.others, base.others),
    config.no_decay_biases ? '-nodecaybias' : '',
    schedulerSuffix(config.scheduler),
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
  /** The scheduler every run has (absent or null: none, as in the full sweep). */
  scheduler?: TrainConfig['scheduler'];
}

/** The seeds of a full sweep. */
export const SWEEP_SEEDS = [1, 2, 3];

/**
 * outputs/results/<dataset>.csv for the full sweep (every entry, seeds 1-3, net seed, 10 epochs,
 * every image); any other sweep's table is named for what it covers, so that it never replaces the
 * full table: <dataset>[-<net>][-e<epochs>][-limit<N>][-<label>+<label>...][-seeds<a>,<b>...][-<Scheduler>...].csv.
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
    schedulerSuffix(selection.scheduler ?? null),
  ];
  return path.join(folder, `${parts.join('')}.csv`);
}
