// `npm run train -- --optimizer NAME [flags]`: one training run, its JSON written after every epoch.
import { backendChoices, BackendChoice, useBackend } from '../backend';
import { DATA_DIR_HELP, datasetNames, loadDataset } from '../data/datasets';
import { optimizerName, optimizerNames, OptimizerOptionError } from '../optim';
import type { OptionValue } from '../optim/options';
import { checkOutputPath, defaultRunFile, describeExisting, existingRun, OutputPathError } from '../results';
import { asFlagMessage, FlagReader, parseFlags, UsageError } from './cli-args';
import { configFor, TrainConfig, TrainRequest } from './config';
import { netNames } from './network';
import { parameterLayouts } from './parameters';
import { KernelChoice, kernelChoices } from './program';
import { createProgressReporter } from './progress';
import { runTraining } from './run';
import { createRunOptimizer, createRunSchedule, RunOptimizer, TrainConfigError } from './run-optimizer';
import { ScheduleError } from './schedule';

export const TRAIN_USAGE = `Usage: npm run train -- --optimizer NAME [options]

Trains the tutorial's MNIST network and writes the run's JSON after every epoch.

  --optimizer NAME      ${optimizerNames.join(', ')}
  --epochs N            epochs to train (default 10)
  --dataset D           ${datasetNames.join(' | ')} (default mnist)
  --net N               seed (the 2018 pytorch/examples Net, default) | modern (today's) |
                        lenet (the 2019 one, which the tutorial's tables match)
  --seed S              seeds weights, shuffling and dropout (default 1)
  --limit N             train on the first N training images (the test set stays whole)
  --batch-size N        default 64 (LBFGS 1000, Rprop 2000: see src/train/setups.ts)
  --out FILE            where the run's JSON goes (default: outputs/runs/, named for the run's
                        settings, see below); an existing run there is not replaced
  --force               replace the run already in that file
  --data-dir DIR        ${DATA_DIR_HELP}
  --backend B           ${backendChoices.join(' | ')} (default auto)
  --kernels K           auto (fused TensorFlow kernels on tfjs-node) | native | portable (tf ops)
  --layout L            flat (one parameter vector, default) | tensors (one variable per tensor)

Every optimizer option is a flag too, PyTorch's keyword in kebab-case:
  --lr 0.1  --momentum 0.9  --weight-decay 0.01  --betas 0.9,0.99  --nesterov  --amsgrad
  --line-search-fn strong_wolfe  --max-iter 10  --etas 0.5,1.2  --step-sizes 1e-6,50 ...
Defaults: SGD with lr 0.01 and momentum 0.5 (the tutorial's), every other optimizer PyTorch's.

The default file is outputs/runs/<dataset>-<net>-<label>-<seed>.json for the sweep's setups (label:
the optimizer, or adam_amsgrad), with a suffix for each setting that differs from the sweep's:
-e<epochs>, -limit<N>, -batch<N>, -tensors, and each optimizer option (-lr=0.05, -nesterov).
`;

export interface TrainInvocation {
  config: TrainConfig;
  backend: BackendChoice;
  kernels: KernelChoice;
  out: string;
  /** Whether --out was given (the default folder is created if missing; a given one must exist). */
  outGiven: boolean;
  /** Replace a run already in `out`. */
  force: boolean;
  /** Where the dataset's files are (--data-dir), if not its default place. */
  dataDir?: string;
}

const TRAIN_BOOLEANS = ['help', 'force'];

