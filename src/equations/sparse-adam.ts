// SparseAdam as torch.optim.SparseAdam computes it: "lazy" Adam that updates the moments and the
// parameter only in rows present in the sparse gradient (a row that is all zeros here), and adds
// eps to the uncorrected root of the second moment (unlike Adam, which adds it after correction).
import { EquationsDefinition, gradientLine, refuse, withBetas } from './core';
import { momentLines, validateBetas } from './adam';

export const sparseadam: EquationsDefinition = {
  name: 'sparseadam',
  title: 'SparseAdam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false },
  validate: (o) => {
    refuse((o.lr as number) > 0, `Invalid learning rate: ${o.lr}`);
    refuse((o.eps as number) > 0, `Invalid epsilon value: ${o.eps}`);
    validateBetas(o);
  },
  constants: withBetas,
  state: () => ({ expAvg: { init: '0' }, expAvgSq: { init: '0' } }),
  appliesTo: 'presentRows',
  lines: (o) => [
    gradientLine(o),
    ...momentLines,
    ['theta = theta - lr * sqrt(1 - beta2 ^ t) * expAvg / ((1 - beta1 ^ t) * (sqrt(expAvgSq) + eps))', 'step'],
  ],
};
