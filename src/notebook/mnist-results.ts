// MNIST results for the notebooks: the committed runs in outputs/runs that match the requested
// configuration (every seed found, averaged per epoch), in quick mode and in full mode alike, so
// that every export draws the same real curves. Full mode trains what is missing, saying first
// what and for about how long; quick mode (FUN_OPTIM_QUICK=1) trains nothing big: it reports a
// missing run, and trains one small smoke-test run (1 epoch on 2000 images, not saved), shown on
// its own and never among the records. The tutorial's own published numbers come from
// data/tutorial-results.csv (a copy of its tables).
import * as path from 'node:path';
import { configFor, TrainRequest } from '../train/config';
import { committedRuns, describeTraining, PlannedRun } from '../train/run-plan';
import { notebookRuns, trainCommand } from '../train/notebook-runs';
import { defaultRunFile, describeExisting, existingRun, finishedRunsOf, perEpoch, RunRecord, sameConfig, sweepEntryOf, TrainConfig } from '../results';
import { runTraining } from '../train/run';
import { useBackend } from '../backend';
import { datasets } from '../data/datasets';
import { MetricRecord, readMetricRecords } from './metric-records';
import { showMarkdown } from './markdown';
import { quick } from './quick';

const projectRoot = path.resolve(__dirname, '..', '..');
const SMOKE_TEST_IMAGES = 2000;

export interface MnistRequest extends TrainRequest {
  /** The name of the curve (default: the optimizer's name). */
  label?: string;
}

/** Quick mode's small training run: it checks that training works, its numbers mean nothing. */
export interface SmokeTest {
  label: string;
  images: number;
  epochs: number;
  seconds: number;
  testAcc: number;
  testLoss: number;
}

export interface MnistRuns {
  /** Per-epoch means over the runs found (or trained): test_loss, test_acc, train_loss. */
  records: MetricRecord[];
  /** The runs behind them, per label ([] for a label in `missing`). */
  runs: Record<string, RunRecord[]>;
  /** Quick mode: labels whose committed runs are not in outputs/runs (they have no records). */
  missing: string[];
  /** Quick mode: the smoke test's run, not part of `records`. */
  smokeTest?: SmokeTest;
}

/** Per-epoch means over the runs, by the results module's one rule (a diverged run's NaN is kept). */
function meanPerEpoch(label: string, runs: RunRecord[]): MetricRecord[] {
  return perEpoch(runs).map(({ epoch, metric, mean }) => ({ run: label, step: epoch, metric, value: mean }));
}

/** Where the run of the request `label` is kept: its default run file, refused if that holds another run. */
function runFileFor(label: string, config: TrainConfig): string {
  const file = path.join(projectRoot, defaultRunFile(config));
  const existing = existingRun(file, config);
  if (existing.kind === 'other' || existing.kind === 'unreadable') {
    throw new Error(`${label}: ${describeExisting(path.relative(projectRoot, file), existing)}: move it aside or delete it to train this run here.`);
  }
  return file;
}

/** Whether `config` is one the project commits (a sweep run, or one listed in src/train/notebook-runs.ts). */
function isCommittedKind(config: TrainConfig): boolean {
  return sweepEntryOf(config) !== undefined || notebookRuns.some((run) => sameConfig(configFor({ ...run.request, seed: config.seed }), config));
}

/** Quick mode: one small run of `request`, not saved, shown as a smoke test. */
async function smokeTest(label: string, request: TrainRequest): Promise<SmokeTest> {
  const { name: backend } = await useBackend();
  const config = configFor({ ...request, epochs: 1, limit: SMOKE_TEST_IMAGES });
  const record = runTraining(config, { backend });
  const [epoch] = record.epochs;
  const result = { label, images: SMOKE_TEST_IMAGES, epochs: 1, seconds: epoch.train_seconds, testAcc: epoch.test_acc, testLoss: epoch.test_loss };
  showMarkdown(
    `*Smoke test (quick mode):* ${label} trained for ${result.epochs} epoch on the first ${result.images} ${datasets[config.dataset].title} training images in ` +
      `${result.seconds.toFixed(1)} s, not saved; test accuracy ${result.testAcc.toFixed(4)}, test loss ${result.testLoss.toFixed(4)}. ` +
      'It only checks that training runs here; the figures and tables draw the committed runs.',
  );
  return result;
}

/**
 * Test loss/accuracy per epoch for each request, from the committed runs of its configuration
 * (every seed found). Full mode: a request with no committed run is trained now (seed 1, saved to
 * outputs/runs), after a line saying what and for about how long. Quick mode: such a request is
 * reported and left out (`missing`), and one smoke-test run of the first request is trained small.
 */
export async function mnistResults(requests: MnistRequest[]): Promise<MnistRuns> {
  const result: MnistRuns = { records: [], runs: {}, missing: [] };
  const committed = committedRuns(projectRoot);
  const found = requests.map(({ label, ...request }) => {
    const config = configFor(request);
    return { name: label ?? request.optimizer, request, config, runs: finishedRunsOf(config, committed) };
  });
  const absent = found.filter(({ runs }) => runs.length === 0);
  if (absent.length > 0 && quick) {
    result.missing = absent.map(({ name }) => name);
    showMarkdown(
      `**Not in outputs/runs:** ${absent.map(({ name, config }) => `${name} (\`${trainCommand(config)}\` makes it)`).join('; ')}. ` +
        'Quick mode trains no full run, so this notebook shows no results for it.',
    );
  } else if (absent.length > 0) {
    // Said before training, which takes minutes per run: what, where, and about how long.
    const plan: PlannedRun[] = absent.map(({ name, config }) => ({
      label: name,
      source: 'this notebook',
      config,
      file: path.relative(projectRoot, runFileFor(name, config)),
    }));
    console.log(`mnistResults: not in outputs/runs, so trained now: ${describeTraining(plan, committed).join('\n')}`);
    const unlisted = absent.filter(({ config }) => !isCommittedKind(config));
    if (unlisted.length > 0) {
      console.log(`(${unlisted.map(({ name }) => name).join(', ')}: not in src/train/notebook-runs.ts, so npm start does not train it ahead; list it there.)`);
    }
    const { name: backend } = await useBackend();
    for (const entry of absent) entry.runs = [runTraining(entry.config, { backend, out: path.join(projectRoot, defaultRunFile(entry.config)) })];
  }
  for (const { name, runs } of found) {
    result.runs[name] = runs;
    result.records.push(...meanPerEpoch(name, runs));
  }
  if (quick && found.length > 0) result.smokeTest = await smokeTest(found[0].name, found[0].request);
  return result;
}

/**
 * The tutorial's published test loss and accuracy (its MNIST tables), for the given optimizers
 * (names as in its CSV: sgd, adagrad, adadelta, rmsprop, adam, adam_amsgrad, adamw, adamax, asgd),
 * labelled '<name> (tutorial)'.
 */
export function tutorialResults(optimizers: string[]): MetricRecord[] {
  const all = readMetricRecords(path.join(projectRoot, 'data', 'tutorial-results.csv'));
  return all
    .filter((record) => optimizers.includes(record.run))
    .map((record) => ({ ...record, run: `${record.run} (tutorial)` }));
}
