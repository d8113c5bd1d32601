import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { backendReady } from './helpers';
import { loadDataset } from '../src/data/datasets';
import { DeviceSplit, disposeBatch } from '../src/data/batches';
import { Random } from '../src/data/random';
import { configFor, TrainConfig } from '../src/train/config';
import { AdamWScheduleFree, createOptimizer, MuonWithAdamW, OneCycleLR } from '../src/optim';
import { createRunScheduler, RunSchedule } from '../src/train/schedule';
import { DropoutSampler } from '../src/train/dropout';
import { architectures, parameterSpecs } from '../src/train/network';
import { NativeProgram, nativeKernels } from '../src/train/native';
import { Parameters } from '../src/train/parameters';
import { PortableProgram } from '../src/train/portable';
import { entryRequest, formatResultsCsv, readRunRecord, resultRows, sweepEntries, validateRunRecord } from '../src/results';
import { runTraining } from '../src/train/run';
import { Trainer } from '../src/train/trainer';

before(() => backendReady);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fun-optim-train-'));
const mnist = loadDataset('mnist', { limit: 10000 });

test('the networks have the parameters of their PyTorch originals', () => {
  const count = (net: 'seed' | 'modern' | 'lenet') => parameterSpecs(architectures[net]).reduce((n, s) => n + s.size, 0);
  assert.equal(count('seed'), 21840); // sum(p.numel() for p in Net().parameters()) in the 2018 example
  assert.equal(count('modern'), 1199882);
  assert.equal(count('lenet'), 431080);
  assert.deepEqual(
    parameterSpecs(architectures.seed).map((s) => s.name),
    ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
  );
});

test('initialisation is PyTorch\'s: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, seeded', () => {
  const params = new Parameters(architectures.seed, 'tensors', 1);
  params.variables.forEach((variable, i) => {
    const spec = params.specs[i];
    const bound = 1 / Math.sqrt(spec.fanIn);
    const values = Array.from(variable.dataSync());
    assert.ok(values.every((v) => Math.abs(v) <= bound), `${spec.name} within ±${bound}`);
    if (values.length >= 500) {
      // A uniform on [-b, b] has standard deviation b / sqrt(3).
      const std = Math.sqrt(values.reduce((a, v) => a + v * v, 0) / values.length);
      assert.ok(Math.abs(std / (bound / Math.sqrt(3)) - 1) < 0.1, `${spec.name} std ${std}`);
    }
  });
  const again = new Parameters(architectures.seed, 'flat', 1);
  const flat = again.variables[0].dataSync();
  assert.deepEqual(flat.subarray(0, 250), params.variables[0].dataSync().subarray(0, 250), 'same seed, same weights in either layout');
  const other = new Parameters(architectures.seed, 'flat', 2);
  assert.notDeepEqual(other.variables[0].dataSync().subarray(0, 10), flat.subarray(0, 10));
  [params, again, other].forEach((p) => p.dispose());
});

for (const net of ['seed', 'modern', 'lenet'] as const) {
  test(`${net} net: the fused native program computes the portable program's loss and gradients`, () => {
    const kernels = nativeKernels();
    assert.ok(kernels, 'the tensorflow backend provides the native kernels');
    const arch = architectures[net];
    const data = new DeviceSplit({ ...mnist.train, count: 16, images: mnist.train.images.subarray(0, 16 * 784), labels: mnist.train.labels.subarray(0, 16) }, 0.1307, 0.3081);
    const [batch] = data.inOrder(16);
    const masks = new DropoutSampler(arch, new Random(5, 'dropout')).sample(16);
    for (const layout of ['flat', 'tensors'] as const) {
      const params = new Parameters(arch, layout, 3);
      const grads = (program: NativeProgram | PortableProgram) => tf.variableGrads(() => program.batchLoss(batch, masks), params.variables);
      const native = grads(new NativeProgram(arch, params, kernels));
      const portable = grads(new PortableProgram(arch, params));
      assert.ok(Math.abs(native.value.dataSync()[0] - portable.value.dataSync()[0]) < 1e-5, `${layout} loss`);
      for (const name of Object.keys(portable.grads)) {
        const scale = tf.max(tf.abs(portable.grads[name])).dataSync()[0];
        const error = tf.max(tf.abs(tf.sub(native.grads[name], portable.grads[name]))).dataSync()[0];
        assert.ok(error <= 1e-4 * scale + 1e-7, `${layout} ${name}: max error ${error} (scale ${scale})`);
      }
      tf.dispose([native.value, portable.value, ...Object.values(native.grads), ...Object.values(portable.grads)]);
      params.dispose();
    }
    tf.dispose(masks);
    disposeBatch(batch);
    data.dispose();
  });
}

