// The base classes every optimizer shares. `OptimizerBase` owns what PyTorch's `Optimizer` base
// class owns besides the step: the options (PyTorch's defaults, validation), the param groups and
// their hyperparameters (`paramGroups`, the `lr` shortcut), the config, and saving and restoring
// (the class and the groups are recorded, a restore is checked whole before anything changes).
// `TorchOptimizer` adds the per-parameter step: each algorithm supplies a pure update rule
// (tensors in, tensors out, see `UpdateRule`), and the class keeps per-parameter state and the step
// counts. Both extend tfjs's `tf.Optimizer`, so they work wherever tfjs takes one (`model.compile`,
// `minimize`, `applyGradients`). L-BFGS, which is not per-parameter, extends `OptimizerBase`.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { checkOptionValue, describe, OptionKinds, OptionRecord, OptimizerOptionError, resolveOptions, unknownOptions } from './options';
import {
  ParamGroup,
  parseSelector,
  SCHEDULER_KEYS,
  SchedulerKey,
  selects,
  Selector,
  selectorView,
  selectsName,
  serializedSelector,
} from './param-groups';
import { GradientClipping, clipInStep, resolveClipping } from './clip';

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
  /** The learning rate of the parameter's group, in force now (it may change between steps). */
  lr: number;
  /** The options of the parameter's group, in force now (PyTorch's `group`). */
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

/** How an optimizer reads its options. */
export interface OptionSpec<O> {
  defaults: O;
  /** PyTorch's checks of a whole option record (one group's); throws OptimizerOptionError. */
  validate(options: O): void;
  /** Kinds of options that the defaults do not tell (see OptionKind). */
  kinds?: OptionKinds;
  /** Fills in what a record leaves to be derived (L-BFGS's maxEval). */
  normalize?(options: O): O;
  /** At most this many groups, and the message for more (L-BFGS has one). */
  maxGroups?: { count: number; message: string };
}

/** One param group: its selector and its hyperparameters; `view` is what `paramGroups[i]` is. */
export interface Group<O> {
  readonly index: number;
  readonly selector: Selector;
  options: Readonly<O>;
  extras: Partial<Record<SchedulerKey, number>>;
  readonly view: ParamGroup<O>;
  readonly mirror: Record<string, unknown>;
}

/** Tensors and numbers a subclass saves; `temporaries` are tensors made only for this answer. */
export interface SavedState {
  tensors: NamedTensor[];
  scalars: Record<string, number>;
  temporaries?: tf.Tensor[];
}

/** The weight that records the optimizer class and its groups (its name cannot be `<variable>/<slot>`). */
export const HEADER_WEIGHT = '@optimizer';
const SCALAR_SUFFIX = ':f64';
const HEADER_FORMAT = 1;

interface Header {
  format: number;
  className: string;
  defaults: Record<string, unknown>;
  paramGroups: Array<Record<string, unknown>>;
}

export abstract class OptimizerBase<O extends BaseOptions> extends tf.Optimizer {
  private defaultOptions: Readonly<O>;
  private readonly groups: Group<O>[] = [];
  private readonly hasUserGroups: boolean;
  private readonly membership = new Map<string, Group<O>>();
  /** Bumped by every change of an option other than lr: the state a rule keeps may depend on it. */
  protected optionsVersion = 0;
  /** Tensors made only for the last `getWeights()` answer; freed at the next call or `dispose()`. */
  private exported: tf.Tensor[] = [];

  protected constructor(
    readonly displayName: string,
    private readonly spec: OptionSpec<O>,
    given: unknown,
  ) {
    super();
    const { paramGroups, ...top } = asOptionObject(displayName, given);
    this.defaultOptions = this.resolve(displayName, spec.defaults, top);
    this.hasUserGroups = paramGroups !== undefined;
    if (paramGroups === undefined) {
      this.groups.push(this.makeGroup({ kind: 'rest' }, this.defaultOptions, {}));
    } else {
      this.readGroups(paramGroups);
    }
  }

