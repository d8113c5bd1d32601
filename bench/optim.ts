// One optimizer step on about 10M float32 parameters shaped like a CNN's (conv kernels, one big
// dense kernel, biases), for every per-parameter optimizer of src/optim, beside tf.train's own
// optimizer where tfjs has one, set up as close to PyTorch's semantics as tf.train allows.
//   npx tsx bench/optim.ts [--steps N] [--warmup N] [--only name,name]
// Prints the median ms per step (ours, tf.train, ratio) and the MB of tensors one step allocates,
// which is what the time mostly pays for (page faults on fresh buffers) and does not depend on the
// machine's load. Ours and tf.train's steps alternate, so that load from other processes falls on
// both alike.
import * as tf from '@tensorflow/tfjs-core';
import { FlagReader, parseFlags, UsageError } from '../src/train/cli-args';
import { requireNativeBackend } from '../src/backend';
import { createMuonWithAdamW, createOptimizer, OptimizerName } from '../src/optim';

/** A small CNN's parameters with one dominant dense kernel: 9.8M floats in all. */
const SHAPES: Record<string, number[]> = {
  conv1Kernel: [5, 5, 3, 64],
  conv1Bias: [64],
  conv2Kernel: [3, 3, 64, 128],
  conv2Bias: [128],
  conv3Kernel: [3, 3, 128, 256],
  conv3Bias: [256],
  dense1Kernel: [4096, 2304],
  dense1Bias: [2304],
  dense2Kernel: [2304, 10],
  dense2Bias: [10],
};

interface Contender {
  name: string;
  /** Ours by name and options, or made by a function (an optimizer outside createOptimizer). */
  ours: [OptimizerName, Record<string, unknown>] | (() => tf.Optimizer);
  /** tf.train's counterpart, configured as near to ours as it allows. */
  reference?: () => tf.Optimizer;
  /** What still differs between the two (it does not change the work per step much). */
  differs?: string;
}

const CONTENDERS: Contender[] = [
  { name: 'sgd', ours: ['sgd', { lr: 0.01 }], reference: () => tf.train.sgd(0.01) },
  {
    name: 'momentum',
    ours: ['sgd', { lr: 0.01, momentum: 0.9 }],
    reference: () => tf.train.momentum(0.01, 0.9),
  },
  {
    name: 'adagrad',
    ours: ['adagrad', { lr: 0.01, initialAccumulatorValue: 0.1 }],
    reference: () => tf.train.adagrad(0.01, 0.1),
    differs: 'tf.train.adagrad adds its eps (1e-7) inside the sqrt; ours adds 1e-10 after it. Both start the sum at 0.1 here (PyTorch: 0).',
  },
  {
    name: 'adadelta',
    ours: ['adadelta', { lr: 1, rho: 0.9, eps: 1e-6 }],
    reference: () => tf.train.adadelta(1, 0.9, 1e-6),
    differs: "tf.train's defaults (lr 0.001, rho 0.95) set to PyTorch's; same formula.",
  },
  {
    name: 'rmsprop',
    ours: ['rmsprop', { lr: 0.01, alpha: 0.99, eps: 1e-8 }],
    reference: () => tf.train.rmsprop(0.01, 0.99, 0, 1e-8, false),
    differs: 'tf.train.rmsprop adds eps inside the sqrt, PyTorch after it.',
  },
  {
    name: 'adam',
    ours: ['adam', { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 }],
    reference: () => tf.train.adam(1e-3, 0.9, 0.999, 1e-8),
    differs: 'Same formula; tf.train bias-corrects m and v separately (one more full-size division).',
  },
  {
    name: 'adamax',
    ours: ['adamax', { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8 }],
    reference: () => tf.train.adamax(2e-3, 0.9, 0.999, 1e-8),
    differs: 'tf.train.adamax adds eps to the denominator, PyTorch to |g| inside the max.',
  },
  { name: 'adamw', ours: ['adamw', {}] },
  { name: 'amsgrad', ours: ['adam', { amsgrad: true }] },
  { name: 'nadam', ours: ['nadam', {}] },
  { name: 'radam', ours: ['radam', {}] },
  { name: 'sparseadam', ours: ['sparseadam', {}] },
  { name: 'asgd', ours: ['asgd', {}] },
  { name: 'rprop', ours: ['rprop', {}] },
  { name: 'adafactor', ours: ['adafactor', {}] },
  // Muon takes only the 2-D kernels (Newton-Schulz: matrix products on 4096 x 2304), AdamW the rest.
  { name: 'muon+adamw', ours: () => createMuonWithAdamW() },
];

let serial = 0;

/** A fresh set of variables with the same seeded initial values every time. */
function makeVariables(): tf.Variable[] {
  const tag = serial++;
  return Object.entries(SHAPES).map(([name, shape], i) =>
    tf.tidy(() => tf.variable(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 100 + i), 0.05), true, `bench${tag}_${name}`)),
  );
}