test('the flat and per-tensor parameter layouts train identically (element-wise optimizers)', () => {
  const config = (layout: 'flat' | 'tensors') => configFor({ optimizer: 'adam', limit: 640, epochs: 1, parameter_layout: layout });
  const small = { ...mnist, train: { ...mnist.train, count: 640, images: mnist.train.images.subarray(0, 640 * 784), labels: mnist.train.labels.subarray(0, 640) } };
  const losses = (['flat', 'tensors'] as const).map((layout) => {
    const trainer = new Trainer(config(layout), 'auto', small);
    const { trainLoss } = trainer.trainEpoch(1);
    trainer.dispose();
    return trainLoss;
  });
  assert.ok(Math.abs(losses[0] - losses[1]) < 1e-5, `losses ${losses}`);
});

test('a seeded run is reproducible, keeps tf.memory().numTensors flat, and writes its JSON after each epoch', () => {
  const subset = { ...mnist, train: { ...mnist.train, count: 1000, images: mnist.train.images.subarray(0, 1000 * 784), labels: mnist.train.labels.subarray(0, 1000) } };
  const out = path.join(scratch, 'run.json');
  const config = configFor({ optimizer: 'sgd', epochs: 3, limit: 1000, seed: 4 });
  const counts: number[] = [];
  const seenOnDisk: number[] = [];
  const first = runTraining(config, {
    backend: 'tensorflow',
    out,
    dataset: subset,
    reporter: {
      progress: () => {},
      line: () => {},
      epochDone: () => {
        counts.push(tf.memory().numTensors);
        seenOnDisk.push(readRunRecord(out).epochs.length);
      },
    },
  });
  assert.deepEqual(seenOnDisk, [1, 2, 3], 'the file holds every finished epoch');
  assert.equal(new Set(counts).size, 1, `numTensors after each epoch: ${counts}`);
  const second = runTraining(config, { backend: 'tensorflow', dataset: subset });
  const numbers = (r: typeof first) => r.epochs.map(({ train_seconds: _, ...rest }) => rest);
  assert.deepEqual(numbers(second), numbers(first));
  assert.ok(first.epochs[2].test_loss < first.epochs[0].test_loss, 'it learns');
});

test('one epoch on 10,000 MNIST images reaches 95% test accuracy (Adadelta, batch 16)', () => {
  // The tutorial's network with 50% dropout learns slowly from 10,000 images: PyTorch gets 93.9-95.4%
  // (seeds 1-3) with this protocol; this seed's deterministic run gets 95.2% here.
  const config = configFor({ optimizer: 'adadelta', epochs: 1, limit: 10000, batch_size: 16, seed: 1 });
  const record = runTraining(config, { backend: 'tensorflow', dataset: mnist });
  const [epoch] = record.epochs;
  assert.ok(epoch.test_acc >= 0.95, `test accuracy ${epoch.test_acc}`);
  assert.ok(epoch.test_loss < 0.2, `test loss ${epoch.test_loss}`);
});

test('LBFGS runs through its closure on a larger batch', () => {
  const subset = { ...mnist, train: { ...mnist.train, count: 1000, images: mnist.train.images.subarray(0, 1000 * 784), labels: mnist.train.labels.subarray(0, 1000) } };
  const config = configFor({ optimizer: 'lbfgs', epochs: 1, limit: 1000, batch_size: 500 });
  assert.equal(config.optimizer_options.lineSearchFn, 'strong_wolfe');
  const record = runTraining(config, { backend: 'tensorflow', dataset: subset });
  assert.ok(Number.isFinite(record.epochs[0].train_loss) && record.epochs[0].test_acc > 0.3, JSON.stringify(record.epochs[0]));
});

