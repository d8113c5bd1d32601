// Schedule-Free AdamW (Defazio et al., 2024) in the paper's form, which the reference
// (schedulefree's AdamWScheduleFree) computes without forming x: Adam-normalised SGD steps on a
// base sequence z, x the weighted average of the z's (what eval mode puts in the model), and the
// gradient taken at y = (1 - beta1) z + beta1 x (the parameter in train mode, theta here). A
// step's weight in the average is t^r * lrMax^weightLrPower, lrMax the largest warmed-up lr so
// far; c is its share of the weights so far. z and x start at the parameter, at the first step.
import { EquationsDefinition, OptionValues, refuse, when, withBetas } from './core';

export const adamwschedulefree: EquationsDefinition = {
  name: 'adamwschedulefree',
  title: 'AdamWScheduleFree',
  defaults: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, warmupSteps: 0, r: 0, weightLrPower: 2 },
  validate: (o: OptionValues) => {
    const [beta1, beta2] = o.betas as readonly number[];
    refuse(beta1 > 0 && beta1 < 1, `Invalid beta parameter at index 0: ${beta1}`);
    refuse(beta2 >= 0 && beta2 < 1, `Invalid beta parameter at index 1: ${beta2}`);
    refuse((o.eps as number) >= 0, `Invalid epsilon value: ${o.eps}`);
    refuse((o.weightDecay as number) >= 0, `Invalid weight_decay value: ${o.weightDecay}`);
    refuse(Number.isInteger(o.warmupSteps) && (o.warmupSteps as number) >= 0, `Invalid warmup_steps value: ${o.warmupSteps}`);
    refuse((o.r as number) >= 0 && (o.weightLrPower as number) >= 0, `Invalid r or weight_lr_power: ${o.r}, ${o.weightLrPower}`);
  },
  constants: withBetas,
  symbols: {
    theta: { timed: 'y' },
    z: { timed: 'z' },
    x: { timed: 'x' },
    lrT: '\\eta_t',
    lrMax: { timed: '\\eta^{\\max}_{#}' },
    weight: 'w_t',
    weightSum: { timed: 'W' },
    c: 'c_t',
    gHat: '\\hat{g}_t',
    warmupSteps: 'T_{\\mathrm{warmup}}',
    weightLrPower: 'p',
  },
  state: () => ({
    z: { init: '0' },
    x: { init: '0' },
    expAvgSq: { init: '0' },
    lrMax: { init: '-1', perTensor: true },
    weightSum: { init: '0', perTensor: true },
  }),
  lines: (o) => [
    ['g = grad', 'gradient, taken at y'],
    ['z = t == 1 ? theta : z', 'z starts at the parameter'],
    ['x = t == 1 ? theta : x', 'and so does x'],
    o.warmupSteps !== 0 ? ['lrT = lr * min(1, t / warmupSteps)', 'linear warm-up'] : ['lrT = lr', 'learning rate (no warm-up)'],
    ['lrMax = max(lrMax, lrT)', 'largest lr so far'],
    ['weight = t ^ r * lrMax ^ weightLrPower', "this step's weight in the average"],
    ['weightSum = weightSum + weight', 'the weights so far'],
    ['c = weightSum == 0 ? 0 : weight / weightSum', "this step's share"],
    ['expAvgSq = beta2 * expAvgSq + (1 - beta2) * g ^ 2', 'second moment'],
    ['gHat = g / (sqrt(expAvgSq / (1 - beta2 ^ t)) + eps)', 'Adam-normalised gradient'],
    when(o.weightDecay !== 0, ['gHat = gHat + weightDecay * theta', 'weight decay, at y']),
    ['z = z - lrT * gHat', 'SGD step on z'],
    ['x = (1 - c) * x + c * z', 'average: the point to evaluate'],
    ['theta = (1 - beta1) * z + beta1 * x', 'the next gradient point'],
  ],
};
