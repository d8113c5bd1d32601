// Every option of every optimizer is checked for its kind at construction: null (PyTorch's None)
// only where PyTorch's default is None, never undefined, never a value of another type; and only
// real optimizer names are optimizers.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backendReady } from './helpers';
import { createOptimizer, optimizerNames, OptimizerOptionError } from '../src/optim';

before(() => backendReady);

/** The top-level options of an optimizer with PyTorch's defaults filled in. */
const defaultsOf = (name: (typeof optimizerNames)[number]) => {
  const optimizer = createOptimizer(name);
  const settings = (optimizer as unknown as { settings: Record<string, unknown> }).settings;
  optimizer.dispose();
  return settings;
};

/** PyTorch's options whose default is None, which take null. */
const takesNull: Record<string, string[]> = { lbfgs: ['maxEval', 'lineSearchFn'], muon: ['adjustLrFn'] };

describe('every option refuses null, undefined and other types', () => {
  for (const name of optimizerNames) {
    test(name, () => {
      const settings = defaultsOf(name);
      for (const [key, value] of Object.entries(settings)) {
        const wrong: unknown[] = [undefined, {}, () => 1];
        if (!(takesNull[name] ?? []).includes(key)) wrong.push(null);
        if (typeof value === 'number') wrong.push('1', true, [1], NaN, Infinity, -Infinity);
        if (typeof value === 'boolean') wrong.push(0, 'true');
        if (Array.isArray(value)) wrong.push(0.5, [value[0]], [...value, value[0]], value.map(() => null), value.map(() => '0.5'), [NaN, value[1]]);
        for (const bad of wrong) {
          assert.throws(
            () => createOptimizer(name, { [key]: bad }),
            (e: Error) => e instanceof OptimizerOptionError && (e.message.includes(`'${key}'`) || /^Invalid/.test(e.message)),
            `${name} ${key} = ${String(bad)}`,
          );
        }
      }
      for (const key of takesNull[name] ?? []) createOptimizer(name, { [key]: null }).dispose();
    });
  }

  test("the messages say what was expected, and null's meaning", () => {
    assert.throws(() => createOptimizer('sgd', { momentum: null }), /^OptimizerOptionError: SGD option 'momentum' must be a number, got null \(null stands for PyTorch's None, which this option does not take\)\.$/);
    assert.throws(() => createOptimizer('adam', { betas: null }), /Adam option 'betas' must be a pair of numbers, got null/);
    assert.throws(() => createOptimizer('adam', { amsgrad: 'yes' }), /Adam option 'amsgrad' must be a boolean \(true or false\), got "yes"/);
    assert.throws(() => createOptimizer('sgd', { lr: undefined }), /SGD option 'lr' must be a number, got undefined \(leave the option out for its default\)/);
    assert.throws(() => createOptimizer('sgd', null as never), /SGD options must be an object/);
    assert.throws(() => createOptimizer('lbfgs', { maxEval: '5' }), /Invalid max_eval value: "5"/);
  });
});

describe('optimizer names', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    test(`'${name}' is not an optimizer`, () => {
      assert.throws(() => createOptimizer(name), new RegExp(`Unknown optimizer '${name}'\\. Choose one of: sgd`));
    });
  }
});
