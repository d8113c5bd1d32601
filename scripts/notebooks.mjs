// `npm run notebooks [-- --only NN]`: builds the library, executes every notebooks/NN-*.ipynb in
// order with nbconvert through .venv's TypeScript kernel (a cell that throws fails the run, naming
// the notebook and the cell), saves the executed notebooks to outputs/notebooks/ and exports each
// to outputs/html/, with outputs/html/index.html linking them (outputs/quick/... in quick mode). The HTML works offline: plotly.js
// and MathJax are copied to outputs/html/assets/ and nothing is loaded from a CDN.
// FUN_OPTIM_QUICK=1 passes through to the kernels: notebooks read it to run small.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jupyterEnv, setupPython } from './setup-python.mjs';
import { indexPage, indexSections, readIndexData } from './notebook-export/index-page.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const notebookDir = path.join(root, 'notebooks');
// Quick runs (CI, FUN_OPTIM_QUICK=1) go to outputs/quick/ so they never replace the full export.
const outputsDir = process.env.FUN_OPTIM_QUICK === '1' ? path.join(root, 'outputs', 'quick') : path.join(root, 'outputs');
const executedDir = path.join(outputsDir, 'notebooks');
const htmlDir = path.join(outputsDir, 'html');
// The exported pages' template and the index page's summaries live in scripts/notebook-export/.
const templateFile = path.join(root, 'scripts', 'notebook-export', 'fun-with-optimizers.html.j2');
const NOTEBOOK_NAME = /^(\d\d)-[\w.-]+\.ipynb$/;
const CELL_TIMEOUT_S = 3600; // nbclient's default (30 s) is far too short for training cells

class NotebookError extends Error {}

// The files the exported pages load, copied from npm packages to outputs/html/assets/.
const assets = [
  { from: 'plotly.js-dist/plotly.js', to: 'plotly.js', install: 'plotly.js-dist (a dependency)' },
  { from: 'mathjax/es5/tex-svg-full.js', to: 'mathjax/tex-svg-full.js', install: 'mathjax@3.2.2 (a devDependency)' },
];


function parseArgs(argv) {
  const options = { only: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only' && /^\d\d$/.test(argv[i + 1] ?? '')) options.only = argv[++i];
    else if (/^--only=\d\d$/.test(argv[i])) options.only = argv[i].slice('--only='.length);
    else throw new NotebookError(`Unknown argument '${argv[i]}'. Usage: npm run notebooks [-- --only NN], NN the two-digit number of a notebook.`);
  }
  return options;
}

function seconds(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

/** `npm run build`: the notebooks import dist/, so it must be fresh. Throws with tsc's output. */
export function buildLibrary() {
  const start = performance.now();
  const tsc = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc');
  const result = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new NotebookError(`npm run build (tsc -p tsconfig.build.json) failed; the notebooks import its output, dist/:\n${result.stdout}${result.stderr}`);
  }
  console.log(`build: dist/ compiled (${seconds(start)})`);
}

function listNotebooks(only) {
  const all = readdirSync(notebookDir).filter((name) => NOTEBOOK_NAME.test(name)).sort();
  if (all.length === 0) throw new NotebookError(`No notebooks/NN-*.ipynb found in ${notebookDir}.`);
  if (only === undefined) return { all, selected: all };
  const selected = all.filter((name) => name.startsWith(`${only}-`));
  if (selected.length === 0) throw new NotebookError(`--only ${only}: no notebook notebooks/${only}-*.ipynb (there are: ${all.join(', ')}).`);
  return { all, selected };
}

function readNotebook(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new NotebookError(`${path.relative(root, file)} is not a readable notebook: ${e.message}`);
  }
}

const cellSource = (cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source ?? '');

/** The notebook's title: its first Markdown heading, else its file name. */
function titleOf(notebook, name) {
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type !== 'markdown') continue;
    const heading = cellSource(cell).match(/^#+\s+(.+)$/m);
    if (heading) return heading[1].trim();
  }
  return name.replace(/\.ipynb$/, '');
}

/** A cell error, as a sentence that names the cell: nbclient prints the failing cell's source. */
function describeFailure(notebook, name, output) {
  const failed = output.match(/An error occurred while executing the following cell:\n-+\n([\s\S]*?)\n-+\n([\s\S]*)$/);
  if (!failed) {
    const tail = output.trim().split('\n').slice(-25).join('\n');
    return `notebooks/${name} did not run (no cell error reported; kernel or nbconvert problem):\n${tail}`;
  }
  const [, source, error] = failed;
  const index = notebook.cells.findIndex((cell) => cell.cell_type === 'code' && cellSource(cell).trim() === source.trim());
  const where = index >= 0 ? `cell ${index + 1} (code cell ${notebook.cells.slice(0, index + 1).filter((c) => c.cell_type === 'code').length})` : 'a cell';
  const excerpt = source.split('\n').slice(0, 6).map((line) => `    | ${line}`).join('\n');
  const detail = error.replace(/-{10,}\s*$/, '').trim().split('\n').slice(0, 30).map((line) => `    ${line}`).join('\n');
  return `notebooks/${name} failed in ${where}:\n${excerpt}\n  error:\n${detail}`;
}

