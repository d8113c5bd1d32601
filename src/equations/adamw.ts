// AdamW as torch.optim.AdamW computes it: Adam with weight decay decoupled from the gradient
// (the parameter shrinks by lr * weightDecay before the step), and a default decay of 1e-2.
import { EquationsDefinition, OptionValues, withBetas } from './core';
import { adamDefaults, adamLines, adamState, adamSymbols, validateBetas } from './adam';

const { decoupledWeightDecay: _alwaysDecoupled, ...shared } = adamDefaults;

export const adamw: EquationsDefinition = {
  name: 'adamw',
  title: 'AdamW',
  defaults: { ...shared, weightDecay: 1e-2 },
  validate: validateBetas,
  constants: withBetas,
  symbols: adamSymbols,
  state: adamState,
  lines: (o: OptionValues) => adamLines({ ...o, decoupledWeightDecay: true }),
};
