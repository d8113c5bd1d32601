// The run record, one schema (zod) for what a run's JSON holds: its configuration, the backend it ran
// on, and one entry per finished epoch. The types of the rest of the project are inferred from it.
import { z } from 'zod';
import { datasetNames } from '../data/datasets';
import { optimizerNames } from '../optim';
import { netNames } from '../train/network';
import { parameterLayouts } from '../train/parameters';
import { schedulerIntervals, trainableSchedulerNames } from '../train/schedule';

const count = (min: number) => z.number().int().min(min);

const optionValueSchema = z.union([z.number(), z.boolean(), z.string(), z.null(), z.array(z.number().nullable()).readonly()]);
const optionsSchema = z.record(z.string(), optionValueSchema);

/**
 * The learning-rate scheduler of a run (src/train/schedule.ts): torch's class name, the options
 * given (torch's keywords in camelCase; the scheduler's defaults fill the rest, and OneCycleLR's
 * totalSteps, when absent, is the run's length in scheduler steps), and when it steps.
 */
export const schedulerConfigSchema = z.object({
  name: z.enum(trainableSchedulerNames),
  options: optionsSchema,
  /** 'epoch': step() after each epoch (PyTorch's usual loop); 'step': after every optimizer step. */
  interval: z.enum(schedulerIntervals),
});

/** The optimizer for the variables the main one leaves (Muon: everything but the 2-D weights). */
export const othersConfigSchema = z.object({
  optimizer: z.literal('adamw'),
  /** Its options (PyTorch's names in camelCase); PyTorch's defaults fill the rest. */
  options: optionsSchema,
});

export const trainConfigSchema = z.object({
  dataset: z.enum(datasetNames),
  net: z.enum(netNames),
  optimizer: z.enum(optimizerNames),
  /** The options given to createOptimizer (PyTorch names in camelCase); PyTorch's defaults fill the rest. */
  optimizer_options: optionsSchema,
  seed: count(0),
  epochs: count(1),
  /** Train on the first `limit` training images only (null: all); the test set is always whole. */
  limit: count(1).nullable(),
  batch_size: count(1),
  test_batch_size: count(1),
  parameter_layout: z.enum(parameterLayouts),
  // The three fields below came after the first sweep: a run file without them is a run without
  // a scheduler, with weight decay on every parameter, and with one optimizer.
  /** The lr scheduler, or null for a constant lr. */
  scheduler: schedulerConfigSchema.nullable().default(null),
  /** The biases in a param group of their own with weightDecay 0 (needs parameter_layout 'tensors'). */
  no_decay_biases: z.boolean().default(false),
  /** Muon only: the optimizer of every variable that is not a 2-D weight. */
  others: othersConfigSchema.nullable().default(null),
  /** Why this setup (see src/train/setups.ts); prose, not part of the run's identity. */
  setup: z.string(),
});

/** A diverged run's loss is NaN or Infinity, which JSON writes as null: read back as NaN. */
const loss = z
  .number()
  .nullable()
  .transform((value) => value ?? NaN);

export const epochResultSchema = z.object({
  epoch: count(1),
  /** Mean training loss over the epoch's examples (with dropout, as the network was trained). */
  train_loss: loss,
  /** Summed NLL over the test set / its size, as the tutorial's script reports it. */
  test_loss: loss,
  /** Fraction of test images whose arg-max prediction is the label. */
  test_acc: z.number().min(0).max(1),
  /** Wall-clock seconds of the epoch's training (not its evaluation). */
  train_seconds: z.number().min(0),
  /**
   * The first param group's lr at the epoch's last optimizer step (before an epoch scheduler's
   * step), so that a schedule can be plotted from the runs; absent in runs recorded before it.
   */
  lr: z.number().optional(),
});

export const runRecordSchema = z
  .object({
    config: trainConfigSchema,
    /** What ran: 'tensorflow' (libtensorflow via tfjs-node), 'tensorflow-gpu' or 'cpu' (pure JS). */
    backend: z.string(),
    epochs: z.array(epochResultSchema),
  })
  .superRefine((record, context) => {
    record.epochs.forEach((epoch, i) => {
      if (epoch.epoch !== i + 1) context.addIssue({ code: 'custom', path: ['epochs', i, 'epoch'], message: `is ${epoch.epoch}, expected ${i + 1}` });
    });
    if (record.epochs.length > record.config.epochs) {
      context.addIssue({ code: 'custom', path: ['epochs'], message: `holds ${record.epochs.length} epochs, more than config.epochs (${record.config.epochs})` });
    }
  });

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type EpochResult = z.output<typeof epochResultSchema>;
export type SchedulerConfig = z.output<typeof schedulerConfigSchema>;
export type OthersConfig = z.output<typeof othersConfigSchema>;
export type RunRecord = z.output<typeof runRecordSchema>;

/** A run file that is not a run record: the message names the file and the first problems. */
export class RunRecordError extends Error {
  override name = 'RunRecordError';
}

/** `config.net`, `epochs[0].test_acc`: where a problem is, as it would be written in JavaScript. */
function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  return path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined), value);
}

/** Throws a RunRecordError naming `file` and what is wrong unless `value` is a run record. */
export function validateRunRecord(value: unknown, file = 'run record'): RunRecord {
  const result = runRecordSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    const where = issuePath(issue.path);
    if (valueAt(value, issue.path) === undefined) return where ? `has no "${where}"` : 'is empty';
    return `${where || 'the record'}: ${issue.message}`;
  });
  throw new RunRecordError(`${file}: ${problems.join('; ')}`);
}

/** The config fields that make a run what it is (everything but the prose `setup`). */
export const IDENTITY_FIELDS = Object.keys(trainConfigSchema.shape).filter((field) => field !== 'setup') as Array<Exclude<keyof TrainConfig, 'setup'>>;

/** JSON with object keys sorted, so that key order does not matter. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** The fields in which two configs differ, as `field: a -> b` (optimizer options one by one). */
export function configDifferences(a: TrainConfig, b: TrainConfig): string[] {
  const differences: string[] = [];
  for (const field of IDENTITY_FIELDS) {
    if (field === 'optimizer_options') {
      const keys = [...new Set([...Object.keys(a.optimizer_options), ...Object.keys(b.optimizer_options)])].sort();
      for (const key of keys) {
        const [x, y] = [a.optimizer_options[key], b.optimizer_options[key]];
        if (canonicalJson(x) !== canonicalJson(y)) differences.push(`${key}: ${canonicalJson(x) ?? 'unset'} -> ${canonicalJson(y) ?? 'unset'}`);
      }
    } else if (canonicalJson(a[field]) !== canonicalJson(b[field])) {
      differences.push(`${field}: ${canonicalJson(a[field])} -> ${canonicalJson(b[field])}`);
    }
  }
  return differences;
}

/** Whether two configs describe the same run (the same arithmetic; `setup` is only prose). */
export function sameConfig(a: TrainConfig, b: TrainConfig): boolean {
  return configDifferences(a, b).length === 0;
}
