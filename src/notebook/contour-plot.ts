// A contour map of a two-parameter surface with the paths several optimizers took across it.
import * as tf from '@tensorflow/tfjs-core';
import { PlotlyFigure, PlotlyTrace, palette } from './figure';
import { Surface2D } from './surface';

export interface ContourOptions {
  title?: string;
  /** Grid points per axis (default 100). */
  resolution?: number;
  xTitle?: string;
  yTitle?: string;
  /** The colour bar's title (default 'f', or 'log<sub>10</sub> f' for log contours). */
  zTitle?: string;
  /** Draw markers on every point of a path when it has at most this many (default 60). */
  maxMarkers?: number;
}

export interface PathLike {
  name: string;
  points: Array<[number, number]>;
}

function linspace([from, to]: [number, number], count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}

/** The surface on a grid: z[row][column] = f(x[column], y[row]), Plotly's contour layout. */
export function surfaceGrid(surface: Surface2D, resolution = 100): { x: number[]; y: number[]; z: number[][] } {
  const x = linspace(surface.xRange, resolution);
  const y = linspace(surface.yRange, resolution);
  const values = tf.tidy(() => {
    const xs = tf.tensor2d(x, [1, resolution]);
    const ys = tf.tensor2d(y, [resolution, 1]);
    return surface.formula(xs, ys);
  });
  // Read outside tidy: tidy walks returned values element by element.
  const flat = values.dataSync();
  values.dispose();
  // 4 significant digits are plenty for contours and keep the figure JSON (and pages) small.
  const level = surface.logContours ? (v: number) => Math.log10(v + 1e-3) : (v: number) => v;
  const z = y.map((_, row) => Array.from(flat.subarray(row * resolution, (row + 1) * resolution), (v) => Number(level(v).toPrecision(4))));
  return { x, y, z };
}

function pathTrace(path: PathLike, color: string, maxMarkers: number): PlotlyTrace {
  return {
    type: 'scatter',
    mode: path.points.length <= maxMarkers ? 'lines+markers' : 'lines',
    name: path.name,
    x: path.points.map((p) => p[0]),
    y: path.points.map((p) => p[1]),
    line: { color, width: 2 },
    marker: { color, size: 5 },
  };
}

export function trajectoryContour(surface: Surface2D, paths: PathLike[], options: ContourOptions = {}): PlotlyFigure {
  const { x, y, z } = surfaceGrid(surface, options.resolution ?? 100);
  const contour: PlotlyTrace = {
    type: 'contour',
    x,
    y,
    z,
    name: surface.name,
    // Grey, light at the bottom: the coloured paths stand out, and lower is lighter.
    colorscale: [
      [0, '#ffffff'],
      [1, '#4a4a4a'],
    ],
    ncontours: 30,
    contours: { coloring: 'heatmap', showlines: true },
    line: { width: 0.5, color: 'rgba(0,0,0,0.25)' },
    colorbar: { title: { text: options.zTitle ?? (surface.logContours ? 'log<sub>10</sub> f' : 'f') } },
    hoverinfo: 'skip',
  };
  const starts: PlotlyTrace = {
    type: 'scatter',
    mode: 'markers',
    name: 'start',
    x: paths.map((p) => p.points[0]?.[0]),
    y: paths.map((p) => p.points[0]?.[1]),
    marker: { symbol: 'circle-open', size: 12, color: 'black', line: { width: 2 } },
  };
  const minimum: PlotlyTrace = {
    type: 'scatter',
    mode: 'markers',
    name: 'minimum',
    x: [surface.minimum[0]],
    y: [surface.minimum[1]],
    marker: { symbol: 'star', size: 14, color: '#ffd700', line: { color: 'black', width: 1 } },
  };
  const maxMarkers = options.maxMarkers ?? 60;
  return {
    data: [contour, ...paths.map((p, i) => pathTrace(p, palette[i % palette.length], maxMarkers)), starts, minimum],
    layout: {
      title: { text: options.title ?? `${surface.name}: optimizer paths` },
      xaxis: { title: { text: options.xTitle ?? 'x' }, range: surface.xRange },
      yaxis: { title: { text: options.yTitle ?? 'y' }, range: surface.yRange },
      height: 520,
    },
  };
}

/** One slider of a figure: the option it sets, the values it steps through, the one shown first. */
export interface SliderAxis {
  /** The key `pathsAt` reads, e.g. 'lr', 'momentum', 'beta1'. */
  option: string;
  /** The slider's label (default the option's name). */
  label?: string;
  values: readonly number[];
  /** The value shown first; one of `values`. */
  initial: number;
  /** How a value is written on the slider (default 3 significant digits). */
  format?: (value: number) => string;
}

export type SliderSetting = Record<string, number>;

