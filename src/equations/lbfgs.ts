// L-BFGS as torch.optim.LBFGS computes it without a line search: each step re-evaluates the
// objective, builds a direction from the last `historySize` curvature pairs with the two-loop
// recursion, and moves a fixed step t along it, up to maxIter times (fewer when a tolerance or
// maxEval says stop). Unlike the other optimizers it works on the whole flattened parameter, so
// its equations are mathjs expressions on vectors (plain arrays, `dot`), and the loops and stopping
// rules around them are written out below in the order PyTorch's `step(closure)` runs them.
//
// The strong-Wolfe line search (`lineSearchFn: 'strong_wolfe'`) is not written in mathjs: it is a
// bracketing/zoom procedure with cubic interpolation, control flow rather than an update equation,
// so the hand computation refuses it and the tests check it against ../shared/golden instead.
import { Equation, OptionValues, SymbolTex, alignedLines, math, parseAssignment, refuse, renderLines } from './core';

export interface LbfgsOptions extends OptionValues {
  lr: number;
  maxIter: number;
  /** null: PyTorch's default, maxIter * 5 // 4. */
  maxEval: number | null;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: string | null;
}

export const lbfgsDefaults: LbfgsOptions = {
  lr: 1,
  maxIter: 20,
  maxEval: null,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
};

function equation(source: string, label: string): Equation {
  return { source, label, ...parseAssignment(source) };
}

/** The vector equations, each parsed once. `theta` is the flattened parameter, `flatGrad` its gradient. */
export const lbfgsEquations = {
  firstDirection: equation('d = -flatGrad', 'direction (first iteration only)'),
  gradientChange: equation('y = flatGrad - prevFlatGrad', 'gradient change over the last move'),
  parameterChange: equation('s = t * d', 'the last move'),
  curvature: equation('ys = dot(y, s)', 'curvature; the pair (s, y) is kept only if it exceeds 1e-10'),
  inverseHessianScale: equation('hDiag = ys / dot(y, y)', 'scale of the initial inverse Hessian'),
  pairWeight: equation('rho = 1 / ys', 'weight of the kept pair'),
  twoLoopStart: equation('q = -flatGrad', 'two-loop recursion'),
  backwardWeight: equation('alpha_i = rho_i * dot(s_i, q)', 'for i = newest ... oldest pair'),
  backwardUpdate: equation('q = q - alpha_i * y_i', 'for i = newest ... oldest pair'),
  scale: equation('r = hDiag * q', 'initial inverse Hessian'),
  forwardWeight: equation('beta_i = rho_i * dot(y_i, r)', 'for i = oldest ... newest pair'),
  forwardUpdate: equation('r = r + (alpha_i - beta_i) * s_i', 'for i = oldest ... newest pair'),
  direction: equation('d = r', 'direction'),
  firstStepLength: equation('t = min(1, 1 / sum(abs(flatGrad))) * lr', 'step length (first iteration only)'),
  stepLength: equation('t = lr', 'step length'),
  directionalDerivative: equation('gtd = dot(flatGrad, d)', 'directional derivative (stop unless below -toleranceChange)'),
  update: equation('theta = theta + t * d', 'fixed step (no line search)'),
} as const;

const lbfgsSymbols: Record<string, SymbolTex> = {
  theta: '\\theta',
  flatGrad: 'g',
  prevFlatGrad: 'g_{\\mathrm{prev}}',
  hDiag: '\\gamma',
  ys: '\\sigma',
  gtd: '\\delta',
  lr: '\\eta',
};

/** The LaTeX lines of L-BFGS's direction and fixed-step update, in the order they run. */
export function lbfgsLatex(): string[] {
  const e = lbfgsEquations;
  const order = [
    e.firstDirection, e.firstStepLength, e.gradientChange, e.parameterChange, e.curvature, e.inverseHessianScale, e.pairWeight,
    e.twoLoopStart, e.backwardWeight, e.backwardUpdate, e.scale, e.forwardWeight, e.forwardUpdate,
    e.direction, e.stepLength, e.directionalDerivative, e.update,
  ];
  return alignedLines(renderLines(order, lbfgsSymbols));
}

/**
 * The objective: loss and gradient at x (float64), and optionally the magnitude of the terms each is
 * summed from (what float32 rounds against: a float32 evaluation is off by about 2^-23 of it).
 */
export type Objective = (x: readonly number[]) => { loss: number; grad: number[]; lossScale?: number; gradScale?: number };

/** float32's relative resolution, 2^-23: the unit in which a decision's margin is counted. */
export const FLOAT32_EPSILON = 2 ** -23;

