// Reading and writing run files, and the checks made before a run starts: that its file can be
// written, and what an existing file there holds (so that a run never replaces another by accident).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configDifferences, RunRecord, RunRecordError, sameConfig, TrainConfig, validateRunRecord } from './schema';

export function readRunRecord(file: string): RunRecord {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new RunRecordError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunRecordError(`${file}: not JSON (${(error as Error).message})`);
  }
  return validateRunRecord(value, file);
}

/**
 * Writes `text` to `file` atomically: a crash mid-write leaves the previous file intact, and a
 * failed write leaves no temporary file behind.
 */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** Writes the record atomically (see writeFileAtomically). */
export function writeRunRecord(file: string, record: RunRecord): void {
  writeFileAtomically(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** A path that cannot take a run's output. */
export class OutputPathError extends Error {
  override name = 'OutputPathError';
}

/**
 * Throws an OutputPathError naming `file` unless a file can be written there: not empty, not a
 * folder, its folder exists (or `createFolder`), is a folder, and takes a new file (tried for real).
 */
export function checkOutputPath(file: string, options: { createFolder?: boolean } = {}): void {
  if (file.trim() === '') throw new OutputPathError('the output path is empty');
  const folder = path.dirname(path.resolve(file));
  const stat = statOrCode(file);
  if (typeof stat !== 'string' && stat.isDirectory()) throw new OutputPathError(`${file} is a folder, not a file`);
  if (options.createFolder) {
    try {
      fs.mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw new OutputPathError(`${file}: its folder ${folder} cannot be created (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const folderStat = statOrCode(folder);
  if (typeof folderStat === 'string') {
    throw new OutputPathError(
      folderStat === 'ENOENT' ? `${file}: its folder ${folder} does not exist` : `${file}: its folder ${folder} is not usable (${folderStat}: part of the path is a file?)`,
    );
  }
  if (!folderStat.isDirectory()) throw new OutputPathError(`${file}: ${folder} is a file, not a folder`);
  const probe = path.join(folder, `.${path.basename(file)}.${process.pid}.probe`);
  try {
    fs.writeFileSync(probe, '', { flag: 'wx' });
  } catch (error) {
    throw new OutputPathError(`${file}: its folder ${folder} does not take new files (${(error as NodeJS.ErrnoException).code})`);
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

function statOrCode(file: string): fs.Stats | string {
  try {
    return fs.statSync(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  }
}

/** What a file at a run's path holds, seen from a run of `config` about to be written there. */
export type ExistingRun =
  | { kind: 'none' }
  /** The same run, finished (all of config.epochs). */
  | { kind: 'finished'; record: RunRecord }
  /** The same run, interrupted after some epochs. */
  | { kind: 'unfinished'; record: RunRecord }
  /** A run of another configuration. */
  | { kind: 'other'; record: RunRecord; differences: string[] }
  /** Not a run record (corrupt, unreadable, another format). */
  | { kind: 'unreadable'; reason: string };

export function existingRun(file: string, config: TrainConfig): ExistingRun {
  if (!fs.existsSync(file)) return { kind: 'none' };
  let record: RunRecord;
  try {
    record = readRunRecord(file);
  } catch (error) {
    return { kind: 'unreadable', reason: (error as Error).message };
  }
  const differences = configDifferences(record.config, config);
  if (differences.length > 0) return { kind: 'other', record, differences };
  return record.epochs.length >= config.epochs ? { kind: 'finished', record } : { kind: 'unfinished', record };
}

/** One line on what an existing file holds, for messages. */
export function describeExisting(file: string, existing: ExistingRun): string {
  switch (existing.kind) {
    case 'none':
      return `${file} does not exist`;
    case 'finished':
      return `${file} holds this run, finished (${existing.record.epochs.length} epochs)`;
    case 'unfinished':
      return `${file} holds this run, interrupted after ${existing.record.epochs.length} of ${existing.record.config.epochs} epochs`;
    case 'other':
      return `${file} holds a run of another configuration (${existing.differences.join(', ')})`;
    case 'unreadable':
      return `${file} is not a run record (${existing.reason.startsWith(file) ? existing.reason.slice(file.length + 2) : existing.reason})`;
  }
}

/**
 * Every run record in `folder` (a file there that is not a run record throws a RunRecordError
 * naming it); [] when the folder is missing.
 */
export function readRunFolder(folder: string): RunRecord[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => readRunRecord(path.join(folder, file)));
}

/**
 * The finished runs among `records` whose config equals `config` apart from the seed (every seed
 * found, whatever their file names), by seed.
 */
export function finishedRunsOf(config: TrainConfig, records: RunRecord[]): RunRecord[] {
  return records
    .filter((run) => sameConfig({ ...run.config, seed: config.seed }, config) && run.epochs.length === config.epochs)
    .sort((a, b) => a.config.seed - b.config.seed);
}
