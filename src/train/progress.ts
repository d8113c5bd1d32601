// Progress of a run: a one-line bar with loss, examples/s and ETA on a terminal, plain lines
// otherwise (logs, pipes, CI), where a redrawn line would be noise.
import type { EpochProgress } from './trainer';
import type { EpochResult } from '../results';

export interface ProgressReporter {
  progress(p: EpochProgress, epochs: number): void;
  epochDone(result: EpochResult, epochs: number): void;
  line(text: string): void;
}

/** Plain lines during an epoch are printed at most this often (seconds). */
const PLAIN_INTERVAL = 15;
const BAR_WIDTH = 24;

export function createProgressReporter(stream: NodeJS.WriteStream = process.stdout): ProgressReporter {
  return stream.isTTY ? new BarReporter(stream) : new PlainReporter(stream);
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function describe(p: EpochProgress): { rate: number; eta: number } {
  const rate = p.examples / Math.max(p.seconds, 1e-9);
  return { rate, eta: (p.totalExamples - p.examples) / rate };
}

export function formatEpoch(result: EpochResult, epochs: number): string {
  return (
    `epoch ${result.epoch}/${epochs}: train loss ${result.train_loss.toFixed(4)}, test loss ${result.test_loss.toFixed(4)}, ` +
    `test accuracy ${(100 * result.test_acc).toFixed(2)}% (${result.train_seconds.toFixed(1)} s training` +
    `${result.lr !== undefined ? `, lr ${Number(result.lr.toPrecision(3))}` : ''})`
  );
}

class BarReporter implements ProgressReporter {
  private drawn = false;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  progress(p: EpochProgress, epochs: number): void {
    const { rate, eta } = describe(p);
    const fraction = p.examples / p.totalExamples;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
    const text =
      `epoch ${p.epoch}/${epochs} [${bar}] ${String(Math.floor(100 * fraction)).padStart(3)}% ` +
      `loss ${p.loss.toFixed(4)}  ${Math.round(rate)} ex/s  ETA ${formatSeconds(eta)}`;
    const width = this.stream.columns && this.stream.columns > 20 ? this.stream.columns - 1 : 100;
    this.stream.write(`\r${text.slice(0, width)}\x1b[K`);
    this.drawn = true;
  }

  epochDone(result: EpochResult, epochs: number): void {
    this.line(formatEpoch(result, epochs));
  }

  line(text: string): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
    this.stream.write(`${text}\n`);
  }
}

class PlainReporter implements ProgressReporter {
  private lastPrinted = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}

  progress(p: EpochProgress, epochs: number): void {
    if (p.seconds - this.lastPrinted < PLAIN_INTERVAL || p.examples === p.totalExamples) return;
    this.lastPrinted = p.seconds;
    const { rate, eta } = describe(p);
    this.line(`epoch ${p.epoch}/${epochs}: ${p.examples}/${p.totalExamples} examples, loss ${p.loss.toFixed(4)}, ${Math.round(rate)} ex/s, ETA ${formatSeconds(eta)}`);
  }

  epochDone(result: EpochResult, epochs: number): void {
    this.lastPrinted = 0;
    this.line(formatEpoch(result, epochs));
  }

  line(text: string): void {
    this.stream.write(`${text}\n`);
  }
}