/**
 * One threshold comparison that steered the step. A float32 run computes `value` with an error of
 * a few `FLOAT32_EPSILON * scale`; `margin` is the distance to the threshold in those units, so a
 * decision with a small margin may go the other way on another CPU (another summation order).
 */
export interface LbfgsDecision {
  iteration: number;
  rule: 'toleranceGrad' | 'curvature' | "toleranceChange on g'd" | 'toleranceChange on the move' | 'toleranceChange on the loss';
  value: number;
  threshold: number;
  /** What the comparison decided: the step stopped (or, for `curvature`, the pair was kept). */
  outcome: boolean;
  /** The magnitude float32 rounds against when it computes `value`. */
  scale: number;
  /** |value - threshold| / (FLOAT32_EPSILON * scale). */
  margin: number;
}

/** What one `step(closure)` did. */
export interface LbfgsStepRecord {
  /** The loss at the start of the step (what PyTorch's step returns). */
  loss: number;
  /** The parameter after the step. */
  x: number[];
  /** How many times the objective was evaluated in this step. */
  evaluations: number;
  /** How many iterations ran in this step. */
  iterations: number;
  /** Every threshold comparison the step made, in order. */
  decisions: LbfgsDecision[];
}

interface CurvaturePair {
  s: number[];
  y: number[];
  rho: number;
}

/** L-BFGS with PyTorch's state kept across steps, evaluated in float64 with mathjs. */
export class HandLbfgs {
  readonly options: LbfgsOptions;
  private readonly maxEval: number;
  private nIter = 0;
  private history: CurvaturePair[] = [];
  private d: number[] = [];
  private t = 0;
  private hDiag = 1;
  private prevFlatGrad: number[] | undefined;

  constructor(given: Partial<LbfgsOptions> = {}) {
    const unknown = Object.keys(given).filter((key) => !(key in lbfgsDefaults));
    refuse(unknown.length === 0, `LBFGS has no option ${unknown.join(', ')}; its options are ${Object.keys(lbfgsDefaults).join(', ')}.`);
    const options: LbfgsOptions = { ...lbfgsDefaults };
    for (const [key, value] of Object.entries(given)) if (value !== undefined) options[key] = value;
    this.options = options;
    refuse(
      this.options.lineSearchFn === null,
      "The mathjs LBFGS has no line search: lineSearchFn 'strong_wolfe' is checked against ../shared/golden instead.",
    );
    this.maxEval = this.options.maxEval ?? Math.floor((this.options.maxIter * 5) / 4);
  }

  /** One `step(closure)`: x is the flattened parameter before it. */
  step(objective: Objective, x0: readonly number[]): LbfgsStepRecord {
    const o = this.options;
    const e = lbfgsEquations;
    const scope = new Map<string, unknown>([['lr', o.lr], ['theta', [...x0]]]);
    const value = <T>(name: string): T => scope.get(name) as T;
    const run = (eq: Equation) => eq.compiled.evaluate(scope);

    let evaluation = objective(x0);
    let { loss, grad } = evaluation;
    const origLoss = loss;
    scope.set('flatGrad', grad);
    let evaluations = 1;
    let iterations = 0;
    const decisions: LbfgsDecision[] = [];
    const decide = (rule: LbfgsDecision['rule'], value: number, threshold: number, outcome: boolean, scale: number) => {
      decisions.push({ iteration: iterations, rule, value, threshold, outcome, scale, margin: Math.abs(value - threshold) / (FLOAT32_EPSILON * scale) });
      return outcome;
    };
    // The rounding a float32 gradient carries: the terms it is summed from, else its own size.
    const gradScale = () => evaluation.gradScale ?? maxAbs(grad);
    const gradStop = () => decide('toleranceGrad', maxAbs(grad), o.toleranceGrad, maxAbs(grad) <= o.toleranceGrad, gradScale());
    const record = (): LbfgsStepRecord => ({ loss: origLoss, x: value<number[]>('theta'), evaluations, iterations, decisions });
    if (gradStop()) return record();

    while (iterations < o.maxIter) {
      iterations++;
      this.nIter++;
      if (this.nIter === 1) {
        run(e.firstDirection);
        this.history = [];
        this.hDiag = 1;
      } else {
        scope.set('prevFlatGrad', this.prevFlatGrad);
        scope.set('d', this.d);
        scope.set('t', this.t);
        run(e.gradientChange);
        run(e.parameterChange);
        run(e.curvature);
        const ys = value<number>('ys');
        const [s, y] = [value<number[]>('s'), value<number[]>('y')];
        // y is a difference of two gradients, each rounded against gradScale.
        const ysScale = absDot(y, s) + gradScale() * sumAbs(s);
        if (decide('curvature', ys, 1e-10, ys > 1e-10, ysScale)) {
          if (this.history.length === o.historySize) this.history.shift();
          run(e.inverseHessianScale);
          run(e.pairWeight);
          this.history.push({ s: value('s'), y: value('y'), rho: value('rho') });
          this.hDiag = value('hDiag');
        }
        scope.set('hDiag', this.hDiag);
        this.twoLoop(scope);
      }
      this.d = value('d');
      this.prevFlatGrad = grad;
      const prevLoss = loss;
      run(this.nIter === 1 ? e.firstStepLength : e.stepLength);
      this.t = value('t');
      run(e.directionalDerivative);
      const gtd = value<number>('gtd');
      const gtdScale = absDot(grad, this.d) + gradScale() * sumAbs(this.d);
      if (decide("toleranceChange on g'd", gtd, -o.toleranceChange, gtd > -o.toleranceChange, gtdScale)) break;

      run(e.update);
      if (iterations !== o.maxIter) {
        // PyTorch re-evaluates after every move but the last of a step.
        evaluation = objective(value('theta'));
        ({ loss, grad } = evaluation);
        scope.set('flatGrad', grad);
        evaluations++;
      }
      if (iterations === o.maxIter) break;
      if (evaluations >= this.maxEval) break;
      if (gradStop()) break;
      // A move is rounded against the parameter it is added to.
      const move = maxAbs(this.d) * Math.abs(this.t);
      if (decide('toleranceChange on the move', move, o.toleranceChange, move <= o.toleranceChange, move + maxAbs(value('theta')))) break;
      const change = Math.abs(loss - prevLoss);
      const lossScale = Math.max(evaluation.lossScale ?? Math.abs(loss), Math.abs(prevLoss));
      if (decide('toleranceChange on the loss', change, o.toleranceChange, change < o.toleranceChange, lossScale)) break;
    }
    return record();
  }

