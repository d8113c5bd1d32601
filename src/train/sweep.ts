// `npm run sweep`: every optimizer (and the tutorial's Adam with amsgrad) for 10 epochs over several
// seeds, each run in outputs/runs (a finished run with the same config is reused, so an interrupted
// sweep resumes), and the table outputs/results/<dataset>.csv:
//   optimizer,epoch,metric,value,seed
// one row per seed, then a row with seed "mean" and, with two seeds or more, one with seed "std"
// (the sample standard deviation over seeds) for each optimizer, epoch and metric.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendChoices, useBackend } from '../backend';
import { datasetNames, loadDataset } from '../data/datasets';
import { optimizerNames } from '../optim';
import type { OptionValue } from '../optim/options';
import { FlagReader, parseFlags, UsageError } from './cli-args';
import { checkedConfig, reportFailure } from './cli';
import { defaultRunFile } from './config';
import { netNames } from './network';
import { kernelChoices } from './program';
import { createProgressReporter } from './progress';
import { readRunRecord, RunRecord, sameConfig } from './results';
import { runTraining } from './run';

export const SWEEP_USAGE = `Usage: npm run sweep -- [options]

  --dataset D          ${datasetNames.join(' | ')} (default mnist)
  --optimizers a,b     restrict to these (default: all of ${optimizerNames.join(', ')}, adam_amsgrad)
  --seeds N | a,b,c    seeds 1..N, or these seeds (default 3)
  --epochs N           default 10
  --net N              seed (default) | modern | lenet
  --limit N            train on the first N images only (quick checks)
  --backend B          ${backendChoices.join(' | ')}
  --kernels K          ${kernelChoices.join(' | ')}
  --csv FILE           default outputs/results/<dataset>.csv
`;

/** The sweep's entries: a label (the CSV's optimizer column), an optimizer and options beyond its setup. */
export const sweepEntries: Array<{ label: string; optimizer: string; options: Record<string, OptionValue> }> = [
  ...optimizerNames.map((name) => ({ label: name, optimizer: name, options: {} })),
  { label: 'adam_amsgrad', optimizer: 'adam', options: { amsgrad: true } },
];

export const CSV_METRICS = ['test_loss', 'test_acc', 'train_loss'] as const;

/** The CSV rows of finished runs: per seed, then mean and (two seeds or more) std. */
export function resultRows(runs: Array<{ label: string; record: RunRecord }>): string[] {
  const lines = ['optimizer,epoch,metric,value,seed'];
  const labels = [...new Set(runs.map((r) => r.label))];
  for (const label of labels) {
    const mine = runs.filter((r) => r.label === label).sort((a, b) => a.record.config.seed - b.record.config.seed);
    const epochs = Math.max(...mine.map((r) => r.record.epochs.length));
    for (let epoch = 1; epoch <= epochs; epoch++) {
      for (const metric of CSV_METRICS) {
        const values: number[] = [];
        for (const { record } of mine) {
          const value = record.epochs[epoch - 1]?.[metric];
          if (value === undefined) continue;
          // A diverged run's loss is NaN (null in its JSON); it stays visible in the table.
          const number = value === null ? NaN : value;
          values.push(number);
          lines.push(`${label},${epoch},${metric},${formatValue(number)},${record.config.seed}`);
        }
        if (values.length === 0) continue;
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        lines.push(`${label},${epoch},${metric},${formatValue(mean)},mean`);
        if (values.length >= 2) {
          const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
          lines.push(`${label},${epoch},${metric},${formatValue(Math.sqrt(variance))},std`);
        }
      }
    }
  }
  return lines;
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : 'NaN';
}

function parseSeeds(reader: FlagReader): number[] {
  const seeds = reader.integers('seeds', 0);
  if (!seeds) return [1, 2, 3];
  if (seeds.length === 1) {
    if (seeds[0] < 1) throw new UsageError('--seeds N needs N >= 1');
    return Array.from({ length: seeds[0] }, (_, i) => i + 1);
  }
  return seeds;
}

async function main(argv: string[]): Promise<number> {
  const reader = new FlagReader(parseFlags(argv));
  if (reader.has('help')) {
    process.stdout.write(SWEEP_USAGE);
    return 0;
  }
  const dataset = reader.choice('dataset', datasetNames) ?? 'mnist';
  const net = reader.choice('net', netNames) ?? 'seed';
  const epochs = reader.integer('epochs', 1) ?? 10;
  const limit = reader.integer('limit', 1);
  const seeds = parseSeeds(reader);
  const backend = reader.choice('backend', backendChoices) ?? 'auto';
  const kernels = reader.choice('kernels', kernelChoices) ?? 'auto';
  const csv = reader.string('csv') ?? path.join('outputs', 'results', `${dataset}.csv`);
  const wanted = reader.list('optimizers');
  const unknownFlags = Object.keys(reader.optimizerOptions());
  if (unknownFlags.length > 0) throw new UsageError(`unknown flag(s) --${unknownFlags.join(', --')}; see --help`);
  const entries = wanted ? wanted.map((label) => findEntry(label)) : sweepEntries;

  const plans = entries.flatMap((entry) =>
    seeds.map((seed) => {
      const config = checkedConfig({ optimizer: entry.optimizer, optimizer_options: entry.options, dataset, net, epochs, seed, limit: limit ?? null }, entry.options, []);
      return { entry, config, file: defaultRunFile(config, entry.label) };
    }),
  );

  const report = await useBackend(backend);
  const reporter = createProgressReporter();
  const data = loadDataset(dataset, { limit });
  const finished: Array<{ label: string; record: RunRecord }> = [];
  const failures: string[] = [];
  plans.forEach(({ entry, config, file }, i) => {
    const existing = reusable(file, config);
    const position = `[${i + 1}/${plans.length}] ${entry.label} seed ${config.seed}`;
    if (existing) {
      reporter.line(`${position}: reusing ${file}`);
      finished.push({ label: entry.label, record: existing });
      return;
    }
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
  fs.mkdirSync(path.dirname(csv), { recursive: true });
  fs.writeFileSync(csv, `${resultRows(finished).join('\n')}\n`);
  reporter.line(`wrote ${csv} (${finished.length} runs${failures.length ? `; ${failures.length} failed: ${failures.join('; ')}` : ''})`);
  return failures.length > 0 ? 1 : 0;
}

function findEntry(label: string) {
  const key = label.toLowerCase().replace(/-/g, '_');
  const entry = sweepEntries.find((e) => e.label === key || e.label === key.replace(/_/g, ''));
  if (!entry) throw new UsageError(`--optimizers: unknown '${label}'. Choose from: ${sweepEntries.map((e) => e.label).join(', ')}`);
  return entry;
}

/** A finished run in `file` with the same configuration, if there is one. */
function reusable(file: string, config: RunRecord['config']): RunRecord | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const record = readRunRecord(file);
    return sameConfig(record.config, config) && record.epochs.length >= config.epochs ? record : undefined;
  } catch {
    return undefined; // unreadable or from an older schema: run it again
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => (process.exitCode = reportFailure(error, 'Run `npm run sweep -- --help` for the options.')),
  );
}
