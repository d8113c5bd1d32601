// The one place that talks to the notebook: helpers build a value, `display` sends it to tslab as
// a Jupyter display message. Outside a tslab kernel it fails with a message that says so.
import type { Display } from 'tslab';

let tslabDisplay: Display | undefined;

function notebookDisplay(): Display {
  if (!tslabDisplay) {
    try {
      tslabDisplay = (require('tslab') as typeof import('tslab')).display;
    } catch (e) {
      throw new Error(`The notebook helpers display through tslab, which could not be loaded (${String(e)}). Run them in a tslab kernel (npm run lab).`);
    }
  }
  return tslabDisplay;
}

/**
 * Shows `content` under one mime type. JSON mime types (`application/*+json`) take an object, the
 * others a string. Throws outside a running tslab cell.
 */
export function display(mimeType: string, content: string | object): void {
  const out = notebookDisplay();
  try {
    // tslab types `raw` as string | bytes, but it forwards any JSON value, which JSON mime types need.
    out.raw(mimeType, content as string);
  } catch (e) {
    throw new Error(`Could not display ${mimeType}: ${e instanceof Error ? e.message : String(e)} (are you inside a tslab notebook cell?)`);
  }
}
