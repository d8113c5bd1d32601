// Weight averaging, as torch.optim.swa_utils has it: SWALR, the scheduler that anneals every group's
// lr to a constant `swaLr`, and AveragedModel, a running average of a model's variables, either
// equal-weighted (SWA) or exponential (EMA):
//   first update: avg <- p (EMA too);  then SWA: avg <- avg + (p - avg) / (n + 1), n the updates so far;
//   EMA: avg <- lerp(avg, p, 1 - decay).
// `withAveragedWeights` evaluates a model with the averages in its variables, then puts its own back.
import * as tf from '@tensorflow/tfjs-core';
import { check } from './options';
import { LRScheduler, SchedulableOptimizer, perGroup, prepareScheduler, schedulerOptions } from './lr-scheduler/scheduler';

export interface SWALROptions {
  swaLr: number | number[];
  annealEpochs: number;
  annealStrategy: 'cos' | 'linear';
  lastEpoch: number;
}

/**
 * Anneals each group's lr from where it is to `swaLr` over `annealEpochs` steps (cosine or linear),
 * then keeps it there. Each step inverts its formula on the current lr, so it picks up from whatever
 * schedule ran before it.
 */
export class SWALR extends LRScheduler {
  readonly options: SWALROptions;
  private readonly anneal: (t: number) => number;

  constructor(optimizer: SchedulableOptimizer, options: Partial<SWALROptions>) {
    const name = 'SWALR';
    const o = prepareScheduler(
      name,
      optimizer,
      { swaLr: null as number | null, annealEpochs: 10, annealStrategy: 'cos', lastEpoch: -1 },
      options,
      ['swaLr'],
    );
    const swaLrs = perGroup(name, 'swaLr', o.swaLr, optimizer);
    check(
      o.annealStrategy === 'cos' || o.annealStrategy === 'linear',
      `anneal_strategy must by one of 'cos' or 'linear', instead got ${o.annealStrategy}`,
    );
    check(
      Number.isInteger(o.annealEpochs) && o.annealEpochs >= 0,
      `annealEpochs must be equal or greater than 0, got ${o.annealEpochs}`,
    );
    super(name, optimizer, o);
    this.options = o as unknown as SWALROptions;
    optimizer.paramGroups.forEach((group, i) => (group.swaLr = swaLrs[i]));
    this.anneal = o.annealStrategy === 'cos' ? (t) => (1 - Math.cos(Math.PI * t)) / 2 : (t) => t;
    this.start(o.lastEpoch);
  }

  protected computeLr(): number[] {
    const epochs = this.options.annealEpochs;
    let step = this.stepCount - 1;
    if (epochs === 0) step = Math.max(1, step);
    const clamp = (t: number) => Math.max(0, Math.min(1, t));
    const previousAlpha = this.anneal(clamp((step - 1) / Math.max(1, epochs)));
    const alpha = this.anneal(clamp(step / Math.max(1, epochs)));
    return this.optimizer.paramGroups.map((group, i) => {
      const swaLr = group.swaLr as number;
      const lr = this.groupLrs()[i];
      // The lr this anneal started from, recovered from the current one.
      const startLr = previousAlpha === 1 ? swaLr : (lr - previousAlpha * swaLr) / (1 - previousAlpha);
      return swaLr * alpha + startLr * (1 - alpha);
    });
  }
}

export interface AveragedModelOptions {
  /** 'swa' (equal weights, AveragedModel's default) or 'ema' (get_ema_multi_avg_fn(decay)). */
  avgFn: 'swa' | 'ema';
  /** EMA's decay, in [0, 1]. */
  decay: number;
}

/** What `AveragedModel.stateDict()` returns. */
export interface AveragedModelState {
  avgFn: 'swa' | 'ema';
  decay: number;
  nAveraged: number;
  averages: Array<{ name: string; shape: number[]; values: number[] }>;
}

/** A tfjs-layers model, or anything with its `trainableWeights` (each `read()` gives the tf.Variable). */
export interface HasTrainableWeights {
  readonly trainableWeights: ReadonlyArray<{ read(): tf.Tensor }>;
}

/**
 * A running average of variables (torch's AveragedModel with `use_buffers=False`). It keeps its own
 * copy of each, starting from the values at construction.
 */
export class AveragedModel {
  readonly options: AveragedModelOptions;
  /** The variables averaged, in order. */
  readonly variables: readonly tf.Variable[];
  /** How many updates the average holds (torch's `n_averaged`). */
  nAveraged = 0;
  private averages: tf.Variable[];

