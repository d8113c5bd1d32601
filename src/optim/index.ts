// The optimizer library: every torch.optim optimizer as a tf.Optimizer, created by PyTorch's name.
import * as tf from '@tensorflow/tfjs-core';
import { OptimizerOptionError } from './options';
import type { ParamGroupSpec } from './param-groups';
import type { SchedulableOptimizer } from './lr-scheduler';
import { SGD } from './sgd';
import { Adagrad } from './adagrad';
import { Adadelta } from './adadelta';
import { RMSprop } from './rmsprop';
import { Adam } from './adam';
import { AdamW } from './adamw';
import { Adamax } from './adamax';
import { SparseAdam } from './sparse-adam';
import { ASGD } from './asgd';
import { LBFGS } from './lbfgs';
import { Rprop } from './rprop';
import { NAdam } from './nadam';
import { RAdam } from './radam';
import { Lion } from './lion';
import { AdamWScheduleFree } from './adamw-schedule-free';

import { Adafactor } from './adafactor';
import { Muon, MuonWithAdamW } from './muon';

export { SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, Adamax, SparseAdam, ASGD, LBFGS, Rprop, NAdam, RAdam, Adafactor, Muon, Lion, AdamWScheduleFree };
export { MuonWithAdamW, createMuonWithAdamW, newtonSchulz } from './muon';
export type { MuonOptions, MuonWithAdamWOptions, AdjustLrFn } from './muon';
export type { AdafactorOptions } from './adafactor';
// RAdam's rectification rule, which notebook 08 plots.
export { RECTIFY_ABOVE, smaLength } from './radam';
export { OptimizerOptionError } from './options';
export type { OptionKind, OptionKinds } from './options';
export { OptimizerBase, TorchOptimizer } from './torch-optimizer';
export type { ParamState, UpdateRule, UpdateInput, UpdateOutput } from './torch-optimizer';
export type { ParamGroup, ParamGroupSpec, ParamSelector, SerializedRegExp, SchedulerKey } from './param-groups';
export { SCHEDULER_KEYS } from './param-groups';
export { clipGradNorm, clipGradValue } from './clip';
export type { ClipGradNormOptions, GradientClipping, NormType } from './clip';

/** The optimizers by PyTorch's class name, lower-cased (as in ../shared/golden). */
export const optimizers = {
  sgd: SGD,
  adagrad: Adagrad,
  adadelta: Adadelta,
  rmsprop: RMSprop,
  adam: Adam,
  adamw: AdamW,
  adamax: Adamax,
  sparseadam: SparseAdam,
  asgd: ASGD,
  lbfgs: LBFGS,
  rprop: Rprop,
  nadam: NAdam,
  radam: RAdam,
  // Not in torch.optim: lion-pytorch's Lion and schedulefree's AdamWScheduleFree.
  lion: Lion,
  adamwschedulefree: AdamWScheduleFree,
  adafactor: Adafactor,
  muon: Muon,
} as const;

export type OptimizerName = keyof typeof optimizers;
export type OptimizerOf<N extends OptimizerName> = InstanceType<(typeof optimizers)[N]>;
type ConstructorOptions<N extends OptimizerName> = NonNullable<ConstructorParameters<(typeof optimizers)[N]>[0]>;
/** An optimizer's options, with `paramGroups` whose entries override them for their variables. */
export type OptionsOf<N extends OptimizerName> = ConstructorOptions<N> & {
  paramGroups?: Array<ParamGroupSpec<Omit<ConstructorOptions<N>, 'paramGroups'>>>;
};
export const optimizerNames = Object.keys(optimizers) as OptimizerName[];

/** Turns 'SparseAdam', 'sparse_adam' or 'sparse-adam' into 'sparseadam'; throws for unknown names. */
export function optimizerName(name: string): OptimizerName {
  const key = name.toLowerCase().replace(/[-_\s]/g, '');
  // An own property only: 'constructor' or '__proto__' are not optimizers.
  if (!Object.hasOwn(optimizers, key)) {
    throw new OptimizerOptionError(`Unknown optimizer '${name}'. Choose one of: ${optimizerNames.join(', ')}.`);
  }
  return key as OptimizerName;
}

/**
 * Creates an optimizer by PyTorch's name with PyTorch's keyword options in camelCase, e.g.
 * `createOptimizer('sgd', {lr: 0.01, momentum: 0.5})`. Unknown names and options throw.
 */
export function createOptimizer<N extends OptimizerName>(name: N, options?: OptionsOf<N>): OptimizerOf<N>;
// Every registered optimizer has param groups, so a scheduler takes what either overload returns.
export function createOptimizer(name: string, options?: Record<string, unknown>): tf.Optimizer & SchedulableOptimizer;
export function createOptimizer(name: string, options: Record<string, unknown> = {}): tf.Optimizer {
  const Optimizer = optimizers[optimizerName(name)] as unknown as new (o: Record<string, unknown>) => tf.Optimizer;
  return new Optimizer(options);
}

for (const Optimizer of [...Object.values(optimizers), MuonWithAdamW]) {
  tf.serialization.registerClass(Optimizer as unknown as tf.serialization.SerializableConstructor<tf.Optimizer>);
}

// Learning-rate schedulers (torch.optim.lr_scheduler and SWALR) and weight averaging (swa_utils).
export * from './lr-scheduler';
export { SWALR, AveragedModel, createAveragedModel } from './swa';
export type { SWALROptions, AveragedModelOptions, AveragedModelState, HasTrainableWeights } from './swa';
