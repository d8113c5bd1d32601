// The playground page (outputs/html/playground.html, built by scripts/build-playground.ts): the
// optimizer library itself, on tfjs's cpu backend in the browser, runs the chosen optimizer on a
// two-parameter surface each time a control moves (debounced), and draws its path over the
// surface's contours and its loss against the step. Gradient noise is seeded, so a setting always
// draws the same path. Everything is drawn with canvas and SVG: the page loads nothing.
import * as tf from '@tensorflow/tfjs';
import { Random } from '../data/random';
import { surfaceGrid } from '../notebook/contour-plot';
import { beale, illConditionedQuadratic, rosenbrock, saddle, surfaceLoss, type Surface2D } from '../notebook/surface';
import { followOptimizer, type Trajectory } from '../notebook/trajectory';
import { createOptimizer, optimizerNames, type OptimizerName } from '../optim/index';
import { optionControls, optionsFromControls, type ControlValue, type OptionControl } from './controls';

interface SurfaceChoice {
  key: string;
  surface: Surface2D;
  /** What the surface shows about optimizers, for the text beside the plot. */
  about: string;
}

const CONDITION = 20;
const point = ([x, y]: [number, number]) => `(${x}, ${y})`;

const SURFACES: SurfaceChoice[] = [
  {
    key: 'rosenbrock',
    surface: rosenbrock,
    about:
      `A curved, narrow valley. Reaching the valley floor is easy; following it to the minimum at ${point(rosenbrock.minimum)} is slow, because the ` +
      'gradient points across the valley rather than along it. Plain SGD needs a small lr (the walls are steep) and then crawls; ' +
      'momentum and the adaptive methods travel the floor faster.',
  },
  {
    key: 'beale',
    surface: beale,
    about:
      `Flat plateaus beside steep walls; minimum at ${point(beale.minimum)}. Gradients differ by orders of magnitude from place to place, which ` +
      'is where per-coordinate scaling (Adagrad, RMSprop, Adam) pays: a fixed lr is too large on the walls or too small on the plateau.',
  },
  {
    key: 'quadratic',
    surface: illConditionedQuadratic(CONDITION),
    about:
      `A bowl ${CONDITION} times as curved along y as along x. Gradient descent must keep lr below 2/${CONDITION} to stay stable along y, and then ` +
      'creeps along x: the zig-zag of ill-conditioning. Momentum damps it; Adam-like methods rescale each coordinate.',
  },
  {
    key: 'saddle',
    surface: saddle,
    about:
      `A saddle at the origin between two valleys (minima at ${point(saddle.minimum)} and ${point([saddle.minimum[0], -saddle.minimum[1]])}). Started on the line y = 0, exact gradients never ` +
      'leave it and gradient descent stalls at the saddle; a small offset in y, or gradient noise, lets it escape. Move the noise ' +
      'slider to see the stochastic setting break the symmetry.',
  },
];

/** What a path cannot show without a remark. */
const OPTIMIZER_NOTES: Partial<Record<OptimizerName, string>> = {
  lbfgs:
    'L-BFGS runs through its closure: each step evaluates the loss up to maxIter times (with noise, the same draw within a step, ' +
    'as the same minibatch would be). One step is a whole inner optimisation, so few steps go far.',
  muon:
    'Muon takes 2-D parameters only, so the point is held as a 1x2 matrix. Newton-Schulz orthogonalisation of a single row ' +
    'normalises it to a length near 1: Muon here is momentum SGD with steps of about lr whatever the gradient\'s size, plus its ' +
    'decoupled weight decay (on by default) pulling towards the origin.',
  adamwschedulefree:
    'The path is the train-mode parameter y, where gradients are taken; the point Schedule-Free returns, eval(), is the average x ' +
    'behind it.',
  lion: 'Lion moves every coordinate by exactly lr per step (the sign of its momentum): the path is made of diagonal steps.',
  sparseadam: 'SparseAdam on these dense gradients computes what Adam without weight decay computes.',
  asgd: 'ASGD also keeps an average of the iterates (from step t0 on); the path drawn is the iterate itself.',
  rprop: 'Rprop uses only the sign of each gradient coordinate; noise that flips signs upsets its step sizes.',
};

