// Every option of every optimizer as a rule of its own, written from PyTorch's constructors (and
// the reference packages for Lion, Schedule-Free AdamW) and from this library's documented
// additions, independently of src/optim's validators: the property tests in properties.test.ts
// draw option records and check that the library refuses exactly the records these rules refuse.
// Each option also has the values its generator draws (valid ones, values at the rule's edges),
// and says which valid values may legitimately overflow float32 within a few steps (`grows`).
import fc from 'fast-check';
import type { OptimizerName } from '../src/optim';

export interface OptionDomain {
  /** Whether the value is one the optimizer must take (PyTorch's rule, or ours where documented). */
  accepts(value: unknown): boolean;
  /** Values for this option: mostly valid ones, and values just outside the rule. */
  values: fc.Arbitrary<unknown>;
  /**
   * Valid values under which float32 values may legitimately become infinite within a few steps on
   * bounded gradients (a huge step size or growth factor): such records are built, not stepped.
   */
  grows?(value: unknown): boolean;
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** float32's largest finite value: an option beyond it is Infinity once it meets a tensor. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Values far from the rule's edges, at its edges and beyond float32, for a numeric option. */
function numbers(moderate: fc.Arbitrary<number>, edges: number[]): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 10, arbitrary: moderate },
    { weight: 2, arbitrary: fc.constantFrom(...edges, 0, -0, 1e-30, 1e-300, 5e-324, 1e6, 1e30, 1e300, Number.MAX_VALUE, -1e-3, -1, -1e300) },
  );
}

/** Mostly uniform in [min, max]; now and then fast-check's doubles there, which favour the extremes. */
const small = (min: number, max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 1 << 20 }).map((i) => min + ((max - min) * i) / (1 << 20)) },
    { weight: 1, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) },
  );

/** A number with a rule; `growsAbove`: magnitudes above which the option may make values overflow. */
function num(rule: (x: number) => boolean, moderate: fc.Arbitrary<number>, edges: number[] = [], growsAbove = Infinity): OptionDomain {
  return {
    accepts: (x) => isNumber(x) && rule(x),
    values: numbers(moderate, edges),
    grows: (x) => Math.abs(x as number) > growsAbove,
  };
}

/** A whole number with a rule, drawn mostly small (an L-BFGS with maxIter 1e300 would not finish). */
function integer(rule: (x: number) => boolean, max: number, edges: number[] = [], growsAbove = Infinity): OptionDomain {
  return {
    accepts: (x) => isNumber(x) && Number.isInteger(x) && rule(x),
    values: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 0, max }) }, { weight: 2, arbitrary: fc.constantFrom(...edges, 1.5, -1, 0.5, 1e300) }),
    grows: (x) => (x as number) > growsAbove,
  };
}

const bool: OptionDomain = { accepts: (x) => typeof x === 'boolean', values: fc.boolean() };

/** A fixed-length array of numbers, each element with its rule (and null where `nullableAt` says). */
function tuple(rules: Array<(x: number) => boolean>, element: fc.Arbitrary<number>, options: { nullableAt?: number[]; whole?: (xs: number[]) => boolean; growsAbove?: number } = {}): OptionDomain {
  const { nullableAt = [], whole = () => true, growsAbove = Infinity } = options;
  const item = fc.oneof({ weight: 20, arbitrary: element }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, NaN, Infinity, '0.5') });
  return {
    accepts: (x) =>
      Array.isArray(x) &&
      x.length === rules.length &&
      x.every((v, i) => (v === null && nullableAt.includes(i)) || (isNumber(v) && rules[i](v))) &&
      whole(x.map((v) => v ?? 0)),
    values: fc.oneof(
      { weight: 12, arbitrary: fc.tuple(...rules.map(() => item)) },
      { weight: 1, arbitrary: fc.array(element, { maxLength: rules.length + 2 }) },
    ),
    grows: (x) => (x as unknown[]).some((v) => typeof v === 'number' && Math.abs(v) > growsAbove),
  };
}

const atLeast = (min: number) => (x: number) => x >= min;
const nonNegative = atLeast(0);
const positive = (x: number) => x > 0;
const anyFinite = () => true;

