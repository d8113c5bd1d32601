// PyTorch's parameter groups for tfjs variables. A group is a selector (which variables) and a
// record of hyperparameters (the top-level options, overridden by the group's own). tfjs steps by
// variable name, so a variable joins its group when its first gradient arrives; a selector may be
// names, tf.Variables, a RegExp on the name, or a predicate on the variable.
import * as tf from '@tensorflow/tfjs-core';
import { describe, OptimizerOptionError } from './options';

/** A RegExp as a config holds it (what `getConfig()` writes for a RegExp selector). */
export interface SerializedRegExp {
  regexp: string;
  flags?: string;
}

/** Which variables a param group holds. */
export type ParamSelector =
  | string
  | tf.Variable
  | ReadonlyArray<string | tf.Variable>
  | RegExp
  | SerializedRegExp
  | ((variable: tf.Variable) => boolean);

/**
 * One entry of the `paramGroups` option: `params` selects the variables, every other key
 * overrides the top-level option of that name for them. A group without `params` takes every
 * variable that no other group selects (at most one such group).
 */
export type ParamGroupSpec<O> = Partial<O> & { params?: ParamSelector } & Partial<Record<SchedulerKey, number>>;

/** What `optimizer.paramGroups[i]` holds: the group's hyperparameters, and its selector as `params`. */
export type ParamGroup<O> = O & { readonly params?: readonly string[] | RegExp | ((variable: tf.Variable) => boolean) } & Partial<
    Record<SchedulerKey, number>
  >;

/**
 * Keys a learning-rate scheduler keeps in a group besides the optimizer's options, as PyTorch's
 * schedulers keep `initial_lr`, `max_lr`, `min_lr`, `max_momentum`, `base_momentum` and `swa_lr`.
 */
export const SCHEDULER_KEYS = ['initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum', 'swaLr'] as const;
export type SchedulerKey = (typeof SCHEDULER_KEYS)[number];

export type Selector =
  | { kind: 'names'; names: ReadonlySet<string> }
  | { kind: 'regexp'; regexp: RegExp }
  | { kind: 'predicate'; predicate: (variable: tf.Variable) => boolean }
  | { kind: 'rest' };

/** Reads a group's `params` (absent: the rest group); `where` names the group in messages. */
export function parseSelector(where: string, params: unknown): Selector {
  if (params === undefined) return { kind: 'rest' };
  if (typeof params === 'function') return { kind: 'predicate', predicate: params as (v: tf.Variable) => boolean };
  if (params instanceof RegExp) return { kind: 'regexp', regexp: withoutState(params) };
  if (isSerializedRegExp(params)) return { kind: 'regexp', regexp: withoutState(new RegExp(params.regexp, params.flags ?? '')) };
  const items = Array.isArray(params) ? params : [params];
  const names = new Set<string>();
  for (const item of items) {
    const name = typeof item === 'string' ? item : item instanceof tf.Variable ? item.name : undefined;
    if (name === undefined) {
      throw new OptimizerOptionError(
        `${where}.params must be variable names, tf.Variables, a RegExp on the name or a predicate (variable) => boolean; got ${describe(item)}.`,
      );
    }
    if (names.has(name)) throw new OptimizerOptionError(`${where}.params lists '${name}' twice.`);
    names.add(name);
  }
  return { kind: 'names', names };
}

/** Whether a selector takes a variable (the rest group takes what no other group takes: false here). */
export function selects(selector: Selector, variable: tf.Variable): boolean {
  switch (selector.kind) {
    case 'names':
      return selector.names.has(variable.name);
    case 'regexp':
      return selector.regexp.test(variable.name);
    case 'predicate':
      return selector.predicate(variable) === true;
    case 'rest':
      return false;
  }
}

/** Whether a selector takes a variable of this name, as far as a name tells (predicates need the variable). */
export function selectsName(selector: Selector, name: string): boolean | undefined {
  if (selector.kind === 'names') return selector.names.has(name);
  if (selector.kind === 'regexp') return selector.regexp.test(name);
  if (selector.kind === 'rest') return false;
  const variable = tf.engine().registeredVariables[name];
  return variable ? selects(selector, variable) : undefined;
}

/** The selector as `paramGroups[i].params` shows it (undefined for the rest group). */
export function selectorView(selector: Selector): readonly string[] | RegExp | ((variable: tf.Variable) => boolean) | undefined {
  if (selector.kind === 'names') return Object.freeze([...selector.names]);
  if (selector.kind === 'regexp') return selector.regexp;
  if (selector.kind === 'predicate') return selector.predicate;
  return undefined;
}

/** The selector as a config holds it; a predicate has no such form. */
export function serializedSelector(where: string, selector: Selector): string[] | SerializedRegExp | undefined {
  if (selector.kind === 'names') return [...selector.names];
  if (selector.kind === 'regexp') return { regexp: selector.regexp.source, flags: selector.regexp.flags };
  if (selector.kind === 'rest') return undefined;
  throw new OptimizerOptionError(
    `${where} selects its variables with a function, which a config cannot hold: select them by names or a RegExp to save the config.`,
  );
}

function isSerializedRegExp(x: unknown): x is SerializedRegExp {
  return typeof x === 'object' && x !== null && typeof (x as SerializedRegExp).regexp === 'string';
}

/** A RegExp without the g and y flags, whose test() would otherwise depend on the previous call. */
function withoutState(regexp: RegExp): RegExp {
  return new RegExp(regexp.source, regexp.flags.replace(/[gy]/g, ''));
}