/** Reads the command line into a checked configuration; throws UsageError for anything wrong. */
export function parseTrainArgs(argv: string[]): TrainInvocation | 'help' {
  const reader = new FlagReader(parseFlags(argv, TRAIN_BOOLEANS));
  if (reader.has('help')) return 'help';
  const name = reader.string('optimizer');
  if (!name) throw new UsageError(`--optimizer is required: one of ${optimizerNames.join(', ')}`);
  const request = {
    optimizer: name,
    epochs: reader.integer('epochs', 1),
    dataset: reader.choice('dataset', datasetNames),
    net: reader.choice('net', netNames),
    seed: reader.integer('seed', 0),
    limit: reader.integer('limit', 1),
    batch_size: reader.integer('batch-size', 1),
    parameter_layout: reader.choice('layout', parameterLayouts),
  };
  const backend = reader.choice('backend', backendChoices) ?? 'auto';
  const kernels = reader.choice('kernels', kernelChoices) ?? 'auto';
  const out = reader.string('out');
  const force = reader.has('force');
  const dataDir = reader.string('data-dir');
  const given = reader.optimizerOptions();
  const config = checkedConfig({ ...request, optimizer_options: given }, given, reader.programFlags, reader.bareOptions());
  return { config, backend, kernels, out: out ?? defaultRunFile(config), outGiven: out !== undefined, force, dataDir };
}

/**
 * Before any training: the run's file can be written, and holds no other run (nor this one
 * finished) unless --force. Returns a line to print when it replaces something.
 */
export function checkRunOutput(invocation: TrainInvocation): string | undefined {
  const { out, config, force } = invocation;
  try {
    checkOutputPath(out, { createFolder: !invocation.outGiven });
  } catch (error) {
    if (error instanceof OutputPathError) throw new UsageError(`--out: ${error.message}. Choose a file in a writable folder with --out FILE.`);
    throw error;
  }
  const existing = existingRun(out, config);
  const what = describeExisting(out, existing);
  if (existing.kind === 'none') return undefined;
  if (existing.kind === 'unfinished') return `${what}: training it again from the start`;
  if (force) return `${what}: replacing it (--force)`;
  if (existing.kind === 'finished') {
    throw new UsageError(`${what}; not trained again. Give --force to train it again, or --out FILE to write the run elsewhere.`);
  }
  throw new UsageError(`${what}; it is not replaced. Choose another file with --out FILE, or give --force to replace it.`);
}

/** The configuration, with the optimizer's name and options checked by the optimizer itself. */
export function checkedConfig(request: TrainRequest, given: Record<string, OptionValue>, programFlags: string[], bare: string[] = []): TrainConfig {
  try {
    optimizerName(request.optimizer);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const config = configFor(request);
  let made: RunOptimizer;
  try {
    made = createRunOptimizer(config);
  } catch (e) {
    if (e instanceof TrainConfigError) throw new UsageError(e.message);
    if (e instanceof OptimizerOptionError) throw new UsageError(asFlagMessage(e.message.replace(/\.$/, ''), given, programFlags, bare));
    throw e;
  }
  try {
    // Any epoch length will do for the check (OneCycleLR's derived totalSteps only needs one).
    createRunSchedule(config, made.groups, 1);
  } catch (e) {
    if (e instanceof ScheduleError || e instanceof OptimizerOptionError) throw new UsageError(`--scheduler ${config.scheduler?.name}: ${e.message}`);
    throw e;
  } finally {
    made.optimizer.dispose();
  }
  return config;
}

/** Prints the error and returns the exit status: 2 for usage errors, 1 for anything else. */
export function reportFailure(error: unknown, usageHint: string): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n${usageHint}\n`);
    return 2;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.env.FUN_OPTIM_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const invocation = parseTrainArgs(argv);
  if (invocation === 'help') {
    process.stdout.write(TRAIN_USAGE);
    return 0;
  }
  const replacing = checkRunOutput(invocation);
  const { config } = invocation;
  const dataset = loadDataset(config.dataset, { limit: config.limit ?? undefined, directory: invocation.dataDir });
  const report = await useBackend(invocation.backend);
  const reporter = createProgressReporter();
  if (replacing) reporter.line(replacing);
  runTraining(config, { backend: report.name, kernels: invocation.kernels, out: invocation.out, reporter, dataset });
  reporter.line(`wrote ${invocation.out}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => (process.exitCode = reportFailure(error, 'Run `npm run train -- --help` for the options.')),
  );
}