  // ---- options and groups --------------------------------------------------------------------

  /**
   * The param groups, in order: plain-looking objects holding each group's hyperparameters in
   * PyTorch's names (camelCase) and value forms, and its selector as `params`. Assign to a field
   * between steps (a scheduler does) and the next step uses it; a bad value throws at the
   * assignment, with the constructor's message, and changes nothing.
   */
  get paramGroups(): ReadonlyArray<ParamGroup<O>> {
    return this.groupViews ??= Object.freeze(this.groups.map((g) => g.view));
  }
  private groupViews?: ReadonlyArray<ParamGroup<O>>;

  /** The first group's learning rate (every group's, when there is one group). */
  get lr(): number {
    return this.groups[0].options.lr;
  }
  /** Sets every group's learning rate (and the default), checked as the constructor checks it. */
  set lr(value: number) {
    const next = this.groups.map((g) => this.resolve(groupName(this.displayName, g.index), g.options, { lr: value }));
    const defaults = this.resolve(this.displayName, this.defaultOptions, { lr: value });
    this.groups.forEach((g, i) => this.commit(g, next[i]));
    this.defaultOptions = defaults;
  }

  /** The top-level options, PyTorch's defaults filled in (with one group: that group's, as they are now). */
  get settings(): Readonly<O> {
    return { ...(this.hasUserGroups ? this.defaultOptions : this.groups[0].options) };
  }

  /** A group's options in force now (`index` in paramGroups order). */
  protected groupOptions(index: number): Readonly<O> {
    return this.groups[index].options;
  }

  /**
   * The group a variable belongs to (cached from its first call): the group whose selector takes
   * it, else the rest group; throws when two groups take it or none does.
   */
  protected groupFor(variable: tf.Variable): Group<O> {
    const group = this.groupIfAny(variable);
    if (!group) {
      throw new OptimizerOptionError(
        `${this.displayName}: variable '${variable.name}' is in no param group (a list of names must name every variable). Select it in a group's params, or add a group ` +
          'without params, which takes every variable no other group selects (with the top-level options).',
      );
    }
    return group;
  }

  /** As `groupFor`, but undefined for a variable in no group. */
  protected groupIfAny(variable: tf.Variable): Group<O> | undefined {
    const known = this.membership.get(variable.name);
    if (known) return known;
    const matches = this.groups.filter((g) => selects(g.selector, variable));
    if (matches.length > 1) {
      throw new OptimizerOptionError(
        `${this.displayName}: some parameters appear in more than one parameter group: variable '${variable.name}' is selected by ` +
          `${matches.map((g) => `paramGroups[${g.index}]`).join(' and ')}. Make the selectors disjoint.`,
      );
    }
    const group = matches[0] ?? this.groups.find((g) => g.selector.kind === 'rest');
    if (group) this.membership.set(variable.name, group);
    return group;
  }

