// Training metrics in long form, one value per row: what the curve plots read. Files written by a
// training run, and the tutorial's tables in ../shared/seed/results.csv, load into this shape.
import { readFileSync } from 'node:fs';
import { parseCsvRows } from '../results/table';

export interface MetricRecord {
  /** The run or optimizer the value belongs to, e.g. 'adam'. */
  run: string;
  /** The x of the curve: epoch, or step. */
  step: number;
  /** e.g. 'test_loss', 'test_acc', 'train_loss'. */
  metric: string;
  value: number;
}

const RUN_KEYS = ['run', 'optimizer'];
const STEP_KEYS = ['step', 'epoch', 'iteration'];

function pick(row: Record<string, unknown>, keys: string[], where: string): unknown {
  const key = keys.find((k) => k in row);
  if (key === undefined) throw new Error(`${where}: no ${keys.join(' or ')} field (found: ${Object.keys(row).join(', ')}).`);
  return row[key];
}

/** Rows with a run (or optimizer), step (or epoch), metric and value field, checked and typed. */
export function toMetricRecords(rows: Array<Record<string, unknown>>, where = 'metrics'): MetricRecord[] {
  return rows.map((row, i) => {
    const at = `${where}, row ${i + 1}`;
    const record = {
      run: String(pick(row, RUN_KEYS, at)),
      step: Number(pick(row, STEP_KEYS, at)),
      metric: String(pick(row, ['metric'], at)),
      value: Number(pick(row, ['value'], at)),
    };
    if (!Number.isFinite(record.step)) throw new Error(`${at}: step/epoch '${String(pick(row, STEP_KEYS, at))}' is not a number.`);
    return record;
  });
}

/**
 * Reads metric records from a long-form CSV (`optimizer,epoch,metric,value`, as in
 * ../shared/seed/results.csv) or a JSON array of objects with those fields.
 */
export function readMetricRecords(path: string): MetricRecord[] {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.csv')) return toMetricRecords(parseCsvRows(text, path), path);
  if (path.endsWith('.json')) {
    const rows: unknown = JSON.parse(text);
    if (!Array.isArray(rows)) throw new Error(`${path}: expected a JSON array of {run, step, metric, value} objects.`);
    return toMetricRecords(rows as Array<Record<string, unknown>>, path);
  }
  throw new Error(`${path}: metric files are .csv or .json.`);
}
