// Chooses the TensorFlow.js backend once, and says which one runs: 'tensorflow-gpu' when
// @tensorflow/tfjs-node-gpu is installed and sees a CUDA device, 'tensorflow' (libtensorflow through
// @tensorflow/tfjs-node) otherwise, and the pure-JS 'cpu' backend, with a warning, when the native
// addon cannot be loaded.
import * as tf from '@tensorflow/tfjs-core';

// libtensorflow logs every start-up at INFO; keep the console for our own messages unless asked.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
// TensorFlow's default CPU allocator hands every large tensor to malloc, and glibc maps each one
// over 32 MB fresh from the kernel: an optimizer step over a 38 MB weight then pays a page fault per
// 4 KB, for every temporary, every step (bench/optim.ts: Adam 226.6 ms with it, 55.0 ms without, on
// a 2-core AMD EPYC). The BFC allocator keeps freed buffers for reuse. Read when libtensorflow makes
// its first allocator, so it must be set before the addon loads; FUN_OPTIM_BFC=0 (or setting
// TF_CPU_ALLOCATOR_USE_BFC yourself) keeps TensorFlow's default, to compare.
process.env.TF_CPU_ALLOCATOR_USE_BFC ??= process.env.FUN_OPTIM_BFC === '0' ? 'false' : 'true';

export type BackendChoice = 'auto' | 'tensorflow' | 'tensorflow-gpu' | 'cpu';
export const backendChoices: BackendChoice[] = ['auto', 'tensorflow', 'tensorflow-gpu', 'cpu'];

export interface BackendReport {
  /** tf.getBackend() after the choice: 'tensorflow' for both native packages, or 'cpu'. */
  backend: string;
  /** What actually runs: 'tensorflow-gpu', 'tensorflow' or 'cpu'. */
  name: 'tensorflow-gpu' | 'tensorflow' | 'cpu';
  /** Why this one, in a sentence (shown to users). */
  reason: string;
}

let chosen: BackendReport | undefined;

/** The pure-JS backend through the @tensorflow/tfjs bundle, which also registers every gradient. */
function loadPureJs(): void {
  require('@tensorflow/tfjs');
}

const SETUP_HINT = 'Run `npm run setup` (it builds the native addon; see README, "Native TensorFlow").';

function tryRequire(name: string): { ok: true } | { ok: false; error: string } {
  try {
    require(name);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

function hasCudaDevice(): boolean {
  // The GPU package registers its devices with TensorFlow; without one it still loads but runs on CPU.
  try {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    return execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('GPU');
  } catch {
    return false;
  }
}

/**
 * Picks the backend (once per process) and returns what was chosen. `auto` prefers the GPU package
 * with a CUDA device, then the native CPU package, then pure JS with a printed warning. Naming a
 * backend that cannot run throws an error that says what to install.
 */
export async function useBackend(choice: BackendChoice = 'auto', quiet = false): Promise<BackendReport> {
  if (chosen) return chosen;
  const gpu = choice === 'auto' || choice === 'tensorflow-gpu' ? tryRequire('@tensorflow/tfjs-node-gpu') : undefined;
  if (gpu?.ok && hasCudaDevice()) {
    chosen = { backend: 'tensorflow', name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu with a CUDA device' };
  } else if (choice === 'tensorflow-gpu') {
    throw new Error(
      gpu?.ok
        ? '--backend tensorflow-gpu: @tensorflow/tfjs-node-gpu is installed but no CUDA device is visible (nvidia-smi -L lists none).'
        : `--backend tensorflow-gpu needs @tensorflow/tfjs-node-gpu and a CUDA device: \`npm install @tensorflow/tfjs-node-gpu@4.22.0\` on a machine with CUDA 11.2 and cuDNN 8.1 (${gpu?.error ?? 'not installed'}).`,
    );
  } else if (choice !== 'cpu') {
    const native = tryRequire('@tensorflow/tfjs-node');
    if (native.ok) {
      chosen = { backend: 'tensorflow', name: 'tensorflow', reason: 'libtensorflow through @tensorflow/tfjs-node' };
    } else if (choice === 'tensorflow') {
      throw new Error(`The native tensorflow backend is not available: ${native.error}. ${SETUP_HINT}`);
    } else {
      loadPureJs();
      chosen = { backend: 'cpu', name: 'cpu', reason: `native addon unavailable (${native.error})` };
      if (!quiet) {
        console.warn(
          `warning: running on the pure-JS cpu backend, many times slower than native TensorFlow: ${chosen.reason}. ${SETUP_HINT}`,
        );
      }
    }
  } else {
    loadPureJs();
    chosen = { backend: 'cpu', name: 'cpu', reason: 'asked for the pure-JS cpu backend' };
  }
  await tf.setBackend(chosen.backend);
  await tf.ready();
  return chosen;
}

/** For tests and benchmarks: the native backend or a loud failure, never a silent fallback. */
export async function requireNativeBackend(): Promise<BackendReport> {
  const report = await useBackend('auto', true);
  if (report.name === 'cpu') {
    throw new Error(`Tests need the native tensorflow backend, but ${report.reason}. ${SETUP_HINT}`);
  }
  return report;
}
