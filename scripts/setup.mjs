#!/usr/bin/env node
// Installs everything the project needs, idempotently, from a fresh clone:
//   node scripts/setup.mjs native   the native TensorFlow addon only (npm's postinstall runs this)
//   node scripts/setup.mjs all      npm packages, native addon, Debian packages, Python venv + tslab kernel
// Each step checks first and does nothing when its work is already done, so `npm test` and `npm start`
// can call it every time. Uses only Node's standard library: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tfjsNode = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
const cacheDir = join(root, '.cache');
// libtensorflow's C API as PyPI's tensorflow-cpu wheel ships it (libtensorflow_cc.so.2 + headers).
const TENSORFLOW_WHEEL = 'tensorflow-cpu==2.21.0';
const SYSTEM_PACKAGES = [
  { name: 'chromium', why: 'the browser test of the exported notebooks', present: () => existsSync('/usr/bin/chromium') },
  {
    name: 'dataset-fashion-mnist',
    why: 'Fashion-MNIST training (--dataset fashion)',
    present: () => existsSync('/usr/share/datasets/fashion-mnist'),
  },
];

const log = (message) => console.log(`[setup] ${message}`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  return result.status === 0;
}

// ---------------------------------------------------------------------------------------------
// npm packages

function lockHash() {
  const lock = join(root, 'package-lock.json');
  return createHash('sha256').update(readFileSync(lock)).update(readFileSync(join(root, 'package.json'))).digest('hex');
}

function ensureNodeModules() {
  const stamp = join(root, 'node_modules', '.fun-with-optimizers-lock');
  const wanted = lockHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  log('installing npm packages (npm ci; the native TensorFlow addon is set up by its postinstall)');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) throw new Error('npm ci failed (see above).');
  writeFileSync(stamp, wanted);
}

// ---------------------------------------------------------------------------------------------
// The native TensorFlow addon of @tensorflow/tfjs-node

function nativeLoads() {
  const probe = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return { ok: probe.status === 0, error: (probe.stderr || '').trim().split('\n').filter(Boolean).slice(-1)[0] };
}

/** tfjs-node's own installer: downloads libtensorflow and a prebuilt addon (needs Google's storage host). */
function officialInstall() {
  log('trying tfjs-node\'s own installer (downloads libtensorflow 2.9.1 and a prebuilt addon)');
  const result = spawnSync(process.execPath, ['scripts/install.js'], {
    cwd: tfjsNode,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
  });
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}\n${result.error ?? ''}`.split('\n');
    const why = (output.find((line) => /Error\b/.test(line)) ?? '').trim();
    log(`tfjs-node's installer did not finish (${why || `exit ${result.status}`}); falling back to the PyPI wheel`);
  }
}

/** Unpacks libtensorflow_cc + headers from PyPI's tensorflow-cpu wheel into tfjs-node's deps/. */
function stageLibtensorflowFromWheel() {
  const wheels = join(cacheDir, 'wheels');
  mkdirSync(wheels, { recursive: true });
  const present = () => readdirSync(wheels).find((f) => /^tensorflow_cpu-.*\.whl$/.test(f));
  if (!present()) {
    log(`downloading ${TENSORFLOW_WHEEL} from PyPI (about 275 MB) for its libtensorflow C library`);
    const ok = run('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--quiet', TENSORFLOW_WHEEL, '-d', wheels]);
    if (!ok || !present()) throw new Error(`pip could not download ${TENSORFLOW_WHEEL}: python3 with pip and access to PyPI are needed.`);
  }
  const wheel = join(wheels, present());
  const deps = join(tfjsNode, 'deps');
  rmSync(deps, { recursive: true, force: true });
  mkdirSync(join(deps, 'lib'), { recursive: true });
  log('unpacking libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C headers from the wheel');
  const unpack = `
import os, shutil, sys, zipfile
wheel, deps = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'):
            target = os.path.join(deps, 'lib', os.path.basename(name))
        elif name.startswith('tensorflow/include/') and not name.endswith('/'):
            target = os.path.join(deps, 'include', name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
`;
  if (!run('python3', ['-c', unpack, wheel, deps])) throw new Error(`could not unpack ${wheel}`);
  // The addon links -ltensorflow -ltensorflow_framework; the wheel names them by their sonames.
  symlinkSync('libtensorflow_cc.so.2', join(deps, 'lib', 'libtensorflow.so'));
  symlinkSync('libtensorflow_framework.so.2', join(deps, 'lib', 'libtensorflow_framework.so'));
}

/** node-gyp needs Node's headers; point it at this Node's own prefix so it downloads none. */
function nodeHeadersDir() {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function buildAddonFromSource() {
  log('building the tfjs-node addon from source against that libtensorflow (about a minute)');
  const nodedir = nodeHeadersDir();
  if (!nodedir) log('warning: no include/node/node.h beside this Node; node-gyp will try to download headers');
  const env = { ...process.env, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) };
  const npmNodeGyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!env.npm_config_node_gyp && existsSync(npmNodeGyp)) env.npm_config_node_gyp = npmNodeGyp;
  const preGyp = join(root, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  const ok = run(process.execPath, [preGyp, 'install', '--build-from-source'], { cwd: tfjsNode, env });
  if (!ok) throw new Error('building the tfjs-node addon failed (a C++ compiler, make and python3 are needed).');
}

function ensureNative({ mustSucceed }) {
  if (!existsSync(tfjsNode)) {
    log('@tensorflow/tfjs-node is not installed yet; run npm install first');
    return false;
  }
  if (nativeLoads().ok) return true;
  try {
    if (process.env.FUN_OPTIM_NATIVE_SOURCE !== 'wheel') officialInstall();
    if (!nativeLoads().ok) {
      stageLibtensorflowFromWheel();
      buildAddonFromSource();
    }
  } catch (error) {
    log(`error: ${error.message}`);
  }
  const check = nativeLoads();
  if (check.ok) {
    log('native TensorFlow backend ready');
    return true;
  }
  const message =
    `the native TensorFlow addon is not available (${check.error}). Programs will warn and run on the ` +
    'pure-JS backend, many times slower; tests refuse to run. Fix what is reported above, then `npm run setup`.';
  if (mustSucceed) throw new Error(message);
  log(`warning: ${message}`);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Debian packages (installed when we are root; otherwise named)

function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter((p) => !p.present());
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    for (const p of missing) log(`missing Debian package ${p.name}, needed for ${p.why}`);
    log(`install them with: sudo apt-get install -y ${names.join(' ')}   (then run this again)`);
    return;
  }
  log(`installing Debian packages: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  if (!run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { env })) {
    log(`warning: apt-get could not install ${names.join(' ')}; the features that need them will say so`);
  }
}

// ---------------------------------------------------------------------------------------------

async function ensurePython() {
  const module = join(root, 'scripts', 'setup-python.mjs');
  if (!existsSync(module)) return;
  const { setupPython } = await import(pathToFileURL(module).href);
  await setupPython(root);
}

async function main() {
  const what = process.argv[2] ?? 'all';
  if (what === 'native') {
    // npm's postinstall: report, never fail the install half-way.
    ensureNative({ mustSucceed: false });
    return;
  }
  if (what !== 'all') {
    console.error(`usage: node scripts/setup.mjs [all|native]  (got '${what}')`);
    process.exit(2);
  }
  const started = Date.now();
  ensureNodeModules();
  ensureNative({ mustSucceed: true });
  ensureSystemPackages();
  await ensurePython();
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 5) log(`done in ${seconds.toFixed(0)} s`);
}

main().catch((error) => {
  console.error(`[setup] failed: ${error.message}`);
  process.exit(1);
});
