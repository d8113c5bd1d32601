// Muon (Jordan et al., 2024) as torch.optim.Muon (2.13) computes it, for 2-D parameters only:
//   B <- lerp(B, g, 1 - momentum)                (mu B + (1 - mu) g; PyTorch's docstring says mu B + g)
//   u <- lerp(g, B, momentum) if nesterov, else B             (g + mu (B - g))
//   O <- Newton-Schulz(u): X <- u (transposed if tall) / max(||u||_F, eps), then nsSteps times
//        A <- X Xᵀ;  X <- a X + (b A + c A²) X;  transposed back
//   param <- param * (1 - lr * weightDecay)      (the unadjusted lr)
//   param <- param - lr * adjust * O,  adjust = sqrt(max(1, rows / cols))   (adjustLrFn null, 'original')
//                                            or 0.2 * sqrt(max(rows, cols))  ('match_rms_adamw')
// PyTorch runs Newton-Schulz in bfloat16; this runs it in float32 (see ../shared/golden/README.md).
//
// Muon is meant for the 2-D weights of hidden layers; biases, gains and (by its authors' advice)
// embeddings and the output layer go to AdamW. `MuonWithAdamW` below is that pairing as one
// tf.Optimizer, for model.compile / model.fit.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { AdamW, AdamWOptions } from './adamw';
import { decayed } from './gradient';
import { lerp, movingAverage } from './moving-average';
import { BaseOptions, TorchOptimizer, UpdateRule, findVariable } from './torch-optimizer';
import { OptimizerOptionError, check, requireLearningRate } from './options';

export type AdjustLrFn = 'original' | 'match_rms_adamw';

export interface MuonOptions extends BaseOptions {
  lr: number;
  weightDecay: number;
  momentum: number;
  nesterov: boolean;
  /** (a, b, c) of the quintic Newton-Schulz step X <- a X + (b A + c A²) X. */
  nsCoefficients: readonly [number, number, number];
  eps: number;
  nsSteps: number;
  /** null means 'original'. */
  adjustLrFn: AdjustLrFn | null;
}

export const muonDefaults: MuonOptions = {
  lr: 1e-3,
  weightDecay: 0.1,
  momentum: 0.95,
  nesterov: true,
  nsCoefficients: [3.4445, -4.775, 2.0315],
  eps: 1e-7,
  nsSteps: 5,
  adjustLrFn: null,
};

const ADJUST_LR_FNS: ReadonlyArray<AdjustLrFn | null> = [null, 'original', 'match_rms_adamw'];

export function validateMuon(o: MuonOptions): void {
  requireLearningRate(o.lr);
  check(o.momentum >= 0, `momentum should be >= 0 but is: ${o.momentum}`);
  check(o.weightDecay >= 0, `weight decay should be >= 0 but is: ${o.weightDecay}`);
  check(
    ADJUST_LR_FNS.includes(o.adjustLrFn),
    `Adjust learning rate function ${o.adjustLrFn} is not supported (use null, 'original' or 'match_rms_adamw')`,
  );
  // PyTorch raises these at the first step; refusing them here changes nothing.
  check(Number.isInteger(o.nsSteps) && o.nsSteps >= 0, `Invalid ns_steps value: ${o.nsSteps} (it must be a whole number >= 0)`);
  // PyTorch's wording, after the option's name (PyTorch's message does not say which option).
  check(o.nsSteps < 100, `ns_steps = ${o.nsSteps}: Number of steps must be less than 100 for computational efficiency`);
  check(o.eps >= 0, `Invalid epsilon value: ${o.eps} (it must be >= 0)`);
}

/** The factor on lr for a rows x cols parameter. */
export function adjustedLrRatio(adjustLrFn: AdjustLrFn | null, rows: number, cols: number): number {
  return adjustLrFn === 'match_rms_adamw' ? 0.2 * Math.sqrt(Math.max(rows, cols)) : Math.sqrt(Math.max(1, rows / cols));
}

