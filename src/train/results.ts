// The JSON record of a run, written after every epoch, and its validation when read back.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrainConfig } from './config';

export interface EpochResult {
  epoch: number;
  /** Mean training loss over the epoch's examples (with dropout, as the network was trained). */
  train_loss: number;
  /** Summed NLL over the test set / its size, as the tutorial's script reports it. */
  test_loss: number;
  /** Fraction of test images whose arg-max prediction is the label. */
  test_acc: number;
  /** Wall-clock seconds of the epoch's training (not its evaluation). */
  train_seconds: number;
}

export interface RunRecord {
  config: TrainConfig;
  /** What ran: 'tensorflow' (libtensorflow via tfjs-node), 'tensorflow-gpu' or 'cpu' (pure JS). */
  backend: string;
  epochs: EpochResult[];
}

const EPOCH_FIELDS: Array<keyof EpochResult> = ['epoch', 'train_loss', 'test_loss', 'test_acc', 'train_seconds'];
const CONFIG_FIELDS: Array<keyof TrainConfig> = [
  'dataset',
  'net',
  'optimizer',
  'optimizer_options',
  'seed',
  'epochs',
  'limit',
  'batch_size',
  'test_batch_size',
  'parameter_layout',
  'setup',
];

/** Throws an error naming the file and the first problem unless `value` is a RunRecord. */
export function validateRunRecord(value: unknown, file = 'run record'): RunRecord {
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  if (typeof value !== 'object' || value === null) fail('not a JSON object');
  const record = value as Record<string, unknown>;
  const config = record.config as Record<string, unknown> | undefined;
  if (typeof config !== 'object' || config === null) fail('has no "config" object');
  for (const field of CONFIG_FIELDS) if (!(field in config!)) fail(`config has no "${field}"`);
  if (typeof record.backend !== 'string') fail('has no "backend" string');
  if (!Array.isArray(record.epochs)) fail('has no "epochs" array');
  (record.epochs as unknown[]).forEach((epoch, i) => {
    const e = epoch as Record<string, unknown>;
    for (const field of EPOCH_FIELDS) {
      if (typeof e?.[field] !== 'number' || !Number.isFinite(e[field] as number)) {
        if (field === 'train_loss' || field === 'test_loss') {
          if (e?.[field] === null) continue; // a diverged run records its NaN/Infinity losses as null
        }
        fail(`epochs[${i}].${field} is not a finite number`);
      }
    }
    if (e.epoch !== i + 1) fail(`epochs[${i}].epoch is ${String(e.epoch)}, expected ${i + 1}`);
  });
  return value as RunRecord;
}

/** Writes the record atomically (a crash mid-write leaves the previous epoch's file intact). */
export function writeRunRecord(file: string, record: RunRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

export function readRunRecord(file: string): RunRecord {
  return validateRunRecord(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}

/** Whether two configs describe the same run (the same arithmetic; `setup` is only prose). */
export function sameConfig(a: TrainConfig, b: TrainConfig): boolean {
  return CONFIG_FIELDS.every((field) => field === 'setup' || canonical(a[field]) === canonical(b[field]));
}

/** JSON with object keys sorted, so that key order does not matter. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
