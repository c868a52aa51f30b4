/**
 * Storage tables ⇄ GFM tables. GFM holds one line of inline content per cell, one header row and a per-column
 * alignment; what Confluence adds around that (data-layout, column widths, <p> inside every cell, a table without
 * a header row) rides in the attrs comment before the table. Anything richer (merged cells, lists in cells, row
 * headers) has no GFM form and becomes an HTML table around Markdown cells (scaffoldTable).
 */
import type { AlignType, Html, PhrasingContent, RootContent, Table, TableCell, TableRow } from 'mdast';
import type { XmlElement, XmlNode } from '../xml/nodes.js';
import { isWhitespaceText } from '../xml/nodes.js';
import { BLOCK } from '../xml/canonical.js';
import type { AttrEntry } from './syntax.js';
import type { ToMarkdownState } from './md-state.js';
import { elementChildren, elementEntries, withBlockAttrs } from './md-helpers.js';
import { breaksAsHtml, inlineFrom } from './to-markdown-inline.js';

const FLOW_BLOCKS = new Set(['p', 'ul', 'ol', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'hr', 'div', 'ac:task-list', 'ac:layout']);

const ALIGN = /^text-align: (left|center|right);$/;

function colgroupHint(cg: XmlElement): string | null {
  const cols = elementChildren(cg);
  if (!cols || cg.attrs.length) return null;
  const styles: string[] = [];
  for (const col of cols) {
    if (col.name !== 'col' || col.children.length) return null;
    if (col.attrs.length === 0) styles.push('');
    else if (col.attrs.length === 1 && col.attrs[0]?.name === 'style' && !col.attrs[0].value.includes('|') && col.attrs[0].value !== '') styles.push(col.attrs[0].value);
    else return null;
  }
  return styles.length ? styles.join('|') : null;
}

/** One line, and no backslash in code: GFM unescapes `\|` inside code spans in cells, remark does not escape it. */
function singleLine(kids: PhrasingContent[]): boolean {
  return kids.every((k) => {
    if (k.type === 'break') return false;
    if (k.type === 'inlineCode') return !/[\r\n\\]/.test(k.value);
    if (k.type === 'text') return !/[\r\n]/.test(k.value);
    return 'children' in k ? singleLine(k.children as PhrasingContent[]) : true;
  });
}

interface Cell {
  header: boolean;
  align: AlignType;
  content: PhrasingContent[];
  wrapped: boolean;
}

function isBlockOrEdge(n: XmlNode | undefined): boolean {
  return n === undefined || (n.type === 'element' && BLOCK.has(n.name));
}

function cellFrom(el: XmlElement, st: ToMarkdownState): Cell | null {
  let align: AlignType = null;
  for (const a of el.attrs) {
    const m = a.name === 'style' ? ALIGN.exec(a.value) : null;
    if (!m) return null;
    align = m[1] as AlignType;
  }
  const blocks = el.children.filter((c) => !(c.type === 'text' && /^[ \t\r\n]*$/.test(c.value)));
  const only = blocks[0];
  const wrapped = blocks.length === 1 && only?.type === 'element' && only.name === 'p' && only.attrs.length === 0;
  // Whitespace next to a block-level element (a macro) at the cell's edge never renders and canonical storage
  // drops it; keeping it would push the cell out of GFM, and the HTML form cannot hold it either.
  const kids = wrapped ? (only as XmlElement).children : el.children.filter((c, k, all) => !(isWhitespaceText(c) && isBlockOrEdge(all[k - 1]) && isBlockOrEdge(all[k + 1])));
  // Lists, paragraphs, headings… in a cell: the HTML table form (scaffoldTable) shows them as Markdown instead.
  if (kids.some((c) => c.type === 'element' && FLOW_BLOCKS.has(c.name))) return null;
  const raw = inlineFrom(kids, st);
  const content = raw && breaksAsHtml(raw);
  if (!content || !singleLine(content)) return null;
  // GFM trims spaces and tabs at the edges of a cell.
  const first = content[0];
  const last = content[content.length - 1];
  if ((first?.type === 'text' && /^[ \t]/.test(first.value)) || (last?.type === 'text' && /[ \t]$/.test(last.value))) return null;
  if (!wrapped && el.children.some((c) => c.type === 'element' && c.name === 'p')) return null;
  return { header: el.name === 'th', align, content, wrapped };
}

