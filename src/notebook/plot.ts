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

/** The mime bundle for a figure: the caller's layout over a few defaults, static-friendly config. */
export function plotlyBundle(figure: PlotlyFigure): Required<PlotlyFigure> {
  if (!Array.isArray(figure?.data)) {
    throw new Error('showPlot expects a Plotly figure {data: [...traces], layout?: {...}}.');
  }
  return {
    data: figure.data,
    layout: { ...defaultLayout, ...figure.layout },
    config: { displaylogo: false, responsive: true, ...figure.config },
  };
}

export function showPlot(figure: PlotlyFigure): void {
  display(PLOTLY_MIME, plotlyBundle(figure));
}
