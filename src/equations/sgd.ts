// SGD as torch.optim.SGD computes it: an optional momentum buffer that starts as the first
// gradient, optional dampening of later gradients, and Nesterov's look-ahead.
import { EquationsDefinition, StateSpec, gradientLine, l2Line, refuse, when } from './core';

export const sgd: EquationsDefinition = {
  name: 'sgd',
  title: 'SGD',
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  validate: (o) =>
    refuse(
      !o.nesterov || ((o.momentum as number) > 0 && o.dampening === 0),
      'Nesterov momentum requires a momentum and zero dampening',
    ),
  symbols: { momentumBuffer: { timed: 'b' }, momentum: '\\mu', dampening: '\\tau' },
  state: (o): Record<string, StateSpec> => (o.momentum !== 0 ? { momentumBuffer: { init: '0' } } : {}),
  lines: (o) => [
    gradientLine(o),
    l2Line(o),
    when(o.momentum !== 0, [
      'momentumBuffer = t == 1 ? g : momentum * momentumBuffer + (1 - dampening) * g',
      'momentum buffer (the first gradient as it is)',
    ]),
    when(o.momentum !== 0, o.nesterov ? ['g = g + momentum * momentumBuffer', 'Nesterov look-ahead'] : ['g = momentumBuffer', 'step along the buffer']),
    ['theta = theta - lr * g', 'step'],
  ],
};
