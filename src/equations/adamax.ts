// Adamax as torch.optim.Adamax computes it: Adam with the second moment replaced by an
// exponentially weighted infinity norm, u = max(beta2 u, |g| + eps).
import { EquationsDefinition, gradientLine, l2Line, withBetas } from './core';
import { momentLines, validateBetas } from './adam';

export const adamax: EquationsDefinition = {
  name: 'adamax',
  title: 'Adamax',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  validate: validateBetas,
  constants: withBetas,
  symbols: { expInf: { timed: 'u' } },
  state: () => ({ expAvg: { init: '0' }, expInf: { init: '0' } }),
  lines: (o) => [
    gradientLine(o),
    l2Line(o),
    momentLines[0],
    ['expInf = max(beta2 * expInf, abs(g) + eps)', 'exponentially weighted infinity norm'],
    ['theta = theta - lr * expAvg / ((1 - beta1 ^ t) * expInf)', 'step (first moment bias-corrected)'],
  ],
};
