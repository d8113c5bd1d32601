// `npm run train -- --optimizer NAME [flags]`: one training run, its JSON written after every epoch.
import { backendChoices, BackendChoice, useBackend } from '../backend';
import { DATA_DIR_HELP, datasetNames, loadDataset } from '../data/datasets';
import { createOptimizer, optimizerName, optimizerNames, OptimizerOptionError, schedulerName } from '../optim';
import { closestName, OptionValue } from '../optim/options';
import { checkOutputPath, defaultRunFile, describeExisting, existingRun, OutputPathError } from '../results';
import { asFlagMessage, camelToKebab, FlagReader, kebabToCamel, optionValue, parseFlags, UsageError } from './cli-args';
import { configFor, TrainConfig, TrainRequest } from './config';
import { netNames } from './network';
import { parameterLayouts } from './parameters';
import { KernelChoice, kernelChoices } from './program';
import { createProgressReporter } from './progress';
import { runTraining } from './run';
import { createRunOptimizer, createRunSchedule, RunOptimizer, TrainConfigError } from './run-optimizer';
import {
  defaultInterval,
  libraryOnlySchedulers,
  ScheduleError,
  schedulerIntervals,
  ScheduleSpec,
  TrainableSchedulerName,
  trainableSchedulerNames,
  trainableSchedulers,
} from './schedule';

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

  --no-decay-biases     the biases in a param group with weight decay 0 (needs --layout tensors)
  --others adamw        Muon only: AdamW for every parameter that is not a 2-D weight (the conv
                        kernels, the biases); its options are --others-lr, --others-weight-decay ...

Every optimizer option is a flag too, PyTorch's keyword in kebab-case:
  --lr 0.1  --momentum 0.9  --weight-decay 0.01  --betas 0.9,0.99  --nesterov  --amsgrad
  --line-search-fn strong_wolfe  --max-iter 10  --etas 0.5,1.2  --step-sizes 1e-6,50 ...
