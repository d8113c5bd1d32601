// How each optimizer is run on MNIST: the tutorial's setup (batch 64, SGD with lr 0.01 and momentum
// 0.5, every other optimizer with PyTorch's defaults), except for the three optimizers that the
// tutorial could not run that way, which get a setup that suits them. Options given by the user are
// merged over these.
import type { OptionValue } from '../optim/options';
import type { OptimizerName } from '../optim';

export interface OptimizerSetup {
  batchSize: number;
  /** Options that differ from PyTorch's defaults. */
  options: Record<string, OptionValue>;
  /** Why, in a sentence (recorded in the run's config). */
  note: string;
}

export const TUTORIAL_BATCH_SIZE = 64;
export const TEST_BATCH_SIZE = 1000;
/** The length of the tutorial's runs, and of the sweep's. */
export const SWEEP_EPOCHS = 10;

const tutorial = (options: Record<string, OptionValue> = {}, note = "the tutorial's setup"): OptimizerSetup => ({
  batchSize: TUTORIAL_BATCH_SIZE,
  options,
  note,
});

export const setups: Partial<Record<OptimizerName, OptimizerSetup>> = {
  sgd: tutorial({ lr: 0.01, momentum: 0.5 }, "the tutorial's setup: pytorch/examples' lr 0.01 and momentum 0.5"),
  lbfgs: {
    batchSize: 1000,
    options: { maxIter: 5, historySize: 10, lineSearchFn: 'strong_wolfe' },
    note:
      'L-BFGS builds a curvature model from successive gradients, which mini-batch noise of 64 examples ruins: ' +
      'each step is step(closure) on a batch of 1000 (the closure re-evaluates that batch with the same dropout masks), ' +
      'up to 5 iterations with a strong-Wolfe line search and a history of 10 pairs',
  },
  rprop: {
    batchSize: 2000,
    options: {},
    note:
      'Rprop adapts a step size per weight from the sign of successive gradients, which assumes full-batch gradients; ' +
      'with batches of 64 the signs flip at random and the steps grow without meaning. Batches of 2000 (30 steps per epoch)',
  },
  sparseadam: tutorial(
    {},
    'SparseAdam updates only the entries present in a sparse gradient. The network is dense, so the parameters are one ' +
      'flat vector whose entries are its rows: a value whose gradient is exactly 0 for a batch (a dead ReLU, a dropped unit) ' +
      "keeps its moments and its value, as PyTorch's SparseAdam does after p.grad = p.grad.to_sparse()",
  ),
};

/** The setup of an optimizer: its own, or the tutorial's with PyTorch's defaults. */
export function optimizerSetup(name: OptimizerName): OptimizerSetup {
  return setups[name] ?? tutorial({}, "the tutorial's setup: PyTorch's default options");
}
