// SparseAdam: Adam for gradients that touch only some rows of a parameter (an embedding's), as
// torch.optim.SparseAdam computes it. tfjs gradients are dense, so a row (a slice along the first
// axis; an element of a 1-D parameter) whose gradient is entirely zero counts as absent from the
// sparse gradient. Absent rows keep their moments and their parameter values; present rows get:
//   g <- grad (negated if maximize)
//   m <- m + (1 - beta1) * (g - m);   v <- v + (1 - beta2) * (g^2 - v)
//   param <- param - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)
// where t counts the steps of the whole parameter tensor (PyTorch's state['step']), not of the row.
import * as tf from '@tensorflow/tfjs-core';
import { directed } from './gradient';
import { biasCorrection, zeroMoments } from './adam';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireBetas } from './options';

export interface SparseAdamOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  maximize: boolean;
}

export const sparseAdamDefaults: SparseAdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  maximize: false,
};

export function validateSparseAdam(o: SparseAdamOptions): void {
  // SparseAdam, unlike Adam, refuses a zero learning rate and a zero epsilon.
  check(o.lr > 0, `Invalid learning rate: ${o.lr} (it must be > 0)`);
  check(o.eps > 0, `Invalid epsilon value: ${o.eps} (it must be > 0)`);
  requireBetas(o.betas);
}

/**
 * 1 for each row of `grad` with a non-zero entry, 0 for each all-zero row, shaped to broadcast
 * over the parameter: [rows, 1, ..., 1] (for a scalar or a 1-D parameter, each element is a row).
 */
export function presentRows(grad: tf.Tensor): tf.Tensor {
  if (grad.rank <= 1) return tf.cast(tf.notEqual(grad, 0), 'float32');
  // A row has a non-zero entry when its largest or its smallest entry is non-zero: two reductions
  // straight over the gradient, cheaper than a full-size comparison followed by any().
  const rowAxes = Array.from({ length: grad.rank - 1 }, (_, i) => i + 1);
  const nonZero = (extreme: tf.Tensor) => tf.notEqual(extreme, 0);
  return tf.cast(tf.logicalOr(nonZero(tf.max(grad, rowAxes, true)), nonZero(tf.min(grad, rowAxes, true))), 'float32');
}

export const sparseAdamRule: UpdateRule<SparseAdamOptions> = {
  init: (param) => ({ tensors: zeroMoments(param), scalars: {} }),
  update: ({ param, grad: rawGrad, state, step, lr, options: o }) => {
    const [beta1, beta2] = o.betas;
    const grad = directed(rawGrad, o.maximize);
    const present = presentRows(rawGrad);
    // Multiplying by a row mask folded into the scalar factors leaves absent rows exactly as they were.
    const masked = (factor: number) => tf.mul(present, factor);
    const { expAvg: oldExpAvg, expAvgSq: oldExpAvgSq } = state.tensors;
    const expAvg = tf.add(oldExpAvg, tf.mul(tf.sub(grad, oldExpAvg), masked(1 - beta1)));
    const expAvgSq = tf.add(oldExpAvgSq, tf.mul(tf.sub(tf.square(grad), oldExpAvgSq), masked(1 - beta2)));

    const stepSize = (lr * Math.sqrt(biasCorrection(beta2, step))) / biasCorrection(beta1, step);
    const denom = tf.add(tf.sqrt(expAvgSq), o.eps);
    const update = tf.mul(tf.div(expAvg, denom), masked(-stepSize));
    return { param: tf.add(param, update), tensors: { expAvg, expAvgSq } };
  },
};

export class SparseAdam extends TorchOptimizer<SparseAdamOptions> {
  static get className(): string {
    return 'TorchSparseAdam';
  }
  constructor(options?: Partial<SparseAdamOptions>) {
    super('SparseAdam', sparseAdamDefaults, options, validateSparseAdam, sparseAdamRule);
  }
}
