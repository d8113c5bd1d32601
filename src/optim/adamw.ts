// AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, as torch.optim.AdamW is
// in PyTorch 2.x (a subclass of Adam that always decouples, with weight decay on by default):
//   param <- param * (1 - lr * weightDecay), then Adam's step (adam.ts) without L2 in the gradient.
// Like PyTorch's AdamW it has no `decoupledWeightDecay` option: decoupling is what makes it AdamW.
import { AdamCoreOptions, adamDefaults, decoupledAdamRule, validateAdam } from './adam';
import { TorchOptimizer } from './torch-optimizer';

export type AdamWOptions = AdamCoreOptions;

export const adamwDefaults: AdamWOptions = {
  lr: adamDefaults.lr,
  betas: adamDefaults.betas,
  eps: adamDefaults.eps,
  weightDecay: 1e-2,
  amsgrad: adamDefaults.amsgrad,
  maximize: adamDefaults.maximize,
};

/** AdamW's checks are Adam's. */
export const validateAdamW: (o: AdamWOptions) => void = validateAdam;

export const adamwRule = decoupledAdamRule;

export class AdamW extends TorchOptimizer<AdamWOptions> {
  static get className(): string {
    return 'TorchAdamW';
  }
  constructor(options?: Partial<AdamWOptions>) {
    super('AdamW', adamwDefaults, options, validateAdamW, adamwRule);
  }
}