// The options most optimizers share. A step size or a decay factor above 1e3 may overflow float32
// within three steps (param * (1 - lr * weightDecay) compounds); so may anything beyond float32's range.
const lr = num(nonNegative, small(0, 10), [10, 100], 1e3);
const eps = num(nonNegative, small(0, 1), [1e-8], FLOAT32_MAX);
const weightDecay = num(nonNegative, small(0, 10), [1e-2], 1e3);
const beta = small(0, 0.9999);
const betas = tuple([(b) => b >= 0 && b < 1, (b) => b >= 0 && b < 1], fc.oneof(beta, fc.constantFrom(0, 1, 1.5, -0.1)));
const momentum = num(nonNegative, small(0, 10), [0.9, 1], 1e3);

/** clip_grad_norm_'s max_norm (any number >= 0, Infinity too), its norm type and clip_grad_value_'s clip value. */
const clipping: Record<string, OptionDomain> = {
  clipGradNorm: {
    accepts: (x) => x === null || (typeof x === 'number' && x >= 0),
    values: fc.oneof(small(1e-3, 10), fc.constantFrom(null, Infinity, 0, -1, NaN, '1')),
  },
  clipGradNormType: {
    accepts: (x) => x === 'inf' || (typeof x === 'number' && x > 0),
    values: fc.oneof(fc.constantFrom(1, 2, 3, 'inf', Infinity, 0, -2, NaN, 'l2', null)),
  },
  clipGradValue: {
    accepts: (x) => x === null || (isNumber(x) && x >= 0),
    values: fc.oneof(small(1e-3, 10), fc.constantFrom(null, Infinity, 0, -1, NaN, '1')),
  },
};

const adamLike = { lr, betas, eps, weightDecay, amsgrad: bool, maximize: bool };

