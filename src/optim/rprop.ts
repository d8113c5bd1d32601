// Resilient backpropagation, as torch.optim.Rprop computes it. Each element has its own step size,
// which starts at lr (the lr in force at the first step) and then follows the sign of g * prev:
//   g <- grad (negated if maximize)
//   factor <- etaplus where g * prev > 0, etaminus where < 0, 1 where = 0 (always at the first step)
//   stepSize <- clamp(stepSize * factor, stepSizes[0], stepSizes[1])
//   g <- 0 where the sign flipped (g * prev < 0): no move there, and no flip counted next step
//   param <- param - sign(g) * stepSize;  prev <- g
import * as tf from '@tensorflow/tfjs-core';
import { directed } from './gradient';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireLearningRate } from './options';

export interface RpropOptions extends BaseOptions {
  lr: number;
  etas: readonly [number, number];
  stepSizes: readonly [number, number];
  maximize: boolean;
}

export const rpropDefaults: RpropOptions = {
  lr: 1e-2,
  etas: [0.5, 1.2],
  stepSizes: [1e-6, 50],
  maximize: false,
};

export function validateRprop(o: RpropOptions): void {
  requireLearningRate(o.lr);
  const [etaminus, etaplus] = o.etas;
  check(
    etaminus > 0 && etaminus < 1 && etaplus > 1,
    `Invalid eta values: ${etaminus}, ${etaplus} (they must satisfy 0 < etaminus < 1 < etaplus)`,
  );
  // PyTorch does not check step sizes; min > max cannot clamp, and a negative bound reverses steps.
  const [min, max] = o.stepSizes;
  check(min >= 0 && min <= max, `Invalid step_sizes values: ${min}, ${max} (they must satisfy 0 <= min <= max)`);
}

export const rpropRule: UpdateRule<RpropOptions> = {
  init: (param, o) => ({
    tensors: { prev: tf.zerosLike(param), stepSize: tf.fill(param.shape, o.lr, 'float32') },
    scalars: {},
  }),
  update: ({ param, grad, state, step, lr, options: o }) => {
    const [etaminus, etaplus] = o.etas;
    const [min, max] = o.stepSizes;
    const g = directed(grad, o.maximize);
    // PyTorch creates the state at the first step, so step sizes start at the lr in force then.
    const previousStepSize = step === 1 ? tf.fill(param.shape, lr, 'float32') : state.tensors.stepSize;
    const agreement = tf.mul(g, state.tensors.prev);
    const flipped = tf.less(agreement, 0);
    const factor = tf.where(
      tf.greater(agreement, 0),
      tf.scalar(etaplus),
      // NaN (inf * 0) stays NaN as in PyTorch, where no comparison replaces it.
      tf.where(flipped, tf.scalar(etaminus), tf.where(tf.isNaN(agreement), agreement, tf.onesLike(agreement))),
    );
    const stepSize = tf.clipByValue(tf.mul(previousStepSize, factor), min, max);
    const kept = tf.where(flipped, tf.zerosLike(g), g);
    return { param: tf.sub(param, tf.mul(tf.sign(kept), stepSize)), tensors: { prev: kept, stepSize } };
  },
};

export class Rprop extends TorchOptimizer<RpropOptions> {
  static get className(): string {
    return 'TorchRprop';
  }
  constructor(options?: Partial<RpropOptions>) {
    super('Rprop', rpropDefaults, options, validateRprop, rpropRule);
  }
}
