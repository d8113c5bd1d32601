// How each optimizer is run on MNIST: the tutorial's setup (batch 64, SGD with lr 0.01 and momentum
// 0.5, every other optimizer with PyTorch's defaults), except for the three optimizers that the
// tutorial could not run that way, which get a setup that suits them, and the four optimizers the
// tutorial did not have (Adafactor, Muon, Lion, Schedule-Free AdamW), each as its authors advise.
// Options given by the user are merged over these.
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
  adafactor: tutorial(
    {},
    "the tutorial's batches with PyTorch's Adafactor defaults (lr 1e-2, beta2Decay -0.8, eps [None, 1e-3], d 1); " +
      'one variable per tensor, so that each weight matrix and conv kernel keeps a factored second moment (row and column means)',
  ),
  muon: tutorial(
    { adjustLrFn: 'match_rms_adamw' },
    "Muon (PyTorch's defaults: lr 1e-3, momentum 0.95, Nesterov, weight decay 0.1) on the 2-D weights (the dense layers' matrices) and AdamW " +
      "with PyTorch's defaults on the conv kernels and the biases, as Muon's authors use it; adjustLrFn 'match_rms_adamw' scales " +
      "Muon's update to AdamW's typical RMS (0.2 sqrt(max(rows, cols))), so that one lr, AdamW's default 1e-3, suits both, as in " +
      'Moonshot\'s "Muon is scalable" recipe',
  ),
  lion: tutorial(
    { lr: 3e-4 },
    "lion-pytorch's defaults (betas 0.9, 0.99, no weight decay) but lr 3e-4: Lion's update is a sign, larger per weight than " +
      "Adam's, and its paper advises an lr 3-10x smaller than AdamW's (1e-3 here), where lion-pytorch's default 1e-4 is 10x",
  ),
  adamwschedulefree: tutorial(
    {},
    "schedulefree's defaults (lr 0.0025, betas 0.9, 0.999, no warm-up, no weight decay); the test set is evaluated at the " +
      "average x (optimizer.eval() before, train() after), the point Schedule-Free's authors evaluate",
  ),
};

/** The setup of an optimizer: its own, or the tutorial's with PyTorch's defaults. */
export function optimizerSetup(name: OptimizerName): OptimizerSetup {
  return setups[name] ?? tutorial({}, "the tutorial's setup: PyTorch's default options");
}
