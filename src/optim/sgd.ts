// SGD with momentum, dampening, Nesterov momentum and weight decay, as torch.optim.SGD computes it:
//   g <- grad (negated if maximize) + weightDecay * param
//   b <- g on the first step, else momentum * b + (1 - dampening) * g
//   d <- g + momentum * b if nesterov, else b            (d = g when momentum is 0)
//   param <- param - lr * d
import * as tf from '@tensorflow/tfjs-core';
import { directed, scaled, withL2 } from './gradient';
import { BaseOptions, ParamState, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireLearningRate, requireWeightDecay } from './options';

export interface SGDOptions extends BaseOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export const sgdDefaults: SGDOptions = {
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
};

export function validateSGD(o: SGDOptions): void {
  requireLearningRate(o.lr);
  check(o.momentum >= 0, `Invalid momentum value: ${o.momentum} (it must be >= 0)`);
  requireWeightDecay(o.weightDecay);
  check(
    !o.nesterov || (o.momentum > 0 && o.dampening === 0),
    `Nesterov momentum requires a momentum and zero dampening (got momentum=${o.momentum}, dampening=${o.dampening})`,
  );
}

export const sgdRule: UpdateRule<SGDOptions> = {
  init: (param, o): ParamState => ({
    tensors: o.momentum !== 0 ? { momentumBuffer: tf.zerosLike(param) } : {},
    scalars: {},
  }),
  update: ({ param, grad, state, step, lr, options: o }) => {
    const g = withL2(directed(grad, o.maximize), param, o.weightDecay);
    if (o.momentum === 0) return { param: tf.sub(param, tf.mul(g, lr)) };
    const buffer =
      step === 1 ? g : tf.add(tf.mul(state.tensors.momentumBuffer, o.momentum), scaled(g, 1 - o.dampening));
    const direction = o.nesterov ? tf.add(g, tf.mul(buffer, o.momentum)) : buffer;
    return { param: tf.sub(param, tf.mul(direction, lr)), tensors: { momentumBuffer: buffer } };
  },
};

export class SGD extends TorchOptimizer<SGDOptions> {
  static get className(): string {
    return 'TorchSGD';
  }
  constructor(options?: Partial<SGDOptions>) {
    super('SGD', sgdDefaults, options, validateSGD, sgdRule);
  }
}
