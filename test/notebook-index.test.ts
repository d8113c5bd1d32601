// The exported index page's data, scripts/notebook-export/index.json: every notebook is placed in
// the suggested reading order once and has a one-line summary, and it names no notebook that does
// not exist. A notebook added without an entry fails here (and still appears on the page, by its
// title, under "Not yet placed").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '..');
const notebooks = readdirSync(path.join(root, 'notebooks'))
  .filter((name) => /^\d\d-.*\.ipynb$/.test(name))
  .map((name) => name.replace(/\.ipynb$/, ''))
  .sort();

interface IndexEntry { href: string; title: string; summary?: string; file?: string }
interface IndexSection { title: string; intro?: string; entries: IndexEntry[] }
interface IndexData {
  sections: Array<{ title: string; intro?: string; notebooks: string[] }>;
  summaries: Record<string, string>;
  extraPages: Array<{ href: string; title: string; summary: string; section: string }>;
}
interface IndexModule {
  readIndexData(): IndexData;
  indexSections(data: IndexData, exported: Map<string, string>, extraExists?: (href: string) => boolean): IndexSection[];
  indexPage(sections: IndexSection[], options: { date: string; quick: boolean }): string;
}

const indexModule = import(pathToFileURL(path.join(root, 'scripts', 'notebook-export', 'index-page.mjs')).href) as Promise<IndexModule>;

test('every notebook is placed once in the reading order, with a one-line summary', async () => {
  const { readIndexData } = await indexModule;
  const data = readIndexData();
  const placed = data.sections.flatMap((section) => section.notebooks);
  const fix = 'add it to a section of scripts/notebook-export/index.json and give it a summary there';
  assert.deepEqual(notebooks.filter((name) => !placed.includes(name)), [], `notebooks not in the reading order: ${fix}`);
  assert.deepEqual(placed.filter((name, i) => placed.indexOf(name) !== i), [], 'notebooks placed twice');
  assert.deepEqual(notebooks.filter((name) => !(typeof data.summaries[name] === 'string' && data.summaries[name].trim() !== '')), [], `notebooks without a summary: ${fix}`);
  assert.deepEqual(Object.values(data.summaries).filter((line) => /\n/.test(line)), [], 'a summary is one line');
});

test('index.json names only notebooks that exist', async () => {
  const { readIndexData } = await indexModule;
  const data = readIndexData();
  const named = [...data.sections.flatMap((section) => section.notebooks), ...Object.keys(data.summaries)];
  assert.deepEqual([...new Set(named.filter((name) => !notebooks.includes(name)))], [], 'entries for notebooks that are not in notebooks/: rename or remove them');
  const titles = data.sections.map((section) => section.title);
  assert.deepEqual(data.extraPages.filter((page) => !titles.includes(page.section)).map((page) => page.href), [], 'extra pages whose section does not exist');
});

test('the page: reading order numbered across sections, an unplaced notebook listed by its title, extra pages only when exported', async () => {
  const { indexPage, indexSections, readIndexData } = await indexModule;
  const data = readIndexData();
  const [first, second] = [data.sections[0].notebooks[0], data.sections[1].notebooks[0]];
  const exported = new Map([[first, 'First <title>'], [second, 'Second'], ['99-not-in-the-data', 'A new notebook']]);
  const sections = indexSections(data, exported, () => false);
  assert.deepEqual(sections.map((section) => section.title), [data.sections[0].title, data.sections[1].title, 'Not yet placed']);
  assert.deepEqual(sections[2].entries, [{ href: '99-not-in-the-data.html', title: 'A new notebook', summary: undefined, file: '99-not-in-the-data.ipynb' }]);
  const page = indexPage(sections, { date: '2026-01-01', quick: false });
  assert.deepEqual([...page.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]), [`${first}.html`, `${second}.html`, '99-not-in-the-data.html']);
  assert.deepEqual([...page.matchAll(/<ol start="(\d+)">/g)].map((m) => Number(m[1])), [1, 2, 3]);
  assert.ok(page.includes('First &lt;title&gt;'), 'titles are escaped');
  assert.ok(page.includes(data.summaries[first]));
  for (const extra of data.extraPages) {
    assert.ok(!page.includes(`href="${extra.href}"`));
    const withExtra = indexPage(indexSections(data, exported, (href) => href === extra.href), { date: '2026-01-01', quick: false });
    assert.ok(withExtra.includes(`href="${extra.href}"`), `${extra.href} listed once it is exported`);
  }
});
