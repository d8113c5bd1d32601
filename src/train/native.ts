// The network on tfjs-node as fused TensorFlow kernels, with its backward pass written out: one
// tf.customGrad node for the whole loss, so that tfjs's tape records one op instead of ~60 and every
// gradient is one TensorFlow kernel (Conv2DBackpropFilter, MaxPoolGrad, ReluGrad, MatMul, and the
// fused SparseSoftmaxCrossEntropyWithLogits for log_softmax + NLL).
// It computes the same function as portable.ts; test/train.test.ts checks loss and gradients.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batches';
import { Architecture, Layer } from './network';
import { NativeKernels } from './native-kernels';
import type { Parameters } from './parameters';
import { countCorrect } from './portable';
import type { Evaluation, NetworkProgram } from './program';

export { nativeKernels } from './native-kernels';

/** One kernel-level step; `weight`/`bias` index the parameter list, `input` is the per-example input shape. */
type Step =
  | { kind: 'conv'; weight: number; bias?: number; input: number[] }
  | { kind: 'bias'; bias: number }
  | { kind: 'maxpool'; size: number }
  | { kind: 'relu' }
  | { kind: 'dropout'; mask: number }
  | { kind: 'flatten'; input: number[] }
  | { kind: 'dense'; weight: number; bias: number };

/**
 * The layers as kernel steps. A convolution's bias moves past a following max-pool (and a channel
 * dropout before it): max(z + b) = max(z) + b and max(m z) = m max(z) for per-channel b and m >= 0,
 * so the result is the same while the bias and mask touch a quarter of the values.
 */
export function compileSteps(arch: Architecture): Step[] {
  const steps: Step[] = [];
  let shape: number[] = [...arch.inputShape];
  let param = 0;
  let mask = 0;
  const layers = arch.layers;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    switch (layer.kind) {
      case 'conv': {
        const [weight, bias] = [param++, param++];
        const input = shape;
        shape = [shape[0] - layer.kernel + 1, shape[1] - layer.kernel + 1, layer.outChannels];
        const next = layers[i + 1];
        const channelDropout = next?.kind === 'dropout' && next.channels ? next : undefined;
        const pool = layers[i + (channelDropout ? 2 : 1)];
        if (pool?.kind === 'maxpool') {
          steps.push({ kind: 'conv', weight, input }, { kind: 'maxpool', size: pool.size }, { kind: 'bias', bias });
          if (channelDropout) steps.push({ kind: 'dropout', mask: mask++ });
          shape = pooled(shape, pool.size);
          i += channelDropout ? 2 : 1;
        } else {
          steps.push({ kind: 'conv', weight, bias, input });
        }
        break;
      }
      case 'maxpool':
        steps.push({ kind: 'maxpool', size: layer.size });
        shape = pooled(shape, layer.size);
        break;
      case 'relu':
        steps.push({ kind: 'relu' });
        break;
      case 'dropout':
        steps.push({ kind: 'dropout', mask: mask++ });
        break;
      case 'flatten':
        steps.push({ kind: 'flatten', input: shape });
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        steps.push({ kind: 'dense', weight: param++, bias: param++ });
        shape = [layer.outFeatures];
        break;
      default:
        unreachable(layer);
    }
  }
  return steps;
}

function pooled(shape: number[], size: number): number[] {
  return [Math.floor(shape[0] / size), Math.floor(shape[1] / size), shape[2]];
}

function unreachable(layer: never): never {
  throw new Error(`unknown layer ${JSON.stringify(layer as Layer)}`);
}

export class NativeProgram implements NetworkProgram {
  readonly kind = 'native';
  private readonly steps: Step[];

  constructor(
    arch: Architecture,
    private readonly parameters: Parameters,
    private readonly k: NativeKernels,
  ) {
    this.steps = compileSteps(arch);
  }

  /** The parameters shaped for the layers, from the variables as given to customGrad. */
  private shaped(variables: tf.Tensor[]): tf.Tensor[] {
    if (this.parameters.layout === 'tensors') return variables;
    return this.k.split(variables[0], this.parameters.sizes).map((piece, i) => this.k.reshape(piece, this.parameters.specs[i].shape));
  }

