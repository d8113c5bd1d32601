// `npm run lab [-- jupyter lab options]`: JupyterLab on notebooks/ with the TypeScript kernel.
// Sets up .venv first if needed, and keeps dist/ (which the notebooks import) current while the lab
// is open: `tsc --watch` compiles src/ before the server starts and again on every change (then
// restart the kernel to load the new dist/). Both stop together.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportAndExit } from './notebooks.mjs';
import { jupyterEnv, setupPython } from './setup-python.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `tsc -p tsconfig.build.json --watch`, resolved once its first compilation has finished without
 * errors (rejected with tsc's output otherwise); later compilations are reported as they finish.
 */
function watchLibrary() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const watcher = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let first = true;
    let output = '';
    let pending = '';
    watcher.on('error', (e) => reject(new Error(`Could not start tsc --watch: ${e.message}`)));
    watcher.on('exit', (code) => {
      if (first) reject(new Error(`tsc --watch exited (${code}) before its first build:\n${output}`));
    });
    watcher.stdout.on('data', (chunk) => {
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        output += `${line}\n`;
        const done = line.match(/Found (\d+) errors?\. Watching for file changes/);
        if (!done) {
          if (!first && line.trim() !== '') console.log(`tsc: ${line}`);
          continue;
        }
        const errors = Number(done[1]);
        if (first) {
          first = false;
          if (errors > 0) {
            watcher.kill('SIGTERM');
            reject(new Error(`npm run build (tsc -p tsconfig.build.json) failed; the notebooks import its output, dist/:\n${output}`));
          } else {
            console.log('build: dist/ compiled; tsc --watch keeps it current while the lab runs');
            resolve(watcher);
          }
        } else {
          console.log(errors > 0 ? `tsc: ${errors} error(s), shown above: fix them, then restart the kernel` : 'tsc: dist/ rebuilt: restart the kernel (Kernel > Restart) to load it');
        }
        output = '';
      }
    });
  });
}

async function main() {
  const venv = await setupPython(root);
  const watcher = await watchLibrary();
  // However this script ends, the watcher ends with it.
  process.on('exit', () => watcher.kill('SIGTERM'));
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
