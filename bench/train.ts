// `npm run bench:train`: one epoch of the tutorial's protocol (SGD lr 0.01 momentum 0.5, batch 64,
// test batch 1000) here and, when the project's Python can import torch, the same network and
// protocol in PyTorch (bench/train_torch.py, reading the same IDX files), in the same run. Prints both
// epoch times and their ratio, peak memory, and whether tf.memory().numTensors stays flat.
//
//   npm run bench:train -- [--net seed|modern] [--epochs N] [--repeats R] [--limit N]
//                          [--kernels auto|native|portable] [--python PATH] [--threads N]
//                          [--profile] [--json FILE]
// --repeats alternates ours and PyTorch's R times and reports medians with min-max (the machine may
// be busy). --python (or FUN_OPTIM_PYTHON) picks the interpreter; default .venv/bin/python, then
// python3. --threads N gives both sides N threads (TensorFlow's intra- and inter-op pools,
// torch.set_num_threads and set_num_interop_threads); default: each side's own choice, one per core.
// On a machine busy with other work PyTorch's OpenMP threads can wait on each other for many times
// the epoch; one thread each shows the speed without that.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { requireNativeBackend, useBackend } from '../src/backend';
import { datasetFiles, datasetSpec, loadDataset } from '../src/data/datasets';
import { FlagReader, parseFlags, UsageError } from '../src/train/cli-args';
import { configFor } from '../src/train/config';
import { netNames } from '../src/train/network';
import { kernelChoices } from '../src/train/program';
import { Trainer } from '../src/train/trainer';
import { cpuDescription, findTorchPython, loadLine, median, setOurThreads, spread } from './machine';

interface EpochTiming {
  train_seconds: number;
  test_seconds: number;
  test_loss: number;
  test_acc: number;
  train_loss: number;
}

interface TorchResult {
  torch: string;
  threads: number;
  interop_threads: number;
  epochs: EpochTiming[];
  peak_rss_mb: number;
}

/** Times every TensorFlow op the backend runs, by name (tfjs-node only). */
function installOpProfiler(): () => string {
  const proto = Object.getPrototypeOf(tf.backend()) as Record<string, unknown>;
  const stats = new Map<string, { calls: number; ms: number }>();
  for (const key of ['executeSingleOutput', 'executeMultipleOutputs']) {
    const original = proto[key] as (...args: unknown[]) => unknown;
    proto[key] = function (this: unknown, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        // Keyed by op and the shape of its first input: conv1 and conv2 apart.
        const first = (args[2] as tf.Tensor[])[0];
        const key = `${args[0] as string} [${first?.shape ?? ''}]`;
        const entry = stats.get(key) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += performance.now() - started;
        stats.set(key, entry);
      }
    };
  }
  return () => {
    const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((sum, [, s]) => sum + s.ms, 0);
    const calls = rows.reduce((sum, [, s]) => sum + s.calls, 0);
    stats.clear();
    return [
      `  ${calls} TensorFlow ops, ${(total / 1000).toFixed(2)} s inside them:`,
      ...rows.slice(0, 24).map(([name, s]) => `  ${name.padEnd(56)} ${String(s.calls).padStart(7)} calls ${(s.ms / 1000).toFixed(3).padStart(8)} s ${((1000 * s.ms) / s.calls).toFixed(1).padStart(8)} us/call`),
    ].join('\n');
  };
}

