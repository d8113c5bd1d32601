// Per-epoch aggregation over seeds, and the results table in CSV (csv-parse / csv-stringify):
//   optimizer,epoch,metric,value,seed
// one row per run, then a row with seed "mean" and, with two runs or more, one with seed "std".
//
// The one rule for averaging, used by the sweep's tables, the README figures and the notebooks: an
// epoch's mean (and sample standard deviation) is over every run that reached that epoch, and a
// run whose value is not finite (a diverged run, its loss recorded as null) makes that epoch's mean
// NaN: a diverged seed is never hidden behind the seeds that trained.
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomically } from './files';
import type { RunRecord } from './schema';

export const RUN_METRICS = ['test_loss', 'test_acc', 'train_loss'] as const;
export type RunMetric = (typeof RUN_METRICS)[number];

/** Mean and (two values or more) sample standard deviation; NaN if any value is not finite. */
export function seedStatistics(values: readonly number[]): { mean: number; std?: number } {
  if (values.length === 0) throw new Error('seedStatistics: no values');
  const finite = values.every(Number.isFinite);
  const mean = finite ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
  if (values.length < 2) return { mean };
  const std = finite ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : NaN;
  return { mean, std };
}

export interface EpochStatistics {
  epoch: number;
  metric: RunMetric;
  /** The value of each run that reached this epoch, in the order of the runs given. */
  values: number[];
  mean: number;
  std?: number;
}

/** Per epoch and metric, the statistics over the runs that reached that epoch. */
export function perEpoch(runs: readonly RunRecord[]): EpochStatistics[] {
  const epochs = Math.max(0, ...runs.map((run) => run.epochs.length));
  const statistics: EpochStatistics[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const metric of RUN_METRICS) {
      const values = runs.filter((run) => run.epochs.length >= epoch).map((run) => run.epochs[epoch - 1][metric]);
      statistics.push({ epoch, metric, values, ...seedStatistics(values) });
    }
  }
  return statistics;
}

export const RESULT_COLUMNS = ['optimizer', 'epoch', 'metric', 'value', 'seed'] as const;

export interface ResultRow {
  optimizer: string;
  epoch: number;
  metric: string;
  value: number;
  /** A run's seed, or the row of statistics over the seeds. */
  seed: number | 'mean' | 'std';
}

/** The table's rows for finished runs, grouped by label: per seed, then mean and (two or more) std. */
export function resultRows(runs: ReadonlyArray<{ label: string; record: RunRecord }>): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const label of new Set(runs.map((r) => r.label))) {
    const mine = runs.filter((r) => r.label === label).map((r) => r.record).sort((a, b) => a.config.seed - b.config.seed);
    for (const { epoch, metric, values, mean, std } of perEpoch(mine)) {
      const seeds = mine.filter((run) => run.epochs.length >= epoch).map((run) => run.config.seed);
      values.forEach((value, i) => rows.push({ optimizer: label, epoch, metric, value, seed: seeds[i] }));
      rows.push({ optimizer: label, epoch, metric, value: mean, seed: 'mean' });
      if (std !== undefined) rows.push({ optimizer: label, epoch, metric, value: std, seed: 'std' });
    }
  }
  return rows;
}

/** Six significant digits; NaN for a value that is not finite (every results table writes values so). */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : 'NaN';
}

export function formatResultsCsv(rows: readonly ResultRow[]): string {
  return stringify(
    rows.map((row) => [row.optimizer, row.epoch, row.metric, formatValue(row.value), row.seed]),
    { header: true, columns: [...RESULT_COLUMNS] },
  );
}

/** Rows of a CSV file with a header, as objects keyed by column; `where` names the file in errors. */
export function parseCsvRows(text: string, where: string): Array<Record<string, string>> {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

export function parseResultsCsv(text: string, where: string): ResultRow[] {
  const rows = parseCsvRows(text, where);
  const missing = RESULT_COLUMNS.filter((column) => rows.length > 0 && !(column in rows[0]));
  if (missing.length > 0) throw new Error(`${where}: expected the columns ${RESULT_COLUMNS.join(',')} (missing ${missing.join(', ')})`);
  return rows.map((row, i) => {
    const epoch = Number(row.epoch);
    const seed = row.seed === 'mean' || row.seed === 'std' ? row.seed : Number(row.seed);
    if (!Number.isInteger(epoch) || (typeof seed === 'number' && !Number.isInteger(seed))) {
      throw new Error(`${where}, line ${i + 2}: epoch '${row.epoch}' and seed '${row.seed}' must be whole numbers (or seed mean/std)`);
    }
    const value = Number(row.value);
    if (row.value === '' || (Number.isNaN(value) && row.value !== 'NaN')) throw new Error(`${where}, line ${i + 2}: value '${row.value}' is not a number`);
    return { optimizer: row.optimizer, epoch, metric: row.metric, value, seed };
  });
}

export function readResultsTable(file: string): ResultRow[] {
  return parseResultsCsv(fs.readFileSync(file, 'utf8'), file);
}

export function writeResultsTable(file: string, rows: readonly ResultRow[]): void {
  writeFileAtomically(file, formatResultsCsv(rows));
}
