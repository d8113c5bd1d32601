// What `npm start` and mnistResults say before they train: the runs the full-mode notebooks need
// (the sweep's and the notebooks' own), which are missing, and the time estimated from committed
// runs; and the `npm run train` command given for each run, which must train exactly that run
// into the file mnistResults finds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configFor } from '../src/train/config';
import { parseTrainArgs } from '../src/train/cli';
import { notebookRuns, trainCommand } from '../src/train/notebook-runs';
import { LR_GRID_EPOCHS, LR_GRID_EXPONENTS, LR_GRID_SEEDS } from '../src/train/lr-grid';
import { describeTraining, estimateTraining, formatDuration, missingRuns, plannedRuns } from '../src/train/run-plan';
import { defaultRunFile, entryRequest, finishedRunsOf, RunRecord, sameConfig, SWEEP_SEEDS, sweepEntries, writeRunRecord } from '../src/results';

const root = path.resolve(__dirname, '..');

/** A run record of `config` with `epochs` epochs of `seconds` each (numbers made up: only timed and matched). */
function recordOf(config: RunRecord['config'], seconds: number, epochs = config.epochs): RunRecord {
  return {
    config,
    backend: 'tensorflow',
    epochs: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, train_loss: 1, test_loss: 1, test_acc: 0.5, train_seconds: seconds })),
  };
}

/** The argv of a command line `npm run train -- ...` (its flags take no quoting). */
const argvOf = (command: string) => command.replace(/^npm run train -- /, '').split(' ');

test('the command given for each notebook run trains exactly that run, into the file mnistResults reads', () => {
  assert.ok(notebookRuns.length > 0);
  for (const run of notebookRuns) {
    const config = configFor(run.request);
    const invocation = parseTrainArgs(argvOf(trainCommand(config)));
    assert.notEqual(invocation, 'help');
    if (invocation === 'help') continue;
    assert.ok(sameConfig(invocation.config, config), `${run.label}: ${trainCommand(config)} trains another config`);
    assert.equal(invocation.out, defaultRunFile(config));
    assert.equal(finishedRunsOf(config, [recordOf(invocation.config, 1)]).length, 1, `${run.label}: mnistResults would not find it`);
  }
});

test("the command given for each sweep entry's run trains exactly that run (Muon's --others adamw included)", () => {
  for (const entry of sweepEntries) {
    const config = configFor({ ...entryRequest(entry), dataset: 'fashion', seed: 2 });
    const invocation = parseTrainArgs(argvOf(trainCommand(config)));
    assert.ok(invocation !== 'help' && sameConfig(invocation.config, config), `${entry.label}: ${trainCommand(config)} trains another config`);
  }
});

test('trainCommand spells every setting that differs from the defaults, and parses back to the same config', () => {
  const config = configFor({ optimizer: 'sgd', dataset: 'fashion', seed: 3, epochs: 2, limit: 500, batch_size: 32, optimizer_options: { lr: 0.05, nesterov: true, momentum: 0.9, weightDecay: 1e-4 } });
  const command = trainCommand(config);
  assert.equal(command, 'npm run train -- --optimizer sgd --dataset fashion --seed 3 --epochs 2 --limit 500 --batch-size 32 --lr 0.05 --momentum 0.9 --nesterov --weight-decay 0.0001');
  const invocation = parseTrainArgs(argvOf(command));
  assert.ok(invocation !== 'help' && sameConfig(invocation.config, config));
  assert.equal(trainCommand(configFor({ optimizer: 'adam' })), 'npm run train -- --optimizer adam');
});

test('the README gives the command of every notebook run', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const run of notebookRuns) assert.ok(readme.includes(`\`${trainCommand(configFor(run.request))}\``), `README.md lacks the command for ${run.notebook}'s ${run.label}`);
});

