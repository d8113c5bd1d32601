// The optimizer of a run, made from its config: the optimizer with its options, the biases in a
// group without weight decay (no_decay_biases), Muon with AdamW for what Muon cannot take (others),
// and the schedule. One function for the trainer and the command line's checks, so that what the
// command line accepts is what trains.
import * as tf from '@tensorflow/tfjs-core';
import { AdamWScheduleFree, createMuonWithAdamW, createOptimizer, MuonWithAdamW, MuonWithAdamWOptions, SchedulableOptimizer } from '../optim';
import type { OptionValue } from '../optim/options';
import type { TrainConfig } from '../results/schema';
import { createRunScheduler, RunSchedule } from './schedule';

/** A config whose parts do not fit together (each part's own values are checked by the library). */
export class TrainConfigError extends Error {
  override name = 'TrainConfigError';
}

/** The biases by variable name (Parameters names them `<net><n>/conv1.bias`, `.../fc2.bias`). */
export const BIAS_VARIABLES = /\.bias$/;

export interface RunOptimizer {
  optimizer: tf.Optimizer;
  /** The param groups a scheduler sets (Muon's, then AdamW's, for Muon with AdamW); [0] is the lr recorded per epoch. */
  groups: SchedulableOptimizer;
  /** Schedule-Free's optimizer, whose parameters hold x only in eval mode: the trainer evaluates in it. */
  scheduleFree?: AdamWScheduleFree;
}

/** Throws a TrainConfigError naming the flags to change when the config's parts do not fit together. */
export function checkRunConfig(config: TrainConfig): void {
  if (config.no_decay_biases && config.parameter_layout !== 'tensors') {
    throw new TrainConfigError(
      "no_decay_biases (--no-decay-biases) needs the parameter layout 'tensors' (--layout tensors): in the flat layout the " +
        'whole network is one variable, so its biases cannot have a param group of their own',
    );
  }
  if (config.others !== null && config.optimizer !== 'muon') {
    throw new TrainConfigError(
      `others (--others ${config.others.optimizer}) is for Muon, which updates only the 2-D weights; ${config.optimizer} updates every parameter itself: leave --others out`,
    );
  }
  if (config.optimizer === 'muon' && config.parameter_layout !== 'tensors') {
    throw new TrainConfigError(
      `Muon updates 2-D weights only, and in the flat layout the network is one 1-D variable: give --layout tensors${config.others === null ? ' and --others adamw (AdamW for the conv kernels and biases)' : ''}`,
    );
  }
  if (config.optimizer === 'muon' && config.others === null) {
    throw new TrainConfigError(
      'Muon updates 2-D weights only, and this network also has convolution kernels and biases: give --others adamw (AdamW for them, as Muon is used)',
    );
  }
}

/** The options with the bias group added: the rest with the given options, the biases without weight decay. */
function withBiasGroup(options: Record<string, OptionValue>, noDecayBiases: boolean): Record<string, unknown> {
  return noDecayBiases ? { ...options, paramGroups: [{}, { params: BIAS_VARIABLES, weightDecay: 0 }] } : options;
}

/** The run's optimizer (not yet its schedule); throws OptimizerOptionError for options the optimizer refuses. */
export function createRunOptimizer(config: TrainConfig): RunOptimizer {
  checkRunConfig(config);
  if (config.others !== null) {
    // Biases are 1-D, so they are AdamW's: its options carry the bias group.
    // The options are checked by Muon's and AdamW's constructors, as createOptimizer's are.
    const optimizer: MuonWithAdamW = createMuonWithAdamW({
      muon: config.optimizer_options,
      adamw: withBiasGroup(config.others.options, config.no_decay_biases),
    } as MuonWithAdamWOptions);
    return { optimizer, groups: { paramGroups: [...optimizer.muon.paramGroups, ...optimizer.adamw.paramGroups] } };
  }
  const optimizer = createOptimizer(config.optimizer, withBiasGroup(config.optimizer_options, config.no_decay_biases));
  // By class name: instanceof is true for any tf.Optimizer (tfjs's serialization registry).
  const scheduleFree = optimizer.getClassName() === AdamWScheduleFree.className ? (optimizer as AdamWScheduleFree) : undefined;
  return { optimizer, groups: optimizer, scheduleFree };
}

/** The run's schedule on its optimizer's groups, or undefined for a constant lr. */
export function createRunSchedule(config: TrainConfig, groups: SchedulableOptimizer, stepsPerEpoch: number): RunSchedule | undefined {
  if (config.scheduler === null) return undefined;
  return new RunSchedule(config.scheduler, createRunScheduler(config.scheduler, groups, config.epochs, stepsPerEpoch));
}

/** The lr of the first param group now (undefined if it has none: every optimizer here has one). */
export function firstGroupLr(groups: SchedulableOptimizer): number | undefined {
  const lr = groups.paramGroups[0]?.lr;
  return typeof lr === 'number' ? lr : undefined;
}
