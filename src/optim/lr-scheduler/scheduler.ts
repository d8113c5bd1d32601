// What every learning-rate scheduler shares, as torch.optim.lr_scheduler.LRScheduler has it: the
// optimizer's param groups (plain objects whose `lr`, `momentum` and `betas` the next step reads),
// `initialLr` and `baseLrs`, `lastEpoch`, the first step made by the constructor, `getLastLr()`, and
// state saving that a restored scheduler continues from exactly.
import { OptimizerOptionError, OptionRecord, check, resolveOptions } from '../options';
import { SCHEDULER_KEYS } from '../param-groups';

/** One param group as a scheduler sees it: `lr` and whatever else the optimizer keeps there. */
export type SchedulerGroup = Record<string, unknown>;

/**
 * What a scheduler needs of an optimizer: its param groups, in order. Every optimizer of this
 * library has them; so does any object of this shape.
 */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly SchedulerGroup[];
}

export type Json = number | string | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What `stateDict()` returns: plain JSON (`JSON.stringify` keeps all of it). */
export interface SchedulerState {
  /** The scheduler's class name, e.g. 'StepLR'. */
  name: string;
  /**
   * The options it was made with (functions and `lastEpoch` left out): a state loads only into a
   * scheduler with the same schedule (made from the start, or resumed with a `lastEpoch`).
   */
  options: JsonObject;
  /** Where it is in its schedule: epoch, step count, base lrs, last lrs and its own counters. */
  state: JsonObject;
  /** Nested schedulers (SequentialLR, ChainedScheduler), in order. */
  schedulers?: SchedulerState[];
  /** The group values the schedulers own (`lr`, `initialLr`, momentum...), written back on load. */
  groups?: JsonObject[];
}

/** The keys of a param group that schedulers write, besides momentum and betas: lr and the groups' scheduler keys. */
const SCHEDULER_GROUP_KEYS = ['lr', ...SCHEDULER_KEYS];

/** What every scheduler offers, whatever its kind. */
export abstract class Scheduler {
  /** The lrs of the groups after the last step (a copy of `getLastLr()`). */
  protected lastLrs: number[] = [];

  protected constructor(
    /** torch's class name, used in messages and in saved states. */
    readonly name: string,
    readonly optimizer: SchedulableOptimizer,
    /** The options in force, defaults filled in (kept for `stateDict`). */
    protected readonly config: Record<string, unknown>,
  ) {}

  /** Advances the schedule by one step (ReduceLROnPlateau: by one metric value). */
  abstract step(metric?: number): void;

  /** The lr of every group as the last step left it (torch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** The scheduler's state as plain JSON, for `loadStateDict` on a scheduler made the same way. */
  stateDict(): SchedulerState {
    const saved = this.saveTree();
    saved.groups = this.optimizer.paramGroups.map((group) => groupSnapshot(group, this.cyclesMomentum()));
    return saved;
  }

  /**
   * Restores a state saved by `stateDict()` into this scheduler (made with the same options on an
   * optimizer with as many groups), nested schedulers included, and writes the group values it
   * owns (`lr`, `initialLr`, cycled momentum...) back into the optimizer's groups, so the next
   * step continues exactly where the saved run was, whether or not the optimizer was restored too.
   */
  loadStateDict(saved: SchedulerState): void {
    this.checkLoadable(saved);
    const groups = saved.groups;
    check(
      Array.isArray(groups) && groups.length === this.optimizer.paramGroups.length,
      `${this.name}.loadStateDict: the state holds ${Array.isArray(groups) ? groups.length : 'no'} param groups, the optimizer has ${this.optimizer.paramGroups.length}.`,
    );
    this.restoreTree(saved);
    this.optimizer.paramGroups.forEach((group, i) => Object.assign(group, structuredClone(groups![i])));
  }

  /** True for the schedulers that set momentum (or beta1) in the groups (theirs are saved too). */
  cyclesMomentum(): boolean {
    return false;
  }

  /** This scheduler's own state and its nested ones', without the groups (used by stateDict). */
  saveTree(): SchedulerState {
    return {
      name: this.name,
      options: jsonOptions(this.config),
      state: { lastLrs: [...this.lastLrs], ...this.saveState() },
    };
  }