  private readGroups(specs: unknown): void {
    const name = this.displayName;
    if (!Array.isArray(specs) || specs.length === 0) {
      throw new OptimizerOptionError(
        `${name} option 'paramGroups' must be a non-empty array of groups such as {params: ['dense/kernel'], lr: 0.1}, got ${describe(specs)}.`,
      );
    }
    if (this.spec.maxGroups && specs.length > this.spec.maxGroups.count) throw new OptimizerOptionError(this.spec.maxGroups.message);
    specs.forEach((spec, index) => {
      const where = groupName(name, index);
      const { params, ...rest } = asOptionObject(where, spec);
      const selector = parseSelector(where, params);
      const extras: Partial<Record<SchedulerKey, number>> = {};
      const overrides: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(rest)) {
        if (isSchedulerKey(key)) {
          checkOptionValue(where, key, value, { type: 'number' });
          extras[key] = value as number;
        } else overrides[key] = value;
      }
      this.groups.push(this.makeGroup(selector, this.resolve(where, this.defaultOptions, overrides), extras));
    });
    if (this.groups.filter((g) => g.selector.kind === 'rest').length > 1) {
      throw new OptimizerOptionError(`${name}: only one param group may leave out params (it takes every variable no other group selects).`);
    }
    // Variables that a RegExp or a predicate leaves out (a layer model's kernels beside `/bias$/`) use
    // the top-level options: a rest group of their own, appended last and shown in paramGroups, so
    // that schedulers reach it from the start. A list of names is complete, as PyTorch's param_groups
    // are: a variable it leaves out is refused at its first gradient.
    const selectsByPattern = this.groups.some((g) => g.selector.kind === 'regexp' || g.selector.kind === 'predicate');
    if (selectsByPattern && !this.groups.some((g) => g.selector.kind === 'rest')) {
      if (this.spec.maxGroups && this.groups.length >= this.spec.maxGroups.count) throw new OptimizerOptionError(this.spec.maxGroups.message);
      this.groups.push(this.makeGroup({ kind: 'rest' }, this.defaultOptions, {}));
    }
    // PyTorch refuses a parameter in two groups; check what names tell now, the rest at the first step.
    for (const a of this.groups) {
      if (a.selector.kind !== 'names') continue;
      for (const b of this.groups) {
        if (b === a) continue;
        const shared = [...a.selector.names].find((n) => selectsName(b.selector, n) === true);
        if (shared !== undefined) {
          throw new OptimizerOptionError(
            `${name}: some parameters appear in more than one parameter group: '${shared}' is in paramGroups[${a.index}] and paramGroups[${b.index}].`,
          );
        }
      }
    }
  }

  private makeGroup(selector: Selector, options: Readonly<O>, extras: Partial<Record<SchedulerKey, number>>): Group<O> {
    const index = this.groups.length;
    const where = groupName(this.displayName, index);
    const mirror: Record<string, unknown> = {};
    const params = selectorView(selector);
    if (params !== undefined) mirror.params = params;
    const refuse = (key: string | symbol): never => {
      throw new OptimizerOptionError(`${where}.${String(key)} cannot be deleted or redefined: assign a value to it.`);
    };
    const view = new Proxy(mirror, {
      set: (_target, key, value) => {
        this.setGroupOption(group, key, value);
        return true;
      },
      deleteProperty: (_target, key) => refuse(key),
      defineProperty: (_target, key) => refuse(key),
    }) as ParamGroup<O>;
    const group: Group<O> = { index, selector, options, extras, view, mirror };
    Object.assign(mirror, options, extras);
    return group;
  }

  /** `paramGroups[i][key] = value`: checked as the constructor checks it, then applied. */
  private setGroupOption(group: Group<O>, key: string | symbol, value: unknown): void {
    const where = groupName(this.displayName, group.index);
    if (typeof key !== 'string') throw new OptimizerOptionError(`${where} has no option ${String(key)}.`);
    if (key === 'params') {
      throw new OptimizerOptionError(`${where}.params cannot change: a variable keeps the group it joined. Make a new optimizer for other groups.`);
    }
    if (isSchedulerKey(key)) {
      checkOptionValue(where, key, value, { type: 'number' });
      group.extras[key] = value as number;
      group.mirror[key] = value;
      return;
    }
    if (!Object.hasOwn(this.spec.defaults, key)) throw unknownOptions(where, [key], Object.keys(this.spec.defaults));
    this.commit(group, this.resolve(where, group.options, { [key]: value }));
    if (key !== 'lr') this.optionsVersion++;
  }

  private commit(group: Group<O>, options: Readonly<O>): void {
    group.options = options;
    Object.assign(group.mirror, options);
  }

  /** `given` over `base`, kinds checked, normalised and validated; `where` prefixes the optimizer's own messages for groups. */
  private resolve(where: string, base: O, given: Record<string, unknown>): Readonly<O> {
    const merged = resolveOptions(where, base, given, this.spec.kinds);
    const options = this.spec.normalize ? this.spec.normalize(merged) : merged;
    try {
      this.spec.validate(options);
    } catch (error) {
      if (error instanceof OptimizerOptionError && where !== this.displayName) throw new OptimizerOptionError(`${where}: ${error.message}`);
      throw error;
    }
    return Object.freeze(options);
  }

  // ---- config --------------------------------------------------------------------------------

  /** The options (and the groups, when given), in the form the constructor takes. */
  override getConfig(): tf.serialization.ConfigDict {
    const config: Record<string, unknown> = this.hasUserGroups
      ? {
          ...this.defaultOptions,
          paramGroups: this.groups.map((g) => {
            const params = serializedSelector(groupName(this.displayName, g.index), g.selector);
            return { ...(params === undefined ? {} : { params }), ...g.options, ...g.extras };
          }),
        }
      : { ...this.groups[0].options };
    return { ...config, ...this.extraConfig() } as unknown as tf.serialization.ConfigDict;
  }

  /** Options a subclass keeps besides the groups' (gradient clipping). */
  protected extraConfig(): Record<string, unknown> {
    return {};
  }

  // ---- saving and restoring ------------------------------------------------------------------

  /** The subclass's state, named as `setWeights` will read it back (no name may be 'iter' or the header's). */
  protected abstract savedState(): SavedState;

  /**
   * Checks restored state against this optimizer (its variables, and the groups' options that the
   * restore brings) and returns what applies it; throws, changing nothing, when anything is wrong.
   */
  protected abstract prepareRestore(
    tensors: Map<string, tf.Tensor>,
    scalars: Map<string, number>,
    optionsOf: (group: Group<O>) => Readonly<O>,
  ): () => void;

  /**
   * The iteration count, a record of the optimizer class and its groups' hyperparameters (as
   * UTF-16 codes in an int32 tensor), then the state: each tensor by name and each host number
   * as `<name>:f64`, its float64 bits in two int32s so that a restore is exact. As with tfjs's
   * optimizers the state tensors may be the optimizer's own: read them, do not dispose them.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    tf.dispose(this.exported);
    this.exported = [];
    const iterations = await this.saveIterations();
    const header = tf.tensor1d(Int32Array.from(JSON.stringify(this.header()), (c) => c.charCodeAt(0)), 'int32');
    const { tensors, scalars, temporaries = [] } = this.savedState();
    const scalarWeights = Object.entries(scalars).map(([name, value]) => ({
      name: name + SCALAR_SUFFIX,
      tensor: tf.tensor1d(float64Bits(value), 'int32'),
    }));
    this.exported = [iterations.tensor, header, ...temporaries, ...scalarWeights.map((w) => w.tensor)].map((t) => tf.keep(t));
    return [iterations, { name: HEADER_WEIGHT, tensor: header }, ...tensors, ...scalarWeights];
  }

  /**
   * Restores what `getWeights()` returned, into an optimizer of the same class with as many
   * groups: the iteration count, every group's hyperparameters and the state. Everything is checked
   * first (the class, the groups, each variable, slot, shape and dtype); on any problem it throws
   * and nothing changes. The optimizer keeps no reference to the tensors passed in.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const where = `${this.displayName}.setWeights`;
    if (!Array.isArray(weightValues) || weightValues.length === 0) {
      throw new Error(`${where}: no weights given (${describe(weightValues)}); pass what getWeights() returned. Nothing was restored.`);
    }
    let iterations: number | undefined;
    let header: Header | undefined;
    const tensors = new Map<string, tf.Tensor>();
    const scalars = new Map<string, number>();
    const seen = new Set<string>();
    for (const weight of weightValues) {
      const name = (weight as NamedTensor | undefined)?.name;
      if (typeof name !== 'string' || !(weight.tensor instanceof tf.Tensor) || weight.tensor.isDisposed) {
        throw new Error(`${where}: every weight must be {name, tensor} with a live tensor; got ${describe(weight)}.`);
      }
      if (seen.has(name)) throw new Error(`${where}: weight '${name}' is given twice.`);
      seen.add(name);
      const tensor = weight.tensor;
      if (name === 'iter') iterations = (await tensor.data())[0];
      else if (name === HEADER_WEIGHT) header = readHeader(where, await tensor.data());
      else if (name.endsWith(SCALAR_SUFFIX)) {
        if (tensor.dtype !== 'int32' || tensor.size !== 2) throw new Error(`${where}: '${name}' must hold a float64 as two int32s (shape [2], int32).`);
        scalars.set(name.slice(0, -SCALAR_SUFFIX.length), fromFloat64Bits(await tensor.data()));
      } else tensors.set(name, tensor);
    }
    if (iterations === undefined) throw new Error(`${where}: the weights hold no 'iter' (the iteration count); nothing was restored.`);
    if (!header) {
      throw new Error(
        `${where}: the weights hold no '${HEADER_WEIGHT}' record (the optimizer class and its param groups), so they are not from ` +
          "getWeights() of this library's optimizers; nothing was restored.",
      );
    }
    const className = this.getClassName();
    if (header.className !== className) {
      throw new Error(`${where}: these weights were saved by ${header.className}, not ${className}: restore them into a ${header.className}. Nothing was restored.`);
    }
    if (header.paramGroups.length !== this.groups.length) {
      throw new Error(
        `${where}: the weights were saved with ${header.paramGroups.length} param group(s), this optimizer has ${this.groups.length}: ` +
          'create it with the same paramGroups. Nothing was restored.',
      );
    }
    const defaults = this.resolve(this.displayName, this.defaultOptions, header.defaults);
    const restored = this.groups.map((g, i) => {
      const groupWhere = groupName(this.displayName, g.index);
      const extras: Partial<Record<SchedulerKey, number>> = {};
      const options: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(header!.paramGroups[i])) {
        if (isSchedulerKey(key)) {
          checkOptionValue(groupWhere, key, value, { type: 'number' });
          extras[key] = value as number;
        } else options[key] = value;
      }
      return { options: this.resolve(groupWhere, g.options, options), extras };
    });
    const applyState = this.prepareRestore(tensors, scalars, (g) => restored[g.index].options);

    this.defaultOptions = defaults;
    this.groups.forEach((g, i) => {
      for (const key of Object.keys(g.extras)) delete g.mirror[key];
      g.extras = restored[i].extras;
      this.commit(g, restored[i].options);
      Object.assign(g.mirror, g.extras);
    });
    this.optionsVersion++;
    applyState();
    this.iterations_ = iterations;
  }

  private header(): Header {
    return {
      format: HEADER_FORMAT,
      className: this.getClassName(),
      defaults: { ...this.defaultOptions },
      paramGroups: this.groups.map((g) => ({ ...g.options, ...g.extras })),
    };
  }

  override dispose(): void {
    tf.dispose(this.exported);
    this.exported = [];
  }
}

/** A per-parameter optimizer: `rule` steps each variable with its group's options. */
export abstract class TorchOptimizer<O extends BaseOptions> extends OptimizerBase<O> {
  /** The gradient clipping applied inside applyGradients (see clip.ts). */
  readonly clipping: Readonly<GradientClipping>;
  private readonly paramStates = new Map<string, { state: ParamState<tf.Variable>; version: number }>();