export function tableFrom(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  const kids = elementChildren(el);
  if (!kids) return null;
  const hints: AttrEntry[] = [];
  let i = 0;
  if (kids[0]?.name === 'colgroup') {
    const widths = colgroupHint(kids[0]);
    if (widths === null) return null;
    hints.push({ name: 'colgroup', value: widths, element: false });
    i = 1;
  }
  const tbody = kids[i];
  if (kids.length !== i + 1 || tbody?.name !== 'tbody' || tbody.attrs.length) return null;
  const trs = elementChildren(tbody);
  if (!trs || trs.length === 0) return null;
  const grid: Cell[][] = [];
  for (const tr of trs) {
    const tds = tr.name === 'tr' && tr.attrs.length === 0 ? elementChildren(tr) : null;
    if (!tds || tds.length === 0) return null;
    const row: Cell[] = [];
    for (const td of tds) {
      const cell = td.name === 'td' || td.name === 'th' ? cellFrom(td, st) : null;
      if (!cell) return null;
      row.push(cell);
    }
    grid.push(row);
  }
  const width = (grid[0] as Cell[]).length;
  const cells = grid.flat();
  if (grid.some((r) => r.length !== width)) return null;
  const wrapped = cells[0]?.wrapped ?? false;
  if (cells.some((c) => c.wrapped !== wrapped)) return null;
  const headless = !grid[0]?.some((c) => c.header);
  const headerOk = grid.every((r, n) => r.every((c) => c.header === (n === 0 && !headless)));
  if (!headerOk) return null;
  const align: AlignType[] = [];
  for (let c = 0; c < width; c++) {
    const a = grid[0]?.[c]?.align ?? null;
    if (grid.some((r) => r[c]?.align !== a)) return null;
    align.push(a);
  }
  if (wrapped) hints.push({ name: 'cells', value: 'p', element: false });
  if (headless) hints.push({ name: 'header', value: 'none', element: false });
  const rows: TableRow[] = grid.map((r) => ({
    type: 'tableRow',
    children: r.map((c): TableCell => ({ type: 'tableCell', children: c.content })),
  }));
  const table: Table = { type: 'table', align, children: rows };
  return withBlockAttrs([...elementEntries(el), ...hints], table);
}

const STRUCTURE = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'colgroup', 'col']);

/**
 * A table GFM cannot hold (cells with paragraphs or lists, a header column, merged cells) as an HTML table around
 * ordinary Markdown, the way GitHub renders it: the table's tags one to a line, a cell whose content is one line of
 * inline XHTML without `ac:`/`ri:` elements written whole on its line (`<td>plain <strong>text</strong></td>`), any
 * other cell as its start tag, a blank line, the cell's content as Markdown, a blank line and its end tag. The
 * lines between two Markdown cells form one HTML block (no blank line inside), which the reader splices back.
 */
export function scaffoldTable(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  const out: RootContent[] = [];
  let lines: string[] = [];
  const tag = (a: number, b: number): string | null => {
    const s = st.source.slice(a, b);
    return /[\r\n]/.test(s) ? null : s;
  };
  const walk = (n: XmlElement): boolean => {
    const open = tag(n.start, n.openEnd);
    if (open === null) return false;
    lines.push(open);
    if (n.end === n.openEnd) return true;
    if (n.name === 'td' || n.name === 'th') {
      const inner = st.source.slice(n.openEnd, n.closeStart);
      if (inner.includes('<table')) return false;
      const inline = n.children.every((c) => c.type === 'text' || (c.type === 'element' && !BLOCK.has(c.name)));
      if (inline && !/[\r\n]|<\/?(?:ac|ri):|<!--|-->/.test(inner)) {
        lines[lines.length - 1] += inner + st.source.slice(n.closeStart, n.end);
        return true;
      }
      out.push({ type: 'html', value: lines.join('\n') } satisfies Html);
      lines = [];
      const body = st.blocksFrom(n.children, st, false, n.name);
      if (body.length === 0) return false;
      out.push(...body);
    } else {
      for (const c of n.children) {
        const cell = c.type === 'element' && (c.name === 'td' || c.name === 'th');
        if (c.type === 'element' && ((STRUCTURE.has(c.name) && c.name !== 'table' && !cell) || (cell && n.name === 'tr'))) {
          if (!walk(c)) return false;
        } else if (!(c.type === 'text' && /^[ \t\r\n]*$/.test(c.value))) return false;
      }
    }
    const close = tag(n.closeStart, n.end);
    if (close === null) return false;
    lines.push(close);
    return true;
  };
  if (!walk(el)) return null;
  out.push({ type: 'html', value: lines.join('\n') } satisfies Html);
  return out;
}
