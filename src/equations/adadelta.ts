// Adadelta as torch.optim.Adadelta computes it: running averages of squared gradients and of
// squared updates, whose ratio replaces a global step size (lr only scales the result).
import { EquationsDefinition, gradientLine, l2Line, refuse } from './core';

export const adadelta: EquationsDefinition = {
  name: 'adadelta',
  title: 'Adadelta',
  defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  validate: (o) => refuse((o.rho as number) >= 0 && (o.rho as number) <= 1, `Invalid rho value: ${o.rho}`),
  symbols: {
    squareAvg: { timed: 'E[g^2]_{#}' },
    accDelta: { timed: 'E[\\Delta\\theta^2]_{#}' },
    delta: '\\Delta\\theta_t',
    rho: '\\rho',
  },
  state: () => ({ squareAvg: { init: '0' }, accDelta: { init: '0' } }),
  lines: (o) => [
    gradientLine(o),
    l2Line(o),
    ['squareAvg = rho * squareAvg + (1 - rho) * g ^ 2', 'running average of squared gradients'],
    ['delta = sqrt(accDelta + eps) / sqrt(squareAvg + eps) * g', 'update: RMS of past updates over RMS of gradients'],
    ['accDelta = rho * accDelta + (1 - rho) * delta ^ 2', 'running average of squared updates'],
    ['theta = theta - lr * delta', 'step'],
  ],
};
