// The notebooks' MNIST sections on runs that are committed or not yet: which of a list of requests
// have their run in outputs/runs (a missing one is named with the command that trains it), and the
// figures and table a section shows of the runs it has.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { defaultRunFile } from '../results';
import { configFor } from '../train/config';
import { trainCommand } from '../train/notebook-runs';
import { metricCurves } from './curves';
import type { MetricRecord } from './metric-records';
import type { MnistRequest, MnistRuns } from './mnist-results';
import { showPlot } from './plot';
import { showTable } from './table';

const projectRoot = path.resolve(__dirname, '..', '..');

/**
 * The requests whose run (seed 1, the sweep's 10 epochs) is in outputs/runs, and a Markdown line for
 * each missing one with the command that trains it (`npm start` trains them before the notebooks).
 */
export function committedRuns(requests: MnistRequest[]): { present: MnistRequest[]; missing: string[] } {
  const present: MnistRequest[] = [];
  const missing: string[] = [];
  for (const request of requests) {
    const { label, ...run } = request;
    const config = configFor(run);
    const file = defaultRunFile(config);
    if (existsSync(path.join(projectRoot, file))) present.push(request);
    else missing.push(`- ${label ?? run.optimizer}: \`${file}\` is not committed yet; \`${trainCommand(config)}\` trains it.`);
  }
  return { present, missing };
}

export interface RunSummaryRow {
  run: string;
  seeds: string;
  epochs: number;
  'final test accuracy': number;
  'final test loss': number;
}

/**
 * Test accuracy and loss per epoch of the runs, the lr per epoch where the run records hold it, and a
 * table of each run's last epoch; returns the table's rows by run.
 */
export function mnistSummary(mnist: MnistRuns, caption: string): Record<string, RunSummaryRow> {
  const last = (label: string, metric: string) =>
    mnist.records.filter((r) => r.run === label && r.metric === metric).reduce((a, b) => (b.step > a.step ? b : a));
  showPlot(metricCurves(mnist.records, 'test_acc', { title: 'MNIST test accuracy', yTitle: 'test accuracy' }));
  showPlot(metricCurves(mnist.records, 'test_loss', { title: 'MNIST test loss', yTitle: 'test loss (NLL)', logY: true }));
  const lrRecords: MetricRecord[] = Object.entries(mnist.runs).flatMap(([label, runs]) =>
    runs[0].epochs.flatMap((e) => (e.lr === undefined ? [] : [{ run: label, step: e.epoch, metric: 'lr', value: e.lr }])),
  );
  if (lrRecords.length > 0) showPlot(metricCurves(lrRecords, 'lr', { title: "The lr at each epoch's last step, from the run records", yTitle: 'lr', logY: true }));
  const rows: RunSummaryRow[] = Object.entries(mnist.runs).map(([label, runs]) => ({
    run: label,
    seeds: runs.map((r) => r.config.seed).join(', '),
    epochs: last(label, 'test_acc').step,
    'final test accuracy': last(label, 'test_acc').value,
    'final test loss': last(label, 'test_loss').value,
  }));
  showTable(rows as unknown as Array<Record<string, string | number>>, { caption, digits: 4 });
  return Object.fromEntries(rows.map((r) => [r.run, r]));
}
