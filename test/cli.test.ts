import { before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backendReady } from './helpers';
import { configFor } from '../src/train/config';
import { readRunRecord, RunRecord, writeRunRecord } from '../src/results';
import { optionValue, parseFlags, FlagReader, UsageError } from '../src/train/cli-args';
import { checkRunOutput, parseTrainArgs, TrainInvocation } from '../src/train/cli';
import { parseSweepArgs } from '../src/train/sweep';
import { createScheduler, schedulerNames } from '../src/optim';
import { libraryOnlySchedulers, trainableSchedulerNames, trainableSchedulers } from '../src/train/schedule';

before(() => backendReady);

const root = path.resolve(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fun-optim-cli-'));

/** Runs a program; `cwd` defaults to the project root (give a scratch folder for runs that write). */
function run(script: 'cli' | 'sweep', args: string[], cwd = root) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'train', `${script}.ts`), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A scratch project folder: node_modules linked (tsx resolves from the working folder), outputs empty. */
function scratchProject(name: string): string {
  const folder = path.join(scratch, name);
  fs.mkdirSync(path.join(folder, 'outputs', 'runs'), { recursive: true });
  fs.mkdirSync(path.join(folder, 'outputs', 'results'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(folder, 'node_modules'));
  return folder;
}

/** A small finished run record of `config` (numbers made up: it is only compared, never plotted). */
function recordOf(config: RunRecord['config']): RunRecord {
  const epochs = Array.from({ length: config.epochs }, (_, i) => ({ epoch: i + 1, train_loss: 1, test_loss: 0.5, test_acc: 0.5, train_seconds: 1 }));
  return { config, backend: 'tensorflow', epochs };
}

function parse(args: string[]): TrainInvocation {
  const parsed = parseTrainArgs(args);
  if (parsed === 'help') throw new Error('not a help request');
  return parsed;
}

/** Flags that keep a run fast (so that a test fails quickly, not after an hour, on code that trains). */
const SMALL = ['--epochs', '1', '--limit', '64'];

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
  ['an option flag with no value', ['--optimizer', 'sgd', '--lr', ...SMALL], /--lr needs a value/],
  ['a misspelt program flag', ['--optimizer', 'sgd', '--epoch', '1', '--limit', '64'], /did you mean --epochs\?/],
  ['a short flag', ['--optimizer', 'sgd', '-e', '1'], /'-e' is not a flag/],
  ['an empty --out=', ['--optimizer', 'sgd', '--out=', ...SMALL], /--out needs a value/],
  ['a scheduler that takes other schedulers', ['--optimizer', 'sgd', '--scheduler', 'SequentialLR', ...SMALL], /--scheduler SequentialLR takes other schedulers.*createScheduler/],
  ['an option both the scheduler and the optimizer take', ['--optimizer', 'adam', '--scheduler', 'ReduceLROnPlateau', '--eps', '1e-6', ...SMALL], /--scheduler-eps/],
  ['no weight decay on the biases in the flat layout', ['--optimizer', 'adamw', '--no-decay-biases', ...SMALL], /--no-decay-biases.*--layout tensors/],
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
  assert.match(flag.stderr, /unknown flag\(s\) --optimizer \(did you mean --optimizers\?\)/);
  const name = run('sweep', ['--optimizers', 'sgd,adamx']);
  assert.equal(name.status, 2, name.stderr);
  assert.match(name.stderr, /--optimizers: unknown 'adamx'/);
});

test('--help prints the usage and exits 0', () => {
  const { status, stdout } = run('cli', ['--help']);
  assert.equal(status, 0);
  assert.match(stdout, /--optimizer NAME/);
  assert.match(stdout, /--weight-decay/);
  assert.match(stdout, /--data-dir DIR .*FUN_OPTIM_MNIST_DIR/s);
  assert.match(stdout, /FUN_OPTIM_FASHION_DIR/);
  assert.match(stdout, /--force/);
  for (const flag of ['--scheduler NAME', '--scheduler-interval', '--t-max', '--eta-min', '--max-lr', '--pct-start', '--step-size', '--no-decay-biases', '--others adamw']) {
    assert.ok(stdout.includes(flag), `--help names ${flag}`);
  }
  const sweep = run('sweep', ['--help']);
  assert.equal(sweep.status, 0);
  assert.match(sweep.stdout, /--data-dir DIR .*FUN_OPTIM_MNIST_DIR/s);
});

