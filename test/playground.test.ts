// The playground (scripts/build-playground.ts) built into a temporary folder and opened from file://
// in headless Chromium: the select offers every optimizer and each runs to a finite path with the
// controls of its own options; moving lr redraws the path; the noise is seeded (the same setting
// draws the same path, another seed another); a click on the contours sets the start; every surface
// draws. Throughout: no console error, no tensor left behind, and no request leaves the page
// (anything but file:// is aborted and counted).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildPlayground } from '../scripts/build-playground';
import { optimizerNames, type OptimizerName } from '../src/optim/index';
import { optionControls, optimizerDefaults } from '../src/playground/controls';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const work = mkdtempSync(path.join(tmpdir(), 'playground-'));
const file = path.join(work, 'playground.html');
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const offPage: string[] = [];

interface LastRun {
  optimizer: OptimizerName;
  surface: string;
  options: Record<string, unknown>;
  points: Array<[number, number]>;
  losses: number[];
  error?: string;
}
interface PageState {
  runs: number;
  last?: LastRun;
  tensors?: number;
}

const state = (): Promise<PageState> => page.evaluate(() => (window as unknown as { playground: PageState }).playground);

/** Does `action`, then waits for the page's next run to finish and returns it. */
async function nextRun(action: () => Promise<unknown>): Promise<LastRun> {
  const before = (await state()).runs;
  await action();
  await page.waitForFunction((runs) => (window as unknown as { playground: PageState }).playground.runs > runs, before, { timeout: 30_000 });
  const last = (await state()).last;
  assert.ok(last, 'the page recorded no run');
  return last;
}

/**
 * Picks an optimizer and, in the same task, its number of steps: the page's debounce then makes one
 * run of both changes (each optimizer keeps its own steps, 200 unless set).
 */
