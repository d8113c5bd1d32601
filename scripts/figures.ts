// Static images of the key comparison plots for the README: test accuracy and test loss per epoch
// for every optimizer, from the sweep's outputs/results/<dataset>.csv (seed "mean" rows), drawn by
// the local plotly.js in headless Chromium and saved as SVG and PNG under outputs/figures/.
//   npx tsx scripts/figures.ts [--datasets mnist,fashion]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { datasetNames } from '../src/data/datasets';
import { metricCurves } from '../src/notebook/curves';
import type { PlotlyFigure } from '../src/notebook/figure';
import type { MetricRecord } from '../src/notebook/metric-records';
import { readResultsTable, RESULTS_DIR } from '../src/results';
import { FlagReader, parseFlags, UsageError } from '../src/train/cli-args';

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'outputs', 'figures');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const titles: Record<string, string> = { mnist: 'MNIST', fashion: 'Fashion-MNIST' };

/** The per-epoch means over seeds of the sweep's table. */
function sweepMeans(file: string): MetricRecord[] {
  return readResultsTable(file)
    .filter((row) => row.seed === 'mean')
    .map((row) => ({ run: row.optimizer, step: row.epoch, metric: row.metric, value: row.value }));
}

const USAGE = 'Usage: npm run figures -- [--datasets mnist,fashion] (default: both)';

/** The datasets to draw, from the command line. */
function parseArgs(argv: string[]): string[] | 'help' {
  const reader = new FlagReader(parseFlags(argv, ['help']));
  if (reader.has('help')) return 'help';
  const wanted = reader.list('datasets') ?? datasetNames;
  reader.refuseUnknown();
  const unknown = wanted.filter((name) => !(datasetNames as string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`--datasets: unknown ${unknown.join(', ')}; choose from ${datasetNames.join(', ')}`);
  return wanted;
}

type Trace = { name: string; y: number[]; line: Record<string, unknown> };

/**
 * Frames the runs that trained (a diverged or collapsed run would squash them against one edge) and
 * names the others in the title; lines beyond the palette's colours are dashed to stay distinguishable.
 */
function zoomed(figure: PlotlyFigure): PlotlyFigure {
  const traces = figure.data as unknown as Trace[];
  const isAccuracy = /accuracy/.test(JSON.stringify(figure.layout?.title));
  const trained = (t: Trace) => {
    const last = t.y[t.y.length - 1];
    return Number.isFinite(last) && (isAccuracy ? last > 0.5 : last < 1);
  };
  const shown = traces.filter(trained);
  const hidden = traces.filter((t) => !trained(t)).map((t) => t.name);
  traces.forEach((t, i) => (t.line = { ...t.line, dash: i >= 10 ? 'dash' : 'solid' }));
  const values = shown.flatMap((t) => t.y).filter(Number.isFinite);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const layout = { ...figure.layout } as Record<string, unknown>;
  const yaxis = { ...(layout.yaxis as Record<string, unknown>) };
  yaxis.range = isAccuracy ? [low - 0.005, Math.min(1, high + 0.003)] : [Math.log10(low * 0.9), Math.log10(high * 1.1)];
  layout.yaxis = yaxis;
  if (hidden.length > 0) {
    const title = (layout.title as { text: string }).text;
    layout.title = { text: `${title}<br><sub>off the chart (did not train): ${hidden.join(', ')}</sub>` };
  }
  return { ...figure, data: figure.data.filter((_, i) => trained(traces[i])), layout } as PlotlyFigure;
}

/**
 * Plotly names a plot's defs, clip paths and legend after a random id drawn for each plot
 * (id="clip6f5365xy"), so the same figure would give a new SVG file every time; a fixed id (with
 * the fixed trace uids below) keeps the tracked files unchanged when the data is.
 */
function withStableIds(svg: string): string {
  const uid = /id="defs-([0-9a-f]+)"/.exec(svg)?.[1];
  return uid ? svg.replace(new RegExp(`(defs-|clip|legend)${uid}`, 'g'), '$1plot') : svg;
}

async function main(): Promise<void> {
  const datasets = parseArgs(process.argv.slice(2));
  if (datasets === 'help') {
    console.log(USAGE);
    return;
  }
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} not found: install Debian's chromium (npm run setup does as root) or set CHROMIUM_PATH.`);
  const figures: Array<{ name: string; figure: PlotlyFigure }> = [];
  for (const dataset of datasets) {
    const csv = path.join(root, RESULTS_DIR, `${dataset}.csv`);
    if (!existsSync(csv)) {
      console.log(`figures: no ${path.relative(root, csv)} (run npm run sweep -- --dataset ${dataset}); skipped`);
      continue;
    }
    const records = sweepMeans(csv);
    const label = titles[dataset] ?? dataset;
    const accuracy = zoomed(metricCurves(records, 'test_acc', { title: `${label}: test accuracy per epoch (mean over seeds)`, yTitle: 'test accuracy' }));
    const loss = zoomed(metricCurves(records, 'test_loss', { title: `${label}: test loss per epoch (mean over seeds)`, yTitle: 'test loss (NLL)', logY: true }));
    figures.push({ name: `${dataset}-test-accuracy`, figure: accuracy }, { name: `${dataset}-test-loss`, figure: loss });
  }
  if (figures.length === 0) return;
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    await page.setContent('<html><body><div id="plot"></div></body></html>');
    await page.addScriptTag({ path: require.resolve('plotly.js-dist/plotly.js') });
    for (const { name, figure } of figures) {
      const layout = { ...figure.layout, width: 900, height: 520, template: undefined, paper_bgcolor: 'white' };
      const images = await page.evaluate(
        async ({ data, layout }) => {
          const Plotly = (window as unknown as { Plotly: { newPlot: Function; toImage: Function } }).Plotly;
          const plot = await Plotly.newPlot('plot', data, layout, { staticPlot: true });
          return {
            svg: await Plotly.toImage(plot, { format: 'svg', width: 900, height: 520 }),
            png: await Plotly.toImage(plot, { format: 'png', width: 900, height: 520, scale: 2 }),
          };
        },
        // Fixed trace uids: Plotly otherwise draws a random one into each trace's class.
        { data: figure.data.map((trace, i) => ({ ...trace, uid: `trace-${i}` })), layout },
      );
      writeFileSync(path.join(outDir, `${name}.svg`), withStableIds(decodeURIComponent(images.svg.replace(/^data:image\/svg\+xml,/, ''))));
      writeFileSync(path.join(outDir, `${name}.png`), Buffer.from(images.png.replace(/^data:image\/png;base64,/, ''), 'base64'));
      console.log(`figures: wrote outputs/figures/${name}.svg and .png`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`figures: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof UsageError) console.error(USAGE);
  process.exit(error instanceof UsageError ? 2 : 1);
});
