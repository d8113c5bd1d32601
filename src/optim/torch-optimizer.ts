// The thin class every per-parameter optimizer shares. Each algorithm supplies a pure update rule
// (tensors in, tensors out, see `UpdateRule`); this class owns what PyTorch's `Optimizer` base
// class owns: per-parameter state, the step counter, the learning rate, validation, and saving and
// restoring state. It extends tfjs's `tf.Optimizer`, so it works wherever tfjs takes one
// (`model.compile`, `minimize`, `applyGradients`).
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { OptionRecord, requireLearningRate, resolveOptions } from './options';

/** The state of one parameter: tensors that live on the device, and host scalars (float64). */
export interface ParamState<T extends tf.Tensor = tf.Tensor> {
  tensors: Record<string, T>;
  scalars: Record<string, number>;
}

/** What an update rule sees for one parameter at one step. */
export interface UpdateInput<O> {
  param: tf.Tensor;
  grad: tf.Tensor;
  state: ParamState;
  /** 1-based count of the updates this parameter has received, this one included (PyTorch's `state['step']`). */
  step: number;
  /** The learning rate in force now (it may change between steps). */
  lr: number;
  options: O;
}

/** What an update rule returns: the new parameter, and new values for the state it changed. */
export interface UpdateOutput {
  param: tf.Tensor;
  tensors?: Record<string, tf.Tensor>;
  scalars?: Record<string, number>;
}

/**
 * One algorithm as pure functions, in the style of optax: `init` builds the state of a parameter,
 * `update` computes one step. Neither mutates anything; the class assigns the results.
 */
export interface UpdateRule<O> {
  init(param: tf.Tensor, options: O): ParamState;
  update(input: UpdateInput<O>): UpdateOutput;
  /**
   * Refuses (throws) a parameter the rule cannot update, such as a vector given to Muon. Called for
   * every gradient of an `applyGradients` call before any variable or state changes.
   */
  checkParam?(param: tf.Variable, options: O): void;
}

/** The options every optimizer has. */
export interface BaseOptions extends OptionRecord {
  lr: number;
}

const STEP = 'step';
const SCALAR_SUFFIX = ':f64';

export abstract class TorchOptimizer<O extends BaseOptions> extends tf.Optimizer {
  /** The options in force, PyTorch's defaults filled in. `lr` is read from `this.lr`. */
  protected readonly options: O;
  private learningRate: number;
  private readonly paramStates = new Map<string, ParamState<tf.Variable>>();
  /** Tensors made only for the last `getWeights()` answer; freed at the next call or `dispose()`. */
  private exportedScalars: tf.Tensor[] = [];

  protected constructor(
    readonly displayName: string,
    defaults: O,
    given: Partial<O> | Record<string, unknown> | undefined,
    validate: (options: O) => void,
    private readonly rule: UpdateRule<O>,
  ) {
    super();
    this.options = Object.freeze(resolveOptions(displayName, defaults, given ?? {})) as O;
    validate(this.options);
    this.learningRate = this.options.lr;
  }

  /** The learning rate used by the next step; set it between steps to follow a schedule. */
  get lr(): number {
    return this.learningRate;
  }
  set lr(value: number) {
    requireLearningRate(value);
    this.learningRate = value;
  }

  /** The options as given to the constructor, PyTorch's defaults filled in, and the current lr. */
  get settings(): Readonly<O> {
    return { ...this.options, lr: this.learningRate };
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    // PyTorch skips parameters whose .grad is None. Every variable is found and checked before any
    // changes, so a refused one leaves all of them, and the optimizer's state, as they were.
    const updates = namedGradients(variableGradients)
      .filter((entry): entry is [string, tf.Tensor] => entry[1] != null)
      .map(([name, grad]) => ({ name, grad, param: findVariable(name) }));
    for (const { param } of updates) this.rule.checkParam?.(param, this.options);
    for (const { name, grad, param } of updates) {
      const state = this.stateOf(name, param);
      const step = (state.scalars[STEP] ?? 0) + 1;
      tf.tidy(() => {
        const out = this.rule.update({ param, grad, state, step, lr: this.learningRate, options: this.options });
        param.assign(out.param);
        for (const [key, value] of Object.entries(out.tensors ?? {})) {
          const slot = state.tensors[key];
          if (!slot) throw new Error(`${this.displayName}: update returned unknown state '${key}'`);
          slot.assign(value);
        }
        Object.assign(state.scalars, out.scalars ?? {}, { [STEP]: step });
      });
    }
    this.incrementIterations();
  }

