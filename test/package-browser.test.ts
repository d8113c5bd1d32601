// The package in a browser: its ESM build, bundled by esbuild with @tensorflow/tfjs, replays the
// PyTorch golden cases in headless Chromium on tfjs's pure-JS `cpu` backend (or the one named by
// FUN_OPTIM_BROWSER_BACKEND, e.g. webgl). The replay is the
// project's own checker (../shared/parity/check.mjs), run unchanged: test/browser-parity/node-shims.ts
// stands in for the four Node modules it imports. The page is served from 127.0.0.1; every other
// request is aborted and counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { buildPackage } from '../scripts/build-package';
import * as optim from '../src/optim/index';
import type { ParityReport } from './browser-parity/harness';

const root = path.resolve(__dirname, '..');
const goldenDir = path.join(root, '..', 'shared', 'golden');
const checker = path.join(root, '..', 'shared', 'parity', 'check.mjs');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// 'cpu' by default: 5x faster here than 'webgl' (SwiftShader), on which the cases pass too.
const backend = process.env.FUN_OPTIM_BROWSER_BACKEND ?? 'cpu';

/** What torch-extras.json needs beyond the 13 optimizers (../shared/golden/README.md, "Extras"). */
const extrasContract = ['createScheduler', 'clipGradNorm', 'clipGradValue', 'createAveragedModel'];
const missingExtras = [
  ...extrasContract.filter((name) => typeof (optim as Record<string, unknown>)[name] !== 'function'),
  ...['adafactor', 'muon'].filter((name) => !(name in optim.optimizers)).map((name) => `optimizers.${name}`),
];

const work = mkdtempSync(path.join(tmpdir(), 'optim-browser-'));
const www = path.join(work, 'www');
let server: Server;
let browser: Browser;
let origin: string;
const offMachine: string[] = [];

before(async () => {
  assert.ok(existsSync(checker), `${checker} is missing (the golden data and its checker live in ../shared)`);
  assert.ok(existsSync(chromiumPath), `No Chromium at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  const packageDir = path.join(work, 'package');
  await buildPackage(packageDir, { jsOnly: true });
  const nodeShims = path.join(__dirname, 'browser-parity', 'node-shims.ts');
  await build({
    entryPoints: {
      harness: path.join(__dirname, 'browser-parity', 'harness.ts'),
      check: checker,
      optim: path.join(packageDir, 'dist', 'index.mjs'),
    },
    outdir: www,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022', // the checker awaits at its top level
    // The package's build lies outside the project: its import of @tensorflow/tfjs-core resolves here.
    nodePaths: [path.join(root, 'node_modules')],
    logLevel: 'error',
    plugins: [
      {
        name: 'node-shims',
        setup(b) {
          b.onResolve({ filter: /^node:(fs|path|url|module)$/ }, () => ({ path: nodeShims }));
        },
      },
    ],
  });
  writeFileSync(
    path.join(www, 'index.html'),
    `<!doctype html><meta charset="utf-8"><script type="module">import { runParity } from './harness.js'; window.runParity = runParity;</script>`,
  );
  server = createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = url.startsWith('/golden/') ? path.join(goldenDir, path.basename(url)) : path.join(www, path.normalize(url === '/' ? '/index.html' : url));
    if (!existsSync(file)) return void response.writeHead(404).end();
    const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : 'application/json';
    response.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--headless'] });
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  rmSync(work, { recursive: true, force: true });
});

/** Opens the page and runs the checker on the golden files; page errors and off-machine requests fail the test. */
async function replay(goldenFiles: string[], backendName: string): Promise<ParityReport> {
  const context = await browser.newContext();
  try {
    await context.route('**/*', (route) => {
      if (route.request().url().startsWith(origin + '/')) return route.continue();
      offMachine.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => 'runParity' in window);
    const report = await page.evaluate(
      ([files, name]) => (window as unknown as { runParity: (f: string[], b: string) => Promise<ParityReport> }).runParity(files, name),
      [goldenFiles, backendName] as const,
    );
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
    assert.deepEqual(offMachine, [], 'requests that tried to leave the machine');
    return report;
  } finally {
    await context.close();
  }
}

/** The checker passed every case of the files: its summary line, its exit status, no FAIL line. */
function assertAllPassed(report: ParityReport, goldenFiles: string[]): void {
  const cases = goldenFiles.reduce((n, name) => n + JSON.parse(readFileSync(path.join(goldenDir, name), 'utf8')).cases.length, 0);
  const failures = report.lines.filter((line) => line.startsWith('FAIL'));
  assert.deepEqual(failures, [], `cases that failed in Chromium on ${report.backend}`);
  assert.equal(report.lines.at(-1), `parity: ${cases} passed, 0 failed`);
  assert.equal(report.exitCode, 0);
}

test(`the ESM build replays every torch-optim.json case in Chromium (tfjs ${backend} backend)`, async () => {
  const report = await replay(['torch-optim.json'], backend);
  assert.equal(report.backend, backend);
  assertAllPassed(report, ['torch-optim.json']);
});

test(
  `the ESM build replays every torch-extras.json case in Chromium (tfjs ${backend} backend)`,
  { skip: missingExtras.length > 0 && `src/optim does not export the Extras contract yet: no ${missingExtras.join(', ')}` },
  async () => {
    const report = await replay(['torch-extras.json'], backend);
    assertAllPassed(report, ['torch-extras.json']);
  },
);