const chooseOptimizer = (name: OptimizerName, steps?: number) =>
  page.evaluate(
    ([name, steps]) => {
      const changes: Array<[string, string]> = [['select[name=optimizer]', name]];
      if (steps !== undefined) changes.push(['input[name=steps]', String(steps)]);
      for (const [selector, value] of changes) {
        const input = document.querySelector(selector) as HTMLInputElement | HTMLSelectElement;
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    },
    [name, steps] as const,
  );

const trajectoryData = () => page.getAttribute('#trajectory', 'd');

/** Numbers in an SVG path's d attribute. */
const pathNumbers = (d: string | null) => (d ?? '').split(/[ML\s]+/).filter(Boolean).map(Number);

before(async () => {
  assert.ok(existsSync(chromiumPath), `No Chromium at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  await buildPlayground(file);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    offPage.push(url);
    return route.abort();
  });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => ((window as unknown as { playground?: PageState }).playground?.runs ?? 0) > 0, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

test('the page is one self-contained file that loads nothing', async () => {
  assert.ok(statSync(file).size > 100_000, 'the bundle (tfjs and the library) is inline');
  const external = await page.evaluate(() =>
    Array.from(document.querySelectorAll('script[src], link[href], img[src], iframe[src]'), (node) => node.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(external, []);
  const first = (await state()).last;
  assert.equal(first?.error, undefined);
  assert.ok((first?.points.length ?? 0) > 1);
});

test('moving lr (with the keyboard) redraws the path', async () => {
  const before = await trajectoryData();
  const defaultLr = optimizerDefaults('adam').lr as number;
  assert.equal((await state()).last?.options.lr, undefined, 'the first run is at the default lr');
  // Five presses of 0.1 decade: half a decade up, in 3 significant digits as the page rounds it.
  const expectedLr = Number((10 ** (Math.log10(defaultLr) + 0.5)).toPrecision(3));
  await page.focus('input[name=lr]');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  // A slow machine may run between presses too: wait for the run of the last one.
  await page.waitForFunction((lr) => (window as unknown as { playground: PageState }).playground.last?.options.lr === lr, expectedLr, { timeout: 30_000 });
  const run = (await state()).last!;
  assert.equal(run.optimizer, 'adam');
  const after = await trajectoryData();
  assert.notEqual(after, before, 'the path did not change');
  assert.ok(pathNumbers(after).every(Number.isFinite));
});

test('the select offers every optimizer; each runs to a finite path, with a control for each option it has', async () => {
  const offered = await page.$$eval('select[name=optimizer] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
  assert.deepEqual(offered, optimizerNames);
  // The ill-conditioned quadratic, 60 steps (L-BFGS: its own 20, each up to 20 iterations): every
  // optimizer's default lr is stable there.
  await nextRun(() => page.selectOption('select[name=surface]', 'quadratic'));
  const controlNames = new Set(optimizerNames.flatMap((name) => optionControls(name).map((c) => c.name)));
  for (const name of optimizerNames) {
    const run = await nextRun(() => chooseOptimizer(name, name === 'lbfgs' ? undefined : 60));
    const steps = Number(await page.inputValue('input[name=steps]'));
    assert.equal(steps, name === 'lbfgs' ? 20 : 60);
    assert.equal(run.optimizer, name);
    assert.equal(run.error, undefined, `${name}: ${run.error}`);
    assert.equal(run.points.length, steps + 1, `${name} stopped after ${run.points.length - 1} of ${steps} steps`);
    assert.ok(run.points.flat().every(Number.isFinite) && run.losses.every(Number.isFinite), `${name}: a point or loss is not finite`);
    assert.ok(pathNumbers(await trajectoryData()).every(Number.isFinite));
    assert.ok(run.losses.at(-1)! < run.losses[0], `${name} did not lower the loss in ${steps} steps`);
    // The option inputs shown are exactly this optimizer's, and each names an option it has.
    const own = optionControls(name).map((c) => c.name);
    const shown = await page.$$eval('fieldset.options [name]', (inputs) => inputs.map((input) => input.getAttribute('name')));
    assert.deepEqual(shown, own, `${name}: the option inputs shown`);
    for (const other of controlNames) if (!own.includes(other)) assert.equal(await page.$(`[name="${other}"]`), null, `${name} shows ${other}`);
  }
  const shownFor = (name: OptimizerName) => optionControls(name).map((c) => c.name);
  assert.ok(shownFor('sgd').includes('momentum') && !shownFor('sgd').includes('beta1'));
  assert.ok(shownFor('adam').includes('beta1') && shownFor('adam').includes('beta2') && !shownFor('adam').includes('momentum'));
});

test('an invalid setting shows the library\'s message and draws no path', async () => {
  await nextRun(() => page.selectOption('select[name=optimizer]', 'sgd'));
  const run = await nextRun(() => page.check('input[name=nesterov]'));
  assert.match(run.error ?? '', /Nesterov momentum requires a momentum/);
  assert.match((await page.textContent('#error')) ?? '', /Nesterov momentum requires a momentum/);
  assert.equal(await trajectoryData(), '');
  const fixed = await nextRun(() => page.fill('input[name=momentum]', '0.9'));
  assert.equal(fixed.error, undefined);
  assert.equal(await page.textContent('#error'), '');
});

test('gradient noise is seeded: the same setting draws the same path, another seed another', async () => {
  await nextRun(() => page.selectOption('select[name=optimizer]', 'adam'));
  const clean = await nextRun(() => page.fill('input[name=lr]', '-1')); // lr 0.1 (a log slider moves the exponent)
  assert.equal(clean.options.lr, 0.1);
  const noisy = await nextRun(() => page.fill('input[name=noise]', '2'));
  assert.notDeepEqual(noisy.points, clean.points);
  await nextRun(() => page.fill('input[name=noise]', '1'));
  const again = await nextRun(() => page.fill('input[name=noise]', '2'));
  assert.deepEqual(again.points, noisy.points);
  const reseeded = await nextRun(() => page.fill('input[name=seed]', '7'));
  assert.notDeepEqual(reseeded.points, noisy.points);
  await nextRun(() => page.fill('input[name=noise]', '0'));
});

test("a pair option's sliders set its elements (betas: beta1, beta2); the default again is left to the library", async () => {
  const before = (await state()).last!;
  const changed = await nextRun(() => page.fill('input[name=beta2]', '0.99'));
  assert.equal(changed.optimizer, 'adam');
  assert.deepEqual(changed.options.betas, [0.9, 0.99]);
  const back = await nextRun(() => page.fill('input[name=beta2]', '0.999'));
  assert.equal(back.options.betas, undefined);
  assert.notDeepEqual(changed.points, before.points);
  assert.deepEqual(back.points, before.points);
});

test('a click on the contours sets the start point', async () => {
  const box = await page.locator('#contour').boundingBox();
  assert.ok(box);
  const run = await nextRun(() => page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.25));
  // The quadratic spans x in [-5, 5] and y in [-2, 2]: three quarters across and a quarter down is (2.5, 1).
  const [x, y] = run.points[0];
  assert.ok(Math.abs(x - 2.5) < 0.05 && Math.abs(y - 1) < 0.05, `started at (${x}, ${y})`);
  assert.equal(Number(await page.inputValue('input[name=startX]')), Number(x.toFixed(3)));
});

test('every surface draws a path and says what it shows', async () => {
  const surfaces = await page.$$eval('select[name=surface] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
  assert.deepEqual(surfaces, ['rosenbrock', 'beale', 'quadratic', 'saddle']);
  const texts = new Set<string>();
  for (const surface of surfaces) {
    const run = await nextRun(() => page.selectOption('select[name=surface]', surface));
    assert.equal(run.surface, surface);
    assert.ok(run.points.length > 1 && run.points.flat().every(Number.isFinite), `${surface}: no finite path`);
    assert.ok(pathNumbers(await page.getAttribute('#loss-curve', 'd')).length > 2, `${surface}: no loss curve`);
    texts.add((await page.textContent('#surface-about')) ?? '');
  }
  assert.equal(texts.size, surfaces.length, 'each surface has its own explanation');
});

test('no console errors, no tensors left behind, no request off the page', async () => {
  const { tensors } = await state();
  assert.equal(tensors, 0, 'tensors still allocated after the runs');
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(offPage, []);
});
