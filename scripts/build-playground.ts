// Builds the live playground, one self-contained HTML file: src/playground/page.ts with the optimizer
// library and @tensorflow/tfjs bundled by esbuild into an inline script. It loads nothing, so it
// works offline and from file://.
//   npm run build:playground                 writes outputs/html/playground.html (outputs/quick/html/ with FUN_OPTIM_QUICK=1)
//   npx tsx scripts/build-playground.ts --out FILE
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { FlagReader, parseFlags, UsageError } from '../src/train/cli-args';

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'src', 'playground', 'page.ts');
// The same folder as the exported notebooks, so that the index links it beside them.
const outputsDir = process.env.FUN_OPTIM_QUICK === '1' ? path.join(root, 'outputs', 'quick') : path.join(root, 'outputs');
export const defaultPlaygroundFile = path.join(outputsDir, 'html', 'playground.html');

const STYLE = `
  body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.5em; margin: 0 0 0.3em; }
  h2 { font-size: 1.05em; margin: 0.8em 0 0.3em; }
  #playground { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
  .controls { width: 22em; }
  .controls select { width: 100%; }
  .field { display: grid; grid-template-columns: 8em minmax(0, 1fr) 4.5em; gap: 0.3em; align-items: center; margin: 0.3em 0; }
  .field label { font-size: 0.9em; overflow-wrap: anywhere; }
  .field output { font-variant-numeric: tabular-nums; font-size: 0.85em; }
  .field input[type=number] { width: 6em; }
  .field input[type=range] { width: 100%; margin: 0; }
  fieldset.options { border: 1px solid #ccc; margin: 0.6em 0; padding: 0.3em 0.6em; }
  fieldset.options legend { font-size: 0.85em; color: #555; }
  .plot { position: relative; width: 480px; height: 400px; border: 1px solid #999; }
  .plot canvas, .plot svg { position: absolute; left: 0; top: 0; }
  .plot svg { cursor: crosshair; }
  .trajectory { fill: none; stroke: #fff; stroke-width: 2; stroke-linejoin: round; }
  .start-marker { fill: #fff; stroke: #000; }
  .end-marker { fill: #e8453c; stroke: #fff; }
  .minimum-marker { stroke: #fff; stroke-width: 2.5; }
  .side { width: 340px; }
  .chart-area { fill: #fafafa; stroke: #bbb; }
  .grid { stroke: #e4e4e4; }
  .tick, .axis-title { font-size: 11px; fill: #444; }
  .loss-curve { fill: none; stroke: #1f6fb4; stroke-width: 1.8; }
  .formula { font-family: Georgia, serif; }
  .error { color: #b00020; }
  .note { color: #444; font-style: italic; }
  :focus-visible { outline: 2px solid #1f6fb4; outline-offset: 2px; }
`;

function page(script: string): string {
  // A literal "</script" inside the bundle would end the inline script early.
  const inline = script.replace(/<\/(script)/gi, '<\\/$1');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Fun with optimizers: the playground</title>
  <style>${STYLE}</style>
</head>
<body>
  <h1>The optimizer playground</h1>
  <p>Every optimizer of the library, running in this page on TensorFlow.js (cpu backend). Pick an optimizer and a surface,
  move a slider, or click the contours to start from there: the path is recomputed at once.</p>
  <main id="playground"><noscript>The playground runs the optimizers in JavaScript: enable it to use the page.</noscript></main>
  <script>${inline}</script>
</body>
</html>
`;
}

/** Bundles the page and writes the HTML file; returns its size and the bundle's, in bytes. */
export async function buildPlayground(outFile = defaultPlaygroundFile): Promise<{ htmlBytes: number; scriptBytes: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = result.outputFiles[0].text;
  const html = page(script);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, html);
  return { htmlBytes: Buffer.byteLength(html), scriptBytes: Buffer.byteLength(script) };
}

if (require.main === module) {
  try {
    const reader = new FlagReader(parseFlags(process.argv.slice(2)));
    if (reader.has('help')) {
      console.log('Usage: npx tsx scripts/build-playground.ts [--out FILE] (default: outputs/html/playground.html)');
      process.exit(0);
    }
    const out = path.resolve(reader.string('out') ?? defaultPlaygroundFile);
    reader.refuseUnknown();
    buildPlayground(out).then(
      ({ htmlBytes }) => console.log(`playground: wrote ${path.relative(process.cwd(), out)} (${(htmlBytes / 1e6).toFixed(2)} MB)`),
      (error: Error) => {
        console.error(error.message);
        process.exit(1);
      },
    );
  } catch (error) {
    console.error((error as Error).message);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
