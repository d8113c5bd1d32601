// L-BFGS as torch.optim.LBFGS computes it. Unlike the other optimizers it is not a per-parameter rule:
// one step re-evaluates the loss several times, so it runs only through `minimize(f)` (PyTorch's
// `step(closure)`). All parameters are flattened into one vector x (in varList order) and each step
// runs up to maxIter iterations of
//   d <- -H g                        (two-loop recursion over the last historySize pairs (s, y),
//                                     H0 = (s'y / y'y) I; d = -g on the very first iteration)
//   t <- min(1, 1/|g|_1) * lr on the very first iteration, lr afterwards
//   x <- x + t d                     (fixed step, or t from the strong Wolfe line search)
// stopping on PyTorch's tolerances (max |g| <= toleranceGrad, g'd > -toleranceChange, max |t d| or
// |loss change| <= toleranceChange), maxIter or maxEval. The history persists across steps.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { check, OptionRecord, requireLearningRate } from './options';
import { strongWolfe } from './strong-wolfe';
import { OptimizerBase, SavedState } from './torch-optimizer';

export interface LBFGSOptions extends OptionRecord {
  lr: number;
  maxIter: number;
  /** Loss evaluations allowed per step; null means PyTorch's default, floor(maxIter * 5 / 4). */
  maxEval: number | null;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  /** null: a fixed step of lr; 'strong_wolfe': a line search (the only one PyTorch has). */
  lineSearchFn: string | null;
}

export const lbfgsDefaults: LBFGSOptions = {
  lr: 1,
  maxIter: 20,
  maxEval: null,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
};

export function validateLBFGS(o: LBFGSOptions): void {
  requireLearningRate(o.lr);
  check(Number.isInteger(o.maxIter) && o.maxIter >= 1, `Invalid max_iter value: ${o.maxIter} (it must be an integer >= 1)`);
  check(
    o.maxEval === null || (typeof o.maxEval === 'number' && Number.isInteger(o.maxEval) && o.maxEval >= 1),
    `Invalid max_eval value: ${JSON.stringify(o.maxEval)} (it must be an integer >= 1, or null for PyTorch's default max_iter * 5 // 4)`,
  );
  check(o.toleranceGrad >= 0, `Invalid tolerance_grad value: ${o.toleranceGrad} (it must be >= 0)`);
  check(o.toleranceChange >= 0, `Invalid tolerance_change value: ${o.toleranceChange} (it must be >= 0)`);
  check(Number.isInteger(o.historySize) && o.historySize >= 1, `Invalid history_size value: ${o.historySize} (it must be an integer >= 1)`);
  check(
    o.lineSearchFn === null || o.lineSearchFn === 'strong_wolfe',
    `Invalid line_search_fn value: ${JSON.stringify(o.lineSearchFn)}. Use 'strong_wolfe' for a line search, or null for a fixed step of lr (PyTorch supports only these).`,
  );
}

/** The state PyTorch keeps in `optimizer.state`, as tensors. History rows are oldest first. */
const TENSOR_SLOTS = [
  'd', // the last search direction
  'oldDirs', // [m, n]: gradient changes y = g_{k+1} - g_k (PyTorch's old_dirs)
  'oldStps', // [m, n]: steps s = t d (PyTorch's old_stps)
  'ro', // [m]: 1 / (y's)
  'hDiag', // scalar: the scale of the initial inverse Hessian, y's / y'y
  'prevFlatGrad', // the gradient where the last direction was computed
] as const;
/** The state PyTorch keeps as Python numbers. */
const SCALAR_SLOTS = ['funcEvals', 'nIter', 't', 'prevLoss'] as const;
type TensorSlot = (typeof TENSOR_SLOTS)[number];
type ScalarSlot = (typeof SCALAR_SLOTS)[number];

const WEIGHT_PREFIX = 'lbfgs/';
/** PyTorch's threshold on y's below which a pair is not added to the history. */
const MIN_CURVATURE = 1e-10;

/** PyTorch's max_eval default, floor(max_iter * 5 / 4), for a maxEval of null. */
function withMaxEval(o: LBFGSOptions): LBFGSOptions {
  return o.maxEval === null ? { ...o, maxEval: Math.floor((o.maxIter * 5) / 4) } : o;
}

export class LBFGS extends OptimizerBase<LBFGSOptions> {
  static get className(): string {
    return 'TorchLBFGS';
  }

  private tensors: Partial<Record<TensorSlot, tf.Tensor>> = {};
  private scalars: Partial<Record<ScalarSlot, number>> = {};

