// The first steps of a real MNIST training, watched one by one: the loss of each batch and how far
// each step moves the weights. Per-epoch test scores hide what these show at once: a step size that
// is wrong for the network from the very first update.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backend';
import { disposeBatch } from '../data/batches';
import { Random } from '../data/random';
import { configFor, TrainRequest } from '../train/config';
import { Trainer } from '../train/trainer';
import { MetricRecord } from './metric-records';

export interface WatchedRun extends TrainRequest {
  /** The name of the curves (default: the optimizer's name). */
  label?: string;
}

export interface WatchedSteps {
  /**
   * Per step (1-based): 'batch loss' (the batch's loss before the step), 'update rms' (root mean
   * square of the change of every weight) and 'relative update' (|change| / |weights before|).
   */
  records: MetricRecord[];
  /** Test loss and accuracy after the last step, per label. */
  finals: Array<{ label: string; steps: number; testLoss: number; testAcc: number }>;
}

/**
 * Trains each run for `steps` optimizer steps from its seed's initial weights (batches of the
 * run's batch size from the first steps * batch_size training images, so no image is seen twice),
 * recording every step. Nothing is written to outputs/.
 */
export async function watchTrainingSteps(runs: WatchedRun[], steps: number): Promise<WatchedSteps> {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`watchTrainingSteps: steps must be a positive integer, got ${steps}.`);
  await useBackend();
  const result: WatchedSteps = { records: [], finals: [] };
  for (const { label, ...request } of runs) {
    const name = label ?? request.optimizer;
    const base = configFor(request);
    const config = configFor({ ...request, epochs: 1, limit: steps * base.batch_size });
    const trainer = new Trainer(config);
    try {
      const [weights] = trainer.parameters.variables;
      if (trainer.parameters.variables.length !== 1) throw new Error('watchTrainingSteps expects the flat parameter layout.');
      const shuffling = new Random(config.seed, 'shuffle');
      let step = 0;
      for (const batch of trainer.train.shuffled(config.batch_size, shuffling)) {
        const before = weights.clone();
        try {
          const loss = trainer.step(batch);
          const [lossValue, updateRms, relative] = tf.tidy(() => {
            const change = tf.sub(weights, before);
            const stats = tf.stack([loss, tf.sqrt(tf.mean(tf.square(change))), tf.div(tf.norm(change), tf.norm(before))]);
            return stats.dataSync();
          });
          loss.dispose();
          step++;
          result.records.push(
            { run: name, step, metric: 'batch loss', value: lossValue },
            { run: name, step, metric: 'update rms', value: updateRms },
            { run: name, step, metric: 'relative update', value: relative },
          );
        } finally {
          before.dispose();
          disposeBatch(batch);
        }
      }
      const { testLoss, testAcc } = trainer.evaluate();
      result.finals.push({ label: name, steps: step, testLoss, testAcc });
    } finally {
      trainer.dispose();
    }
  }
  return result;
}
