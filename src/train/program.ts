// What the trainer needs from a network: the mean loss of a batch, differentiable with respect to the
// parameter variables (for optimizer.minimize), and an evaluation pass. Two implementations: the
// portable one (tf ops and tfjs's tape, any backend) and the native one (fused TensorFlow kernels and
// a hand-written backward pass, the tfjs-node backend only; several times fewer ops per step).
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batches';
import { Architecture } from './network';
import { Parameters } from './parameters';
import { PortableProgram } from './portable';
import { NativeProgram, nativeKernels } from './native';

export interface Evaluation {
  /** Summed negative log-likelihood over the batch. */
  lossSum: tf.Scalar;
  /** How many predictions (arg max of the log-probabilities) equal the label (int32). */
  correct: tf.Scalar;
}

export interface NetworkProgram {
  readonly kind: 'native' | 'portable';
  /** Mean NLL loss of `batch` with the given dropout masks (one per dropout layer). */
  batchLoss(batch: Batch, masks: tf.Tensor[]): tf.Scalar;
  evaluate(batch: Batch): Evaluation;
  dispose(): void;
}

export type KernelChoice = 'auto' | 'native' | 'portable';
export const kernelChoices: KernelChoice[] = ['auto', 'native', 'portable'];

/** The native program when the backend is tfjs-node's and `choice` allows it, else the portable one. */
export function createProgram(arch: Architecture, parameters: Parameters, choice: KernelChoice = 'auto'): NetworkProgram {
  if (choice === 'portable') return new PortableProgram(arch, parameters);
  const kernels = nativeKernels();
  if (kernels) return new NativeProgram(arch, parameters, kernels);
  if (choice === 'native') {
    throw new Error(`--kernels native needs the tensorflow backend of @tensorflow/tfjs-node; this process runs '${tf.getBackend()}'.`);
  }
  return new PortableProgram(arch, parameters);
}
