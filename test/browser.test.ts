// The exported notebooks (outputs/html, written by `npm run notebooks`) opened in headless Chromium:
// every Plotly figure has drawn and holds traces with data, no one-point line stands beside curves
// (a figure mixing a 1-epoch run with 10-epoch ones), no debug line is among the outputs ("tensors
// still allocated: 27"), every equation is typeset by MathJax with no TeX left raw and no TeX
// error, every table is there, the console stays clean, and no request leaves the machine
// (everything that is not file:// is aborted and counted). It checks whatever pages the last
// `npm run notebooks` exported (`-- --only NN` exports one), in quick mode (FUN_OPTIM_QUICK=1,
// outputs/quick/html) or full mode (outputs/html).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sliderProblems } from './plotly-sliders';
import { chromium, type Browser, type Page } from 'playwright-core';
import { backendReady } from './helpers';

before(() => backendReady);

const root = path.resolve(__dirname, '..');
// The export of the last `npm run notebooks` in the same mode: outputs/quick/ for FUN_OPTIM_QUICK=1.
const outputsDir = process.env.FUN_OPTIM_QUICK === '1' ? path.join(root, 'outputs', 'quick') : path.join(root, 'outputs');
const htmlDir = path.join(outputsDir, 'html');
const executedDir = path.join(outputsDir, 'notebooks');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: Array<{ data?: Record<string, unknown> }>;
}

/** What the executed notebook says its page must show. */
function expectations(name: string): { plots: number; tables: number; math: boolean; sliderPlots: number[]; pathPlotsWithoutSliders: number[] } {
  const file = path.join(executedDir, name.replace(/\.html$/, '.ipynb'));
  assert.ok(existsSync(file), `${file} is missing: outputs/html and outputs/notebooks come from the same npm run notebooks`);
  const cells = (JSON.parse(readFileSync(file, 'utf8')) as { cells: NotebookCell[] }).cells;
  const outputs = cells.flatMap((cell) => cell.outputs ?? []).map((output) => output.data ?? {});
  const text = (source: string | string[]) => (Array.isArray(source) ? source.join('') : source);
  const figures = outputs
    .filter((data) => PLOTLY_MIME in data)
    .map((data) => data[PLOTLY_MIME] as { data?: Array<{ type?: string; name?: string }>; layout?: { sliders?: unknown[] } });
  const hasSliders = (figure: (typeof figures)[number]) => (figure.layout?.sliders?.length ?? 0) > 0;
  // A 2-D path figure: paths (beyond the start and minimum markers) drawn over a contour map.
  const isPathFigure = (figure: (typeof figures)[number]) =>
    (figure.data ?? []).some((trace) => trace.type === 'contour') &&
    (figure.data ?? []).some((trace) => trace.type === 'scatter' && trace.name !== 'start' && trace.name !== 'minimum');
  return {
    plots: figures.length,
    sliderPlots: figures.flatMap((figure, i) => (hasSliders(figure) ? [i] : [])),
    pathPlotsWithoutSliders: figures.flatMap((figure, i) => (isPathFigure(figure) && !hasSliders(figure) ? [i + 1] : [])),
    tables: outputs.filter((data) => String(data['text/html'] ?? '').includes('<table')).length,
    math:
      outputs.some((data) => 'text/latex' in data) ||
      cells.some((cell) => cell.cell_type === 'markdown' && /\$[^$]+\$/.test(text(cell.source))),
  };
}

interface PageProblems {
  consoleErrors: string[];
  offMachine: string[];
  failedLoads: string[];
}

async function openPage(browser: Browser, file: string): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const problems: PageProblems = { consoleErrors: [], offMachine: [], failedLoads: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    problems.offMachine.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (request.url().startsWith('file://')) problems.failedLoads.push(`${request.url()} (${request.failure()?.errorText})`);
  });
  // Loading MathJax and plotly.js takes seconds; on a loaded 2-core machine well over the 30 s default.
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
  return { page, problems };
}

