// TensorFlow kernels called by name through tfjs-node's backend (NodeJSKernelBackend's public
// executeMultipleOutputs), for the ops tfjs does not expose: fused softmax cross-entropy, ReluGrad,
// the convolution gradients, and the oneDNN convolution and pooling kernels that libtensorflow 2.9
// carries. Each call is one TensorFlow op; tfjs's composite ops and their gradients often take several.
//
// oneDNN: libtensorflow routes Conv2D to oneDNN only when TF_ENABLE_ONEDNN_OPTS=1 is set before it
// loads, and never routes MaxPool there, but its '_MklNative*' kernels can be called directly. They
// are probed once; where they are missing (another libtensorflow build) the plain kernels are used.
// FUN_OPTIM_ONEDNN=0 turns them off (to compare).
import * as tf from '@tensorflow/tfjs-core';

interface Binding {
  TF_UINT8: number;
  createTensor(shape: number[], dtype: number, values: Uint8Array): unknown;
  TF_ATTR_STRING: number;
  TF_ATTR_INT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_FLOAT: number;
  TF_INT32: number;
}

interface Attr {
  name: string;
  type: number;
  value: unknown;
}

/** The part of tfjs-node's NodeJSKernelBackend used here. */
interface NodeBackend {
  binding: Binding;
  executeMultipleOutputs(name: string, attrs: Attr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
  /** Wraps a TensorFlow handle the binding made as a tfjs tensor (a uint8 one is labelled int32). */
  createOutputTensor(metadata: { id: unknown; shape: number[]; dtype: number }): tf.Tensor;
}

function asNodeBackend(backend: unknown): NodeBackend | undefined {
  const candidate = backend as Partial<NodeBackend> | undefined;
  return typeof candidate?.executeMultipleOutputs === 'function' && candidate.binding ? (candidate as NodeBackend) : undefined;
}

/** Output gradients up to this many values take Eigen's Conv2DBackpropInput. */
const SMALL_INPUT_GRAD = 256 * 1024;

export type { NodeBackend };
export { asNodeBackend };

export class NativeKernels {
  /** Whether the oneDNN kernels are used. */
  readonly oneDnn: boolean;
  private readonly float: Attr;
  private readonly mkl: Attr[];
  private readonly constants = new Map<string, tf.Tensor>();

  constructor(
    private readonly backend: NodeBackend,
    options: { oneDnn: boolean },
  ) {
    const b = backend.binding;
    this.float = { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT };
    this.mkl = [{ name: '_kernel', type: b.TF_ATTR_STRING, value: 'MklNameChangeOp' }];
    this.oneDnn = options.oneDnn && this.probeOneDnn();
  }

  private ints(name: string, value: number[] | number): Attr {
    return { name, type: this.backend.binding.TF_ATTR_INT, value };
  }
  private bool(name: string, value: boolean): Attr {
    return { name, type: this.backend.binding.TF_ATTR_BOOL, value };
  }
  private string(name: string, value: string): Attr {
    return { name, type: this.backend.binding.TF_ATTR_STRING, value };
  }
  private type(name: string, value: 'float32' | 'int32'): Attr {
    const b = this.backend.binding;
    return { name, type: b.TF_ATTR_TYPE, value: value === 'float32' ? b.TF_FLOAT : b.TF_INT32 };
  }

  run(name: string, attrs: Attr[], inputs: tf.Tensor[], outputs = 1): tf.Tensor[] {
    return this.backend.executeMultipleOutputs(name, attrs, inputs, outputs);
  }
  private one(name: string, attrs: Attr[], inputs: tf.Tensor[]): tf.Tensor {
    return this.run(name, attrs, inputs, 1)[0];
  }

  /** A kept int32 vector (shapes, sizes) or scalar (an axis), made once per value. */
  int32(values: number[] | number): tf.Tensor {
    const key = Array.isArray(values) ? `[${values.join(',')}]` : `${values}`;
    let tensor = this.constants.get(key);
    if (!tensor) {
      tensor = tf.keep(Array.isArray(values) ? tf.tensor1d(values, 'int32') : tf.scalar(values, 'int32'));
      this.constants.set(key, tensor);
    }
    return tensor;
  }

  /** A kept float32 scalar, made once per value. */
  scalar(value: number): tf.Tensor {
    const key = `f${value}`;
    let tensor = this.constants.get(key);
    if (!tensor) {
      tensor = tf.keep(tf.scalar(value));
      this.constants.set(key, tensor);
    }
    return tensor;
  }

