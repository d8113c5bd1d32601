// Batches on the device: a split is uploaded once (int32 labels; images as bytes on tfjs-node, else
// normalised float32), and each batch is gathered from it with the slice of a shuffled index tensor,
// so the training loop moves no image data between JavaScript and the backend.
//
// On tfjs-node the images stay uint8 in TensorFlow and each batch is normalised as it is gathered,
// in float32 with normalizationTable's roundings: the same float32 values, 47 MB for MNIST's
// training set instead of 188 MB, and no full-size float32 copy in JavaScript on the way
// (bench/train.ts: peak RSS).
import * as tf from '@tensorflow/tfjs-core';
import { NativeKernels, nativeKernels } from '../train/native-kernels';
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
  readonly labels: tf.Tensor1D;
  readonly count: number;
  /** Normalised float32 images (other backends), or bytes with the constants that normalise them (tfjs-node). */
  private readonly store:
    | { kind: 'float'; images: tf.Tensor4D }
    | { kind: 'bytes'; kernels: NativeKernels; bytes: tf.Tensor; mean: number; std: number };

  constructor(split: Split, mean: number, std: number) {
    this.count = split.count;
    const shape = [split.count, split.rows, split.cols, 1];
    const kernels = nativeKernels();
    if (kernels) {
      this.store = { kind: 'bytes', kernels, bytes: kernels.uploadBytes(split.images, shape), mean, std };
    } else {
      this.store = { kind: 'float', images: tf.tensor4d(normalizeImages(split.images, mean, std), shape as [number, number, number, number]) };
    }
    this.labels = tf.tensor1d(Int32Array.from(split.labels), 'int32');
  }

  /** Images [start, start + size), normalised. */
  private imageRange(start: number, size: number): tf.Tensor4D {
    const s = this.store;
    if (s.kind === 'float') return tf.slice(s.images, [start, 0, 0, 0], [size, -1, -1, -1]);
    return s.kernels.sliceNormalizedBytes(s.bytes, start, size, s.mean, s.std) as tf.Tensor4D;
  }

  /** The images at `indices`, normalised. */
  private imageRows(indices: tf.Tensor1D): tf.Tensor4D {
    const s = this.store;
    if (s.kind === 'float') return tf.gather(s.images, indices);
    return s.kernels.gatherNormalizedBytes(s.bytes, indices, s.mean, s.std) as tf.Tensor4D;
  }

  /** Consecutive batches in the stored order (for evaluation). The caller disposes each batch. */
  *inOrder(batchSize: number): Generator<Batch> {
    for (const { start, size } of batchRanges(this.count, batchSize)) {
      yield { images: this.imageRange(start, size), labels: tf.slice(this.labels, [start], [size]), size };
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
          return { images: this.imageRows(indices), labels: tf.gather(this.labels, indices), size };
        });
      }
    } finally {
      order.dispose();
    }
  }

  dispose(): void {
    if (this.store.kind === 'float') this.store.images.dispose();
    else this.store.bytes.dispose();
    this.labels.dispose();
  }
}

export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.labels.dispose();
}
