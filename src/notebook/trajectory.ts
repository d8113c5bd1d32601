// Runs an optimizer on a two-parameter surface and records where it goes.
import * as tf from '@tensorflow/tfjs-core';
import { Surface2D, surfaceLoss } from './surface';

export interface Trajectory {
  name: string;
  /** The parameters before the first step, then after each step. */
  points: Array<[number, number]>;
  /** The loss at each point. */
  losses: number[];
}

/**
 * Takes `steps` steps of `optimizer` from `start` (default: the surface's) and returns the path.
 * Stops early, keeping what it has, if the parameters or the loss stop being finite (divergence).
 */
export function followOptimizer(
  name: string,
  surface: Surface2D,
  optimizer: tf.Optimizer,
  steps: number,
  start: [number, number] = surface.start,
): Trajectory {
  const point = tf.tidy(() => tf.variable(tf.tensor1d(start), true)); // tidy frees the initial value
  const trajectory: Trajectory = { name, points: [], losses: [] };
  try {
    for (let step = 0; step <= steps; step++) {
      const loss = surfaceLoss(surface, point);
      const [x, y] = point.dataSync();
      const value = loss.dataSync()[0];
      loss.dispose();
      if (![x, y, value].every(Number.isFinite)) break;
      trajectory.points.push([x, y]);
      trajectory.losses.push(value);
      if (step < steps) optimizer.minimize(() => surfaceLoss(surface, point), false, [point]);
    }
  } finally {
    point.dispose();
  }
  return trajectory;
}