  private probeOneDnn(): boolean {
    try {
      tf.tidy(() => {
        const x = tf.zeros([1, 4, 4, 1]);
        const { output, workspace } = this.maxPoolOneDnn(x, 2);
        this.one('_MklNativeMaxPoolGrad', this.poolAttrs(2, true), [x, output, output, workspace!]);
        const w = tf.zeros([2, 2, 1, 1]);
        const y = this.one('_MklNativeConv2D', [...this.convAttrs(), ...this.mkl], [x, w]);
        this.one('_MklNativeConv2DBackpropFilter', [...this.convAttrs(), ...this.mkl], [x, this.int32([2, 2, 1, 1]), y]);
        this.one('_MklNativeConv2DBackpropInput', [...this.convAttrs(), ...this.mkl], [this.int32([1, 4, 4, 1]), w, y]);
        this.one('_MklNativeConv2DWithBias', [...this.convAttrs(), ...this.mkl], [x, w, tf.zeros([1])]);
      });
      return true;
    } catch {
      return false;
    }
  }

  private convAttrs(): Attr[] {
    return [this.float, this.ints('strides', [1, 1, 1, 1]), this.string('padding', 'VALID')];
  }
  private poolAttrs(size: number, oneDnn: boolean): Attr[] {
    const attrs = [this.float, this.ints('ksize', [1, size, size, 1]), this.ints('strides', [1, size, size, 1]), this.string('padding', 'VALID')];
    return oneDnn ? [...attrs, this.bool('workspace_enabled', true), ...this.mkl] : attrs;
  }
  private convName(base: string): string {
    return this.oneDnn ? `_MklNative${base}` : base;
  }
  private convAttrsFor(): Attr[] {
    return this.oneDnn ? [...this.convAttrs(), ...this.mkl] : this.convAttrs();
  }

  /** Valid, stride-1 2-D convolution of NHWC `x` with [k, k, in, out] `filter`, plus `bias` if given. */
  conv2d(x: tf.Tensor, filter: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
    if (bias && this.oneDnn) return this.one('_MklNativeConv2DWithBias', [...this.convAttrs(), ...this.mkl], [x, filter, bias]);
    const y = this.one(this.convName('Conv2D'), this.convAttrsFor(), [x, filter]);
    return bias ? this.biasAdd(y, bias) : y;
  }
  conv2dFilterGrad(x: tf.Tensor, filterShape: number[], dy: tf.Tensor): tf.Tensor {
    return this.one(this.convName('Conv2DBackpropFilter'), this.convAttrsFor(), [x, this.int32(filterShape), dy]);
  }
  /** Eigen's input gradient beats oneDNN's on small problems (the seed net's conv2: 0.6 against 0.85 ms). */
  conv2dInputGrad(xShape: number[], filter: tf.Tensor, dy: tf.Tensor): tf.Tensor {
    const name = dy.size <= SMALL_INPUT_GRAD ? 'Conv2DBackpropInput' : this.convName('Conv2DBackpropInput');
    return this.one(name, name.startsWith('_Mkl') ? this.convAttrsFor() : this.convAttrs(), [this.int32(xShape), filter, dy]);
  }

  private maxPoolOneDnn(x: tf.Tensor, size: number): { output: tf.Tensor; workspace?: tf.Tensor } {
    const [output, workspace] = this.run('_MklNativeMaxPool', this.poolAttrs(size, true), [x], 2);
    return { output, workspace };
  }
  /** size x size max-pooling with stride size; `workspace` (oneDNN only) speeds up the gradient. */
  maxPool(x: tf.Tensor, size: number): { output: tf.Tensor; workspace?: tf.Tensor } {
    if (this.oneDnn) return this.maxPoolOneDnn(x, size);
    return { output: this.one('MaxPool', this.poolAttrs(size, false), [x]) };
  }
  maxPoolGrad(x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor, size: number, workspace?: tf.Tensor): tf.Tensor {
    if (this.oneDnn && workspace) return this.one('_MklNativeMaxPoolGrad', this.poolAttrs(size, true), [x, y, dy, workspace]);
    return this.one('MaxPoolGrad', this.poolAttrs(size, false), [x, y, dy]);
  }

