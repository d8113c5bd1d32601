// The shared core of the equation sources. Each optimizer's update rule is written once, as an
// ordered list of mathjs assignments (`m = beta1 * m + (1 - beta1) * g`); this file parses them
// once, evaluates them element by element in float64 (the independent hand computation the tests
// compare src/optim against), and renders them to LaTeX for the notebooks.
//
// Rules built on whole tensors (Adafactor's row and column means, Muon's matrix products) are
// written the same way with `granularity: 'tensor'`: their expressions see the parameter as a
// mathjs array and are evaluated once per step (`stepTensor`).
//
// Nothing here imports src/optim: the equations are written from PyTorch's algorithms
// (torch/optim/*.py and the pseudo-code in its documentation), never from our implementation.
import { all, create, EvalFunction, MathNode } from 'mathjs';

/**
 * A private mathjs instance: plain float64 numbers, arrays (not Matrix objects) for vectors, and
 * `predictable` so that sqrt of a negative number is NaN instead of a Complex.
 */
export const math = create(all, { number: 'number', matrix: 'Array', predictable: true });

type Nested = number | Nested[];

/** Mean over the last axis, kept as an axis of size 1 (PyTorch's `x.mean(dim=-1, keepdim=True)`). */
function meanOverLastAxis(x: Nested[]): Nested[] {
  return Array.isArray(x[0]) ? x.map((row) => meanOverLastAxis(row as Nested[])) : [math.mean(x as number[])];
}

/** Mean over the axis before the last, kept (`x.mean(dim=-2, keepdim=True)`); x has 2 or more axes. */
function meanOverRows(x: Nested[]): Nested[] {
  if (Array.isArray((x[0] as Nested[])[0])) return x.map((block) => meanOverRows(block as Nested[]));
  const rows = x as number[][];
  return [rows[0].map((_, j) => math.mean(rows.map((row) => row[j])))];
}

function flatten(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}

function mapNested(x: Nested, f: (value: number) => number): Nested {
  return Array.isArray(x) ? x.map((item) => mapNested(item, f)) : f(x);
}

// Functions the tensor rules use, with their LaTeX; sqrt extended to arrays (elementwise).
math.import({
  sqrt: math.typed('sqrt', { Array: (x: Nested[]) => mapNested(x, Math.sqrt) }),
  rms: Object.assign(
    math.typed('rms', {
      number: (x: number) => Math.abs(x),
      Array: (x: Nested[]) => Math.sqrt(math.mean(flatten(x).map((v) => v * v))),
    }),
    { toTex: { 1: '\\operatorname{RMS}\\left(${args[0]}\\right)' } },
  ),
  rowMean: Object.assign(math.typed('rowMean', { Array: meanOverLastAxis }), {
    toTex: { 1: '\\operatorname{mean}_{\\text{row}}\\left(${args[0]}\\right)' },
  }),
  colMean: Object.assign(math.typed('colMean', { Array: meanOverRows }), {
    toTex: { 1: '\\operatorname{mean}_{\\text{col}}\\left(${args[0]}\\right)' },
  }),
  clampMin: Object.assign(
    math.typed('clampMin', {
      'number, number': (x: number, low: number) => Math.max(x, low),
      'Array, number': (x: Nested[], low: number) => mapNested(x, (v) => Math.max(v, low)),
    }),
    { toTex: { 2: '\\max\\left(${args[0]}, ${args[1]}\\right)' } },
  ),
});

export type OptionValue = number | boolean | string | null | readonly number[] | readonly (number | null)[];
export type OptionValues = Record<string, OptionValue>;

/**
 * One line of an update rule: a mathjs assignment, what it means in words, and how many times in a
 * row it runs (an iteration such as Newton-Schulz's; default once).
 */
export type LineSource = readonly [assignment: string, label: string, repeat?: number];

/**
 * How a variable is written in LaTeX: a fixed string, or a value that changes every step, written
 * with a time index. In `timed`, `#` stands for the index (`t` or `t-1`); without `#`, `_{#}` is
 * appended. A timed variable reads `_{t-1}` until the step assigns it, `_t` from then on.
 */
export type SymbolTex = string | { timed: string };

/** State kept between steps: its initial value (a mathjs expression over the options). */
export interface StateSpec {
  init: string;
  /** One number per parameter tensor (PyTorch keeps it as a scalar), not one per element. */
  perTensor?: boolean;
  /** Tensor rules: the state's shape when it is not the parameter's (Adafactor's row statistics). */
  shape?: readonly number[];
}