test('--data-dir chooses where MNIST is read from', () => {
  const missing = path.join(scratch, 'no-mnist-here');
  const { status, stderr } = run('cli', ['--optimizer', 'sgd', '--data-dir', missing, ...SMALL, '--out', path.join(scratch, 'data-dir.json')]);
  assert.equal(status, 1, stderr);
  assert.match(stderr, new RegExp(`MNIST is not installed: ${missing} does not exist`));
});

test("the README's SGD example and Adam with --amsgrad get files of their own, not the sweep's sgd and adam runs", () => {
  const sgd = parse(['--optimizer', 'sgd', '--lr', '0.05', '--momentum', '0.9', '--nesterov', '--weight-decay', '5e-4', '--seed', '2']);
  assert.notEqual(sgd.out, path.join('outputs', 'runs', 'mnist-seed-sgd-2.json'));
  assert.equal(sgd.out, path.join('outputs', 'runs', 'mnist-seed-sgd-2-lr=0.05-momentum=0.9-nesterov-weightDecay=0.0005.json'));
  const amsgrad = parse(['--optimizer', 'adam', '--amsgrad']);
  assert.equal(amsgrad.out, path.join('outputs', 'runs', 'mnist-seed-adam_amsgrad-1.json'), "the sweep's own name for this configuration");
  // That file is committed and finished: it is not trained again without --force.
  assert.throws(() => checkRunOutput(amsgrad), /mnist-seed-adam_amsgrad-1\.json holds this run, finished.*--force.*--out FILE/);
  for (const setting of [['--batch-size', '128'], ['--net', 'modern'], ['--layout', 'tensors'], ['--limit', '1000'], ['--epochs', '3'], ['--betas', '0.8,0.9']]) {
    assert.notEqual(parse(['--optimizer', 'adam', ...setting]).out, parse(['--optimizer', 'adam']).out, `${setting.join(' ')} changes the run, and its file`);
  }
});

test('a run never replaces a run of another configuration without --force', () => {
  const project = scratchProject('other-config');
  const adamFile = path.join(project, 'outputs', 'runs', 'mnist-seed-adam-1-e1-limit64.json');
  writeRunRecord(adamFile, recordOf(configFor({ optimizer: 'adam', epochs: 1, limit: 64 })));
  const before = fs.readFileSync(adamFile, 'utf8');
  const amsgrad = run('cli', ['--optimizer', 'adam', '--amsgrad', ...SMALL], project);
  assert.equal(amsgrad.status, 0, amsgrad.stderr);
  assert.equal(fs.readFileSync(adamFile, 'utf8'), before, 'the plain Adam run is untouched');
  assert.equal(readRunRecord(path.join(project, 'outputs', 'runs', 'mnist-seed-adam_amsgrad-1-e1-limit64.json')).config.optimizer_options.amsgrad, true);

  const refused = run('cli', ['--optimizer', 'sgd', ...SMALL, '--out', adamFile], project);
  assert.equal(refused.status, 2, refused.stderr);
  assert.ok(refused.stderr.includes(adamFile), refused.stderr);
  assert.match(refused.stderr, /holds a run of another configuration \(optimizer: "adam" -> "sgd".*--out FILE.*--force/);
  assert.doesNotMatch(refused.stdout, /epoch 1\/1/, 'refused before training');
  assert.equal(fs.readFileSync(adamFile, 'utf8'), before);

  const forced = run('cli', ['--optimizer', 'sgd', ...SMALL, '--out', adamFile, '--force'], project);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /replacing it \(--force\)/);
  assert.equal(readRunRecord(adamFile).config.optimizer, 'sgd');
});

