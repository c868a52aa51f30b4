/**
 * ADF tables → Markdown. A GFM table when every cell is one line of inline text and no cell spans others (the usual
 * case); otherwise the table is written row by row as a list, each cell under its column's header, so that lists,
 * code and several paragraphs inside cells stay readable.
 */
import { escapeText, gfmTable, prefixLines } from '../md-text.js';
import { inlineToMarkdown, type InlineOptions } from './inline.js';
import { isInline, num, plainText, readNode, type AdfNode } from './node.js';

type Blocks = (content: readonly unknown[], ctx: InlineOptions) => string;

interface Cell {
  header: boolean;
  content: unknown[];
  span: number;
  rowspan: number;
}

export function tableToMarkdown(table: AdfNode, ctx: InlineOptions, blocks: Blocks): string {
  const rows: Cell[][] = [];
  const stray: unknown[] = [];
  for (const raw of table.content) {
    const row = readNode(raw);
    if (row.type !== 'tableRow') {
      if (row.type === 'tableCell' || row.type === 'tableHeader') rows.push([cell(row)]);
      else stray.push(raw);
      continue;
    }
    rows.push(row.content.filter((c) => c != null).map((c) => cell(readNode(c))));
  }
  const outside = stray.length ? blocks(stray, ctx) : '';
  if (!rows.length) return outside;
  const simple = rows.every((r) => r.every((c) => c.span === 1 && c.rowspan === 1 && isSimple(c.content)));
  const width = Math.max(...rows.map((r) => r.length));
  const headerRow = rows[0]!.every((c) => c.header);
  const text = simple && width > 0 ? gfm(rows, headerRow, width, ctx) : byRows(rows, headerRow, ctx, blocks);
  return [text, outside].filter(Boolean).join('\n\n');
}

function cell(n: AdfNode): Cell {
  const content = n.type === 'tableCell' || n.type === 'tableHeader' ? n.content : [rawish(n)];
  return {
    header: n.type === 'tableHeader',
    content,
    span: Math.max(1, Math.trunc(num(n.attrs, 'colspan', 1))),
    rowspan: Math.max(1, Math.trunc(num(n.attrs, 'rowspan', 1))),
  };
}

function rawish(n: AdfNode): Record<string, unknown> {
  return { type: n.type, attrs: n.attrs, content: n.content, ...(n.text !== undefined ? { text: n.text } : {}), marks: n.marks };
}

/** A cell that fits on one GFM line: nothing, inline nodes, or one paragraph of them. */
function isSimple(content: readonly unknown[]): boolean {
  const nodes = content.map(readNode);
  if (nodes.every(isInline)) return true;
  return nodes.length === 1 && nodes[0]!.type === 'paragraph' && nodes[0]!.content.every((c) => isInline(readNode(c)));
}

function inlineOf(content: readonly unknown[]): unknown[] {
  const nodes = content.map(readNode);
  return nodes.length === 1 && nodes[0]!.type === 'paragraph' ? nodes[0]!.content : [...content];
}

function gfm(rows: Cell[][], headerRow: boolean, width: number, ctx: InlineOptions): string {
  const cellCtx = { ...ctx, inTable: true };
  const md = rows.map((r) => r.map((c) => inlineToMarkdown(inlineOf(c.content), cellCtx).trim()));
  return gfmTable(headerRow ? md : [Array.from({ length: width }, () => ''), ...md]);
}

function byRows(rows: Cell[][], headerRow: boolean, ctx: InlineOptions, blocks: Blocks): string {
  const names = headerRow ? rows[0]!.map((c) => escapeText(plainText({ content: c.content }).replace(/\s+/g, ' ').trim())) : [];
  const body = headerRow ? rows.slice(1) : rows;
  const out: string[] = [];
  if (headerRow && !body.length) out.push(names.map((n) => `**${n}**`).join(' · '));
  body.forEach((row, i) => {
    const cells: string[] = [];
    let col = 0;
    for (const c of row) {
      const name = names[col] ? `**${names[col]}**` : `**${escapeText(`Column ${col + 1}`)}**`;
      const spans = [c.span > 1 ? `${c.span} columns` : '', c.rowspan > 1 ? `${c.rowspan} rows` : ''].filter(Boolean).join(', ');
      const label = `${c.header ? `${name} (header)` : name}${spans ? ` (spans ${spans})` : ''}:`;
      const text = blocks(c.content, ctx);
      cells.push(prefixLines(!text ? label : text.includes('\n') ? `${label}\n\n${text}` : `${label} ${text}`, '- ', '  '));
      col += c.span;
    }
    out.push(`${escapeText(`Row ${i + 1}`)}\n\n${cells.join('\n')}`);
  });
  return `*Table, written row by row:*\n\n${out.join('\n\n')}`;
}
