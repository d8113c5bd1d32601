// Two-parameter loss surfaces for watching optimizers move: the classic test functions, or any
// loss of two parameters. The formula is written once, with tensor ops, and serves both the
// optimizer (on a scalar parameter pair) and the contour plot (on a whole grid at once).
import * as tf from '@tensorflow/tfjs-core';

export interface Surface2D {
  name: string;
  /** The formula in LaTeX, for titles and equations. */
  latex: string;
  /** f(x, y), element-wise on tensors of any (broadcastable) shape. */
  formula(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** Where trajectories start unless told otherwise. */
  start: [number, number];
  /** The global minimum, marked on plots. */
  minimum: [number, number];
  xRange: [number, number];
  yRange: [number, number];
  /** Draw contours of log10(f): for surfaces whose values span many decades. */
  logContours?: boolean;
}

/** f at one point, [x, y] or [[x, y]] (a 1x2 matrix, for Muon), as a scalar tensor (what `optimizer.minimize` wants). */
export function surfaceLoss(surface: Surface2D, point: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const [x, y] = tf.unstack(tf.reshape(point, [2]));
    return tf.reshape(surface.formula(x, y), []) as tf.Scalar;
  });
}

/** Rosenbrock's banana valley: easy to find, slow to follow; minimum 0 at (1, 1). */
export const rosenbrock: Surface2D = {
  name: 'Rosenbrock',
  latex: 'f(x, y) = (1 - x)^2 + 100\\,(y - x^2)^2',
  formula: (x, y) => tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))),
  start: [-1.5, 2],
  minimum: [1, 1],
  xRange: [-2, 2],
  yRange: [-1, 3],
  logContours: true,
};

/** Beale's function: flat plateaus and steep walls; minimum 0 at (3, 0.5). */
export const beale: Surface2D = {
  name: 'Beale',
  latex: 'f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2',
  formula: (x, y) => {
    const term = (c: number, power: number) => tf.square(tf.add(tf.sub(c, x), tf.mul(x, tf.pow(y, power))));
    return tf.addN([term(1.5, 1), term(2.25, 2), term(2.625, 3)]);
  },
  start: [1, 1.5],
  minimum: [3, 0.5],
  xRange: [-4.5, 4.5],
  yRange: [-4.5, 4.5],
  logContours: true,
};

/**
 * The quadratic (x^2 + condition * y^2) / 2: curvature `condition` times larger along y than
 * along x, the simplest picture of why plain gradient descent zig-zags; minimum 0 at (0, 0).
 */
export function illConditionedQuadratic(condition = 20): Surface2D {
  if (!(condition >= 1)) throw new Error(`illConditionedQuadratic: condition must be >= 1, got ${condition}.`);
  return {
    name: `Quadratic (condition ${condition})`,
    latex: `f(x, y) = \\tfrac{1}{2}\\left(x^2 + ${condition}\\,y^2\\right)`,
    formula: (x, y) => tf.mul(0.5, tf.add(tf.square(x), tf.mul(condition, tf.square(y)))),
    start: [-4, 1.5],
    minimum: [0, 0],
    xRange: [-5, 5],
    yRange: [-2, 2],
  };
}

/**
 * A saddle at the origin between two valleys: x^2 + y^4/4 - y^2/2 curves up along x and down along
 * y, so gradient descent started on the line y = 0 stays on the saddle; any offset or noise in y
 * lets it fall into a valley. Minima -1/4 at (0, 1) and (0, -1).
 */
export const saddle: Surface2D = {
  name: 'Saddle',
  latex: 'f(x, y) = x^2 + \\tfrac{1}{4}y^4 - \\tfrac{1}{2}y^2',
  formula: (x, y) => tf.add(tf.square(x), tf.sub(tf.mul(0.25, tf.pow(y, 4)), tf.mul(0.5, tf.square(y)))),
  start: [-2, 0.01],
  minimum: [0, 1],
  xRange: [-2.5, 2.5],
  yRange: [-2, 2],
};
