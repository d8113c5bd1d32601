import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backendReady } from './helpers';
import { readRunRecord } from '../src/train/results';
import { optionValue, parseFlags, FlagReader, UsageError } from '../src/train/cli-args';
import { parseTrainArgs } from '../src/train/cli';

before(() => backendReady);

const root = path.resolve(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fun-optim-cli-'));

function run(script: 'cli' | 'sweep', args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'train', `${script}.ts`), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const badInvocations: Array<[string, string[], RegExp]> = [
  ['no optimizer', ['--epochs', '1'], /--optimizer is required/],
  ['unknown optimizer', ['--optimizer', 'adamm'], /Unknown optimizer 'adamm'. Choose one of: sgd, /],
  ['zero epochs', ['--optimizer', 'sgd', '--epochs', '0'], /--epochs must be at least 1; got 0/],
  ['negative epochs', ['--optimizer', 'sgd', '--epochs', '-2'], /--epochs must be at least 1; got -2/],
  ['a word for a number', ['--optimizer', 'sgd', '--epochs', 'ten'], /--epochs must be a whole number; got 'ten'/],
  ['a word for an option number', ['--optimizer', 'sgd', '--momentum', 'high'], /SGD option 'momentum' must be a number, got "high"/],
  ['a misspelt option', ['--optimizer', 'sgd', '--weight-decy', '0.1'], /SGD has no option 'weightDecy' \(did you mean 'weightDecay'\?\).*--weight-decy/],
  ['an option of another optimizer', ['--optimizer', 'sgd', '--amsgrad'], /SGD has no option 'amsgrad'/],
  ['a bad betas pair', ['--optimizer', 'adam', '--betas', '0.9'], /Adam option 'betas' must be a pair of numbers/],
  ['an invalid value', ['--optimizer', 'sgd', '--lr', '-1'], /Invalid learning rate: -1/],
  ['an unknown dataset', ['--optimizer', 'sgd', '--dataset', 'cifar10'], /--dataset must be one of mnist, fashion; got 'cifar10'/],
  ['an unknown backend', ['--optimizer', 'sgd', '--backend', 'webgl'], /--backend must be one of auto, tensorflow, tensorflow-gpu, cpu/],
  ['a stray argument', ['sgd'], /unexpected argument 'sgd'/],
  ['a flag given twice', ['--optimizer', 'sgd', '--seed', '1', '--seed', '2'], /--seed is given twice/],
];

for (const [what, args, message] of badInvocations) {
  test(`npm run train with ${what}: a clear error and exit status 2`, () => {
    const { status, stderr } = run('cli', args);
    assert.equal(status, 2, stderr);
    assert.match(stderr, message);
    assert.match(stderr, /^error: /);
  });
}

test('npm run sweep refuses unknown flags and optimizers with exit status 2', () => {
  const flag = run('sweep', ['--optimizer', 'sgd']);
  assert.equal(flag.status, 2, flag.stderr);
  assert.match(flag.stderr, /unknown flag\(s\) --optimizer/);
  const name = run('sweep', ['--optimizers', 'sgd,adamx']);
  assert.equal(name.status, 2, name.stderr);
  assert.match(name.stderr, /--optimizers: unknown 'adamx'/);
});

test('--help prints the usage and exits 0', () => {
  const { status, stdout } = run('cli', ['--help']);
  assert.equal(status, 0);
  assert.match(stdout, /--optimizer NAME/);
  assert.match(stdout, /--weight-decay/);
});

test('a run writes its JSON with plain progress lines when output is not a terminal', () => {
  const out = path.join(scratch, 'run.json');
  const { status, stdout, stderr } = run('cli', ['--optimizer', 'adam', '--betas', '0.9,0.99', '--amsgrad', '--epochs', '1', '--limit', '256', '--seed', '3', '--out', out]);
  assert.equal(status, 0, stderr);
  assert.doesNotMatch(stdout, /\r/, 'no redrawn progress bar in a pipe');
  assert.match(stdout, /epoch 1\/1: train loss [0-9.]+, test loss [0-9.]+, test accuracy [0-9.]+%/);
  const record = readRunRecord(out);
  assert.deepEqual(Object.keys(record).sort(), ['backend', 'config', 'epochs']);
  assert.equal(record.backend, 'tensorflow');
  assert.deepEqual(record.config.optimizer_options, { betas: [0.9, 0.99], amsgrad: true });
  assert.equal(record.config.limit, 256);
  assert.equal(record.config.seed, 3);
  assert.deepEqual(Object.keys(record.epochs[0]).sort(), ['epoch', 'test_acc', 'test_loss', 'train_loss', 'train_seconds']);
});

test('flags map to optimizer options generically (kebab-case to camelCase, typed values)', () => {
  const parse = (args: string[]) => {
    const parsed = parseTrainArgs(args);
    if (parsed === 'help') throw new Error('not a help request');
    return parsed;
  };
  const invocation = parse(['--optimizer', 'lbfgs', '--line-search-fn', 'strong_wolfe', '--max-iter', '7', '--tolerance-grad=1e-9']);
  assert.deepEqual(invocation.config.optimizer_options, { maxIter: 7, historySize: 10, lineSearchFn: 'strong_wolfe', toleranceGrad: 1e-9 });
  assert.equal(invocation.out, path.join('outputs', 'runs', 'mnist-seed-lbfgs-1.json'));
  const sgd = parse(['--optimizer', 'SGD', '--nesterov', '--momentum', '0.9', '--weight-decay', '0.01']);
  assert.deepEqual(sgd.config.optimizer_options, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
  assert.equal(sgd.config.batch_size, 64);
  assert.deepEqual([optionValue('none'), optionValue('false'), optionValue('0.5,0.6'), optionValue('abc')], [null, false, [0.5, 0.6], 'abc']);
  const reader = new FlagReader(parseFlags(['--limit', '0']));
  assert.throws(() => reader.integer('limit', 1), UsageError);
});
