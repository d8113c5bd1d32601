// Drives a Plotly slider in a real page (the exported HTML or JupyterLab): clicks the far end of a
// figure's first slider rail, as a reader would, and reports which traces are visible before and
// after. Shared by test/browser.test.ts and test/jupyterlab.test.ts.
import type { Locator } from 'playwright-core';

export interface SliderMove {
  /** Steps of the first slider. */
  steps: number;
  before: boolean[];
  after: boolean[];
}

/** The `visible` flag of every trace of a drawn figure (`gd.data`; unset counts as visible). */
function visibleTraces(figure: Locator): Promise<boolean[]> {
  return figure.evaluate((element) => {
    const gd = element as HTMLElement & { data?: Array<{ visible?: boolean | 'legendonly' }> };
    return (gd.data ?? []).map((trace) => trace.visible === undefined || trace.visible === true);
  });
}

/** Moves the figure's first slider to its last step by a click at the right end of its rail. */
export async function moveFirstSlider(figure: Locator): Promise<SliderMove> {
  const steps = await figure.evaluate((element) => {
    const gd = element as HTMLElement & { layout?: { sliders?: Array<{ steps: unknown[] }> } };
    return gd.layout?.sliders?.[0]?.steps.length ?? 0;
  });
  const before = await visibleTraces(figure);
  const rail = figure.locator('.slider-group .slider-rail-touch-rect').first();
  // The click lands where the rail is on screen: scrolled into view first.
  await rail.scrollIntoViewIfNeeded();
  const box = await rail.boundingBox();
  if (!box) throw new Error('the slider rail is not drawn');
  const mouse = rail.page().mouse;
  await mouse.move(box.x + box.width - 3, box.y + box.height / 2);
  await mouse.down();
  await mouse.up();
  await rail.page().waitForTimeout(300);
  return { steps, before, after: await visibleTraces(figure) };
}
