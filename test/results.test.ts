import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  defaultRunFile,
  existingRun,
  formatResultsCsv,
  parseResultsCsv,
  perEpoch,
  readResultsTable,
  readRunRecord,
  resultRows,
  resultsTableFile,
  RunRecord,
  RUNS_DIR,
  entryRequest,
  SWEEP_SEEDS,
  sweepEntries,
  tutorialSweepEntries,
  writeRunRecord,
} from '../src/results';
import { configFor, TrainRequest } from '../src/train/config';

const root = path.resolve(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fun-optim-results-'));

function record(request: TrainRequest, losses: Array<number | null>, acc = 0.9): RunRecord {
  const config = configFor({ epochs: losses.length, ...request });
  return {
    config,
    backend: 'tensorflow',
    epochs: losses.map((loss, i) => ({ epoch: i + 1, train_loss: loss ?? NaN, test_loss: loss ?? NaN, test_acc: acc, train_seconds: 1 })),
  };
}

const name = (request: TrainRequest) => path.basename(defaultRunFile(configFor(request)));

test('every committed run file parses and sits at the name the naming rule gives its config', () => {
  const dir = path.join(root, RUNS_DIR);
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.json'));
  assert.ok(files.length >= 28, `${files.length} run files`);
  for (const file of files) {
    const run = readRunRecord(path.join(dir, file));
    assert.equal(path.basename(defaultRunFile(run.config)), file);
  }
});

test('run names: the sweep keeps its names; every setting that changes the run changes the name', () => {
  assert.equal(name({ optimizer: 'sgd' }), 'mnist-seed-sgd-1.json');
  assert.equal(name({ optimizer: 'adam', optimizer_options: { amsgrad: true }, seed: 3 }), 'mnist-seed-adam_amsgrad-3.json');
  assert.equal(name({ optimizer: 'rprop', dataset: 'fashion', seed: 2 }), 'fashion-seed-rprop-2.json');
  assert.equal(name({ optimizer: 'sgd', epochs: 2, limit: 10000 }), 'mnist-seed-sgd-1-e2-limit10000.json');
  const variants: TrainRequest[] = [
    { optimizer: 'adam' },
    { optimizer: 'adam', optimizer_options: { amsgrad: true } },
    { optimizer: 'adam', optimizer_options: { amsgrad: false } },
    { optimizer: 'adam', optimizer_options: { lr: 0.01 } },
    { optimizer: 'adam', optimizer_options: { betas: [0.8, 0.9] } },
    { optimizer: 'adam', batch_size: 128 },
    { optimizer: 'adam', test_batch_size: 500 },
    { optimizer: 'adam', net: 'modern' },
    { optimizer: 'adam', parameter_layout: 'tensors' },
    { optimizer: 'adam', limit: 1000 },
    { optimizer: 'adam', epochs: 3 },
    { optimizer: 'adam', seed: 2 },
    { optimizer: 'adam', dataset: 'fashion' },
    { optimizer: 'adamw' },
    { optimizer: 'rprop', batch_size: 64 },
    { optimizer: 'rmsprop', optimizer_options: { lr: 1e-3 } },
    { optimizer: 'adam', parameter_layout: 'tensors', no_decay_biases: true },
    { optimizer: 'adam', scheduler: { name: 'StepLR', options: { stepSize: 3 }, interval: 'epoch' } },
    { optimizer: 'adam', scheduler: { name: 'StepLR', options: { stepSize: 3 }, interval: 'step' } },
    { optimizer: 'adam', scheduler: { name: 'StepLR', options: { stepSize: 3, gamma: 0.5 }, interval: 'epoch' } },
    { optimizer: 'adam', scheduler: { name: 'ExponentialLR', options: { gamma: 0.5 }, interval: 'epoch' } },
    { optimizer: 'adafactor' },
    { optimizer: 'adafactor', parameter_layout: 'tensors' },
    { optimizer: 'adafactor', parameter_layout: 'tensors', optimizer_options: { lr: 0.1 } },
    { optimizer: 'muon', parameter_layout: 'tensors', others: { optimizer: 'adamw', options: {} } },
    { optimizer: 'muon', parameter_layout: 'tensors', others: { optimizer: 'adamw', options: { lr: 0.01 } } },
    { optimizer: 'muon', parameter_layout: 'tensors', optimizer_options: { lr: 0.01 }, others: { optimizer: 'adamw', options: {} } },
    { optimizer: 'lion' },
    { optimizer: 'adamwschedulefree' },
  ];
  const names = variants.map(name);
  assert.equal(new Set(names).size, variants.length, names.join('\n'));
  assert.equal(name({ optimizer: 'rprop', batch_size: 64 }), 'mnist-seed-rprop-1-batch64.json');
  assert.equal(name({ optimizer: 'rmsprop', optimizer_options: { lr: 1e-3 } }), 'mnist-seed-rmsprop-1-lr=0.001.json');
  // The new settings' suffixes, and the four newer optimizers' entries (their own recipes, no suffix).
  assert.equal(name({ optimizer: 'adam', parameter_layout: 'tensors', no_decay_biases: true }), 'mnist-seed-adam-1-tensors-nodecaybias.json');
  assert.equal(
    name({ optimizer: 'sgd', scheduler: { name: 'OneCycleLR', options: { maxLr: 0.1 }, interval: 'step' } }),
    'mnist-seed-sgd-1-OneCycleLR-maxLr=0.1-step.json',
  );
  assert.equal(name({ optimizer: 'adafactor', parameter_layout: 'tensors' }), 'mnist-seed-adafactor-1.json');
  assert.equal(name({ optimizer: 'adafactor' }), 'mnist-seed-adafactor-1-flat.json', "a flat Adafactor is not the sweep's");
  const muonAdamW = { optimizer: 'muon', parameter_layout: 'tensors', optimizer_options: { adjustLrFn: 'match_rms_adamw' } } as const;
  assert.equal(name({ ...muonAdamW, others: { optimizer: 'adamw', options: {} } }), 'mnist-seed-muon_adamw-1.json');
  assert.equal(name({ ...muonAdamW, others: { optimizer: 'adamw', options: { lr: 0.01 } } }), 'mnist-seed-muon-1-adamw-lr=0.01.json');
  assert.equal(name({ optimizer: 'lion', optimizer_options: { lr: 3e-4 } }), 'mnist-seed-lion-1.json');
  assert.equal(name({ optimizer: 'lion', optimizer_options: { lr: 1e-4 } }), 'mnist-seed-lion-1-lr=0.0001.json');
  assert.equal(name({ optimizer: 'adamwschedulefree' }), 'mnist-seed-adamwschedulefree-1.json');
  const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`option${i}`, 0.123456789]));
  assert.ok(name({ optimizer: 'adam', optimizer_options: many }).length < 100, 'a long list of options becomes a digest');
});

