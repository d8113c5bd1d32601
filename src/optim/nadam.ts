// NAdam (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule, as torch.optim.NAdam
// computes it on CPU:
//   g <- grad (negated if maximize), weight decay as Adam's (L2 or decoupled)
//   mu_t <- beta1 * (1 - 0.5 * 0.96^(t * momentumDecay))       (and mu_{t+1} likewise)
//   muProduct <- muProduct * mu_t                                (PyTorch keeps it in float32)
//   m, v <- Adam's moments;  denom <- sqrt(v / (1 - beta2^t)) + eps
//   param <- param - lr * (1 - mu_t) / (1 - muProduct) * g / denom
//                  - lr * mu_{t+1} / (1 - muProduct * mu_{t+1}) * m / denom
import * as tf from '@tensorflow/tfjs-core';
import { directed } from './gradient';
import { biasCorrection, validateAdam, withWeightDecay, zeroMoments } from './adam';
import { movingAverage, movingAverageOfSquares } from './moving-average';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check } from './options';

export interface NAdamOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  /** How fast the momentum coefficient mu_t grows toward beta1 (PyTorch's momentum_decay, psi). */
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

export const nadamDefaults: NAdamOptions = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  decoupledWeightDecay: false,
  maximize: false,
};

export function validateNAdam(o: NAdamOptions): void {
  validateAdam({ ...o, amsgrad: false });
  check(o.momentumDecay >= 0, `Invalid momentum_decay value: ${o.momentumDecay} (it must be >= 0)`);
}

/** The momentum coefficient mu_t of NAdam's schedule. */
function momentumAt(beta1: number, momentumDecay: number, step: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
}

export const nadamRule: UpdateRule<NAdamOptions> = {
  init: (param) => ({ tensors: zeroMoments(param), scalars: { muProduct: 1 } }),
  update: ({ param: rawParam, grad: rawGrad, state, step, lr, options: o }) => {
    const [beta1, beta2] = o.betas;
    const { param, grad } = withWeightDecay(rawParam, directed(rawGrad, o.maximize), lr, o.weightDecay, o.decoupledWeightDecay);
    const mu = momentumAt(beta1, o.momentumDecay, step);
    const muNext = momentumAt(beta1, o.momentumDecay, step + 1);
    // PyTorch's mu_product is a float32 tensor multiplied by mu in float32; the next product is float64.
    const muProduct = Math.fround(state.scalars.muProduct * Math.fround(mu));
    const muProductNext = muProduct * muNext;

    const expAvg = movingAverage(state.tensors.expAvg, grad, beta1);
    const expAvgSq = movingAverageOfSquares(state.tensors.expAvgSq, grad, beta2);
    const denom = tf.add(tf.sqrt(tf.div(expAvgSq, biasCorrection(beta2, step))), o.eps);
    const gradStep = tf.div(tf.mul(grad, (-lr * (1 - mu)) / (1 - muProduct)), denom);
    const momentumStep = tf.div(tf.mul(expAvg, (-lr * muNext) / (1 - muProductNext)), denom);
    return {
      param: tf.add(tf.add(param, gradStep), momentumStep),
      tensors: { expAvg, expAvgSq },
      scalars: { muProduct },
    };
  },
};

export class NAdam extends TorchOptimizer<NAdamOptions> {
  static get className(): string {
    return 'TorchNAdam';
  }
  constructor(options?: Partial<NAdamOptions>) {
    super('NAdam', nadamDefaults, options, validateNAdam, nadamRule);
  }
}
