// Exponential moving averages as torch.optim updates them in place, in PyTorch's float32 order, so
// that the rules sharing them (Adadelta, RMSprop, Adamax) agree with PyTorch to the last bits.
import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's `start.lerp(end, weight)` with a float32 weight w: start + w * (end - start) for |w|
 * below 0.5, else end - (end - start) * (1 - w) (so a weight of 1 gives `end` exactly).
 */
export function lerp(start: tf.Tensor, end: tf.Tensor, weight: number): tf.Tensor {
  const w = Math.fround(weight);
  const towards = tf.sub(end, start);
  return Math.abs(w) < 0.5 ? tf.add(start, tf.mul(towards, w)) : tf.sub(end, tf.mul(towards, Math.fround(1 - w)));
}

/** decay * average + (1 - decay) * x, computed as PyTorch's `average.lerp_(x, 1 - decay)`. */
export function movingAverage(average: tf.Tensor, x: tf.Tensor, decay: number): tf.Tensor {
  return lerp(average, x, 1 - decay);
}

/**
 * decay * average + (1 - decay) * x², computed as PyTorch's
 * `average.mul_(decay).addcmul_(x, x, value=1 - decay)`: ((1 - decay) * x) * x added last.
 */
export function movingAverageOfSquares(average: tf.Tensor, x: tf.Tensor, decay: number): tf.Tensor {
  return tf.add(tf.mul(average, decay), tf.mul(tf.mul(x, 1 - decay), x));
}
