// The index page of the exported notebooks (outputs/html/index.html): the notebooks in the suggested
// reading order of index.json, in sections, each with its one-line summary. A notebook that
// index.json does not place still appears, by its title, under "Not yet placed" (and
// test/notebook-index.test.ts fails until it is placed); only pages that were exported are linked.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const INDEX_DATA_FILE = path.join(here, 'index.json');
const PAGE_TEMPLATE_FILE = path.join(here, 'index.template.html');

export const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** index.json, checked for the shape the page needs (a clear error naming the file otherwise). */
export function readIndexData(file = INDEX_DATA_FILE) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const where = path.relative(process.cwd(), file);
  if (!Array.isArray(data.sections) || typeof data.summaries !== 'object' || data.summaries === null) {
    throw new Error(`${where}: needs "sections" (a list of { title, intro, notebooks }) and "summaries" (notebook name -> one line)`);
  }
  for (const section of data.sections) {
    if (typeof section.title !== 'string' || !Array.isArray(section.notebooks)) throw new Error(`${where}: every section needs a "title" and a list "notebooks"`);
  }
  return { sections: data.sections, summaries: data.summaries, extraPages: data.extraPages ?? [] };
}

/**
 * The page's sections: each of index.json's with the notebooks of `exported` it places, in its
 * order, then "Not yet placed" with the exported notebooks it does not. `exported` maps a notebook
 * name (file name without .ipynb) to its title; `extraPages` that exist are added to their section.
 */
export function indexSections(data, exported, extraExists = () => false) {
  const placed = new Set(data.sections.flatMap((section) => section.notebooks));
  const entry = (name) => ({ href: `${name}.html`, title: exported.get(name), summary: data.summaries[name], file: `${name}.ipynb` });
  const sections = data.sections.map((section) => ({
    title: section.title,
    intro: section.intro,
    entries: [
      ...section.notebooks.filter((name) => exported.has(name)).map(entry),
      ...data.extraPages.filter((page) => page.section === section.title && extraExists(page.href)).map((page) => ({ ...page, file: undefined })),
    ],
  }));
  const unplaced = [...exported.keys()].filter((name) => !placed.has(name)).sort();
  if (unplaced.length > 0) sections.push({ title: 'Not yet placed', intro: 'Notebooks that scripts/notebook-export/index.json does not list yet.', entries: unplaced.map(entry) });
  return sections.filter((section) => section.entries.length > 0);
}

/** The whole page, from index.template.html. */
export function indexPage(sections, { date, quick }) {
  let position = 1; // one numbering across the sections: the reading order
  const body = sections
    .map((section) => {
      const start = position;
      position += section.entries.length;
      const items = section.entries.map(
        (e) =>
          `      <li><a href="${encodeURI(e.href)}">${escapeHtml(e.title)}</a>${e.file ? ` <span class="file">${escapeHtml(e.file)}</span>` : ''}` +
          `${e.summary ? `<br><span class="summary">${escapeHtml(e.summary)}</span>` : ''}</li>`,
      );
      return `  <h2>${escapeHtml(section.title)}</h2>\n${section.intro ? `  <p class="intro">${escapeHtml(section.intro)}</p>\n` : ''}  <ol start="${start}">\n${items.join('\n')}\n  </ol>`;
    })
    .join('\n');
  const executed = `Executed ${escapeHtml(date)}${quick ? ' in quick mode (FUN_OPTIM_QUICK=1: the committed runs, small experiments)' : ''}.`;
  return readFileSync(PAGE_TEMPLATE_FILE, 'utf8').replace('{{executed}}', executed).replace('{{sections}}', body);
}

