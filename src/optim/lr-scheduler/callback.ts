// Steps a scheduler from tfjs's model.fit: the object this returns is one of fit's `callbacks`
// (tfjs-layers' CustomCallbackArgs shape, so the library needs no tfjs-layers import).
import { check } from '../options';
import type { Scheduler } from './scheduler';
import { ReduceLROnPlateau } from './plateau';

export interface SchedulerCallbackOptions {
  /** Step after every batch (CyclicLR, OneCycleLR, warm-up) or after every epoch (the default). */
  every: 'batch' | 'epoch';
  /**
   * ReduceLROnPlateau's metric, read from fit's logs: 'val_loss' (the default) needs validation
   * data; 'loss' or a metric name ('acc', 'val_acc') works too.
   */
  monitor: string;
}

type Logs = { [key: string]: number | unknown } | undefined;

/** What model.fit calls (tfjs-layers' CustomCallbackArgs, the two hooks used). */
export interface FitCallback {
  onBatchEnd?: (batch: number, logs?: Logs) => Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => Promise<void>;
}

/**
 * A model.fit callback that steps `scheduler` after each batch or epoch, as a PyTorch loop calls
 * `scheduler.step()` after `optimizer.step()`: `model.fit(x, y, {callbacks: [schedulerCallback(s,
 * {every: 'batch'})]})`. ReduceLROnPlateau gets the logged metric named by `monitor`.
 */
export function schedulerCallback(scheduler: Scheduler, options: Partial<SchedulerCallbackOptions> = {}): FitCallback {
  const every = options.every ?? 'epoch';
  const monitor = options.monitor ?? 'val_loss';
  check(every === 'batch' || every === 'epoch', `schedulerCallback: every must be 'batch' or 'epoch', got '${String(every)}'.`);
  const unknown = Object.keys(options).filter((k) => k !== 'every' && k !== 'monitor');
  check(unknown.length === 0, `schedulerCallback has no option ${unknown.map((k) => `'${k}'`).join(', ')}; its options are: every, monitor.`);
  const plateau = scheduler instanceof ReduceLROnPlateau;
  const stepWith = async (logs: Logs) => {
    if (!plateau) return scheduler.step();
    const value = logs?.[monitor];
    check(
      typeof value === 'number',
      `schedulerCallback: ReduceLROnPlateau watches '${monitor}', which fit did not log (it logged: ${Object.keys(logs ?? {}).join(', ') || 'nothing'}). Pass validationData for val_loss, or choose monitor.`,
    );
    scheduler.step(value as number);
  };
  return every === 'batch'
    ? { onBatchEnd: async (_batch, logs) => stepWith(logs) }
    : { onEpochEnd: async (_epoch, logs) => stepWith(logs) };
}