/**
 * Newton-Schulz orthogonalisation of a matrix, in float32: roughly U Vᵀ of its SVD (singular values
 * pushed into about [0.7, 1.2] rather than to 1). Works on the wide orientation, as PyTorch does.
 */
export function newtonSchulz(
  matrix: tf.Tensor2D,
  [a, b, c]: readonly [number, number, number],
  steps: number,
  eps: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const tall = matrix.shape[0] > matrix.shape[1];
    const oriented = tall ? tf.transpose(matrix) : matrix;
    let x: tf.Tensor2D = tf.div(oriented, tf.maximum(tf.norm(oriented), eps));
    for (let k = 0; k < steps; k++) {
      // Each iteration's temporaries are freed before the next (they are full-size matrices).
      const next = tf.tidy(() => {
        const gram = tf.matMul(x, x, false, true);
        const polynomial = tf.add(tf.mul(gram, b), tf.mul(tf.matMul(gram, gram), c)); // torch.addmm(A, A, A, beta=b, alpha=c)
        return tf.add(tf.mul(x, a), tf.matMul(polynomial, x)) as tf.Tensor2D;
      });
      if (x !== oriented) x.dispose();
      x = next;
    }
    return tall ? tf.transpose(x) : x;
  });
}

/** PyTorch's message for a parameter Muon cannot take, with what to do instead. */
function notTwoDimensional(param: tf.Variable): string {
  return (
    `Muon only supports 2D parameters whereas we found a parameter with size: [${param.shape.join(', ')}] ` +
    `(variable '${param.name}'). Give Muon the 2-D weights only and AdamW the rest, e.g. createMuonWithAdamW().`
  );
}

export const muonRule: UpdateRule<MuonOptions> = {
  init: (param) => ({ tensors: { momentumBuffer: tf.zerosLike(param) }, scalars: {} }),
  checkParam: (param) => {
    if (param.rank !== 2) throw new OptimizerOptionError(notTwoDimensional(param));
  },
  update: ({ param, grad, state, lr, options: o }) => {
    const momentumBuffer = movingAverage(state.tensors.momentumBuffer, grad, o.momentum);
    const direction = o.nesterov ? lerp(grad, momentumBuffer, o.momentum) : momentumBuffer;
    const orthogonal = newtonSchulz(direction as tf.Tensor2D, o.nsCoefficients, o.nsSteps, o.eps);
    const [rows, cols] = param.shape;
    const adjustedLr = lr * adjustedLrRatio(o.adjustLrFn, rows, cols);
    return {
      param: tf.add(decayed(param, lr, o.weightDecay), tf.mul(orthogonal, -adjustedLr)),
      tensors: { momentumBuffer },
    };
  },
};

export class Muon extends TorchOptimizer<MuonOptions> {
  static get className(): string {
    return 'TorchMuon';
  }
  constructor(options?: Partial<MuonOptions>) {
    super('Muon', muonDefaults, options, validateMuon, muonRule);
  }
}

// ---- Muon for the 2-D weights, AdamW for the rest ------------------------------------------

export interface MuonWithAdamWOptions {
  /** Muon's options (PyTorch's defaults where absent). */
  muon?: Partial<MuonOptions>;
  /** AdamW's options for every other variable (PyTorch's defaults where absent). */
  adamw?: Partial<AdamWOptions>;
  /**
   * Which variables Muon updates; default: every 2-D one. Muon's authors also leave embeddings and
   * the output layer to AdamW: `(v) => v.rank === 2 && !v.name.startsWith('output')`.
   */
  useMuon?: (variable: tf.Variable) => boolean;
}

const MUON_PREFIX = 'muon/';
const ADAMW_PREFIX = 'adamw/';