function nbconvert(venv, args) {
  const result = spawnSync(venv.jupyter, ['nbconvert', ...args], { cwd: root, env: jupyterEnv(venv), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.error) throw new NotebookError(`Could not start ${venv.jupyter}: ${result.error.message}. Run npm run setup.`);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function execute(venv, name) {
  const source = path.join(notebookDir, name);
  const notebook = readNotebook(source);
  const kernel = notebook.metadata?.kernelspec?.name;
  if (!kernel) throw new NotebookError(`notebooks/${name} names no kernel (metadata.kernelspec.name); open it in npm run lab and pick TypeScript.`);
  const run = nbconvert(venv, [
    '--to', 'notebook', '--execute', source,
    '--output-dir', executedDir,
    `--ExecutePreprocessor.timeout=${CELL_TIMEOUT_S}`,
    '--ExecutePreprocessor.startup_timeout=120',
  ]);
  if (!run.ok) throw new NotebookError(describeFailure(notebook, name, run.output));
  return titleOf(notebook, name);
}

function exportHtml(venv, name) {
  const run = nbconvert(venv, [
    '--to', 'html', path.join(executedDir, name),
    `--template-file=${templateFile}`,
    // tslab reports no execution counts, so the prompts would all read "In [ ]": leave them out.
    '--HTMLExporter.exclude_input_prompt=True',
    '--HTMLExporter.exclude_output_prompt=True',
    '--output-dir', htmlDir,
  ]);
  if (!run.ok) throw new NotebookError(`Exporting notebooks/${name} to HTML failed:\n${run.output.trim()}`);
}

function copyAssets() {
  const requireFromRoot = createRequire(path.join(root, 'package.json'));
  for (const asset of assets) {
    let from;
    try {
      from = requireFromRoot.resolve(asset.from);
    } catch {
      throw new NotebookError(`${asset.from} is missing: the exported HTML needs ${asset.install}; run npm install.`);
    }
    const to = path.join(htmlDir, 'assets', asset.to);
    if (existsSync(to) && statSync(to).size === statSync(from).size && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
}

/** outputs/html/index.html: the exported notebooks in index.json's reading order, with their summaries. */
function writeIndex(all) {
  const exported = new Map(
    all
      .filter((name) => existsSync(path.join(htmlDir, name.replace(/\.ipynb$/, '.html'))))
      .map((name) => [name.replace(/\.ipynb$/, ''), titleOf(readNotebook(path.join(notebookDir, name)), name)]),
  );
  const sections = indexSections(readIndexData(), exported, (href) => existsSync(path.join(htmlDir, href)));
  const page = indexPage(sections, { date: new Date().toISOString().slice(0, 10), quick: process.env.FUN_OPTIM_QUICK === '1' });
  writeFileSync(path.join(htmlDir, 'index.html'), page);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  // The cheap checks first, so that a wrong argument or a missing package fails at once.
  const { all, selected } = listNotebooks(options.only);
  readIndexData(); // a broken index.json fails now, not after an hour of notebooks
  if (!existsSync(templateFile)) throw new NotebookError(`${path.relative(root, templateFile)} is missing: the HTML export needs it (restore it with git checkout).`);
  for (const dir of [executedDir, htmlDir]) mkdirSync(dir, { recursive: true });
  copyAssets();
  const venv = await setupPython(root);
  buildLibrary();
  const quick = process.env.FUN_OPTIM_QUICK === '1';
  console.log(`notebooks: running ${selected.length} of ${all.length}${quick ? ' in quick mode (FUN_OPTIM_QUICK=1)' : ''}`);
  for (const name of selected) {
    const start = performance.now();
    const title = execute(venv, name);
    const executed = seconds(start);
    const exportStart = performance.now();
    exportHtml(venv, name);
    console.log(`  ${name}  "${title}"  executed in ${executed}, exported in ${seconds(exportStart)}`);
  }
  writeIndex(all);
  console.log(`notebooks: done in ${seconds(started)}; open ${path.relative(process.cwd(), path.join(htmlDir, 'index.html'))}`);
}

export function reportAndExit(e) {
  console.error(`\n✗ ${e instanceof NotebookError || /^Python setup:/.test(e?.message) ? e.message : e?.stack ?? e}`);
  process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main().catch(reportAndExit);
