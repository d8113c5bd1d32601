// The strong Wolfe line search of torch.optim.LBFGS (line_search_fn='strong_wolfe'), itself a port of
// lswolfe.lua: a bracketing phase that grows the step until an interval is known to hold a point
// satisfying the strong Wolfe conditions, then a zoom phase that shrinks that interval with safeguarded
// cubic interpolation. It searches along a fixed direction d from the current point x:
//   sufficient decrease  f(x + t d) <= f(x) + c1 t g'd
//   curvature            |g(x + t d)'d| <= -c2 g'd
// The vectors (gradients, d) stay tensors; the scalars the search branches on (losses, directional
// derivatives, steps) are host numbers, as PyTorch reads them with float(), `if` and `abs`.
import * as tf from '@tensorflow/tfjs-core';

/** The loss and flat gradient at x + t*d. The search owns (and disposes) every gradient it is given. */
export type DirectionalObjective = (t: number) => { loss: number; grad: tf.Tensor1D };

export interface StrongWolfeSettings {
  /** Sufficient-decrease constant (Armijo). */
  c1: number;
  /** Curvature constant. */
  c2: number;
  /** Stop zooming once the bracket, measured along d, is shorter than this. */
  toleranceChange: number;
  /** Evaluations allowed after the first one. */
  maxLs: number;
}

/** PyTorch's defaults for `_strong_wolfe` (LBFGS passes only max_ls = max_eval - evaluations so far). */
export const strongWolfeDefaults: StrongWolfeSettings = { c1: 1e-4, c2: 0.9, toleranceChange: 1e-9, maxLs: 25 };

/** Where the search starts: the step to try first, and the loss, gradient and g'd at t = 0. */
export interface LineSearchStart {
  t: number;
  loss: number;
  grad: tf.Tensor1D;
  gtd: number;
}

/**
 * The accepted step, the loss and gradient there, and how many times the objective ran. `grad` is
 * `start.grad` itself when the search falls back to t = 0; otherwise it is a new tensor the caller owns.
 */
export interface LineSearchResult {
  t: number;
  loss: number;
  grad: tf.Tensor1D;
  evaluations: number;
}

interface Trial {
  t: number;
  loss: number;
  grad: tf.Tensor1D;
  gtd: number;
}

/**
 * The minimizer of the cubic that matches f and f' at x1 and x2, clamped to `bounds` (default: the
 * interval between x1 and x2); the middle of the bounds when the cubic has no minimum.
 */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: readonly [number, number],
): number {
  const [lower, upper] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  // PyTorch evaluates this on float32 tensors (the slopes g are tensors): round every operation the
  // same way, since the cancellation in d1 makes a float64 result visibly different.
  const f32 = Math.fround;
  const d1 = f32(f32(g1 + g2) - f32((3 * (f1 - f2)) / (x1 - x2)));
  const d2Square = f32(f32(d1 * d1) - f32(g1 * g2));
  if (!(d2Square >= 0)) return (lower + upper) / 2;
  const d2 = f32(Math.sqrt(d2Square));
  // Measured from the point farther along (x2 when x1 <= x2).
  const [nearX, nearG, farX, farG] = x1 <= x2 ? [x1, g1, x2, g2] : [x2, g2, x1, g1];
  const ratio = f32(f32(f32(farG + d2) - d1) / f32(f32(farG - nearG) + f32(2 * d2)));
  const minimizer = f32(farX - f32(f32(farX - nearX) * ratio));
  return Math.min(Math.max(minimizer, lower), upper);
}

