// Helpers for the tslab notebooks: show figures, tables and equations, and build the figures the
// notebooks share. Notebooks import the compiled copy: `import { showPlot } from '../dist/notebook'`.
export { display } from './display';
export { palette } from './figure';
export type { PlotlyFigure, PlotlyTrace } from './figure';
export { PLOTLY_MIME, plotlyBundle, showPlot } from './plot';
export { equationLatex, latexOf, showEquation } from './equation';
export type { EquationOptions } from './equation';
export { showMarkdown } from './markdown';
export { showTable, tableHtml } from './table';
export type { TableLike, TableOptions, TableRow } from './table';
export { formatNumber } from './format';
export { quick, quickOr } from './quick';
export { seededRandom, shuffledIndices } from './random';
export { beale, illConditionedQuadratic, rosenbrock, surfaceLoss } from './surface';
export type { Surface2D } from './surface';
export { followOptimizer } from './trajectory';
export type { Trajectory } from './trajectory';
export { surfaceGrid, trajectoryContour } from './contour-plot';
export type { ContourOptions, PathLike } from './contour-plot';
export { readMetricRecords, toMetricRecords } from './metric-records';
export type { MetricRecord } from './metric-records';
export { metricCurves } from './curves';
export type { CurveOptions } from './curves';
export { mnistResults, tutorialResults } from './mnist-results';
export type { MnistRequest, MnistRuns } from './mnist-results';