/** The option domains of each optimizer. */
export const optionDomains: Record<OptimizerName, Record<string, OptionDomain>> = {
  sgd: {
    lr,
    momentum,
    // PyTorch takes any dampening; (1 - dampening) scales the gradient into the buffer.
    dampening: num(anyFinite, small(-10, 10), [0, 1], 1e3),
    weightDecay,
    nesterov: bool,
    maximize: bool,
    ...clipping,
  },
  adagrad: {
    lr,
    lrDecay: num(nonNegative, small(0, 10), []),
    weightDecay,
    initialAccumulatorValue: num(nonNegative, small(0, 10), [0.1], FLOAT32_MAX),
    eps,
    maximize: bool,
    ...clipping,
  },
  adadelta: {
    lr,
    rho: num((x) => x >= 0 && x <= 1, small(0, 1), [1, 1.0001]),
    eps,
    weightDecay,
    maximize: bool,
    ...clipping,
  },
  rmsprop: {
    lr,
    // PyTorch takes alpha > 1 (its square average then goes negative and the step NaN): refused here.
    alpha: num((x) => x >= 0 && x <= 1, small(0, 1), [0.99, 1, 1.5]),
    eps,
    weightDecay,
    momentum,
    centered: bool,
    maximize: bool,
    ...clipping,
  },
  adam: { ...adamLike, decoupledWeightDecay: bool, ...clipping },
  adamw: { ...adamLike, ...clipping },
  adamax: { lr, betas, eps, weightDecay, maximize: bool, ...clipping },
  sparseadam: {
    lr: num(positive, small(1e-6, 10), [0], 1e3),
    betas,
    eps: num(positive, small(1e-12, 1), [0], FLOAT32_MAX),
    maximize: bool,
    ...clipping,
  },
  asgd: {
    lr,
    // PyTorch checks only lr and weight_decay; this library also asks lambd >= 0 (a negative one
    // makes eta infinite or NaN within 1 / (|lambd| lr) steps). alpha and t0 are taken as given.
    lambd: num(nonNegative, small(-1, 1), [1e-4], 1e3),
    alpha: num(anyFinite, small(-2, 2), [0.75], 1e3),
    t0: num(anyFinite, small(-10, 10), [1e6]),
    weightDecay,
    maximize: bool,
    ...clipping,
  },
  lbfgs: {
    // A fixed step of lr on the test's quadratic overshoots by (lr * curvature - 1) per iteration.
    lr: num(nonNegative, small(0, 1.5), [1], 10),
    maxIter: integer(atLeast(1), 4, [1, 0], 50),
    maxEval: {
      accepts: (x) => x === null || (isNumber(x) && Number.isInteger(x) && x >= 1),
      values: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(null, 1.5, '5', -1, NaN, true)),
    },
    toleranceGrad: num(nonNegative, small(0, 1e-3), [1e-7]),
    toleranceChange: num(nonNegative, small(0, 1e-3), [1e-9]),
    historySize: integer(atLeast(1), 6, [1, 0]),
    lineSearchFn: {
      accepts: (x) => x === null || x === 'strong_wolfe',
      values: fc.constantFrom(null, 'strong_wolfe', 'wolfe', 'backtracking', 0, true, ''),
    },
  },
  rprop: {
    lr: num(nonNegative, small(0, 1), [], 1e3),
    etas: tuple([(a) => a > 0 && a < 1, (b) => b > 1], fc.oneof(small(0, 3), fc.constantFrom(0, 1, 0.5, 1.2)), { growsAbove: 1e3 }),
    // PyTorch does not check step sizes; this library asks 0 <= min <= max (documented in rprop.ts).
    stepSizes: tuple([nonNegative, nonNegative], fc.oneof(small(0, 50), fc.constantFrom(0, 1e-6, 50, -1)), { whole: ([min, max]) => min <= max, growsAbove: 1e3 }),
    maximize: bool,
    ...clipping,
  },
  nadam: {
    lr,
    betas,
    eps,
    weightDecay,
    momentumDecay: num(nonNegative, small(0, 1), [4e-3]),
    decoupledWeightDecay: bool,
    maximize: bool,
    ...clipping,
  },
  radam: { lr, betas, eps, weightDecay, decoupledWeightDecay: bool, maximize: bool, ...clipping },
  lion: {
    // lion-pytorch asserts lr > 0 and betas in [0, 1].
    lr: num(positive, small(1e-6, 10), [0], 1e3),
    betas: tuple([(b) => b >= 0 && b <= 1, (b) => b >= 0 && b <= 1], fc.oneof(beta, fc.constantFrom(0, 1, 1.5, -0.1))),
    weightDecay,
    decoupledWeightDecay: bool,
    ...clipping,
  },
  adamwschedulefree: {
    lr,
    // schedulefree checks nothing; this library asks beta1 > 0 (eval() divides by it), warmupSteps whole.
    betas: tuple([(b) => b > 0 && b < 1, (b) => b >= 0 && b < 1], fc.oneof(beta, fc.constantFrom(0, 1, 1.5, -0.1))),
    eps,
    weightDecay,
    warmupSteps: integer(nonNegative, 5, [0]),
    r: num(nonNegative, small(0, 3), [0], 1e3),
    weightLrPower: num(nonNegative, small(0, 3), [2], 1e3),
    ...clipping,
  },
  adafactor: {
    lr,
    beta2Decay: num((x) => x <= 0, small(-2, 0), [-0.8, 0.1]),
    eps: tuple([nonNegative, nonNegative], fc.oneof(small(0, 1), fc.constantFrom(1e-3, -1e-3)), { nullableAt: [0], growsAbove: 1e3 }),
    d: num(atLeast(1), small(1, 10), [1, 0.999]),
    weightDecay,
    maximize: bool,
    ...clipping,
  },
  muon: {
    lr,
    weightDecay,
    momentum,
    nesterov: bool,
    // Newton-Schulz with coefficients other than its tuned ones may diverge (the iteration is a
    // polynomial of degree 5^nsSteps): only the tuned and the cubic ones are stepped.
    nsCoefficients: {
      ...tuple([anyFinite, anyFinite, anyFinite], fc.oneof(small(-5, 5), fc.constantFrom(3.4445, -4.775, 2.0315))),
      values: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom([3.4445, -4.775, 2.0315], [1.5, -0.5, 0]) },
        { weight: 1, arbitrary: tuple([anyFinite, anyFinite, anyFinite], small(-5, 5)).values },
      ),
      grows: (x) => !([[3.4445, -4.775, 2.0315], [1.5, -0.5, 0]] as number[][]).some((c) => c.every((v, i) => v === (x as number[])[i])),
    },
    eps: num(nonNegative, small(0, 1), [1e-7]),
    nsSteps: integer((x) => x >= 0 && x < 100, 8, [99, 100, 0]),
    adjustLrFn: {
      accepts: (x) => x === null || x === 'original' || x === 'match_rms_adamw',
      values: fc.constantFrom(null, 'original', 'match_rms_adamw', 'match_rms', '', 0),
    },
    ...clipping,
  },
};