/** What each optimizer file supplies. */
export interface EquationsDefinition<O extends OptionValues = OptionValues> {
  /** PyTorch's class name, lower-cased. */
  name: string;
  /** PyTorch's class name. */
  title: string;
  /** PyTorch's defaults, keyword names in camelCase. */
  defaults: O;
  /** Refuses what PyTorch's constructor refuses (the hand computation must not run nonsense). */
  validate?(options: O): void;
  /**
   * 'element' (the default): each expression sees one element at a time. 'tensor': `theta`, `grad`
   * and the state are whole mathjs arrays shaped like their tensors, for rules built on norms, row
   * and column means or matrix products; `shape` (below) is then the parameter's.
   */
  granularity?: 'element' | 'tensor';
  /** Tensor rules: the parameter shape `toLatex` renders when given none. */
  exampleShape?: readonly number[];
  /** The named numbers the expressions read; by default every number and boolean option. */
  constants?(options: O, shape: readonly number[]): Record<string, number | boolean>;
  /** LaTeX for this optimizer's variables (merged over the shared table). */
  symbols?: Record<string, SymbolTex>;
  /** The state this rule keeps, by the name the expressions use, for the given options. */
  state(options: O, shape: readonly number[]): Record<string, StateSpec>;
  /** The update, in order, for the given options; `false` drops a line a branch does not use. */
  lines(options: O, shape: readonly number[]): Array<LineSource | false>;
  /** `presentRows`: the rule touches only rows (slices along axis 0) present in the sparse gradient. */
  appliesTo?: 'presentRows';
}

/** One parsed equation. */
export interface Equation {
  /** The mathjs assignment as written. */
  source: string;
  label: string;
  /** The variable it writes. */
  writes: string;
  /** The variables and constants it reads (function names excluded). */
  reads: string[];
  node: MathNode;
  compiled: EvalFunction;
  /** How many times in a row it runs (default once). */
  repeat?: number;
}

/** An optimizer's update rule for one set of options: the equations in order and what they need. */
export interface Equations {
  optimizer: string;
  title: string;
  /** The options in force, PyTorch's defaults filled in. */
  options: Readonly<OptionValues>;
  /** Named numbers in every evaluation scope (options, betas split into beta1 and beta2, ...). */
  constants: Readonly<Record<string, number | boolean>>;
  state: Readonly<Record<string, StateSpec>>;
  equations: readonly Equation[];
  appliesTo: 'all' | 'presentRows';
  symbols: Readonly<Record<string, SymbolTex>>;
  granularity: 'element' | 'tensor';
  /** Tensor rules: the parameter shape these equations are for (their branches may depend on it). */
  shape: readonly number[];
}

// ---------------------------------------------------------------------------------------------
// Lines several optimizers begin with, written once.

/** `maximize` negates the gradient before anything else reads it. */
export function gradientLine(options: { maximize?: OptionValue }): LineSource {
  return options.maximize ? ['g = -grad', 'gradient, negated to maximize'] : ['g = grad', 'gradient'];
}

/** Coupled weight decay (an L2 penalty folded into the gradient), or nothing when it is 0. */
export function l2Line(options: { weightDecay?: OptionValue }): LineSource | false {
  return when(options.weightDecay !== 0, ['g = g + weightDecay * theta', 'L2 penalty (coupled weight decay)']);
}

/** Decoupled weight decay (AdamW): shrink the parameter before the step. */
export function decoupledDecayLine(options: { weightDecay?: OptionValue }): LineSource | false {
  return when(options.weightDecay !== 0, ['theta = theta * (1 - lr * weightDecay)', 'decoupled weight decay']);
}

/** The option `decoupledWeightDecay` picks between the two. */
export function weightDecayLine(options: { weightDecay?: OptionValue; decoupledWeightDecay?: OptionValue }): LineSource | false {
  return options.decoupledWeightDecay ? decoupledDecayLine(options) : l2Line(options);
}

/** `betas: [b1, b2]` read as `beta1` and `beta2`. */
export function withBetas(options: OptionValues): Record<string, number | boolean> {
  const [beta1, beta2] = options.betas as readonly number[];
  return { ...scalarOptions(options), beta1, beta2 };
}

/** The number and boolean options, as they are. */
export function scalarOptions(options: OptionValues): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/** A line that only some options use: `when(o.amsgrad, [...])`. */
export function when(condition: unknown, line: LineSource): LineSource | false {
  return condition ? line : false;
}