  /** Checks a saved state fits this scheduler, nested ones included, before anything changes. */
  checkLoadable(saved: SchedulerState): void {
    check(
      saved != null && saved.name === this.name,
      `${this.name}.loadStateDict: the state is from ${saved?.name ?? 'no scheduler'}, not a ${this.name}.`,
    );
    check(
      saved.state != null && typeof saved.state === 'object' && Array.isArray(saved.state.lastLrs),
      `${this.name}.loadStateDict: the state has no 'state' record; pass what stateDict() returned (JSON.parse of it is fine).`,
    );
    const mine = JSON.stringify(jsonOptions(this.config));
    check(
      JSON.stringify(saved.options) === mine,
      `${this.name}.loadStateDict: the state was saved with options ${JSON.stringify(saved.options)}, this scheduler has ${mine}. Make the scheduler with the options it was saved with.`,
    );
  }

  /** Restores what `saveTree` saved (nested schedulers included); the groups are the caller's. */
  restoreTree(saved: SchedulerState): void {
    this.lastLrs = [...(saved.state.lastLrs as number[])];
    this.restoreState(saved.state);
  }

  protected abstract saveState(): JsonObject;
  protected abstract restoreState(state: JsonObject): void;

  /** Refuses an argument to `step` where torch's is the deprecated epoch (a metric given by mistake, say). */
  protected refuseStepArgument(argument: unknown): void {
    check(
      argument === undefined,
      `${this.name}.step() takes no argument, got ${String(argument)} (torch's epoch argument is deprecated; only ReduceLROnPlateau.step takes a metric).`,
    );
  }

  /** The groups' lrs now. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((group, i) => lrOf(group, i));
  }
}

/**
 * torch's LRScheduler: one value per group from `computeLr()`, written into the groups' `lr` at
 * every step. Subclasses call `start(lastEpoch)` at the point of their constructor where torch
 * calls `super().__init__`: it sets each group's `initialLr` (only if no scheduler did before),
 * reads `baseLrs` from them and makes the first step.
 */
export abstract class LRScheduler extends Scheduler {
  /** Each group's `initialLr` when the scheduler was made (CyclicLR: its `baseLr`). */
  baseLrs: number[] = [];
  /** The index of the last step: 0 right after construction. */
  lastEpoch = -1;
  /** How many times `step()` ran, the constructor's included (torch's `_step_count`). */
  protected stepCount = 0;
  /** True during the constructor's first step (torch's `_is_initial`). */
  protected isInitial = false;

  /** The lr of every group for `lastEpoch` (torch's chainable `get_lr()`). */
  protected abstract computeLr(): number[];

  /** The lr for `lastEpoch` from `baseLrs` alone, for schedulers that have one (SequentialLR uses it). */
  protected closedFormLr?(): number[];

  protected start(lastEpoch: number): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      groups.forEach((group, i) => {
        if (group.initialLr === undefined) group.initialLr = lrOf(group, i);
      });
    } else {
      groups.forEach((group, i) =>
        check(
          typeof group.initialLr === 'number',
          `param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer (lastEpoch ${lastEpoch}); make the scheduler with lastEpoch -1, or restore it with loadStateDict.`,
        ),
      );
    }
    this.baseLrs = groups.map((group) => group.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** Resets the step count and makes the first step (also SequentialLR's re-start of its first scheduler). */
  initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  step(epoch?: number): void {
    this.refuseStepArgument(epoch);
    const [stepCount, lastEpoch] = [this.stepCount, this.lastEpoch];
    try {
      this.stepCount += 1;
      this.updateLr();
    } catch (e) {
      // A refused step (OneCycleLR past totalSteps) leaves the scheduler as it was.
      [this.stepCount, this.lastEpoch] = [stepCount, lastEpoch];
      throw e;
    }
  }

  /**
   * One step: the next epoch from the chainable form, or (SequentialLR at a milestone) the given
   * epoch from the closed form where there is one.
   */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.computeLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.computeLr();
    }
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = values[i]));
    this.lastLrs = this.groupLrs();
  }

  /** SequentialLR's undo of the step a nested scheduler's constructor made. */
  stepBack(): void {
    this.lastEpoch -= 1;
  }

  protected saveState(): JsonObject {
    return { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: [...this.baseLrs] };
  }

  protected restoreState(state: JsonObject): void {
    this.lastEpoch = state.lastEpoch as number;
    this.stepCount = state.stepCount as number;
    this.baseLrs = [...(state.baseLrs as number[])];
  }
}

// ---- helpers every scheduler uses ------------------------------------------------------------

