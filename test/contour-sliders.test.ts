// trajectoryContourSliders: one trace per path and first-slider value, the initial value's shown;
// each step of the first slider shows exactly its own traces; a second slider's steps carry the
// points pathsAt gives at that setting; settings that are not given, or paths that change names,
// are refused.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { backendReady } from './helpers';
import { illConditionedQuadratic } from '../src/notebook/surface';
import { logRates, PathLike, trajectoryContourSliders } from '../src/notebook/contour-plot';

before(() => backendReady);

const surface = illConditionedQuadratic(20);
/** Two made-up paths whose points encode the setting, so that each step's data can be checked. */
const pathsAt = ({ lr, momentum = 0 }: Record<string, number>): PathLike[] => [
  { name: 'a', points: [[lr, momentum], [2 * lr, momentum]] },
  { name: 'b', points: [[-lr, momentum], [-2 * lr, momentum], [-3 * lr, momentum]] },
];
type Step = { args: [Record<string, unknown[]>, number[]] };

test('logRates: 2k+1 rates a factor sqrt(10) apart, the centre exact, a bad centre refused', () => {
  assert.deepEqual(logRates(0.01), [0.001, 0.00316, 0.01, 0.0316, 0.1]);
  assert.deepEqual(logRates(0.1, 1), [0.0316, 0.1, 0.316]);
  assert.throws(() => logRates(0), /centre must be a positive number/);
});

test('one slider: a trace per path and rate, the initial rate shown, each step shows its own traces', () => {
  const values = [0.01, 0.1, 1];
  const figure = trajectoryContourSliders(surface, [{ option: 'lr', values, initial: 0.1 }], pathsAt);
  const paths = figure.data.filter((trace) => trace.legendgroup !== undefined);
  assert.equal(paths.length, values.length * 2);
  assert.deepEqual(paths.map((trace) => trace.visible), [false, false, true, true, false, false]);
  assert.deepEqual(paths.map((trace) => (trace.x as number[])[0]), [0.01, -0.01, 0.1, -0.1, 1, -1]);
  const [slider] = (figure.layout as { sliders: Array<{ active: number; steps: Step[] }> }).sliders;
  assert.equal(slider.active, 1);
  slider.steps.forEach((step, i) => {
    const [{ visible }, indices] = step.args;
    assert.equal(indices.length, paths.length);
    const shown = indices.filter((_, k) => visible[k]).map((index) => (figure.data[index].x as number[])[0]);
    assert.deepEqual(shown, [values[i], -values[i]]);
  });
});

test('two sliders: the second slider\'s step j carries the points of the paths at its value, for every rate', () => {
  const lrs = [0.1, 1];
  const momenta = [0, 0.5, 0.9];
  const figure = trajectoryContourSliders(
    surface,
    [{ option: 'lr', values: lrs, initial: 1 }, { option: 'momentum', values: momenta, initial: 0.5 }],
    pathsAt,
  );
  const paths = figure.data.filter((trace) => trace.legendgroup !== undefined);
  assert.deepEqual(paths.map((trace) => (trace.y as number[])[0]), [0.5, 0.5, 0.5, 0.5], 'drawn at the initial momentum');
  const [, second] = (figure.layout as { sliders: Array<{ active: number; steps: Step[] }> }).sliders;
  assert.equal(second.active, 1);
  second.steps.forEach((step, j) => {
    const [{ x, y }] = step.args;
    const expected = lrs.flatMap((lr) => pathsAt({ lr, momentum: momenta[j] }));
    // The figure keeps 5 significant digits.
    const rounded = (axis: 0 | 1) => expected.map((p) => p.points.map((q) => Number(q[axis].toPrecision(5))));
    assert.deepEqual(x, rounded(0));
    assert.deepEqual(y, rounded(1));
  });
});

test('an initial value not among the values, or paths that change names, are refused', () => {
  assert.throws(() => trajectoryContourSliders(surface, [{ option: 'lr', values: [0.1, 1], initial: 0.5 }], pathsAt), /starts at 0.5, which is not one of its values/);
  const renamed = ({ lr }: Record<string, number>): PathLike[] => [{ name: lr > 0.5 ? 'other' : 'a', points: [[lr, 0]] }];
  assert.throws(() => trajectoryContourSliders(surface, [{ option: 'lr', values: [0.1, 1], initial: 0.1 }], renamed), /not a as at the first/);
});
