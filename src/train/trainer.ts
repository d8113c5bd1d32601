// One training run's state on the device (data, parameters, optimizer) and its two loops: an epoch
// of optimizer steps, and the test pass as the tutorial's script computes it.
import * as tf from '@tensorflow/tfjs-core';
import { Batch, batchRanges, DeviceSplit, disposeBatch } from '../data/batches';
import { Dataset, loadDataset } from '../data/datasets';
import { Random } from '../data/random';
import type { AdamWScheduleFree, SchedulableOptimizer } from '../optim';
import { TrainConfig } from './config';
import { DropoutSampler } from './dropout';
import { architecture } from './network';
import { Parameters } from './parameters';
import { createProgram, KernelChoice, NetworkProgram } from './program';
import { createRunOptimizer, createRunSchedule, firstGroupLr } from './run-optimizer';
import type { RunSchedule } from './schedule';

export interface EpochProgress {
  epoch: number;
  examples: number;
  totalExamples: number;
  /** Mean training loss of the epoch's batches read so far (NaN before the first read). */
  loss: number;
  seconds: number;
}

/** How many steps run between two reads of the loss (a read waits for the device). */
const READ_LOSS_EVERY = 25;

export class Trainer {
  readonly parameters: Parameters;
  readonly program: NetworkProgram;
  readonly optimizer: tf.Optimizer;
  /** The param groups the schedule sets (the optimizer's own, or Muon's then AdamW's). */
  readonly groups: SchedulableOptimizer;
  readonly schedule?: RunSchedule;
  private readonly scheduleFree?: AdamWScheduleFree;
  /** The first group's lr at the last optimizer step (undefined before the first). */
  private lastStepLr?: number;
  readonly train: DeviceSplit;
  readonly test: DeviceSplit;
  private readonly shuffling: Random;
  private readonly dropout: DropoutSampler;

  constructor(
    readonly config: TrainConfig,
    kernels: KernelChoice = 'auto',
    dataset: Dataset = loadDataset(config.dataset, { limit: config.limit ?? undefined }),
  ) {
    // The optimizer first: it refuses bad options before anything is allocated.
    ({ optimizer: this.optimizer, groups: this.groups, scheduleFree: this.scheduleFree } = createRunOptimizer(config));
    // The scheduler needs the epoch's length, which the dataset gives (the last batch may be smaller).
    try {
      this.schedule = createRunSchedule(config, this.groups, batchRanges(dataset.train.count, config.batch_size).length);
    } catch (error) {
      this.optimizer.dispose();
      throw error;
    }
    const arch = architecture(config.net);
    const { mean, std } = dataset.spec;
    this.train = new DeviceSplit(dataset.train, mean, std);
    this.test = new DeviceSplit(dataset.test, mean, std);
    this.parameters = new Parameters(arch, config.parameter_layout, config.seed);
    this.program = createProgram(arch, this.parameters, kernels);
    this.shuffling = new Random(config.seed, 'shuffle');
    this.dropout = new DropoutSampler(arch, new Random(config.seed, 'dropout'));
  }

  /** One optimizer step on a batch (then a per-step schedule's step); returns the batch's mean loss (before the step) on the device. */
  step(batch: Batch): tf.Scalar {
    const masks = this.dropout.sample(batch.size);
    let loss: tf.Scalar;
    try {
      this.lastStepLr = firstGroupLr(this.groups);
      // LBFGS calls the closure several times per step; the same masks keep it deterministic.
      loss = this.optimizer.minimize(() => this.program.batchLoss(batch, masks), true, this.parameters.variables)!;
    } finally {
      tf.dispose(masks);
    }
    this.schedule?.afterStep();
    return loss;
  }

  /**
   * After an epoch's evaluation: a per-epoch schedule steps (ReduceLROnPlateau on `trainLoss`).
   * Returns the first group's lr at the epoch's last optimizer step, for the record.
   */
  endEpoch(trainLoss: number): number | undefined {
    const lr = this.lastStepLr;
    this.schedule?.afterEpoch(trainLoss);
    return lr;
  }

  /** One pass over the shuffled training set. Returns the mean training loss and the seconds it took. */
  trainEpoch(epoch: number, onProgress?: (progress: EpochProgress) => void): { trainLoss: number; seconds: number } {
    const started = performance.now();
    let pending: Array<{ loss: tf.Scalar; size: number }> = [];
    let lossSum = 0;
    let examples = 0;
    const read = () => {
      const stacked = tf.stack(pending.map((p) => p.loss));
      const values = stacked.dataSync();
      stacked.dispose();
      pending.forEach((p, i) => {
        lossSum += values[i] * p.size;
        examples += p.size;
      });
      tf.dispose(pending.map((p) => p.loss));
      pending = [];
      onProgress?.({ epoch, examples, totalExamples: this.train.count, loss: lossSum / examples, seconds: (performance.now() - started) / 1000 });
    };
    for (const batch of this.train.shuffled(this.config.batch_size, this.shuffling)) {
      try {
        pending.push({ loss: this.step(batch), size: batch.size });
      } finally {
        disposeBatch(batch);
      }
      if (pending.length === READ_LOSS_EVERY) read();
    }
    if (pending.length > 0) read();
    return { trainLoss: lossSum / examples, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * The test set's summed NLL / its size, and accuracy, without dropout (PyTorch's model.eval()).
   * Schedule-Free evaluates at its average x, which its parameters hold only in eval mode: eval()
   * before, train() after, as its authors' loops do.
   */
  evaluate(): { testLoss: number; testAcc: number } {
    this.scheduleFree?.eval();
    try {
      return this.evaluateParameters();
    } finally {
      this.scheduleFree?.train();
    }
  }

  private evaluateParameters(): { testLoss: number; testAcc: number } {
    let lossSum: tf.Scalar = tf.scalar(0);
    let correct: tf.Scalar = tf.scalar(0, 'int32');
    for (const batch of this.test.inOrder(this.config.test_batch_size)) {
      const result = this.program.evaluate(batch);
      disposeBatch(batch);
      const [nextLoss, nextCorrect] = [tf.add(lossSum, result.lossSum), tf.add(correct, result.correct)];
      tf.dispose([lossSum, correct, result.lossSum, result.correct]);
      [lossSum, correct] = [nextLoss as tf.Scalar, nextCorrect as tf.Scalar];
    }
    const [loss, right] = [lossSum.dataSync()[0], correct.dataSync()[0]];
    tf.dispose([lossSum, correct]);
    return { testLoss: loss / this.test.count, testAcc: right / this.test.count };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.program.dispose();
    this.parameters.dispose();
    this.train.dispose();
    this.test.dispose();
  }
}
