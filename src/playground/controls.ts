// The playground's controls for an optimizer, read off the library itself: which options an
// optimizer has and their defaults come from the optimizer (`settings` of a fresh instance, i.e.
// PyTorch's defaults as src/optim declares them), so a new option or a changed default shows up here
// without an edit. What the library cannot know is a slider's range; `RANGES` gives it by option name,
// and an option it does not list gets a range derived from its default.
import { createOptimizer, type OptimizerName } from '../optim/index';

export interface RangeControl {
  kind: 'range';
  /** The input's name: the option's, or for a pair such as betas, beta1 and beta2. */
  name: string;
  option: string;
  /** For a pair option: which element this slider sets. */
  index?: number;
  /** log: the slider moves log10 of the value, in `step` decades. */
  scale: 'log' | 'linear';
  min: number;
  max: number;
  step: number;
  defaultValue: number;
}
export interface CheckboxControl {
  kind: 'checkbox';
  name: string;
  option: string;
  defaultValue: boolean;
}
export interface ChoiceControl {
  kind: 'choice';
  name: string;
  option: string;
  choices: ReadonlyArray<string | null>;
  defaultValue: string | null;
}
export type OptionControl = RangeControl | CheckboxControl | ChoiceControl;

type Range = Pick<RangeControl, 'scale' | 'min' | 'max' | 'step'>;
const log = (min: number, max: number, step = 0.1): Range => ({ scale: 'log', min, max, step });
const linear = (min: number, max: number, step: number): Range => ({ scale: 'linear', min, max, step });

/** Slider ranges by control name, wide enough for every optimizer that has the option. */
const RANGES: Record<string, Range> = {
  lr: log(1e-5, 10),
  eps: log(1e-10, 1),
  weightDecay: linear(0, 1, 0.01),
  momentum: linear(0, 0.999, 0.001),
  dampening: linear(0, 1, 0.01),
  beta1: linear(0, 0.999, 0.001),
  beta2: linear(0, 0.999, 0.001),
  alpha: linear(0, 0.999, 0.001),
  rho: linear(0, 0.999, 0.001),
  lrDecay: linear(0, 0.1, 0.001),
  initialAccumulatorValue: linear(0, 1, 0.01),
  lambd: log(1e-6, 1),
  momentumDecay: log(1e-4, 0.1),
  eta1: linear(0.05, 0.95, 0.05),
  eta2: linear(1.05, 3, 0.05),
  stepSize1: log(1e-8, 1e-2),
  stepSize2: log(1e-2, 100),
  maxIter: linear(1, 50, 1),
  historySize: linear(1, 100, 1),
  warmupSteps: linear(0, 200, 1),
  r: linear(0, 4, 0.1),
  weightLrPower: linear(0, 4, 0.1),
  beta2Decay: linear(-1, 0, 0.05),
  d: linear(1, 5, 0.1),
  nsSteps: linear(0, 10, 1),
};

/** The values a string option takes (the library checks them; it does not list them). */
const CHOICES: Record<string, ReadonlyArray<string | null>> = {
  lineSearchFn: [null, 'strong_wolfe'],
  adjustLrFn: [null, 'original', 'match_rms_adamw'],
};

/**
 * Options without a control, and why: each either cannot show on these surfaces or is derived.
 * maximize climbs away from the minimum; maxEval follows maxIter when left out; t0 starts ASGD's
 * average, which the path does not show; the tolerances only stop L-BFGS early; Newton-Schulz's
 * coefficients are tuned together and nsSteps already shows what they do.
 */
const WITHOUT_CONTROL = new Set(['maximize', 'maxEval', 't0', 'toleranceGrad', 'toleranceChange', 'nsCoefficients']);

/** A range for an option RANGES does not list, from its default. */
function derivedRange(defaultValue: number): Range {
  if (defaultValue > 0) return log(defaultValue / 100, defaultValue * 100);
  if (defaultValue < 0) return linear(2 * defaultValue, 0, -defaultValue / 20);
  return linear(0, 1, 0.01);
}

function rangeControl(name: string, option: string, defaultValue: number, index?: number): RangeControl {
  return { kind: 'range', name, option, ...(index === undefined ? {} : { index }), ...(RANGES[name] ?? derivedRange(defaultValue)), defaultValue };
}

/** The options of optimizer `name` and their defaults, as the library has them. */
export function optimizerDefaults(name: OptimizerName): Record<string, unknown> {
  const optimizer = createOptimizer(name);
  try {
    return { ...optimizer.settings };
  } finally {
    optimizer.dispose();
  }
}

/** The controls for optimizer `name`, in the order of its options. */
export function optionControls(name: OptimizerName): OptionControl[] {
  const controls: OptionControl[] = [];
  for (const [option, value] of Object.entries(optimizerDefaults(name))) {
    if (WITHOUT_CONTROL.has(option)) continue;
    if (typeof value === 'number') controls.push(rangeControl(option, option, value));
    else if (typeof value === 'boolean') controls.push({ kind: 'checkbox', name: option, option, defaultValue: value });
    else if (option in CHOICES && (value === null || typeof value === 'string')) {
      controls.push({ kind: 'choice', name: option, option, choices: CHOICES[option], defaultValue: value });
    } else if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === 'number')) {
      // betas -> beta1, beta2; etas -> eta1, eta2; stepSizes -> stepSize1, stepSize2.
      const singular = option.replace(/s$/, '');
      value.forEach((x: number, index) => controls.push(rangeControl(`${singular}${index + 1}`, option, x, index)));
    }
    // Anything else (Adafactor's eps pair, which may hold null) keeps its default.
  }
  return controls;
}

/** A control's value as the page holds it: a number, a boolean, or a choice. */
export type ControlValue = number | boolean | string | null;

/**
 * The options to construct the optimizer with: only those whose controls differ from the default,
 * so that what the library derives from others (L-BFGS's maxEval from maxIter) stays derived.
 */
export function optionsFromControls(name: OptimizerName, values: Record<string, ControlValue>): Record<string, unknown> {
  const defaults = optimizerDefaults(name);
  const options: Record<string, unknown> = {};
  for (const control of optionControls(name)) {
    if (!(control.name in values)) continue;
    const value = values[control.name];
    if (control.kind === 'range' && control.index !== undefined) {
      const pair = [...((options[control.option] ?? defaults[control.option]) as number[])];
      pair[control.index] = value as number;
      options[control.option] = pair;
    } else {
      options[control.option] = value;
    }
  }
  for (const [option, value] of Object.entries(options)) {
    if (JSON.stringify(value) === JSON.stringify(defaults[option])) delete options[option];
  }
  return options;
}