Defaults: SGD with lr 0.01 and momentum 0.5 (the tutorial's), every other optimizer PyTorch's
(see src/train/setups.ts for L-BFGS, Rprop, SparseAdam, Muon and Lion).

A learning-rate scheduler of torch.optim.lr_scheduler, by its class name (any case, - or _):
  --scheduler NAME      ${trainableSchedulerNames.join(', ')}
  --scheduler-interval  epoch (step() after each epoch) | step (after every optimizer step);
                        default step for CyclicLR and OneCycleLR, epoch for the others
Its options are flags too, PyTorch's keywords in kebab-case (T_max is --t-max):
${schedulerOptionHelp()}
  OneCycleLR without --total-steps runs the whole training (epochs x steps per epoch, or epochs).
  ReduceLROnPlateau watches the epoch's mean training loss (the test set must not steer training).
  A name the optimizer takes too (ReduceLROnPlateau's eps and Adam's) must be written
  --scheduler-eps for the scheduler and --optimizer-eps for the optimizer; --scheduler-X always
  names the scheduler's X. ${libraryOnlySchedulers.join(', ')} take other
  schedulers or functions: the library has them (createScheduler), the command line does not.

The default file is outputs/runs/<dataset>-<net>-<label>-<seed>.json for the sweep's setups (label:
the optimizer, or adam_amsgrad), with a suffix for each setting that differs from the sweep's:
-e<epochs>, -limit<N>, -batch<N>, -tensors, each optimizer option (-lr=0.05, -nesterov), Muon's
-adamw with its options, -nodecaybias, and the scheduler (-StepLR-stepSize=3-epoch).
`;

function schedulerOptionHelp(): string {
  return trainableSchedulerNames
    .map((name) => `  ${`${name}:`.padEnd(29)}${trainableSchedulers[name].map((option) => `--${camelToKebab(option)}`).join(' ')}`)
    .join('\n');
}

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

const TRAIN_BOOLEANS = ['help', 'force', 'no-decay-biases'];

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
    no_decay_biases: reader.has('no-decay-biases'),
  };
  const scheduler = readScheduler(reader);
  const others = reader.choice('others', ['adamw'] as const);
  const backend = reader.choice('backend', backendChoices) ?? 'auto';
  const kernels = reader.choice('kernels', kernelChoices) ?? 'auto';
  const out = reader.string('out');
  const force = reader.has('force');
  const dataDir = reader.string('data-dir');
  const routed = routeOptions(reader, name, scheduler?.name, others !== undefined);
  const othersConfig = others === undefined ? null : { optimizer: others, options: checkedOthersOptions(others, routed.others) };
  const schedulerConfig = scheduler ? { ...scheduler, options: routed.scheduler } : null;
  const given = routed.optimizer;
  const config = checkedConfig(
    { ...request, optimizer_options: given, others: othersConfig, scheduler: schedulerConfig },
    given,
    reader.programFlags,
    reader.bareOptions(),
  );
  return { config, backend, kernels, out: out ?? defaultRunFile(config), outGiven: out !== undefined, force, dataDir };
}

/** --scheduler NAME and --scheduler-interval: torch's class name and when it steps (options come later). */
export function readScheduler(reader: FlagReader): Omit<ScheduleSpec, 'options'> | undefined {
  const given = reader.string('scheduler');
  const interval = reader.choice('scheduler-interval', schedulerIntervals);
  if (given === undefined) {
    if (interval !== undefined) throw new UsageError('--scheduler-interval needs --scheduler NAME');
    return undefined;
  }
  let name: string;
  try {
    name = schedulerName(given);
  } catch (e) {
    throw new UsageError(`--scheduler: ${(e as Error).message.replace(/ Choose one of: .*$/, '')} Choose one of: ${trainableSchedulerNames.join(', ')}.`);
  }
  if ((libraryOnlySchedulers as readonly string[]).includes(name)) {
    throw new UsageError(
      `--scheduler ${name} takes ${name === 'LambdaLR' || name === 'MultiplicativeLR' ? 'a function of the epoch' : 'other schedulers'}, ` +
        `which a flag cannot give (nor a run's JSON hold): make it with the library's createScheduler. The command line takes ${trainableSchedulerNames.join(', ')}.`,
    );
  }
  const trainable = name as TrainableSchedulerName;
  return { name: trainable, interval: interval ?? defaultInterval(trainable) };
}

/** The names (camelCase) of an optimizer's options, PyTorch's defaults filled in. */
function optimizerOptionNames(optimizer: string): string[] {
  let made: ReturnType<typeof createOptimizer> | undefined;
  try {
    made = createOptimizer(optimizer);
    return Object.keys((made as unknown as { settings: Record<string, unknown> }).settings);
  } catch (e) {
    if (e instanceof OptimizerOptionError) throw new UsageError(e.message);
    throw e;
  } finally {
    made?.dispose();
  }
}

const SCHEDULER_PREFIX = 'scheduler-';
const OTHERS_PREFIX = 'others-';
const OPTIMIZER_PREFIX = 'optimizer-';

/**
 * The flags left after the program's own, sent where they belong: `--scheduler-X` to the
 * scheduler, `--others-X` to Muon's second optimizer, `--optimizer-X` to the optimizer; a bare
 * flag to the scheduler when it takes that option, else to the optimizer (which refuses names it
 * does not have). A bare name that both take is refused: the user says which.
 */
function routeOptions(
  reader: FlagReader,
  optimizer: string,
  scheduler: TrainableSchedulerName | undefined,
  hasOthers: boolean,
): Record<'optimizer' | 'scheduler' | 'others', Record<string, OptionValue>> {
  const routed = { optimizer: {}, scheduler: {}, others: {} } as Record<'optimizer' | 'scheduler' | 'others', Record<string, OptionValue>>;
  const schedulerOptions: readonly string[] = scheduler ? trainableSchedulers[scheduler] : [];
  const optimizerOptions = scheduler ? optimizerOptionNames(optimizer) : [];
  const schedulerFlags = () => schedulerOptions.map((option) => `--${camelToKebab(option)}`).join(' ');
  for (const [flag, raw] of reader.remaining()) {
    if (flag.startsWith(SCHEDULER_PREFIX)) {
      const option = kebabToCamel(flag.slice(SCHEDULER_PREFIX.length));
      if (!scheduler) throw new UsageError(`--${flag} is a scheduler option: give --scheduler NAME too`);
      if (!schedulerOptions.includes(option)) {
        const near = closestName(option, schedulerOptions);
        throw new UsageError(
          `--${flag}: ${scheduler} has no option '${option}'${near ? ` (did you mean --${SCHEDULER_PREFIX}${camelToKebab(near)}?)` : ''}; its options are ${schedulerFlags()}`,
        );
      }
      routed.scheduler[option] = optionValue(raw);
    } else if (flag.startsWith(OTHERS_PREFIX)) {
      if (!hasOthers) throw new UsageError(`--${flag} is an option of Muon's second optimizer: give --others adamw too`);
      routed.others[kebabToCamel(flag.slice(OTHERS_PREFIX.length))] = optionValue(raw);
    } else if (flag.startsWith(OPTIMIZER_PREFIX)) {
      routed.optimizer[kebabToCamel(flag.slice(OPTIMIZER_PREFIX.length))] = optionValue(raw);
    } else {
      const option = kebabToCamel(flag);
      if (schedulerOptions.includes(option) && optimizerOptions.includes(option)) {
        throw new UsageError(
          `--${flag} is an option of both ${scheduler} and ${optimizerName(optimizer)}: write --${SCHEDULER_PREFIX}${flag} for the scheduler's, ` +
            `--${OPTIMIZER_PREFIX}${flag} for the optimizer's`,
        );
      }
      if (scheduler && !schedulerOptions.includes(option) && !optimizerOptions.includes(option)) {
        const near = closestName(option, schedulerOptions);
        if (near) throw new UsageError(`--${flag} is an option of neither ${scheduler} nor ${optimizerName(optimizer)}: did you mean ${scheduler}'s --${camelToKebab(near)}?`);
      }
      (schedulerOptions.includes(option) ? routed.scheduler : routed.optimizer)[option] = optionValue(raw);
    }
  }
  return routed;
}