  constructor(source: readonly tf.Variable[] | HasTrainableWeights, options: Partial<AveragedModelOptions> = {}) {
    const o = schedulerOptions('AveragedModel', { avgFn: 'swa', decay: 0.999 }, options);
    check(o.avgFn === 'swa' || o.avgFn === 'ema', `AveragedModel: avgFn must be 'swa' or 'ema', got '${o.avgFn}'.`);
    check(o.decay >= 0 && o.decay <= 1, `Invalid decay value ${o.decay} provided. Please provide a value in [0,1] range.`);
    const variables = Array.isArray(source) ? (source as tf.Variable[]) : variablesOf(source as HasTrainableWeights);
    check(
      variables.length > 0 && variables.every((v) => v instanceof tf.Variable),
      'AveragedModel needs an array of tf.Variable (or a model with trainableWeights).',
    );
    this.options = o as AveragedModelOptions;
    this.variables = [...variables];
    this.averages = this.variables.map((v) => tf.variable(v, false));
  }

  /** Adds the variables' current values to the average (torch's `update_parameters(model)`). */
  updateParameters(): void {
    tf.tidy(() => {
      this.variables.forEach((p, i) => {
        const avg = this.averages[i];
        if (this.nAveraged === 0) avg.assign(p);
        else if (this.options.avgFn === 'swa') avg.assign(tf.add(avg, tf.div(tf.sub(p, avg), this.nAveraged + 1)));
        else avg.assign(lerp(avg, p, 1 - this.options.decay));
      });
    });
    this.nAveraged += 1;
  }

  /**
   * The averages by variable name. The tensors are the model's own: read them, do not dispose them
   * (they change at the next update and are freed by `dispose()`); clone one to keep it.
   */
  averagedParams(): tf.NamedTensorMap {
    return Object.fromEntries(this.variables.map((v, i) => [v.name, this.averages[i]]));
  }

  /**
   * Runs `fn` with the averaged values in the variables, then restores their own values, even if
   * `fn` throws. For a LayersModel: `await swa.withAveragedWeights(() => model.evaluate(x, y))`.
   * Tensors `fn` returns are computed with the averages; what trains after sees the raw weights.
   */
  async withAveragedWeights<T>(fn: () => T | Promise<T>): Promise<T> {
    const saved = this.variables.map((v) => tf.clone(v));
    this.variables.forEach((v, i) => v.assign(this.averages[i]));
    try {
      return await fn();
    } finally {
      this.variables.forEach((v, i) => v.assign(saved[i]));
      tf.dispose(saved);
    }
  }

  /** Copies the averages into the variables for good (e.g. before saving the final model). */
  copyToVariables(): void {
    this.variables.forEach((v, i) => v.assign(this.averages[i]));
  }

  /** The average and its count as plain JSON (float32 values round-trip exactly), for `loadStateDict`. */
  stateDict(): AveragedModelState {
    return {
      avgFn: this.options.avgFn,
      decay: this.options.decay,
      nAveraged: this.nAveraged,
      averages: this.variables.map((v, i) => ({ name: v.name, shape: [...v.shape], values: Array.from(this.averages[i].dataSync()) })),
    };
  }

  /** Restores a state from `stateDict()` into a model over variables of the same shapes, in order. */
  loadStateDict(saved: AveragedModelState): void {
    check(
      saved != null && saved.avgFn === this.options.avgFn && saved.decay === this.options.decay,
      `AveragedModel.loadStateDict: the state averages with ${saved?.avgFn} (decay ${saved?.decay}), this model with ${this.options.avgFn} (decay ${this.options.decay}).`,
    );
    check(
      Array.isArray(saved.averages) && saved.averages.length === this.variables.length,
      `AveragedModel.loadStateDict: the state holds ${saved.averages?.length ?? 0} averages, this model has ${this.variables.length} variables.`,
    );
    saved.averages.forEach((a, i) => {
      const shape = this.variables[i].shape;
      check(
        JSON.stringify(a.shape) === JSON.stringify(shape) && a.values.length === this.averages[i].size,
        `AveragedModel.loadStateDict: average ${i} ('${a.name}') has shape [${a.shape}], the variable has [${shape}].`,
      );
    });
    saved.averages.forEach((a, i) => tf.tidy(() => this.averages[i].assign(tf.tensor(a.values, a.shape, 'float32'))));
    this.nAveraged = saved.nAveraged;
  }

  dispose(): void {
    tf.dispose(this.averages);
    this.averages = [];
  }
}

/** torch's lerp: start + w(end - start) for w < 0.5, else end - (end - start)(1 - w). */
function lerp(start: tf.Tensor, end: tf.Tensor, weight: number): tf.Tensor {
  const diff = tf.sub(end, start);
  return weight < 0.5 ? tf.add(start, tf.mul(diff, weight)) : tf.sub(end, tf.mul(diff, 1 - weight));
}

function variablesOf(model: HasTrainableWeights): tf.Variable[] {
  check(model != null && Array.isArray(model.trainableWeights), 'AveragedModel needs an array of tf.Variable or a model with trainableWeights.');
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * torch.optim.swa_utils.AveragedModel over `variables` (or a LayersModel's trainable weights):
 * `createAveragedModel(vars, {avgFn: 'ema', decay: 0.99})`.
 */
export function createAveragedModel(
  variables: readonly tf.Variable[] | HasTrainableWeights,
  options: Partial<AveragedModelOptions> = {},
): AveragedModel {
  return new AveragedModel(variables, options);
}
