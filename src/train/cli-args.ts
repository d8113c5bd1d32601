// Command-line parsing for every program of the project (`npm run train`, `npm run sweep`, the
// benchmarks, the figures script), with yargs-parser. Flags are --name value, --name=value, or a
// bare --name (true). A program reads its own flags through a FlagReader; `npm run train` takes any
// other flag as an optimizer option (its kebab-case name is the camelCase PyTorch keyword,
// --weight-decay -> weightDecay, its value read generically: number, true/false, a comma-separated
// list of numbers, none/null, else a string) and the optimizer then refuses names and values it
// does not take; the other programs refuse any flag they do not know, naming the nearest one.
import parser from 'yargs-parser';
import { closestName, OptionValue } from '../optim/options';

/** Bad command-line input: the programs print the message and exit with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedFlags {
  /** Flag name (kebab-case, without --) to its value: the text given, or true for a bare flag. */
  flags: Map<string, string | boolean>;
}

export function kebabToCamel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToKebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const FLAG_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Parses `argv`. Flags named in `booleans` take no value (`--force`); any other flag takes the
 * next argument unless that is a flag. Refuses positional arguments, short flags, flag names that
 * are not kebab-case, and a flag given twice.
 */
export function parseFlags(argv: string[], booleans: string[] = ['help']): ParsedFlags {
  for (const token of argv) {
    if (token.startsWith('--') && token !== '--') {
      const name = token.slice(2).split('=')[0];
      if (!FLAG_NAME.test(name)) throw new UsageError(`'${token}' is not a flag name (flags are lower-case kebab-case, e.g. --weight-decay)`);
    } else if (/^-[^-]/.test(token) && !NEGATIVE_NUMBER.test(token)) {
      throw new UsageError(`'${token}' is not a flag: flags are spelt in full with two dashes, e.g. --help`);
    }
  }
  const parsed = parser.detailed(argv, {
    boolean: booleans,
    configuration: {
      'camel-case-expansion': true,
      'strip-dashed': true,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      'duplicate-arguments-array': true,
      'flatten-duplicate-arrays': false,
      'dot-notation': false,
      'short-option-groups': false,
      'greedy-arrays': false,
    },
  });
  if (parsed.error) throw new UsageError(parsed.error.message);
  const [stray] = parsed.argv._;
  if (stray !== undefined) throw new UsageError(`unexpected argument '${String(stray)}': every setting is a flag, e.g. --epochs 3`);
  const flags = new Map<string, string | boolean>();
  for (const [key, value] of Object.entries(parsed.argv)) {
    if (key === '_' || key === '$0') continue;
    const name = camelToKebab(key);
    if (Array.isArray(value)) throw new UsageError(`--${name} is given twice`);
    if (typeof value !== 'string' && typeof value !== 'boolean') throw new UsageError(`--${name}: unexpected value ${String(value)}`);
    flags.set(name, value);
  }
  return { flags };
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** An optimizer option's value from its text: number, boolean, list of numbers, null or string. */
export function optionValue(raw: string | boolean): OptionValue {
  if (typeof raw === 'boolean') return raw;
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

/** Reads flags one by one; whatever is left at the end are optimizer options, or unknown flags. */
export class FlagReader {
  private readonly used = new Set<string>();
  constructor(private readonly parsed: ParsedFlags) {}

  /** The program's own flags asked for so far. */
  get programFlags(): string[] {
    return [...this.used];
  }

  /** Whether a boolean flag is set (`--force`; `--force=false` is not). */
  has(name: string): boolean {
    this.used.add(name);
    const value = this.parsed.flags.get(name);
    return value !== undefined && value !== false && value !== 'false';
  }

  private raw(name: string): string | undefined {
    this.used.add(name);
    const value = this.parsed.flags.get(name);
    if (value === true || value === false || value === '') throw new UsageError(`--${name} needs a value`);
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

  /** A comma-separated list of distinct integers >= min. */
  integers(name: string, min: number): number[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const numbers = value.split(',').map((part) => {
      const n = Number(part);
      if (!/^[-+]?\d+$/.test(part.trim()) || n < min) throw new UsageError(`--${name} must be whole numbers >= ${min}, comma-separated; got '${value}'`);
      return n;
    });
    return distinct(name, numbers);
  }

  /** A comma-separated list of distinct names, at least one. */
  list(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const names = value.split(',').map((s) => s.trim());
    if (names.some((s) => s === '')) throw new UsageError(`--${name} needs a comma-separated list of names without empty entries; got '${value}'`);
    return distinct(name, names);
  }

  /** The flags not read so far, as optimizer options (camelCase names, typed values). */
  optimizerOptions(): Record<string, OptionValue> {
    const options: Record<string, OptionValue> = {};
    for (const [name, raw] of this.parsed.flags) {
      if (!this.used.has(name)) options[kebabToCamel(name)] = optionValue(raw);
    }
    return options;
  }

  /** Reads a flag of a set the program knows only at run time (a scheduler's options): its value as given. */
  take(name: string): string | boolean | undefined {
    this.used.add(name);
    return this.parsed.flags.get(name);
  }

  /** The flags not read so far (kebab-case names), with their values as given. */
  remaining(): Array<[string, string | boolean]> {
    return [...this.parsed.flags].filter(([name]) => !this.used.has(name));
  }

  /** The flags not read so far that were given bare (`--lr` with no value), in camelCase. */
  bareOptions(): string[] {
    return [...this.parsed.flags].filter(([name, raw]) => !this.used.has(name) && raw === true).map(([name]) => kebabToCamel(name));
  }

  /** For programs without optimizer options: refuses every flag not read so far. */
  refuseUnknown(): void {
    const unknown = [...this.parsed.flags.keys()].filter((name) => !this.used.has(name));
    if (unknown.length === 0) return;
    const hints = unknown.map((name) => {
      const near = closestName(name, this.programFlags);
      return near ? `--${name} (did you mean --${near}?)` : `--${name}`;
    });
    throw new UsageError(`unknown flag(s) ${hints.join(', ')}; the flags are ${this.programFlags.map((f) => `--${f}`).join(' ')}`);
  }
}

function distinct<T>(name: string, values: T[]): T[] {
  const repeated = values.find((value, i) => values.indexOf(value) !== i);
  if (repeated !== undefined) throw new UsageError(`--${name} lists ${String(repeated)} twice: each entry once`);
  return values;
}

/**
 * Rewrites an optimizer's complaint about camelCase option names into the flags the user typed: a
 * bare flag that needs a value says so, and a misspelt program flag is named.
 */
export function asFlagMessage(message: string, given: Record<string, OptionValue>, programFlags: string[], bare: string[] = []): string {
  const option = /option '(\w+)'/.exec(message)?.[1];
  if (option && bare.includes(option)) return `--${camelToKebab(option)} needs a value (${message})`;
  const flags = Object.keys(given).map((name) => `--${camelToKebab(name)}`);
  const hint = flags.length > 0 ? ` (optimizer options from ${flags.join(' ')})` : '';
  const nearProgramFlags = Object.keys(given)
    .map((name) => [camelToKebab(name), closestName(camelToKebab(name), programFlags)] as const)
    .filter(([, near]) => near !== undefined)
    .map(([flag, near]) => ` If --${flag} was meant as a setting of the run: did you mean --${near}?`);
  return (
    `${message}${hint}.${nearProgramFlags.join('')} Optimizer options are flags in kebab-case (weightDecay is --weight-decay); ` +
    `any other flag must be one of ${programFlags.map((f) => `--${f}`).join(' ')}.`
  );
}
