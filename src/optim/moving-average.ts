// Exponential moving averages as torch.optim updates them in place, in PyTorch's float32 order, so
// that the rules sharing them (Adadelta, RMSprop, Adamax) agree with PyTorch to the last bits.
import * as tf from '@tensorflow/tfjs-core';

/**
 * decay * average + (1 - decay) * x, computed as PyTorch's `average.lerp_(x, 1 - decay)`:
 * average + w * (x - average) for a weight w = 1 - decay below 0.5, else x - (x - average) * (1 - w).
 */
export function movingAverage(average: tf.Tensor, x: tf.Tensor, decay: number): tf.Tensor {
  const weight = Math.fround(1 - decay);
  const towards = tf.sub(x, average);
  return Math.abs(weight) < 0.5
    ? tf.add(average, tf.mul(towards, weight))
    : tf.sub(x, tf.mul(towards, Math.fround(1 - weight)));
}

/**
 * decay * average + (1 - decay) * x², computed as PyTorch's
 * `average.mul_(decay).addcmul_(x, x, value=1 - decay)`: ((1 - decay) * x) * x added last.
 */
export function movingAverageOfSquares(average: tf.Tensor, x: tf.Tensor, decay: number): tf.Tensor {
  return tf.add(tf.mul(average, decay), tf.mul(tf.mul(x, 1 - decay), x));
}