/** Refuses, with PyTorch's words, a setting the hand computation must not run. */
export function refuse(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

// ---------------------------------------------------------------------------------------------
// Building (parse once, cache).

const parsed = new Map<string, { node: MathNode; compiled: EvalFunction; writes: string; reads: string[] }>();

/** Parses (once per distinct text) an assignment `name = expression`. */
export function parseAssignment(source: string): { node: MathNode; compiled: EvalFunction; writes: string; reads: string[] } {
  let entry = parsed.get(source);
  if (!entry) {
    const node = math.parse(source);
    if (!math.isAssignmentNode(node) || !math.isSymbolNode(node.object)) {
      throw new Error(`Equation '${source}' is not an assignment 'name = expression'.`);
    }
    entry = { node, compiled: node.compile(), writes: node.object.name, reads: symbolsRead(node.value) };
    parsed.set(source, entry);
  }
  return entry;
}

/** The variable names an expression reads: symbols that are not the name of a called function. */
function symbolsRead(node: MathNode): string[] {
  const functionNames = new Set<MathNode>();
  node.traverse((n) => {
    if (math.isFunctionNode(n)) functionNames.add(n.fn);
  });
  const names = node
    .filter((n) => math.isSymbolNode(n) && !functionNames.has(n))
    .map((n) => (n as unknown as { name: string }).name);
  return [...new Set(names)];
}

/** Merges `given` over PyTorch's defaults, refusing names the optimizer does not have. */
export function resolveOptions<O extends OptionValues>(definition: EquationsDefinition<O>, given: Partial<OptionValues> = {}): O {
  const known = Object.keys(definition.defaults);
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(`${definition.title} has no option ${unknown.map((k) => `'${k}'`).join(', ')}; its options are ${known.join(', ')}.`);
  }
  const options = { ...definition.defaults } as OptionValues;
  for (const [key, value] of Object.entries(given)) if (value !== undefined) options[key] = value;
  definition.validate?.(options as O);
  return options as O;
}

const built = new Map<string, Equations>();

/**
 * The equations of `definition` for `given` options (built and parsed once per set of options).
 * `shape` matters to tensor rules only (default: their `exampleShape`).
 */
export function buildEquations<O extends OptionValues>(
  definition: EquationsDefinition<O>,
  given: Partial<OptionValues> = {},
  shape?: readonly number[],
): Equations {
  const options = resolveOptions(definition, given);
  const granularity = definition.granularity ?? 'element';
  const ruleShape = granularity === 'tensor' ? [...(shape ?? definition.exampleShape ?? [])] : [];
  const key = `${definition.name} ${JSON.stringify(options)} [${ruleShape}]`;
  let equations = built.get(key);
  if (!equations) {
    const lines = definition.lines(options, ruleShape).filter((line): line is LineSource => line !== false);
    equations = Object.freeze({
      optimizer: definition.name,
      title: definition.title,
      options: Object.freeze({ ...options }),
      constants: Object.freeze(definition.constants ? definition.constants(options, ruleShape) : scalarOptions(options)),
      state: Object.freeze(definition.state(options, ruleShape)),
      equations: Object.freeze(lines.map(([source, label, repeat = 1]) => ({ source, label, repeat, ...parseAssignment(source) }))),
      appliesTo: definition.appliesTo ?? 'all',
      symbols: Object.freeze({ ...sharedSymbols, ...definition.symbols }),
      granularity,
      shape: Object.freeze(ruleShape),
    });
    if (built.size >= 512) built.clear(); // an lr schedule makes a new set of options every step
    built.set(key, equations);
  }
  return equations;
}

// ---------------------------------------------------------------------------------------------
// Hand computation: float64, one element at a time.

/** The state of one parameter between steps, shaped like the implementation's `ParamState`. */
export interface HandState {
  /** Steps taken (PyTorch's `state['step']`). */
  step: number;
  /** Per-element state, row-major like the parameter. */
  tensors: Record<string, number[]>;
  /** Per-tensor state. */
  scalars: Record<string, number>;
}

export interface HandStepResult {
  param: number[];
  state: HandState;
  /** Every variable of the first updated element's scope after the step (temporaries included). */
  trace: Record<string, number | boolean>;
}

