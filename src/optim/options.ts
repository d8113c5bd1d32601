// Option handling shared by every optimizer: PyTorch's keyword names in camelCase, PyTorch's
// defaults, and refusal (with PyTorch's wording where it has one) of anything invalid or unknown.
// Every value is checked for its kind before the optimizer's own checks run, so that those can
// rely on numbers being finite numbers: null (PyTorch's None) is taken only where PyTorch takes it.

export type OptionValue = number | boolean | string | null | readonly (number | null)[];
export type OptionRecord = { [key: string]: OptionValue };

/**
 * The values an option takes. Most are read off the default value (a number, a boolean, a string,
 * or an array of that length whose null positions may be null, e.g. Adafactor's eps `[null, 1e-3]`);
 * a default of null takes null, a number, a string or a boolean, and the optimizer's checks decide.
 */
export type OptionKind =
  | { type: 'number'; nullable?: boolean }
  | { type: 'boolean' }
  | { type: 'string'; nullable?: boolean }
  | { type: 'numbers'; length: number; nullableAt?: readonly number[] }
  | { type: 'any' };
export type OptionKinds = Record<string, OptionKind>;

/** Thrown for an invalid optimizer name or setting; the message says what to change. */
export class OptimizerOptionError extends Error {
  override name = 'OptimizerOptionError';
}

/** The kind of an option with this default value. */
export function kindOf(defaultValue: OptionValue): OptionKind {
  if (defaultValue === null) return { type: 'any' };
  if (Array.isArray(defaultValue)) {
    const nullableAt = defaultValue.flatMap((x, i) => (x === null ? [i] : []));
    return { type: 'numbers', length: defaultValue.length, nullableAt };
  }
  return { type: typeof defaultValue as 'number' | 'boolean' | 'string' };
}

/**
 * Merges `given` over `defaults`, refusing option names the optimizer does not have (so that a
 * misspelling such as `weightdecay` fails loudly instead of silently training without decay) and
 * values of the wrong kind. `where` names the record in messages, e.g. 'SGD' or 'SGD paramGroups[1]'.
 */
export function resolveOptions<O extends OptionRecord>(
  where: string,
  defaults: O,
  given: Partial<O> | Record<string, unknown> = {},
  kinds: OptionKinds = {},
): O {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new OptimizerOptionError(`${where} options must be an object of PyTorch keyword options in camelCase, got ${describe(given)}.`);
  }
  const known = Object.keys(defaults);
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw unknownOptions(where, unknown, known);
  const merged = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    checkOptionValue(where, key, value, kinds[key] ?? kindOf(defaults[key]));
    merged[key] = value;
  }
  // Arrays are copied and frozen: a tuple such as betas changes by assigning a new one (then checked).
  for (const [key, value] of Object.entries(merged)) if (Array.isArray(value) && !Object.isFrozen(value)) merged[key] = Object.freeze(value.map(positiveZero));
  // -0 is kept as 0: the saved options (JSON) cannot tell them apart, and a restore must bring back
  // exactly the options in force (with lr = -0, ASGD's eta was -0 before a restore and 0 after).
  for (const [key, value] of Object.entries(merged)) merged[key] = positiveZero(value);
  return merged as O;
}

/** 0 for -0, anything else as it is. */
function positiveZero<T>(value: T): T {
  return (Object.is(value, -0) ? 0 : value) as T;
}

/** The error for option names an optimizer does not have, with the nearest known name as a hint. */
export function unknownOptions(where: string, unknown: string[], known: string[]): OptimizerOptionError {
  const hints = unknown.map((key) => {
    const near = closestName(key, known);
    return near ? `'${key}' (did you mean '${near}'?)` : `'${key}'`;
  });
  return new OptimizerOptionError(
    `${where} has no option ${hints.join(', ')}. Its options are: ${known.join(', ')}. ` +
      'Option names are PyTorch keyword names in camelCase (weight_decay -> weightDecay).',
  );
}

/** Throws unless `value` is of the option's kind (the optimizer's own checks come after). */
export function checkOptionValue(where: string, key: string, value: unknown, kind: OptionKind): void {
  const refuse = (expected: string) => {
    const none =
      value === null ? " (null stands for PyTorch's None, which this option does not take)" : value === undefined ? ' (leave the option out for its default)' : '';
    throw new OptimizerOptionError(`${where} option '${key}' must be ${expected}, got ${describe(value)}${none}.`);
  };
  switch (kind.type) {
    case 'any':
      if (value !== null && !['number', 'string', 'boolean'].includes(typeof value)) refuse('null, a number, a string or a boolean');
      if (typeof value === 'number' && !Number.isFinite(value)) refuse('a finite number');
      return;
    case 'number':
      if (value === null && kind.nullable) return;
      if (typeof value !== 'number') refuse(kind.nullable ? 'a number or null' : 'a number');
      if (!Number.isFinite(value)) refuse('a finite number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') refuse('a boolean (true or false)');
      return;
    case 'string':
      if (value === null && kind.nullable) return;
      if (typeof value !== 'string') refuse(kind.nullable ? 'a string or null' : 'a string');
      return;
    case 'numbers': {
      const nullableAt = kind.nullableAt ?? [];
      const expected =
        kind.length === 2 && nullableAt.length === 0
          ? 'a pair of numbers'
          : `an array of ${kind.length} numbers${nullableAt.length ? ` (null allowed at index ${nullableAt.join(', ')})` : ''}`;
      if (!Array.isArray(value)) refuse(expected);
      const items = value as unknown[];
      const bad = items.length !== kind.length || items.some((x, i) => !(typeof x === 'number' && Number.isFinite(x)) && !(x === null && nullableAt.includes(i)));
      if (bad) refuse(nullableAt.length ? `${kind.length} finite numbers or null where allowed (index ${nullableAt.join(', ')})` : `${kind.length} finite numbers`);
      return;
    }
  }
}

/** A value as a message shows it: JSON where it has one, else its type. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Throws `message` unless `condition` holds; reads like PyTorch's `if not ...: raise ValueError`. */
export function check(condition: boolean, message: string): void {
  if (!condition) throw new OptimizerOptionError(message);
}

/** PyTorch's checks that almost every optimizer repeats, written once. */
export function requireLearningRate(lr: number): void {
  check(lr >= 0, `Invalid learning rate: ${lr} (it must be >= 0)`);
}
export function requireEpsilon(eps: number): void {
  check(eps >= 0, `Invalid epsilon value: ${eps} (it must be >= 0)`);
}
export function requireWeightDecay(weightDecay: number): void {
  check(weightDecay >= 0, `Invalid weight_decay value: ${weightDecay} (it must be >= 0)`);
}
export function requireBetas(betas: readonly number[]): void {
  betas.forEach((beta, i) =>
    check(beta >= 0 && beta < 1, `Invalid beta parameter at index ${i}: ${beta} (it must be in [0, 1))`),
  );
}

export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase().replace(/_/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