{
  const fileInTheWay = path.join(scratch, 'a-file');
  fs.writeFileSync(fileInTheWay, 'not a folder');
  const folder = path.join(scratch, 'a-folder');
  fs.mkdirSync(folder, { recursive: true });
  const unwritable = process.getuid?.() === 0 ? '/proc' : fs.mkdtempSync(path.join(scratch, 'read-only-'));
  if (unwritable !== '/proc') fs.chmodSync(unwritable, 0o555);
  const badOuts: Array<[string, string]> = [
    ['a folder', folder],
    ['a file in an unwritable folder', path.join(unwritable, 'run.json')],
    ['a file in a missing folder', path.join(scratch, 'no-such-folder', 'run.json')],
    ['a path through a file', path.join(fileInTheWay, 'run.json')],
  ];
  for (const [what, out] of badOuts) {
    test(`--out ${what} is refused before training, naming the path`, () => {
      assert.throws(() => checkRunOutput(parse(['--optimizer', 'sgd', ...SMALL, '--out', out])), (error: Error) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.ok(error.message.includes(out), error.message);
        assert.match(error.message, /^--out: /);
        return true;
      });
    });
  }
  test('the program checks --out before it trains', () => {
    const { status, stdout, stderr } = run('cli', ['--optimizer', 'sgd', ...SMALL, '--out', folder]);
    assert.equal(status, 2, stderr);
    assert.match(stderr, new RegExp(`^error: --out: ${folder} is a folder, not a file`));
    assert.doesNotMatch(stdout, /epoch 1\/1/);
  });
}

describe('a partial sweep', () => {
  const project = scratchProject('partial-sweep');
  const fullTable = path.join(project, 'outputs', 'results', 'mnist.csv');
  const corrupt = path.join(project, 'outputs', 'runs', 'mnist-seed-sgd-1-e1-limit64.json');
  let result: ReturnType<typeof run>;
  before(() => {
    fs.writeFileSync(fullTable, 'optimizer,epoch,metric,value,seed\nsgd,1,test_acc,0.9,1\n');
    fs.writeFileSync(corrupt, '{"config": ');
    result = run('sweep', ['--optimizers', 'sgd', ...SMALL, '--seeds', '1'], project);
  });

  test('writes a table named for its subset and leaves the full table alone', () => {
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.readFileSync(fullTable, 'utf8'), 'optimizer,epoch,metric,value,seed\nsgd,1,test_acc,0.9,1\n');
    const table = path.join(project, 'outputs', 'results', 'mnist-e1-limit64-sgd-seeds1.csv');
    assert.match(result.stdout, /wrote outputs\/results\/mnist-e1-limit64-sgd-seeds1\.csv \(1 runs\)/);
    const lines = fs.readFileSync(table, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1 + 3 * 2, 'header, then a seed row and a mean row per metric');
  });

  test('says that it retrains over a corrupt run file, and why', () => {
    assert.match(result.stdout, /sgd seed 1: retraining: outputs\/runs\/mnist-seed-sgd-1-e1-limit64\.json is not a run record \(not JSON/);
    assert.equal(readRunRecord(corrupt).epochs.length, 1);
  });
});

const badSweeps: Array<[string, string[], RegExp]> = [
  ['an empty --optimizers', ['--optimizers', ''], /--optimizers needs a value/],
  ['an empty entry in --optimizers', ['--optimizers', 'sgd,'], /--optimizers needs a comma-separated list of names without empty entries/],
  ['an optimizer twice', ['--optimizers', 'sgd,sgd'], /--optimizers lists sgd twice/],
  ['the same optimizer twice under two spellings', ['--optimizers', 'adam-amsgrad,adam_amsgrad'], /--optimizers names adam_amsgrad twice/],
  ['a seed twice', ['--optimizers', 'sgd', '--seeds', '1,1'], /--seeds lists 1 twice/],
];
for (const [what, args, message] of badSweeps) {
  test(`npm run sweep with ${what}: refused`, () => {
    assert.throws(() => parseSweepArgs([...args, ...SMALL]), (error: Error) => error instanceof UsageError && message.test(error.message));
  });
}

