// Every notebook ends with its bibliography: a "References" cell whose every entry links to the
// work (arXiv or DOI where the paper has one, else the proceedings, journal or author's page), and
// whose arXiv and DOI identifiers are well formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const notebookDir = join(__dirname, '..', 'notebooks');
const notebooks = readdirSync(notebookDir).filter((name) => /^\d\d-.*\.ipynb$/.test(name)).sort();

interface Cell {
  cell_type: string;
  source: string[] | string;
}
const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

for (const name of notebooks) {
  test(`${name}: ends with a References cell, every entry linked`, () => {
    const cells = (JSON.parse(readFileSync(join(notebookDir, name), 'utf8')) as { cells: Cell[] }).cells;
    const last = cells[cells.length - 1];
    assert.equal(last.cell_type, 'markdown');
    const body = text(last);
    assert.match(body, /^## References\n/, 'the last cell is the bibliography');
    const entries = body.split('\n').filter((line) => line.startsWith('- '));
    assert.ok(entries.length >= 1, 'at least one work cited');
    for (const entry of entries) {
      const links = [...entry.matchAll(/\]\((https:\/\/[^)\s]+(?:\([^)\s]*\)[^)\s]*)?)\)/g)].map((m) => m[1]);
      assert.ok(links.length >= 1, `no https link in: ${entry}`);
      for (const link of links) {
        if (link.includes('arxiv.org')) assert.match(link, /^https:\/\/arxiv\.org\/abs\/\d{4}\.\d{4,5}$/, entry);
        if (link.includes('doi.org')) assert.match(link, /^https:\/\/doi\.org\/10\.\d{4,9}\/\S+$/, entry);
      }
    }
  });
}
