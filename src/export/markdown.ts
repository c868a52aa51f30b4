/**
 * Storage → readable Markdown for an export. The project's converter (src/format) is built for lossless round
 * trips, so it keeps what Markdown cannot say as HTML comments (`<!-- attrs: … -->`) and storage snippets; an
 * export is read, not pushed back, so those become their plain text here. The result is also the mdast tree that
 * the HTML and PDF renderers walk: one converter for every format.
 */
import type { Root, RootContent, PhrasingContent, Parent, Table, TableCell, TableRow } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { markdownFormat } from '../format/markdown/index.js';
import type { LinkResolver } from '../format/types.js';

const parser = unified().use(remarkParse).use(remarkGfm);
/**
 * An expand (the converter's `<details>` form) in the export's tree: its title and body. The HTML renderer draws a
 * `<details>`, the PDF a bold title line over the body; the Markdown printer writes the title in bold, then the body.
 */
export interface Details extends Parent {
  type: 'details';
  title: string;
  children: RootContent[];
}

/**
 * A table read from the converter's HTML-table form (cells holding paragraphs or lists) is an mdast `table` whose
 * cells may hold blocks; `data` says which cells are header cells and their spans (the first row is not assumed
 * to be the header).
 */
export interface CellData {
  header?: boolean;
  colspan?: number;
  rowspan?: number;
}

declare module 'mdast' {
  interface RootContentMap {
    details: Details;
  }
  interface BlockContentMap {
    details: Details;
  }
  interface TableData {
    /** From an HTML table: header cells are marked on the cells, not by row. */
    html?: boolean;
  }
  interface TableCellData {
    header?: boolean;
    colspan?: number;
    rowspan?: number;
  }
}

const printer = unified().use(remarkStringify, { bullet: '-', fences: true, rule: '-' }).use(remarkGfm);

export interface PageDoc {
  tree: Root;
  warnings: string[];
}

export function pageDoc(storage: string, spaceKey: string, title: string, resolver: LinkResolver): PageDoc {
  const converted = markdownFormat.toLocal(storage, { spaceKey, title, resolver });
  const tree = parser.parse(converted.text);
  clean(tree, inlineReader(spaceKey, title, resolver, converted.text));
  return { tree, warnings: converted.warnings };
}

/**
 * The page as readable Markdown text. Most pages convert without anything kept for the round trip: their text is
 * used as is (parsing and printing it again would cost more than the conversion itself).
 */
