// Notebooks are committed without outputs or execution counts (a notebook run in JupyterLab saves
// megabytes of figures into the file), and the git filter that strips them on `git add`
// (scripts/strip-notebook.mjs, applied by .gitattributes) does exactly that and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const notebookDir = join(root, 'notebooks');
const notebooks = readdirSync(notebookDir).filter((name) => /^\d\d-.*\.ipynb$/.test(name)).sort();
const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
const strip = (text: string) => {
  const run = spawnSync(process.execPath, ['scripts/strip-notebook.mjs'], { cwd: root, input: text, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
};

/** The notebook as git holds it (the index), which is what a commit records. */
function committed(name: string): string {
  const shown = git('show', `:notebooks/${name}`);
  return shown.status === 0 ? shown.stdout : readFileSync(join(notebookDir, name), 'utf8');
}

test('there are notebooks to check', () => assert.ok(notebooks.length >= 14, notebooks.join(', ')));

for (const name of notebooks) {
  test(`${name}: committed without outputs or execution counts, as the filter writes it`, () => {
    const text = committed(name);
    const notebook = JSON.parse(text) as { cells: Array<{ cell_type: string; outputs?: unknown[]; execution_count?: number | null }> };
    notebook.cells.forEach((cell, i) => {
      if (cell.cell_type !== 'code') return;
      assert.deepEqual(cell.outputs, [], `cell ${i + 1} has outputs: run git add again with the filter installed (npm run setup)`);
      assert.equal(cell.execution_count, null, `cell ${i + 1} has an execution count`);
    });
    assert.equal(strip(text), text, 'the filter would rewrite it: commit it through the filter (npm run setup, then git add)');
  });
}

test('the filter strips what JupyterLab saves, keeps the rest, and passes a non-notebook through', () => {
  const source = readFileSync(join(notebookDir, notebooks[0]), 'utf8');
  const run = JSON.parse(source);
  const code = run.cells.find((cell: { cell_type: string }) => cell.cell_type === 'code');
  code.execution_count = 7;
  code.outputs = [{ output_type: 'display_data', data: { 'text/plain': ['x'] }, metadata: {} }];
  code.metadata.execution = { 'iopub.execute_input': '2026-01-01T00:00:00Z' };
  assert.equal(strip(JSON.stringify(run, null, 2)), source);
  assert.equal(strip('<<<<<<< HEAD\n'), '<<<<<<< HEAD\n');
});

test('.gitattributes applies the filter to every notebook, and setup has registered it', () => {
  for (const name of notebooks) {
    assert.match(git('check-attr', 'filter', `notebooks/${name}`).stdout, /filter: strip-notebook-outputs$/m, name);
  }
  assert.equal(
    git('config', '--get', 'filter.strip-notebook-outputs.clean').stdout.trim(),
    'node scripts/strip-notebook.mjs',
    'the git filter is not registered in this checkout: run npm run setup (or node scripts/setup-python.mjs)',
  );
});
