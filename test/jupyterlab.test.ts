// JupyterLab as a client: a notebook opened in the real JupyterLab UI (.venv's jupyter lab, the tslab
// TypeScript kernel) in headless Chromium, Run All, and then no error output, every Plotly figure
// drawn by JupyterLab's Plotly renderer, and math typeset. The server listens on 127.0.0.1 at a free
// port with a random token and is stopped by its process id; the notebook runs from an untracked
// copy (deleted afterwards), so that the tracked file never receives outputs.
//   JUPYTERLAB_TEST_NOTEBOOK=05 node --import tsx --test test/jupyterlab.test.ts   (default: 00)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sliderProblems } from './plotly-sliders';

const root = path.resolve(__dirname, '..');
const notebookDir = path.join(root, 'notebooks');
const jupyter = path.join(root, '.venv', 'bin', 'jupyter');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const number = process.env.JUPYTERLAB_TEST_NOTEBOOK ?? '00';
const source = readdirSync(notebookDir).find((name) => name.startsWith(`${number}-`) && name.endsWith('.ipynb'));
// Not NN-*.ipynb (so neither npm run notebooks nor the clean-notebook test takes it), and git-ignored.
const copyName = `jupyterlab-test-${source}`;
const copyPath = path.join(notebookDir, copyName);
const RUN_TIMEOUT_MS = 5 * 60_000;

let server: ChildProcess | undefined;
let serverLog = '';
let browser: Browser | undefined;
let settingsDir: string | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`jupyter lab exited (${server?.exitCode}):\n${serverLog.slice(-3000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter lab did not answer ${url.replace(/token=\w+/, 'token=…')} in time:\n${serverLog.slice(-3000)}`);
}

