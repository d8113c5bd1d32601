// Loss and accuracy curves: one line per run, for one metric, from long-form metric records.
import { PlotlyFigure, palette } from './figure';
import { MetricRecord } from './metric-records';

export interface CurveOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** Runs in this order (and only these); default: in order of first appearance. */
  runs?: string[];
}

export function metricCurves(records: MetricRecord[], metric: string, options: CurveOptions = {}): PlotlyFigure {
  const selected = records.filter((r) => r.metric === metric);
  if (selected.length === 0) {
    const known = [...new Set(records.map((r) => r.metric))].join(', ');
    throw new Error(`No records for metric '${metric}' (the records have: ${known || 'none'}).`);
  }
  const runs = options.runs ?? [...new Set(selected.map((r) => r.run))];
  const data = runs.map((run, i) => {
    const points = selected.filter((r) => r.run === run).sort((a, b) => a.step - b.step);
    if (points.length === 0) throw new Error(`No '${metric}' records for run '${run}'.`);
    return {
      type: 'scatter',
      mode: points.length <= 30 ? 'lines+markers' : 'lines',
      name: run,
      x: points.map((p) => p.step),
      y: points.map((p) => p.value),
      line: { color: palette[i % palette.length], width: 2 },
    };
  });
  return {
    data,
    layout: {
      title: { text: options.title ?? metric },
      xaxis: { title: { text: options.xTitle ?? 'epoch' }, type: options.logX ? 'log' : 'linear', zeroline: false },
      yaxis: { title: { text: options.yTitle ?? metric }, type: options.logY ? 'log' : 'linear' },
    },
  };
}
