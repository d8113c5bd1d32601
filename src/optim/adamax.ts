// Adamax (Adam with the infinity norm) with weight decay, as torch.optim.Adamax computes it:
//   g <- grad (negated if maximize) + weightDecay * param
//   expAvg <- beta1 * expAvg + (1 - beta1) * g
//   expInf <- max(beta2 * expInf, |g| + eps)
//   param <- param - lr / (1 - beta1^step) * expAvg / expInf
import * as tf from '@tensorflow/tfjs-core';
import { directed, withL2 } from './gradient';
import { movingAverage } from './moving-average';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { requireBetas, requireEpsilon, requireLearningRate, requireWeightDecay } from './options';

export interface AdamaxOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

export const adamaxDefaults: AdamaxOptions = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
};

export function validateAdamax(o: AdamaxOptions): void {
  requireLearningRate(o.lr);
  requireEpsilon(o.eps);
  requireBetas(o.betas);
  requireWeightDecay(o.weightDecay);
}

export const adamaxRule: UpdateRule<AdamaxOptions> = {
  init: (param) => ({ tensors: { expAvg: tf.zerosLike(param), expInf: tf.zerosLike(param) }, scalars: {} }),
  update: ({ param, grad, state, step, lr, options: o }) => {
    const [beta1, beta2] = o.betas;
    const g = withL2(directed(grad, o.maximize), param, o.weightDecay);
    const expAvg = movingAverage(state.tensors.expAvg, g, beta1);
    const expInf = tf.maximum(tf.mul(state.tensors.expInf, beta2), tf.add(tf.abs(g), o.eps));
    const clr = lr / (1 - beta1 ** step);
    // PyTorch's addcdiv order: (clr * expAvg) / expInf.
    return { param: tf.sub(param, tf.div(tf.mul(expAvg, clr), expInf)), tensors: { expAvg, expInf } };
  },
};

export class Adamax extends TorchOptimizer<AdamaxOptions> {
  static get className(): string {
    return 'TorchAdamax';
  }
  constructor(options?: Partial<AdamaxOptions>) {
    super('Adamax', adamaxDefaults, options, validateAdamax, adamaxRule);
  }
}