/** Text left outside typeset math that still looks like TeX: $...$, $$, \( or \[. */
function rawTexOnPage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const skipped = new Set(['SCRIPT', 'STYLE', 'PRE', 'CODE', 'TEXTAREA', 'MJX-CONTAINER']);
    const looksLikeTex = /\$\$|\\\(|\\\[|\\begin\{|\$[^$\s][^$]*\$/;
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // Code (cell inputs, text output) is in <pre>: TeX there is source, not math to typeset.
      let inCode = false;
      for (let el = node.parentElement; el && !inCode; el = el.parentElement) inCode = skipped.has(el.tagName);
      const text = node.textContent ?? '';
      if (!inCode && looksLikeTex.test(text)) found.push(text.trim().slice(0, 120));
    }
    return found;
  });
}

/** Output text that is a leftover debug print, not part of the tutorial. */
const DEBUG_LINES = [/tensors? still allocated/i, /\bnumTensors\b/, /\bnumBytes\b/, /^\s*debug\b/im];

interface TraceShape {
  type: string;
  mode: string;
  name: string;
  points: number;
}

/** What each drawn figure holds, read from Plotly's graph divs (gd.data). */
function figureTraces(page: Page): Promise<TraceShape[][]> {
  // No named functions inside: tsx's esbuild would wrap them in a __name helper the page lacks.
  return page.locator('.fwo-plotly').evaluateAll((divs) =>
    divs.map((div) =>
      ((div as unknown as { data?: Array<Record<string, unknown>> }).data ?? []).map((trace) => {
        let points = 0;
        for (const key of ['x', 'y', 'z', 'values']) {
          const value = trace[key] as { length?: unknown } | undefined;
          if (value && typeof value === 'object' && typeof value.length === 'number') points = Math.max(points, value.length);
        }
        return { type: String(trace.type ?? 'scatter'), mode: String(trace.mode ?? ''), name: String(trace.name ?? ''), points };
      }),
    ),
  );
}

/** Problems with one figure's traces: none at all, a trace with no data, a one-point line beside curves. */
function traceProblems(traces: TraceShape[]): string[] {
  if (traces.length === 0) return ['no traces'];
  const problems = traces.filter((t) => t.points === 0).map((t) => `trace '${t.name}' has no data`);
  // Plotly draws a scatter trace without a mode as lines (with markers below 20 points).
  const isLine = (t: TraceShape) => (t.type === 'scatter' || t.type === 'scattergl') && (t.mode === '' || t.mode.includes('lines'));
  if (traces.some((t) => isLine(t) && t.points > 1)) {
    problems.push(...traces.filter((t) => isLine(t) && t.points === 1).map((t) => `trace '${t.name}' is a one-point line beside curves`));
  }
  return problems;
}

test('the figure check flags empty figures and traces, and a one-point line beside curves, and nothing else', () => {
  const line = (name: string, points: number, mode = 'lines'): TraceShape => ({ type: 'scatter', mode, name, points });
  assert.deepEqual(traceProblems([]), ['no traces']);
  assert.deepEqual(traceProblems([line('a', 10), line('b', 0)]), ["trace 'b' has no data"]);
  assert.deepEqual(traceProblems([line('10 epochs', 10), line('1 epoch', 1, '')]), ["trace '1 epoch' is a one-point line beside curves"]);
  assert.deepEqual(traceProblems([line('10 epochs', 10), line('the minimum', 1, 'markers')]), []);
  assert.deepEqual(traceProblems([line('alone', 1)]), []);
  assert.deepEqual(traceProblems([{ type: 'contour', mode: '', name: 'surface', points: 50 }, line('start', 1, 'markers+text')]), []);
});

const pages = existsSync(htmlDir) ? readdirSync(htmlDir).filter((name) => /^\d\d-.*\.html$/.test(name)).sort() : [];

