#!/usr/bin/env node
// The main job (`npm start`): train every optimizer on MNIST and Fashion-MNIST (the sweep reuses any
// finished run in outputs/runs, so only what is missing is trained), then execute the notebooks and
// export them to outputs/html. FUN_OPTIM_QUICK=1 makes it a few-minute smoke run of the same path.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

if (quick) {
  // The sweep's run files are the committed results: a quick run must not replace them.
  console.log('\nquick mode: no sweep (the notebooks train small runs of their own and keep them out of outputs/runs)');
} else {
  step('MNIST: every optimizer', [tsx, 'src/train/sweep.ts', '--dataset', 'mnist']);
  if (existsSync('/usr/share/datasets/fashion-mnist')) {
    step('Fashion-MNIST: every optimizer', [tsx, 'src/train/sweep.ts', '--dataset', 'fashion']);
  } else {
    console.log('\nFashion-MNIST is not installed (Debian package dataset-fashion-mnist): skipping its sweep.');
  }
}
if (!quick) step('figures for the README: outputs/figures', [tsx, 'scripts/figures.ts']);
step('notebooks: execute and export to outputs/html', ['scripts/notebooks.mjs']);
step('the playground: outputs/html/playground.html', [tsx, 'scripts/build-playground.ts']);
console.log('\nDone: results in outputs/results, run files in outputs/runs, the tutorial in outputs/html/index.html');
