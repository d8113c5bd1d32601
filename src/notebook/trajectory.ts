// Runs an optimizer on a two-parameter surface and records where it goes.
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../data/random';
import { Surface2D, surfaceLoss } from './surface';

export interface Trajectory {
  name: string;
  /** The parameters before the first step, then after each step. */
  points: Array<[number, number]>;
  /** The loss at each point. */
  losses: number[];
}

export interface FollowOptions {
  /**
   * Adds Gaussian noise of standard deviation `std` to every gradient, one draw per step from
   * `random` (the stochastic setting: a minibatch gradient instead of the full one). A closure that
   * L-BFGS evaluates several times in one step sees the same draw, as it would the same minibatch.
   */
  gradientNoise?: { std: number; random: Random };
  /** Holds the point as a 1x2 matrix instead of a vector: Muon takes 2-D parameters only. */
  matrix?: boolean;
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
  { gradientNoise, matrix = false }: FollowOptions = {},
): Trajectory {
  if (gradientNoise && !(Number.isFinite(gradientNoise.std) && gradientNoise.std >= 0)) {
    throw new Error(`followOptimizer: gradientNoise.std must be a finite number >= 0, got ${gradientNoise.std}.`);
  }
  const shape = matrix ? [1, 2] : [2];
  const point = tf.tidy(() => tf.variable(tf.tensor(start, shape), true)); // tidy frees the initial value
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
      if (step === steps) break;
      if (gradientNoise && gradientNoise.std > 0) {
        // f + <noise, point> has the gradient grad f + noise; the draw is a constant of the closure.
        const noise = tf.tensor(gradientNoise.random.normal(2, gradientNoise.std), shape);
        try {
          optimizer.minimize(() => tf.add(surfaceLoss(surface, point), tf.sum(tf.mul(noise, point))) as tf.Scalar, false, [point]);
        } finally {
          noise.dispose();
        }
      } else {
        optimizer.minimize(() => surfaceLoss(surface, point), false, [point]);
      }
    }
  } finally {
    point.dispose();
  }
  return trajectory;
}
