// Adam as torch.optim.Adam computes it: bias-corrected running averages of the gradient and its
// square; amsgrad divides by the largest second moment so far (the raw one, bias-corrected after);
// weight decay is an L2 penalty, or decoupled (AdamW's) when decoupledWeightDecay is set.
import { EquationsDefinition, LineSource, OptionValues, gradientLine, refuse, weightDecayLine, when, withBetas } from './core';

export const adamDefaults = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  decoupledWeightDecay: false,
} as const satisfies OptionValues;

/** PyTorch's checks shared by the Adam family. */
export function validateBetas(o: OptionValues): void {
  (o.betas as readonly number[]).forEach((beta, i) =>
    refuse(beta >= 0 && beta < 1, `Invalid beta parameter at index ${i}: ${beta}`),
  );
  refuse((o.eps as number) >= 0, `Invalid epsilon value: ${o.eps}`);
  refuse((o.weightDecay ?? 0) as number >= 0, `Invalid weight_decay value: ${o.weightDecay}`);
}

/** The two running averages every Adam variant keeps. */
export const momentLines: readonly LineSource[] = [
  ['expAvg = beta1 * expAvg + (1 - beta1) * g', 'first moment'],
  ['expAvgSq = beta2 * expAvgSq + (1 - beta2) * g ^ 2', 'second moment'],
];

export const adamSymbols = { maxExpAvgSq: { timed: 'v^{\\max}_{#}' } };

export function adamState(o: OptionValues): Record<string, { init: string }> {
  return { expAvg: { init: '0' }, expAvgSq: { init: '0' }, ...(o.amsgrad ? { maxExpAvgSq: { init: '0' } } : {}) };
}

/** Adam's update; AdamW is the same with decoupled weight decay. */
export function adamLines(o: OptionValues): Array<LineSource | false> {
  return [
    gradientLine(o),
    weightDecayLine(o),
    ...momentLines,
    when(o.amsgrad, ['maxExpAvgSq = max(maxExpAvgSq, expAvgSq)', 'largest second moment so far (amsgrad)']),
    ['mHat = expAvg / (1 - beta1 ^ t)', 'bias-corrected first moment'],
    [`vHat = ${o.amsgrad ? 'maxExpAvgSq' : 'expAvgSq'} / (1 - beta2 ^ t)`, 'bias-corrected second moment'],
    ['theta = theta - lr * mHat / (sqrt(vHat) + eps)', 'step'],
  ];
}

export const adam: EquationsDefinition = {
  name: 'adam',
  title: 'Adam',
  defaults: adamDefaults,
  validate: validateBetas,
  constants: withBetas,
  symbols: adamSymbols,
  state: adamState,
  lines: adamLines,
};