  constructor(options?: Partial<LBFGSOptions>) {
    super(
      'LBFGS',
      {
        defaults: lbfgsDefaults,
        validate: validateLBFGS,
        normalize: withMaxEval,
        maxGroups: { count: 1, message: "LBFGS doesn't support per-parameter options (parameter groups)" },
      },
      options,
    );
  }

  /** Loss evaluations over the optimizer's life, and L-BFGS iterations (PyTorch's func_evals, n_iter). */
  get counters(): { funcEvals: number; nIter: number } {
    return { funcEvals: this.scalars.funcEvals ?? 0, nIter: this.scalars.nIter ?? 0 };
  }

  applyGradients(_variableGradients: tf.NamedTensorMap | NamedTensor[]): never {
    throw new Error(
      'LBFGS cannot step from precomputed gradients: like torch.optim.LBFGS.step(closure) it evaluates the loss ' +
        'several times per step. Call optimizer.minimize(() => loss, returnCost, varList) instead ' +
        '(model.compile/model.fit already do).',
    );
  }

  /**
   * One L-BFGS step, PyTorch's `step(closure)` with `f` as the closure: `f` runs (with gradients) as
   * often as PyTorch runs the closure. Returns the loss at the start of the step when `returnCost`.
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const params = this.parametersOf(varList);
    const { lr, maxIter, toleranceGrad, toleranceChange, historySize, lineSearchFn } = this.groupOptions(0);
    const maxEval = this.groupOptions(0).maxEval as number;
    const first = lossAndGradient(f, params);
    const firstLoss = first.loss;
    let flatGrad = first.flatGrad;
    try {
      let loss = firstLoss.dataSync()[0];
      let currentEvals = 1;
      this.count('funcEvals', 1);
      this.incrementIterations();
      // Already optimal at the start: PyTorch returns before touching the rest of the state.
      let optimal = maxAbs(flatGrad) <= toleranceGrad;
      let nIter = 0;
      while (!optimal && nIter < maxIter) {
        nIter++;
        this.count('nIter', 1);

        const d = this.nextDirection(flatGrad, historySize);
        this.put('prevFlatGrad', flatGrad.clone());
        this.scalars.prevLoss = loss;
        let t = this.scalars.nIter === 1 ? firstStepSize(flatGrad, lr) : lr;
        this.scalars.t = t;

        const gtd = readScalar(tf.dot(flatGrad, d));
        if (gtd > -toleranceChange) break; // not a descent direction (any more)

        let evals = 0;
        if (lineSearchFn === 'strong_wolfe') {
          const origin = params.map((p) => p.clone());
          try {
            const found = strongWolfe(
              (step) => this.lossAtStep(f, params, origin, step, d),
              d,
              { t, loss, grad: flatGrad, gtd },
              { maxLs: maxEval - currentEvals },
            );
            if (found.grad !== flatGrad) flatGrad.dispose();
            ({ t, loss, grad: flatGrad, evaluations: evals } = found);
          } finally {
            tf.dispose(origin);
          }
          this.scalars.t = t;
          moveParams(params, t, d);
          optimal = maxAbs(flatGrad) <= toleranceGrad;
        } else {
          moveParams(params, t, d);
          // PyTorch skips the evaluation after the last iteration (useless with stochastic losses).
          if (nIter !== maxIter) {
            const next = lossAndGradient(f, params);
            loss = readScalar(next.loss);
            flatGrad.dispose();
            flatGrad = next.flatGrad;
            optimal = maxAbs(flatGrad) <= toleranceGrad;
            evals = 1;
          }
        }
        currentEvals += evals;
        this.count('funcEvals', evals);

        if (nIter === maxIter || currentEvals >= maxEval || optimal) break;
        if (readScalar(tf.tidy(() => tf.max(tf.abs(tf.mul(d, t))))) <= toleranceChange) break; // no progress in x
        if (Math.abs(loss - (this.scalars.prevLoss as number)) < toleranceChange) break; // no progress in f
      }
    } catch (error) {
      firstLoss.dispose();
      throw error;
    } finally {
      flatGrad.dispose();
    }
    if (returnCost) return firstLoss;
    firstLoss.dispose();
    return null;
  }

  /** The trainable variables to optimize, checked against the size of the history they must match. */
  private parametersOf(varList?: tf.Variable[]): tf.Variable[] {
    const candidates = varList ?? Object.values(tf.engine().registeredVariables);
    // With a param group, only its variables (PyTorch's LBFGS steps the parameters it was given).
    const params = candidates.filter((v) => v.trainable && this.groupIfAny(v));
    if (params.length === 0) throw new Error('LBFGS.minimize: there is no trainable variable to optimize (varList holds none).');
    const size = params.reduce((total, p) => total + p.size, 0);
    const stateSize = this.tensors.d?.size;
    if (stateSize !== undefined && stateSize !== size) {
      throw new Error(
        `LBFGS.minimize: this optimizer's history is for ${stateSize} parameter values, but varList holds ${size}. ` +
          'L-BFGS works on one fixed parameter vector: use a new LBFGS for other variables.',
      );
    }
    return params;
  }

