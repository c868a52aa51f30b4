/**
 * Markdown (mdast) → storage XHTML, block level. The forms from syntax.ts are read back here: verbatim fences and
 * raw-storage markers are spliced in byte for byte; attrs comments put back the attributes Confluence added.
 */
import type { Blockquote, Code, List, ListItem, Paragraph, PhrasingContent, RootContent, Table } from 'mdast';
import { cdata, escapeAttr, escapeText } from '../xml/serialize.js';
import { tryParseStorage } from '../xml/parse.js';
import type { AttrEntry } from './syntax.js';
import { ALERT_TO_MACRO, parseAttrList, parseAttrsComment, parseBraces, parseDetails, parseStorageMarker, TOC, VERBATIM_LANG } from './syntax.js';
import type { ToStorageState } from './state.js';
import { isBlockImage, phrasingToStorage } from './to-storage-inline.js';
import { htmlMacro, isRawMarkdown, markdownMacro, rawMarkdownMacro } from './to-storage-raw.js';

function elementAttrs(entries: readonly AttrEntry[], derived: Array<[string, string]> = []): string {
  const all = [...derived];
  for (const e of entries) {
    if (!e.element) continue;
    const at = all.findIndex(([k]) => k === e.name);
    if (at >= 0) all[at] = [e.name, e.value];
    else all.push([e.name, e.value]);
  }
  return all.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
}

function param(name: string, value: string): string {
  return `<ac:parameter ac:name="${escapeAttr(name)}">${escapeText(value)}</ac:parameter>`;
}

function hintParams(entries: readonly AttrEntry[]): string {
  return entries.filter((e) => !e.element).map((e) => param(e.name, e.value)).join('');
}

/**
 * Converts a sequence of blocks. `bare` is for tight list items and task bodies, whose paragraphs are not wrapped
 * in <p> (that is how storage tells a tight list from a loose one).
 */
export function blocksToStorage(nodes: readonly RootContent[], st: ToStorageState, bare = false): string {
  let out = '';
  let pending: AttrEntry[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as RootContent;
    if (node.type === 'html') {
      const table = pending.length ? undefined : tableScaffold(nodes, i, st);
      if (table) {
        out += table.xml;
        i = table.last;
        continue;
      }
      const raw = parseStorageMarker(node.value) ?? parseDetails(node.value);
      if (raw !== undefined) {
        out += raw;
        continue;
      }
      const entries = parseAttrsComment(node.value);
      if (entries) {
        pending = entries;
        continue;
      }
    }
    out += blockToStorage(node, pending, st, bare);
    pending = [];
  }
  return out;
}

const SCAFFOLD_LINE = /^<\/?(?:table|thead|tbody|tfoot|tr|td|th|colgroup|col)(?=[\s/>])[^\n]*>$/;
const CELL_OPEN = /^<t[dh](?:\s[^<>]*)?>$/;
const CELL_CLOSE = /^<\/t[dh]>/;

function scaffoldLines(node: RootContent | undefined): string[] | undefined {
  if (node?.type !== 'html') return undefined;
  const lines = node.value.split('\n');
  return lines.every((l) => SCAFFOLD_LINE.test(l)) ? lines : undefined;
}

/**
 * An HTML table around Markdown cells, as the writer lays it out (to-markdown-table.ts, scaffoldTable): HTML blocks
 * of table tags, one to a line, and between a cell's start and end tags the cell's content as Markdown. Spliced back
 * only if the whole table is well-formed storage; anything else is read as ordinary raw HTML.
 */
function tableScaffold(nodes: readonly RootContent[], i: number, st: ToStorageState): { xml: string; last: number } | undefined {
  let lines = scaffoldLines(nodes[i]);
  if (!lines?.[0]?.startsWith('<table')) return undefined;
  let xml = '';
  for (let j = i; lines; ) {
    xml += lines.join('');
    const end = lines[lines.length - 1] as string;
    if (end === '</table>') {
      const parsed = tryParseStorage(xml);
      const only = parsed.ok && parsed.fragment.children.length === 1 ? parsed.fragment.children[0] : undefined;
      return only?.type === 'element' && only.name === 'table' ? { xml, last: j } : undefined;
    }
    if (!CELL_OPEN.test(end) || end.endsWith('/>')) return undefined;
    let k = j + 1;
    while (k < nodes.length && !CELL_CLOSE.test(scaffoldLines(nodes[k])?.[0] ?? '')) k++;
    if (k >= nodes.length) return undefined;
    xml += blocksToStorage(nodes.slice(j + 1, k), st);
    j = k;
    lines = scaffoldLines(nodes[k]);
  }
  return undefined;
}