if (!existsSync(htmlDir)) {
  test('exported notebooks render offline in a browser', {
    skip: 'outputs/html does not exist: run `FUN_OPTIM_QUICK=1 npm run notebooks` (executes and exports the notebooks) first',
  });
} else {
  let browser: Browser;

  before(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`No Chromium at ${chromiumPath}: install it (Debian/Ubuntu: apt-get install chromium; npm run setup does) or set CHROMIUM_PATH.`);
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--headless'],
    });
  });

  after(async () => {
    await browser?.close();
  });

  test('outputs/html/index.html links every exported notebook, in the reading order of scripts/notebook-export/index.json', async () => {
    assert.ok(pages.length > 0, 'outputs/html has no NN-*.html pages: run npm run notebooks');
    const index = readFileSync(path.join(htmlDir, 'index.html'), 'utf8');
    const links = [...index.matchAll(/<a href="([^"]+)">/g)].map((m) => decodeURI(m[1])).filter((href) => /^\d\d-.*\.html$/.test(href));
    const { readIndexData } = (await import(pathToFileURL(path.join(root, 'scripts', 'notebook-export', 'index-page.mjs')).href)) as {
      readIndexData(): { sections: Array<{ notebooks: string[] }>; extraPages?: Array<{ href: string }> };
    };
    const order = readIndexData().sections.flatMap((section) => section.notebooks.map((name) => `${name}.html`));
    const rank = (page: string) => (order.includes(page) ? order.indexOf(page) : order.length);
    assert.deepEqual(links, [...pages].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)));
    // Extra pages (the playground) are listed, with their summary, exactly when they were exported.
    const extras = (readIndexData().extraPages ?? []).filter((extra) => existsSync(path.join(htmlDir, extra.href)));
    for (const extra of extras) assert.ok(index.includes(`<a href="${extra.href}">`), `index.html does not link ${extra.href}, which is exported`);
    assert.equal(
      (index.match(/class="summary"/g) ?? []).length,
      pages.filter((page) => order.includes(page)).length + extras.length,
      'a summary per placed notebook and per exported extra page',
    );
  });

  for (const name of pages) {
    test(`${name}: figures drawn, math typeset, offline, no console errors`, async () => {
      const expected = expectations(name);
      const { page, problems } = await openPage(browser, path.join(htmlDir, name));
      try {
        if (expected.math) {
          await page.waitForFunction(() => (window as unknown as { MathJax?: { startup?: { promise?: Promise<unknown> } } }).MathJax?.startup?.promise, null, { timeout: 20_000 });
          await page.evaluate(() => (window as unknown as { MathJax: { startup: { promise: Promise<unknown> } } }).MathJax.startup.promise);
          assert.ok((await page.locator('mjx-container svg').count()) > 0, 'the notebook has math but MathJax typeset none of it');
          const texErrors = page.locator('[data-mml-node="merror"], mjx-merror, [data-mjx-error]');
          const messages = await texErrors.evaluateAll((els) => els.map((el) => el.getAttribute('data-mjx-error') ?? el.textContent));
          assert.deepEqual(messages, [], 'MathJax reported TeX errors');
          assert.deepEqual(await rawTexOnPage(page), [], 'TeX left untypeset on the page');
        }

        const plots = page.locator('.fwo-plotly');
        assert.equal(await plots.count(), expected.plots, 'one plot container per Plotly output of the executed notebook');
        for (let i = 0; i < expected.plots; i++) {
          await plots.nth(i).locator('.main-svg').first().waitFor({ state: 'attached', timeout: 20_000 });
          assert.ok((await plots.nth(i).locator('.plot-container .main-svg').count()) > 0, `figure ${i + 1} has no drawn SVG`);
        }

        // A slider works without a kernel: moving it shows another set of the precomputed paths.
        assert.deepEqual(expected.pathPlotsWithoutSliders, [], 'path figures (numbered from 1) without sliders: every 2-D path figure gets them');
        const sliderIssues: string[] = [];
        for (const i of expected.sliderPlots) sliderIssues.push(...(await sliderProblems(plots.nth(i), `figure ${i + 1}`)));
        assert.deepEqual(sliderIssues, [], 'sliders that do not work');

        const figures = await figureTraces(page);
        const figureProblems = figures.flatMap((traces, i) => traceProblems(traces).map((problem) => `figure ${i + 1}: ${problem}`));
        assert.deepEqual(figureProblems, [], 'figures with no data, or a one-point line beside curves');

        const outputText = await page.locator('.jp-OutputArea-output').allInnerTexts();
        const debugLines = outputText.flatMap((text) => text.split('\n')).filter((line) => DEBUG_LINES.some((pattern) => pattern.test(line)));
        assert.deepEqual(debugLines, [], 'debug lines among the outputs');

        assert.equal(await page.locator('.jp-OutputArea table').count(), expected.tables, 'tables shown');

        assert.deepEqual(problems.offMachine, [], 'requests that tried to leave the machine');
        assert.deepEqual(problems.failedLoads, [], 'local files the page could not load (outputs/html/assets?)');
        assert.deepEqual(problems.consoleErrors, [], 'console errors');
      } finally {
        await page.context().close();
      }
    });
  }
}
