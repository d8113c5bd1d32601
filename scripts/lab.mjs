// `npm run lab [-- jupyter lab options]`: JupyterLab on notebooks/ with the TypeScript kernel.
// Sets up .venv first if needed and compiles the library (the notebooks import dist/; run
// `npm run build` again after changing src/, then restart the kernel).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLibrary, reportAndExit } from './notebooks.mjs';
import { jupyterEnv, setupPython } from './setup-python.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  const venv = await setupPython(root);
  buildLibrary();
  const args = [
    'lab',
    `--ServerApp.root_dir=${path.join(root, 'notebooks')}`,
    '--ServerApp.ip=127.0.0.1',
    // Offline by default: no update checks against pypi.org, no news feed from jupyter.org.
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    '--LabApp.news_url=None',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ...process.argv.slice(2),
  ];
  // Its own process group: Ctrl+C reaches only this script, which then stops the server with
  // SIGTERM, the signal on which jupyter shuts its kernels down (after a bare SIGINT without a
  // terminal it exits at once and leaves the tslab kernels running).
  const lab = spawn(venv.jupyter, args, { cwd: root, env: jupyterEnv(venv), stdio: ['ignore', 'inherit', 'pipe'], detached: true });
  let announced = false;
  lab.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    const url = !announced && String(chunk).match(/http:\/\/(?:127\.0\.0\.1|localhost):\d+\/lab\?token=\w+/);
    if (url) {
      announced = true;
      console.log(`\nJupyterLab is running: ${url[0]}\nOpen a notebook and pick the TypeScript kernel; Ctrl+C stops the server.\n`);
    }
  });
  lab.on('error', (e) => reportAndExit(new Error(`Could not start ${venv.jupyter}: ${e.message}. Run npm run setup.`)));
  lab.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  const stop = () => {
    if (lab.exitCode === null && lab.signalCode === null) {
      console.log('\nStopping JupyterLab and its kernels...');
      lab.kill('SIGTERM');
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
}

main().catch(reportAndExit);