/** A group's lr, which must be a number. */
export function lrOf(group: SchedulerGroup, index: number): number {
  const lr = group.lr;
  if (typeof lr !== 'number') throw new OptimizerOptionError(`paramGroups[${index}].lr is ${JSON.stringify(lr)}, not a number.`);
  return lr;
}

/** Checks the optimizer has param groups before a scheduler reads them. */
export function requireSchedulerGroups(name: string, optimizer: SchedulableOptimizer): void {
  if (optimizer == null || !Array.isArray(optimizer.paramGroups) || optimizer.paramGroups.length === 0) {
    throw new OptimizerOptionError(
      `${name}: the optimizer has no paramGroups (an array of groups, each with an lr); pass an optimizer from createOptimizer.`,
    );
  }
}

/**
 * Merges options over defaults with the optimizers' rules (unknown names refused with a "did you
 * mean"), then requires the options listed in `required` (null in `defaults`).
 */
export function schedulerOptions<O extends OptionRecord>(
  name: string,
  defaults: O,
  given: Record<string, unknown> | undefined,
  required: ReadonlyArray<keyof O & string> = [],
): O {
  // Options whose default is null take what the optimizers' options never do (a number or an array
  // of one per group, functions, schedulers); the scheduler checks those itself, so the shared
  // resolver sees null in their place and checks the names and the rest.
  const flexible = (key: string) => Object.hasOwn(defaults, key) && defaults[key] === null;
  const entries = Object.entries(given ?? {});
  const options = resolveOptions(name, defaults, Object.fromEntries(entries.map(([k, v]) => [k, flexible(k) ? null : v])));
  const merged = { ...options } as Record<string, unknown>;
  for (const [key, value] of entries) if (flexible(key)) merged[key] = value ?? null;
  for (const key of required) {
    check(merged[key] != null, `${name} needs the option '${key}'.`);
  }
  return merged as O;
}

/**
 * What every scheduler's constructor does first: checks the optimizer has param groups, resolves the
 * options (unknown ones refused, `required` ones present) and checks `lastEpoch` where it has one.
 */
export function prepareScheduler<O extends OptionRecord>(
  name: string,
  optimizer: SchedulableOptimizer,
  defaults: O,
  given: Record<string, unknown> | undefined,
  required: ReadonlyArray<keyof O & string> = [],
): O {
  requireSchedulerGroups(name, optimizer);
  const options = schedulerOptions(name, defaults, given, required);
  if ('lastEpoch' in options) requireInteger(name, 'lastEpoch', options.lastEpoch, -1);
  return options;
}

/** torch's `_format_param`: one value for every group, or an array with one per group. */
export function perGroup(name: string, optionName: string, value: unknown, optimizer: SchedulableOptimizer): number[] {
  const groups = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    check(
      value.length === groups,
      `${name}: ${optionName} must have the same length as optimizer.paramGroups. ${optionName} has ${value.length} values, paramGroups has ${groups}.`,
    );
    value.forEach((v, i) => requireFinite(name, `${optionName}[${i}]`, v));
    return [...value] as number[];
  }
  requireFinite(name, optionName, value);
  return Array(groups).fill(value);
}

export function requireFinite(name: string, optionName: string, value: unknown): asserts value is number {
  check(typeof value === 'number' && Number.isFinite(value), `${name}: ${optionName} must be a finite number, got ${String(value)}.`);
}

export function requireInteger(name: string, optionName: string, value: unknown, min: number): asserts value is number {
  check(
    typeof value === 'number' && Number.isInteger(value) && value >= min,
    `${name}: ${optionName} must be an integer >= ${min}, got ${String(value)}.`,
  );
}

/** Python's modulo (the result has the divisor's sign), as torch's formulas use it. */
export function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Infinity and NaN as strings, so that a state survives JSON.stringify. */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}
export function decodeNumber(x: Json): number {
  return typeof x === 'string' ? Number(x) : (x as number);
}

function jsonOptions(config: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'function' || key === 'schedulers' || key === 'lastEpoch') continue;
    if (Array.isArray(value) && value.some((v) => typeof v === 'function')) continue;
    out[key] = typeof value === 'number' ? encodeNumber(value) : (structuredClone(value) as Json);
  }
  return out;
}

function groupSnapshot(group: SchedulerGroup, withMomentum: boolean): JsonObject {
  const keys = [...SCHEDULER_GROUP_KEYS, ...(withMomentum ? ['momentum', 'betas'] : [])];
  const out: JsonObject = {};
  for (const key of keys) if (group[key] !== undefined) out[key] = structuredClone(group[key]) as Json;
  return out;
}