/** The state before the first step, for a parameter of `size` elements. */
export function initialState(equations: Equations, size: number): HandState {
  const scope = new Map<string, unknown>(Object.entries(equations.constants));
  const state: HandState = { step: 0, tensors: {}, scalars: {} };
  for (const [name, spec] of Object.entries(equations.state)) {
    const value = numberResult(math.evaluate(spec.init, scope), `${equations.title} initial ${name} = ${spec.init}`);
    if (spec.perTensor) state.scalars[name] = value;
    else state.tensors[name] = new Array<number>(spec.shape ? elementCount(spec.shape) : size).fill(value);
  }
  return state;
}

/**
 * One step of the rule: every equation, in order, for each element, with `theta` (the parameter),
 * `grad`, `t` (1-based step), the constants and the state in scope. Returns new arrays; the
 * inputs are not changed.
 */
export function stepElementwise(
  equations: Equations,
  state: HandState,
  param: readonly number[],
  grad: readonly number[],
  shape: readonly number[] = [param.length],
): HandStepResult {
  const size = param.length;
  if (grad.length !== size) throw new Error(`${equations.title}: gradient has ${grad.length} elements, parameter ${size}.`);
  if (shape.reduce((a, b) => a * b, 1) !== size) throw new Error(`${equations.title}: shape [${shape}] does not hold ${size} elements.`);
  const step = state.step + 1;
  const base = new Map<string, unknown>(Object.entries(equations.constants));
  base.set('t', step);
  for (const [name, value] of Object.entries(state.scalars)) base.set(name, value);
  const updated = equations.appliesTo === 'presentRows' ? presentRows(grad, shape) : undefined;

  const next: HandState = {
    step,
    tensors: Object.fromEntries(Object.entries(state.tensors).map(([k, v]) => [k, [...v]])),
    scalars: { ...state.scalars },
  };
  const newParam = [...param];
  let trace: Record<string, number | boolean> | undefined;
  for (let i = 0; i < size; i++) {
    if (updated && !updated[i]) continue;
    const scope = new Map(base);
    scope.set('theta', param[i]);
    scope.set('grad', grad[i]);
    for (const [name, values] of Object.entries(state.tensors)) scope.set(name, values[i]);
    for (const equation of equations.equations) numberResult(evaluateEquation(equations, equation, scope), `${equations.title}: ${equation.source}`);
    newParam[i] = scope.get('theta') as number;
    for (const name of Object.keys(state.tensors)) next.tensors[name][i] = scope.get(name) as number;
    if (!trace) {
      // Per-tensor state is the same in every element's scope; read it from the first.
      for (const name of Object.keys(state.scalars)) next.scalars[name] = scope.get(name) as number;
      trace = Object.fromEntries(scope) as Record<string, number | boolean>;
    }
  }
  return { param: newParam, state: next, trace: trace ?? {} };
}

