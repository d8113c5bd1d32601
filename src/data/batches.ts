// Batches on the device: a split is uploaded once (normalised float32 images, int32 labels), and each
// batch is gathered from it with the slice of a shuffled index tensor, so the training loop moves no
// image data between JavaScript and the backend.
import * as tf from '@tensorflow/tfjs-core';
import { Split } from './datasets';
import { normalizeImages } from './normalization';
import { Random } from './random';

/** The [start, start + size) ranges of consecutive batches; the last one may be smaller (PyTorch's drop_last=False). */
export function batchRanges(count: number, batchSize: number): Array<{ start: number; size: number }> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const ranges = [];
  for (let start = 0; start < count; start += batchSize) ranges.push({ start, size: Math.min(batchSize, count - start) });
  return ranges;
}

export interface Batch {
  /** [size, rows, cols, 1] normalised images. */
  images: tf.Tensor4D;
  /** [size] int32 class indices. */
  labels: tf.Tensor1D;
  size: number;
}

/** A split held on the device. Dispose it when done. */
export class DeviceSplit {
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
  readonly count: number;

  constructor(split: Split, mean: number, std: number) {
    this.count = split.count;
    this.images = tf.tensor4d(normalizeImages(split.images, mean, std), [split.count, split.rows, split.cols, 1]);
    this.labels = tf.tensor1d(Int32Array.from(split.labels), 'int32');
  }

  /** Consecutive batches in the stored order (for evaluation). The caller disposes each batch. */
  *inOrder(batchSize: number): Generator<Batch> {
    for (const { start, size } of batchRanges(this.count, batchSize)) {
      yield {
        images: tf.slice(this.images, [start, 0, 0, 0], [size, -1, -1, -1]),
        labels: tf.slice(this.labels, [start], [size]),
        size,
      };
    }
  }

  /**
   * One epoch of batches in a random order drawn from `random` (a fresh permutation each call,
   * as a shuffling DataLoader gives). The caller disposes each batch.
   */
  *shuffled(batchSize: number, random: Random): Generator<Batch> {
    const order = tf.tensor1d(random.permutation(this.count), 'int32');
    try {
      for (const { start, size } of batchRanges(this.count, batchSize)) {
        yield tf.tidy(() => {
          const indices = tf.slice(order, [start], [size]);
          return { images: tf.gather(this.images, indices), labels: tf.gather(this.labels, indices), size };
        });
      }
    } finally {
      order.dispose();
    }
  }

  dispose(): void {
    this.images.dispose();
    this.labels.dispose();
  }
}

export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.labels.dispose();
}
