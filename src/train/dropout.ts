// Dropout masks drawn in JavaScript from the run's seeded generator (same masks on every backend),
// one tensor per dropout layer of the network, for one batch.
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../data/random';
import { Architecture, activationShapes, dropoutMaskShape } from './network';

export class DropoutSampler {
  private readonly layers: Array<{ p: number; channels: boolean; activation: number[] }> = [];

  constructor(
    arch: Architecture,
    private readonly random: Random,
  ) {
    const shapes = activationShapes(arch);
    arch.layers.forEach((layer, i) => {
      if (layer.kind === 'dropout') this.layers.push({ p: layer.p, channels: layer.channels, activation: shapes[i] });
    });
  }

  /** Fresh masks for a batch of `batch` examples; the caller disposes them. */
  sample(batch: number): tf.Tensor[] {
    return this.layers.map((layer) => {
      const shape = dropoutMaskShape({ kind: 'dropout', p: layer.p, channels: layer.channels }, layer.activation, batch);
      return tf.tensor(this.random.dropoutMask(shape.reduce((a, b) => a * b, 1), layer.p), shape);
    });
  }
}