function blockToStorage(node: RootContent, entries: AttrEntry[], st: ToStorageState, bare: boolean): string {
  switch (node.type) {
    case 'paragraph': {
      const toc = entries.length ? undefined : tocMacro(node, st);
      if (toc !== undefined) return toc;
      // `p="none"`: inline content that sits directly in the body or a cell, with no <p> around it.
      const unwrapped = bare || entries.some((e) => !e.element && e.name === 'p' && e.value === 'none') || (isBlockImage(node.children) && !entries.some((e) => e.element));
      return unwrapped ? phrasingToStorage(node.children, st) : `<p${elementAttrs(entries)}>${phrasingToStorage(node.children, st)}</p>`;
    }
    case 'heading':
      return `<h${node.depth}${elementAttrs(entries)}>${phrasingToStorage(node.children, st)}</h${node.depth}>`;
    case 'thematicBreak':
      return `<hr${elementAttrs(entries)}/>`;
    case 'blockquote':
      return blockquoteToStorage(node, entries, st);
    case 'list':
      return listToStorage(node, entries, st);
    case 'code':
      return codeToStorage(node, entries);
    case 'table':
      return tableToStorage(node, entries, st);
    case 'html':
      return isRawMarkdown(node) ? markdownMacro(node.value) : htmlMacro(node.value);
    case 'definition':
      return '';
    default:
      return rawMarkdownMacro(node, st);
  }
}

/**
 * `[TOC]` or `[TOC]{maxLevel=3 …}` alone in a paragraph: the toc macro. As the writer builds it (`[TOC]` as raw
 * text) or as parsed from a file, where it must be written exactly so (an escaped `\\[TOC]` stays text).
 */
function tocMacro(node: Paragraph, st: ToStorageState): string | undefined {
  const [head, rest] = node.children;
  let text: string;
  if (head?.type === 'html' && head.value === TOC && (rest === undefined || rest.type === 'text') && node.children.length <= 2) {
    text = TOC + (rest?.value ?? '');
  } else if (head?.type === 'text' && node.children.length === 1 && head.value.startsWith(TOC)) {
    const start = head.position?.start.offset;
    if (start === undefined || !st.source.startsWith(TOC, start)) return undefined;
    text = head.value;
  } else return undefined;
  const after = text.slice(TOC.length);
  const braces = after === '' ? { entries: [], length: 0 } : parseBraces(after);
  if (!braces || braces.length !== after.length || braces.entries.some((e) => e.value === undefined)) return undefined;
  const params = braces.entries.map((e) => param(e.name, e.value as string)).join('');
  return params ? `<ac:structured-macro ac:name="toc">${params}</ac:structured-macro>` : '<ac:structured-macro ac:name="toc"/>';
}

/** Fence info → (language, parameters and attributes). `lang` is absent when the first word is an attribute. */
function parseInfo(node: Code): { lang: string | undefined; entries: AttrEntry[] } {
  const lang = node.lang ?? undefined;
  const meta = node.meta ?? '';
  if (lang !== undefined && lang.includes('=')) {
    return { lang: undefined, entries: parseAttrList(`${lang} ${meta}`) ?? [] };
  }
  return { lang, entries: parseAttrList(meta) ?? [] };
}

function codeToStorage(node: Code, blockEntries: AttrEntry[]): string {
  if (node.lang === VERBATIM_LANG) return node.value;
  const { lang, entries } = parseInfo(node);
  const all = [...blockEntries, ...entries];
  let params = lang !== undefined ? param('language', lang) : '';
  params += hintParams(all);
  const body = `<ac:plain-text-body>${cdata(node.value)}</ac:plain-text-body>`;
  return `<ac:structured-macro${elementAttrs(all, [['ac:name', 'code']])}>${params}${body}</ac:structured-macro>`;
}

interface Alert {
  macro: string;
  title: string;
  entries: AttrEntry[];
  body: RootContent[];
}

const ALERT_HEAD = /^\[!([A-Za-z]+)\]/;

/** Reads a GitHub alert (`> [!NOTE] Title`), accepting the header alone or followed by text on the next line. */
export function readAlert(bq: Blockquote): Alert | undefined {
  const first = bq.children[0];
  if (first?.type !== 'paragraph') return undefined;
  const raw = first.children[0];
  // Our own writer emits the marker as raw text (an html node) so it is not escaped; a parsed file has text.
  const head = raw?.type === 'html' ? { type: 'text' as const, value: raw.value } : raw;
  if (head?.type !== 'text') return undefined;
  const m = ALERT_HEAD.exec(head.value);
  const macro = m ? ALERT_TO_MACRO[(m[1] as string).toUpperCase()] : undefined;
  if (!m || !macro) return undefined;
  const rest: PhrasingContent[] = [{ ...head, value: head.value.slice(m[0].length) }, ...first.children.slice(1)];
  const header: PhrasingContent[] = [];
  const remaining: PhrasingContent[] = [];
  for (const n of rest) {
    if (remaining.length === 0 && n.type === 'text' && n.value.includes('\n')) {
      const nl = n.value.indexOf('\n');
      header.push({ ...n, value: n.value.slice(0, nl) });
      remaining.push({ ...n, value: n.value.slice(nl + 1) });
    } else if (remaining.length === 0 && n.type !== 'break') {
      header.push(n);
    } else if (remaining.length > 0 || n.type !== 'break') {
      remaining.push(n);
    }
  }
  let title = '';
  let entries: AttrEntry[] = [];
  for (const n of header) {
    const parsed = n.type === 'html' ? parseAttrsComment(n.value) : undefined;
    if (parsed) entries = parsed;
    else title += plainText(n);
  }
  const body: RootContent[] = [];
  if (remaining.length) body.push({ type: 'paragraph', children: remaining } satisfies Paragraph);
  body.push(...bq.children.slice(1));
  return { macro, title: title.trim(), entries, body };
}

