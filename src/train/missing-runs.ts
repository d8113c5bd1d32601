// `npm run missing-runs [-- --train-notebook-runs]`: which runs the full-mode notebooks need are
// not in outputs/runs (the sweep's, every seed, on each installed dataset, and the notebooks' own,
// src/train/notebook-runs.ts), with about how long they take to train. `npm start` prints this
// before it trains anything, then lets the sweep train its missing runs and this program the
// notebooks' own (--train-notebook-runs). --json prints the same for scripts.
import * as path from 'node:path';
import { useBackend } from '../backend';
import { datasetNames } from '../data/datasets';
import { checkOutputPath } from '../results';
import { FlagReader, parseFlags } from './cli-args';
import { reportFailure } from './cli';
import { trainCommand } from './notebook-runs';
import { createProgressReporter } from './progress';
import { committedRuns, datasetInstalled, describeTraining, estimateTraining, missingRuns, plannedRuns } from './run-plan';
import { runTraining } from './run';

export const MISSING_RUNS_USAGE = `Usage: npm run missing-runs -- [--json] [--train-notebook-runs]

Lists the runs the full-mode notebooks need that are missing from outputs/runs, with about how long
each takes (from the committed runs' measured train_seconds).

  --json                 the list as JSON: { datasets, missing: [{ label, source, file, seconds, command }] }
  --train-notebook-runs  then train the notebooks' own missing runs (the sweep's: npm run sweep)
`;

const projectRoot = path.resolve(__dirname, '..', '..');

async function main(argv: string[]): Promise<number> {
  const reader = new FlagReader(parseFlags(argv, ['help', 'json', 'train-notebook-runs']));
  if (reader.has('help')) {
    process.stdout.write(MISSING_RUNS_USAGE);
    return 0;
  }
  const json = reader.has('json');
  const train = reader.has('train-notebook-runs');
  reader.refuseUnknown();
  const installed = datasetNames.filter(datasetInstalled);
  const committed = committedRuns(projectRoot);
  const missing = missingRuns(plannedRuns(installed), projectRoot, committed);
  if (json) {
    const rows = missing.map((run) => ({
      label: run.label,
      source: run.source,
      dataset: run.config.dataset,
      file: run.file,
      seconds: estimateTraining(run.config, committed)?.seconds ?? null,
      command: trainCommand(run.config),
    }));
    process.stdout.write(`${JSON.stringify({ datasets: installed, missing: rows }, null, 2)}\n`);
  } else {
    const skipped = datasetNames.filter((name) => !installed.includes(name));
    if (skipped.length > 0) console.log(`not installed, so not planned: ${skipped.join(', ')} (see npm run train -- --help, --data-dir)`);
    for (const line of describeTraining(missing, committed)) console.log(line);
    if (missing.length > 0) {
      console.log('each alone (npm start trains them all: the sweep\'s by npm run sweep, the notebooks\' own here):');
      for (const run of missing) console.log(`  ${trainCommand(run.config)}`);
    }
  }
  if (!train) return 0;
  const own = missing.filter((run) => run.source !== 'sweep');
  if (own.length === 0) return 0;
  const { name: backend } = await useBackend();
  const reporter = createProgressReporter();
  for (const run of own) {
    const file = path.join(projectRoot, run.file);
    checkOutputPath(file, { createFolder: true });
    reporter.line(`training ${run.label} for ${run.source}: ${trainCommand(run.config)}`);
    runTraining(run.config, { backend, out: file, reporter });
    reporter.line(`wrote ${run.file}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => (process.exitCode = reportFailure(error, 'Run `npm run missing-runs -- --help` for the options.')),
  );
}
