// The learning-rate grid's table (outputs/results/lr-sensitivity-mnist.csv, npm run lr-sensitivity)
// read for notebook 18: its rows, and per entry and rate the seeds' statistics of one metric.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsvRows, seedStatistics } from '../results';
import { LR_SENSITIVITY_TABLE } from '../train/lr-grid';

const projectRoot = path.resolve(__dirname, '..', '..');

export interface LrGridRow {
  optimizer: string;
  lr: number;
  seed: number;
  epoch: number;
  metric: string;
  value: number;
}

/** The committed table's rows; a missing or malformed table throws, saying how to make it. */
export function readLrSensitivity(file = path.join(projectRoot, LR_SENSITIVITY_TABLE)): LrGridRow[] {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: npm run lr-sensitivity trains the grid and writes it.`);
  return parseCsvRows(fs.readFileSync(file, 'utf8'), file).map((row, i) => {
    const parsed = { optimizer: row.optimizer, lr: Number(row.lr), seed: Number(row.seed), epoch: Number(row.epoch), metric: row.metric, value: Number(row.value) };
    if (![parsed.lr, parsed.seed, parsed.epoch].every(Number.isFinite) || !parsed.optimizer || (row.value !== 'NaN' && Number.isNaN(parsed.value))) {
      throw new Error(`${file}, line ${i + 2}: expected optimizer,lr,seed,epoch,metric,value with numbers, got ${JSON.stringify(row)}`);
    }
    return parsed;
  });
}

export interface LrPoint {
  optimizer: string;
  lr: number;
  /** One value per seed, by seed. */
  values: number[];
  mean: number;
  std?: number;
}

/** Per entry (in the table's order) and rate (ascending): the seeds' `metric` at `epoch`. */
export function lrPoints(rows: readonly LrGridRow[], metric: string, epoch: number): LrPoint[] {
  const chosen = rows.filter((row) => row.metric === metric && row.epoch === epoch);
  const order = [...new Set(chosen.map((row) => row.optimizer))];
  const keys = [...new Set(chosen.map((row) => `${row.optimizer}\u0000${row.lr}`))];
  return keys
    .map((key) => {
      const [optimizer, lr] = key.split('\u0000');
      const mine = chosen.filter((row) => row.optimizer === optimizer && row.lr === Number(lr)).sort((a, b) => a.seed - b.seed);
      const values = mine.map((row) => row.value);
      return { optimizer, lr: Number(lr), values, ...seedStatistics(values) };
    })
    .sort((a, b) => order.indexOf(a.optimizer) - order.indexOf(b.optimizer) || a.lr - b.lr);
}