function gradientsFor(variables: tf.Variable[], grads: tf.Tensor[]): tf.NamedTensorMap {
  return Object.fromEntries(variables.map((v, i) => [v.name, grads[i]]));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The MB of tensors one step allocates. Each full-size temporary is a fresh allocation whose pages
 * the OS must fault in and zero, so this predicts the time well, whatever else the machine runs.
 */
async function allocatedMB(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): Promise<number> {
  const info = await tf.profile(() => optimizer.applyGradients(grads));
  return info.kernels.reduce((sum, k) => sum + Math.max(0, k.bytesAdded), 0) / 2 ** 20;
}

interface StepTime {
  /** Wall-clock ms (tfjs-node runs each op to completion before returning). */
  wall: number;
  /** CPU ms of this process, all of TensorFlow's threads and the kernel's page faults included. */
  cpu: number;
}

function timeStep(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): StepTime {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  optimizer.applyGradients(grads);
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function main(argv: string[]): Promise<void> {
  const reader = new FlagReader(parseFlags(argv));
  const steps = reader.integer('steps', 1) ?? 10;
  const warmup = reader.integer('warmup', 0) ?? 3;
  const only = reader.list('only');
  reader.refuseUnknown();
  const unknown = only?.filter((name) => !CONTENDERS.some((c) => c.name === name));
  if (unknown?.length) throw new UsageError(`--only: unknown ${unknown.join(', ')}; choose from ${CONTENDERS.map((c) => c.name).join(', ')}`);
  const backend = await requireNativeBackend();
  const contenders = CONTENDERS.filter((c) => !only || only.includes(c.name));
  const total = Object.values(SHAPES).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
  console.log(`backend: ${backend.name}; ${(total / 1e6).toFixed(2)}M float32 parameters in ${Object.keys(SHAPES).length} tensors`);
  console.log(`median of ${steps} steps after ${warmup} warm-up steps; ours and tf.train alternate`);
  console.log('ms: wall clock; cpu ms: CPU time of all threads (less sensitive to other load); MB: tensors allocated per step\n');

  // Gradients of a plausible size, the same every step (the work per step does not depend on them).
  const grads = Object.values(SHAPES).map((shape, i) => tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 7 + i), 1e-2)));
  const rows: string[][] = [['optimizer', 'ours ms', 'tf.train ms', 'ratio', 'ours cpu ms', 'tf cpu ms', 'cpu ratio', 'ours MB', 'tf MB']];
  const notes: string[] = [];
  for (const contender of contenders) {
    const oursVariables = makeVariables();
    const ours = typeof contender.ours === 'function' ? contender.ours() : createOptimizer(contender.ours[0], contender.ours[1]);
    const oursGrads = gradientsFor(oursVariables, grads);
    const referenceVariables = contender.reference ? makeVariables() : [];
    const reference = contender.reference?.();
    const referenceGrads = gradientsFor(referenceVariables, grads);

    const oursTimes: StepTime[] = [];
    const referenceTimes: StepTime[] = [];
    for (let i = 0; i < warmup + steps; i++) {
      const oursTime = timeStep(ours, oursGrads);
      const referenceTime = reference ? timeStep(reference, referenceGrads) : undefined;
      if (i >= warmup) {
        oursTimes.push(oursTime);
        if (referenceTime) referenceTimes.push(referenceTime);
      }
    }
    const oursMedian = median(oursTimes.map((t) => t.wall));
    const referenceMedian = reference ? median(referenceTimes.map((t) => t.wall)) : NaN;
    const oursCpu = median(oursTimes.map((t) => t.cpu));
    const referenceCpu = reference ? median(referenceTimes.map((t) => t.cpu)) : NaN;
    const oursMB = await allocatedMB(ours, oursGrads);
    const referenceMB = reference ? await allocatedMB(reference, referenceGrads) : NaN;
    rows.push([
      contender.name,
      oursMedian.toFixed(1),
      reference ? referenceMedian.toFixed(1) : '-',
      reference ? (oursMedian / referenceMedian).toFixed(2) : '-',
      oursCpu.toFixed(0),
      reference ? referenceCpu.toFixed(0) : '-',
      reference ? (oursCpu / referenceCpu).toFixed(2) : '-',
      oursMB.toFixed(0),
      reference ? referenceMB.toFixed(0) : '-',
    ]);
    if (contender.differs) notes.push(`${contender.name}: ${contender.differs}`);
    ours.dispose();
    reference?.dispose();
    tf.dispose([...oursVariables, ...referenceVariables]);
  }
  tf.dispose(grads);

  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  if (notes.length > 0) console.log(`\nDifferences from tf.train's optimizers:\n${notes.map((n) => `  ${n}`).join('\n')}`);
  console.log('\nLBFGS is left out: its step re-evaluates the loss, so one step is not comparable.');
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof UsageError ? `error: ${error.message}` : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