export function pageMarkdown(storage: string, spaceKey: string, title: string, resolver: LinkResolver): string {
  const converted = markdownFormat.toLocal(storage, { spaceKey, title, resolver });
  if (!/<!--|storage:|```confluence-storage|<[A-Za-z]|\]\((?:<)?(?:status|emoji|emoticon|user|date|anchor|page):|\)\{|^\[TOC\]/m.test(converted.text)) return converted.text;
  const tree = parser.parse(converted.text);
  clean(tree, inlineReader(spaceKey, title, resolver, converted.text));
  return toMarkdown(tree);
}

/** Markdown text → the mdast the renderers walk (Jira issues are built as Markdown text first). */
export function parseMarkdown(text: string): Root {
  return parser.parse(text);
}

/**
 * Jira issue macros become links before conversion (the converter keeps no trace of them in an export): to the
 * exported issue when `target` knows it, else to the issue in Jira, else the bare key as text.
 */
export function jiraMacrosToLinks(storage: string, target: (key: string) => string | undefined, browse: ((key: string) => string) | undefined): string {
  if (!storage.includes('ac:name="jira"')) return storage;
  return storage.replace(/<ac:structured-macro\b[^>]*ac:name="jira"[^>]*>([\s\S]*?)<\/ac:structured-macro>/g, (whole, inner: string) => {
    const key = /<ac:parameter ac:name="key">\s*([A-Za-z][A-Za-z0-9_]*-\d+)\s*<\/ac:parameter>/.exec(inner)?.[1]?.toUpperCase();
    if (!key) return whole;
    const href = target(key) ?? browse?.(key);
    const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    return href ? `<a href="${attr(href)}">${key}</a>` : key;
  });
}

export function toMarkdown(tree: Root): string {
  // remark escapes the alert marker's bracket; GitHub-style alerts need it bare.
  return printer.stringify(forMarkdown(tree)).replace(/^((?:> ?)+)\\\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]/gm, '$1[!$2]');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', mdash: '—', ndash: '–' };

/** The readable text of a storage snippet: link bodies, macro titles and text, no markup. */
export function storageText(xml: string): string {
  return xml
    .replace(/<ac:parameter ac:name="(?!title)[^"]*">[\s\S]*?<\/ac:parameter>/g, ' ')
    .replace(/<ac:link>\s*<ri:page ri:content-title="([^"]*)"[^>]*\/>\s*<\/ac:link>/g, ' $1 ')
    .replace(/<ri:user [^>]*\/>/g, ' @user ')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/<ac:task-status>[^<]*<\/ac:task-status>|<ac:task-id>[^<]*<\/ac:task-id>/g, ' ')
    .replace(/<\/(p|li|tr|h\d|ac:task)>/g, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e.startsWith('#')) {
        const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** Link schemes of the converter's readable forms (docs/markdown.md, "Readable forms"): round-trip syntax, not links. */
const FORM_SCHEME = /^(status|emoji|emoticon|user|date|anchor|page):(.*)$/s;

/**
 * A readable form as what a reader should see: a status or emoji its text, a date its day, a mention `@id`, an
 * anchor nothing, a page outside the export its title. Undefined: not a form.
 */
function formText(link: PhrasingContent): string | undefined {
  if (link.type !== 'link') return undefined;
  const m = FORM_SCHEME.exec(link.url);
  if (!m) return undefined;
  const label = link.children.map((c) => ('value' in c ? c.value : '')).join('');
  const autolink = label === link.url;
  switch (m[1]) {
    case 'anchor':
      return '';
    case 'date':
      return autolink ? m[2]! : label;
    case 'user':
      return autolink ? `@${m[2]!}` : label;
    case 'page':
      return autolink ? m[2]!.slice(m[2]!.indexOf('/') + 1) : label;
    default:
      return label;
  }
}

/** Reads one cell's inline XHTML (the converter writes a one-line cell whole) as phrasing, through the converter. */
type InlineReader = (xhtml: string) => RootContent[];

function inlineReader(spaceKey: string, title: string, resolver: LinkResolver, markdown: string): InlineReader {
  const read = (xhtml: string) => parser.parse(markdownFormat.toLocal(xhtml, { spaceKey, title, resolver }).text).children;
  // The one-line cells of every HTML table on the page are read in one conversion (one each costs ~1 ms): when it
  // gives one paragraph per cell, those are the cells' content; otherwise each cell is read on its own.
  const known = new Map<string, RootContent[]>();
  if (markdown.includes('<table')) {
    const cells = [...new Set([...markdown.matchAll(/^<(td|th)\b[^>\n]*>(.+)<\/\1>$/gm)].map((m) => m[2]!.trim()).filter(Boolean))];
    if (cells.length > 1) {
      const paragraphs = read(cells.map((c) => `<p>${c}</p>`).join(''));
      if (paragraphs.length === cells.length && paragraphs.every((p) => p.type === 'paragraph')) cells.forEach((c, i) => known.set(c, [paragraphs[i]!]));
    }
  }
  return (xhtml) => known.get(xhtml) ?? read(`<p>${xhtml}</p>`);
}

const BR = /^<br\s*\/?>$/i;

function clean(node: Parent, inline: InlineReader): void {
  const out: RootContent[] = [];
  const children = node.children as RootContent[];
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    // The converter's readable forms of rich tables and expands (docs/markdown.md): real structure, not text.
    if (child.type === 'html') {
      const form = child.value.trimStart().startsWith('<table') ? readTable(children, i, inline) : readDetails(children, i, inline);
      if (form) {
        out.push(form.node);
        i = form.end;
        continue;
      }
      // `<br>` in a cell (Jira tables, GFM cells): a line break.
      if (BR.test(child.value.trim())) {
        out.push({ type: 'break' } as RootContent);
        continue;
      }
    }
    // `[TOC]{…}`: the table of contents macro; an export has its own.
    if (child.type === 'paragraph' && child.children.length === 1 && child.children[0]!.type === 'text' && /^\[TOC\](\{[^}]*\})?$/.test(child.children[0]!.value)) continue;
    const form = formText(child as PhrasingContent);
    if (form !== undefined) {
      if (form) out.push({ type: 'text', value: form } as RootContent);
      continue;
    }
    // An image's attribute braces (`![a](x.png){width=300}`) follow it as text: drop them.
    const prev = out[out.length - 1];
    if (child.type === 'text' && prev?.type === 'image' && child.value.startsWith('{')) {
      const end = child.value.indexOf('}');
      if (end > 0) {
        const rest = child.value.slice(end + 1);
        if (rest) out.push({ ...child, value: rest });
        continue;
      }
    }
    if (child.type === 'html') {
      const v = child.value.trim();
      if (v.startsWith('<!--')) {
        const storage = /^<!--\s*storage:\s*([\s\S]*?)-->$/.exec(v);
        const text = storage ? storageText(storage[1]!) : '';
        if (text) out.push(textNode(node, text));
        else {
          const prev = out[out.length - 1];
          if (prev?.type === 'text') prev.value = prev.value.trimEnd();
        }
        continue;
      }
      out.push(textNode(node, storageText(v)));
      continue;
    }
    if (child.type === 'inlineCode' && child.value.startsWith('storage:')) {
      const text = storageText(child.value.slice('storage:'.length));
      if (text) out.push({ type: 'text', value: text });
      continue;
    }
    if (child.type === 'code' && child.lang === 'confluence-storage') {
      for (const para of storageText(child.value).split(/\n+/).filter(Boolean)) out.push({ type: 'paragraph', children: [{ type: 'text', value: para }] });
      continue;
    }
    if ('children' in child) clean(child as Parent, inline);
    out.push(child);
  }
  node.children = out as typeof node.children;
}

function textNode(parent: Parent, value: string): RootContent {
  const phrasing = ['paragraph', 'heading', 'emphasis', 'strong', 'delete', 'link', 'tableCell', 'linkReference'];
  const t: PhrasingContent = { type: 'text', value };
  return (phrasing.includes(parent.type) ? t : { type: 'paragraph', children: [t] }) as RootContent;
}

const DETAILS_OPEN = /^<details>\s*(?:<summary>([^<>]*)<\/summary>)?$/;
const DETAILS_CLOSE = /^<\/details>$/;

/** `<details><summary>T</summary>` … `</details>` from siblings[start]: the expand as a `details` node, or undefined. */
function readDetails(siblings: RootContent[], start: number, inline: InlineReader): { node: RootContent; end: number } | undefined {
  const open = DETAILS_OPEN.exec((siblings[start] as { value: string }).value.trim());
  if (!open) return undefined;
  let depth = 1;
  for (let j = start + 1; j < siblings.length; j++) {
    const s = siblings[j]!;
    if (s.type !== 'html') continue;
    const v = s.value.trim();
    if (DETAILS_OPEN.test(v)) depth++;
    else if (DETAILS_CLOSE.test(v) && --depth === 0) {
      const body: Parent = { type: 'root', children: siblings.slice(start + 1, j) } as Root;
      clean(body, inline);
      return { node: { type: 'details', title: decodeEntities(open[1]?.trim() ?? ''), children: body.children } as RootContent, end: j };
    }
  }
  return undefined;
}

interface CellBuild {
  header: boolean;
  colspan: number;
  rowspan: number;
  raw: string;
  blocks: RootContent[];
}
interface TableBuild {
  rows: CellBuild[][];
  row?: CellBuild[] | undefined;
  cell?: CellBuild | undefined;
}

const TABLE_TAG = /<(\/?)(table|thead|tbody|tfoot|tr|th|td|colgroup|col|caption)\b([^>]*)>/gi;
const STRUCTURE = /^<\/?(table|thead|tbody|tfoot|tr|th|td|colgroup|col)\b/i;

/**
 * The converter's HTML-table form from siblings[start] (`<table>` … `</table>` as HTML blocks, Markdown cells as
 * the blocks between them) as one mdast `table` whose cells may hold blocks. Undefined when it does not close or
 * holds something else (it then reads as text, as before).
 */
function readTable(siblings: RootContent[], start: number, inline: InlineReader): { node: RootContent; end: number } | undefined {
  const stack: TableBuild[] = [];
  const finish = (t: TableBuild): Table => {
    const rows: TableRow[] = t.rows.map((r) => ({
      type: 'tableRow',
      children: r.map((c): TableCell => {
        const blocks: RootContent[] = [...c.blocks];
        if (c.raw.trim()) blocks.push(...inline(c.raw.trim()));
        const body: Parent = { type: 'root', children: blocks } as Root;
        clean(body, inline);
        const phrasing = body.children.length === 1 && body.children[0]!.type === 'paragraph' ? (body.children[0] as Parent).children : body.children.length === 0 ? [] : undefined;
        const data: CellData = { header: c.header };
        if (c.colspan > 1) data.colspan = c.colspan;
        if (c.rowspan > 1) data.rowspan = c.rowspan;
        return { type: 'tableCell', children: (phrasing ?? body.children) as PhrasingContent[], data };
      }),
    }));
    return { type: 'table', align: [], children: rows, data: { html: true } };
  };
  for (let j = start; j < siblings.length; j++) {
    const s = siblings[j]!;
    const top = stack[stack.length - 1];
    if (s.type !== 'html' || (top?.cell && !STRUCTURE.test(s.value.trimStart()))) {
      if (!top?.cell) return undefined;
      top.cell.blocks.push(s);
      continue;
    }
    if (!STRUCTURE.test(s.value.trimStart())) return undefined;
    const v = s.value;
    let at = 0;
    for (const m of v.matchAll(TABLE_TAG)) {
      const cur = stack[stack.length - 1];
      const between = v.slice(at, m.index);
      at = m.index + m[0].length;
      if (cur?.cell) cur.cell.raw += between;
      else if (between.trim()) return undefined;
      const [, close, tagName, attrs] = m;
      const tag = tagName!.toLowerCase();
      if (cur?.cell && tag !== 'table' && !(close && (tag === 'td' || tag === 'th'))) return undefined;
      if (tag === 'table') {
        if (!close) {
          if (cur?.cell?.raw.trim()) return undefined;
          stack.push({ rows: [] });
          continue;
        }
        if (!cur || cur.cell) return undefined;
        stack.pop();
        const table = finish(cur);
        const parent = stack[stack.length - 1];
        if (!parent) {
          if (v.slice(at).trim()) return undefined;
          return { node: table as RootContent, end: j };
        }
        if (!parent.cell) return undefined;
        parent.cell.blocks.push(table as RootContent);
        continue;
      }
      if (!cur) return undefined;
      if (tag === 'tr') {
        if (close) cur.row = undefined;
        else cur.rows.push((cur.row = []));
      } else if (tag === 'td' || tag === 'th') {
        if (close) cur.cell = undefined;
        else {
          if (!cur.row) return undefined;
          const span = (name: string) => Math.max(1, Math.min(1000, Number(new RegExp(`\\b${name}="(\\d+)"`).exec(attrs ?? '')?.[1] ?? 1)));
          cur.cell = { header: tag === 'th', colspan: span('colspan'), rowspan: span('rowspan'), raw: '', blocks: [] };
          cur.row.push(cur.cell);
        }
      }
      // thead, tbody, tfoot, colgroup, col, caption: structure only.
    }
    const cur = stack[stack.length - 1];
    if (cur?.cell) cur.cell.raw += v.slice(at);
    else if (v.slice(at).trim()) return undefined;
  }
  return undefined;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
    if (e.startsWith('#')) {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

const BLOCK_TYPES = new Set(['paragraph', 'heading', 'list', 'blockquote', 'code', 'table', 'thematicBreak', 'details', 'html', 'definition']);

/** Whether a table cell holds blocks (read from an HTML table) rather than phrasing. */
export function cellHasBlocks(cell: TableCell): boolean {
  return cell.children.some((c) => BLOCK_TYPES.has(c.type));
}

/**
 * The tree as GFM can print it (a copy): an expand is its title in bold, then its body; a cell's blocks are joined
 * on one line with `<br>` (list items as `• `), a line break in a cell is `<br>`.
 */
function forMarkdown(tree: Root): Root {
  const br = (): PhrasingContent => ({ type: 'html', value: '<br>' });
  const flatten = (nodes: readonly RootContent[], prefix = ''): PhrasingContent[][] =>
    nodes.flatMap((n): PhrasingContent[][] => {
      switch (n.type) {
        case 'paragraph':
        case 'heading':
          return [[...(prefix ? [{ type: 'text', value: prefix } as PhrasingContent] : []), ...n.children]];
        case 'list':
          return n.children.flatMap((li, k) => flatten(li.children, `${prefix}${n.ordered ? `${(n.start ?? 1) + k}. ` : '• '}`));
        case 'code':
          return n.value.split('\n').map((line) => [{ type: 'inlineCode', value: line } as PhrasingContent]);
        case 'details':
          return [[{ type: 'strong', children: [{ type: 'text', value: n.title }] }], ...flatten(n.children, prefix)];
        case 'table':
          return n.children.map((r) => [{ type: 'text', value: prefix + r.children.map((c) => cellText(c)).join(' | ') } as PhrasingContent]);
        case 'thematicBreak':
          return [];
        default:
          return 'children' in n ? flatten(n.children as RootContent[], prefix) : 'value' in n ? [[{ type: 'text', value: String(n.value) }]] : [];
      }
    });
  const cellText = (c: TableCell): string => flatten(c.children as RootContent[]).map((line) => line.map((p) => ('value' in p ? p.value : '')).join('')).join(' ');
  const phrasing = (nodes: readonly PhrasingContent[]): PhrasingContent[] =>
    nodes.map((p) => (p.type === 'break' ? br() : 'children' in p ? ({ ...p, children: phrasing(p.children as PhrasingContent[]) } as PhrasingContent) : p));
  const walk = (nodes: readonly RootContent[]): RootContent[] =>
    nodes.flatMap((n): RootContent[] => {
      if (n.type === 'details') {
        const title: RootContent[] = n.title ? [{ type: 'paragraph', children: [{ type: 'strong', children: [{ type: 'text', value: n.title }] }] }] : [];
        return [...title, ...walk(n.children)];
      }
      if (n.type === 'table') {
        const rows = n.children.map((r) => ({
          ...r,
          children: r.children.map((c) => {
            const lines = cellHasBlocks(c) ? flatten(c.children as RootContent[]) : [c.children];
            return { ...c, children: phrasing(lines.flatMap((l, k) => (k ? [br(), ...l] : l))) };
          }),
        }));
        return [{ ...n, children: rows }];
      }
      return ['children' in n ? ({ ...n, children: walk(n.children as RootContent[]) } as RootContent) : n];
    });
  return { ...tree, children: walk(tree.children) };
}

