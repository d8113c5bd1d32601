// RMSprop with momentum, the centered variant and weight decay, as torch.optim.RMSprop computes it:
//   g <- grad (negated if maximize) + weightDecay * param
//   squareAvg <- alpha * squareAvg + (1 - alpha) * g²
//   gradAvg <- alpha * gradAvg + (1 - alpha) * g                  (centered only)
//   avg <- sqrt(squareAvg - gradAvg²) + eps if centered, else sqrt(squareAvg) + eps
//   buf <- momentum * buf + g / avg; param <- param - lr * buf    (momentum > 0; buf starts at 0)
//   param <- param - lr * g / avg                                 (momentum = 0)
import * as tf from '@tensorflow/tfjs-core';
import { directed, withL2 } from './gradient';
import { movingAverage, movingAverageOfSquares } from './moving-average';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireEpsilon, requireLearningRate, requireWeightDecay } from './options';

export interface RMSpropOptions extends BaseOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export const rmspropDefaults: RMSpropOptions = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

export function validateRMSprop(o: RMSpropOptions): void {
  requireLearningRate(o.lr);
  requireEpsilon(o.eps);
  check(o.momentum >= 0, `Invalid momentum value: ${o.momentum} (it must be >= 0)`);
  requireWeightDecay(o.weightDecay);
  // PyTorch checks only alpha >= 0, but alpha > 1 makes the first square average (1 - alpha) g²
  // negative, and every step NaN: refused here.
  check(
    o.alpha >= 0 && o.alpha <= 1,
    `Invalid alpha value: ${o.alpha} (it must be in [0, 1]; PyTorch takes alpha > 1, which makes the square average negative and the step NaN)`,
  );
}

export const rmspropRule: UpdateRule<RMSpropOptions> = {
  init: (param, o) => {
    const tensors: Record<string, tf.Tensor> = { squareAvg: tf.zerosLike(param) };
    if (o.momentum > 0) tensors.momentumBuffer = tf.zerosLike(param);
    if (o.centered) tensors.gradAvg = tf.zerosLike(param);
    return { tensors, scalars: {} };
  },
  update: ({ param, grad, state, lr, options: o }) => {
    const g = withL2(directed(grad, o.maximize), param, o.weightDecay);
    const squareAvg = movingAverageOfSquares(state.tensors.squareAvg, g, o.alpha);
    const tensors: Record<string, tf.Tensor> = { squareAvg };
    let variance = squareAvg;
    if (o.centered) {
      const gradAvg = movingAverage(state.tensors.gradAvg, g, o.alpha);
      variance = tf.sub(squareAvg, tf.mul(gradAvg, gradAvg));
      tensors.gradAvg = gradAvg;
    }
    const avg = tf.add(tf.sqrt(variance), o.eps);
    if (o.momentum > 0) {
      const buffer = tf.add(tf.mul(state.tensors.momentumBuffer, o.momentum), tf.div(g, avg));
      tensors.momentumBuffer = buffer;
      return { param: tf.sub(param, tf.mul(buffer, lr)), tensors };
    }
    // PyTorch's addcdiv order: (lr * g) / avg.
    return { param: tf.sub(param, tf.div(tf.mul(g, lr), avg)), tensors };
  },
};

export class RMSprop extends TorchOptimizer<RMSpropOptions> {
  static get className(): string {
    return 'TorchRMSprop';
  }
  constructor(options?: Partial<RMSpropOptions>) {
    super('RMSprop', rmspropDefaults, options, validateRMSprop, rmspropRule);
  }
}
