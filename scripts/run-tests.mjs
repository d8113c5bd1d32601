#!/usr/bin/env node
// The test suite, in the order a change is best judged: strict type checking, the unit tests (node's test runner), the
// PyTorch parity checker over ../shared/golden, then the notebooks in quick mode, the browser test
// of their HTML export, and a notebook run in JupyterLab itself (test/jupyterlab.test.ts). Ends with
// one line "tests: N passed, M failed" and a non-zero exit on failure.
//   node scripts/run-tests.mjs [--skip-notebooks]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const skipNotebooks = process.argv.includes('--skip-notebooks');
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' };
const tally = { passed: 0, failed: 0 };
const timings = [];

function stage(name, command, args, extraEnv = {}) {
  console.log(`\n=== ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  const seconds = (Date.now() - started) / 1000;
  timings.push(`${name}: ${seconds.toFixed(0)} s`);
  return result.status === 0;
}

/** Counts from the TAP file that node's test runner writes beside its console report. */
function countTap(file) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const number = (key) => Number((text.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  return { passed: number('pass'), failed: number('fail') + number('cancelled') };
}

function nodeTests(name, files, extraEnv = {}) {
  mkdirSync(join(root, '.cache'), { recursive: true });
  const tap = join(root, '.cache', `${name}.tap`);
  const ok = stage(
    name,
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    extraEnv,
  );
  const counts = countTap(tap);
  tally.passed += counts.passed;
  tally.failed += counts.failed + (ok || counts.failed > 0 ? 0 : 1);
}

// Strict TypeScript over everything (src, tests, benchmarks, scripts): tsx runs code without checking types.
const typesOk = stage('typecheck (tsc --noEmit, strict)', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.']);
if (typesOk) tally.passed += 1;
else tally.failed += 1;

const testFiles = readdirSync(join(root, 'test'))
  .filter((f) => /\.test\.ts$/.test(f) && !['browser.test.ts', 'jupyterlab.test.ts'].includes(f))
  .sort()
  .map((f) => join('test', f));
nodeTests('unit tests', testFiles);

const parityChecker = resolve(root, '..', 'shared', 'parity', 'check.mjs');
let parityOk = existsSync(parityChecker);
if (parityOk) parityOk = stage('PyTorch parity (../shared/golden)', process.execPath, ['--import', 'tsx', parityChecker, resolve(root, '..', 'shared', 'golden', 'torch-optim.json'), resolve(root, '..', 'shared', 'golden', 'torch-extras.json')]);
else console.log(`\n=== PyTorch parity: FAILED, ${parityChecker} is missing (the golden data and its checker live in shared/ beside the project)`);
if (parityOk) tally.passed += 1;
else tally.failed += 1;

if (!skipNotebooks && existsSync(join(root, 'scripts', 'notebooks.mjs'))) {
  const notebooksOk = stage('notebooks (FUN_OPTIM_QUICK=1)', process.execPath, ['scripts/notebooks.mjs'], { FUN_OPTIM_QUICK: '1' });
  if (notebooksOk) tally.passed += 1;
  else tally.failed += 1;
  if (notebooksOk && existsSync(join(root, 'test', 'browser.test.ts'))) {
    nodeTests('browser test of the exported HTML', ['test/browser.test.ts'], { FUN_OPTIM_QUICK: '1' });
  }
  // After the notebooks stage, which has built dist/ (the notebooks import it).
  if (notebooksOk) nodeTests('JupyterLab: a notebook run in the real UI', ['test/jupyterlab.test.ts'], { FUN_OPTIM_QUICK: '1' });
}

console.log(`\n${timings.join('\n')}`);
console.log(`tests: ${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed > 0 ? 1 : 0);
