// `npm run lr-sensitivity`: trains the learning-rate grid's missing runs (src/train/lr-grid.ts),
// cheapest first, each into its run file (an interrupted grid resumes), then writes the table
// outputs/results/lr-sensitivity-mnist.csv from the run files:
//   optimizer,lr,seed,epoch,metric,value
// with the metrics train_loss, test_loss, test_acc, seconds (training seconds summed up to that
// epoch) and steps (optimizer steps up to that epoch). --table-only writes the table and trains
// nothing (it fails, naming them, while runs are missing).
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { useBackend } from '../backend';
import { loadDataset } from '../data/datasets';
import { checkOutputPath, finishedRunsOf, formatValue, RunRecord, writeFileAtomically } from '../results';
import { FlagReader, parseFlags } from './cli-args';
import { reportFailure } from './cli';
import { GridRun, LR_GRID_DATASET, LR_GRID_EPOCHS, LR_SENSITIVITY_TABLE, lrGridRuns } from './lr-grid';
import { createProgressReporter } from './progress';
import { committedRuns, estimateTraining } from './run-plan';
import { runTraining } from './run';

export { LR_SENSITIVITY_TABLE };
export const LR_SENSITIVITY_COLUMNS = ['optimizer', 'lr', 'seed', 'epoch', 'metric', 'value'] as const;

const USAGE = `Usage: npm run lr-sensitivity -- [--table-only]

Trains the runs of the learning-rate grid that outputs/runs lacks (every sweep entry at 5 rates a
factor sqrt(10) apart around its own, seeds 1 and 2, ${LR_GRID_EPOCHS} epochs on MNIST; the centre
rate is read from the sweep's runs), then writes ${LR_SENSITIVITY_TABLE}.

  --table-only   write the table from the runs there, train nothing
`;

const projectRoot = path.resolve(__dirname, '..', '..');

/** The table's rows for one run, its first LR_GRID_EPOCHS epochs. */
export function gridRows(run: GridRun, record: RunRecord): string[][] {
  const stepsPerEpoch = Math.ceil((record.config.limit ?? 60000) / record.config.batch_size);
  let seconds = 0;
  return record.epochs.slice(0, LR_GRID_EPOCHS).flatMap((epoch) => {
    seconds += epoch.train_seconds;
    const values: Array<[string, number]> = [
      ['train_loss', epoch.train_loss],
      ['test_loss', epoch.test_loss],
      ['test_acc', epoch.test_acc],
      ['seconds', seconds],
      ['steps', stepsPerEpoch * epoch.epoch],
    ];
    return values.map(([metric, value]) => [run.entry.label, String(run.lr), String(run.seed), String(epoch.epoch), metric, formatValue(value)]);
  });
}

export function formatGridTable(rows: string[][]): string {
  return stringify(rows, { header: true, columns: [...LR_SENSITIVITY_COLUMNS] });
}

/** The finished record of a grid run among `records` (whatever its file's name, as mnistResults finds runs). */
function findRecord(run: GridRun, records: RunRecord[]): RunRecord | undefined {
  return finishedRunsOf(run.config, records).find((record) => record.config.seed === run.seed);
}

/** The grid's runs that `root`'s outputs/runs lacks. */
export function missingGridRuns(root: string, records: RunRecord[] = committedRuns(root)): GridRun[] {
  return lrGridRuns().filter((run) => !findRecord(run, records));
}

/** The table's text from `root`'s outputs/runs; throws, naming one, while runs are missing. */
export function gridTable(root: string): string {
  const records = committedRuns(root);
  const runs = lrGridRuns();
  const rows = runs.flatMap((run) => {
    const record = findRecord(run, records);
    if (!record) throw new Error(`the lr grid's run ${run.file} is missing; run npm run lr-sensitivity to train it`);
    return gridRows(run, record);
  });
  return formatGridTable(rows);
}

async function main(argv: string[]): Promise<number> {
  const reader = new FlagReader(parseFlags(argv, ['help', 'table-only']));
  if (reader.has('help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const tableOnly = reader.has('table-only');
  reader.refuseUnknown();
  const table = path.join(projectRoot, LR_SENSITIVITY_TABLE);
  checkOutputPath(table, { createFolder: true });
  const records = committedRuns(projectRoot);
  const missing = missingGridRuns(projectRoot, records);
  if (missing.length > 0 && tableOnly) {
    throw new Error(`${missing.length} run(s) of the grid are missing, e.g. ${missing[0].file}; run npm run lr-sensitivity to train them`);
  }
  if (missing.length > 0) {
    const cost = (run: GridRun) => estimateTraining(run.config, records)?.seconds ?? Infinity;
    const ordered = [...missing].sort((a, b) => cost(a) - cost(b));
    const { name: backend } = await useBackend();
    const reporter = createProgressReporter();
    const data = loadDataset(LR_GRID_DATASET);
    ordered.forEach((run, i) => {
      const file = path.join(projectRoot, run.file);
      checkOutputPath(file, { createFolder: true });
      reporter.line(`[${i + 1}/${ordered.length}] ${run.entry.label} lr ${run.lr} seed ${run.seed} -> ${run.file}`);
      runTraining(run.config, { backend, kernels: 'auto', out: file, reporter, dataset: data });
    });
  }
  const text = gridTable(projectRoot);
  writeFileAtomically(table, text);
  console.log(`wrote ${LR_SENSITIVITY_TABLE} (${lrGridRuns().length} runs, ${text.trim().split('\n').length - 1} rows)`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => (process.exitCode = reportFailure(error, 'Run `npm run lr-sensitivity -- --help` for the options.')),
  );
}