test('npm run sweep --scheduler: every run and the table carry the schedule; its options are bare or --scheduler- flags', () => {
  const sweep = parseSweepArgs(['--optimizers', 'sgd,muon_adamw', '--scheduler', 'StepLR', '--step-size', '3', '--scheduler-gamma', '0.5', '--epochs', '2', '--seeds', '1']);
  assert.ok(sweep !== 'help');
  assert.equal(sweep.csv, path.join('outputs', 'results', 'mnist-e2-sgd+muon_adamw-seeds1-StepLR-gamma=0.5-stepSize=3-epoch.csv'));
  assert.deepEqual(sweep.plans.map((plan) => plan.config.scheduler), Array(2).fill({ name: 'StepLR', options: { stepSize: 3, gamma: 0.5 }, interval: 'epoch' }));
  assert.deepEqual(sweep.plans.map((plan) => path.basename(plan.file)), [
    'mnist-seed-sgd-1-e2-StepLR-gamma=0.5-stepSize=3-epoch.json',
    'mnist-seed-muon_adamw-1-e2-StepLR-gamma=0.5-stepSize=3-epoch.json',
  ]);
  assert.throws(() => parseSweepArgs(['--scheduler', 'StepLR', '--step-sise', '3']), /StepLR has no option 'stepSise' \(did you mean --step-size\?\)/);
  assert.throws(() => parseSweepArgs(['--scheduler', 'StepLR']), /StepLR needs the option 'stepSize'/);
  assert.throws(() => parseSweepArgs(['--step-size', '3']), /unknown flag\(s\) --step-size/);
  assert.throws(() => parseSweepArgs(['--scheduler-gamma', '3']), /give --scheduler NAME too/);
});

test('npm run sweep with an empty --optimizers exits 2 before training, writing nothing', () => {
  const project = scratchProject('empty-sweep');
  const { status, stdout, stderr } = run('sweep', ['--optimizers', '', ...SMALL], project);
  assert.equal(status, 2, stderr);
  assert.match(stderr, /^error: --optimizers needs a value/);
  assert.doesNotMatch(stdout, /epoch 1\/1/);
  assert.deepEqual(fs.readdirSync(path.join(project, 'outputs', 'results')), []);
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
  assert.deepEqual(Object.keys(record.epochs[0]).sort(), ['epoch', 'lr', 'test_acc', 'test_loss', 'train_loss', 'train_seconds']);
});

test('a StepLR run records the lr of every epoch, and its scheduler and bias group in its config and name', () => {
  const project = scratchProject('scheduled-run');
  const args = ['--optimizer', 'sgd', '--layout', 'tensors', '--no-decay-biases', '--weight-decay', '0.01'];
  const schedule = ['--scheduler', 'step_lr', '--step-size', '1', '--gamma', '0.5', '--epochs', '2', '--limit', '256'];
  const { status, stderr } = run('cli', [...args, ...schedule], project);
  assert.equal(status, 0, stderr);
  const file = 'mnist-seed-sgd-1-e2-limit256-tensors-weightDecay=0.01-nodecaybias-StepLR-gamma=0.5-stepSize=1-epoch.json';
  const record = readRunRecord(path.join(project, 'outputs', 'runs', file));
  assert.deepEqual(record.config.scheduler, { name: 'StepLR', options: { stepSize: 1, gamma: 0.5 }, interval: 'epoch' });
  assert.equal(record.config.no_decay_biases, true);
  assert.deepEqual(record.epochs.map((e) => e.lr), [0.01, 0.005], 'lr 0.01, halved after the first epoch');
});