  protected constructor(
    displayName: string,
    defaults: O,
    given: Partial<O> | Record<string, unknown> | undefined,
    validate: (options: O) => void,
    private readonly rule: UpdateRule<O>,
    kinds?: OptionKinds,
  ) {
    super(displayName, { defaults, validate, kinds }, withoutClipping(displayName, given));
    this.clipping = resolveClipping(displayName, given as Record<string, unknown> | undefined);
  }

  /**
   * One step for the variables named in `variableGradients` (PyTorch's `step()` after backward),
   * all or nothing: every name, shape and dtype is checked before any variable changes. A null
   * gradient is skipped, as PyTorch skips a parameter whose `.grad` is None.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const work = this.checkedGradients(variableGradients);
    tf.tidy(() => {
      const grads = clipInStep(
        work.map((w) => w.grad),
        this.clipping,
      );
      work.forEach(({ variable, group }, i) => this.update(variable, grads[i], group));
    });
    this.incrementIterations();
  }

  private checkedGradients(input: tf.NamedTensorMap | NamedTensor[]) {
    const where = `${this.displayName}.applyGradients`;
    if (input === null || typeof input !== 'object') {
      throw new Error(`${where}: expected {[variableName]: gradient} or [{name, tensor}], got ${describe(input)}.`);
    }
    const entries: Array<[string, unknown]> = Array.isArray(input)
      ? input.map((w: NamedTensor) => [w?.name, w?.tensor])
      : Object.entries(input);
    const work: Array<{ variable: tf.Variable; grad: tf.Tensor; group: Group<O> }> = [];
    const seen = new Set<string>();
    for (const [name, grad] of entries) {
      if (grad == null) continue; // PyTorch skips parameters whose .grad is None.
      if (seen.has(name)) throw new Error(`${where}: two gradients for '${name}'; nothing was updated.`);
      seen.add(name);
      const variable = tf.engine().registeredVariables[name];
      if (!variable) {
        throw new Error(`${where}: no variable named '${name}' (gradients are keyed by variable name); nothing was updated.`);
      }
      if (!(grad instanceof tf.Tensor) || grad.isDisposed) {
        throw new Error(`${where}: the gradient for '${name}' is not a live tf.Tensor (${describe(grad)}); nothing was updated.`);
      }
      if (!tf.util.arraysEqual(grad.shape, variable.shape)) {
        throw new Error(
          `${where}: the gradient for '${name}' has shape [${grad.shape}], but the variable has shape [${variable.shape}]; ` +
            'they must be equal (PyTorch refuses a gradient of another shape too). Nothing was updated.',
        );
      }
      if (grad.dtype !== variable.dtype) {
        throw new Error(`${where}: the gradient for '${name}' is ${grad.dtype}, but the variable is ${variable.dtype}; nothing was updated.`);
      }
      work.push({ variable, grad, group: this.groupFor(variable) });
    }
    // The rule's own refusals (Muon's 2-D rule) come once every name and shape is known to be good.
    for (const { variable, group } of work) this.rule.checkParam?.(variable, group.options);
    return work;
  }

  private update(param: tf.Variable, grad: tf.Tensor, group: Group<O>): void {
    const state = this.stateOf(param, group);
    const step = (state.scalars[STEP] ?? 0) + 1;
    tf.tidy(() => {
      const options = group.options;
      const out = this.rule.update({ param, grad, state, step, lr: options.lr, options });
      param.assign(out.param);
      for (const [key, value] of Object.entries(out.tensors ?? {})) {
        const slot = state.tensors[key];
        if (!slot) throw new Error(`${this.displayName}: update returned unknown state '${key}'`);
        slot.assign(value);
      }
      Object.assign(state.scalars, out.scalars ?? {}, { [STEP]: step });
    });
  }

  /** The names of the variables that have state (those updated at least once), in first-update order. */
  get statefulVariableNames(): string[] {
    return [...this.paramStates.keys()];
  }

