// RAdam (Liu et al., 2020): Adam whose adaptive step is switched on only once the variance of the
// adaptive learning rate is tractable, and then rectified; as torch.optim.RAdam computes it on CPU:
//   g <- grad (negated if maximize), weight decay as Adam's (L2 or decoupled)
//   m, v <- Adam's moments;  mHat <- m / (1 - beta1^t)
//   rhoInf <- 2 / (1 - beta2) - 1;  rho_t <- rhoInf - 2 t beta2^t / (1 - beta2^t)
//   rho_t > 5:  r <- sqrt((rho_t - 4)(rho_t - 2) rhoInf / ((rhoInf - 4)(rhoInf - 2) rho_t))
//               param <- param - mHat * lr * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
//   otherwise:  param <- param - mHat * lr           (plain momentum SGD while rho_t is small)
import * as tf from '@tensorflow/tfjs-core';
import { directed } from './gradient';
import { biasCorrection, validateAdam, withWeightDecay, zeroMoments } from './adam';
import { movingAverage, movingAverageOfSquares } from './moving-average';
import { BaseOptions, TorchOptimizer, UpdateRule } from './torch-optimizer';

export interface RAdamOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

export const radamDefaults: RAdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
};

export function validateRAdam(o: RAdamOptions): void {
  validateAdam({ ...o, amsgrad: false });
}

/** The length of the approximated simple moving average at `step`, and its limit. */
export function smaLength(beta2: number, step: number): { rhoT: number; rhoInf: number } {
  const rhoInf = 2 / (1 - beta2) - 1;
  return { rhoInf, rhoT: rhoInf - (2 * step * beta2 ** step) / biasCorrection(beta2, step) };
}

/** RAdam rectifies the adaptive step only where rho_t > 5 (PyTorch's threshold). */
export const RECTIFY_ABOVE = 5;

export const radamRule: UpdateRule<RAdamOptions> = {
  init: (param) => ({ tensors: zeroMoments(param), scalars: {} }),
  update: ({ param: rawParam, grad: rawGrad, state, step, lr, options: o }) => {
    const [beta1, beta2] = o.betas;
    const { param, grad } = withWeightDecay(rawParam, directed(rawGrad, o.maximize), lr, o.weightDecay, o.decoupledWeightDecay);
    const expAvg = movingAverage(state.tensors.expAvg, grad, beta1);
    const expAvgSq = movingAverageOfSquares(state.tensors.expAvgSq, grad, beta2);
    const tensors = { expAvg, expAvgSq };

    const momentumStep = tf.mul(tf.div(expAvg, biasCorrection(beta1, step)), lr);
    const { rhoT, rhoInf } = smaLength(beta2, step);
    if (!(rhoT > RECTIFY_ABOVE)) return { param: tf.sub(param, momentumStep), tensors };

    const rectification = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    // PyTorch writes the adaptive lr as float / tensor, which it computes as reciprocal(tensor) * float.
    const adaptiveLr = tf.mul(tf.reciprocal(tf.add(tf.sqrt(expAvgSq), o.eps)), Math.sqrt(biasCorrection(beta2, step)));
    return { param: tf.sub(param, tf.mul(tf.mul(momentumStep, adaptiveLr), rectification)), tensors };
  },
};

export class RAdam extends TorchOptimizer<RAdamOptions> {
  static get className(): string {
    return 'TorchRAdam';
  }
  constructor(options?: Partial<RAdamOptions>) {
    super('RAdam', radamDefaults, options, validateRAdam, radamRule);
  }
}
