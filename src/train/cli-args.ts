// Command-line parsing shared by `npm run train` and `npm run sweep`. Flags are --name value,
// --name=value, or a bare --name (true). Any flag that is not one of the program's own is an optimizer
// option: its kebab-case name is the camelCase PyTorch keyword (--weight-decay -> weightDecay) and
// its value is read generically (number, true/false, a comma-separated list of numbers, none/null,
// else a string); the optimizer itself then refuses names and values it does not take.
import type { OptionValue } from '../optim/options';

/** Bad command-line input: the programs print the message and exit with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedFlags {
  /** Flag name (without --) to raw value; bare flags have the value true. */
  flags: Map<string, string | true>;
}

export function parseFlags(argv: string[]): ParsedFlags {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--') || token === '--') {
      throw new UsageError(`unexpected argument '${token}': every setting is a flag, e.g. --epochs 3`);
    }
    const eq = token.indexOf('=');
    const name = eq > 0 ? token.slice(2, eq) : token.slice(2);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new UsageError(`'${token}' is not a flag name (flags are lower-case kebab-case, e.g. --weight-decay)`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (eq > 0) flags.set(name, token.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(name, argv[++i]);
    else flags.set(name, true);
  }
  return { flags };
}

export function kebabToCamel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToKebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** An optimizer option's value from its text: number, boolean, list of numbers, null or string. */
export function optionValue(raw: string | true): OptionValue {
  if (raw === true) return true;
  const text = raw.trim();
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'none' || text === 'null' || text === 'None') return null;
  if (NUMBER.test(text)) return Number(text);
  if (text.includes(',')) {
    const parts = text.split(',').map((part) => part.trim());
    if (parts.every((part) => NUMBER.test(part))) return parts.map(Number);
  }
  return text;
}

/** Reads flags one by one; whatever is left at the end are optimizer options. */
export class FlagReader {
  private readonly used = new Set<string>();
  constructor(private readonly parsed: ParsedFlags) {}

  /** The program's own flags asked for so far. */
  get programFlags(): string[] {
    return [...this.used];
  }

  has(name: string): boolean {
    this.used.add(name);
    return this.parsed.flags.has(name);
  }

  private raw(name: string): string | undefined {
    this.used.add(name);
    const value = this.parsed.flags.get(name);
    if (value === true) throw new UsageError(`--${name} needs a value`);
    return value;
  }

  string(name: string): string | undefined {
    return this.raw(name);
  }

  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!choices.includes(value as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got '${value}'`);
    return value as T;
  }

  /** An integer >= min. */
  integer(name: string, min: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^[-+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a whole number; got '${value}'`);
    if (n < min) throw new UsageError(`--${name} must be at least ${min}; got ${n}`);
    return n;
  }

  /** A comma-separated list of integers >= min. */
  integers(name: string, min: number): number[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    return value.split(',').map((part) => {
      const n = Number(part);
      if (!/^[-+]?\d+$/.test(part.trim()) || n < min) throw new UsageError(`--${name} must be whole numbers >= ${min}, comma-separated; got '${value}'`);
      return n;
    });
  }

  /** A comma-separated list of names. */
  list(name: string): string[] | undefined {
    const value = this.raw(name);
    return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** The flags not read so far, as optimizer options (camelCase names, typed values). */
  optimizerOptions(): Record<string, OptionValue> {
    const options: Record<string, OptionValue> = {};
    for (const [name, raw] of this.parsed.flags) {
      if (!this.used.has(name)) options[kebabToCamel(name)] = optionValue(raw);
    }
    return options;
  }
}

/** Rewrites an optimizer's complaint about camelCase option names into the flags the user typed. */
export function asFlagMessage(message: string, given: Record<string, OptionValue>, programFlags: string[]): string {
  const flags = Object.keys(given).map((name) => `--${camelToKebab(name)}`);
  const hint = flags.length > 0 ? ` (optimizer options from ${flags.join(' ')})` : '';
  return (
    `${message}${hint}. Optimizer options are flags in kebab-case (weightDecay is --weight-decay); ` +
    `any other flag must be one of ${programFlags.map((f) => `--${f}`).join(' ')}.`
  );
}
