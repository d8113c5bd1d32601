// Rprop as torch.optim.Rprop computes it: only the sign of the gradient moves the parameter; each
// element's step size grows by etaplus while the sign holds, shrinks by etaminus when it flips
// (and that element then does not move, and forgets its gradient), clamped to stepSizes.
import { EquationsDefinition, gradientLine, refuse, scalarOptions } from './core';

export const rprop: EquationsDefinition = {
  name: 'rprop',
  title: 'Rprop',
  defaults: { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false },
  validate: (o) => {
    const [etaminus, etaplus] = o.etas as readonly number[];
    refuse(0 < etaminus && etaminus < 1 && 1 < etaplus, `Invalid eta values: ${etaminus}, ${etaplus}`);
  },
  constants: (o) => {
    const [etaminus, etaplus] = o.etas as readonly number[];
    const [stepSizeMin, stepSizeMax] = o.stepSizes as readonly number[];
    return { ...scalarOptions(o), etaminus, etaplus, stepSizeMin, stepSizeMax };
  },
  symbols: {
    lr: '\\eta_0',
    stepSize: { timed: '\\eta' },
    prev: { timed: '\\tilde{g}' },
    factor: 's_t',
    etaminus: '\\eta_{-}',
    etaplus: '\\eta_{+}',
    stepSizeMin: '\\Gamma_{\\min}',
    stepSizeMax: '\\Gamma_{\\max}',
  },
  state: () => ({ prev: { init: '0' }, stepSize: { init: 'lr' } }),
  lines: (o) => [
    gradientLine(o),
    ['factor = g * prev > 0 ? etaplus : g * prev < 0 ? etaminus : 1', 'grow while the sign holds, shrink when it flips'],
    ['stepSize = min(max(stepSize * factor, stepSizeMin), stepSizeMax)', 'step size, clamped'],
    ['g = g * prev < 0 ? 0 : g', 'no move where the sign flipped'],
    ['theta = theta - sign(g) * stepSize', 'step'],
    ['prev = g', 'remembered gradient'],
  ],
};