  /** The state of a parameter, for reading (tests, notebooks); undefined before its first step. */
  stateFor(variableName: string): ParamState | undefined {
    return this.paramStates.get(variableName)?.state;
  }

  /**
   * The parameter's state, made by the rule's `init` at its first step. After an option other than
   * lr changed, the slots are brought in line with what `init` makes for the options now (e.g.
   * `amsgrad` switched on adds a zero `maxExpAvgSq`), keeping the values of the slots that stay.
   */
  private stateOf(param: tf.Variable, group: Group<O>): ParamState<tf.Variable> {
    const record = this.paramStates.get(param.name);
    if (record && record.version === this.optionsVersion) return record.state;
    tf.tidy(() => {
      const initial = this.rule.init(param, group.options);
      if (!record) {
        const state = { tensors: mapValues(initial.tensors, (t) => tf.variable(t, false)), scalars: { ...initial.scalars } };
        this.paramStates.set(param.name, { state, version: this.optionsVersion });
        return;
      }
      const { tensors, scalars } = record.state;
      for (const key of Object.keys(tensors)) if (!(key in initial.tensors)) (tensors[key].dispose(), delete tensors[key]);
      for (const [key, t] of Object.entries(initial.tensors)) if (!(key in tensors)) tensors[key] = tf.variable(t, false);
      for (const key of Object.keys(scalars)) if (key !== STEP && !(key in initial.scalars)) delete scalars[key];
      for (const [key, v] of Object.entries(initial.scalars)) if (!(key in scalars)) scalars[key] = v;
      record.version = this.optionsVersion;
    });
    return this.paramStates.get(param.name)!.state;
  }

