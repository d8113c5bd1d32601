// `npm run sweep`: every entry of src/results/names.ts (the tutorial's optimizers, its Adam with
// amsgrad, then Adafactor, Muon with AdamW, Lion and Schedule-Free AdamW) for 10 epochs over several
// seeds, each run in outputs/runs (a finished run with the same config is reused, so an interrupted
// sweep resumes), and the table outputs/results/<dataset>.csv (see src/results/table.ts). A sweep of
// part of that (some optimizers, other seeds, epochs or a subset of the images) writes a table named
// for what it covers, never the full one.
import { BackendChoice, backendChoices, useBackend } from '../backend';
import { DATA_DIR_HELP, DatasetName, datasetNames, loadDataset } from '../data/datasets';
import {
  checkOutputPath,
  defaultRunFile,
  describeExisting,
  existingRun,
  OutputPathError,
  resultRows,
  resultsTableFile,
  RunRecord,
  SWEEP_SEEDS,
  entryRequest,
  SweepEntry,
  sweepEntries,
  TrainConfig,
  writeResultsTable,
} from '../results';
import { FlagReader, parseFlags, UsageError } from './cli-args';
import { checkedConfig, readScheduler, readSchedulerOptions, reportFailure } from './cli';
import { netNames } from './network';
import { KernelChoice, kernelChoices } from './program';
import { createProgressReporter } from './progress';
import { runTraining } from './run';
import { SWEEP_EPOCHS } from './setups';

export const SWEEP_USAGE = `Usage: npm run sweep -- [options]

  --dataset D          ${datasetNames.join(' | ')} (default mnist)
  --optimizers a,b     restrict to these (default: all of ${sweepEntries.map((e) => e.label).join(', ')})
  --seeds N | a,b,c    seeds 1..N, or these seeds (default 3)
  --epochs N           default ${SWEEP_EPOCHS}
  --net N              ${netNames.join(' | ')} (default seed)
  --limit N            train on the first N images only (quick checks)
  --backend B          ${backendChoices.join(' | ')}
  --kernels K          ${kernelChoices.join(' | ')}
  --data-dir DIR       ${DATA_DIR_HELP}
  --scheduler NAME     every run with this lr scheduler (as npm run train takes it), its options
                       as flags (--step-size 3, --t-max 10, ...) and --scheduler-interval epoch|step
  --csv FILE           default outputs/results/<dataset>.csv for the full sweep (every entry,
                       seeds 1-3, 10 epochs, every image, no scheduler); a partial sweep's table is
                       named for what it covers, e.g. outputs/results/mnist-e2-limit10000-sgd-seeds1.csv
`;

// Kept for notebook 13's deep import ('../dist/train/sweep') until it imports from the train barrel.
export { sweepEntries };

/** Seeds 1..N for a single N, else the list given (distinct). */
function parseSeeds(reader: FlagReader): number[] {
  const seeds = reader.integers('seeds', 0);
  if (!seeds) return SWEEP_SEEDS;
  if (seeds.length === 1) {
    if (seeds[0] < 1) throw new UsageError('--seeds N needs N >= 1');
    return Array.from({ length: seeds[0] }, (_, i) => i + 1);
  }
  return seeds;
}

function findEntry(label: string): SweepEntry {
  const key = label.toLowerCase().replace(/-/g, '_');
  const entry = sweepEntries.find((e) => e.label === key || e.label === key.replace(/_/g, ''));
  if (!entry) throw new UsageError(`--optimizers: unknown '${label}'. Choose from: ${sweepEntries.map((e) => e.label).join(', ')}`);
  return entry;
}

function parseEntries(reader: FlagReader): readonly SweepEntry[] {
  const wanted = reader.list('optimizers');
  if (!wanted) return sweepEntries;
  const entries = wanted.map(findEntry);
  const repeated = entries.find((entry, i) => entries.indexOf(entry) !== i);
  if (repeated) throw new UsageError(`--optimizers names ${repeated.label} twice: each optimizer once`);
  return entries;
}

