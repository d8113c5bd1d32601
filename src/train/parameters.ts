// The network's weights as tf.Variables, initialised as PyTorch initialises Conv2d and Linear:
// kaiming_uniform_(a=sqrt(5)) for weights and the matching bias rule, which both come to
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Drawn from a seeded JavaScript generator, so a seed gives
// the same weights on every backend.
//
// Two layouts: 'flat' keeps every parameter in one vector variable (one optimizer update per step
// instead of one per tensor; for element-wise optimizers, that is every one but SparseAdam, the
// arithmetic is identical), 'tensors' keeps one variable per PyTorch parameter.
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../data/random';
import { Architecture, ParameterSpec, parameterSpecs } from './network';

export type ParameterLayout = 'flat' | 'tensors';
export const parameterLayouts: ParameterLayout[] = ['flat', 'tensors'];

let instances = 0;

export class Parameters {
  readonly specs: ParameterSpec[];
  readonly variables: tf.Variable[];
  readonly size: number;

  constructor(
    readonly arch: Architecture,
    readonly layout: ParameterLayout,
    seed: number,
  ) {
    this.specs = parameterSpecs(arch);
    this.size = this.specs.reduce((n, spec) => n + spec.size, 0);
    const random = new Random(seed, 'init');
    const values = this.specs.map((spec) => {
      const bound = 1 / Math.sqrt(spec.fanIn);
      return random.uniform(spec.size, -bound, bound);
    });
    // Variable names are global in tfjs; a counter keeps two networks in one process apart.
    const prefix = `${arch.name}${instances++}`;
    // tidy frees the initial-value tensors; the variables (never tracked by tidy) stay.
    this.variables = tf.tidy(() => {
      if (layout === 'tensors') return this.specs.map((spec, i) => tf.variable(tf.tensor(values[i], spec.shape), true, `${prefix}/${spec.name}`));
      const flat = new Float32Array(this.size);
      let offset = 0;
      for (const v of values) {
        flat.set(v, offset);
        offset += v.length;
      }
      return [tf.variable(tf.tensor1d(flat), true, `${prefix}/parameters`)];
    });
  }

  /** Sizes of the pieces of the flat vector, for tf.split. */
  get sizes(): number[] {
    return this.specs.map((spec) => spec.size);
  }

  /**
   * The parameters shaped as the network uses them, computed with differentiable tf ops (so that
   * gradients reach the flat vector). Call inside the function being differentiated.
   */
  shaped(): tf.Tensor[] {
    if (this.layout === 'tensors') return this.variables;
    const pieces = tf.split(this.variables[0], this.sizes);
    return pieces.map((piece, i) => tf.reshape(piece, this.specs[i].shape));
  }

  /** The current values by PyTorch parameter name (copies; the caller disposes them). */
  named(): Record<string, tf.Tensor> {
    return tf.tidy(() => Object.fromEntries(this.shaped().map((t, i) => [this.specs[i].name, t.clone()])));
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}