/**
 * One tf.Optimizer that sends each gradient to Muon or to AdamW by its variable, as Muon is used in
 * practice. Both step on every `applyGradients` (as two PyTorch optimizers stepped together); set
 * `.muon.lr` and `.adamw.lr` to schedule them. Muon's checks run first, so a variable it refuses
 * leaves every variable unchanged.
 */
export class MuonWithAdamW extends tf.Optimizer {
  static get className(): string {
    return 'TorchMuonWithAdamW';
  }
  readonly muon: Muon;
  readonly adamw: AdamW;
  private readonly useMuon: (variable: tf.Variable) => boolean;
  private exportedIterations: tf.Tensor | undefined;

  constructor(options: MuonWithAdamWOptions = {}) {
    super();
    const unknown = Object.keys(options).filter((key) => !['muon', 'adamw', 'useMuon'].includes(key));
    check(unknown.length === 0, `MuonWithAdamW has no option ${unknown.map((k) => `'${k}'`).join(', ')}. Its options are: muon, adamw, useMuon.`);
    this.muon = new Muon(options.muon);
    this.adamw = new AdamW(options.adamw);
    this.useMuon = options.useMuon ?? ((variable) => variable.rank === 2);
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: Array<[string, tf.Tensor]> = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor])
      : Object.entries(variableGradients);
    const forMuon: tf.NamedTensorMap = {};
    const forAdamW: tf.NamedTensorMap = {};
    for (const [name, grad] of entries) (this.useMuon(findVariable(name)) ? forMuon : forAdamW)[name] = grad;
    this.muon.applyGradients(forMuon);
    this.adamw.applyGradients(forAdamW);
    this.incrementIterations();
  }

  /** This optimizer's iteration count, then Muon's weights as `muon/...` and AdamW's as `adamw/...`. */
  override async getWeights(): Promise<NamedTensor[]> {
    this.exportedIterations?.dispose();
    const iterations = await this.saveIterations();
    this.exportedIterations = iterations.tensor;
    const prefixed = (prefix: string, weights: NamedTensor[]) => weights.map(({ name, tensor }) => ({ name: prefix + name, tensor }));
    return [
      iterations,
      ...prefixed(MUON_PREFIX, await this.muon.getWeights()),
      ...prefixed(ADAMW_PREFIX, await this.adamw.getWeights()),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const part = (prefix: string) =>
      rest.filter(({ name }) => name.startsWith(prefix)).map(({ name, tensor }) => ({ name: name.slice(prefix.length), tensor }));
    const stray = rest.filter(({ name }) => !name.startsWith(MUON_PREFIX) && !name.startsWith(ADAMW_PREFIX));
    check(stray.length === 0, `MuonWithAdamW.setWeights: weight '${stray[0]?.name}' is neither 'muon/...' nor 'adamw/...'`);
    await this.muon.setWeights(part(MUON_PREFIX));
    await this.adamw.setWeights(part(ADAMW_PREFIX));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { muon: this.muon.getConfig(), adamw: this.adamw.getConfig() };
  }

  override dispose(): void {
    this.exportedIterations?.dispose();
    this.exportedIterations = undefined;
    this.muon.dispose();
    this.adamw.dispose();
  }
}

/**
 * Muon for the 2-D weights (or those `useMuon` picks) and AdamW for the rest, as one tf.Optimizer:
 *
 *   const optimizer = createMuonWithAdamW({ muon: { lr: 0.02 }, adamw: { lr: 1e-3 } });
 *   model.compile({ optimizer, loss: 'categoricalCrossentropy' });   // dense kernels: Muon; biases: AdamW
 *   await model.fit(xs, ys, { epochs: 5 });
 *
 * A conv kernel is 4-D, so by default it goes to AdamW (Muon's authors flatten it to 2-D; PyTorch's
 * Muon, and this one, refuse anything but 2-D).
 */
export function createMuonWithAdamW(options: MuonWithAdamWOptions = {}): MuonWithAdamW {
  return new MuonWithAdamW(options);
}
