// RAdam as torch.optim.RAdam computes it: Adam whose adaptive step is switched on only once the
// variance of the adaptive rate is tractable (rho_t > 5), and then rectified by r_t; before that,
// the step is plain momentum SGD on the bias-corrected first moment.
import { EquationsDefinition, gradientLine, weightDecayLine, withBetas } from './core';
import { momentLines, validateBetas } from './adam';

export const radam: EquationsDefinition = {
  name: 'radam',
  title: 'RAdam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false },
  validate: validateBetas,
  constants: withBetas,
  symbols: { rhoInf: '\\rho_{\\infty}', rhoT: '\\rho_t', rect: 'r_t', adaptiveLr: 'l_t' },
  state: () => ({ expAvg: { init: '0' }, expAvgSq: { init: '0' } }),
  lines: (o) => [
    gradientLine(o),
    weightDecayLine(o),
    ...momentLines,
    ['mHat = expAvg / (1 - beta1 ^ t)', 'bias-corrected first moment'],
    ['rhoInf = 2 / (1 - beta2) - 1', 'longest approximated SMA'],
    ['rhoT = rhoInf - 2 * t * beta2 ^ t / (1 - beta2 ^ t)', 'approximated SMA length now'],
    // NaN while rho_t is in (2, 4); only the rectified branch below reads it.
    ['rect = sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))', 'variance rectification'],
    ['adaptiveLr = sqrt(1 - beta2 ^ t) / (sqrt(expAvgSq) + eps)', 'adaptive learning rate'],
    ['theta = rhoT > 5 ? theta - lr * mHat * rect * adaptiveLr : theta - lr * mHat', 'step (rectified once rho_t > 5)'],
  ],
};