/** float32's smallest normal value: TensorFlow's CPU kernels flush smaller values to zero. */
const FLOAT32_MIN_NORMAL = 2 ** -126;

/**
 * Why a valid record's steps may legitimately leave float32's finite range (undefined: they must
 * not): a value that `grows`, or gradients clipped to (nearly) zero divided by an eps that is zero
 * in float32, which is 0/0 in PyTorch too.
 */
export function mayOverflow(name: OptimizerName, record: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(record)) if (optionDomains[name][key].grows?.(value)) return `${key} may grow past float32`;
  const vanishes = [record.clipGradNorm, record.clipGradValue].some((x) => typeof x === 'number' && x < 1e-15);
  const eps = name === 'adafactor' ? (record.eps as unknown[] | undefined)?.[0] : record.eps;
  if (vanishes && typeof eps === 'number' && eps < FLOAT32_MIN_NORMAL) return 'gradients clipped to zero over eps = 0';
  if (name === 'rmsprop') {
    // alpha = 1 keeps the square average at 0, so the step is lr * g / eps; centered, the variance
    // alpha (1 - alpha) g² is within float32 rounding of 0 (or below) for alpha near 0 or 1.
    const alpha = (record.alpha as number | undefined) ?? 0.99;
    if (alpha === 1) return 'alpha = 1: the step is lr * g / eps';
    if (record.centered === true && alpha * (1 - alpha) < 1e-3) return 'centered with alpha near 0 or 1: variance within rounding of 0';
  }
  return undefined;
}

/** Rules between options: the key to blame when the record breaks one. */
export const crossRules: Partial<Record<OptimizerName, (o: Record<string, unknown>) => string | undefined>> = {
  sgd: (o) => (o.nesterov === true && !((o.momentum as number) > 0 && o.dampening === 0) ? 'nesterov' : undefined),
};

/** Defaults the cross rules read when a record leaves an option out. */
export const crossDefaults: Partial<Record<OptimizerName, Record<string, unknown>>> = {
  sgd: { momentum: 0, dampening: 0, nesterov: false },
};

/** How a message may name an option besides 'key' and snake_case (PyTorch's own wording). */
export const optionWords: Record<string, string[]> = {
  lr: ['learning rate'],
  eps: ['epsilon'],
  betas: ['beta parameter'],
  etas: ['eta values'],
  d: ['clipping threshold d'],
  adjustLrFn: ['adjust learning rate function'],
  weightDecay: ['weight decay'],
  nesterov: ['nesterov momentum'],
  r: ['invalid r value'],
};

export const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Whether `message` names `key`: quoted, in snake_case or in PyTorch's words for it. */
export function namesOption(message: string, key: string): boolean {
  const lower = message.toLowerCase();
  const words = [`'${key}'`.toLowerCase(), ...(key.length > 2 ? [snakeCase(key)] : []), ...(Object.hasOwn(optionWords, key) ? optionWords[key] : [])];
  return words.some((w) => new RegExp(`(^|[^a-z_])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z_]|$)`).test(lower));
}

/** Option names no optimizer has, a few of them near real ones, and prototype names. */
export const unknownKeys = ['weight_decay', 'weightdecay', 'learningRate', 'LR', 'momentun', 'beta', 'foo', '__proto__', 'constructor', 'toString', 'params', 'capturable', 'foreach'];

/** Values of any option's wrong kind (and numbers no rule takes). */
export const hostile: fc.Arbitrary<unknown> = fc.constantFrom(NaN, Infinity, -Infinity, null, undefined, '0.1', '', true, [], [0.1], [0.1, 0.2, 0.3], {}, -1e300);
