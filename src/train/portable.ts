// The network as plain tfjs ops on the parameter variables, differentiated by tfjs's tape. It runs
// on every backend (the pure-JS 'cpu' one included) and is the reference the fused native program
// is tested against.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batches';
import { Architecture } from './network';
import type { Parameters } from './parameters';
import type { NetworkProgram, Evaluation } from './program';

/** The logits of a batch. `masks` holds one tensor per dropout layer when training, null when evaluating. */
export function portableLogits(arch: Architecture, weights: tf.Tensor[], images: tf.Tensor4D, masks: tf.Tensor[] | null): tf.Tensor2D {
  let h: tf.Tensor = images;
  let w = 0;
  let d = 0;
  for (const layer of arch.layers) {
    switch (layer.kind) {
      case 'conv':
        h = tf.add(tf.conv2d(h as tf.Tensor4D, weights[w++] as tf.Tensor4D, 1, 'valid'), weights[w++]);
        break;
      case 'maxpool':
        h = tf.maxPool(h as tf.Tensor4D, layer.size, layer.size, 'valid');
        break;
      case 'relu':
        h = tf.relu(h);
        break;
      case 'dropout':
        if (masks) h = tf.mul(h, masks[d]);
        d++;
        break;
      case 'flatten':
        h = tf.reshape(h, [h.shape[0], -1]);
        break;
      case 'dense':
        h = tf.add(tf.matMul(h as tf.Tensor2D, weights[w++] as tf.Tensor2D), weights[w++]);
        break;
    }
  }
  return h as tf.Tensor2D;
}

/** Per-example negative log-likelihood of the labels under log_softmax(logits). */
export function nllPerExample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const logProbabilities = tf.logSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(logProbabilities, tf.oneHot(labels, logits.shape[1])), 1)) as tf.Tensor1D;
}

/** How many rows of `logits` have their arg max at the label (PyTorch's pred.eq(target).sum()). */
export function countCorrect(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
}

export class PortableProgram implements NetworkProgram {
  readonly kind = 'portable';

  constructor(
    private readonly arch: Architecture,
    private readonly parameters: Parameters,
  ) {}

  batchLoss(batch: Batch, masks: tf.Tensor[]): tf.Scalar {
    return tf.tidy(() => tf.mean(nllPerExample(portableLogits(this.arch, this.parameters.shaped(), batch.images, masks), batch.labels)));
  }

  evaluate(batch: Batch): Evaluation {
    return tf.tidy(() => {
      const logits = portableLogits(this.arch, this.parameters.shaped(), batch.images, null);
      return { lossSum: tf.sum(nllPerExample(logits, batch.labels)) as tf.Scalar, correct: countCorrect(logits, batch.labels) };
    });
  }

  dispose(): void {}
}