const NOISE_STREAM = 'playground-gradient-noise';
/** Optimizers whose parameters must be matrices. */
const MATRIX_ONLY: ReadonlySet<OptimizerName> = new Set<OptimizerName>(['muon']);
const DEBOUNCE_MS = 120;
const PLOT = { width: 480, height: 400 };
const CHART = { width: 340, height: 230, left: 52, right: 10, top: 10, bottom: 34 };
const DEFAULT_STEPS = 200;
/** L-BFGS's steps are each up to maxIter iterations: it starts with fewer. */
const DEFAULT_STEPS_OF: Partial<Record<OptimizerName, number>> = { lbfgs: 20 };

interface RunResult {
  trajectory?: Trajectory;
  error?: string;
  milliseconds: number;
}

/** What the page shows the test (and anyone at the console): the runs so far and the last one. */
interface PlaygroundState {
  runs: number;
  last?: { optimizer: OptimizerName; surface: string; options: Record<string, unknown>; points: Array<[number, number]>; losses: number[]; error?: string; milliseconds: number };
  tensors?: number;
}
declare global {
  interface Window {
    playground: PlaygroundState;
  }
}

// ---- small DOM helpers ----------------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

/** A number as a slider's label shows it: 3 significant digits. */
function formatValue(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e4 || abs < 1e-3 ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}

const SUPERSCRIPTS: Record<string, string> = { '2': '²', '3': '³', '4': '⁴' };

/** The surface's LaTeX formula as plain text (the page has no TeX renderer). */
function plainFormula(latex: string): string {
  return latex
    .replace(/\\tfrac\{(\d+)\}\{(\d+)\}/g, '($1/$2) ')
    .replace(/\\left|\\right|\\,/g, '')
    .replace(/\^(\d)/g, (_, digit: string) => SUPERSCRIPTS[digit] ?? `^${digit}`);
}

// ---- the surface and the path ---------------------------------------------------------------

/** Colours from dark (low) to light (high), viridis-like. */
const COLOUR_STOPS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'].map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
const BANDS = 18;

function colourAt(t: number): string {
  const scaled = Math.min(Math.max(t, 0), 1) * (COLOUR_STOPS.length - 1);
  const i = Math.min(Math.floor(scaled), COLOUR_STOPS.length - 2);
  const f = scaled - i;
  const [r, g, b] = COLOUR_STOPS[i].map((c, k) => Math.round(c + (COLOUR_STOPS[i + 1][k] - c) * f));
  return `rgb(${r},${g},${b})`;
}

/** Maps the surface's coordinates to the plot's pixels and back. */
function frame(surface: Surface2D) {
  const [x0, x1] = surface.xRange;
  const [y0, y1] = surface.yRange;
  return {
    toPixel: ([x, y]: [number, number]): [number, number] => [((x - x0) / (x1 - x0)) * PLOT.width, ((y1 - y) / (y1 - y0)) * PLOT.height],
    toPoint: (px: number, py: number): [number, number] => [x0 + (px / PLOT.width) * (x1 - x0), y1 - (py / PLOT.height) * (y1 - y0)],
  };
}

/** Filled contour bands of the surface (log10 f for surfaces spanning decades), on the canvas. */
function drawSurface(canvas: HTMLCanvasElement, surface: Surface2D): void {
  const resolution = 130;
  const { z } = surfaceGrid(surface, resolution);
  const flat = z.flat();
  const low = Math.min(...flat);
  const high = Math.max(...flat);
  // On a linear scale most of the picture is near the top: the square root spreads the low values.
  const level = (v: number) => (surface.logContours ? (v - low) / (high - low) : Math.sqrt((v - low) / (high - low)));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser gives the playground no 2-D canvas to draw the surface on.');
  const cellWidth = PLOT.width / (resolution - 1);
  const cellHeight = PLOT.height / (resolution - 1);
  for (let row = 0; row < resolution; row++) {
    for (let column = 0; column < resolution; column++) {
      context.fillStyle = colourAt(Math.floor(level(z[row][column]) * BANDS) / BANDS);
      // Row 0 is the lowest y, drawn at the bottom; cells are centred on their grid points.
      context.fillRect((column - 0.5) * cellWidth, PLOT.height - (row + 0.5) * cellHeight, cellWidth + 1, cellHeight + 1);
    }
  }
}

