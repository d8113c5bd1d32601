// Small gradient transforms that several update rules begin with, written once (optax-style).
import * as tf from '@tensorflow/tfjs-core';

/** PyTorch's `maximize`: ascend instead of descend by negating the gradient. */
export function directed(grad: tf.Tensor, maximize: boolean): tf.Tensor {
  return maximize ? tf.neg(grad) : grad;
}

/** Coupled (L2) weight decay as PyTorch applies it: g + weightDecay * param. */
export function withL2(grad: tf.Tensor, param: tf.Tensor, weightDecay: number): tf.Tensor {
  return weightDecay === 0 ? grad : tf.add(grad, tf.mul(param, weightDecay));
}

/** Decoupled weight decay (AdamW): param * (1 - lr * weightDecay), applied before the step. */
export function decayed(param: tf.Tensor, lr: number, weightDecay: number): tf.Tensor {
  return weightDecay === 0 ? param : tf.mul(param, 1 - lr * weightDecay);
}

/** x * k, skipping the multiply (a full-size temporary) when k is 1, which leaves the result bit-identical. */
export function scaled(x: tf.Tensor, k: number): tf.Tensor {
  return k === 1 ? x : tf.mul(x, k);
}