/** Rates a factor √10 apart, `steps` on each side of `centre`, rounded to 3 significant digits. */
export function logRates(centre: number, steps = 2): number[] {
  if (!(centre > 0 && Number.isFinite(centre))) throw new Error(`logRates: centre must be a positive number, got ${centre}.`);
  return Array.from({ length: 2 * steps + 1 }, (_, i) => (i === steps ? centre : Number((centre * 10 ** ((i - steps) / 2)).toPrecision(3))));
}

const roundPoint = (v: number) => Number(v.toPrecision(5));

/**
 * trajectoryContour with one or two sliders over settings computed up front, so that it works in
 * JupyterLab and in the exported HTML alike, without a kernel. `pathsAt(setting)` gives the paths
 * at one setting ({lr: 0.01, momentum: 0.9}): the same names, in the same order, at every setting.
 *
 * The first slider shows one trace per path and value (it restyles `visible`); the second, if
 * any, replaces those traces' points (it restyles `x` and `y`). The two touch different
 * attributes, so moving one never resets the other.
 */
export function trajectoryContourSliders(
  surface: Surface2D,
  axes: readonly [SliderAxis] | readonly [SliderAxis, SliderAxis],
  pathsAt: (setting: SliderSetting) => PathLike[],
  options: ContourOptions = {},
): PlotlyFigure {
  for (const axis of axes) {
    if (axis.values.length === 0) throw new Error(`trajectoryContourSliders: slider '${axis.option}' has no values.`);
    if (!axis.values.includes(axis.initial)) {
      throw new Error(`trajectoryContourSliders: slider '${axis.option}' starts at ${axis.initial}, which is not one of its values ${axis.values.join(', ')}.`);
    }
  }
  const [first, second] = axes;
  const secondValues = second ? second.values : [NaN];
  const settingOf = (a: number, b: number): SliderSetting => (second ? { [first.option]: a, [second.option]: b } : { [first.option]: a });
  // paths[j][i]: the paths at the second slider's j-th value and the first's i-th.
  const paths = secondValues.map((b) =>
    first.values.map((a) => pathsAt(settingOf(a, b)).map((p) => ({ name: p.name, points: p.points.map(([x, y]) => [roundPoint(x), roundPoint(y)] as [number, number]) }))),
  );
  const names = paths[0][0].map((p) => p.name);
  paths.flat().forEach((set, k) => {
    if (set.length !== names.length || set.some((p, s) => p.name !== names[s])) {
      throw new Error(`trajectoryContourSliders: pathsAt gave the paths ${set.map((p) => p.name).join(', ')} at setting ${k}, not ${names.join(', ')} as at the first.`);
    }
  });
  const firstIndex = first.values.indexOf(first.initial);
  const secondIndex = second ? second.values.indexOf(second.initial) : 0;
  const maxMarkers = options.maxMarkers ?? 60;
  const format = (axis: SliderAxis, value: number) => (axis.format ? axis.format(value) : String(Number(value.toPrecision(3))));

  const base = trajectoryContour(surface, paths[secondIndex][firstIndex], options);
  // base.data: the contour, its paths, the start markers, the minimum. Ours: one trace per path and first value.
  const [contour] = base.data;
  const rest = base.data.slice(1 + names.length);
  const pathTraces = first.values.flatMap((_, i) =>
    paths[secondIndex][i].map((p, s) => ({
      ...pathTrace(p, palette[s % palette.length], maxMarkers),
      legendgroup: p.name,
      visible: i === firstIndex,
    })),
  );
  const pathIndices = pathTraces.map((_, k) => 1 + k);
  const sliderLabel = (axis: SliderAxis) => `${axis.label ?? axis.option} = `;
  const sliders: Array<Record<string, unknown>> = [
    {
      active: firstIndex,
      currentvalue: { prefix: sliderLabel(first) },
      steps: first.values.map((value, i) => ({
        label: format(first, value),
        method: 'restyle',
        args: [{ visible: pathTraces.map((_, k) => Math.floor(k / names.length) === i) }, pathIndices],
      })),
    },
  ];
  if (second) {
    sliders.push({
      active: secondIndex,
      currentvalue: { prefix: sliderLabel(second) },
      steps: second.values.map((value, j) => {
        const shown = paths[j].flat();
        return {
          label: format(second, value),
          method: 'restyle',
          args: [
            {
              x: shown.map((p) => p.points.map((q) => q[0])),
              y: shown.map((p) => p.points.map((q) => q[1])),
              mode: shown.map((p) => (p.points.length <= maxMarkers ? 'lines+markers' : 'lines')),
            },
            pathIndices,
          ],
        };
      }),
    });
  }
  const sliderSpace = 95;
  sliders.forEach((slider, k) => Object.assign(slider, { x: 0, len: 1, y: 0, yanchor: 'top', pad: { t: 50 + sliderSpace * k } }));
  return {
    data: [contour, ...pathTraces, ...rest],
    layout: {
      ...base.layout,
      height: 520 + sliderSpace * sliders.length,
      margin: { b: 60 + sliderSpace * sliders.length },
      sliders,
    },
  };
}
