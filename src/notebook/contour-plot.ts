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