  /** d = -g on the first iteration ever; otherwise update the history with (s, y) and apply the two-loop recursion. */
  private nextDirection(flatGrad: tf.Tensor1D, historySize: number): tf.Tensor1D {
    if (this.scalars.nIter === 1) {
      for (const slot of ['oldDirs', 'oldStps', 'ro'] as const) this.put(slot, undefined);
      this.put('hDiag', tf.scalar(1));
      return this.put('d', tf.neg(flatGrad));
    }
    const { d, prevFlatGrad } = this.tensors as Record<TensorSlot, tf.Tensor1D>;
    const y = tf.sub(flatGrad, prevFlatGrad) as tf.Tensor1D;
    const s = tf.mul(d, this.scalars.t as number) as tf.Tensor1D;
    const ys = tf.dot(y, s) as tf.Scalar;
    if (ys.dataSync()[0] > MIN_CURVATURE) {
      this.put('oldDirs', appendRow(this.tensors.oldDirs, y, historySize));
      this.put('oldStps', appendRow(this.tensors.oldStps, s, historySize));
      const rho = tf.div(1, ys);
      this.put('ro', appendRow(this.tensors.ro, rho, historySize));
      this.put('hDiag', tf.tidy(() => tf.div(ys, tf.dot(y, y))));
      rho.dispose();
    }
    tf.dispose([y, s, ys]);
    return this.put('d', twoLoopDirection(flatGrad, this.tensors as Record<TensorSlot, tf.Tensor>));
  }

  /** The loss and gradient at origin + t*d; the parameters are put back to origin afterwards. */
  private lossAtStep(f: () => tf.Scalar, params: tf.Variable[], origin: tf.Tensor[], t: number, d: tf.Tensor1D) {
    try {
      moveParams(params, t, d);
      const { loss, flatGrad } = lossAndGradient(f, params);
      return { loss: readScalar(loss), grad: flatGrad };
    } finally {
      params.forEach((p, i) => p.assign(origin[i]));
    }
  }

  /** Stores a state tensor (kept out of any enclosing tf.tidy, as model.fit has one) and frees the one it replaces. */
  private put<T extends tf.Tensor>(slot: TensorSlot, tensor: T): T;
  private put(slot: TensorSlot, tensor: undefined): undefined;
  private put<T extends tf.Tensor>(slot: TensorSlot, tensor: T | undefined): T | undefined {
    const old = this.tensors[slot];
    if (old !== tensor) old?.dispose();
    if (tensor) this.tensors[slot] = tf.keep(tensor);
    else delete this.tensors[slot];
    return tensor;
  }

  private count(slot: 'funcEvals' | 'nIter', by: number): void {
    this.scalars[slot] = (this.scalars[slot] ?? 0) + by;
  }

  override dispose(): void {
    super.dispose();
    tf.dispose(Object.values(this.tensors));
    this.tensors = {};
    this.scalars = {};
  }

  /**
   * The state: `lbfgs/<slot>` for each tensor (PyTorch's d, old_dirs, old_stps, ro, H_diag,
   * prev_flat_grad) and `lbfgs/<key>:f64` for each number (func_evals, n_iter, t, prev_loss). The
   * tensors are copies owned by the optimizer, valid until the next `getWeights()` or `dispose()`.
   */
  protected savedState(): SavedState {
    const tensors = TENSOR_SLOTS.flatMap((slot) => {
      const tensor = this.tensors[slot];
      return tensor ? [{ name: WEIGHT_PREFIX + slot, tensor: tensor.clone() }] : [];
    });
    const scalars: Record<string, number> = {};
    for (const slot of SCALAR_SLOTS) if (this.scalars[slot] !== undefined) scalars[WEIGHT_PREFIX + slot] = this.scalars[slot]!;
    return { tensors, scalars, temporaries: tensors.map((w) => w.tensor) };
  }