/** Runs the search along `direction` from `start`; see the file comment. */
export function strongWolfe(
  objective: DirectionalObjective,
  direction: tf.Tensor1D,
  start: LineSearchStart,
  settings: Partial<StrongWolfeSettings> = {},
): LineSearchResult {
  const { c1, c2, toleranceChange, maxLs } = { ...strongWolfeDefaults, ...settings };
  const directionSize = readScalar(tf.tidy(() => tf.max(tf.abs(direction))));
  const origin: Trial = { ...start, t: 0 };
  const evaluated: tf.Tensor1D[] = [];
  let evaluations = 0;
  const evaluate = (t: number): Trial => {
    const { loss, grad } = objective(t);
    evaluated.push(grad);
    evaluations++;
    return { t, loss, grad, gtd: readScalar(tf.dot(grad, direction)) };
  };
  // PyTorch compares against float32 tensors here (f + c1*t*gtd, -c2*gtd); round the same way, which
  // matters near convergence, where c1*t*gtd is below the resolution of f.
  const decreasesEnough = (trial: Trial) => !(trial.loss > Math.fround(origin.loss + Math.fround(c1 * trial.t * origin.gtd)));
  const flatEnough = (trial: Trial) => Math.abs(trial.gtd) <= Math.fround(-c2 * origin.gtd);
  // Frees the gradients that no live trial refers to, so that at most a handful are held at once.
  const keepOnly = (live: Trial[]) => {
    const needed = new Set(live.map((trial) => trial.grad));
    for (let i = evaluated.length - 1; i >= 0; i--) {
      if (!needed.has(evaluated[i])) evaluated.splice(i, 1)[0].dispose();
    }
  };

  // Bracketing: grow the step until an interval holds an acceptable point, or the step is acceptable.
  let previous = origin;
  let latest = evaluate(start.t);
  let bracket: Trial[] | undefined;
  let done = false;
  let iterations = 0;
  while (iterations < maxLs) {
    if (!decreasesEnough(latest) || (iterations > 1 && latest.loss >= previous.loss)) {
      bracket = [previous, latest];
      break;
    }
    if (flatEnough(latest)) {
      bracket = [latest];
      done = true;
      break;
    }
    if (latest.gtd >= 0) {
      bracket = [previous, latest];
      break;
    }
    const minStep = latest.t + 0.01 * (latest.t - previous.t);
    const maxStep = latest.t * 10;
    const t = cubicInterpolate(previous.t, previous.loss, previous.gtd, latest.t, latest.loss, latest.gtd, [minStep, maxStep]);
    previous = latest;
    keepOnly([previous]);
    latest = evaluate(t);
    iterations++;
  }
  if (iterations === maxLs) bracket = [origin, latest];
  const zone = bracket as Trial[];

  // Zoom: shrink the bracket [low, high] (low = the lower loss) around an acceptable point.
  let [low, high] = zone[0].loss <= zone[zone.length - 1].loss ? [0, 1] : [1, 0];
  let insufficientProgress = false;
  while (!done && iterations < maxLs) {
    if (Math.abs(zone[1].t - zone[0].t) * directionSize < toleranceChange) break;
    let t = cubicInterpolate(zone[0].t, zone[0].loss, zone[0].gtd, zone[1].t, zone[1].loss, zone[1].gtd);
    // A trial too close to an end of the bracket makes little progress: if that happens twice in a
    // row, or the trial is at or past an end, move it to 10% of the bracket's length inside.
    const top = Math.max(zone[0].t, zone[1].t);
    const bottom = Math.min(zone[0].t, zone[1].t);
    const margin = 0.1 * (top - bottom);
    if (Math.min(top - t, t - bottom) < margin) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - margin : bottom + margin;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }

    const trial = evaluate(t);
    iterations++;
    if (!decreasesEnough(trial) || trial.loss >= zone[low].loss) {
      zone[high] = trial;
      [low, high] = zone[0].loss <= zone[1].loss ? [0, 1] : [1, 0];
    } else {
      if (flatEnough(trial)) done = true;
      else if (trial.gtd * (zone[high].t - zone[low].t) >= 0) zone[high] = zone[low];
      zone[low] = trial;
    }
    keepOnly(zone);
  }

  const best = zone[low];
  keepOnly([best]);
  return { t: best.t, loss: best.loss, grad: best.grad, evaluations };
}

function readScalar(scalar: tf.Tensor): number {
  const value = scalar.dataSync()[0];
  scalar.dispose();
  return value;
}