/** Runs an equation as many times as it repeats; returns the last value (the input's when it runs 0 times). */
function evaluateEquation(equations: Equations, equation: Equation, scope: Map<string, unknown>): unknown {
  let value = scope.get(equation.writes);
  for (let k = 0; k < (equation.repeat ?? 1); k++) {
    try {
      value = equation.compiled.evaluate(scope);
    } catch (e) {
      throw new Error(`${equations.title}: ${equation.source}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return value;
}

const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Row-major values as a mathjs value of `shape`: a number for [], a (nested) array otherwise. */
function nested(values: readonly number[], shape: readonly number[]): Nested {
  if (shape.length === 0) return values[0];
  return shape.length === 1 ? [...values] : (math.reshape([...values], [...shape]) as Nested);
}

/** A mathjs value back to row-major numbers, refusing one whose shape is not `shape`. */
function flat(value: unknown, shape: readonly number[], where: string): number[] {
  const got = typeof value === 'number' ? [] : Array.isArray(value) ? (math.size(value) as number[]) : undefined;
  if (!got || got.length !== shape.length || got.some((n, i) => n !== shape[i])) {
    throw new Error(`${where} is ${got ? `of shape [${got}]` : math.format(value as never)}, expected shape [${shape}].`);
  }
  return flatten(value as Nested);
}

/**
 * One step of a tensor rule: every equation once, in order (a repeated one as many times as it
 * says), with `theta`, `grad` and the state as mathjs arrays of their shapes, `t` and the constants.
 * Returns new arrays, row-major as in `HandState`; the inputs are not changed.
 */
export function stepTensor(
  equations: Equations,
  state: HandState,
  param: readonly number[],
  grad: readonly number[],
  shape: readonly number[] = equations.shape,
): HandStepResult {
  const where = (name: string) => `${equations.title}: ${name}`;
  if (shape.join() !== equations.shape.join()) throw new Error(`${where('shape')}: these equations are for [${equations.shape}], not [${shape}].`);
  if (param.length !== elementCount(shape) || grad.length !== param.length) {
    throw new Error(`${where('shape')}: [${shape}] holds ${elementCount(shape)} elements; parameter ${param.length}, gradient ${grad.length}.`);
  }
  const step = state.step + 1;
  const scope = new Map<string, unknown>(Object.entries(equations.constants));
  scope.set('t', step);
  for (const [name, value] of Object.entries(state.scalars)) scope.set(name, value);
  scope.set('theta', nested(param, shape));
  scope.set('grad', nested(grad, shape));
  const stateShape = (name: string) => equations.state[name].shape ?? shape;
  for (const [name, values] of Object.entries(state.tensors)) scope.set(name, nested(values, stateShape(name)));
  for (const equation of equations.equations) evaluateEquation(equations, equation, scope);

  const next: HandState = { step, tensors: {}, scalars: {} };
  for (const name of Object.keys(state.tensors)) next.tensors[name] = flat(scope.get(name), stateShape(name), where(name));
  for (const name of Object.keys(state.scalars)) next.scalars[name] = numberResult(scope.get(name), where(name));
  const trace = Object.fromEntries([...scope].filter(([, v]) => typeof v === 'number' || typeof v === 'boolean')) as Record<string, number | boolean>;
  return { param: flat(scope.get('theta'), shape, where('theta')), state: next, trace };
}

/** Which elements belong to a row (slice along axis 0) with a nonzero gradient: PyTorch's sparse rows. */
export function presentRows(grad: readonly number[], shape: readonly number[]): boolean[] {
  const rowSize = shape.length <= 1 ? 1 : shape.slice(1).reduce((a, b) => a * b, 1);
  const present = new Array<boolean>(grad.length).fill(false);
  for (let start = 0; start < grad.length; start += rowSize) {
    const row = grad.slice(start, start + rowSize);
    if (row.some((x) => x !== 0)) present.fill(true, start, start + rowSize);
  }
  return present;
}

function numberResult(value: unknown, where: string): number {
  if (typeof value === 'number' || typeof value === 'boolean') return Number(value);
  throw new Error(`${where} gave ${math.format(value as never)}, not a number.`);
}

// ---------------------------------------------------------------------------------------------
// LaTeX.

const GREEK = new Set(
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi omega'.split(' '),
);

/** The variables most rules share. */
export const sharedSymbols: Record<string, SymbolTex> = {
  theta: { timed: '\\theta' },
  grad: '\\nabla_{\\theta} f_t(\\theta_{t-1})',
  g: { timed: 'g' },
  lr: '\\eta',
  eps: '\\epsilon',
  weightDecay: '\\lambda',
  beta1: '\\beta_1',
  beta2: '\\beta_2',
  t: 't',
  expAvg: { timed: 'm' },
  expAvgSq: { timed: 'v' },
  mHat: '\\hat{m}_t',
  vHat: '\\hat{v}_t',
};

/** A name nobody mapped: greek letters as such, a trailing number or `_i` as a subscript, words upright. */
function fallbackTex(name: string): string {
  const match = /^([A-Za-z]+?)(?:([0-9]+)|_([A-Za-z0-9]+))$/.exec(name);
  if (match) return `${fallbackTex(match[1])}_{${match[2] ?? match[3]}}`;
  if (GREEK.has(name)) return `\\${name}`;
  return name.length === 1 ? name : `\\mathrm{${name}}`;
}

function symbolTex(symbols: Readonly<Record<string, SymbolTex>>, name: string, assigned: ReadonlySet<string>): string {
  const spec = symbols[name];
  if (spec === undefined) return fallbackTex(name);
  if (typeof spec === 'string') return spec;
  const time = assigned.has(name) ? 't' : 't-1';
  return spec.timed.includes('#') ? spec.timed.replace(/#/g, time) : `${spec.timed}_{${time}}`;
}

/** `c1 ? a : c2 ? b : c` as one `cases` block. */
function casesTex(node: MathNode, options: object): string {
  const rows: string[] = [];
  let current: MathNode = node;
  while (math.isConditionalNode(current)) {
    rows.push(`${current.trueExpr.toTex(options)} & \\text{if } ${current.condition.toTex(options)}`);
    current = unwrap(current.falseExpr);
  }
  rows.push(`${current.toTex(options)} & \\text{otherwise}`);
  return `\\begin{cases} ${rows.join(' \\\\ ')} \\end{cases}`;
}

function unwrap(node: MathNode): MathNode {
  return math.isParenthesisNode(node) ? unwrap(node.content) : node;
}

/** mathjs' `\cdot` between factors, as plain juxtaposition (kept between a number and a number or its power). */
function tidyProducts(tex: string): string {
  return tex.replace(/\\cdot\s*/g, (match, offset: number, whole: string) => {
    const before = whole.slice(0, offset).trimEnd().slice(-1);
    const after = whole.slice(offset + match.length, offset + match.length + 2);
    return /[0-9.]/.test(before) && /^\{?[0-9.]/.test(after) ? '\\cdot ' : '\\,';
  });
}

/** Renders an expression (not an assignment) with the given symbol table and assigned-so-far set. */
export function expressionTex(node: MathNode, symbols: Readonly<Record<string, SymbolTex>>, assigned: ReadonlySet<string>): string {
  const options = {
    parenthesis: 'auto',
    handler: (n: MathNode, opts: object): string | undefined => {
      if (math.isSymbolNode(n)) return symbolTex(symbols, n.name, assigned);
      if (math.isConditionalNode(n)) return casesTex(n, opts);
      if (math.isFunctionNode(n) && n.fn.name === 'dot' && n.args.length === 2) {
        return `${n.args[0].toTex(opts)}^{\\top} ${n.args[1].toTex(opts)}`;
      }
      if (math.isFunctionNode(n) && n.fn.name === 'sign' && n.args.length === 1) {
        return `\\operatorname{sign}\\left(${n.args[0].toTex(opts)}\\right)`;
      }
      // Elementwise operators on arrays: Hadamard product, fraction, power.
      if (math.isOperatorNode(n) && n.args.length === 2 && ['dotMultiply', 'dotDivide', 'dotPow'].includes(n.fn)) {
        const [a, b] = n.args.map((arg) => arg.toTex(opts));
        if (n.fn === 'dotMultiply') return `${a} \\odot ${b}`;
        return n.fn === 'dotDivide' ? `\\frac{${a}}{${b}}` : `{${a}}^{${b}}`;
      }
      if (math.isFunctionNode(n) && n.fn.name === 'transpose' && n.args.length === 1) {
        const arg = n.args[0];
        const inner = arg.toTex(opts);
        return math.isSymbolNode(arg) ? `${inner}^{\\top}` : `\\left(${inner}\\right)^{\\top}`;
      }
      if (math.isFunctionNode(n) && n.fn.name === 'norm' && n.args.length === 2) {
        return `\\left\\lVert ${n.args[0].toTex(opts)} \\right\\rVert_F`;
      }
      return undefined;
    },
  };
  return tidyProducts(node.toTex(options));
}

/** One rendered line: the assigned variable, its new value, and the label. */
export interface TexLine {
  lhs: string;
  rhs: string;
  label: string;
}

/** Renders equations in order; a timed variable reads `_{t-1}` until the line that assigns it. */
export function renderLines(
  equations: ReadonlyArray<Pick<Equation, 'node' | 'writes' | 'label'> & { repeat?: number }>,
  symbols: Readonly<Record<string, SymbolTex>>,
): TexLine[] {
  const assigned = new Set<string>();
  return equations.map((equation) => {
    if (!math.isAssignmentNode(equation.node)) throw new Error('renderLines takes assignments');
    const rhs = expressionTex(equation.node.value, symbols, assigned);
    assigned.add(equation.writes);
    const times = equation.repeat ?? 1;
    const label = times === 1 ? equation.label : `${equation.label}, ${times} times`;
    return { lhs: symbolTex(symbols, equation.writes, assigned), rhs, label };
  });
}

/** Lines for an `aligned` block: `lhs &\leftarrow rhs && \text{label}`. */
export function alignedLines(lines: readonly TexLine[]): string[] {
  return lines.map(({ lhs, rhs, label }) => `${lhs} &\\leftarrow ${rhs} && \\text{${escapeText(label)}}`);
}

/** The lines joined into one `aligned` block, ready for `$$ ... $$` in a notebook. */
export function alignedBlock(lines: readonly string[]): string {
  return `\\begin{aligned}\n${lines.join(' \\\\\n')}\n\\end{aligned}`;
}

function escapeText(text: string): string {
  return text.replace(/[\\{}&%$#_^~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : c === '~' ? '\\textasciitilde{}' : c === '^' ? '\\textasciicircum{}' : `\\${c}`));
}
