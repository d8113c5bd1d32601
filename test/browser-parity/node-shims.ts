// Just enough of node:fs, node:path, node:url and node:module for ../shared/parity/check.mjs to run
// unchanged in a browser (test/package-browser.test.ts bundles it with these in their place). Files
// are what the page provided; paths stay as given, so the checker's library entry is a URL beside it.
import * as tf from '@tensorflow/tfjs';

const files = new Map<string, string>();

export function provideFile(name: string, text: string): void {
  files.set(name, text);
}

export function readFileSync(name: string): string {
  const text = files.get(name);
  if (text === undefined) throw new Error(`${name} was not provided to the page`);
  return text;
}

export const existsSync = (name: string): boolean => files.has(name);
export const resolve = (...parts: string[]): string => parts[parts.length - 1];
export const dirname = (name: string): string => name.slice(0, name.lastIndexOf('/') + 1) || '.';
export const relative = (_from: string, to: string): string => to;
export const pathToFileURL = (name: string): { href: string } => ({ href: name });

/** The checker asks for tfjs-node first, then @tensorflow/tfjs: the page has the latter. */
export const createRequire = () => (name: string) => {
  if (name === '@tensorflow/tfjs') return tf;
  throw new Error(`Cannot find module '${name}' in the browser`);
};
