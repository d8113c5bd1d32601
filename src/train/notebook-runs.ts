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

export const notebookRuns: readonly NotebookRun[] = [
  // 04: PyTorch's RMSprop default (lr 0.01) against the lr the tutorial's results suggest.
  { notebook: '04-rmsprop', label: 'rmsprop_lr0.001', request: { optimizer: 'rmsprop', optimizer_options: { lr: 1e-3 } } },
];

/** A flag's value as `npm run train` reads it back (cli-args: numbers, lists, true, none). */
function flagValue(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.map((v) => (v === null ? 'none' : String(v))).join(',');
  return String(value);
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
  for (const [key, value] of Object.entries(config.optimizer_options).sort(([a], [b]) => a.localeCompare(b))) {
    if (canonicalJson(value) === canonicalJson(defaults.optimizer_options[key])) continue;
    flags.push(value === true ? `--${camelToKebab(key)}` : `--${camelToKebab(key)} ${flagValue(value)}`);
  }
  return `npm run train -- ${flags.join(' ')}`;
}
