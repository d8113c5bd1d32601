// Adagrad as torch.optim.Adagrad computes it: a running sum of squared gradients (starting at
// initialAccumulatorValue) scales each element's step; lrDecay shrinks the rate as 1/(1 + (t-1) d).
import { EquationsDefinition, gradientLine, l2Line, refuse, when } from './core';

export const adagrad: EquationsDefinition = {
  name: 'adagrad',
  title: 'Adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  validate: (o) => {
    refuse((o.lrDecay as number) >= 0, `Invalid lr_decay value: ${o.lrDecay}`);
    refuse((o.initialAccumulatorValue as number) >= 0, `Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`);
  },
  symbols: { sum: { timed: 'G' }, lrDecay: '\\eta_{\\mathrm{decay}}', clr: '\\tilde{\\eta}_t', initialAccumulatorValue: 'G_0' },
  state: () => ({ sum: { init: 'initialAccumulatorValue' } }),
  lines: (o) => {
    const rate = o.lrDecay !== 0 ? 'clr' : 'lr';
    return [
      gradientLine(o),
      l2Line(o),
      when(o.lrDecay !== 0, ['clr = lr / (1 + (t - 1) * lrDecay)', 'decayed learning rate']),
      ['sum = sum + g ^ 2', 'sum of squared gradients'],
      [`theta = theta - ${rate} * g / (sqrt(sum) + eps)`, 'step'],
    ];
  },
};
