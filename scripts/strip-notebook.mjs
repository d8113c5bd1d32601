#!/usr/bin/env node
// Keeps notebooks clean in git: a notebook run in JupyterLab saves its outputs (Plotly figures with
// their PNG fallbacks: megabytes) and execution counts into the tracked file. This is the git "clean"
// filter that strips them on `git add`, so the working copy keeps its outputs and the repository
// never sees them; `installNotebookFilter` (run by scripts/setup-python.mjs, so by `npm run setup`
// and `npm run lab`) registers it, and .gitattributes applies it to notebooks/*.ipynb.
//   node scripts/strip-notebook.mjs < notebook.ipynb > stripped.ipynb
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FILTER_NAME = 'strip-notebook-outputs';

/** Keys in the order nbformat writes them (sorted), so that a stripped notebook is byte-stable. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}

/** The notebook without outputs, execution counts, run timings or the kernel's version, written as nbformat writes it. */
export function stripNotebook(text) {
  const notebook = JSON.parse(text);
  // The kernel reports its TypeScript version on every run (tslab's 3.7.2 today): noise in a diff.
  if (notebook.metadata?.language_info) delete notebook.metadata.language_info.version;
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
    if (cell.metadata) {
      delete cell.metadata.execution; // JupyterLab's "record timing" setting
      delete cell.metadata.scrolled;
    }
  }
  return `${JSON.stringify(sortKeys(notebook), null, 1)}\n`;
}

/** Registers the filter in this checkout's git config (idempotent); false when git is not there. */
export function installNotebookFilter(root) {
  const command = 'node scripts/strip-notebook.mjs';
  const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const current = git('config', '--get', `filter.${FILTER_NAME}.clean`);
  if (current.error || (current.status !== 0 && current.status !== 1)) return false; // no git, or not a repository
  if (current.stdout.trim() === command) return true;
  if (git('config', `filter.${FILTER_NAME}.clean`, command).status !== 0) return false;
  console.log(`git: notebooks/*.ipynb are committed without outputs (filter.${FILTER_NAME}.clean = ${command})`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const input = readFileSync(0, 'utf8');
  let output = input;
  try {
    output = stripNotebook(input);
  } catch (e) {
    // Not JSON (a half-resolved merge, say): pass it through, so that git never loses content.
    process.stderr.write(`strip-notebook: left as it is, not a readable notebook (${e.message})\n`);
  }
  process.stdout.write(output);
}
