// Averaged SGD, as torch.optim.ASGD computes it (single-tensor path). Per parameter it keeps a step
// size eta and an averaging weight mu (float32 scalars in PyTorch, float32-rounded here) and the
// running average ax:
//   g <- grad (negated if maximize) + weightDecay * param
//   param <- param * (1 - lambd * eta) - eta * g
//   ax <- param while mu = 1, else ax + mu * (param - ax)
//   eta <- lr / (1 + lambd * lr * step)^alpha;  mu <- 1 / max(1, step - t0)   (used by the next step)
// eta starts at lr and mu at 1, so averaging begins once step - t0 exceeds 1.
import * as tf from '@tensorflow/tfjs-core';
import { directed, withL2 } from './gradient';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireLearningRate, requireWeightDecay } from './options';

export interface ASGDOptions extends BaseOptions {
  lr: number;
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

export const asgdDefaults: ASGDOptions = {
  lr: 1e-2,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  maximize: false,
};

/** PyTorch checks only lr and weight decay; alpha and t0 are taken as given. */
export function validateASGD(o: ASGDOptions): void {
  requireLearningRate(o.lr);
  requireWeightDecay(o.weightDecay);
  // PyTorch takes any lambd, but a negative one brings 1 + lambd * lr * step to 0 and below once
  // step reaches 1 / (|lambd| lr): eta becomes infinite or NaN, and so do the parameters.
  check(
    o.lambd >= 0,
    `Invalid lambd value: ${o.lambd} (it must be >= 0; PyTorch takes a negative lambd, which makes eta = lr / (1 + lambd * lr * step)^alpha infinite or NaN once step reaches 1 / (|lambd| * lr))`,
  );
}

export const asgdRule: UpdateRule<ASGDOptions> = {
  init: (param, o) => ({ tensors: { ax: tf.zerosLike(param) }, scalars: { eta: Math.fround(o.lr), mu: 1 } }),
  update: ({ param, grad, state, step, lr, options: o }) => {
    // PyTorch creates the state at the first step, so eta starts at the lr in force then.
    const eta = step === 1 ? Math.fround(lr) : state.scalars.eta;
    const mu = state.scalars.mu;
    const g = withL2(directed(grad, o.maximize), param, o.weightDecay);
    const updated = tf.sub(tf.mul(param, 1 - o.lambd * eta), tf.mul(g, eta));
    const ax = mu === 1 ? updated : tf.add(state.tensors.ax, tf.mul(tf.sub(updated, state.tensors.ax), mu));
    return {
      param: updated,
      tensors: { ax },
      scalars: {
        eta: Math.fround(lr / (1 + o.lambd * lr * step) ** o.alpha),
        mu: Math.fround(1 / Math.max(1, step - o.t0)),
      },
    };
  },
};

export class ASGD extends TorchOptimizer<ASGDOptions> {
  static get className(): string {
    return 'TorchASGD';
  }
  constructor(options?: Partial<ASGDOptions>) {
    super('ASGD', asgdDefaults, options, validateASGD, asgdRule);
  }

  /**
   * PyTorch's `state['ax']`, the averaged parameters, by variable name, for every variable that has
   * taken a step. The tensors are the optimizer's own state: read them, do not dispose them (they
   * change at the next step and are freed by `dispose()`); clone one to keep it.
   */
  averagedParams(): tf.NamedTensorMap {
    const averaged: tf.NamedTensorMap = {};
    for (const name of this.statefulVariableNames) averaged[name] = this.stateFor(name)!.tensors.ax;
    return averaged;
  }
}
