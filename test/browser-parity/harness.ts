// Runs ../shared/parity/check.mjs in the page on a tfjs backend, against the package's ESM build.
// test/package-browser.test.ts bundles the three (./harness.js, ./check.js, ./optim.js) so that they
// share one tfjs, calls window.runParity through Playwright and reads the checker's own report.
import * as tf from '@tensorflow/tfjs';
import { provideFile } from './node-shims';

export interface ParityReport {
  backend: string;
  lines: string[];
  exitCode: number | undefined;
}

/** A URL, not a module name: the checker is its own entry of the bundle, evaluated on import. */
const checkerUrl = './check.js';

export async function runParity(goldenFiles: string[], backend: string): Promise<ParityReport> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend '${backend}' is not available in this browser`);
  await tf.ready();
  for (const name of goldenFiles) {
    const response = await fetch(`golden/${name}`);
    if (!response.ok) throw new Error(`golden/${name}: HTTP ${response.status}`);
    provideFile(name, await response.text());
  }
  const lines: string[] = [];
  let exitCode: number | undefined;
  const log = console.log;
  const scope = globalThis as { process?: unknown };
  // What the checker reads of Node's process; no `versions`, so tfjs still sees a browser.
  scope.process = {
    argv: ['node', 'check.mjs', ...goldenFiles, '--verbose'],
    env: { PARITY_ENTRY: './optim.js' },
    cwd: () => '.',
    exit: (code: number) => void (exitCode ??= code),
  };
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await import(checkerUrl);
  } finally {
    console.log = log;
    delete scope.process;
  }
  return { backend: tf.getBackend(), lines, exitCode };
}
