// schedulerCallback in a real model.fit on the native backend: per batch, the weights equal a
// hand-stepped replay with the schedule's lrs (so the scheduler stepped after each batch, not
// before); per epoch, ReduceLROnPlateau reads fit's val_loss.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { createScheduler, schedulerCallback } from '../src/optim';

before(() => backendReady);

/**
 * tfjs's own SGD with one param group whose `lr` it reads at every step: the shape of optimizer the
 * schedulers drive (the library's optimizers expose the same `paramGroups`).
 */
class GroupedSGD extends tf.SGDOptimizer {
  readonly paramGroups = [{ lr: 0.1 }];
  constructor() {
    super(0.1);
  }
  override applyGradients(grads: Parameters<tf.SGDOptimizer['applyGradients']>[0]): void {
    this.setLearningRate(this.paramGroups[0].lr);
    super.applyGradients(grads);
  }
}

function data() {
  const x = tf.tensor2d([[0.1, 0.9], [0.5, -0.3], [-0.7, 0.2], [0.3, 0.3], [0.9, -0.8], [-0.2, -0.6], [0.4, 0.1], [-0.5, 0.7]]);
  const y = tf.tensor2d([[1.0], [0.2], [-0.9], [0.5], [0.4], [-1.1], [0.5], [-0.1]]);
  return { x, y };
}

function model(optimizer: tf.Optimizer): tf.Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}

describe('schedulerCallback in model.fit', () => {
  test('every batch: the scheduler steps after each optimizer step', async () => {
    const { x, y } = data();
    const optimizer = new GroupedSGD();
    const fitted = model(optimizer);
    const scheduler = createScheduler('ExponentialLR', optimizer, { gamma: 0.5 });
    const seen: number[] = [];
    await fitted.fit(x, y, {
      epochs: 3,
      batchSize: 2,
      shuffle: false,
      verbose: 0,
      callbacks: [{ onBatchBegin: async () => void seen.push(optimizer.paramGroups[0].lr) }, schedulerCallback(scheduler, { every: 'batch' })],
    });
    const expected = Array.from({ length: 12 }, (_, k) => 0.1 * 0.5 ** k);
    assert.deepEqual(seen, expected);
    assert.equal(scheduler.lastEpoch, 12);

    // The same training by hand: trainOnBatch with the lr set before each batch.
    const byHand = new GroupedSGD();
    const replay = model(byHand);
    for (let k = 0; k < 12; k++) {
      byHand.paramGroups[0].lr = expected[k];
      const start = (k % 4) * 2;
      const [xb, yb] = [x.slice([start, 0], [2, 2]), y.slice([start, 0], [2, 1])];
      await replay.trainOnBatch(xb, yb);
      tf.dispose([xb, yb]);
    }
    const [a, b] = [fitted.getWeights(), replay.getWeights()];
    a.forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), Array.from(b[i].dataSync())));
    tf.dispose([x, y]);
    fitted.dispose();
    replay.dispose();
  });

  test('every epoch: ReduceLROnPlateau reads val_loss', async () => {
    const { x, y } = data();
    const optimizer = new GroupedSGD();
    const fitted = model(optimizer);
    // In 'max' mode a falling loss never improves: with patience 0 every epoch after the first halves the lr.
    const scheduler = createScheduler('ReduceLROnPlateau', optimizer, { mode: 'max', patience: 0, factor: 0.5 });
    const history = await fitted.fit(x, y, {
      epochs: 4,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      validationData: [x, y],
      callbacks: [schedulerCallback(scheduler, { every: 'epoch', monitor: 'val_loss' })],
    });
    const valLoss = history.history.val_loss as number[];
    assert.ok(valLoss.every((v, i) => i === 0 || v < valLoss[i - 1]), `val_loss falls: ${valLoss}`);
    assert.equal(scheduler.best, valLoss[0]);
    assert.equal(scheduler.lastEpoch, 4);
    assert.deepEqual(scheduler.getLastLr(), [0.1 * 0.5 ** 3]);
    tf.dispose([x, y]);
    fitted.dispose();
  });

  test('a metric fit does not log is a clear error', async () => {
    const { x, y } = data();
    const optimizer = new GroupedSGD();
    const fitted = model(optimizer);
    const scheduler = createScheduler('ReduceLROnPlateau', optimizer);
    await assert.rejects(
      fitted.fit(x, y, { epochs: 1, verbose: 0, callbacks: [schedulerCallback(scheduler)] }),
      /ReduceLROnPlateau watches 'val_loss', which fit did not log \(it logged: loss\)/,
    );
    assert.throws(() => schedulerCallback(scheduler, { every: 'step' as 'batch' }), /every must be 'batch' or 'epoch'/);
    tf.dispose([x, y]);
    fitted.dispose();
  });
});
