// Adadelta with weight decay, as torch.optim.Adadelta computes it:
//   g <- grad (negated if maximize) + weightDecay * param
//   squareAvg <- rho * squareAvg + (1 - rho) * g²
//   delta <- sqrt(accDelta + eps) / sqrt(squareAvg + eps) * g
//   accDelta <- rho * accDelta + (1 - rho) * delta²
//   param <- param - lr * delta
import * as tf from '@tensorflow/tfjs-core';
import { directed, scaled, withL2 } from './gradient';
import { movingAverageOfSquares } from './moving-average';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireEpsilon, requireLearningRate, requireWeightDecay } from './options';

export interface AdadeltaOptions extends BaseOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

export const adadeltaDefaults: AdadeltaOptions = {
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
};

export function validateAdadelta(o: AdadeltaOptions): void {
  requireLearningRate(o.lr);
  check(o.rho >= 0 && o.rho <= 1, `Invalid rho value: ${o.rho} (it must be in [0, 1])`);
  requireEpsilon(o.eps);
  requireWeightDecay(o.weightDecay);
}

export const adadeltaRule: UpdateRule<AdadeltaOptions> = {
  init: (param) => ({ tensors: { squareAvg: tf.zerosLike(param), accDelta: tf.zerosLike(param) }, scalars: {} }),
  update: ({ param, grad, state, lr, options: o }) => {
    const g = withL2(directed(grad, o.maximize), param, o.weightDecay);
    const squareAvg = movingAverageOfSquares(state.tensors.squareAvg, g, o.rho);
    const std = tf.sqrt(tf.add(squareAvg, o.eps));
    const delta = tf.mul(tf.div(tf.sqrt(tf.add(state.tensors.accDelta, o.eps)), std), g);
    const accDelta = movingAverageOfSquares(state.tensors.accDelta, delta, o.rho);
    return { param: tf.sub(param, scaled(delta, lr)), tensors: { squareAvg, accDelta } };
  },
};

export class Adadelta extends TorchOptimizer<AdadeltaOptions> {
  static get className(): string {
    return 'TorchAdadelta';
  }
  constructor(options?: Partial<AdadeltaOptions>) {
    super('Adadelta', adadeltaDefaults, options, validateAdadelta, adadeltaRule);
  }
}