function plainText(n: PhrasingContent): string {
  if ('value' in n && n.type !== 'html') return n.value;
  if ('children' in n) return n.children.map(plainText).join('');
  return '';
}

function blockquoteToStorage(node: Blockquote, entries: AttrEntry[], st: ToStorageState): string {
  const alert = readAlert(node);
  if (!alert) return `<blockquote${elementAttrs(entries)}>${blocksToStorage(node.children, st)}</blockquote>`;
  const params = (alert.title ? param('title', alert.title) : '') + hintParams(alert.entries);
  const attrs = elementAttrs(alert.entries, [['ac:name', alert.macro]]);
  return `<ac:structured-macro${attrs}>${params}<ac:rich-text-body>${blocksToStorage(alert.body, st)}</ac:rich-text-body></ac:structured-macro>`;
}

function listToStorage(list: List, entries: AttrEntry[], st: ToStorageState): string {
  const items = list.children;
  if (items.length > 0 && items.every((i) => typeof i.checked === 'boolean')) {
    return `<ac:task-list${elementAttrs(entries)}>${items.map((i) => taskToStorage(i, st)).join('')}</ac:task-list>`;
  }
  const loose = Boolean(list.spread) || items.some((i) => i.spread) || entries.some((e) => !e.element && e.name === 'spread' && e.value === 'loose');
  const tag = list.ordered ? 'ol' : 'ul';
  const derived: Array<[string, string]> = list.ordered && list.start != null && list.start !== 1 ? [['start', String(list.start)]] : [];
  const lis = items.map((i) => `<li>${blocksToStorage(i.children, st, !loose)}</li>`).join('');
  return `<${tag}${elementAttrs(entries, derived)}>${lis}</${tag}>`;
}

/** Task ids and other task children ride in an attrs comment at the end of the task's first line. */
function taskToStorage(item: ListItem, st: ToStorageState): string {
  let children = item.children;
  let entries: AttrEntry[] = [];
  const first = children[0];
  if (first?.type === 'paragraph') {
    const last = first.children[first.children.length - 1];
    const parsed = last?.type === 'html' ? parseAttrsComment(last.value) : undefined;
    if (parsed) {
      entries = parsed;
      const kids = first.children.slice(0, -1);
      const before = kids[kids.length - 1];
      if (before?.type === 'text' && before.value.endsWith(' ')) kids[kids.length - 1] = { ...before, value: before.value.slice(0, -1) };
      children = [{ ...first, children: kids.filter((k) => k.type !== 'text' || k.value !== '') }, ...children.slice(1)];
    }
  }
  const span = entries.find((e) => !e.element && e.name === 'span')?.value;
  const extra = entries
    .filter((e) => !e.element && e.name !== 'span')
    .map((e) => `<ac:${e.name}>${escapeText(e.value)}</ac:${e.name}>`)
    .join('');
  const status = `<ac:task-status>${item.checked ? 'complete' : 'incomplete'}</ac:task-status>`;
  let body = blocksToStorage(children, st, true);
  if (span !== undefined) body = `<span class="${escapeAttr(span)}">${body}</span>`;
  return `<ac:task${elementAttrs(entries)}>${extra}${status}<ac:task-body>${body}</ac:task-body></ac:task>`;
}

function tableToStorage(table: Table, entries: AttrEntry[], st: ToStorageState): string {
  const hint = (name: string) => entries.find((e) => !e.element && e.name === name)?.value;
  const wrapP = hint('cells') === 'p';
  const headless = hint('header') === 'none';
  const widths = hint('colgroup');
  let out = `<table${elementAttrs(entries)}>`;
  if (widths !== undefined) {
    out += `<colgroup>${widths.split('|').map((w) => (w === '' ? '<col/>' : `<col style="${escapeAttr(w)}"/>`)).join('')}</colgroup>`;
  }
  out += '<tbody>';
  table.children.forEach((row, r) => {
    const tag = r === 0 && !headless ? 'th' : 'td';
    out += '<tr>';
    row.children.forEach((cell, c) => {
      const align = table.align?.[c];
      const style = align ? ` style="text-align: ${align};"` : '';
      const inner = phrasingToStorage(cell.children, st);
      out += `<${tag}${style}>${wrapP ? `<p>${inner}</p>` : inner}</${tag}>`;
    });
    out += '</tr>';
  });
  return `${out}</tbody></table>`;
}
