// Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms", arXiv:2302.06675).
// torch.optim has no Lion; the reference is lion-pytorch's `Lion` (PyPI `lion-pytorch`, its
// PyTorch update, not the Triton kernel), computed here in its float32 order:
//   param <- param * (1 - lr * wd)      wd = weightDecay, or weightDecay / lr0 with decoupledWeightDecay
//   param <- param - lr * sign(beta1 * m + (1 - beta1) * g)
//   m <- beta2 * m + (1 - beta2) * g
// lr0 is the learning rate given to the constructor, so with decoupledWeightDecay a schedule that
// lowers lr lowers the decay in proportion (lr/lr0 * weightDecay per step: AdamW-style decay).
// Every element moves by exactly lr (the sign), so Lion wants a learning rate 3-10x below AdamW's,
// and a weight decay as much larger.
import * as tf from '@tensorflow/tfjs-core';
import { decayed } from './gradient';
import { check, requireWeightDecay } from './options';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';

export interface LionOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  weightDecay: number;
  /** Divide weightDecay by the constructor's lr (lion-pytorch's decoupled_weight_decay). */
  decoupledWeightDecay: boolean;
}

export const lionDefaults: LionOptions = {
  lr: 1e-4,
  betas: [0.9, 0.99],
  weightDecay: 0,
  decoupledWeightDecay: false,
};

/** lion-pytorch asserts lr > 0 (it divides by it) and betas in [0, 1]; weight decay is checked as torch.optim does. */
export function validateLion(o: LionOptions): void {
  check(o.lr > 0, `Invalid learning rate: ${o.lr} (Lion's must be > 0)`);
  o.betas.forEach((beta, i) =>
    check(beta >= 0 && beta <= 1, `Invalid beta parameter at index ${i}: ${beta} (it must be in [0, 1])`),
  );
  requireWeightDecay(o.weightDecay);
}

/** Lion's rule; `initialLr` is the constructor's lr, which decoupled weight decay divides by. */
export function lionRule(initialLr: number): UpdateRule<LionOptions> {
  return {
    init: (param) => ({ tensors: { expAvg: tf.zerosLike(param) }, scalars: {} }),
    update: ({ param, grad, state, lr, options: o }) => {
      const [beta1, beta2] = o.betas;
      const expAvg = state.tensors.expAvg;
      const weightDecay = o.decoupledWeightDecay ? o.weightDecay / initialLr : o.weightDecay;
      const shrunk = decayed(param, lr, weightDecay);
      const direction = tf.sign(tf.add(tf.mul(expAvg, beta1), tf.mul(grad, 1 - beta1)));
      return {
        param: tf.add(shrunk, tf.mul(direction, -lr)),
        tensors: { expAvg: tf.add(tf.mul(expAvg, beta2), tf.mul(grad, 1 - beta2)) },
      };
    },
  };
}

export class Lion extends TorchOptimizer<LionOptions> {
  static get className(): string {
    return 'TorchLion';
  }
  constructor(options?: Partial<LionOptions>) {
    // A bad lr is refused by the base constructor before the rule is ever used.
    super('Lion', lionDefaults, options, validateLion, lionRule(options?.lr ?? lionDefaults.lr));
  }
}