  protected prepareRestore(tensors: Map<string, tf.Tensor>, scalars: Map<string, number>): () => void {
    const where = 'LBFGS.setWeights';
    const known = [...TENSOR_SLOTS, ...SCALAR_SLOTS.map((slot) => slot + ':f64')].map((slot) => WEIGHT_PREFIX + slot);
    const unknown = (name: string) =>
      new Error(`${where}: unknown weight '${name}'. LBFGS.getWeights() gives 'iter', '@optimizer' and ${known.join(', ')}. Nothing was restored.`);
    const restoredTensors: Partial<Record<TensorSlot, tf.Tensor>> = {};
    const restoredScalars: Partial<Record<ScalarSlot, number>> = {};
    for (const [name, tensor] of tensors) {
      const slot = name.startsWith(WEIGHT_PREFIX) ? name.slice(WEIGHT_PREFIX.length) : '';
      if (!(TENSOR_SLOTS as readonly string[]).includes(slot)) throw unknown(name);
      restoredTensors[slot as TensorSlot] = tensor;
    }
    for (const [name, value] of scalars) {
      const slot = name.startsWith(WEIGHT_PREFIX) ? name.slice(WEIGHT_PREFIX.length) : '';
      if (!(SCALAR_SLOTS as readonly string[]).includes(slot)) throw unknown(`${name}:f64`);
      restoredScalars[slot as ScalarSlot] = value;
    }
    checkHistory(where, restoredTensors);
    checkNumbers(where, restoredScalars, Object.keys(restoredTensors).length > 0);
    return () => {
      tf.dispose(Object.values(this.tensors));
      this.tensors = {};
      for (const [slot, tensor] of Object.entries(restoredTensors)) this.put(slot as TensorSlot, tensor.clone());
      this.scalars = restoredScalars;
    };
  }
}

/**
 * The shapes of restored L-BFGS state agree: d and prevFlatGrad are vectors of one length n,
 * hDiag a scalar, and the history (all three of oldDirs [m, n], oldStps [m, n], ro [m], or none).
 */
function checkHistory(where: string, t: Partial<Record<TensorSlot, tf.Tensor>>): void {
  const fail = (what: string) => {
    throw new Error(`${where}: ${what}. Nothing was restored.`);
  };
  for (const [slot, tensor] of Object.entries(t)) if (tensor.dtype !== 'float32') fail(`'lbfgs/${slot}' is ${tensor.dtype}, not float32`);
  if (Object.keys(t).length === 0) return;
  if (!t.d || !t.prevFlatGrad || !t.hDiag) fail("the state lacks one of 'lbfgs/d', 'lbfgs/prevFlatGrad', 'lbfgs/hDiag'");
  const n = t.d!.shape[0];
  if (t.d!.rank !== 1 || !tf.util.arraysEqual(t.prevFlatGrad!.shape, [n])) fail(`'lbfgs/d' and 'lbfgs/prevFlatGrad' must be vectors of one length`);
  if (t.hDiag!.rank !== 0) fail(`'lbfgs/hDiag' must be a scalar, got shape [${t.hDiag!.shape}]`);
  const history = [t.oldDirs, t.oldStps, t.ro].filter((x) => x !== undefined).length;
  if (history === 0) return;
  if (history !== 3) fail("the history needs all of 'lbfgs/oldDirs', 'lbfgs/oldStps' and 'lbfgs/ro'");
  const m = t.ro!.shape[0];
  if (t.ro!.rank !== 1 || !tf.util.arraysEqual(t.oldDirs!.shape, [m, n]) || !tf.util.arraysEqual(t.oldStps!.shape, [m, n])) {
    fail(`the history must be oldDirs [m, ${n}], oldStps [m, ${n}] and ro [m]; got [${t.oldDirs!.shape}], [${t.oldStps!.shape}], [${t.ro!.shape}]`);
  }
}

/**
 * The numbers of restored L-BFGS state agree with its tensors: one that has iterated keeps its
 * direction tensors and all four numbers (the next step reads them all); one that has not keeps no
 * tensors and at most funcEvals (a first step that found the start optimal). Counts are whole.
 */
function checkNumbers(where: string, n: Partial<Record<ScalarSlot, number>>, hasTensors: boolean): void {
  const fail = (what: string) => {
    throw new Error(`${where}: ${what}. Nothing was restored.`);
  };
  if (n.funcEvals !== undefined && !(Number.isInteger(n.funcEvals) && n.funcEvals >= 1)) fail(`'lbfgs/funcEvals:f64' must be a whole number >= 1, got ${n.funcEvals}`);
  if (n.nIter !== undefined && !(Number.isInteger(n.nIter) && n.nIter >= 1)) fail(`'lbfgs/nIter:f64' must be a whole number >= 1, got ${n.nIter}`);
  const iterated = hasTensors || n.nIter !== undefined || n.t !== undefined || n.prevLoss !== undefined;
  if (!iterated) return;
  const missing = SCALAR_SLOTS.filter((slot) => n[slot] === undefined).map((slot) => `'lbfgs/${slot}:f64'`);
  if (missing.length > 0 || !hasTensors) {
    fail(
      `the state lacks ${[...missing, ...(hasTensors ? [] : ["'lbfgs/d', 'lbfgs/prevFlatGrad', 'lbfgs/hDiag'"])].join(', ')} ` +
        '(an L-BFGS that has iterated keeps d, prevFlatGrad and hDiag, and the numbers funcEvals, nIter, t and prevLoss)',
    );
  }
}

