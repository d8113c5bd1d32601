// The two networks of pytorch/examples' mnist script, described as data (a list of layers) so that
// one description drives the parameter layout, the portable forward pass (tf ops, autodiff) and the
// fused native one (TensorFlow kernels with a hand-written backward pass).
// Tensors are NHWC, TensorFlow's layout: conv weights [k, k, in, out], dense weights [in, out].

export type Layer =
  | { kind: 'conv'; name: string; inChannels: number; outChannels: number; kernel: number }
  | { kind: 'maxpool'; size: number }
  | { kind: 'relu' }
  /** Inverted dropout; `channels` drops whole feature maps (Dropout2d), otherwise single values. */
  | { kind: 'dropout'; p: number; channels: boolean }
  | { kind: 'flatten' }
  | { kind: 'dense'; name: string; inFeatures: number; outFeatures: number };

export type NetName = 'seed' | 'modern' | 'lenet';
export const netNames: NetName[] = ['seed', 'modern', 'lenet'];

export interface Architecture {
  name: NetName;
  description: string;
  inputShape: [number, number, number];
  classes: number;
  layers: Layer[];
}

const conv = (name: string, inChannels: number, outChannels: number, kernel: number): Layer => ({
  kind: 'conv',
  name,
  inChannels,
  outChannels,
  kernel,
});
const dense = (name: string, inFeatures: number, outFeatures: number): Layer => ({ kind: 'dense', name, inFeatures, outFeatures });
const maxpool: Layer = { kind: 'maxpool', size: 2 };
const relu: Layer = { kind: 'relu' };
const flatten: Layer = { kind: 'flatten' };

export const architectures: Record<NetName, Architecture> = {
  seed: {
    name: 'seed',
    description: "the 2018 pytorch/examples mnist Net, the tutorial's network",
    inputShape: [28, 28, 1],
    classes: 10,
    // conv1 -> max_pool2d -> relu; conv2 -> Dropout2d -> max_pool2d -> relu; fc1 -> relu -> dropout; fc2
    layers: [
      conv('conv1', 1, 10, 5),
      maxpool,
      relu,
      conv('conv2', 10, 20, 5),
      { kind: 'dropout', p: 0.5, channels: true },
      maxpool,
      relu,
      flatten,
      dense('fc1', 320, 50),
      relu,
      { kind: 'dropout', p: 0.5, channels: false },
      dense('fc2', 50, 10),
    ],
  },
  modern: {
    name: 'modern',
    description: 'the current pytorch/examples mnist Net',
    inputShape: [28, 28, 1],
    classes: 10,
    layers: [
      conv('conv1', 1, 32, 3),
      relu,
      conv('conv2', 32, 64, 3),
      relu,
      maxpool,
      { kind: 'dropout', p: 0.25, channels: false },
      flatten,
      dense('fc1', 9216, 128),
      relu,
      { kind: 'dropout', p: 0.5, channels: false },
      dense('fc2', 128, 10),
    ],
  },
  // pytorch/examples' mnist Net between the two above (2018-2019): Caffe's LeNet, without dropout.
  // The tutorial's published tables match this network (SGD after one epoch: PyTorch 2.13 gives test
  // loss 0.105 and 96.7% here, the tutorial 0.1017 and 96.69%; the seed network gives 0.19 and 94%).
  lenet: {
    name: 'lenet',
    description: "the 2018-2019 pytorch/examples mnist Net (Caffe's LeNet), which the tutorial's tables match",
    inputShape: [28, 28, 1],
    classes: 10,
    layers: [conv('conv1', 1, 20, 5), relu, maxpool, conv('conv2', 20, 50, 5), relu, maxpool, flatten, dense('fc1', 800, 500), relu, dense('fc2', 500, 10)],
  },
};

export function architecture(name: string): Architecture {
  const found = architectures[name as NetName];
  if (!found) throw new Error(`Unknown network '${name}'. Choose one of: ${netNames.join(', ')}.`);
  return found;
}

/** The shape of one example's activation after each layer (without the batch axis). */
export function activationShapes(arch: Architecture): number[][] {
  const shapes: number[][] = [];
  let shape: number[] = [...arch.inputShape];
  for (const layer of arch.layers) {
    switch (layer.kind) {
      case 'conv':
        requireShape(shape.length === 3 && shape[2] === layer.inChannels, layer, shape);
        shape = [shape[0] - layer.kernel + 1, shape[1] - layer.kernel + 1, layer.outChannels];
        break;
      case 'maxpool':
        shape = [Math.floor(shape[0] / layer.size), Math.floor(shape[1] / layer.size), shape[2]];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        requireShape(shape.length === 1 && shape[0] === layer.inFeatures, layer, shape);
        shape = [layer.outFeatures];
        break;
      default:
        break;
    }
    shapes.push(shape);
  }
  return shapes;
}

function requireShape(ok: boolean, layer: Layer, shape: number[]): void {
  if (!ok) throw new Error(`layer ${JSON.stringify(layer)} does not fit its input of shape [${shape}]`);
}

/** One parameter tensor: its name (PyTorch's, e.g. 'conv1.weight'), shape and fan-in. */
export interface ParameterSpec {
  name: string;
  shape: number[];
  fanIn: number;
  size: number;
}

/** The parameters in the order of the layers, weight before bias (PyTorch's `model.parameters()` order). */
export function parameterSpecs(arch: Architecture): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const add = (name: string, shape: number[], fanIn: number) => specs.push({ name, shape, fanIn, size: shape.reduce((a, b) => a * b, 1) });
  for (const layer of arch.layers) {
    if (layer.kind === 'conv') {
      const fanIn = layer.inChannels * layer.kernel * layer.kernel;
      add(`${layer.name}.weight`, [layer.kernel, layer.kernel, layer.inChannels, layer.outChannels], fanIn);
      add(`${layer.name}.bias`, [layer.outChannels], fanIn);
    } else if (layer.kind === 'dense') {
      add(`${layer.name}.weight`, [layer.inFeatures, layer.outFeatures], layer.inFeatures);
      add(`${layer.name}.bias`, [layer.outFeatures], layer.inFeatures);
    }
  }
  return specs;
}

/** The shape of the dropout mask of a layer for a batch: [B, 1, 1, C] for Dropout2d, the activation's shape otherwise. */
export function dropoutMaskShape(layer: Layer & { kind: 'dropout' }, activation: number[], batch: number): number[] {
  return layer.channels ? [batch, ...activation.slice(0, -1).map(() => 1), activation[activation.length - 1]] : [batch, ...activation];
}
