// followOptimizer, the runs behind every 2-D figure and the playground: seeded gradient noise draws
// the same path for the same seed and another for another; noise of 0 is the exact gradient; the
// point held as a 1x2 matrix (for Muon) follows the same path as the vector; no tensor is left behind.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-node';
import { backendReady } from './helpers';
import { Random } from '../src/data/random';
import { followOptimizer, type FollowOptions } from '../src/notebook/trajectory';
import { illConditionedQuadratic, rosenbrock, saddle } from '../src/notebook/surface';
import { createOptimizer } from '../src/optim/index';

before(() => backendReady);

function follow(name: 'sgd' | 'muon' | 'lbfgs', options: FollowOptions = {}, surface = rosenbrock, steps = 30) {
  const optimizer = createOptimizer(name, name === 'lbfgs' ? {} : { lr: 1e-3 });
  try {
    return followOptimizer(name, surface, optimizer, steps, undefined, options);
  } finally {
    optimizer.dispose();
  }
}

test('seeded gradient noise: the same seed draws the same path, another seed another, std 0 the exact path', () => {
  const noise = (seed: number, std = 5): FollowOptions => ({ gradientNoise: { std, random: new Random(seed, 'noise') } });
  const exact = follow('sgd');
  const noisy = follow('sgd', noise(1));
  assert.deepEqual(follow('sgd', noise(1)).points, noisy.points);
  assert.notDeepEqual(follow('sgd', noise(2)).points, noisy.points);
  assert.notDeepEqual(noisy.points, exact.points);
  assert.deepEqual(follow('sgd', noise(1, 0)).points, exact.points);
  assert.equal(noisy.points.length, 31);
  assert.throws(() => follow('sgd', noise(1, -1)), /gradientNoise.std must be a finite number >= 0/);
});

test('on the saddle, exact gradients from y = 0 stay on y = 0; noise lets the path leave it', () => {
  const exact = followOptimizer('sgd', saddle, createOptimizer('sgd', { lr: 0.05 }), 100, [-2, 0]);
  assert.ok(exact.points.every(([, y]) => y === 0));
  const noisy = followOptimizer('sgd', saddle, createOptimizer('sgd', { lr: 0.05 }), 100, [-2, 0], { gradientNoise: { std: 0.5, random: new Random(1) } });
  // The valleys are at y = +-1: with this seed the noisy path ends in one of them, far from the line.
  assert.ok(Math.abs(noisy.points[100][1]) > 0.5, `ended at y = ${noisy.points[100][1]}`);
});

test('a 1x2 matrix point follows the vector path; Muon needs it; L-BFGS steps through its closure with noise', () => {
  assert.deepEqual(follow('sgd', { matrix: true }).points, follow('sgd').points);
  assert.throws(() => follow('muon'), /Muon only supports 2D parameters/);
  const muon = follow('muon', { matrix: true });
  assert.equal(muon.points.length, 31);
  assert.ok(muon.losses[30] < muon.losses[0]);
  const before = tf.memory().numTensors;
  const lbfgs = follow('lbfgs', { gradientNoise: { std: 0.1, random: new Random(4) } }, illConditionedQuadratic(20), 5);
  assert.equal(lbfgs.points.length, 6);
  assert.ok(lbfgs.losses[5] < lbfgs.losses[0]);
  assert.equal(tf.memory().numTensors, before, 'tensors left behind');
});