async function main(argv: string[]): Promise<void> {
  const reader = new FlagReader(parseFlags(argv, ['profile']));
  const net = reader.choice('net', netNames) ?? 'seed';
  const epochs = reader.integer('epochs', 1) ?? 1;
  const repeats = reader.integer('repeats', 1) ?? 1;
  const limit = reader.integer('limit', 1);
  const kernels = reader.choice('kernels', kernelChoices) ?? 'auto';
  const pythonFlag = reader.string('python');
  const threads = reader.integer('threads', 1);
  const profile = reader.has('profile');
  const jsonOut = reader.string('json');
  reader.refuseUnknown();

  const ourThreads = setOurThreads(threads);
  const report = kernels === 'portable' ? await useBackend('auto') : await requireNativeBackend();
  const spec = datasetSpec('mnist');
  const files = datasetFiles(spec);
  const dataset = loadDataset('mnist', { limit });
  const python = findTorchPython(pythonFlag);
  const config = configFor({ optimizer: 'sgd', net, epochs, limit: limit ?? null });
  console.log(`CPU: ${cpuDescription()}; ${loadLine()}`);
  console.log(`ours: ${ourThreads}; TensorFlow's CPU allocator: ${process.env.TF_CPU_ALLOCATOR_USE_BFC === 'true' ? 'BFC' : 'default'}`);
  console.log(
    `bench: ${net} net, ${dataset.train.count} training images, SGD lr 0.01 momentum 0.5, batch 64, ${epochs} epoch(s) x ${repeats} repeat(s); ` +
      `ours on ${report.name}, PyTorch ${python ? `via ${python}` : 'not available (no python that imports torch: pass --python or set FUN_OPTIM_PYTHON)'}`,
  );
  const profileReport = profile && report.name !== 'cpu' ? installOpProfiler() : undefined;

  const ours: EpochTiming[] = [];
  const theirs: EpochTiming[] = [];
  const tensorCounts: number[] = [];
  let torchInfo = '';
  let torchPeak = 0;
  for (let r = 0; r < repeats; r++) {
    const trainer = new Trainer(config, kernels, dataset);
    if (r === 0) console.log(`ours: ${trainer.program.kind} kernels, ${trainer.parameters.size} parameters (${config.parameter_layout} layout)`);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const { trainLoss, seconds } = trainer.trainEpoch(epoch);
      const started = performance.now();
      const { testLoss, testAcc } = trainer.evaluate();
      const timing = { train_seconds: seconds, test_seconds: (performance.now() - started) / 1000, test_loss: testLoss, test_acc: testAcc, train_loss: trainLoss };
      ours.push(timing);
      tensorCounts.push(tf.memory().numTensors);
      console.log(`  ours    epoch ${epoch}: ${seconds.toFixed(2)} s training, ${timing.test_seconds.toFixed(2)} s test; test loss ${testLoss.toFixed(4)}, accuracy ${(100 * testAcc).toFixed(2)}%; ${tf.memory().numTensors} tensors`);
    }
    trainer.dispose();
    if (profileReport && r === 0) console.log(profileReport());
    if (python) {
      const output = execFileSync(
        python,
        [
          'bench/train_torch.py',
          ...['--train-images', files.train.images, '--train-labels', files.train.labels],
          ...['--test-images', files.test.images, '--test-labels', files.test.labels],
          ...['--mean', String(spec.mean), '--std', String(spec.std), '--net', net, '--epochs', String(epochs)],
          ...(limit ? ['--limit', String(limit)] : []),
          ...['--seed', String(r + 1)],
          ...(threads ? ['--threads', String(threads)] : []),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const result = JSON.parse(output.trim().split('\n').pop()!) as TorchResult;
      torchInfo = `torch ${result.torch}, ${result.threads} intra-op / ${result.interop_threads} inter-op threads`;
      torchPeak = Math.max(torchPeak, result.peak_rss_mb);
      for (const e of result.epochs) {
        theirs.push(e);
        console.log(`  PyTorch epoch ${theirs.length}: ${e.train_seconds.toFixed(2)} s training, ${e.test_seconds.toFixed(2)} s test; test loss ${e.test_loss.toFixed(4)}, accuracy ${(100 * e.test_acc).toFixed(2)}%`);
      }
    }
  }

  const peakRss = process.resourceUsage().maxRSS / 1024;
  const seconds = (runs: EpochTiming[]) => runs.map((e) => e.train_seconds);
  const oursMedian = median(seconds(ours));
  const oursBest = Math.min(...seconds(ours));
  console.log(`\nours:    median (min-max) ${spread(seconds(ours))} s per training epoch (${seconds(ours).map((x) => x.toFixed(2)).join(', ')}), test pass ${median(ours.map((e) => e.test_seconds)).toFixed(2)} s`);
  console.log(`         peak RSS ${peakRss.toFixed(0)} MB; tf.memory().numTensors after each epoch: ${tensorCounts.join(', ')} (${new Set(tensorCounts.slice(1)).size <= 1 ? 'flat' : 'GROWING'})`);
  const summary: Record<string, unknown> = { cpu: cpuDescription(), ourThreads, net, images: dataset.train.count, epochs, repeats, backend: report.name, ours, tensorCounts, peakRssMb: peakRss };
  if (theirs.length > 0) {
    const theirsMedian = median(seconds(theirs));
    const theirsBest = Math.min(...seconds(theirs));
    console.log(`PyTorch: median (min-max) ${spread(seconds(theirs))} s per training epoch (${seconds(theirs).map((x) => x.toFixed(2)).join(', ')}), test pass ${median(theirs.map((e) => e.test_seconds)).toFixed(2)} s; ${torchInfo}; peak RSS ${torchPeak.toFixed(0)} MB`);
    // Best-of-R is the least disturbed by other load on the machine; both are printed.
    console.log(`ratio:   ${(oursMedian / theirsMedian).toFixed(2)}x PyTorch's training time, median against median (best against best: ${(oursBest / theirsBest).toFixed(2)}x; below 1 is faster)`);
    console.log(`         peak RSS ${(peakRss / torchPeak).toFixed(2)}x PyTorch's`);
    Object.assign(summary, { torch: theirs, torchInfo, torchPeakRssMb: torchPeak, ratioBest: oursBest / theirsBest, ratioMedian: oursMedian / theirsMedian });
  }
  if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify(summary, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
