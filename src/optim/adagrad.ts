// Adagrad with learning-rate decay, weight decay and an initial accumulator, as torch.optim.Adagrad
// computes it (dense gradients):
//   g <- grad (negated if maximize) + weightDecay * param
//   clr <- lr / (1 + (step - 1) * lrDecay)
//   sum <- sum + g²                                  (sum starts at initialAccumulatorValue)
//   param <- param - clr * g / (sqrt(sum) + eps)
import * as tf from '@tensorflow/tfjs-core';
import { directed, withL2 } from './gradient';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireEpsilon, requireLearningRate, requireWeightDecay } from './options';

export interface AdagradOptions extends BaseOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export const adagradDefaults: AdagradOptions = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

export function validateAdagrad(o: AdagradOptions): void {
  requireLearningRate(o.lr);
  check(o.lrDecay >= 0, `Invalid lr_decay value: ${o.lrDecay} (it must be >= 0)`);
  requireWeightDecay(o.weightDecay);
  check(
    o.initialAccumulatorValue >= 0,
    `Invalid initial_accumulator_value value: ${o.initialAccumulatorValue} (it must be >= 0)`,
  );
  requireEpsilon(o.eps);
}

export const adagradRule: UpdateRule<AdagradOptions> = {
  init: (param, o) => ({ tensors: { sum: tf.fill(param.shape, o.initialAccumulatorValue, 'float32') }, scalars: {} }),
  update: ({ param, grad, state, step, lr, options: o }) => {
    const g = withL2(directed(grad, o.maximize), param, o.weightDecay);
    const clr = lr / (1 + (step - 1) * o.lrDecay);
    const sum = tf.add(state.tensors.sum, tf.mul(g, g));
    const std = tf.add(tf.sqrt(sum), o.eps);
    // PyTorch's addcdiv order: (clr * g) / std.
    return { param: tf.sub(param, tf.div(tf.mul(g, clr), std)), tensors: { sum } };
  },
};

export class Adagrad extends TorchOptimizer<AdagradOptions> {
  static get className(): string {
    return 'TorchAdagrad';
  }
  constructor(options?: Partial<AdagradOptions>) {
    super('Adagrad', adagradDefaults, options, validateAdagrad, adagradRule);
  }
}