/** SIGTERM (jupyter then shuts its kernels down), SIGKILL if it is still there after 15 s. */
async function stopServer(): Promise<void> {
  const running = server;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  process.kill(running.pid!, 'SIGTERM');
  const timer = setTimeout(() => running.exitCode === null && process.kill(running.pid!, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

interface LabApp {
  commands: { execute(id: string): Promise<unknown> };
  shell: { currentWidget: unknown };
}
type LabWindow = Window & { jupyterapp?: LabApp };

/** The open notebook's kernel: its display name, status and whether it is attached and connected. */
function kernelState(page: Page) {
  return page.evaluate(() => {
    const app = (window as LabWindow).jupyterapp;
    const panel = app?.shell.currentWidget as undefined | {
      sessionContext?: { kernelDisplayName: string; session?: { kernel?: { status: string; connectionStatus: string } | null } | null };
    };
    const kernel = panel?.sessionContext?.session?.kernel;
    return { name: panel?.sessionContext?.kernelDisplayName ?? '', status: kernel?.status ?? 'none', connected: kernel?.connectionStatus === 'connected' };
  });
}

before(async () => {
  assert.ok(source, `no notebooks/${number}-*.ipynb to open`);
  assert.ok(existsSync(jupyter), `${jupyter} is missing: run npm run setup (it creates .venv with JupyterLab)`);
  assert.ok(existsSync(chromiumPath), `No Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`);
  assert.ok(existsSync(path.join(root, 'dist', 'notebook', 'index.js')), 'dist/ is missing: run npm run build (the notebooks import it)');
  copyFileSync(path.join(notebookDir, source!), copyPath);
  // User settings of this run only: no virtual scrolling (every cell stays in the page, so every
  // output can be checked), no news prompt.
  settingsDir = mkdtempSync(path.join(tmpdir(), 'fwo-jupyterlab-settings-'));
  const setting = (plugin: string, value: object) => {
    const file = path.join(settingsDir!, '@jupyterlab', `${plugin}.jupyterlab-settings`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(value));
  };
  setting('notebook-extension/tracker', { windowingMode: 'none' });
  setting('apputils-extension/notification', { fetchNews: 'false' });
});

after(async () => {
  await browser?.close();
  await stopServer();
  rmSync(copyPath, { force: true });
  rmSync(path.join(notebookDir, '.ipynb_checkpoints', copyName.replace(/\.ipynb$/, '-checkpoint.ipynb')), { force: true });
  if (settingsDir) rmSync(settingsDir, { recursive: true, force: true });
});

test(`JupyterLab runs notebooks/${source} with the TypeScript kernel: Run All, no errors, figures drawn, math typeset`, { timeout: RUN_TIMEOUT_MS + 120_000 }, async () => {
  const started = Date.now();
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const args = [
    'lab', '--no-browser', `--ServerApp.root_dir=${notebookDir}`, '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0', `--IdentityProvider.token=${token}`, '--LabApp.expose_app_in_browser=True',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate', '--LabApp.news_url=None',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ];
  const env = {
    ...process.env,
    FUN_OPTIM_QUICK: '1',
    JUPYTERLAB_SETTINGS_DIR: settingsDir,
    JUPYTER_PATH: [path.join(root, '.venv', 'share', 'jupyter'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
  };
  server = spawn(jupyter, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [server.stdout!, server.stderr!]) stream.on('data', (chunk) => (serverLog += String(chunk)));
  const base = `http://127.0.0.1:${port}`;
  await waitForServer(`${base}/api/status?token=${token}`, Date.now() + 60_000);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const offMachine: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith(`ws://127.0.0.1:${port}`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    offMachine.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${base}/lab/tree/${encodeURIComponent(copyName)}?token=${token}`);

  // The status reads "Idle" before a kernel is attached: wait for the TypeScript kernel, connected.
  await page.waitForFunction(() => {
    const panel = (window as LabWindow).jupyterapp?.shell.currentWidget as undefined | {
      sessionContext?: { kernelDisplayName: string; session?: { kernel?: { status: string; connectionStatus: string } | null } | null };
    };
    const kernel = panel?.sessionContext?.session?.kernel;
    return panel?.sessionContext?.kernelDisplayName === 'TypeScript' && kernel?.status === 'idle' && kernel.connectionStatus === 'connected';
  }, null, { timeout: 120_000, polling: 250 });
  await page.getByText('TypeScript | Idle').first().waitFor({ timeout: 10_000 });
  const kernelReady = Date.now();

  // Run All resolves when the last cell has run (false if one failed).
  const ranAll = await page.evaluate(() => (window as LabWindow).jupyterapp!.commands.execute('notebook:run-all-cells'));
  await page.waitForFunction(() => {
    const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map((p) => p.textContent ?? '');
    return !prompts.some((p) => p.includes('*'));
  }, null, { timeout: RUN_TIMEOUT_MS, polling: 500 });
  assert.deepEqual(await kernelState(page), { name: 'TypeScript', status: 'idle', connected: true });
  await page.getByText('TypeScript | Idle').first().waitFor({ timeout: 10_000 });
  const ranFor = (Date.now() - kernelReady) / 1000;

  const errors = await page.locator('[data-mime-type="application/vnd.jupyter.error"], .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allInnerTexts();
  assert.deepEqual(errors.map((e) => e.slice(0, 500)), [], 'error outputs');
  assert.equal(ranAll, true, 'Run All reported a failed cell');

  // How many figures the kernel sent, from the notebook model in the page (not the contents API,
  // which, read while an autosave writes the file, makes the server set the file aside as invalid).
  // Which of them have sliders (trajectoryContourSliders): read from the same model in one go.
  const { sent, sliderFigures } = await page.evaluate((mime) => {
    const panel = (window as LabWindow).jupyterapp!.shell.currentWidget as { context: { model: { toJSON(): { cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }> }> } } } };
    const outputs = panel.context.model.toJSON().cells.flatMap((cell) => cell.outputs ?? []).filter((output) => mime in (output.data ?? {}));
    const withSliders = outputs.flatMap((output, i) => (((output.data![mime] as { layout?: { sliders?: unknown[] } }).layout?.sliders?.length ?? 0) > 0 ? [i] : []));
    return { sent: outputs.length, sliderFigures: withSliders };
  }, 'application/vnd.plotly.v1+json');
  assert.ok(sent > 0, 'the notebook shows no Plotly figure');
  // JupyterLab's Plotly renderer draws into the output element itself (classes jp-RenderedPlotly js-plotly-plot).
  const figures = page.locator('.jp-OutputArea-output.jp-RenderedPlotly');
  assert.equal(await figures.count(), sent, 'one Plotly output element per figure sent');
  for (let i = 0; i < sent; i++) {
    const figure = figures.nth(i);
    await figure.locator('.main-svg').first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.match((await figure.getAttribute('class')) ?? '', /js-plotly-plot/, `figure ${i + 1} not drawn by Plotly`);
    assert.ok((await figure.locator('.plot-container .main-svg').count()) > 0, `figure ${i + 1} has no drawn SVG`);
    assert.ok((await figure.locator('.scatterlayer .trace, .barlayer .trace, .contourlayer .trace, .heatmaplayer .hm, .imagelayer image').count()) > 0, `figure ${i + 1} draws no trace`);
  }
  const figureCount = sent;

  // Sliders work without the kernel: moving the first one of each slider figure shows another set
  // of precomputed paths.
  if (readFileSync(path.join(notebookDir, source!), 'utf8').includes('trajectoryContourSliders')) assert.ok(sliderFigures.length > 0, 'the notebook draws sliders, but no figure has one');
  const sliderIssues: string[] = [];
  for (const i of sliderFigures) sliderIssues.push(...(await sliderProblems(figures.nth(i), `figure ${i + 1}`)));
  assert.deepEqual(sliderIssues, [], 'sliders that do not work');

  // Math: JupyterLab typesets with MathJax 3 into mjx-container elements, and reports TeX errors as merror.
  await page.locator('.jp-MarkdownOutput mjx-container').first().waitFor({ state: 'attached', timeout: 30_000 });
  const typeset = await page.locator('mjx-container').count();
  assert.ok(typeset > 0, 'no math typeset');
  assert.equal(await page.locator('mjx-merror, [data-mjx-error]').count(), 0, 'TeX errors');
  assert.deepEqual(offMachine, [], 'requests that tried to leave the machine');
  assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  console.log(`# JupyterLab: ${source}: kernel ready in ${((kernelReady - started) / 1000).toFixed(1)} s, Run All in ${ranFor.toFixed(1)} s; ${figureCount} figures (${sliderFigures.length} with sliders, each moved), ${typeset} typeset formulas`);
  await context.close();
});
