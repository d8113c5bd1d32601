// Schedule-Free AdamW (Defazio et al., 2024, "The Road Less Scheduled", arXiv:2405.15682). It
// needs no learning-rate schedule: it takes Adam-normalised SGD steps on a base sequence z, keeps
// x, a weighted average of the z's (the point to evaluate), and takes gradients at y, between them:
//   y = (1 - beta1) z + beta1 x.
// torch.optim has none; the reference is `AdamWScheduleFree` (PyPI `schedulefree`), and this
// computes what it computes in its float32 order. Per step t (1-based):
//   lrT = lr * min(1, t / warmupSteps)                      (linear warm-up; lr when warmupSteps = 0)
//   lrMax = max(lrMax, lrT);  w = t^r * lrMax^weightLrPower;  weightSum += w;  c = w / weightSum
//   v <- beta2 * v + (1 - beta2) * g²
//   ĝ = g / (sqrt(v / (1 - beta2^t)) + eps) + weightDecay * y      (decay at y, as an L2 term)
//   y <- lerp(y, z, c) + lrT * (beta1 * (1 - c) - 1) * ĝ          (x never formed: only y and z kept)
//   z <- z - lrT * ĝ
// The parameters hold y in train mode and x in eval mode: call `eval()` before evaluating, saving
// or using the model, and `train()` before training on. Both are the reference's moves (the
// parameter is lerped towards z). With model.fit:
//   model.compile({optimizer, ...}); await model.fit(...); optimizer.eval(); model.evaluate(...);
//   optimizer.train(); await model.fit(...)  // and so on
// Unlike the reference, whose optimizer starts in eval mode and refuses to step until `train()`,
// a new optimizer here is in train mode (before the first step the two modes hold the same
// values), so model.fit works at once; a step in eval mode throws, as in the reference.
// The reference keeps lrMax, weightSum and the step count per parameter group, advanced by every
// step; here they are per parameter, the same whenever every parameter gets a gradient each step.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { biasCorrection } from './adam';
import { withL2 } from './gradient';
import { movingAverage, movingAverageOfSquares } from './moving-average';
import { check, OptimizerOptionError, requireBetas, requireEpsilon, requireLearningRate, requireWeightDecay } from './options';
import { BaseOptions, findVariable, TorchOptimizer, UpdateRule } from './torch-optimizer';

export interface AdamWScheduleFreeOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  /** Steps of linear learning-rate warm-up (an integer; 0 for none). */
  warmupSteps: number;
  /** Polynomial weighting of the average: step t weighs t^r. */
  r: number;
  /** Step t also weighs (largest lr so far)^weightLrPower, so warm-up steps count less. */
  weightLrPower: number;
}

export const adamwScheduleFreeDefaults: AdamWScheduleFreeOptions = {
  lr: 0.0025,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  warmupSteps: 0,
  r: 0,
  weightLrPower: 2,
};

/** The reference checks nothing; these are the settings its formulas can run. */
export function validateAdamWScheduleFree(o: AdamWScheduleFreeOptions): void {
  requireLearningRate(o.lr);
  requireEpsilon(o.eps);
  requireBetas(o.betas);
  check(o.betas[0] > 0, `Invalid beta parameter at index 0: ${o.betas[0]} (Schedule-Free needs it > 0: eval() divides by it)`);
  requireWeightDecay(o.weightDecay);
  check(
    Number.isInteger(o.warmupSteps) && o.warmupSteps >= 0,
    `Invalid warmup_steps value: ${o.warmupSteps} (it must be a whole number >= 0)`,
  );
  check(o.r >= 0, `Invalid r value: ${o.r} (it must be >= 0)`);
  check(o.weightLrPower >= 0, `Invalid weight_lr_power value: ${o.weightLrPower} (it must be >= 0)`);
}

