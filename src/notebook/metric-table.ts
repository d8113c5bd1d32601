// Long-form metric records as a wide table for showTable or a danfo DataFrame: one row per step
// (epoch), one column per run, for one metric. Every row has every column (null where a run has
// no value at that step), because danfo lines values up by position, not by key.
import { MetricRecord } from './metric-records';
import type { TableRow } from './table';

export interface MetricTableOptions {
  /** The columns, in this order (and only these); default: runs in order of first appearance. */
  runs?: string[];
  /** The name of the step column (default 'epoch'). */
  stepName?: string;
}

export function metricTable(records: MetricRecord[], metric: string, options: MetricTableOptions = {}): TableRow[] {
  const selected = records.filter((r) => r.metric === metric);
  if (selected.length === 0) {
    const known = [...new Set(records.map((r) => r.metric))].join(', ');
    throw new Error(`No records for metric '${metric}' (the records have: ${known || 'none'}).`);
  }
  const runs = options.runs ?? [...new Set(selected.map((r) => r.run))];
  const steps = [...new Set(selected.map((r) => r.step))].sort((a, b) => a - b);
  const stepName = options.stepName ?? 'epoch';
  return steps.map((step) => {
    const row: TableRow = { [stepName]: step };
    for (const run of runs) row[run] = selected.find((r) => r.run === run && r.step === step)?.value ?? null;
    return row;
  });
}