  biasAdd(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return this.one('BiasAdd', [this.float], [x, bias]);
  }
  /** The gradient of a bias added along the last axis: dy summed over the others (TensorFlow's
   *  BiasAddGrad is several times slower than Sum on large NHWC gradients). */
  biasGrad(dy: tf.Tensor): tf.Tensor {
    const axes = Array.from({ length: dy.rank - 1 }, (_, i) => i);
    return this.one('Sum', [this.float, this.type('Tidx', 'int32'), this.bool('keep_dims', false)], [dy, this.int32(axes)]);
  }
  relu(x: tf.Tensor): tf.Tensor {
    return this.one('Relu', [this.float], [x]);
  }
  /** dy where the ReLU's output (or input) is positive, else 0. */
  reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return this.one('ReluGrad', [this.float], [dy, y]);
  }
  mul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return this.one('Mul', [this.float], [a, b]);
  }
  matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
    return this.one('MatMul', [this.float, this.bool('transpose_a', transposeA), this.bool('transpose_b', transposeB)], [a, b]);
  }
  reshape(x: tf.Tensor, shape: number[]): tf.Tensor {
    return this.one('Reshape', [this.float, this.type('Tshape', 'int32')], [x, this.int32(shape)]);
  }
  split(x: tf.Tensor, sizes: number[]): tf.Tensor[] {
    const attrs = [this.float, this.type('Tlen', 'int32'), this.ints('num_split', sizes.length)];
    return this.run('SplitV', attrs, [x, this.int32(sizes), this.int32(0)], sizes.length);
  }
  concat(xs: tf.Tensor[]): tf.Tensor {
    const attrs = [this.float, this.ints('N', xs.length), this.type('Tidx', 'int32')];
    return this.one('ConcatV2', attrs, [...xs, this.int32(0)]);
  }
  /** Per-example -log softmax(logits)[label], and its gradient with respect to the logits. */
  softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): { loss: tf.Tensor; backprop: tf.Tensor } {
    const [loss, backprop] = this.run('SparseSoftmaxCrossEntropyWithLogits', [this.float, this.type('Tlabels', 'int32')], [logits, labels], 2);
    return { loss, backprop };
  }
  /** Sum or mean over axis 0 of a vector, to a scalar. */
  reduce(kind: 'Sum' | 'Mean', x: tf.Tensor): tf.Tensor {
    return this.one(kind, [this.float, this.type('Tidx', 'int32'), this.bool('keep_dims', false)], [x, this.int32([0])]);
  }

  // ---- Images held as bytes (a quarter of float32's memory) -----------------------------------
  // tfjs has no uint8 dtype, so such a tensor carries tfjs's 'int32' label and must only ever go to
  // the kernels below, which name its real type.

  /** Byte pixels copied into TensorFlow as a uint8 tensor of `shape`. */
  uploadBytes(pixels: Uint8Array, shape: number[]): tf.Tensor {
    const b = this.backend.binding;
    return this.backend.createOutputTensor({ id: b.createTensor(shape, b.TF_UINT8, pixels), shape, dtype: b.TF_UINT8 });
  }
  /** The rows `indices` of a uint8 tensor, normalised as `normalizeBytes` does. */
  gatherNormalizedBytes(bytes: tf.Tensor, indices: tf.Tensor, mean: number, std: number): tf.Tensor {
    return this.normalizeBytes(this.one('GatherV2', this.byteGatherAttrs(), [bytes, indices, this.int32(0)]), mean, std);
  }
  /** Rows [start, start + size) of a uint8 tensor, normalised as `normalizeBytes` does. */
  sliceNormalizedBytes(bytes: tf.Tensor, start: number, size: number, mean: number, std: number): tf.Tensor {
    // Not kept constants: every batch has its own start.
    const begin = tf.tensor1d([start, ...bytes.shape.slice(1).map(() => 0)], 'int32');
    const sizes = tf.tensor1d([size, ...bytes.shape.slice(1).map(() => -1)], 'int32');
    try {
      return this.normalizeBytes(this.one('Slice', [this.uint8('T'), this.type('Index', 'int32')], [bytes, begin, sizes]), mean, std);
    } finally {
      tf.dispose([begin, sizes]);
    }
  }
  private uint8(name: string): Attr {
    return { name, type: this.backend.binding.TF_ATTR_TYPE, value: this.backend.binding.TF_UINT8 };
  }
  private byteGatherAttrs(): Attr[] {
    return [this.uint8('Tparams'), this.type('Tindices', 'int32'), this.type('Taxis', 'int32'), this.ints('batch_dims', 0)];
  }
  /**
   * (byte / 255 - mean) / std in float32, one rounding per operation: the values of
   * normalizationTable (src/data/normalization.ts; a test compares all 256). Four element-wise ops
   * on a batch; a GatherV2 from the table costs several times more (one 4-byte copy per pixel).
   */
  private normalizeBytes(bytes: tf.Tensor, mean: number, std: number): tf.Tensor {
    const steps: tf.Tensor[] = [bytes];
    try {
      steps.push(this.one('Cast', [this.uint8('SrcT'), this.type('DstT', 'float32'), this.bool('Truncate', false)], [bytes]));
      steps.push(this.one('RealDiv', [this.float], [steps[1], this.scalar(255)]));
      steps.push(this.one('Sub', [this.float], [steps[2], this.scalar(Math.fround(mean))]));
      return this.one('RealDiv', [this.float], [steps[3], this.scalar(Math.fround(std))]);
    } finally {
      tf.dispose(steps);
    }
  }

  dispose(): void {
    for (const tensor of this.constants.values()) tensor.dispose();
    this.constants.clear();
  }
}

let shared: NativeKernels | null | undefined;

/** The native kernels when the current backend is tfjs-node's, else null (cached per process). */
export function nativeKernels(): NativeKernels | null {
  if (shared === undefined) {
    const backend = tf.getBackend() === 'tensorflow' ? asNodeBackend(tf.backend()) : undefined;
    shared = backend ? new NativeKernels(backend, { oneDnn: process.env.FUN_OPTIM_ONEDNN !== '0' }) : null;
  }
  return shared;
}