/**
 * For the sweep, which has no optimizer options: every flag left is the scheduler's, bare
 * (`--step-size 3`) or prefixed (`--scheduler-step-size 3`); anything else is refused.
 */
export function readSchedulerOptions(reader: FlagReader, scheduler: TrainableSchedulerName | undefined): Record<string, OptionValue> {
  const options: Record<string, OptionValue> = {};
  const known: readonly string[] = scheduler ? trainableSchedulers[scheduler] : [];
  for (const [flag] of reader.remaining()) {
    const option = kebabToCamel(flag.startsWith(SCHEDULER_PREFIX) ? flag.slice(SCHEDULER_PREFIX.length) : flag);
    if (known.includes(option)) {
      options[option] = optionValue(reader.take(flag)!);
    } else if (scheduler && closestName(option, known)) {
      throw new UsageError(`--${flag}: ${scheduler} has no option '${option}' (did you mean --${camelToKebab(closestName(option, known)!)}?)`);
    } else if (!scheduler && flag.startsWith(SCHEDULER_PREFIX)) {
      throw new UsageError(`--${flag} is a scheduler option: give --scheduler NAME too`);
    }
  }
  return options;
}

/** Muon's second optimizer's options, checked by that optimizer (messages name the --others- flags). */
function checkedOthersOptions(others: 'adamw', options: Record<string, OptionValue>): Record<string, OptionValue> {
  try {
    createOptimizer(others, options).dispose();
  } catch (e) {
    if (e instanceof OptimizerOptionError) {
      const flags = Object.keys(options).map((option) => `--${OTHERS_PREFIX}${camelToKebab(option)}`);
      throw new UsageError(
        `--others ${others}: ${e.message.replace(/\.$/, '')}${flags.length ? ` (from ${flags.join(' ')})` : ''}. Its options are flags --${OTHERS_PREFIX}<option in kebab-case>, e.g. --others-lr 0.001.`,
      );
    }
    throw e;
  }
  return options;
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
    if (e instanceof ScheduleError) throw new UsageError(`--scheduler ${config.scheduler?.name}: ${e.message}`);
    if (e instanceof OptimizerOptionError) {
      const flags = config.scheduler ? trainableSchedulers[config.scheduler.name].map((option) => `--${camelToKebab(option)}`).join(' ') : '';
      throw new UsageError(`--scheduler ${config.scheduler?.name}: ${e.message.replace(/\.$/, '')}. Its options are flags in kebab-case: ${flags}`);
    }
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
