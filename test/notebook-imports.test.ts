// Notebooks import the library only through its barrels (`../dist/notebook`, `../dist/train`,
// `../dist/optim`, `../dist/results`, ...: a folder of src/ with an index.ts, or a single module of
// src/ such as `../dist/backend`), never a deep path such as `../dist/train/sweep`: the barrels are
// the notebooks' API, and a deep import breaks when a module moves. Every name a notebook imports
// from a barrel must be one the barrel exports (checked with TypeScript against src/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..');
const notebookDir = path.join(root, 'notebooks');
const notebooks = readdirSync(notebookDir).filter((name) => /^\d\d-.*\.ipynb$/.test(name)).sort();

interface LibraryImport {
  specifier: string;
  names: string[];
  line: string;
}

/** Every `../dist...` specifier in the code cells, with the names imported by `import { ... }`. */
function libraryImports(file: string): LibraryImport[] {
  const cells = (JSON.parse(readFileSync(file, 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> }).cells;
  const found: LibraryImport[] = [];
  for (const cell of cells) {
    if (cell.cell_type !== 'code') continue;
    const code = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    const source = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      let specifier: ts.Expression | undefined;
      let names: string[] = [];
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
        specifier = node.moduleSpecifier;
        const bindings = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause;
        if (bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))) {
          names = bindings.elements.map((element) => (element.propertyName ?? element.name).text);
        }
      } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
        specifier = node.arguments[0];
      }
      if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('../dist')) {
        const line = code.split('\n')[source.getLineAndCharacterOfPosition(node.getStart()).line].trim();
        found.push({ specifier: specifier.text, names, line });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** The src/ module a barrel specifier names: src/<name>/index.ts or src/<name>.ts; undefined for a deep path. */
function barrelSource(specifier: string): string | undefined {
  const match = specifier.match(/^\.\.\/dist\/([\w-]+)$/);
  if (!match) return undefined;
  return [path.join(root, 'src', match[1], 'index.ts'), path.join(root, 'src', `${match[1]}.ts`)].find((file) => existsSync(file));
}

test('there are notebooks to check, and they import the library', () => {
  assert.ok(notebooks.length >= 14, notebooks.join(', '));
  for (const name of notebooks) assert.ok(libraryImports(path.join(notebookDir, name)).length > 0, `${name} imports nothing from ../dist`);
});

test('the check sees a deep import, a dynamic one, and a name a barrel lacks', () => {
  assert.equal(barrelSource('../dist/train/sweep'), undefined);
  assert.equal(barrelSource('../dist/notebook/metric-table'), undefined);
  assert.ok(barrelSource('../dist/notebook'));
  assert.ok(barrelSource('../dist/backend'));
  assert.equal(barrelSource('../dist/no-such-module'), undefined);
});

const imports = new Map(notebooks.map((name) => [name, libraryImports(path.join(notebookDir, name))]));

for (const name of notebooks) {
  test(`${name}: imports the library only from its barrels`, () => {
    const deep = imports.get(name)!.filter(({ specifier }) => barrelSource(specifier) === undefined);
    assert.deepEqual(
      deep.map(({ line }) => line),
      [],
      'deep imports: import these names from the barrel instead (../dist/notebook, ../dist/train, ../dist/optim, ../dist/results), exporting them there if needed',
    );
  });
}

test('every name a notebook imports from a barrel is exported by it', () => {
  const barrels = [...new Set([...imports.values()].flat().map(({ specifier }) => barrelSource(specifier)).filter((file): file is string => file !== undefined))];
  const program = ts.createProgram(barrels, { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const exported = new Map(
    barrels.map((file) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
      return [file, new Set(checker.getExportsOfModule(symbol).map((s) => s.name))];
    }),
  );
  const missing = [...imports.entries()].flatMap(([name, list]) =>
    list.flatMap(({ specifier, names }) => {
      const barrel = barrelSource(specifier);
      if (!barrel) return [];
      return names.filter((imported) => !exported.get(barrel)!.has(imported)).map((imported) => `${name}: ${imported} from '${specifier}'`);
    }),
  );
  assert.deepEqual(missing, []);
});