test('run records: the schema is checked when read back', () => {
  const good = {
    config: configFor({ optimizer: 'sgd', epochs: 1 }),
    backend: 'tensorflow',
    epochs: [{ epoch: 1, train_loss: 0.5, test_loss: 0.1, test_acc: 0.97, train_seconds: 3 }],
  };
  assert.deepEqual(Object.keys(good.config).sort(), [
    'batch_size', 'dataset', 'epochs', 'limit', 'net', 'no_decay_biases', 'optimizer', 'optimizer_options', 'others', 'parameter_layout', 'scheduler',
    'seed', 'setup', 'test_batch_size',
  ]);
  assert.deepEqual(validateRunRecord(good), good);
  assert.throws(() => validateRunRecord({ ...good, backend: undefined }, 'x.json'), /x\.json: has no "backend"/);
  assert.throws(() => validateRunRecord({ ...good, epochs: [{ ...good.epochs[0], test_acc: 'high' }] }), /epochs\[0\]\.test_acc/);
  assert.throws(() => validateRunRecord({ ...good, epochs: [{ ...good.epochs[0], epoch: 2 }] }), /expected 1/);
  assert.throws(() => validateRunRecord({ ...good, config: { dataset: 'mnist' } }), /has no "config\.net"/);
  assert.throws(() => validateRunRecord({ ...good, epochs: [{ ...good.epochs[0], test_acc: null }] }, 'y.json'), /y\.json: epochs\[0\]\.test_acc/);
  // A diverged run's losses are null in its JSON and NaN once read.
  const diverged = validateRunRecord({ ...good, epochs: [{ ...good.epochs[0], train_loss: null, test_loss: null, test_acc: 0.098 }] });
  assert.ok(Number.isNaN(diverged.epochs[0].train_loss) && Number.isNaN(diverged.epochs[0].test_loss));
});

test('the results table: a row per seed, then mean and sample std', () => {
  const record = (seed: number, acc: number) => ({
    config: configFor({ optimizer: 'sgd', epochs: 1, seed }),
    backend: 'tensorflow',
    epochs: [{ epoch: 1, train_loss: 1, test_loss: 0.1, test_acc: acc, train_seconds: 1 }],
  });
  const rows = resultRows([
    { label: 'sgd', record: record(1, 0.9) },
    { label: 'sgd', record: record(2, 1.0) },
  ]);
  const lines = formatResultsCsv(rows).trim().split('\n');
  assert.equal(lines[0], 'optimizer,epoch,metric,value,seed');
  assert.ok(lines.includes('sgd,1,test_acc,0.9,1'));
  assert.ok(lines.includes('sgd,1,test_acc,0.95,mean'));
  assert.ok(lines.includes('sgd,1,test_acc,0.0707107,std'));
  assert.ok(lines.includes('sgd,1,test_loss,0,std'));
});

/** The first `count` training images of the 10,000 loaded (the test set stays whole). */
function firstImages(count: number) {
  return { ...mnist, train: { ...mnist.train, count, images: mnist.train.images.subarray(0, count * 784), labels: mnist.train.labels.subarray(0, count) } };
}

/** The parameters' values by PyTorch name, as plain arrays. */
function values(trainer: Trainer): Record<string, Float32Array> {
  const named = trainer.parameters.named();
  const result = Object.fromEntries(Object.entries(named).map(([name, t]) => [name, t.dataSync() as Float32Array]));
  tf.dispose(Object.values(named));
  return result;
}

test('no_decay_biases: the biases step as without weight decay, the weights as with it', () => {
  const oneBatch = firstImages(64);
  const trainOneStep = (request: Partial<TrainConfig>) => {
    const trainer = new Trainer(configFor({ optimizer: 'sgd', parameter_layout: 'tensors', epochs: 1, limit: 64, ...request }), 'auto', oneBatch);
    try {
      trainer.trainEpoch(1);
      return { values: values(trainer), weightDecays: trainer.groups.paramGroups.map((g) => g.weightDecay) };
    } finally {
      trainer.dispose();
    }
  };
  const decay = { optimizer_options: { weightDecay: 0.5 } };
  const split = trainOneStep({ ...decay, no_decay_biases: true });
  const everywhere = trainOneStep(decay);
  const nowhere = trainOneStep({});
  assert.deepEqual(split.weightDecays, [0.5, 0], 'the rest with the given decay, then the biases without');
  for (const name of Object.keys(split.values)) {
    const expected = name.endsWith('.bias') ? nowhere.values[name] : everywhere.values[name];
    const other = name.endsWith('.bias') ? everywhere.values[name] : nowhere.values[name];
    assert.deepEqual(split.values[name], expected, name);
    assert.notDeepEqual(split.values[name], other, `${name}: the decay makes a difference here`);
  }
  assert.throws(() => new Trainer(configFor({ optimizer: 'sgd', no_decay_biases: true }), 'auto', oneBatch), /--layout tensors/);
});