/** f's value and its gradient with respect to params, flattened into one vector (zeros where f does not depend on a parameter). */
function lossAndGradient(f: () => tf.Scalar, params: tf.Variable[]): { loss: tf.Scalar; flatGrad: tf.Tensor1D } {
  const { value, grads } = tf.variableGrads(f, params);
  const flatGrad = tf.tidy(() => tf.concat(params.map((p) => tf.reshape(grads[p.name] ?? tf.zerosLike(p), [-1]))) as tf.Tensor1D);
  tf.dispose(Object.values(grads).filter((g) => g != null));
  return { loss: value, flatGrad };
}

/** params <- params + t * d, d cut into the parameters' shapes in order (PyTorch's _add_grad). */
function moveParams(params: tf.Variable[], t: number, d: tf.Tensor1D): void {
  tf.tidy(() => {
    let offset = 0;
    for (const p of params) {
      p.assign(tf.add(p, tf.mul(tf.reshape(tf.slice(d, offset, p.size), p.shape), t)));
      offset += p.size;
    }
  });
}

/**
 * The first step of all: min(1, 1/|g|_1) * lr. PyTorch computes it as a float32 tensor when
 * 1/|g|_1 < 1 (and keeps the Python float lr otherwise); round the same way.
 */
function firstStepSize(flatGrad: tf.Tensor1D, lr: number): number {
  const inverse = Math.fround(1 / readScalar(tf.tidy(() => tf.sum(tf.abs(flatGrad)))));
  return inverse < 1 ? Math.fround(inverse * Math.fround(lr)) : lr;
}

/**
 * The two-loop recursion: -H g for the L-BFGS inverse Hessian approximation H built from the
 * history (oldest first) and the initial scale hDiag.
 */
function twoLoopDirection(flatGrad: tf.Tensor1D, state: Record<TensorSlot, tf.Tensor>): tf.Tensor1D {
  const { oldDirs, oldStps, ro, hDiag } = state;
  const rho = ro ? ro.dataSync() : new Float32Array(0); // float32 values: exact as host numbers
  const row = (matrix: tf.Tensor, i: number) => tf.reshape(tf.slice(matrix, [i, 0], [1, -1]), [-1]);
  const alphas: tf.Scalar[] = [];
  // Each pass is its own tidy, so that only O(n) memory is live beyond the history.
  let q = tf.neg(flatGrad) as tf.Tensor1D;
  for (let i = rho.length - 1; i >= 0; i--) {
    const [alpha, next] = tf.tidy(() => {
      const a = tf.mul(tf.dot(row(oldStps, i), q), rho[i]);
      return [a, tf.sub(q, tf.mul(row(oldDirs, i), a))];
    }) as [tf.Scalar, tf.Tensor1D];
    q.dispose();
    q = next;
    alphas[i] = alpha;
  }
  let r = tf.mul(q, hDiag) as tf.Tensor1D;
  q.dispose();
  for (let i = 0; i < rho.length; i++) {
    const next = tf.tidy(() => {
      const beta = tf.mul(tf.dot(row(oldDirs, i), r), rho[i]);
      return tf.add(r, tf.mul(row(oldStps, i), tf.sub(alphas[i], beta))) as tf.Tensor1D;
    });
    r.dispose();
    r = next;
  }
  tf.dispose(alphas);
  return r;
}

/** history with `row` appended as its last row, dropping the oldest row when it already holds `capacity`. */
function appendRow(history: tf.Tensor | undefined, row: tf.Tensor, capacity: number): tf.Tensor {
  return tf.tidy(() => {
    const newRow = tf.expandDims(row, 0);
    if (!history) return newRow;
    const kept = history.shape[0] === capacity ? tf.slice(history, 1) : history;
    return tf.concat([kept, newRow]);
  });
}

function maxAbs(x: tf.Tensor): number {
  return readScalar(tf.tidy(() => tf.max(tf.abs(x))));
}

function readScalar(scalar: tf.Tensor): number {
  const value = scalar.dataSync()[0];
  scalar.dispose();
  return value;
}