test('table names: only the full sweep writes <dataset>.csv', () => {
  const labels = sweepEntries.map((e) => e.label);
  const full = { dataset: 'mnist' as const, net: 'seed' as const, epochs: 10, limit: null, labels, seeds: [1, 2, 3] };
  assert.equal(resultsTableFile(full), path.join('outputs', 'results', 'mnist.csv'));
  assert.equal(
    resultsTableFile({ ...full, labels: ['sgd'], epochs: 2, limit: 10000, seeds: [1] }),
    path.join('outputs', 'results', 'mnist-e2-limit10000-sgd-seeds1.csv'),
  );
  const stepLR = { name: 'StepLR' as const, options: { stepSize: 3 }, interval: 'epoch' as const };
  const partial = [
    { seeds: [1] },
    { seeds: [1, 2, 3, 4] },
    { labels: labels.slice(1) },
    { labels: tutorialSweepEntries.map((e) => e.label) },
    { net: 'modern' as const },
    { epochs: 5 },
    { limit: 100 },
    { scheduler: stepLR },
  ];
  assert.equal(resultsTableFile({ ...full, scheduler: stepLR }), path.join('outputs', 'results', 'mnist-StepLR-stepSize=3-epoch.csv'));
  assert.equal(resultsTableFile({ ...full, scheduler: null }), resultsTableFile(full));
  const names = partial.map((change) => resultsTableFile({ ...full, ...change }));
  assert.ok(!names.includes(resultsTableFile(full)), names.join('\n'));
  assert.equal(new Set(names).size, partial.length);
});

