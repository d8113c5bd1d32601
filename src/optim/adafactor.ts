// Adafactor (Shazeer & Stern, 2018) as torch.optim.Adafactor (2.13) computes it. A parameter of 2 or
// more dimensions keeps only row and column statistics of g² over its last two dimensions (the
// memory saving); vectors and scalars keep g² in full:
//   g <- grad (negated if maximize);  1 - beta2_t = t^beta2Decay  (so step 1 keeps g² whole)
//   rho <- min(lr, 1 / sqrt(t));  alpha <- max(eps2, RMS(param)) * rho   (RMS before the decay)
//   param <- param * (1 - lr * weightDecay)
//   factored: R <- lerp(R, mean of g² over the last dim), C <- lerp(C, mean over the one before)
//             v <- R * C / max(mean of R over its rows, eps1)     (the mean, not the docstring's sum)
//   full:     v <- lerp(v, g², 1 - beta2_t)
//   U <- g / sqrt(max(v, eps1²));  param <- param - alpha * U / max(1, RMS(U) / d)
// eps1 = null is float32's machine epsilon. The two RMS values are read to the host, as PyTorch's
// `.item()` reads them, and the step sizes computed in float64.
import * as tf from '@tensorflow/tfjs-core';
import { decayed, directed } from './gradient';
import { lerp } from './moving-average';
import { BaseOptions, ParamState, TorchOptimizer, UpdateRule } from './torch-optimizer';
import { check, requireLearningRate } from './options';

export interface AdafactorOptions extends BaseOptions {
  /** The cap on the relative step size, and the weight decay's scale (not a step size itself). */
  lr: number;
  beta2Decay: number;
  /** [eps1, eps2]: eps1 guards the second moment (null: float32's epsilon), eps2 the parameter scale. */
  eps: readonly [number | null, number];
  /** The update-clipping threshold on RMS(U). */
  d: number;
  weightDecay: number;
  maximize: boolean;
}

export const adafactorDefaults: AdafactorOptions = {
  lr: 1e-2,
  beta2Decay: -0.8,
  eps: [null, 1e-3],
  d: 1.0,
  weightDecay: 0.0,
  maximize: false,
};

/** torch.finfo(torch.float32).eps: what eps1 = null stands for. */
export const FLOAT32_EPSILON = 2 ** -23;

export function validateAdafactor(o: AdafactorOptions): void {
  requireLearningRate(o.lr);
  const [eps1, eps2] = o.eps;
  check(o.beta2Decay <= 0, `beta2_decay should be <= 0 but is: ${o.beta2Decay}`);
  check(eps1 === null || eps1 >= 0, `epsilon1 should be >= 0 but is: ${eps1}`);
  check(eps2 >= 0, `epsilon2 should be >= 0 but is: ${eps2}`);
  check(o.d >= 1, `Clipping threshold d should be >= 1 but is: ${o.d}`);
  check(o.weightDecay >= 0, `weight_decay should be >= 0 but is: ${o.weightDecay}`);
}

/** Whether a parameter's second moment is factored (2 or more dimensions), as in PyTorch. */
export function isFactored(param: tf.Tensor): boolean {
  return param.rank > 1;
}

/** sqrt(mean(x²)), read to the host: PyTorch's `x.norm(2).item() / x.numel() ** 0.5`. */
function rootMeanSquare(x: tf.Tensor): number {
  return tf.norm(x).dataSync()[0] / Math.sqrt(x.size);
}

export const adafactorRule: UpdateRule<AdafactorOptions> = {
  init: (param): ParamState => {
    if (!isFactored(param)) return { tensors: { variance: tf.zerosLike(param) }, scalars: {} };
    const rowShape = [...param.shape.slice(0, -1), 1];
    const colShape = [...param.shape.slice(0, -2), 1, param.shape[param.rank - 1]];
    return { tensors: { rowVar: tf.zeros(rowShape), colVar: tf.zeros(colShape) }, scalars: {} };
  },
  update: ({ param: before, grad, state, step, lr, options: o }) => {
    const eps1 = o.eps[0] ?? FLOAT32_EPSILON;
    const eps2 = o.eps[1];
    const g = directed(grad, o.maximize);
    const oneMinusBeta2 = step ** o.beta2Decay;
    const rho = Math.min(lr, 1 / Math.sqrt(step));
    const alpha = Math.max(eps2, rootMeanSquare(before)) * rho;
    const param = decayed(before, lr, o.weightDecay);

    const squared = tf.square(g);
    let variance: tf.Tensor;
    let tensors: Record<string, tf.Tensor>;
    if (isFactored(before)) {
      const rowVar = lerp(state.tensors.rowVar, tf.mean(squared, -1, true), oneMinusBeta2);
      const colVar = lerp(state.tensors.colVar, tf.mean(squared, -2, true), oneMinusBeta2);
      // R C, an outer product over the last two dimensions, over the mean row statistic.
      variance = tf.div(tf.mul(rowVar, colVar), tf.maximum(tf.mean(rowVar, -2, true), eps1));
      tensors = { rowVar, colVar };
    } else {
      variance = lerp(state.tensors.variance, squared, oneMinusBeta2);
      tensors = { variance };
    }
    const update = tf.mul(tf.rsqrt(tf.maximum(variance, eps1 * eps1)), g);
    const clipping = Math.max(1, rootMeanSquare(update) / o.d);
    return { param: tf.add(param, tf.mul(update, -alpha / clipping)), tensors };
  },
};

export class Adafactor extends TorchOptimizer<AdafactorOptions> {
  static get className(): string {
    return 'TorchAdafactor';
  }
  constructor(options?: Partial<AdafactorOptions>) {
    super('Adafactor', adafactorDefaults, options, validateAdafactor, adafactorRule);
  }
}