  protected override extraConfig(): Record<string, unknown> {
    const { clipGradNorm, clipGradNormType, clipGradValue } = this.clipping;
    return {
      ...(clipGradNorm !== null && { clipGradNorm, clipGradNormType }),
      ...(clipGradValue !== null && { clipGradValue }),
    };
  }

  /** Every state tensor as `<variable>/<slot>` and every host number as `<variable>/<key>`. */
  protected savedState(): SavedState {
    const tensors: NamedTensor[] = [];
    const scalars: Record<string, number> = {};
    for (const [name, { state }] of this.paramStates) {
      for (const [key, tensor] of Object.entries(state.tensors)) tensors.push({ name: `${name}/${key}`, tensor });
      for (const [key, value] of Object.entries(state.scalars)) scalars[`${name}/${key}`] = value;
    }
    return { tensors, scalars };
  }

  protected prepareRestore(
    tensors: Map<string, tf.Tensor>,
    scalars: Map<string, number>,
    optionsOf: (group: Group<O>) => Readonly<O>,
  ): () => void {
    const where = `${this.displayName}.setWeights`;
    const saved = new Map<string, ParamState>();
    const entry = (name: string) => {
      const cut = name.lastIndexOf('/');
      if (cut <= 0) throw new Error(`${where}: weight name '${name}' is not '<variable>/<state>'; nothing was restored.`);
      const variableName = name.slice(0, cut);
      const state = saved.get(variableName) ?? { tensors: {}, scalars: {} };
      saved.set(variableName, state);
      return { state, key: name.slice(cut + 1) };
    };
    for (const [name, tensor] of tensors) {
      const { state, key } = entry(name);
      state.tensors[key] = tensor;
    }
    for (const [name, value] of scalars) {
      const { state, key } = entry(name);
      state.scalars[key] = value;
    }
    for (const [variableName, state] of saved) {
      const variable = tf.engine().registeredVariables[variableName];
      if (!variable) {
        throw new Error(
          `${where}: there is state for '${variableName}', but no variable of that name exists: restore after the model is built. Nothing was restored.`,
        );
      }
      const options = optionsOf(this.groupFor(variable));
      const expected = tf.tidy(() => this.rule.init(variable, options) as unknown as tf.TensorContainer) as unknown as ParamState;
      try {
        checkSlots(where, this.displayName, variableName, state, expected);
      } finally {
        tf.dispose(Object.values(expected.tensors));
      }
      const step = state.scalars[STEP];
      if (!(Number.isInteger(step) && step >= 1)) throw new Error(`${where}: '${variableName}/${STEP}' must be a whole number >= 1, got ${step}.`);
    }
    return () => {
      for (const { state } of this.paramStates.values()) Object.values(state.tensors).forEach((t) => t.dispose());
      this.paramStates.clear();
      for (const [name, state] of saved) {
        // tf.variable shares the data of the given tensor (reference-counted): no copy is left behind.
        const restored = { tensors: mapValues(state.tensors, (t) => tf.variable(t, false)), scalars: { ...state.scalars } };
        this.paramStates.set(name, { state: restored, version: this.optionsVersion });
      }
    };
  }

