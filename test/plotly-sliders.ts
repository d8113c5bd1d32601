// Drives a Plotly slider in a real page (the exported HTML or JupyterLab): clicks the far end of a
// figure's slider rail, as a reader would, and reports the traces' visibility and points before and
// after. Shared by test/browser.test.ts and test/jupyterlab.test.ts.
import type { Locator } from 'playwright-core';

export interface TraceState {
  visible: boolean[];
  /** Each trace's x values, joined (enough to tell one set of paths from another). */
  xs: string[];
}

export interface SliderMove {
  /** Sliders of the figure, and steps of the one moved. */
  sliders: number;
  steps: number;
  before: TraceState;
  after: TraceState;
}

/** Every trace's `visible` (unset counts as visible) and x values, from the drawn figure's `gd.data`. */
function traceState(figure: Locator): Promise<TraceState> {
  return figure.evaluate((element) => {
    const gd = element as HTMLElement & { data?: Array<{ visible?: boolean | 'legendonly'; x?: ArrayLike<unknown> }> };
    const traces = gd.data ?? [];
    return {
      visible: traces.map((trace) => trace.visible === undefined || trace.visible === true),
      xs: traces.map((trace) => Array.from(trace.x ?? []).join(',')),
    };
  });
}

/**
 * Moves the figure's slider `index` (0: the first) by a click at one end of its rail: the last
 * step, or the first where the slider is already at the last.
 */
export async function moveSlider(figure: Locator, index = 0): Promise<SliderMove> {
  const { sliders, steps, active } = await figure.evaluate((element, i) => {
    const gd = element as HTMLElement & { layout?: { sliders?: Array<{ steps: unknown[]; active?: number }> } };
    const slider = gd.layout?.sliders?.[i];
    return { sliders: gd.layout?.sliders?.length ?? 0, steps: slider?.steps.length ?? 0, active: slider?.active ?? 0 };
  }, index);
  const before = await traceState(figure);
  const rail = figure.locator('.slider-group .slider-rail-touch-rect').nth(index);
  // The click lands where the rail is on screen: scrolled into view first.
  await rail.scrollIntoViewIfNeeded();
  const box = await rail.boundingBox();
  if (!box) throw new Error(`slider ${index + 1}'s rail is not drawn`);
  const mouse = rail.page().mouse;
  await mouse.move(active === steps - 1 ? box.x + 3 : box.x + box.width - 3, box.y + box.height / 2);
  await mouse.down();
  await mouse.up();
  await rail.page().waitForTimeout(300);
  return { sliders, steps, before, after: await traceState(figure) };
}

/**
 * Checks a slider figure as a reader uses it: the first slider shows another set of traces; a
 * second one, if any, moves the paths shown (their points) and leaves the first one's choice.
 * Returns what is wrong, [] when nothing is.
 */
export async function sliderProblems(figure: Locator, name: string): Promise<string[]> {
  const problems: string[] = [];
  const first = await moveSlider(figure, 0);
  if (first.steps < 2) problems.push(`${name}: a slider with ${first.steps} step(s)`);
  if (JSON.stringify(first.after.visible) === JSON.stringify(first.before.visible)) problems.push(`${name}: moving the first slider changed no trace's visibility`);
  if (first.sliders > 1) {
    const second = await moveSlider(figure, 1);
    if (JSON.stringify(second.after.xs) === JSON.stringify(second.before.xs)) problems.push(`${name}: moving the second slider moved no path`);
    if (JSON.stringify(second.after.visible) !== JSON.stringify(second.before.visible)) problems.push(`${name}: moving the second slider reset the first one's choice`);
  }
  return problems;
}
