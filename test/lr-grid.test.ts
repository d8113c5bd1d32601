// The learning-rate grid (notebook 18): five rates a factor √10 apart around each entry's own, a
// 100x span; the centre is the sweep's run; Muon's rate moves for both its optimizers; the committed
// table is exactly what the committed runs give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sweepEntries } from '../src/results';
import { lrPoints, readLrSensitivity } from '../src/notebook/lr-sensitivity';
import { centreLr, gridRates, LR_GRID_EPOCHS, LR_GRID_SEEDS, lrGridRuns } from '../src/train/lr-grid';
import { gridRows, gridTable, LR_SENSITIVITY_TABLE, missingGridRuns } from '../src/train/lr-sensitivity';

const root = path.resolve(__dirname, '..');

test('every entry: 5 rates, increasing by sqrt(10) (to 3 digits), spanning 100x around the sweep\'s rate', () => {
  for (const entry of sweepEntries) {
    const rates = gridRates(entry);
    assert.equal(rates.length, 5, entry.label);
    assert.equal(rates[2], centreLr(entry));
    assert.ok(Math.abs(rates[4] / rates[0] - 100) < 0.5, `${entry.label}: ${rates}`);
    rates.slice(1).forEach((rate, i) => assert.ok(Math.abs(rate / rates[i] - Math.sqrt(10)) < 0.01, `${entry.label}: ${rates}`));
  }
  assert.equal(centreLr(sweepEntries.find((e) => e.label === 'sgd')!), 0.01);
  assert.equal(centreLr(sweepEntries.find((e) => e.label === 'adam')!), 1e-3);
  assert.equal(centreLr(sweepEntries.find((e) => e.label === 'lion')!), 3e-4);
});

test('the runs: the sweep\'s own at the centre rate, runs of the grid\'s epochs elsewhere; Muon\'s AdamW moves with it', () => {
  const runs = lrGridRuns();
  assert.equal(runs.length, sweepEntries.length * 5 * LR_GRID_SEEDS.length);
  assert.equal(new Set(runs.map((run) => run.file)).size, runs.length, 'no two runs share a file');
  for (const run of runs) {
    const centre = run.lr === centreLr(run.entry);
    assert.equal(run.config.epochs, centre ? 10 : LR_GRID_EPOCHS);
    assert.equal(run.config.optimizer_options.lr ?? centreLr(run.entry), run.lr);
    if (centre) assert.ok(!run.file.includes('-e2'), run.file);
  }
  const muon = runs.find((run) => run.entry.label === 'muon_adamw' && run.lr === 0.01)!;
  assert.equal(muon.config.others?.options.lr, 0.01);
  assert.match(muon.file, /mnist-seed-muon-1-e2-lr=0\.01-adamw-lr=0\.01\.json$/);
});

test('a run\'s rows: the first epochs\' metrics, seconds summed and steps counted up to each epoch', () => {
  const [run] = lrGridRuns();
  const record = {
    config: run.config,
    backend: 'tensorflow',
    epochs: [1, 2, 3].map((epoch) => ({ epoch, train_loss: 1 / epoch, test_loss: 2 / epoch, test_acc: 0.9, train_seconds: 10 })),
  };
  const rows = gridRows(run, record);
  assert.equal(rows.length, LR_GRID_EPOCHS * 5);
  assert.deepEqual(rows.filter((row) => row[4] === 'seconds').map((row) => row[5]), ['10', '20']);
  assert.deepEqual(rows.filter((row) => row[4] === 'steps').map((row) => row[5]), ['938', '1876']);
  assert.deepEqual(rows[0].slice(0, 4), [run.entry.label, String(run.lr), '1', '1']);
});

test('the committed table is the one the committed runs give, and no grid run is missing', () => {
  assert.deepEqual(missingGridRuns(root).map((run) => run.file), []);
  assert.equal(fs.readFileSync(path.join(root, LR_SENSITIVITY_TABLE), 'utf8'), gridTable(root));
  const header = fs.readFileSync(path.join(root, LR_SENSITIVITY_TABLE), 'utf8').split('\n')[0];
  assert.equal(header, 'optimizer,lr,seed,epoch,metric,value');
});

test('notebook 18 reads the table: a point per entry and rate with both seeds, rates ascending; a malformed table throws', () => {
  const points = lrPoints(readLrSensitivity(), 'test_loss', LR_GRID_EPOCHS);
  assert.equal(points.length, sweepEntries.length * 5);
  for (const entry of sweepEntries) {
    const mine = points.filter((p) => p.optimizer === entry.label);
    assert.deepEqual(mine.map((p) => p.lr), gridRates(entry));
    assert.ok(mine.every((p) => p.values.length === LR_GRID_SEEDS.length && p.std !== undefined));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fun-optim-grid-'));
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, 'optimizer,lr,seed,epoch,metric,value\nadam,fast,1,1,test_loss,0.1\n');
  assert.throws(() => readLrSensitivity(bad), /line 2: expected optimizer,lr,seed,epoch,metric,value with numbers/);
  assert.throws(() => readLrSensitivity(path.join(dir, 'missing.csv')), /npm run lr-sensitivity/);
});
