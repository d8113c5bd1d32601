// One optimizer step on about 10M float32 parameters shaped like a CNN's (conv kernels, one big
// dense kernel, biases), for every per-parameter optimizer of src/optim, beside tf.train's own
// optimizer where tfjs has one, set up as close to PyTorch's semantics as tf.train allows.
// and beside torch.optim's single-tensor, foreach and fused implementations when a Python that imports
// torch is found (bench/optim_torch.py; PyTorch is a reference, never a dependency).
//   npm run bench:optim -- [--steps N] [--warmup N] [--repeats R] [--only name,name] [--threads N] [--python PATH]
// Prints, over R repeats, the median (min-max) of each repeat's median ms per step: ours, tf.train,
// torch.optim's three; the ratios; and the MB of tensors one step allocates. Ours and tf.train's steps
// alternate step by step, ours and PyTorch's repeat by repeat, so that load from other processes
// falls on all alike. --threads N gives both libraries N threads.
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { cpuDescription, findTorchPython, loadLine, median, setOurThreads, spread } from './machine';
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
  /** torch.optim's class and keyword arguments for the same step. */
  torch?: { class: string; kwargs?: Record<string, unknown> };
}

const CONTENDERS: Contender[] = [
  { name: 'sgd', ours: ['sgd', { lr: 0.01 }], reference: () => tf.train.sgd(0.01), torch: { class: 'SGD', kwargs: { lr: 0.01 } } },
  {
    name: 'momentum',
    ours: ['sgd', { lr: 0.01, momentum: 0.9 }],
    reference: () => tf.train.momentum(0.01, 0.9),
    torch: { class: 'SGD', kwargs: { lr: 0.01, momentum: 0.9 } },
  },
  {
    name: 'adagrad',
    ours: ['adagrad', { lr: 0.01, initialAccumulatorValue: 0.1 }],
    reference: () => tf.train.adagrad(0.01, 0.1),
    differs: 'tf.train.adagrad adds its eps (1e-7) inside the sqrt; ours adds 1e-10 after it. Both start the sum at 0.1 here (PyTorch: 0).',
    torch: { class: 'Adagrad', kwargs: { lr: 0.01, initial_accumulator_value: 0.1 } },
  },
  {
    name: 'adadelta',
    ours: ['adadelta', { lr: 1, rho: 0.9, eps: 1e-6 }],
    reference: () => tf.train.adadelta(1, 0.9, 1e-6),
    differs: "tf.train's defaults (lr 0.001, rho 0.95) set to PyTorch's; same formula.",
    torch: { class: 'Adadelta', kwargs: { lr: 1, rho: 0.9, eps: 1e-6 } },
  },
  {
    name: 'rmsprop',
    ours: ['rmsprop', { lr: 0.01, alpha: 0.99, eps: 1e-8 }],
    reference: () => tf.train.rmsprop(0.01, 0.99, 0, 1e-8, false),
    differs: 'tf.train.rmsprop adds eps inside the sqrt, PyTorch after it.',
    torch: { class: 'RMSprop', kwargs: { lr: 0.01, alpha: 0.99, eps: 1e-8 } },
  },
  {
    name: 'adam',
    ours: ['adam', { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 }],
    reference: () => tf.train.adam(1e-3, 0.9, 0.999, 1e-8),
    differs: 'Same formula; tf.train bias-corrects m and v separately (one more full-size division).',
    torch: { class: 'Adam', kwargs: { lr: 0.001 } },
  },
  {
    name: 'adamax',
    ours: ['adamax', { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8 }],
    reference: () => tf.train.adamax(2e-3, 0.9, 0.999, 1e-8),
    differs: 'tf.train.adamax adds eps to the denominator, PyTorch to |g| inside the max.',
    torch: { class: 'Adamax', kwargs: { lr: 0.002 } },
  },
  { name: 'adamw', ours: ['adamw', {}], torch: { class: 'AdamW' } },
  { name: 'amsgrad', ours: ['adam', { amsgrad: true }], torch: { class: 'Adam', kwargs: { amsgrad: true } } },
  { name: 'nadam', ours: ['nadam', {}], torch: { class: 'NAdam' } },
  { name: 'radam', ours: ['radam', {}], torch: { class: 'RAdam' } },
  { name: 'sparseadam', ours: ['sparseadam', {}] },
  { name: 'asgd', ours: ['asgd', {}], torch: { class: 'ASGD' } },
  { name: 'rprop', ours: ['rprop', {}], torch: { class: 'Rprop' } },
  { name: 'adafactor', ours: ['adafactor', {}], torch: { class: 'Adafactor' } },
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

/**
 * The MB of tensors one step allocates. Each full-size temporary is a fresh allocation whose pages
 * the OS must fault in and zero, so this predicts the time well, whatever else the machine runs.
 */
async function allocatedMB(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): Promise<number> {
  const info = await tf.profile(() => optimizer.applyGradients(grads));
  return info.kernels.reduce((sum, k) => sum + Math.max(0, k.bytesAdded), 0) / 2 ** 20;
}

/** Wall-clock ms of one step (tfjs-node runs each op to completion before returning). */
function timeStep(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): number {
  const start = performance.now();
  optimizer.applyGradients(grads);
  return performance.now() - start;
}

/** PyTorch's layout of one of our shapes: conv kernels [out, in, kh, kw], dense kernels [out, in]. */
function torchShape(shape: number[]): number[] {
  if (shape.length === 4) return [shape[3], shape[2], shape[0], shape[1]];
  if (shape.length === 2) return [shape[1], shape[0]];
  return shape;
}

type TorchImpl = 'single' | 'foreach' | 'fused';
const TORCH_IMPLS: TorchImpl[] = ['single', 'foreach', 'fused'];

/** One repeat of torch.optim's side: a median ms per contender and implementation (null: none). */
function torchRepeat(python: string, contenders: Contender[], steps: number, warmup: number, threads?: number): { info: string; results: Record<string, Record<TorchImpl, number | null>> } {
  const request = {
    shapes: Object.values(SHAPES).map(torchShape),
    contenders: contenders.filter((c) => c.torch).map((c) => ({ name: c.name, class: c.torch!.class, kwargs: c.torch!.kwargs ?? {} })),
    steps,
    warmup,
    threads: threads ?? 0,
  };
  const output = execFileSync(python, ['bench/optim_torch.py', JSON.stringify(request)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const parsed = JSON.parse(output.trim().split('\n').pop()!) as { torch: string; threads: number; results: Record<string, Record<TorchImpl, number | null>> };
  return { info: `torch ${parsed.torch}, ${parsed.threads} threads`, results: parsed.results };
}

async function main(argv: string[]): Promise<void> {
  const reader = new FlagReader(parseFlags(argv));
  const steps = reader.integer('steps', 1) ?? 10;
  const warmup = reader.integer('warmup', 0) ?? 3;
  const repeats = reader.integer('repeats', 1) ?? 3;
  const only = reader.list('only');
  const threads = reader.integer('threads', 1);
  const pythonFlag = reader.string('python');
  reader.refuseUnknown();
  const unknown = only?.filter((name) => !CONTENDERS.some((c) => c.name === name));
  if (unknown?.length) throw new UsageError(`--only: unknown ${unknown.join(', ')}; choose from ${CONTENDERS.map((c) => c.name).join(', ')}`);
  const ourThreads = setOurThreads(threads);
  const backend = await requireNativeBackend();
  const python = findTorchPython(pythonFlag);
  const contenders = CONTENDERS.filter((c) => !only || only.includes(c.name));
  const total = Object.values(SHAPES).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
  console.log(`CPU: ${cpuDescription()}; ${loadLine()}`);
  console.log(`backend: ${backend.name}, ${ourThreads}, CPU allocator ${process.env.TF_CPU_ALLOCATOR_USE_BFC === 'true' ? 'BFC' : 'default'}; ${(total / 1e6).toFixed(2)}M float32 parameters in ${Object.keys(SHAPES).length} tensors`);
  console.log(`each cell: median (min-max) over ${repeats} repeat(s) of the median of ${steps} steps after ${warmup} warm-up; ours and tf.train alternate step by step, ours and torch.optim repeat by repeat`);
  console.log(`torch.optim: ${python ? `via ${python}` : 'not available (no python that imports torch: pass --python or set FUN_OPTIM_PYTHON)'}`);
  console.log('ms: wall clock per step; MB: tensors one step of ours allocates\n');

  // Gradients of a plausible size, the same every step (the work per step does not depend on them).
  const grads = Object.values(SHAPES).map((shape, i) => tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 7 + i), 1e-2)));
  const ours = new Map<string, number[]>();
  const reference = new Map<string, number[]>();
  const torch = new Map<string, Record<TorchImpl, number[]>>();
  const allocated = new Map<string, number>();
  let torchInfo = '';
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const contender of contenders) {
      const oursVariables = makeVariables();
      const optimizer = typeof contender.ours === 'function' ? contender.ours() : createOptimizer(contender.ours[0], contender.ours[1]);
      const oursGrads = gradientsFor(oursVariables, grads);
      const referenceVariables = contender.reference ? makeVariables() : [];
      const referenceOptimizer = contender.reference?.();
      const referenceGrads = gradientsFor(referenceVariables, grads);
      const oursTimes: number[] = [];
      const referenceTimes: number[] = [];
      for (let i = 0; i < warmup + steps; i++) {
        const oursTime = timeStep(optimizer, oursGrads);
        const referenceTime = referenceOptimizer ? timeStep(referenceOptimizer, referenceGrads) : undefined;
        if (i >= warmup) {
          oursTimes.push(oursTime);
          if (referenceTime !== undefined) referenceTimes.push(referenceTime);
        }
      }
      ours.set(contender.name, [...(ours.get(contender.name) ?? []), median(oursTimes)]);
      if (referenceOptimizer) reference.set(contender.name, [...(reference.get(contender.name) ?? []), median(referenceTimes)]);
      if (repeat === 0) allocated.set(contender.name, await allocatedMB(optimizer, oursGrads));
      optimizer.dispose();
      referenceOptimizer?.dispose();
      tf.dispose([...oursVariables, ...referenceVariables]);
    }
    if (python && contenders.some((c) => c.torch)) {
      const { info, results } = torchRepeat(python, contenders, steps, warmup, threads);
      torchInfo = info;
      for (const [name, row] of Object.entries(results)) {
        const kept = torch.get(name) ?? { single: [], foreach: [], fused: [] };
        for (const impl of TORCH_IMPLS) if (row[impl] !== null) kept[impl].push(row[impl]!);
        torch.set(name, kept);
      }
    }
  }
  // The floor: one full-size tf.add (reads 8 bytes a parameter, writes 4). A fused Adam step moves
  // 28 (reads parameter, gradient and both moments; writes three), so 28/12 of this time is what
  // TensorFlow's element-wise kernels would take for it if one op could do the whole step.
  const addTimes: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const started = performance.now();
    const sums = grads.map((g) => tf.add(g, g));
    const elapsed = performance.now() - started;
    tf.dispose(sums);
    if (i >= warmup) addTimes.push(elapsed);
  }
  tf.dispose(grads);

  const cell = (values: number[] | undefined) => (values?.length ? spread(values, 1) : '-');
  const ratio = (a: number[] | undefined, b: number[] | undefined) => (a?.length && b?.length ? (median(a) / median(b)).toFixed(2) : '-');
  const rows: string[][] = [['optimizer', 'ours ms', 'tf.train ms', 'torch single ms', 'torch foreach ms', 'torch fused ms', 'vs tf.train', 'vs single', 'vs foreach', 'vs fused', 'ours MB']];
  const notes: string[] = [];
  for (const contender of contenders) {
    const o = ours.get(contender.name);
    const t = torch.get(contender.name);
    rows.push([
      contender.name,
      cell(o),
      cell(reference.get(contender.name)),
      cell(t?.single),
      cell(t?.foreach),
      cell(t?.fused),
      ratio(o, reference.get(contender.name)),
      ratio(o, t?.single),
      ratio(o, t?.foreach),
      ratio(o, t?.fused),
      (allocated.get(contender.name) ?? NaN).toFixed(0),
    ]);
    if (contender.differs) notes.push(`${contender.name}: ${contender.differs}`);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  '));
  const addMs = median(addTimes);
  console.log(`\none tf.add over every tensor (12 bytes per parameter moved): ${addMs.toFixed(1)} ms; at that rate a fused step's 28 bytes per parameter would take ${((addMs * 28) / 12).toFixed(1)} ms`);
  if (torchInfo) console.log(`\ntorch.optim: ${torchInfo}; ratios are ours' median over theirs (below 1: ours is faster)`);
  if (notes.length > 0) console.log(`\nDifferences from tf.train's optimizers:\n${notes.map((n) => `  ${n}`).join('\n')}`);
  console.log('\nLBFGS is left out: its step re-evaluates the loss, so one step is not comparable. SparseAdam needs sparse gradients in torch; Muon with AdamW has no single torch.optim counterpart.');
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof UsageError ? `error: ${error.message}` : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
