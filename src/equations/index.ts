// One source for the equations: every torch.optim update rule as mathjs expressions, evaluated
// elementwise in float64 (`handStep`, `handTrajectory`: the hand computation the tests compare
// src/optim against) and rendered to LaTeX (`toLatex`, `latexBlock`: the notebooks' equations).
import {
  Equations,
  EquationsDefinition,
  HandState,
  HandStepResult,
  OptionValues,
  alignedBlock,
  alignedLines,
  buildEquations,
  initialState,
  renderLines,
  stepElementwise,
  stepTensor,
} from './core';
import { sgd } from './sgd';
import { adagrad } from './adagrad';
import { adadelta } from './adadelta';
import { rmsprop } from './rmsprop';
import { adam } from './adam';
import { adamw } from './adamw';
import { adamax } from './adamax';
import { sparseadam } from './sparse-adam';
import { asgd } from './asgd';
import { rprop } from './rprop';
import { nadam } from './nadam';
import { radam } from './radam';
import { lion } from './lion';
import { adamwschedulefree } from './adamw-schedule-free';
import { adafactor } from './adafactor';
import { muon } from './muon';
import { lbfgsLatex } from './lbfgs';

export type { Equation, Equations, HandState, HandStepResult, OptionValues, SymbolTex } from './core';
export { FLOAT32_EPSILON, HandLbfgs, handLbfgsTrajectory, lbfgsEquations, lbfgsDefaults, quadraticObjective } from './lbfgs';
export type { LbfgsDecision, LbfgsOptions, LbfgsStepRecord, Objective } from './lbfgs';

/** The elementwise rules, by PyTorch's class name lower-cased. LBFGS is separate (see ./lbfgs). */
export const elementwiseDefinitions: Readonly<Record<string, EquationsDefinition>> = {
  sgd,
  adagrad,
  adadelta,
  rmsprop,
  adam,
  adamw,
  adamax,
  sparseadam,
  asgd,
  rprop,
  nadam,
  radam,
  // Not in torch.optim: lion-pytorch's Lion and schedulefree's AdamWScheduleFree.
  lion,
  adamwschedulefree,
};

/** The rules on whole tensors (row and column statistics, matrix products), evaluated once per parameter. */
export const tensorDefinitions: Readonly<Record<string, EquationsDefinition>> = { adafactor, muon };

const definitions = { ...elementwiseDefinitions, ...tensorDefinitions };

/** Every optimizer with equations here, LBFGS included. */
export const equationNames = [...Object.keys(definitions), 'lbfgs'];

/** 'SparseAdam', 'sparse_adam' or 'sparse-adam' -> 'sparseadam'. */
export function canonicalName(name: string): string {
  const key = name.toLowerCase().replace(/[-_\s]/g, '');
  if (!equationNames.includes(key)) throw new Error(`No equations for '${name}'. Choose one of: ${equationNames.join(', ')}.`);
  return key;
}

function definition(name: string): EquationsDefinition {
  const key = canonicalName(name);
  if (key === 'lbfgs') {
    throw new Error('LBFGS is closure-driven and works on the whole parameter vector: use HandLbfgs / handLbfgsTrajectory.');
  }
  return definitions[key];
}

/**
 * The equations of an optimizer for the given options (PyTorch's defaults filled in). `shape`, the
 * parameter's, matters to tensor rules (Adafactor factors 2-D and larger ones; Muon takes 2-D only);
 * without it they use an example shape.
 */
export function equationsFor(name: string, options: Partial<OptionValues> = {}, shape?: readonly number[]): Equations {
  return buildEquations(definition(name), options, shape);
}

/**
 * One step of the hand computation for one parameter (row-major values; `shape` matters to
 * SparseAdam, whose rows are slices along axis 0, and to tensor rules). `state` undefined means the
 * first step.
 */
export function handStep(
  name: string,
  options: Partial<OptionValues>,
  state: HandState | undefined,
  param: readonly number[],
  grad: readonly number[],
  shape: readonly number[] = [param.length],
): HandStepResult {
  const equations = equationsFor(name, options, shape);
  const before = state ?? initialState(equations, param.length);
  return equations.granularity === 'tensor'
    ? stepTensor(equations, before, param, grad, shape)
    : stepElementwise(equations, before, param, grad, shape);
}

export interface HandTrajectory {
  /** The parameter after each step. */
  params: number[][];
  /** The state after each step. */
  states: HandState[];
  /** The first updated element's scope after each step (temporaries such as RAdam's rhoT). */
  traces: Array<Record<string, number | boolean>>;
}

/**
 * `grads.length` steps of the hand computation from `init`. `options` may be a function of the
 * 0-based step, for settings changed between steps (an lr schedule): the state carries over.
 */
export function handTrajectory(
  name: string,
  options: Partial<OptionValues> | ((step: number) => Partial<OptionValues>),
  init: readonly number[],
  grads: ReadonlyArray<readonly number[]>,
  shape: readonly number[] = [init.length],
): HandTrajectory {
  const out: HandTrajectory = { params: [], states: [], traces: [] };
  let param = [...init];
  let state: HandState | undefined;
  for (const [step, grad] of grads.entries()) {
    const result = handStep(name, typeof options === 'function' ? options(step) : options, state, param, grad, shape);
    ({ param, state } = result);
    out.params.push(param);
    out.states.push(state);
    out.traces.push(result.trace);
  }
  return out;
}

/**
 * The update rule as LaTeX lines for an `aligned` block (`lhs &\leftarrow rhs && \text{label}`),
 * the branches the options select, rendered by mathjs' toTex from the same expressions the hand
 * computation evaluates.
 */
export function toLatex(name: string, options: Partial<OptionValues> = {}, shape?: readonly number[]): string[] {
  if (canonicalName(name) === 'lbfgs') return lbfgsLatex();
  const equations = equationsFor(name, options, shape);
  const lines = alignedLines(renderLines(equations.equations, equations.symbols));
  return equations.appliesTo === 'presentRows'
    ? [...lines, '&& \\text{(only in rows present in the sparse gradient)}']
    : lines;
}

/** `toLatex` as one `\begin{aligned} ... \end{aligned}` block. */
export function latexBlock(name: string, options: Partial<OptionValues> = {}, shape?: readonly number[]): string {
  return alignedBlock(toLatex(name, options, shape));
}
