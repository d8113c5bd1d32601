// Adam (Kingma & Ba, 2015) with AMSGrad, maximize, and L2 or decoupled weight decay, computed as
// torch.optim.Adam's single-tensor (CPU) path computes it, in the same order for float32 agreement:
//   g <- grad (negated if maximize)
//   L2 decay:        g <- g + weightDecay * param
//   decoupled decay: param <- param * (1 - lr * weightDecay)            (AdamW)
//   m <- lerp(m, g, 1 - beta1)          v <- beta2 * v + (1 - beta2) * g * g   (moving-average.ts)
//   amsgrad: vMax <- max(vMax, v), and vMax stands for v below
//   param <- param - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// The bias corrections, weight decay and zeroed moments are exported: AdamW, NAdam, RAdam and
// SparseAdam are built from them and from moving-average.ts.
import * as tf from '@tensorflow/tfjs-core';
import { decayed, directed, withL2 } from './gradient';
import { movingAverage, movingAverageOfSquares } from './moving-average';
import { BaseOptions, ParamState, TorchOptimizer, UpdateInput, UpdateOutput, UpdateRule } from './torch-optimizer';
import { requireBetas, requireEpsilon, requireLearningRate, requireWeightDecay } from './options';

/** The options Adam and AdamW share (AdamW has no `decoupledWeightDecay`: it always decouples). */
export interface AdamCoreOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export interface AdamOptions extends AdamCoreOptions {
  /** Shrink the parameter (AdamW) instead of adding weightDecay * param to the gradient. */
  decoupledWeightDecay: boolean;
}

export const adamDefaults: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  decoupledWeightDecay: false,
};

/** PyTorch's checks for Adam, which AdamW, NAdam and RAdam repeat. */
export function validateAdam(o: AdamCoreOptions): void {
  requireLearningRate(o.lr);
  requireEpsilon(o.eps);
  requireBetas(o.betas);
  requireWeightDecay(o.weightDecay);
}

// ---- Pieces shared by the Adam family -------------------------------------------------------

/** 1 - beta^step: how far a zero-initialised running average is from unbiased at `step`. */
export function biasCorrection(beta: number, step: number): number {
  return 1 - beta ** step;
}

/**
 * Weight decay as Adam, NAdam and RAdam apply it: decoupled shrinks the parameter before the step
 * (AdamW's rule), otherwise L2 adds weightDecay * param to the gradient.
 */
export function withWeightDecay(
  param: tf.Tensor,
  grad: tf.Tensor,
  lr: number,
  weightDecay: number,
  decoupled: boolean,
): { param: tf.Tensor; grad: tf.Tensor } {
  return decoupled
    ? { param: decayed(param, lr, weightDecay), grad }
    : { param, grad: withL2(grad, param, weightDecay) };
}

/** Zeroed first and second moments, shaped like the parameter. */
export function zeroMoments(param: tf.Tensor): Record<string, tf.Tensor> {
  return { expAvg: tf.zerosLike(param), expAvgSq: tf.zerosLike(param) };
}

// ---- Adam itself ----------------------------------------------------------------------------

function adamInit(param: tf.Tensor, o: AdamCoreOptions): ParamState {
  const tensors = zeroMoments(param);
  if (o.amsgrad) tensors.maxExpAvgSq = tf.zerosLike(param);
  return { tensors, scalars: {} };
}

/** One Adam step; `decoupled` says how weight decay applies (Adam's option, always true for AdamW). */
function adamUpdate(input: UpdateInput<AdamCoreOptions>, decoupled: boolean): UpdateOutput {
  const { state, step, lr, options: o } = input;
  const [beta1, beta2] = o.betas;
  const { param, grad } = withWeightDecay(input.param, directed(input.grad, o.maximize), lr, o.weightDecay, decoupled);
  const expAvg = movingAverage(state.tensors.expAvg, grad, beta1);
  const expAvgSq = movingAverageOfSquares(state.tensors.expAvgSq, grad, beta2);
  const tensors: Record<string, tf.Tensor> = { expAvg, expAvgSq };
  if (o.amsgrad) tensors.maxExpAvgSq = tf.maximum(state.tensors.maxExpAvgSq, expAvgSq);

  const stepSize = lr / biasCorrection(beta1, step);
  const secondMomentScale = Math.sqrt(biasCorrection(beta2, step));
  const denom = tf.add(tf.div(tf.sqrt(tensors.maxExpAvgSq ?? expAvgSq), secondMomentScale), o.eps);
  // PyTorch's addcdiv: param + (-stepSize * m) / denom.
  return { param: tf.add(param, tf.div(tf.mul(expAvg, -stepSize), denom)), tensors };
}

/** Adam's rule for options of Adam's shape; AdamW uses `decoupledAdamRule`. */
export const adamRule: UpdateRule<AdamOptions> = {
  init: adamInit,
  update: (input) => adamUpdate(input, input.options.decoupledWeightDecay),
};

/** Adam with decoupled weight decay whatever the options say: AdamW's rule. */
export const decoupledAdamRule: UpdateRule<AdamCoreOptions> = {
  init: adamInit,
  update: (input) => adamUpdate(input, true),
};

export class Adam extends TorchOptimizer<AdamOptions> {
  static get className(): string {
    return 'TorchAdam';
  }
  constructor(options?: Partial<AdamOptions>) {
    super('Adam', adamDefaults, options, validateAdam, adamRule);
  }
}
