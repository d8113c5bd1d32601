import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { backendReady } from './helpers';
import { createOptimizer } from '../src/optim';

before(() => backendReady);

test('sgd refuses nesterov without momentum', () => {
  assert.throws(() => createOptimizer('sgd', { lr: 0.1, nesterov: true }), /Nesterov momentum requires/);
});

test('sgd refuses a misspelt option and suggests the right one', () => {
  assert.throws(() => createOptimizer('sgd', { lr: 0.1, momentun: 0.9 } as never), /did you mean 'momentum'/);
});

test('sgd runs on the native backend', () => {
  assert.equal(tf.getBackend(), 'tensorflow');
});
