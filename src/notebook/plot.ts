// Shows a Plotly figure. It is sent as Plotly's own mime type, which JupyterLab draws with the
// renderer from the Python `plotly` package (installed in .venv by `npm run setup`, no network).
// `npm run notebooks` exports it to HTML through its nbconvert template, which draws the same JSON
// with the plotly.js copied beside the pages.
import { display } from './display';
import { PlotlyFigure } from './figure';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

const defaultLayout = {
  font: { family: 'Helvetica, Arial, sans-serif' },
  margin: { l: 60, r: 20, t: 50, b: 50 },
  height: 420,
  legend: { orientation: 'h', y: -0.18 },
  plot_bgcolor: '#fafafa',
};

// Every axis: exponents as powers of ten (10⁻⁴, 2×10⁻⁵), never Plotly's default SI prefixes
// ("100µ", "10n"), which read as units on a loss or a step size.
const axisDefaults = { exponentformat: 'power', showexponent: 'all' };

const AXIS_KEY = /^[xy]axis\d*$/;

/** The layout key of the axis a trace draws on: 'x2' -> 'xaxis2'. */
const axisKey = (letter: 'x' | 'y', reference: unknown) => `${letter}axis${typeof reference === 'string' ? reference.slice(1) : ''}`;

/** The positive values the traces put on one log axis, to see how many decades it spans. */
function logSpan(figure: PlotlyFigure, key: string): number {
  const letter = key[0] as 'x' | 'y';
  let low = Infinity;
  let high = -Infinity;
  for (const trace of figure.data) {
    if (axisKey(letter, trace[`${letter}axis`]) !== key) continue;
    const values = trace[letter];
    if (!Array.isArray(values)) continue;
    for (const v of values) {
      if (typeof v === 'number' && v > 0 && Number.isFinite(v)) {
        low = Math.min(low, v);
        high = Math.max(high, v);
      }
    }
  }
  return high > low ? Math.log10(high / low) : 0;
}

/** At most about this many labels on a log axis labelled by decades. */
const MAX_DECADE_LABELS = 8;

/**
 * The caller's axis over the defaults. A log axis over two decades or more is labelled at powers
 * of ten only (every decade, or every few where it spans many): Plotly's labels at 2 and 5 of
 * every decade crowd into each other there.
 */
function withAxisDefaults(figure: PlotlyFigure, key: string, axis: Record<string, unknown> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...axisDefaults, ...axis };
  const span = merged.type === 'log' ? logSpan(figure, key) : 0;
  if (span >= 2 && merged.dtick === undefined && merged.tickvals === undefined) {
    merged.dtick = Math.max(1, Math.ceil(span / MAX_DECADE_LABELS));
  }
  return merged;
}

/** The mime bundle for a figure: the caller's layout over a few defaults, static-friendly config. */
export function plotlyBundle(figure: PlotlyFigure): Required<PlotlyFigure> {
  if (!Array.isArray(figure?.data)) {
    throw new Error('showPlot expects a Plotly figure {data: [...traces], layout?: {...}}.');
  }
  const layout: Record<string, unknown> = { ...defaultLayout, ...figure.layout };
  const axes = new Set(['xaxis', 'yaxis', ...Object.keys(layout).filter((key) => AXIS_KEY.test(key))]);
  for (const trace of figure.data) {
    // Contours, heatmaps and 3-D surfaces have no cartesian axes of their own to add.
    axes.add(axisKey('x', trace.xaxis));
    axes.add(axisKey('y', trace.yaxis));
  }
  for (const key of axes) layout[key] = withAxisDefaults(figure, key, layout[key] as Record<string, unknown> | undefined);
  return {
    data: figure.data,
    layout,
    config: { displaylogo: false, responsive: true, ...figure.config },
  };
}

export function showPlot(figure: PlotlyFigure): void {
  display(PLOTLY_MIME, plotlyBundle(figure));
}