/** parseTrainArgs' refusal of `args` (a UsageError: exit status 2 before anything trains). */
function refusal(args: string[]): string {
  try {
    parse(args);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

test('scheduler flags: torch names in any case, options in kebab-case routed to the scheduler, intervals', () => {
  const step = parse(['--optimizer', 'adam', '--scheduler', 'step_lr', '--step-size', '2', '--gamma', '0.5', '--lr', '0.01']);
  assert.deepEqual(step.config.scheduler, { name: 'StepLR', options: { stepSize: 2, gamma: 0.5 }, interval: 'epoch' });
  assert.deepEqual(step.config.optimizer_options, { lr: 0.01 });
  assert.equal(step.out, path.join('outputs', 'runs', 'mnist-seed-adam-1-lr=0.01-StepLR-gamma=0.5-stepSize=2-epoch.json'));
  const cosine = parse(['--optimizer', 'sgd', '--scheduler', 'CosineAnnealingLR', '--t-max', '10', '--eta-min', '1e-4', '--scheduler-interval', 'step']);
  assert.deepEqual(cosine.config.scheduler, { name: 'CosineAnnealingLR', options: { tMax: 10, etaMin: 1e-4 }, interval: 'step' });
  const oneCycle = parse(['--optimizer', 'sgd', '--scheduler', 'onecyclelr', '--max-lr', '0.1', '--pct-start', '0.25', '--three-phase']);
  assert.deepEqual(oneCycle.config.scheduler, { name: 'OneCycleLR', options: { maxLr: 0.1, pctStart: 0.25, threePhase: true }, interval: 'step' });
  assert.equal(parse(['--optimizer', 'sgd', '--scheduler', 'OneCycleLR', '--max-lr', '0.1', '--scheduler-interval', 'epoch']).config.scheduler?.interval, 'epoch');
  const plateau = parse(['--optimizer', 'adam', '--scheduler', 'ReduceLROnPlateau', '--scheduler-eps', '1e-9', '--optimizer-eps', '1e-6', '--patience', '2']);
  assert.deepEqual(plateau.config.scheduler?.options, { eps: 1e-9, patience: 2 });
  assert.deepEqual(plateau.config.optimizer_options, { eps: 1e-6 });
  assert.equal(parse(['--optimizer', 'asgd', '--scheduler', 'StepLR', '--step-size', '3', '--t0', '100']).config.optimizer_options.t0, 100, "ASGD's t0: StepLR has none");
  assert.equal(parse(['--optimizer', 'sgd']).config.scheduler, null);
});

test('scheduler flags: each wrong use refused before training, saying what to write', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--scheduler', 'StepLRR'], /Unknown scheduler 'StepLRR' \(did you mean 'StepLR'\?\)/],
    [['--scheduler', 'LambdaLR'], /LambdaLR takes a function of the epoch.*createScheduler/],
    [['--scheduler', 'ChainedScheduler'], /ChainedScheduler takes other schedulers/],
    [['--scheduler', 'StepLR'], /StepLR needs the option 'stepSize'.*--step-size --gamma/],
    [['--scheduler', 'StepLR', '--step-size', '0'], /--scheduler StepLR: StepLR: stepSize must be an integer >= 1, got 0/],
    [['--scheduler', 'StepLR', '--step-size', '2', '--scheduler-interval', 'batch'], /--scheduler-interval must be one of epoch, step; got 'batch'/],
    [['--scheduler-interval', 'step'], /--scheduler-interval needs --scheduler NAME/],
    [['--scheduler-gamma', '0.5'], /--scheduler-gamma is a scheduler option: give --scheduler NAME too/],
    [['--scheduler', 'StepLR', '--step-size', '2', '--scheduler-eps', '1'], /StepLR has no option 'eps'; its options are --step-size --gamma/],
    [['--scheduler', 'StepLR', '--step-sise', '2'], /did you mean StepLR's --step-size\?/],
    [['--scheduler', 'ReduceLROnPlateau', '--eps', '1e-6'], /--eps is an option of both ReduceLROnPlateau and adam: write --scheduler-eps .* --optimizer-eps/],
    [['--scheduler', 'ReduceLROnPlateau', '--scheduler-interval', 'step'], /ReduceLROnPlateau steps once per epoch/],
  ];
  for (const [args, message] of cases) assert.match(refusal(['--optimizer', 'adam', ...args]), message, args.join(' '));
});

test('--no-decay-biases and --others: in the config and the name, refused where they cannot apply', () => {
  const biases = parse(['--optimizer', 'adamw', '--layout', 'tensors', '--no-decay-biases']);
  assert.equal(biases.config.no_decay_biases, true);
  assert.equal(biases.out, path.join('outputs', 'runs', 'mnist-seed-adamw-1-tensors-nodecaybias.json'));
  assert.match(refusal(['--optimizer', 'adamw', '--no-decay-biases']), /needs the parameter layout 'tensors' \(--layout tensors\)/);
  assert.match(refusal(['--optimizer', 'rprop', '--layout', 'tensors', '--no-decay-biases']), /Rprop.*weightDecay/);
  const muon = parse(['--optimizer', 'muon', '--layout', 'tensors', '--others', 'adamw']);
  assert.deepEqual(muon.config.others, { optimizer: 'adamw', options: {} });
  assert.equal(muon.out, path.join('outputs', 'runs', 'mnist-seed-muon_adamw-1.json'), "the sweep's Muon with AdamW");
  const tuned = parse(['--optimizer', 'muon', '--layout', 'tensors', '--others', 'adamw', '--others-lr', '3e-3', '--lr', '0.02']);
  assert.deepEqual(tuned.config.others, { optimizer: 'adamw', options: { lr: 3e-3 } });
  assert.deepEqual(tuned.config.optimizer_options, { adjustLrFn: 'match_rms_adamw', lr: 0.02 });
  assert.equal(tuned.out, path.join('outputs', 'runs', 'mnist-seed-muon-1-lr=0.02-adamw-lr=0.003.json'));
  assert.match(refusal(['--optimizer', 'sgd', '--others', 'adamw']), /--others adamw\) is for Muon.*leave --others out/);
  assert.match(refusal(['--optimizer', 'muon', '--layout', 'tensors']), /convolution kernels and biases: give --others adamw/);
  assert.match(refusal(['--optimizer', 'muon', '--others', 'adamw']), /one 1-D variable: give --layout tensors$/);
  assert.match(refusal(['--optimizer', 'muon']), /give --layout tensors and --others adamw/);
  assert.match(refusal(['--optimizer', 'muon', '--layout', 'tensors', '--others', 'sgd']), /--others must be one of adamw; got 'sgd'/);
  assert.match(refusal(['--optimizer', 'adam', '--others-lr', '0.1']), /--others-lr is an option of Muon's second optimizer: give --others adamw too/);
  assert.match(refusal(['--optimizer', 'muon', '--layout', 'tensors', '--others', 'adamw', '--others-lrr', '1']), /AdamW has no option 'lrr'.*--others-lrr/);
});

test('the scheduler table names exactly the options of each scheduler of the library, and every scheduler is either trainable or library-only', () => {
  assert.deepEqual([...trainableSchedulerNames, ...libraryOnlySchedulers].sort(), [...schedulerNames].sort());
  const groups = { paramGroups: [{ lr: 0.1, momentum: 0.9 }] };
  for (const name of trainableSchedulerNames) {
    // The library's refusal of an unknown option lists the options it has.
    const message = (() => {
      try {
        createScheduler(name, groups, { notAnOption: 1 });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    const listed = /Its options are: ([^.]*)\./.exec(message)?.[1].split(', ') ?? [];
    assert.deepEqual(listed.filter((option) => option !== 'lastEpoch' && option !== 'scaleFn').sort(), [...trainableSchedulers[name]].sort(), name);
  }
});

test('flags map to optimizer options generically (kebab-case to camelCase, typed values)', () => {
  const invocation = parse(['--optimizer', 'lbfgs', '--line-search-fn', 'strong_wolfe', '--max-iter', '7', '--tolerance-grad=1e-9']);
  assert.deepEqual(invocation.config.optimizer_options, { maxIter: 7, historySize: 10, lineSearchFn: 'strong_wolfe', toleranceGrad: 1e-9 });
  assert.equal(invocation.out, path.join('outputs', 'runs', 'mnist-seed-lbfgs-1-maxIter=7-toleranceGrad=1e-9.json'));
  assert.equal(parse(['--optimizer', 'lbfgs']).out, path.join('outputs', 'runs', 'mnist-seed-lbfgs-1.json'), "the sweep's setup keeps the sweep's name");
  const sgd = parse(['--optimizer', 'SGD', '--nesterov', '--momentum', '0.9', '--weight-decay', '0.01']);
  assert.deepEqual(sgd.config.optimizer_options, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
  assert.equal(sgd.config.batch_size, 64);
  assert.deepEqual([optionValue('none'), optionValue('false'), optionValue('0.5,0.6'), optionValue('abc')], [null, false, [0.5, 0.6], 'abc']);
  const reader = new FlagReader(parseFlags(['--limit', '0']));
  assert.throws(() => reader.integer('limit', 1), UsageError);
});

test('programs without optimizer options refuse unknown flags, naming the nearest one', () => {
  const reader = new FlagReader(parseFlags(['--step', '5', '--warmup', '1']));
  assert.equal(reader.integer('steps', 1), undefined);
  assert.equal(reader.integer('warmup', 0), 1);
  assert.throws(() => reader.refuseUnknown(), /unknown flag\(s\) --step \(did you mean --steps\?\)/);
  const flags = parseFlags(['--weight-decay', '0.01', '--betas=0.9,0.99', '--force', '--profile', 'x'], ['force']);
  assert.deepEqual([...flags.flags], [['weight-decay', '0.01'], ['betas', '0.9,0.99'], ['force', true], ['profile', 'x']]);
  assert.throws(() => parseFlags(['--force', 'x'], ['force']), /unexpected argument 'x'/);
  assert.throws(() => parseFlags(['--weightDecay', '1']), /is not a flag name/);
});