  /**
   * The forward pass to the logits. With `saved`, it pushes what the backward pass needs, in the
   * order `backward` pops it.
   */
  private forward(weights: tf.Tensor[], images: tf.Tensor, masks: tf.Tensor[] | null, saved?: tf.Tensor[]): tf.Tensor {
    const k = this.k;
    const batch = images.shape[0];
    let h = images;
    for (const step of this.steps) {
      switch (step.kind) {
        case 'conv':
          saved?.push(h, weights[step.weight]);
          h = k.conv2d(h, weights[step.weight], step.bias === undefined ? undefined : weights[step.bias]);
          break;
        case 'bias':
          h = k.biasAdd(h, weights[step.bias]);
          break;
        case 'maxpool': {
          const { output, workspace } = k.maxPool(h, step.size);
          saved?.push(h, output, ...(workspace ? [workspace] : []));
          h = output;
          break;
        }
        case 'relu':
          h = k.relu(h);
          saved?.push(h);
          break;
        case 'dropout':
          if (masks) h = k.mul(h, masks[step.mask]);
          break;
        case 'flatten':
          h = k.reshape(h, [batch, step.input.reduce((a, b) => a * b, 1)]);
          break;
        case 'dense':
          saved?.push(h, weights[step.weight]);
          h = k.biasAdd(k.matMul(h, weights[step.weight]), weights[step.bias]);
          break;
      }
    }
    return h;
  }

  /** Gradients of the weights from the gradient of the logits, popping what `forward` saved. */
  private backward(dLogits: tf.Tensor, masks: tf.Tensor[], saved: tf.Tensor[], batch: number): tf.Tensor[] {
    const k = this.k;
    const grads: tf.Tensor[] = new Array(this.parameters.specs.length);
    const pop = () => saved.pop()!;
    let g = dLogits;
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i];
      const first = i === 0;
      switch (step.kind) {
        case 'dense': {
          const [weight, x] = [pop(), pop()];
          grads[step.bias] = k.biasGrad(g);
          grads[step.weight] = k.matMul(x, g, true, false);
          if (!first) g = k.matMul(g, weight, false, true);
          break;
        }
        case 'flatten':
          g = k.reshape(g, [batch, ...step.input]);
          break;
        case 'dropout':
          g = k.mul(g, masks[step.mask]);
          break;
        case 'relu':
          g = k.reluGrad(g, pop());
          break;
        case 'maxpool': {
          const workspace = k.oneDnn ? pop() : undefined;
          const [y, x] = [pop(), pop()];
          g = k.maxPoolGrad(x, y, g, step.size, workspace);
          break;
        }
        case 'bias':
          grads[step.bias] = k.biasGrad(g);
          break;
        case 'conv': {
          const [filter, x] = [pop(), pop()];
          if (step.bias !== undefined) grads[step.bias] = k.biasGrad(g);
          grads[step.weight] = k.conv2dFilterGrad(x, filter.shape, g);
          if (!first) g = k.conv2dInputGrad([batch, ...step.input], filter, g);
          break;
        }
      }
    }
    return grads;
  }

  private gradientsFor(grads: tf.Tensor[]): tf.Tensor[] {
    if (this.parameters.layout === 'tensors') return grads;
    return [this.k.concat(grads.map((grad) => this.k.reshape(grad, [grad.size])))];
  }

  batchLoss(batch: Batch, masks: tf.Tensor[]): tf.Scalar {
    const k = this.k;
    const lossOf = tf.customGrad((...args: unknown[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const variables = args as tf.Tensor[];
      const toSave: tf.Tensor[] = [];
      const logits = this.forward(this.shaped(variables), batch.images, masks, toSave);
      const { loss, backprop } = k.softmaxCrossEntropy(logits, batch.labels);
      toSave.push(backprop);
      save(toSave);
      return {
        value: k.reduce('Mean', loss) as tf.Scalar,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const stack = [...saved];
          // d(mean loss)/d(logits) = backprop / batch, times the incoming gradient.
          const dLogits = k.mul(stack.pop()!, k.mul(dy, k.scalar(1 / batch.size)));
          return this.gradientsFor(this.backward(dLogits, masks, stack, batch.size));
        },
      };
    });
    return lossOf(...this.parameters.variables);
  }

  evaluate(batch: Batch): Evaluation {
    return tf.tidy(() => {
      const logits = this.forward(this.shaped(this.parameters.variables), batch.images, null);
      const { loss } = this.k.softmaxCrossEntropy(logits, batch.labels);
      return { lossSum: this.k.reduce('Sum', loss) as tf.Scalar, correct: countCorrect(logits, batch.labels) };
    });
  }

  dispose(): void {}
}