test('one averaging rule: over the runs that reached the epoch, NaN kept; the table uses it', () => {
  const runs = [record({ optimizer: 'sgd', seed: 1 }, [1, 0.5]), record({ optimizer: 'sgd', seed: 2 }, [3, null]), record({ optimizer: 'sgd', seed: 3 }, [2])];
  const stats = perEpoch(runs).filter((s) => s.metric === 'test_loss');
  assert.deepEqual(stats[0].values, [1, 3, 2]);
  assert.equal(stats[0].mean, 2);
  assert.equal(stats[0].std, 1);
  assert.deepEqual(stats[1].values, [0.5, NaN], 'epoch 2: the two runs that reached it');
  assert.ok(Number.isNaN(stats[1].mean), 'a diverged seed makes the mean NaN, not the other seeds\' value');
  const rows = resultRows(runs.map((r) => ({ label: 'sgd', record: r })));
  const mean = (epoch: number) => rows.find((r) => r.epoch === epoch && r.metric === 'test_loss' && r.seed === 'mean')!.value;
  assert.equal(mean(1), 2);
  assert.ok(Number.isNaN(mean(2)));
  const csv = formatResultsCsv(rows);
  assert.match(csv, /^sgd,2,test_loss,NaN,mean$/m);
  assert.match(csv, /^sgd,2,test_loss,NaN,2$/m);
  const back = parseResultsCsv(csv, 'table');
  assert.equal(back.length, rows.length);
  assert.deepEqual(back.filter((r) => Number.isFinite(r.value)), rows.filter((r) => Number.isFinite(r.value)));
});

test('the committed tables read back through the CSV library, one row per seed and a mean', () => {
  const rows = readResultsTable(path.join(root, 'outputs', 'results', 'mnist.csv'));
  const labels = new Set(rows.map((r) => r.optimizer));
  // The table holds the entries whose three seeds are committed (the newer entries join once trained).
  const committed = sweepEntries.filter((entry) =>
    SWEEP_SEEDS.every((seed) => fs.existsSync(defaultRunFile(configFor({ ...entryRequest(entry), seed }), path.join(root, RUNS_DIR))))
  );
  assert.ok(committed.length >= tutorialSweepEntries.length, `${committed.length} entries committed`);
  assert.deepEqual([...labels].sort(), committed.map((e) => e.label).sort());
  assert.ok(rows.every((r) => r.epoch >= 1 && r.epoch <= 10 && (typeof r.seed === 'number' || r.seed === 'mean' || r.seed === 'std')));
  assert.throws(() => parseResultsCsv('optimizer,epoch,metric\nsgd,1,test_acc\n', 'bad.csv'), /bad\.csv: expected the columns .*missing value, seed/);
  assert.throws(() => parseResultsCsv('optimizer,epoch,metric,value,seed\nsgd,1,test_acc,high,1\n', 'bad.csv'), /bad\.csv, line 2: value 'high'/);
});

test('a failed write leaves the previous file and no temporary file behind', () => {
  const folder = fs.mkdtempSync(path.join(scratch, 'write-'));
  const target = path.join(folder, 'in-the-way');
  fs.mkdirSync(target);
  assert.throws(() => writeRunRecord(target, record({ optimizer: 'sgd' }, [1])));
  assert.deepEqual(fs.readdirSync(folder), ['in-the-way']);
  const file = path.join(folder, 'run.json');
  writeRunRecord(file, record({ optimizer: 'sgd' }, [1]));
  assert.equal(readRunRecord(file).epochs.length, 1);
});

test('what a run file holds, seen from a run about to be written there', () => {
  const folder = fs.mkdtempSync(path.join(scratch, 'existing-'));
  const file = path.join(folder, 'run.json');
  const config = configFor({ optimizer: 'sgd', epochs: 2 });
  assert.equal(existingRun(file, config).kind, 'none');
  writeRunRecord(file, record({ optimizer: 'sgd' }, [1, 1]));
  assert.equal(existingRun(file, config).kind, 'finished');
  writeRunRecord(file, { ...record({ optimizer: 'sgd' }, [1, 1]), epochs: record({ optimizer: 'sgd' }, [1]).epochs });
  assert.equal(existingRun(file, config).kind, 'unfinished');
  writeRunRecord(file, record({ optimizer: 'sgd', optimizer_options: { lr: 0.1 } }, [1, 1]));
  const other = existingRun(file, config);
  assert.equal(other.kind, 'other');
  assert.deepEqual(other.kind === 'other' && other.differences, ['lr: 0.1 -> 0.01']);
  fs.writeFileSync(file, '{"config": ');
  const corrupt = existingRun(file, config);
  assert.equal(corrupt.kind, 'unreadable');
  assert.match(corrupt.kind === 'unreadable' ? corrupt.reason : '', /run\.json: not JSON/);
});