  override dispose(): void {
    super.dispose();
    for (const { state } of this.paramStates.values()) Object.values(state.tensors).forEach((t) => t.dispose());
    this.paramStates.clear();
  }
}

const STEP = 'step';

/** The saved slots of one variable against those `init` makes for it: the same names, shapes and dtypes. */
function checkSlots(where: string, optimizer: string, variableName: string, saved: ParamState, expected: ParamState): void {
  const fail = (what: string) => {
    throw new Error(`${where}: the state for '${variableName}' ${what}. Nothing was restored.`);
  };
  const keeps = `${optimizer} keeps ${Object.keys(expected.tensors).join(', ') || 'no tensors'} for it with these options`;
  for (const [key, tensor] of Object.entries(expected.tensors)) {
    const got = saved.tensors[key];
    if (!got) fail(`lacks slot '${key}' (${keeps})`);
    if (!tf.util.arraysEqual(got.shape, tensor.shape)) fail(`has slot '${key}' of shape [${got.shape}], expected [${tensor.shape}]`);
    if (got.dtype !== tensor.dtype) fail(`has slot '${key}' of dtype ${got.dtype}, expected ${tensor.dtype}`);
  }
  for (const key of Object.keys(saved.tensors)) if (!(key in expected.tensors)) fail(`has slot '${key}', which ${optimizer} does not keep (${keeps})`);
  const numbers = [...Object.keys(expected.scalars), STEP];
  for (const key of numbers) if (!(key in saved.scalars)) fail(`lacks the number '${key}:f64'`);
  for (const key of Object.keys(saved.scalars)) if (!numbers.includes(key)) fail(`has the number '${key}:f64', which ${optimizer} does not keep`);
}