  /** The names of the variables that have state (those updated at least once), in first-update order. */
  get statefulVariableNames(): string[] {
    return [...this.paramStates.keys()];
  }

  /** The state of a parameter, for reading (tests, notebooks); undefined before its first step. */
  stateFor(variableName: string): ParamState | undefined {
    return this.paramStates.get(variableName);
  }

  private stateOf(name: string, param: tf.Variable): ParamState<tf.Variable> {
    let state = this.paramStates.get(name);
    if (!state) {
      state = tf.tidy(() => {
        const initial = this.rule.init(param, this.options);
        return {
          tensors: mapValues(initial.tensors, (t) => tf.variable(t, false)),
          scalars: { ...initial.scalars },
        };
      });
      this.paramStates.set(name, state);
    }
    return state;
  }

  override dispose(): void {
    tf.dispose(this.exportedScalars);
    this.exportedScalars = [];
    for (const state of this.paramStates.values()) Object.values(state.tensors).forEach((t) => t.dispose());
    this.paramStates.clear();
  }

  /**
   * The iteration count, then every state tensor as `<variable>/<slot>` and every host scalar as
   * `<variable>/<key>:f64`, its float64 bits in two int32s so that a restore is exact. As with
   * tfjs's optimizers the state tensors are the optimizer's own: read them, do not dispose them.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exportedScalars);
    const iterations = await this.saveIterations();
    const weights: NamedTensor[] = [iterations];
    const scalars: tf.Tensor[] = [iterations.tensor];
    for (const [name, state] of this.paramStates) {
      for (const [key, tensor] of Object.entries(state.tensors)) weights.push({ name: `${name}/${key}`, tensor });
      for (const [key, value] of Object.entries(state.scalars)) {
        const tensor = tf.tensor1d(float64Bits(value), 'int32');
        scalars.push(tensor);
        weights.push({ name: `${name}/${key}${SCALAR_SUFFIX}`, tensor });
      }
    }
    this.exportedScalars = scalars;
    return weights;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const restored = new Map<string, ParamState<tf.Variable>>();
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      if (cut <= 0) throw new Error(`${this.displayName}.setWeights: weight name '${name}' is not '<variable>/<state>'`);
      const variableName = name.slice(0, cut);
      const key = name.slice(cut + 1);
      const state = restored.get(variableName) ?? { tensors: {}, scalars: {} };
      restored.set(variableName, state);
      if (key.endsWith(SCALAR_SUFFIX)) state.scalars[key.slice(0, -SCALAR_SUFFIX.length)] = fromFloat64Bits(await tensor.data());
      else state.tensors[key] = tf.variable(tensor.clone(), false);
    }
    for (const state of this.paramStates.values()) Object.values(state.tensors).forEach((t) => t.dispose());
    this.paramStates.clear();
    for (const [name, state] of restored) this.paramStates.set(name, state);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.options, lr: this.learningRate } as unknown as tf.serialization.ConfigDict;
  }
}

function namedGradients(grads: tf.NamedTensorMap | NamedTensor[]): Array<[string, tf.Tensor | undefined]> {
  return Array.isArray(grads) ? grads.map(({ name, tensor }) => [name, tensor]) : Object.entries(grads);
}

/** The variable a gradient belongs to, found by name as tfjs's own optimizers find it. */
export function findVariable(name: string): tf.Variable {
  const variable = tf.engine().registeredVariables[name];
  if (!variable) throw new Error(`No variable named '${name}': gradients must be keyed by variable name.`);
  return variable;
}

function mapValues<A, B>(record: Record<string, A>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

/** A float64 as two int32s (its bits), so that tfjs, which has no float64, stores it exactly. */
export function float64Bits(value: number): Int32Array {
  return new Int32Array(new Float64Array([value]).buffer);
}

/** The inverse of `float64Bits`. */
export function fromFloat64Bits(bits: ArrayLike<number>): number {
  return new Float64Array(Int32Array.from(bits).buffer)[0];
}
