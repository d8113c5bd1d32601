// Lion (Chen et al., 2023) as lion-pytorch's Lion computes it: the parameter moves by lr times the
// sign of an interpolation between the momentum and the gradient; the momentum is a second,
// slower average (beta2) of the gradients. Weight decay shrinks the parameter first, by
// lr * weightDecay, or with decoupledWeightDecay by lr / lr0 * weightDecay, lr0 being the lr the
// optimizer was made with. lr0 is `initialLr` here (not an option of lion-pytorch's): null means
// the lr in force, which is lr0 unless the lr was changed between steps.
import { EquationsDefinition, OptionValues, gradientLine, refuse, when, withBetas } from './core';

export const lion: EquationsDefinition = {
  name: 'lion',
  title: 'Lion',
  defaults: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, decoupledWeightDecay: false, initialLr: null },
  validate: (o: OptionValues) => {
    refuse((o.lr as number) > 0, `Invalid learning rate: ${o.lr}`);
    (o.betas as readonly number[]).forEach((beta, i) => refuse(beta >= 0 && beta <= 1, `Invalid beta parameter at index ${i}: ${beta}`));
    refuse((o.weightDecay as number) >= 0, `Invalid weight_decay value: ${o.weightDecay}`);
  },
  constants: (o) => ({ ...withBetas(o), initialLr: (o.initialLr ?? o.lr) as number }),
  symbols: { initialLr: '\\eta_0', c: 'c_t' },
  state: () => ({ expAvg: { init: '0' } }),
  lines: (o) => [
    gradientLine({}),
    when(
      o.weightDecay !== 0,
      o.decoupledWeightDecay
        ? ['theta = theta * (1 - lr * (weightDecay / initialLr))', 'weight decay, relative to the initial lr (decoupled)']
        : ['theta = theta * (1 - lr * weightDecay)', 'weight decay'],
    ),
    ['c = beta1 * expAvg + (1 - beta1) * g', 'interpolation of momentum and gradient'],
    ['theta = theta - lr * sign(c)', 'step: lr in every element'],
    ['expAvg = beta2 * expAvg + (1 - beta2) * g', 'momentum'],
  ],
};
