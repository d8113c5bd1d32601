import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatColumn } from '../src/notebook/format';
import { plotlyBundle } from '../src/notebook/plot';
import { tableHtml } from '../src/notebook/table';

test('formatColumn: one column, the same significant digits on every value', () => {
  assert.deepEqual(formatColumn([0.95, 0.9512, 0.905]), ['0.9500', '0.9512', '0.9050']);
  assert.deepEqual(formatColumn([14.2588, 0.16], 3), ['14.3', '0.160']);
  // One value that needs an exponent puts the whole column in exponent notation.
  assert.deepEqual(formatColumn([0.5, 2e-6]), ['5.000e-1', '2.000e-6']);
  assert.deepEqual(formatColumn([3, 10, 0]), ['3', '10', '0']);
  assert.deepEqual(formatColumn([0, 0.25, NaN]), ['0', '0.2500', 'NaN']);
});

test('tableHtml formats each column on its own', () => {
  const html = tableHtml([{ run: 'a', steps: 3, acc: 0.9 }, { run: 'b', steps: 10, acc: 0.9512 }]);
  assert.match(html, />3<\/td>/);
  assert.match(html, />0\.9000<\/td>/);
  assert.match(html, />0\.9512<\/td>/);
});

test('plotlyBundle: powers of ten on every axis, decades only on a wide log axis', () => {
  const figure = plotlyBundle({
    data: [
      { type: 'scatter', x: [1, 2, 3], y: [1e-6, 1e-3, 1] },
      { type: 'scatter', x: [1, 2], y: [0.2, 0.5], yaxis: 'y2' },
    ],
    layout: { yaxis: { type: 'log' }, yaxis2: { type: 'log', overlaying: 'y' } },
  });
  const layout = figure.layout as Record<string, Record<string, unknown>>;
  for (const key of ['xaxis', 'yaxis', 'yaxis2']) assert.equal(layout[key].exponentformat, 'power', key);
  assert.equal(layout.yaxis.dtick, 1);
  assert.equal(layout.yaxis2.dtick, undefined, 'less than two decades: Plotly chooses the ticks');
  assert.equal(layout.yaxis2.overlaying, 'y', "the caller's axis settings are kept");
  const wide = plotlyBundle({ data: [{ type: 'scatter', x: [1, 2], y: [1e-30, 1] }], layout: { yaxis: { type: 'log' } } });
  assert.equal((wide.layout as Record<string, Record<string, unknown>>).yaxis.dtick, 4, '30 decades: a label every 4th');
});
