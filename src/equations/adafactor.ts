// Adafactor as torch.optim.Adafactor (2.13) computes it. A tensor rule: a parameter of 2 or more
// dimensions keeps only the row and column means of g² over its last two axes, R and C, and
// estimates the second moment as R C / max(mean of R, eps1) (PyTorch's docstring writes a sum; the
// code takes the mean); vectors and scalars keep g² in full. lr is not a step size: it caps the
// relative step rho_t = min(lr, 1/sqrt(t)) and scales the weight decay. The update g / sqrt(v) is
// scaled down when its RMS exceeds d, and moves the parameter by its own RMS (at least eps2) * rho_t.
import { EquationsDefinition, LineSource, StateSpec, gradientLine, refuse, scalarOptions, when } from './core';

/** torch.finfo(torch.float32).eps: what eps1 = null (PyTorch's None) stands for. */
const FLOAT32_EPSILON = 2 ** -23;

const factored = (shape: readonly number[]) => shape.length > 1;

export const adafactor: EquationsDefinition = {
  name: 'adafactor',
  title: 'Adafactor',
  granularity: 'tensor',
  exampleShape: [4, 3],
  defaults: { lr: 1e-2, beta2Decay: -0.8, eps: [null, 1e-3], d: 1, weightDecay: 0, maximize: false },
  validate: (o) => {
    const [eps1, eps2] = o.eps as readonly (number | null)[];
    refuse((o.lr as number) >= 0, `Learning rate should be >= 0 but is: ${o.lr}`);
    refuse((o.beta2Decay as number) <= 0, `beta2_decay should be <= 0 but is: ${o.beta2Decay}`);
    refuse(eps1 === null || eps1 >= 0, `epsilon1 should be >= 0 but is: ${eps1}`);
    refuse((eps2 as number) >= 0, `epsilon2 should be >= 0 but is: ${eps2}`);
    refuse((o.d as number) >= 1, `Clipping threshold d should be >= 1 but is: ${o.d}`);
    refuse((o.weightDecay as number) >= 0, `weight_decay should be >= 0 but is: ${o.weightDecay}`);
  },
  constants: (o) => {
    const [eps1, eps2] = o.eps as readonly (number | null)[];
    return { ...scalarOptions(o), eps1: eps1 ?? FLOAT32_EPSILON, eps2: eps2 as number };
  },
  symbols: {
    beta2Decay: '\\tau',
    beta2t: '\\hat{\\beta}_{2,t}',
    rho: '\\rho_t',
    alpha: '\\alpha_t',
    eps1: '\\epsilon_1',
    eps2: '\\epsilon_2',
    rowVar: { timed: 'R' },
    colVar: { timed: 'C' },
    variance: { timed: 'V' },
    U: 'U_t',
    clip: 'c_t',
  },
  state: (_, shape): Record<string, StateSpec> =>
    factored(shape)
      ? {
          rowVar: { init: '0', shape: [...shape.slice(0, -1), 1] },
          colVar: { init: '0', shape: [...shape.slice(0, -2), 1, shape[shape.length - 1]] },
        }
      : { variance: { init: '0' } },
  lines: (o, shape) => {
    const secondMoment: LineSource[] = factored(shape)
      ? [
          ['rowVar = beta2t * rowVar + (1 - beta2t) * rowMean(g .^ 2)', 'row statistic: mean of the squared gradient over the last axis'],
          ['colVar = beta2t * colVar + (1 - beta2t) * colMean(g .^ 2)', 'column statistic: mean over the axis before it'],
          ['vHat = rowVar .* colVar ./ clampMin(colMean(rowVar), eps1)', 'factored second moment: the outer product R C over the mean of R'],
        ]
      : [
          ['variance = beta2t * variance + (1 - beta2t) * g .^ 2', 'second moment, kept in full'],
          ['vHat = variance', 'second moment'],
        ];
    return [
      gradientLine(o),
      ['beta2t = 1 - t ^ beta2Decay', 'decay of the second moment (step 1 keeps the squared gradient whole)'],
      ['rho = min(lr, 1 / sqrt(t))', 'relative step size, capped by lr'],
      ['alpha = max(eps2, rms(theta)) * rho', 'step size, relative to the parameter scale'],
      when(o.weightDecay !== 0, ['theta = theta * (1 - lr * weightDecay)', 'decoupled weight decay, scaled by lr']),
      ...secondMoment,
      ['U = g ./ sqrt(clampMin(vHat, eps1 ^ 2))', 'normalised update'],
      ['clip = max(1, rms(U) / d)', 'update clipping: an RMS above d is scaled down to d'],
      ['theta = theta - alpha * U / clip', 'step'],
    ];
  },
};