/** An SVG path through the points, in pixels (clamped: a diverging path has huge coordinates). */
function pathData(pixels: Array<[number, number]>): string {
  const clamp = (v: number) => Math.min(Math.max(v, -1e5), 1e5).toFixed(1);
  return pixels.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${clamp(x)} ${clamp(y)}`).join(' ');
}

// ---- the loss chart -------------------------------------------------------------------------

const GAP_FLOOR = 1e-12;

/** f - f* against the step, log scale, with decade ticks. */
function drawLossChart(chart: SVGSVGElement, losses: number[], minimumLoss: number): void {
  chart.replaceChildren();
  const gaps = losses.map((loss) => Math.log10(Math.max(loss - minimumLoss, GAP_FLOOR)));
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const steps = Math.max(losses.length - 1, 1);
  let low = Math.floor(Math.min(...gaps));
  let high = Math.ceil(Math.max(...gaps));
  if (high - low < 1) [low, high] = [low - 1, high + 1];
  const x = (step: number) => CHART.left + (step / steps) * plotWidth;
  const y = (gap: number) => CHART.top + ((high - gap) / (high - low)) * plotHeight;
  chart.append(svg('rect', { x: CHART.left, y: CHART.top, width: plotWidth, height: plotHeight, class: 'chart-area' }));
  const decadeStep = Math.max(1, Math.ceil((high - low) / 6));
  for (let decade = low; decade <= high; decade += decadeStep) {
    chart.append(svg('line', { x1: CHART.left, x2: CHART.left + plotWidth, y1: y(decade), y2: y(decade), class: 'grid' }));
    const label = svg('text', { x: CHART.left - 6, y: y(decade) + 4, 'text-anchor': 'end', class: 'tick' });
    label.textContent = `1e${decade}`;
    chart.append(label);
  }
  for (const step of [0, Math.round(steps / 2), steps]) {
    const label = svg('text', { x: x(step), y: CHART.top + plotHeight + 16, 'text-anchor': 'middle', class: 'tick' });
    label.textContent = String(step);
    chart.append(label);
  }
  const xTitle = svg('text', { x: CHART.left + plotWidth / 2, y: CHART.height - 4, 'text-anchor': 'middle', class: 'axis-title' });
  xTitle.textContent = 'step';
  chart.append(xTitle);
  const curve = svg('path', { id: 'loss-curve', d: pathData(gaps.map((gap, step) => [x(step), y(gap)])), class: 'loss-curve' });
  chart.append(curve);
}

// ---- controls -------------------------------------------------------------------------------

function field(labelText: string, input: HTMLElement, output?: HTMLOutputElement): HTMLDivElement {
  const row = element('div', { class: 'field' });
  const label = element('label', { for: input.id }, labelText);
  row.append(label, input);
  if (output) row.append(output);
  return row;
}

/** A control's input; `onChange` gets the control's new value. */
function optionInput(control: OptionControl, current: ControlValue, onChange: (value: ControlValue) => void): HTMLDivElement {
  const id = `option-${control.name}`;
  if (control.kind === 'checkbox') {
    const input = element('input', { type: 'checkbox', id, name: control.name });
    input.checked = current as boolean;
    input.addEventListener('input', () => onChange(input.checked));
    return field(control.name, input);
  }
  if (control.kind === 'choice') {
    const select = element('select', { id, name: control.name });
    for (const choice of control.choices) {
      const option = element('option', { value: choice ?? '' }, choice ?? 'none (null)');
      option.selected = choice === current;
      select.append(option);
    }
    select.addEventListener('input', () => onChange(select.value === '' ? null : select.value));
    return field(control.name, select);
  }
  const value = current as number;
  const sliderValue = control.scale === 'log' ? Math.log10(value) : value;
  const [min, max] = control.scale === 'log' ? [Math.log10(control.min), Math.log10(control.max)] : [control.min, control.max];
  const input = element('input', { type: 'range', id, name: control.name, min: String(min), max: String(max), step: String(control.step) });
  input.value = String(sliderValue);
  const output = element('output', { for: id }, formatValue(value));
  const show = (v: number) => {
    output.textContent = formatValue(v);
    input.setAttribute('aria-valuetext', formatValue(v));
  };
  show(value);
  input.addEventListener('input', () => {
    const raw = Number(input.value);
    // Log sliders move the exponent; 3 significant digits keep 10^-2 at 0.01.
    const next = control.scale === 'log' ? Number((10 ** raw).toPrecision(3)) : raw;
    show(next);
    onChange(next);
  });
  return field(control.scale === 'log' ? `${control.name} (log scale)` : control.name, input, output);
}

// ---- the page -------------------------------------------------------------------------------

function start(root: HTMLElement): void {
  const state = {
    optimizer: 'adam' as OptimizerName,
    surfaceKey: SURFACES[0].key,
    /** Per optimizer, the number of steps (each keeps its own, as its options). */
    steps: new Map<OptimizerName, number>(),
    noise: 0,
    seed: 0,
    start: SURFACES[0].surface.start,
    /** Per optimizer, the controls' values (kept when switching away and back). */
    values: new Map<OptimizerName, Record<string, ControlValue>>(),
  };
  window.playground = { runs: 0 };

  const controls = element('form', { class: 'controls', 'aria-label': 'Optimizer and surface settings' });
  controls.addEventListener('submit', (event) => event.preventDefault());
  const optimizerSelect = element('select', { id: 'optimizer', name: 'optimizer' });
  for (const name of optimizerNames) optimizerSelect.append(element('option', { value: name }, name));
  optimizerSelect.value = state.optimizer;
  const surfaceSelect = element('select', { id: 'surface', name: 'surface' });
  for (const { key, surface } of SURFACES) surfaceSelect.append(element('option', { value: key }, surface.name));
  const numberInput = (name: string, value: number, attributes: Record<string, string>) => {
    const input = element('input', { type: 'number', id: name, name, ...attributes });
    input.value = String(value);
    return input;
  };
  const stepsInput = element('input', { type: 'range', id: 'steps', name: 'steps', min: '10', max: '500', step: '10' });
  const stepsOf = (name: OptimizerName) => state.steps.get(name) ?? DEFAULT_STEPS_OF[name] ?? DEFAULT_STEPS;
  stepsInput.value = String(stepsOf(state.optimizer));
  const stepsOutput = element('output', { for: 'steps' }, stepsInput.value);
  const noiseInput = element('input', { type: 'range', id: 'noise', name: 'noise', min: '0', max: '10', step: '0.1' });
  noiseInput.value = '0';
  const noiseOutput = element('output', { for: 'noise' }, '0');
  const seedInput = numberInput('seed', state.seed, { step: '1', min: '0' });
  const startX = numberInput('startX', state.start[0], { step: '0.01' });
  const startY = numberInput('startY', state.start[1], { step: '0.01' });
  const optionFields = element('fieldset', { class: 'options' });

  controls.append(
    field('Optimizer', optimizerSelect),
    field('Surface', surfaceSelect),
    optionFields,
    field('steps', stepsInput, stepsOutput),
    field('noise (std of gradient noise)', noiseInput, noiseOutput),
    field('seed (of the noise)', seedInput),
    field('start x', startX),
    field('start y', startY),
  );

  const plotBox = element('div', { class: 'plot' });
  const canvas = element('canvas', { width: String(PLOT.width), height: String(PLOT.height), 'aria-hidden': 'true' });
  const overlay = svg('svg', { width: PLOT.width, height: PLOT.height, viewBox: `0 0 ${PLOT.width} ${PLOT.height}`, role: 'img', 'aria-label': 'The path on the surface: click to start from there' });
  overlay.id = 'contour';
  const trajectoryPath = svg('path', { id: 'trajectory', class: 'trajectory', d: '' });
  const startMarker = svg('circle', { r: 5, class: 'start-marker' });
  const endMarker = svg('circle', { r: 4, class: 'end-marker' });
  const minimumMarker = svg('path', { class: 'minimum-marker' });
  overlay.append(minimumMarker, trajectoryPath, startMarker, endMarker);
  plotBox.append(canvas, overlay);

  const side = element('div', { class: 'side' });
  const chart = svg('svg', { width: CHART.width, height: CHART.height, viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', 'aria-label': 'Loss above the minimum against the step, log scale' });
  chart.id = 'loss-chart';
  const chartTitle = element('h2', {}, 'f − f* against the step');
  const status = element('p', { id: 'status', role: 'status', 'aria-live': 'polite' });
  const errorBox = element('p', { id: 'error', role: 'alert', class: 'error' });
  const surfaceTitle = element('h2', { id: 'surface-title' });
  const formula = element('p', { id: 'surface-formula', class: 'formula' });
  const about = element('p', { id: 'surface-about' });
  const note = element('p', { id: 'optimizer-note', class: 'note' });
  side.append(chartTitle, chart, status, errorBox, surfaceTitle, formula, about, note);

  root.append(controls, plotBox, side);

  const surfaceChoice = () => SURFACES.find((s) => s.key === state.surfaceKey) ?? SURFACES[0];
  const valuesOf = (name: OptimizerName) => {
    let values = state.values.get(name);
    if (!values) {
      values = Object.fromEntries(optionControls(name).map((c) => [c.name, c.defaultValue]));
      state.values.set(name, values);
    }
    return values;
  };

  let pending: number | undefined;
  const schedule = () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(recompute, DEBOUNCE_MS);
  };

  const showOptions = () => {
    const values = valuesOf(state.optimizer);
    const legend = element('legend', {}, `${state.optimizer} options (defaults: the library's)`);
    optionFields.replaceChildren(
      legend,
      ...optionControls(state.optimizer).map((control) =>
        optionInput(control, values[control.name], (value) => {
          values[control.name] = value;
          schedule();
        }),
      ),
    );
    note.textContent = OPTIMIZER_NOTES[state.optimizer] ?? '';
  };

  const showSurface = () => {
    const { surface, about: text } = surfaceChoice();
    drawSurface(canvas, surface);
    surfaceTitle.textContent = surface.name;
    formula.textContent = plainFormula(surface.latex);
    about.textContent = text;
    const [mx, my] = frame(surface).toPixel(surface.minimum);
    minimumMarker.setAttribute('d', `M${mx - 6} ${my - 6} L${mx + 6} ${my + 6} M${mx - 6} ${my + 6} L${mx + 6} ${my - 6}`);
  };

  function run(): RunResult {
    const started = performance.now();
    const { surface } = surfaceChoice();
    const options = optionsFromControls(state.optimizer, valuesOf(state.optimizer));
    let optimizer: tf.Optimizer;
    try {
      optimizer = createOptimizer(state.optimizer, options);
    } catch (error) {
      // The library's own message says what to change (e.g. Nesterov without momentum).
      return { error: (error as Error).message, milliseconds: performance.now() - started };
    }
    try {
      const gradientNoise = state.noise > 0 ? { std: state.noise, random: new Random(state.seed, NOISE_STREAM) } : undefined;
      const trajectory = followOptimizer(state.optimizer, surface, optimizer, stepsOf(state.optimizer), state.start, { gradientNoise, matrix: MATRIX_ONLY.has(state.optimizer) });
      return { trajectory, milliseconds: performance.now() - started };
    } catch (error) {
      return { error: (error as Error).message, milliseconds: performance.now() - started };
    } finally {
      optimizer.dispose();
    }
  }

  function recompute(): void {
    pending = undefined;
    const { surface } = surfaceChoice();
    const { toPixel } = frame(surface);
    const [sx, sy] = toPixel(state.start);
    startMarker.setAttribute('cx', String(sx));
    startMarker.setAttribute('cy', String(sy));
    const result = run();
    const trajectory = result.trajectory;
    errorBox.textContent = result.error ?? '';
    if (!trajectory) {
      trajectoryPath.setAttribute('d', '');
      chart.replaceChildren();
      status.textContent = `No path: ${result.error}`;
    } else {
      const pixels = trajectory.points.map(toPixel);
      trajectoryPath.setAttribute('d', pathData(pixels));
      const [ex, ey] = pixels[pixels.length - 1];
      endMarker.setAttribute('cx', String(ex));
      endMarker.setAttribute('cy', String(ey));
      const minimumLoss = tf.tidy(() => surfaceLoss(surface, tf.tensor1d(surface.minimum)).dataSync()[0]);
      drawLossChart(chart, trajectory.losses, minimumLoss);
      const taken = trajectory.points.length - 1;
      const [x, y] = trajectory.points[taken];
      const steps = stepsOf(state.optimizer);
      const diverged = taken < steps ? ` It diverged after ${taken} of ${steps} steps (the parameters or the loss stopped being finite).` : '';
      status.textContent =
        `${state.optimizer}, ${taken} steps: ends at (${formatValue(x)}, ${formatValue(y)}), f = ${formatValue(trajectory.losses[taken])}, ` +
        `f − f* = ${formatValue(trajectory.losses[taken] - minimumLoss)}; computed in ${Math.round(result.milliseconds)} ms.${diverged}`;
    }
    window.playground = {
      runs: window.playground.runs + 1,
      last: {
        optimizer: state.optimizer,
        surface: state.surfaceKey,
        options: optionsFromControls(state.optimizer, valuesOf(state.optimizer)),
        points: trajectory?.points ?? [],
        losses: trajectory?.losses ?? [],
        error: result.error,
        milliseconds: result.milliseconds,
      },
      tensors: tf.memory().numTensors,
    };
  }

  const setStart = (point: [number, number]) => {
    state.start = [Number(point[0].toFixed(3)), Number(point[1].toFixed(3))];
    startX.value = String(state.start[0]);
    startY.value = String(state.start[1]);
    schedule();
  };

  optimizerSelect.addEventListener('input', () => {
    state.optimizer = optimizerSelect.value as OptimizerName;
    stepsInput.value = stepsOutput.textContent = String(stepsOf(state.optimizer));
    showOptions();
    schedule();
  });
  surfaceSelect.addEventListener('input', () => {
    state.surfaceKey = surfaceSelect.value;
    showSurface();
    setStart(surfaceChoice().surface.start);
  });
  stepsInput.addEventListener('input', () => {
    state.steps.set(state.optimizer, Number(stepsInput.value));
    stepsOutput.textContent = stepsInput.value;
    schedule();
  });
  noiseInput.addEventListener('input', () => {
    state.noise = Number(noiseInput.value);
    noiseOutput.textContent = noiseInput.value;
    schedule();
  });
  seedInput.addEventListener('input', () => {
    const seed = Number(seedInput.value);
    if (Number.isInteger(seed)) {
      state.seed = seed;
      schedule();
    }
  });
  for (const input of [startX, startY]) {
    input.addEventListener('input', () => {
      const point: [number, number] = [Number(startX.value), Number(startY.value)];
      if (point.every((v) => startX.value !== '' && startY.value !== '' && Number.isFinite(v))) {
        state.start = point;
        schedule();
      }
    });
  }
  overlay.addEventListener('click', (event) => {
    const box = overlay.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * PLOT.width;
    const py = ((event.clientY - box.top) / box.height) * PLOT.height;
    setStart(frame(surfaceChoice().surface).toPoint(px, py));
  });

  showOptions();
  showSurface();
  recompute();
}

async function main(): Promise<void> {
  const root = document.getElementById('playground');
  if (!root) throw new Error('playground.html has no element with id "playground" to build the page in.');
  // The cpu backend: for two parameters it is the fastest, and it needs no WebGL.
  await tf.setBackend('cpu');
  await tf.ready();
  start(root);
}

main().catch((error: Error) => {
  const box = document.getElementById('playground') ?? document.body;
  box.textContent = `The playground could not start: ${error.message}`;
  throw error;
});
