// The shape of a Plotly figure, as plotly.js takes it and as Jupyter's Plotly mime type carries it.
// Kept minimal on purpose: traces and layout are plain JSON that plotly.js validates itself.

/** One trace: `{type: 'scatter', x, y, mode, name, ...}` in plotly.js's schema. */
export type PlotlyTrace = Record<string, unknown>;

export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** A qualitative palette (Plotly's default), so one optimizer keeps its colour across figures. */
export const palette = ['#636efa', '#ef553b', '#00cc96', '#ab63fa', '#ffa15a', '#19d3f3', '#ff6692', '#b6e880', '#ff97ff', '#fecb52'];