  /** d = H g by the two-loop recursion over the kept pairs (newest first, then oldest first). */
  private twoLoop(scope: Map<string, unknown>): void {
    const e = lbfgsEquations;
    const alphas: number[] = [];
    const usePair = (i: number) => {
      const { s, y, rho } = this.history[i];
      scope.set('s_i', s);
      scope.set('y_i', y);
      scope.set('rho_i', rho);
    };
    e.twoLoopStart.compiled.evaluate(scope);
    for (let i = this.history.length - 1; i >= 0; i--) {
      usePair(i);
      alphas[i] = e.backwardWeight.compiled.evaluate(scope);
      e.backwardUpdate.compiled.evaluate(scope);
    }
    e.scale.compiled.evaluate(scope);
    for (let i = 0; i < this.history.length; i++) {
      usePair(i);
      scope.set('alpha_i', alphas[i]);
      e.forwardWeight.compiled.evaluate(scope);
      e.forwardUpdate.compiled.evaluate(scope);
    }
    e.direction.compiled.evaluate(scope);
  }
}

/** `steps` calls of `step(closure)` from x0. */
export function handLbfgsTrajectory(
  options: Partial<LbfgsOptions>,
  objective: Objective,
  x0: readonly number[],
  steps: number,
): LbfgsStepRecord[] {
  const lbfgs = new HandLbfgs(options);
  const records: LbfgsStepRecord[] = [];
  let x = [...x0];
  for (let k = 0; k < steps; k++) {
    const record = lbfgs.step(objective, x);
    records.push(record);
    x = record.x;
  }
  return records;
}

const quadraticLoss = math.parse('0.5 * dot(x, multiply(A, x)) - dot(b, x)').compile();
const quadraticGrad = math.parse('multiply(A, x) - b').compile();

/** f(x) = x'Ax/2 - b'x and its gradient Ax - b, in mathjs (A symmetric), with the size of their terms. */
export function quadraticObjective(A: readonly (readonly number[])[], b: readonly number[]): Objective {
  const absA = A.map((row) => row.map(Math.abs));
  const absB = b.map(Math.abs);
  return (x) => {
    const scope = new Map<string, unknown>([['A', A], ['b', b], ['x', [...x]]]);
    const absAx = math.multiply(absA, x.map(Math.abs)) as number[];
    return {
      loss: quadraticLoss.evaluate(scope) as number,
      grad: quadraticGrad.evaluate(scope) as number[],
      lossScale: absDot(x, absAx) / 2 + absDot(absB, x),
      gradScale: maxAbs(absAx.map((v, i) => v + absB[i])),
    };
  };
}

function maxAbs(values: readonly number[]): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

function sumAbs(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + Math.abs(v), 0);
}

/** sum |a_i b_i|: the size of the terms of dot(a, b). */
function absDot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, v, i) => sum + Math.abs(v * b[i]), 0);
}
