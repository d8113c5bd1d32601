// ASGD as torch.optim.ASGD computes it: SGD with a decaying step eta and a shrink of the
// parameter, plus a running average ax of the parameters that starts averaging after step t0.
// eta and mu are per-tensor scalars; a step uses the values the previous step left.
import { EquationsDefinition, gradientLine, l2Line } from './core';

export const asgd: EquationsDefinition = {
  name: 'asgd',
  title: 'ASGD',
  defaults: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false },
  symbols: {
    lr: '\\eta_0',
    eta: { timed: '\\eta' },
    mu: { timed: '\\mu' },
    ax: { timed: '\\bar{\\theta}' },
    lambd: '\\lambda',
    weightDecay: '\\omega',
    t0: 't_0',
  },
  state: () => ({ eta: { init: 'lr', perTensor: true }, mu: { init: '1', perTensor: true }, ax: { init: '0' } }),
  lines: (o) => [
    gradientLine(o),
    l2Line(o),
    ['theta = theta * (1 - lambd * eta)', 'shrink'],
    ['theta = theta - eta * g', 'step'],
    ['ax = ax + mu * (theta - ax)', 'average (a copy of the parameter while mu is 1)'],
    ['eta = lr / (1 + lambd * lr * t) ^ alpha', 'next step size'],
    ['mu = 1 / max(1, t - t0)', 'next averaging weight'],
  ],
};