test('the plan: every sweep entry and seed on each dataset, then the notebooks\' own runs, then the MNIST lr grid', () => {
  const plan = plannedRuns(['mnist', 'fashion']);
  // The grid: 4 rates besides the sweep's, 2 seeds, for every entry.
  const grid = sweepEntries.length * (LR_GRID_EXPONENTS.length - 1) * LR_GRID_SEEDS.length;
  assert.equal(plan.length, sweepEntries.length * SWEEP_SEEDS.length * 2 + notebookRuns.length + grid);
  assert.equal(plan.filter((run) => run.source === '18-lr-sensitivity' && run.config.epochs === LR_GRID_EPOCHS).length, grid);
  assert.equal(plannedRuns(['fashion']).filter((run) => run.source === '18-lr-sensitivity').length, 0);
  assert.equal(plan.filter((run) => run.source === 'sweep' && run.config.dataset === 'fashion').length, sweepEntries.length * SWEEP_SEEDS.length);
  assert.deepEqual(plan.filter((run) => run.source !== 'sweep' && run.source !== '18-lr-sensitivity').map((run) => run.label), notebookRuns.map((run) => run.label));
  assert.equal(plannedRuns(['mnist']).filter((run) => run.config.dataset === 'fashion').length, 0);
});

test('missing runs: a finished sweep run in its file and a notebook run in any file count; an unfinished one does not', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'fun-optim-plan-'));
  fs.mkdirSync(path.join(project, 'outputs', 'runs'), { recursive: true });
  const plan = plannedRuns(['mnist']);
  const [first, second] = plan.filter((run) => run.source === 'sweep');
  const own = plan.find((run) => run.source !== 'sweep')!;
  writeRunRecord(path.join(project, first.file), recordOf(first.config, 10));
  writeRunRecord(path.join(project, second.file), recordOf(second.config, 10, second.config.epochs - 1));
  writeRunRecord(path.join(project, 'outputs', 'runs', 'named-by-hand.json'), recordOf(own.config, 10));
  const missing = missingRuns(plan, project).map((run) => run.file);
  assert.equal(missing.length, plan.length - 2);
  assert.ok(!missing.includes(first.file));
  assert.ok(missing.includes(second.file), 'an interrupted run is trained again');
  assert.ok(!missing.includes(own.file), 'mnistResults finds a notebook run whatever its file name');
});

test('the estimate: mean seconds per epoch of committed runs of the optimizer and batch size, scaled to the epochs and images', () => {
  const adam = configFor({ optimizer: 'adam' });
  const committed = [recordOf(configFor({ optimizer: 'adam', seed: 2 }), 10), recordOf(configFor({ optimizer: 'adam', seed: 3, limit: 6000 }), 2), recordOf(configFor({ optimizer: 'sgd' }), 4)];
  // Per image: 10/60000 and 2/6000; their mean, times 60000 images, is 15 s per epoch.
  assert.equal(Math.round(estimateTraining(adam, committed)!.seconds), 150);
  assert.equal(Math.round(estimateTraining(configFor({ optimizer: 'adam', epochs: 2, limit: 30000 }), committed)!.seconds), 15);
  // No committed RMSprop: any optimizer at batch 64.
  const rmsprop = estimateTraining(configFor({ optimizer: 'rmsprop' }), committed)!;
  assert.match(rmsprop.basis, /any optimizer at batch 64/);
  assert.equal(estimateTraining(configFor({ optimizer: 'lbfgs' }), committed), undefined, 'nothing at batch 1000 to go by');
  assert.equal(formatDuration(40), 'about 40 s');
  assert.equal(formatDuration(600), 'about 10 min');
  assert.equal(formatDuration(3 * 3600), 'about 3.0 h');
});

test('what is printed before training: the count and total first, then a line per run', () => {
  const plan = plannedRuns(['mnist']).filter((run) => run.label === 'adam' || run.label === 'lbfgs');
  const lines = describeTraining(plan, [recordOf(configFor({ optimizer: 'adam' }), 12)]);
  assert.match(lines[0], /^6 run\(s\) to train, about 6 min in all .*, plus 3 run\(s\) of unknown duration$/);
  assert.equal(lines.length, 7);
  assert.match(lines[1], /^ {2}adam \(mnist, 10 epoch\(s\), seed 1\) -> outputs\/runs\/mnist-seed-adam-1\.json: about 2 min/);
  assert.deepEqual(describeTraining([], []), ['nothing to train: every run is in outputs/runs']);
});
