// The MNIST runs that notebooks read through mnistResults beyond the sweep's: committed in
// outputs/runs like the sweep's, and listed here so that `npm start` trains only the ones missing
// (saying so first) and the README gives the command that makes each.
import { optimizerSetup } from './setups';
import { camelToKebab } from './cli-args';
import { configFor, TrainConfig, TrainRequest } from './config';
import { canonicalJson } from '../results/schema';
import { SWEEP_EPOCHS, TEST_BATCH_SIZE } from './setups';

export interface NotebookRun {
  /** The notebook that reads it (its file name without .ipynb). */
  notebook: string;
  /** Its label in that notebook's mnistResults call. */
  label: string;
  /** The request that notebook passes to mnistResults (seed 1: one run). */
  request: TrainRequest;
}

/** Optimizer steps in the sweep's ten epochs of batches of 64 (60000 images): a per-step cosine's tMax. */
const TEN_EPOCHS_OF_64 = 10 * Math.ceil(60000 / 64);

export const notebookRuns: readonly NotebookRun[] = [
  // 04: PyTorch's RMSprop default (lr 0.01) against the lr the tutorial's results suggest.
  { notebook: '04-rmsprop', label: 'rmsprop_lr0.001', request: { optimizer: 'rmsprop', optimizer_options: { lr: 1e-3 } } },
  // 14: schedules against a constant lr, for SGD (the tutorial's momentum 0.5) and Adadelta.
  { notebook: '14-schedules', label: 'SGD 0.05, constant', request: { optimizer: 'sgd', optimizer_options: { lr: 0.05 } } },
  {
    notebook: '14-schedules',
    label: 'SGD 0.05, CosineAnnealingLR per step',
    request: { optimizer: 'sgd', optimizer_options: { lr: 0.05 }, scheduler: { name: 'CosineAnnealingLR', options: { tMax: TEN_EPOCHS_OF_64 }, interval: 'step' } },
  },
  {
    notebook: '14-schedules',
    label: 'SGD, OneCycleLR to 0.05 per step',
    request: { optimizer: 'sgd', scheduler: { name: 'OneCycleLR', options: { maxLr: 0.05 }, interval: 'step' } },
  },
  {
    notebook: '14-schedules',
    label: 'Adadelta, StepLR γ 0.7 per epoch',
    request: { optimizer: 'adadelta', scheduler: { name: 'StepLR', options: { stepSize: 1, gamma: 0.7 }, interval: 'epoch' } },
  },
  // 16: weight decay on the biases or not, at a decay large enough to show.
  {
    notebook: '16-groups-clipping-averaging',
    label: 'AdamW, weight decay 0.5 on everything',
    request: { optimizer: 'adamw', optimizer_options: { weightDecay: 0.5 }, parameter_layout: 'tensors' },
  },
  {
    notebook: '16-groups-clipping-averaging',
    label: 'AdamW, weight decay 0.5, none on biases',
    request: { optimizer: 'adamw', optimizer_options: { weightDecay: 0.5 }, parameter_layout: 'tensors', no_decay_biases: true },
  },
];

/** The notebook's run of this label (its request), for the notebooks to read by name. */
export function notebookRun(notebook: string, label: string): NotebookRun {
  const run = notebookRuns.find((r) => r.notebook === notebook && r.label === label);
  if (!run) throw new Error(`no run '${label}' of ${notebook} in src/train/notebook-runs.ts`);
  return run;
}

/** A flag's value as `npm run train` reads it back (cli-args: numbers, lists, true, none). */
function flagValue(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.map((v) => (v === null ? 'none' : String(v))).join(',');
  return String(value);
}

/** `--weight-decay 0.5 --nesterov ...`: the options that differ from `base`, sorted, as flags. */
function optionFlags(options: Record<string, unknown>, base: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(options)
    .sort(([a], [b]) => a.localeCompare(b))
    .filter(([key, value]) => canonicalJson(value) !== canonicalJson(base[key]))
    .map(([key, value]) => (value === true ? `--${prefix}${camelToKebab(key)}` : `--${prefix}${camelToKebab(key)} ${flagValue(value)}`));
}

/** The `npm run train` command that trains `config` into its default run file. */
export function trainCommand(config: TrainConfig): string {
  const defaults = configFor({ optimizer: config.optimizer });
  const setup = optimizerSetup(config.optimizer);
  const flags: string[] = [`--optimizer ${config.optimizer}`];
  if (config.dataset !== defaults.dataset) flags.push(`--dataset ${config.dataset}`);
  if (config.net !== defaults.net) flags.push(`--net ${config.net}`);
  if (config.seed !== defaults.seed) flags.push(`--seed ${config.seed}`);
  if (config.epochs !== SWEEP_EPOCHS) flags.push(`--epochs ${config.epochs}`);
  if (config.limit !== null) flags.push(`--limit ${config.limit}`);
  if (config.batch_size !== setup.batchSize) flags.push(`--batch-size ${config.batch_size}`);
  if (config.test_batch_size !== TEST_BATCH_SIZE) {
    throw new Error(`trainCommand: npm run train has no flag for test_batch_size ${config.test_batch_size}`);
  }
  if (config.parameter_layout !== defaults.parameter_layout) flags.push(`--layout ${config.parameter_layout}`);
  flags.push(...optionFlags(config.optimizer_options, defaults.optimizer_options));
  if (config.others) flags.push(`--others ${config.others.optimizer}`, ...optionFlags(config.others.options, {}, 'others-'));
  if (config.no_decay_biases) flags.push('--no-decay-biases');
  if (config.scheduler) {
    const { name, options, interval } = config.scheduler;
    flags.push(`--scheduler ${name}`, ...optionFlags(options, {}, 'scheduler-'), `--scheduler-interval ${interval}`);
  }
  return `npm run train -- ${flags.join(' ')}`;
}
