// What the full-mode notebooks need from outputs/runs (the sweep's runs, every seed, on each
// installed dataset, and the notebooks' own runs), which of those are missing, and about how long
// training them takes, estimated from the committed runs' measured train_seconds. `npm start` and
// mnistResults print this before they train anything.
import * as path from 'node:path';
import { DatasetName, datasetFiles, datasets } from '../data/datasets';
import { defaultRunFile, existingRun, finishedRunsOf, readRunFolder, RUNS_DIR, RunRecord, SWEEP_SEEDS, sweepEntries } from '../results';
import { configFor, sweepRunConfig, TrainConfig } from './config';
import { LR_GRID_DATASET, LR_GRID_EPOCHS, lrGridRuns } from './lr-grid';
import { notebookRuns } from './notebook-runs';

/** The training images of MNIST and Fashion-MNIST alike. */
const TRAINING_IMAGES = 60000;

export interface PlannedRun {
  /** The sweep entry's label, or the notebook's label for its run. */
  label: string;
  /** 'sweep' or the notebook that reads it. */
  source: string;
  config: TrainConfig;
  /** Its default run file, relative to the project root. */
  file: string;
}

/** Whether a dataset's files are installed. */
export function datasetInstalled(dataset: DatasetName): boolean {
  try {
    datasetFiles(datasets[dataset]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every run the full-mode notebooks read: the sweep's on `sweepDatasets`, then the notebooks' own,
 * then (with MNIST) the learning-rate grid's runs away from the sweep's rates (src/train/lr-grid.ts).
 */
export function plannedRuns(sweepDatasets: DatasetName[]): PlannedRun[] {
  const sweep = sweepDatasets.flatMap((dataset) =>
    sweepEntries.flatMap((entry) =>
      SWEEP_SEEDS.map((seed) => {
        const config = sweepRunConfig(entry, dataset, seed);
        return { label: entry.label, source: 'sweep', config, file: defaultRunFile(config) };
      }),
    ),
  );
  const own = notebookRuns.map(({ notebook, label, request }) => {
    const config = configFor(request);
    return { label, source: notebook, config, file: defaultRunFile(config) };
  });
  const grid = sweepDatasets.includes(LR_GRID_DATASET)
    ? lrGridRuns()
        .filter((run) => run.config.epochs === LR_GRID_EPOCHS)
        .map((run) => ({ label: `${run.entry.label} lr ${run.lr}`, source: '18-lr-sensitivity', config: run.config, file: run.file }))
    : [];
  return [...sweep, ...own, ...grid];
}

/**
 * The planned runs that are not finished. A sweep run counts as finished in its default file only
 * (that is the file the sweep reuses); a notebook's run wherever mnistResults finds it (any file in
 * outputs/runs with its config).
 */
export function missingRuns(plan: PlannedRun[], projectRoot: string, committed: RunRecord[] = committedRuns(projectRoot)): PlannedRun[] {
  return plan.filter((run) =>
    run.source === 'sweep'
      ? existingRun(path.join(projectRoot, run.file), run.config).kind !== 'finished'
      : !finishedRunsOf(run.config, committed).some((found) => found.config.seed === run.config.seed),
  );
}

/** Every run record in outputs/runs (the measured times the estimates come from). */
export function committedRuns(projectRoot: string): RunRecord[] {
  return readRunFolder(path.join(projectRoot, RUNS_DIR));
}

export interface TimeEstimate {
  /** Training seconds, summed over the epochs (evaluation, a small part, not included). */
  seconds: number;
  /** Which committed runs the seconds per epoch come from. */
  basis: string;
}

/**
 * Training time of `config` from the committed runs' train_seconds: the mean seconds per epoch of
 * runs of the same optimizer and batch size, else of any optimizer at that batch size, scaled by
 * the epochs and images. Undefined when no committed run has that batch size.
 */
export function estimateTraining(config: TrainConfig, committed: RunRecord[]): TimeEstimate | undefined {
  const sameBatch = committed.filter((run) => run.config.batch_size === config.batch_size && run.epochs.length > 0);
  const sameOptimizer = sameBatch.filter((run) => run.config.optimizer === config.optimizer);
  const basisRuns = sameOptimizer.length > 0 ? sameOptimizer : sameBatch;
  if (basisRuns.length === 0) return undefined;
  const perImage = (run: RunRecord) =>
    run.epochs.reduce((sum, epoch) => sum + epoch.train_seconds, 0) / run.epochs.length / (run.config.limit ?? TRAINING_IMAGES);
  const secondsPerImage = basisRuns.reduce((sum, run) => sum + perImage(run), 0) / basisRuns.length;
  const images = config.limit ?? TRAINING_IMAGES;
  const what = sameOptimizer.length > 0 ? `${config.optimizer} at batch ${config.batch_size}` : `any optimizer at batch ${config.batch_size}`;
  return {
    seconds: secondsPerImage * images * config.epochs,
    basis: `${(secondsPerImage * images).toFixed(0)} s per epoch, the mean of ${basisRuns.length} committed run(s) of ${what}`,
  };
}

/** "about 12 min", "about 40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}

/** One line per run to train, then the total: what is printed before any training starts. */
export function describeTraining(runs: PlannedRun[], committed: RunRecord[]): string[] {
  if (runs.length === 0) return ['nothing to train: every run is in outputs/runs'];
  let total = 0;
  let unknown = 0;
  const lines = runs.map((run) => {
    const estimate = estimateTraining(run.config, committed);
    if (estimate) total += estimate.seconds;
    else unknown += 1;
    const where = `${run.config.dataset}, ${run.config.epochs} epoch(s), seed ${run.config.seed}${run.source === 'sweep' ? '' : `, for ${run.source}`}`;
    return `  ${run.label} (${where}) -> ${run.file}: ${estimate ? `${formatDuration(estimate.seconds)} (${estimate.basis})` : 'no committed run at that batch size to estimate from'}`;
  });
  const totalLine =
    `${runs.length} run(s) to train, ${formatDuration(total)} in all on a machine like the one that trained the committed runs` +
    (unknown > 0 ? `, plus ${unknown} run(s) of unknown duration` : '');
  return [totalLine, ...lines];
}
