// A few optimizer steps computed two ways, side by side: by hand (src/equations: the mathjs
// expressions, float64, one element at a time) and by the implementation (src/optim: float32
// tensors through applyGradients), from the same start and with the same gradients.
import * as tf from '@tensorflow/tfjs-core';
import { OptionValues, handTrajectory } from '../equations';
import { createOptimizer } from '../optim';
import type { TableRow } from './table';

/** The parameter (row-major values) after each step when the implementation applies `grads` from `init`. */
export function implementationTrajectory(
  name: string,
  options: Partial<OptionValues>,
  init: readonly number[],
  grads: ReadonlyArray<readonly number[]>,
  shape: readonly number[] = [init.length],
): number[][] {
  const optimizer = createOptimizer(name, options);
  const param = tf.variable(tf.tensor(init as number[], shape as number[]));
  const params: number[][] = [];
  try {
    for (const values of grads) {
      const grad = tf.tensor(values as number[], shape as number[]);
      optimizer.applyGradients({ [param.name]: grad });
      grad.dispose();
      params.push(Array.from(param.dataSync()));
    }
  } finally {
    optimizer.dispose();
    param.dispose();
  }
  return params;
}

export interface HandComparison {
  /** One row per step and element: the gradient, both results and their difference. */
  rows: TableRow[];
  /** The largest |hand - implementation| over every step and element. */
  maxDifference: number;
}

/** `θ[i]` for a vector, `θ[i,j]` for a matrix: where element `index` sits in `shape`. */
function elementName(index: number, shape: readonly number[]): string {
  const position: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position.unshift(rest % shape[axis]);
    rest = Math.floor(rest / shape[axis]);
  }
  return `θ[${position.join(',')}]`;
}

/**
 * Runs `grads.length` steps by hand and with the implementation and lines them up. `elements`
 * picks which elements get rows (default: all); the largest difference covers all of them.
 */
export function handVersusImplementation(
  name: string,
  options: Partial<OptionValues>,
  init: readonly number[],
  grads: ReadonlyArray<readonly number[]>,
  shape: readonly number[] = [init.length],
  elements?: readonly number[],
): HandComparison {
  const hand = handTrajectory(name, options, init, grads, shape).params;
  const implementation = implementationTrajectory(name, options, init, grads, shape);
  const shown = elements ?? init.map((_, i) => i);
  const rows: TableRow[] = [];
  let maxDifference = 0;
  hand.forEach((handParam, step) => {
    handParam.forEach((value, i) => {
      maxDifference = Math.max(maxDifference, Math.abs(value - implementation[step][i]));
    });
    for (const i of shown) {
      rows.push({
        step: step + 1,
        element: elementName(i, shape),
        gradient: grads[step][i],
        'by hand (float64)': handParam[i],
        'implementation (float32)': implementation[step][i],
        difference: implementation[step][i] - handParam[i],
      });
    }
  });
  return { rows, maxDifference };
}