export const adamwScheduleFreeRule: UpdateRule<AdamWScheduleFreeOptions> = {
  // z starts at the parameter; lrMax at -1 so that the first step's lr replaces it.
  init: (param) => ({ tensors: { z: param.clone(), expAvgSq: tf.zerosLike(param) }, scalars: { lrMax: -1, weightSum: 0 } }),
  update: ({ param: y, grad, state, step, lr, options: o }) => {
    const [beta1, beta2] = o.betas;
    const scheduledLr = step <= o.warmupSteps ? lr * (step / o.warmupSteps) : lr;
    const lrMax = Math.max(scheduledLr, state.scalars.lrMax);
    const weight = step ** o.r * lrMax ** o.weightLrPower;
    const weightSum = state.scalars.weightSum + weight;
    const averaging = weightSum === 0 ? 0 : weight / weightSum; // the reference's c_{t+1}
    const { z } = state.tensors;

    const expAvgSq = movingAverageOfSquares(state.tensors.expAvgSq, grad, beta2);
    const denom = tf.add(tf.sqrt(tf.div(expAvgSq, biasCorrection(beta2, step))), o.eps);
    const normalized = withL2(tf.div(grad, denom), y, o.weightDecay);
    // lerp(y, z, c) is a moving average of y towards z with decay 1 - c.
    const towardsZ = movingAverage(y, z, 1 - averaging);
    return {
      param: tf.add(towardsZ, tf.mul(normalized, scheduledLr * (beta1 * (1 - averaging) - 1))),
      tensors: { z: tf.sub(z, tf.mul(normalized, scheduledLr)), expAvgSq },
      scalars: { lrMax, weightSum },
    };
  },
};

/** The name of the extra weight `getWeights` adds: 1 in train mode, 0 in eval mode. */
const TRAIN_MODE_WEIGHT = 'trainMode';

export class AdamWScheduleFree extends TorchOptimizer<AdamWScheduleFreeOptions> {
  static get className(): string {
    return 'TorchAdamWScheduleFree';
  }
  private inTrainMode = true;
  private exportedMode: tf.Tensor | undefined;

  constructor(options?: Partial<AdamWScheduleFreeOptions>) {
    super('AdamWScheduleFree', adamwScheduleFreeDefaults, options, validateAdamWScheduleFree, adamwScheduleFreeRule);
  }

  /** True in train mode (the parameters hold y), false in eval mode (they hold x). */
  get trainMode(): boolean {
    return this.inTrainMode;
  }

  /** Puts x, the average to evaluate, in the parameters (y + (1 - 1/beta1)(z - y)); nothing if already in eval mode. */
  eval(): void {
    if (!this.inTrainMode) return;
    this.moveTowardsZ((beta1) => 1 / beta1);
    this.inTrainMode = false;
  }

  /** Puts y, the point to take gradients at, back in the parameters (x + (1 - beta1)(z - x)); nothing if already in train mode. */
  train(): void {
    if (this.inTrainMode) return;
    this.moveTowardsZ((beta1) => beta1);
    this.inTrainMode = true;
  }

  /**
   * p <- lerp(p, z, 1 - decay) for every parameter that has taken a step (the others have no z yet),
   * with decay a function of the beta1 of the parameter's group, as schedulefree reads it per group.
   */
  private moveTowardsZ(decayFor: (beta1: number) => number): void {
    for (const name of this.statefulVariableNames) {
      const param = findVariable(name);
      const { z } = this.stateFor(name)!.tensors;
      const decay = decayFor(this.groupFor(param).options.betas[0]);
      tf.tidy(() => param.assign(movingAverage(param, z, decay)));
    }
  }

  private requireTrainMode(): void {
    if (!this.inTrainMode) {
      throw new OptimizerOptionError(
        'AdamWScheduleFree: Optimizer was not in train mode when step is called. Please insert .train() and .eval() ' +
          'calls on the optimizer: train() before training steps, eval() before evaluating the model.',
      );
    }
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.requireTrainMode();
    super.applyGradients(variableGradients);
  }

  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    this.requireTrainMode(); // before the gradients are computed, so nothing is left to free
    return super.minimize(f, returnCost, varList);
  }

  /** The base class's weights and the mode, so that a restore knows which point the parameters hold. */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights = await super.getWeights();
    this.exportedMode?.dispose();
    this.exportedMode = tf.scalar(this.inTrainMode ? 1 : 0, 'int32');
    return [...weights, { name: TRAIN_MODE_WEIGHT, tensor: this.exportedMode }];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const mode = weightValues.find((w) => w.name === TRAIN_MODE_WEIGHT);
    await super.setWeights(weightValues.filter((w) => w !== mode));
    if (mode) this.inTrainMode = (await mode.tensor.data())[0] === 1;
  }

  override dispose(): void {
    this.exportedMode?.dispose();
    this.exportedMode = undefined;
    super.dispose();
  }
}
