#!/usr/bin/env node
// The main job (`npm start`): say which runs the full-mode notebooks need are missing from
// outputs/runs and about how long they take, train only those (the sweep's on MNIST and
// Fashion-MNIST, then the notebooks' own and the learning-rate grid's), then execute the notebooks and export them to
// outputs/html. FUN_OPTIM_QUICK=1 trains nothing but the notebooks' smoke tests.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.env.FUN_OPTIM_QUICK === '1';
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function step(title, args) {
  console.log(`\n=== ${title}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`\n${title} failed (exit ${result.status}). Finished runs are kept in outputs/runs; run \`npm start\` again to resume.`);
    process.exit(result.status ?? 1);
  }
  console.log(`=== ${title}: ${((Date.now() - started) / 60000).toFixed(1)} min`);
}

/** The runs the full-mode notebooks need that outputs/runs lacks (src/train/missing-runs.ts --json). */
function missingRuns() {
  const result = spawnSync(process.execPath, [tsx, 'src/train/missing-runs.ts', '--json'], { cwd: root, encoding: 'utf8', env: process.env });
  if (result.status !== 0) {
    console.error(`Could not list the missing runs (src/train/missing-runs.ts, exit ${result.status}):\n${result.stderr}`);
    process.exit(result.status ?? 1);
  }
  return JSON.parse(result.stdout);
}

if (quick) {
  // The sweep's run files are the committed results: a quick run must not replace them.
  console.log('\nquick mode: nothing trained here (the notebooks draw the committed runs and train one small smoke-test run each, not saved)');
} else {
  // Said before anything trains: how many runs are missing, and about how long they take.
  step('runs the notebooks need that outputs/runs lacks', [tsx, 'src/train/missing-runs.ts']);
  const { datasets, missing } = missingRuns();
  for (const dataset of ['mnist', 'fashion']) {
    const title = dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST';
    if (!datasets.includes(dataset)) console.log(`\n${title} is not installed${dataset === 'fashion' ? ' (Debian package dataset-fashion-mnist)' : ''}: skipping its sweep.`);
    else if (missing.some((run) => run.source === 'sweep' && run.dataset === dataset)) step(`${title}: the sweep's missing runs`, [tsx, 'src/train/sweep.ts', '--dataset', dataset]);
  }
  if (missing.some((run) => run.source !== 'sweep')) step("the notebooks' own missing runs", [tsx, 'src/train/missing-runs.ts', '--train-notebook-runs']);
  // The learning-rate grid's table, from its runs (trained just above if any were missing).
  if (datasets.includes('mnist')) step('the learning-rate grid: outputs/results/lr-sensitivity-mnist.csv', [tsx, 'src/train/lr-sensitivity.ts', '--table-only']);
}
if (!quick) step('figures for the README: outputs/figures', [tsx, 'scripts/figures.ts']);
// The playground first: the index the notebooks step writes links it only if it is there.
step('the playground: outputs/html/playground.html', [tsx, 'scripts/build-playground.ts']);
step('notebooks: execute and export to outputs/html', ['scripts/notebooks.mjs']);
console.log('\nDone: results in outputs/results, run files in outputs/runs, the tutorial in outputs/html/index.html');
