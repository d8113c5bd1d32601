// RMSprop as torch.optim.RMSprop computes it: divide by the root of a running average of squared
// gradients (centered: minus the squared running average of gradients), optionally with momentum.
import { EquationsDefinition, LineSource, gradientLine, l2Line, refuse, when } from './core';

export const rmsprop: EquationsDefinition = {
  name: 'rmsprop',
  title: 'RMSprop',
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  validate: (o) => {
    refuse((o.momentum as number) >= 0, `Invalid momentum value: ${o.momentum}`);
    refuse((o.alpha as number) >= 0, `Invalid alpha value: ${o.alpha}`);
  },
  symbols: { squareAvg: { timed: 'v' }, gradAvg: { timed: '\\bar{g}' }, momentumBuffer: { timed: 'b' }, momentum: '\\mu' },
  state: (o) => ({
    squareAvg: { init: '0' },
    ...(o.centered ? { gradAvg: { init: '0' } } : {}),
    ...((o.momentum as number) > 0 ? { momentumBuffer: { init: '0' } } : {}),
  }),
  lines: (o) => {
    const denominator = o.centered ? '(sqrt(squareAvg - gradAvg ^ 2) + eps)' : '(sqrt(squareAvg) + eps)';
    const withMomentum = (o.momentum as number) > 0;
    return [
      gradientLine(o),
      l2Line(o),
      ['squareAvg = alpha * squareAvg + (1 - alpha) * g ^ 2', 'running average of squared gradients'],
      when(o.centered, ['gradAvg = alpha * gradAvg + (1 - alpha) * g', 'running average of gradients (centered)']),
      when(withMomentum, [`momentumBuffer = momentum * momentumBuffer + g / ${denominator}`, 'momentum buffer']),
      withMomentum ? ['theta = theta - lr * momentumBuffer', 'step'] : ([`theta = theta - lr * g / ${denominator}`, 'step'] as LineSource),
    ];
  },
};