function readHeader(where: string, codes: ArrayLike<number>): Header {
  let header: Header;
  try {
    header = JSON.parse(String.fromCharCode(...Array.from(codes)));
  } catch {
    throw new Error(`${where}: the '${HEADER_WEIGHT}' record is not readable; nothing was restored.`);
  }
  if (
    header?.format !== HEADER_FORMAT ||
    typeof header.className !== 'string' ||
    typeof header.defaults !== 'object' ||
    !Array.isArray(header.paramGroups) ||
    header.paramGroups.some((g) => typeof g !== 'object' || g === null)
  ) {
    throw new Error(`${where}: the '${HEADER_WEIGHT}' record is not one this library writes (format ${HEADER_FORMAT}); nothing was restored.`);
  }
  return header;
}

function groupName(optimizer: string, index: number): string {
  return `${optimizer} paramGroups[${index}]`;
}

function isSchedulerKey(key: string): key is SchedulerKey {
  return (SCHEDULER_KEYS as readonly string[]).includes(key);
}

/** The options as an object (undefined: none); anything else is refused. */
function asOptionObject(where: string, given: unknown): Record<string, unknown> {
  if (given === undefined) return {};
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new OptimizerOptionError(`${where} options must be an object of PyTorch keyword options in camelCase, got ${describe(given)}.`);
  }
  return given as Record<string, unknown>;
}

const CLIPPING_KEYS = ['clipGradNorm', 'clipGradNormType', 'clipGradValue'];

function withoutClipping(where: string, given: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(asOptionObject(where, given)).filter(([key]) => !CLIPPING_KEYS.includes(key)));
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