test('muon_adamw: Muon steps the 2-D weights (fc1, fc2), AdamW the conv kernels and the biases', () => {
  const entry = sweepEntries.find((e) => e.label === 'muon_adamw')!;
  const trainer = new Trainer(configFor({ ...entryRequest(entry), epochs: 1, limit: 64 }), 'auto', firstImages(64));
  try {
    trainer.trainEpoch(1);
    const optimizer = trainer.optimizer as MuonWithAdamW;
    assert.equal(optimizer.getClassName(), MuonWithAdamW.className);
    const short = (names: string[]) => names.map((name) => name.split('/').pop()).sort();
    assert.deepEqual(short(optimizer.muon.statefulVariableNames), ['fc1.weight', 'fc2.weight']);
    assert.deepEqual(short(optimizer.adamw.statefulVariableNames), ['conv1.bias', 'conv1.weight', 'conv2.bias', 'conv2.weight', 'fc1.bias', 'fc2.bias']);
    assert.equal(optimizer.muon.paramGroups[0].adjustLrFn, 'match_rms_adamw');
    assert.deepEqual([optimizer.muon.lr, optimizer.adamw.lr], [1e-3, 1e-3], "one lr for both: PyTorch's AdamW default");
  } finally {
    trainer.dispose();
  }
});

test("Schedule-Free is evaluated at x (eval mode) and trains on at y (train mode)", () => {
  const trainer = new Trainer(configFor({ optimizer: 'adamwschedulefree', epochs: 1, limit: 256 }), 'auto', firstImages(256));
  try {
    trainer.trainEpoch(1);
    const optimizer = trainer.optimizer as AdamWScheduleFree;
    const y = values(trainer);
    const seen: Array<{ trainMode: boolean; values: Record<string, Float32Array> }> = [];
    const evaluateBatch = trainer.program.evaluate.bind(trainer.program);
    trainer.program.evaluate = (batch) => {
      if (seen.length === 0) seen.push({ trainMode: optimizer.trainMode, values: values(trainer) });
      return evaluateBatch(batch);
    };
    trainer.evaluate();
    assert.equal(seen[0].trainMode, false, 'the test set is evaluated in eval mode');
    assert.equal(optimizer.trainMode, true, 'and training goes on in train mode');
    const farthest = (a: Record<string, Float32Array>, b: Record<string, Float32Array>) =>
      Math.max(...Object.keys(a).flatMap((name) => Array.from(a[name], (v, i) => Math.abs(v - b[name][i]))));
    assert.ok(farthest(seen[0].values, y) > 1e-5, `x differs from y (${farthest(seen[0].values, y)})`);
    assert.ok(farthest(values(trainer), y) < 1e-6, `y is back after evaluating (${farthest(values(trainer), y)})`);
  } finally {
    trainer.dispose();
  }
});

test("a per-step OneCycleLR spans the run: totalSteps is epochs x steps per epoch, and the record's lr follows it", () => {
  const config = configFor({ optimizer: 'sgd', epochs: 2, limit: 200, scheduler: { name: 'OneCycleLR', options: { maxLr: 0.1 }, interval: 'step' } });
  const record = runTraining(config, { backend: 'tensorflow', dataset: firstImages(200) });
  // 200 images in batches of 64: 4 steps per epoch, 8 in all; the lr of each epoch's last step.
  const oneCycle = new OneCycleLR({ paramGroups: [{ lr: 0.01, momentum: 0.5 }] }, { maxLr: 0.1, totalSteps: 8 });
  const lrs: number[] = [];
  for (let step = 0; step < 8; step++) {
    lrs.push(oneCycle.getLastLr()[0]);
    oneCycle.step();
  }
  assert.deepEqual(record.epochs.map((e) => e.lr), [lrs[3], lrs[7]]);
});

test('ReduceLROnPlateau steps on the epoch training loss; a diverged (NaN) epoch counts as a bad one', () => {
  const optimizer = createOptimizer('sgd', { lr: 0.1 });
  const spec = { name: 'ReduceLROnPlateau', options: { patience: 0, factor: 0.5 }, interval: 'epoch' } as const;
  const schedule = new RunSchedule(spec, createRunScheduler(spec, optimizer, 3, 10));
  schedule.afterStep();
  schedule.afterEpoch(1);
  assert.equal(optimizer.lr, 0.1);
  schedule.afterEpoch(2);
  assert.equal(optimizer.lr, 0.05);
  schedule.afterEpoch(NaN);
  assert.equal(optimizer.lr, 0.025);
  assert.throws(() => createRunScheduler({ ...spec, interval: 'step' }, optimizer, 3, 10), /once per epoch/);
  optimizer.dispose();
});
