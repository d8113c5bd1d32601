// Option handling shared by every optimizer: PyTorch's keyword names in camelCase, PyTorch's
// defaults, and refusal (with PyTorch's wording where it has one) of anything invalid or unknown.

export type OptionValue = number | boolean | string | null | readonly number[];
export type OptionRecord = { [key: string]: OptionValue };

/** Thrown for an invalid optimizer name or setting; the message says what to change. */
export class OptimizerOptionError extends Error {
  override name = 'OptimizerOptionError';
}

/**
 * Merges `given` over `defaults`, refusing option names the optimizer does not have, so that a
 * misspelling such as `weightdecay` fails loudly instead of silently training without decay.
 */
export function resolveOptions<O extends OptionRecord>(
  optimizerName: string,
  defaults: O,
  given: Partial<O> | Record<string, unknown> = {},
): O {
  const known = Object.keys(defaults);
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const hints = unknown.map((key) => {
      const near = closestName(key, known);
      return near ? `'${key}' (did you mean '${near}'?)` : `'${key}'`;
    });
    throw new OptimizerOptionError(
      `${optimizerName} has no option ${hints.join(', ')}. Its options are: ${known.join(', ')}. ` +
        'Option names are PyTorch keyword names in camelCase (weight_decay -> weightDecay).',
    );
  }
  const merged = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined) merged[key] = value;
  }
  for (const key of known) checkType(optimizerName, key, merged[key], defaults[key]);
  return merged as O;
}

function checkType(optimizerName: string, key: string, value: unknown, fallback: OptionValue): void {
  const expected = Array.isArray(fallback) ? 'array' : fallback === null ? 'any' : typeof fallback;
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (expected === 'any' || value === null) return;
  if (expected !== actual) {
    throw new OptimizerOptionError(
      `${optimizerName} option '${key}' must be a ${expected === 'array' ? 'pair of numbers' : expected}, got ${JSON.stringify(value)}.`,
    );
  }
  if (expected === 'number' && !Number.isFinite(value as number)) {
    throw new OptimizerOptionError(`${optimizerName} option '${key}' must be a finite number, got ${String(value)}.`);
  }
  if (expected === 'array') {
    const pair = value as unknown[];
    if (pair.length !== (fallback as readonly number[]).length || pair.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new OptimizerOptionError(
        `${optimizerName} option '${key}' must be ${(fallback as readonly number[]).length} finite numbers, got ${JSON.stringify(value)}.`,
      );
    }
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