export interface SweepInvocation {
  dataset: DatasetName;
  dataDir?: string;
  backend: BackendChoice;
  kernels: KernelChoice;
  /** The table's path, checked writable. */
  csv: string;
  plans: Array<{ entry: SweepEntry; config: TrainConfig; file: string }>;
}

/** Reads the command line into the sweep's runs and table; throws UsageError for anything wrong. */
export function parseSweepArgs(argv: string[]): SweepInvocation | 'help' {
  const reader = new FlagReader(parseFlags(argv, ['help']));
  if (reader.has('help')) return 'help';
  const dataset = reader.choice('dataset', datasetNames) ?? 'mnist';
  const net = reader.choice('net', netNames) ?? 'seed';
  const epochs = reader.integer('epochs', 1) ?? SWEEP_EPOCHS;
  const limit = reader.integer('limit', 1) ?? null;
  const seeds = parseSeeds(reader);
  const backend = reader.choice('backend', backendChoices) ?? 'auto';
  const kernels = reader.choice('kernels', kernelChoices) ?? 'auto';
  const dataDir = reader.string('data-dir');
  const csvFlag = reader.string('csv');
  const entries = parseEntries(reader);
  const schedule = readScheduler(reader);
  const schedulerOptions = readSchedulerOptions(reader, schedule?.name);
  const scheduler = schedule ? { ...schedule, options: schedulerOptions } : null;
  reader.refuseUnknown();
  const csv = csvFlag ?? resultsTableFile({ dataset, net, epochs, limit, labels: entries.map((e) => e.label), seeds, scheduler });
  try {
    checkOutputPath(csv, { createFolder: csvFlag === undefined });
  } catch (error) {
    if (error instanceof OutputPathError) throw new UsageError(`--csv: ${error.message}`);
    throw error;
  }
  const plans = entries.flatMap((entry) =>
    seeds.map((seed) => {
      const config = checkedConfig({ ...entryRequest(entry), dataset, net, epochs, seed, limit, scheduler }, entry.options, []);
      return { entry, config, file: defaultRunFile(config) };
    }),
  );
  checkOutputPath(plans[0].file, { createFolder: true });
  return { dataset, dataDir, backend, kernels, csv, plans };
}

async function main(argv: string[]): Promise<number> {
  const invocation = parseSweepArgs(argv);
  if (invocation === 'help') {
    process.stdout.write(SWEEP_USAGE);
    return 0;
  }
  const { dataset, dataDir, backend, kernels, csv, plans } = invocation;
  const report = await useBackend(backend);
  const reporter = createProgressReporter();
  const data = loadDataset(dataset, { limit: plans[0].config.limit ?? undefined, directory: dataDir });
  const finished: Array<{ label: string; record: RunRecord }> = [];
  const failures: string[] = [];
  plans.forEach(({ entry, config, file }, i) => {
    const position = `[${i + 1}/${plans.length}] ${entry.label} seed ${config.seed}`;
    const existing = existingRun(file, config);
    if (existing.kind === 'finished') {
      reporter.line(`${position}: reusing ${file}`);
      finished.push({ label: entry.label, record: existing.record });
      return;
    }
    // Anything else in the run's file is trained over, and the user is told what it was.
    if (existing.kind !== 'none') reporter.line(`${position}: retraining: ${describeExisting(file, existing)}`);
    reporter.line(`${position}: ${config.setup}`);
    try {
      const record = runTraining(config, { backend: report.name, kernels, out: file, reporter, dataset: data });
      finished.push({ label: entry.label, record });
    } catch (error) {
      const message = `${entry.label} seed ${config.seed}: ${error instanceof Error ? error.message : String(error)}`;
      failures.push(message);
      reporter.line(`failed: ${message}`);
    }
  });
  writeResultsTable(csv, resultRows(finished));
  reporter.line(`wrote ${csv} (${finished.length} runs${failures.length ? `; ${failures.length} failed: ${failures.join('; ')}` : ''})`);
  return failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => (process.exitCode = reportFailure(error, 'Run `npm run sweep -- --help` for the options.')),
  );
}
