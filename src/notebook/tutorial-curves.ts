// Our curves beside the tutorial's published ones: each tutorial trace ('<name> (tutorial)', as
// tutorialResults labels them) takes the colour of our trace of the same name and a dashed line, so
// that one optimizer reads as one colour and the two sources as solid (ours) and dashed (theirs).
import { PlotlyFigure, PlotlyTrace, palette } from './figure';

export const TUTORIAL_SUFFIX = ' (tutorial)';

function restyled(trace: PlotlyTrace, color: string, dashed: boolean): PlotlyTrace {
  const line = { ...(trace.line as Record<string, unknown> | undefined), color, ...(dashed ? { dash: 'dash' } : {}) };
  const marker = { ...(trace.marker as Record<string, unknown> | undefined), color };
  return { ...trace, line, marker };
}

/**
 * The figure (e.g. from metricCurves) with colours paired: our traces in palette order, each
 * tutorial trace in the colour of ours with the same base name and dashed (a tutorial trace with no
 * partner gets the next free colour).
 */
export function pairWithTutorial(figure: PlotlyFigure): PlotlyFigure {
  const isTutorial = (trace: PlotlyTrace) => String(trace.name ?? '').endsWith(TUTORIAL_SUFFIX);
  const colours = new Map<string, string>();
  for (const trace of figure.data.filter((t) => !isTutorial(t))) {
    colours.set(String(trace.name), palette[colours.size % palette.length]);
  }
  let nextFree = colours.size;
  const data = figure.data.map((trace) => {
    const name = String(trace.name ?? '');
    if (!isTutorial(trace)) return restyled(trace, colours.get(name) as string, false);
    const base = name.slice(0, -TUTORIAL_SUFFIX.length);
    const color = colours.get(base) ?? palette[nextFree++ % palette.length];
    return restyled(trace, color, true);
  });
  return { ...figure, data };
}
