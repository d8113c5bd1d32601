// Builds the installable package torch-optim-tfjs (packages/optim) from src/optim: an ESM and a
// CommonJS bundle, each with @tensorflow/tfjs-core left out as the peer dependency it is, and the
// type declarations. Nothing of src/optim is copied into git: packages/optim holds the manifest only.
//   npm run build:package              builds into packages/optim (then `npm pack` there)
//   npx tsx scripts/build-package.ts --out DIR [--js-only]
// Another DIR gets the manifest and the README too: the tests build into a temporary folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';

const root = path.resolve(__dirname, '..');
export const packageDir = path.join(root, 'packages', 'optim');
export const packageName: string = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).name;
const libraryEntry = path.join(root, 'src', 'optim', 'index.ts');
/** The one package the library may import: anything else would be bundled into it or be missing. */
const PEER = '@tensorflow/tfjs-core';

/** Fails the build on any runtime import but the peer itself (a deep path into it too); type-only imports are erased. */
function checkImports(metafile: Metafile): void {
  const foreign = new Set<string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const { path: imported, external } of input.imports) {
      // '<runtime>' is esbuild's own helpers, inlined in the bundle.
      if (external && imported !== PEER && imported !== '<runtime>') foreign.add(`${file} imports '${imported}'`);
    }
  }
  if (foreign.size > 0) {
    throw new Error(`src/optim may import only '${PEER}' (a peer dependency of the package); make these imports type-only or remove them:\n  ${[...foreign].join('\n  ')}`);
  }
}

/** The README's section on the package, which is also the package's README on npm. */
function packageReadme(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.match(new RegExp(`^## The package: ${packageName}$[\\s\\S]*?(?=^## |(?![\\s\\S]))`, 'm'));
  if (!section) throw new Error(`README.md has no section "## The package: ${packageName}"`);
  return `# ${packageName}\n${section[0].replace(/^## .*\n/m, '')}`;
}

/** The declarations, one .d.ts per source file under dist/types, by tsc with packages/optim/tsconfig.json. */
function buildTypes(typesDir: string): void {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(packageDir, 'tsconfig.json'), '--outDir', typesDir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tsc (declarations of src/optim) failed:\n${result.stdout}${result.stderr}`);
}

/**
 * Builds the package into outDir (default packages/optim); returns the files written, relative to it.
 * `entry` replaces src/optim/index.ts (for the test of the import check).
 */
export async function buildPackage(outDir = packageDir, { jsOnly = false, entry = libraryEntry } = {}): Promise<string[]> {
  const dist = path.join(outDir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const formats = [
    { format: 'esm', file: 'index.mjs' },
    { format: 'cjs', file: 'index.cjs' },
  ] as const;
  for (const { format, file } of formats) {
    const result = await build({
      entryPoints: [entry],
      outfile: path.join(dist, file),
      bundle: true,
      format,
      platform: 'neutral',
      target: 'es2020',
      packages: 'external',
      metafile: true,
      logLevel: 'warning',
    });
    checkImports(result.metafile);
  }
  const written = formats.map(({ file }) => `dist/${file}`);
  if (!jsOnly) {
    buildTypes(path.join(dist, 'types'));
    written.push('dist/types/index.d.ts');
  }
  if (path.resolve(outDir) !== packageDir) copyFileSync(path.join(packageDir, 'package.json'), path.join(outDir, 'package.json'));
  if (!jsOnly) {
    writeFileSync(path.join(outDir, 'README.md'), packageReadme());
    written.push('README.md');
  }
  return written;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? path.resolve(args[args.indexOf('--out') + 1]) : packageDir;
  buildPackage(out, { jsOnly: args.includes('--js-only') }).then(
    (files) => console.log(`${packageName}: built ${files.join(', ')} in ${path.relative(process.cwd(), out) || '.'}`),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
