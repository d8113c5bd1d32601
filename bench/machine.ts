// What every benchmark prints and shares: the CPU, the thread settings of both sides, medians with
// their spread, and the Python that can import torch (PyTorch is a reference, never a dependency).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** "median (min-max)" with `digits` decimals. */
export function spread(values: number[], digits = 2): string {
  if (values.length === 0) return '-';
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

/** The CPU model and the vector extensions that change float32 speed (and last bits). */
export function cpuDescription(): string {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  let flags = '';
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? model;
    const present = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
    flags = ['avx2', 'fma', 'avx512f'].filter((f) => present.has(f)).join(', ');
  } catch {
    // Not Linux: the model from os.cpus() is what there is.
  }
  return `${model}, ${os.cpus().length} cores${flags ? ` (${flags})` : ''}`;
}

/**
 * Our side's threads: libtensorflow reads TF_NUM_INTRAOP_THREADS and TF_NUM_INTEROP_THREADS when it
 * makes its thread pools, so this must run before the addon loads. Returns the setting in words.
 */
export function setOurThreads(threads: number | undefined): string {
  if (threads) {
    process.env.TF_NUM_INTRAOP_THREADS = String(threads);
    process.env.TF_NUM_INTEROP_THREADS = String(threads);
  }
  const intra = process.env.TF_NUM_INTRAOP_THREADS;
  return intra ? `${intra} TensorFlow intra-op thread(s), ${process.env.TF_NUM_INTEROP_THREADS ?? 'default'} inter-op` : `TensorFlow's default threads (one per core, ${os.cpus().length})`;
}

/** A Python that imports torch: --python, $FUN_OPTIM_PYTHON, .venv/bin/python, python3; else undefined. */
export function findTorchPython(given?: string): string | undefined {
  const candidates = [given, process.env.FUN_OPTIM_PYTHON, '.venv/bin/python', 'python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
    if (python === given || python === process.env.FUN_OPTIM_PYTHON) {
      console.log(`note: ${python} cannot import torch (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()})`);
    }
  }
  return undefined;
}

export function loadLine(): string {
  return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (other work on the machine slows both sides)`;
}
