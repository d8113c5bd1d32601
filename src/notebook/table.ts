// Shows a table as HTML: a danfo DataFrame (danfo prints only ASCII tables in Node) or plain rows.
import { display } from './display';
import { formatColumn } from './format';

/** What showTable reads from a danfo DataFrame (or anything with the same two properties). */
export interface TableLike {
  columns: string[];
  values: unknown[];
}

export type TableRow = Record<string, unknown>;

export interface TableOptions {
  caption?: string;
  /** Significant digits for numbers (default 4). */
  digits?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}

function isTableLike(table: unknown): table is TableLike {
  return typeof table === 'object' && table !== null && Array.isArray((table as TableLike).columns) && Array.isArray((table as TableLike).values);
}

function columnsAndRows(table: TableLike | TableRow[]): { columns: string[]; rows: unknown[][] } {
  if (isTableLike(table)) {
    // A Series (or one-column frame) has flat values: one cell per row.
    return { columns: table.columns, rows: table.values.map((row) => (Array.isArray(row) ? row : [row])) };
  }
  if (Array.isArray(table)) {
    const columns = [...new Set(table.flatMap((row) => Object.keys(row)))];
    return { columns, rows: table.map((row) => columns.map((column) => row[column])) };
  }
  throw new Error('showTable expects a danfo DataFrame or an array of row objects.');
}

function cellHtml(value: unknown, formatted: string | undefined): string {
  if (typeof value === 'number') return `<td style="text-align:right">${formatted}</td>`;
  if (value === undefined || value === null) return '<td></td>';
  return `<td style="text-align:left">${escapeHtml(String(value))}</td>`;
}

/** Each column's numbers, formatted together (formatColumn); undefined where a cell is no number. */
function formattedColumns(rows: unknown[][], columnCount: number, digits: number): Array<Array<string | undefined>> {
  const formatted = rows.map(() => new Array<string | undefined>(columnCount));
  for (let column = 0; column < columnCount; column++) {
    const numbered = rows.map((row, index) => ({ index, value: row[column] })).filter((cell) => typeof cell.value === 'number');
    const texts = formatColumn(numbered.map((cell) => cell.value as number), digits);
    numbered.forEach((cell, i) => { formatted[cell.index][column] = texts[i]; });
  }
  return formatted;
}

export function tableHtml(table: TableLike | TableRow[], options: TableOptions = {}): string {
  const { columns, rows } = columnsAndRows(table);
  const digits = options.digits ?? 4;
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  const head = columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const formatted = formattedColumns(rows, columns.length, digits);
  const body = rows.map((row, r) => `<tr>${row.map((value, c) => cellHtml(value, formatted[r][c])).join('')}</tr>`).join('\n');
  return `<table class="fwo-table">${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function showTable(table: TableLike | TableRow[], options: TableOptions = {}): void {
  display('text/html', tableHtml(table, options));
}
