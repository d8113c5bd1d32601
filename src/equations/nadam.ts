// NAdam as torch.optim.NAdam computes it: Adam with Nesterov momentum whose coefficient mu_t
// warms up with momentumDecay (psi); the step mixes the current gradient and the first moment,
// each with its own product-of-mus correction.
import { EquationsDefinition, gradientLine, refuse, weightDecayLine, withBetas } from './core';
import { momentLines, validateBetas } from './adam';

export const nadam: EquationsDefinition = {
  name: 'nadam',
  title: 'NAdam',
  defaults: {
    lr: 2e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
    decoupledWeightDecay: false,
    maximize: false,
  },
  validate: (o) => {
    validateBetas(o);
    refuse((o.momentumDecay as number) >= 0, `Invalid momentum_decay value: ${o.momentumDecay}`);
  },
  constants: withBetas,
  symbols: {
    mu: '\\mu_t',
    muNext: '\\mu_{t+1}',
    muProduct: { timed: '{\\textstyle\\prod_{i=1}^{#}\\mu_i}' },
    momentumDecay: '\\psi',
  },
  state: () => ({ muProduct: { init: '1', perTensor: true }, expAvg: { init: '0' }, expAvgSq: { init: '0' } }),
  lines: (o) => [
    gradientLine(o),
    weightDecayLine(o),
    ['mu = beta1 * (1 - 0.5 * 0.96 ^ (t * momentumDecay))', 'momentum coefficient now'],
    ['muNext = beta1 * (1 - 0.5 * 0.96 ^ ((t + 1) * momentumDecay))', 'momentum coefficient next step'],
    ['muProduct = muProduct * mu', 'product of the coefficients so far'],
    ...momentLines,
    ['vHat = expAvgSq / (1 - beta2 ^ t)', 'bias-corrected second moment'],
    ['theta = theta - lr * (1 - mu) * g / ((1 - muProduct) * (sqrt(vHat) + eps))', 'gradient part'],
    ['theta = theta - lr * muNext * expAvg / ((1 - muProduct * muNext) * (sqrt(vHat) + eps))', 'momentum part (look-ahead)'],
  ],
};
