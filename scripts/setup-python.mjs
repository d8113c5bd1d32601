// The Python side of the project: a virtual environment in .venv with JupyterLab, nbconvert and
// Plotly's JupyterLab renderer (requirements.txt), and tslab's TypeScript and JavaScript kernels
// registered inside it. Idempotent and quick when nothing changed: the venv is created once,
// requirements are installed again only when requirements.txt changes (a hash stamp in .venv),
// and the kernels are registered again only when their kernel.json does not name this checkout's
// tslab. It also registers the git filter that commits notebooks without their outputs
// (scripts/strip-notebook.mjs). Run alone with `node scripts/setup-python.mjs`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installNotebookFilter } from './strip-notebook.mjs';

const MIN_PYTHON = [3, 9];
const isWindows = process.platform === 'win32';

class SetupError extends Error {}

function run(command, args, what, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new SetupError(`${what}: could not start ${command} (${result.error.message}).`);
  if (result.status !== 0) throw new SetupError(`${what} failed (${command} ${args.join(' ')} exited with ${result.status}).`);
  return result;
}

/** The paths of the venv's programs. */
export function venvPaths(root) {
  const venv = path.join(root, '.venv');
  const bin = path.join(venv, isWindows ? 'Scripts' : 'bin');
  return {
    venv,
    python: path.join(bin, isWindows ? 'python.exe' : 'python'),
    jupyter: path.join(bin, isWindows ? 'jupyter.exe' : 'jupyter'),
    // Put first on JUPYTER_PATH so that this venv's kernels win over any user-wide tslab kernel.
    jupyterData: path.join(venv, 'share', 'jupyter'),
  };
}

/** The environment for running the venv's jupyter: its kernels first on JUPYTER_PATH. */
export function jupyterEnv(paths, env = process.env) {
  return { ...env, JUPYTER_PATH: [paths.jupyterData, env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) };
}

function basePython() {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : isWindows ? ['python', 'py'] : ['python3', 'python'];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const [major, minor] = probe.stdout.trim().split('.').map(Number);
    if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) return candidate;
    throw new SetupError(`${candidate} is Python ${major}.${minor}; the notebooks need Python ${MIN_PYTHON.join('.')} or newer (set PYTHON=/path/to/python3 to choose another).`);
  }
  throw new SetupError(`No Python found (tried ${candidates.join(', ')}). Install Python ${MIN_PYTHON.join('.')}+ with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3.`);
}

function createVenv(paths) {
  const python = basePython();
  console.log(`python: creating ${paths.venv} with ${python}`);
  const result = spawnSync(python, ['-m', 'venv', paths.venv], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (result.status !== 0 || !existsSync(paths.python)) {
    rmSync(paths.venv, { recursive: true, force: true }); // a half-made venv would look ready next time
    const detail = (result.stderr ?? '').trim();
    const hint = /ensurepip|venv/.test(detail) ? ' On Debian/Ubuntu install the venv module: apt-get install python3-venv.' : '';
    throw new SetupError(`Could not create the Python virtual environment .venv.${hint}\n${detail}`);
  }
}

function installRequirements(root, paths) {
  const requirements = path.join(root, 'requirements.txt');
  if (!existsSync(requirements)) throw new SetupError(`${requirements} is missing.`);
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const stamp = path.join(paths.venv, '.requirements.sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return false;
  console.log('python: installing requirements.txt into .venv (first time: a minute or two)');
  run(paths.python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', requirements], 'pip install -r requirements.txt');
  writeFileSync(stamp, `${hash}\n`);
  return true;
}

function registeredBinary(paths, kernel) {
  try {
    return JSON.parse(readFileSync(path.join(paths.jupyterData, 'kernels', kernel, 'kernel.json'), 'utf8')).argv?.[0];
  } catch {
    return undefined;
  }
}

function registerKernels(root, paths) {
  const tslab = path.join(root, 'node_modules', '.bin', isWindows ? 'tslab.cmd' : 'tslab');
  if (!existsSync(tslab)) throw new SetupError(`${tslab} is missing: run npm install first (tslab is a devDependency).`);
  if (['tslab', 'jslab'].every((kernel) => registeredBinary(paths, kernel) === tslab)) return false;
  console.log('python: registering the tslab kernels (TypeScript, JavaScript) in .venv');
  // An absolute --binary: the kernel starts without node_modules/.bin on PATH.
  run(tslab, ['install', `--python=${paths.python}`, '--sys-prefix', `--binary=${tslab}`], 'tslab install', { stdio: ['ignore', 'ignore', 'inherit'] });
  return true;
}

// JupyterLab settings for this venv: no prompt to fetch Jupyter news (the notebooks work offline).
const labSettings = { '@jupyterlab/apputils-extension:notification': { fetchNews: 'false' } };

function writeLabSettings(paths) {
  const file = path.join(paths.jupyterData, 'lab', 'settings', 'overrides.json');
  const text = `${JSON.stringify(labSettings, null, 2)}\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/**
 * Makes .venv ready for `npm run lab` and `npm run notebooks`. Returns the venv's paths.
 * Throws an Error whose message says what to do when something is missing.
 */
export async function setupPython(root) {
  const paths = venvPaths(root);
  try {
    if (!existsSync(paths.python)) createVenv(paths);
    const installed = installRequirements(root, paths);
    const registered = registerKernels(root, paths);
    writeLabSettings(paths);
    // Notebooks saved from JupyterLab carry their outputs: git strips them on add.
    installNotebookFilter(root);
    if (!existsSync(paths.jupyter)) throw new SetupError(`${paths.jupyter} is missing after installing requirements.txt; delete .venv and run npm run setup again.`);
    console.log(`python: .venv ready${installed || registered ? '' : ' (nothing changed)'}`);
    return paths;
  } catch (e) {
    if (e instanceof SetupError) throw new Error(`Python setup: ${e.message}`);
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  setupPython(root).catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
