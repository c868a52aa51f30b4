/**
 * Storage block content → mdast. Every block gets its clean Markdown form only if converting that form back yields
 * the same canonical storage (checked here, block by block); otherwise it is kept verbatim in a
 * ```confluence-storage fence. Containers (layouts, macros with a rich-text body) become raw-storage markers around
 * ordinary Markdown, so their content stays editable.
 */
import type { Code, Html, List, ListItem, PhrasingContent, RootContent } from 'mdast';
import { BLOCK, canonicalNodes, canonicalStorage, FLOW } from '../xml/canonical.js';
import type { XmlElement, XmlNode } from '../xml/nodes.js';
import { serializeNodes } from '../xml/serialize.js';
import { attrsComment, DETAILS_CLOSE, formatBraces, parseBraces, parseStorageMarker, storageMarker, VERBATIM_LANG } from './syntax.js';
import { elementEntries, isWhitespace, withBlockAttrs } from './md-helpers.js';
import type { Origin, ToMarkdownState } from './md-state.js';
import { breaksAsHtml, inlineFrom, safeLineStart } from './to-markdown-inline.js';
import { blocksToStorage } from './to-storage.js';
import { detailsOpen, macroBlock, richBody } from './to-markdown-macros.js';
import { scaffoldTable, tableFrom } from './to-markdown-table.js';

const CONTAINERS = new Set(['ac:layout', 'ac:layout-section', 'ac:layout-cell']);
const ATTR_CARRIERS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'hr']);

export function verbatimBlock(source: string): Code {
  return { type: 'code', lang: VERBATIM_LANG, meta: null, value: source };
}

function isBlockNode(n: XmlNode | undefined): boolean {
  return n !== undefined && n.type === 'element' && BLOCK.has(n.name);
}

/** Whitespace that canonical form drops: in a flow container, between blocks or at an edge next to a block. */
function insignificant(nodes: readonly XmlNode[], k: number, parent: string | undefined): boolean {
  const n = nodes[k] as XmlNode;
  if (!isWhitespace(n) || (parent !== undefined && !FLOW.has(parent))) return false;
  const prev = nodes[k - 1];
  const next = nodes[k + 1];
  return (prev === undefined || isBlockNode(prev)) && (next === undefined || isBlockNode(next));
}

/**
 * Converts flow content (the body, a cell, a quote). With `tight`, runs of inline content become bare paragraphs
 * (a tight list item); otherwise paragraphs marked `p="none"`, since a plain Markdown paragraph would add a <p>.
 */
export function blocksFrom(nodes: readonly XmlNode[], st: ToMarkdownState, tight = false, parent?: string): RootContent[] {
  const out: RootContent[] = [];
  let run: XmlNode[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const first = run[0] as XmlNode;
    const last = run[run.length - 1] as XmlNode;
    const kids = inlineFrom(run, st);
    const para = kids && kids.some((k) => k.type !== 'break') ? breaksAsHtml(kids, true) : null;
    if (para && safeLineStart(para) && tight) {
      out.push({ type: 'paragraph', children: para });
    } else if (para && safeLineStart(para) && !tight && !isWhitespace(first) && !isWhitespace(last)) {
      // Inline content straight in the body (a block image, bare text): a paragraph marked as having no <p>.
      const image = run.length === 1 && first.type === 'element' && first.name === 'ac:image' ? asBlockImage(para) : undefined;
      const unit: RootContent[] = image
        ? [{ type: 'paragraph', children: image }]
        : [{ type: 'html', value: attrsComment([{ name: 'p', value: 'none', element: false }]) }, { type: 'paragraph', children: para }];
      if (st.deferChecks > 0 || runRoundTrips(run, unit, st)) {
        out.push(...unit);
        const span = run;
        record(st, unit, { start: first.start, end: last.end, canonical: () => serializeNodes(canonicalNodes(span, 'p')) });
      }
      else out.push(verbatimBlock(st.source.slice(first.start, last.end)));
    } else {
      out.push(verbatimBlock(st.source.slice(first.start, last.end)));
    }
    run = [];
  };
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k] as XmlNode;
    if (isBlockNode(n) && !(tight && inlineMacro(nodes, k))) {
      flush();
      const unit = blockUnit(n as XmlElement, st);
      const head = unit[0];
      // In a tight item a list follows its paragraph without a blank line, and a list starting with an empty
      // item cannot interrupt a paragraph: it would read back as text.
      if (tight && out[out.length - 1]?.type === 'paragraph' && head?.type === 'list' && head.children[0]?.children.length === 0) {
        out.push(verbatimBlock(st.source.slice(n.start, n.end)));
      } else {
        out.push(...unit);
        const el = n as XmlElement;
        record(st, unit, { start: el.start, end: el.end, canonical: () => serializeNodes(canonicalNodes([el])) });
      }
    } else if (!insignificant(nodes, k, parent)) {
      run.push(n);
    }
  }
  flush();
  return mergeMarkers(out);
}

/** An image on its own in the body: its brace list gains `block` (no <p> around it). */
function asBlockImage(para: PhrasingContent[]): PhrasingContent[] | undefined {
  const last = para[para.length - 1];
  const braces = last?.type === 'text' ? parseBraces(last.value) : undefined;
  if (braces && braces.length === (last as { value: string }).value.length) {
    return [...para.slice(0, -1), { type: 'text', value: formatBraces([{ name: 'block', value: undefined }, ...braces.entries]) }];
  }
  return para[0]?.type === 'image' && para.length <= 2 ? [...para, { type: 'text', value: formatBraces([{ name: 'block', value: undefined }]) }] : undefined;
}

/** In a tight item a macro next to text (a status, raw inline HTML) is part of the line, not a block. */
function inlineMacro(nodes: readonly XmlNode[], k: number): boolean {
  const n = nodes[k] as XmlElement;
  if (n.name !== 'ac:structured-macro') return false;
  const inlineSibling = (m: XmlNode | undefined) => m !== undefined && !isBlockNode(m) && !isWhitespace(m);
  return inlineSibling(nodes[k - 1]) || inlineSibling(nodes[k + 1]);
}

/** Remembers where top-level nodes came from; the innermost block wins (a container's content keeps its own). */
function record(st: ToMarkdownState, unit: readonly RootContent[], origin: Origin): void {
  if (st.origins) for (const node of unit) if (!st.origins.has(node)) st.origins.set(node, origin);
}

/** Adjacent raw-storage markers are one marker: fewer comment lines, same bytes. */
function mergeMarkers(nodes: RootContent[]): RootContent[] {
  const out: RootContent[] = [];
  for (const n of nodes) {
    const prev = out[out.length - 1];
    if (n.type === 'html' && prev?.type === 'html') {
      const a = parseStorageMarker(prev.value);
      const b = parseStorageMarker(n.value);
      const merged = a !== undefined && b !== undefined ? storageMarker(a + b) : undefined;
      if (merged !== undefined) {
        prev.value = merged;
        continue;
      }
    }
    out.push(n);
  }
  return out;
}

/** The Markdown for one block element: clean if it round-trips, else a container form, else verbatim. */
export function blockUnit(el: XmlElement, st: ToMarkdownState): RootContent[] {
  const clean = st.deferChecks > 0 ? cleanBlock(el, st) : checkedClean(el, st);
  if (clean) return clean;
  const container = containerUnit(el, st);
  if (container) return container;
  if (el.name === 'p' && isEmptyParagraph(el)) {
    const marker = storageMarker(st.source.slice(el.start, el.end));
    if (marker !== undefined) return [{ type: 'html', value: marker }];
  }
  return [verbatimBlock(st.source.slice(el.start, el.end))];
}

/** The clean form if it converts back to the same canonical storage: first checked as a whole, then part by part. */
function checkedClean(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  st.deferChecks++;
  let clean: RootContent[] | null;
  try {
    clean = cleanBlock(el, st);
  } finally {
    st.deferChecks--;
  }
  if (!clean) return null;
  if (roundTrips(el, clean, st)) return clean;
  // Something inside has no faithful form: convert again checking each inner block, so only that part is verbatim.
  const again = cleanBlock(el, st);
  return again && roundTrips(el, again, st) ? again : null;
}

/*
 * The checks convert the candidate Markdown tree back and compare canonical forms, cheapest test first: storage
 * that comes back byte for byte needs no canonical form at all (Confluence's own writer and ours mostly agree on
 * attribute order, CDATA and escaping), and storage that comes back already canonical needs no re-parse (the
 * canonical form is idempotent). Only the rest is parsed and canonicalised.
 */

function runRoundTrips(run: readonly XmlNode[], md: RootContent[], st: ToMarkdownState): boolean {
  const back = blocksToStorage(md, st.back);
  const first = run[0] as XmlNode;
  const last = run[run.length - 1] as XmlNode;
  if (back === st.source.slice(first.start, last.end)) return true;
  // 'p' as the parent: inside a run every text node is content, whitespace included.
  return canonicalStorage(back) === serializeNodes(canonicalNodes(run, 'p'));
}

function roundTrips(el: XmlElement, md: RootContent[], st: ToMarkdownState): boolean {
  const back = blocksToStorage(md, st.back);
  if (back === st.source.slice(el.start, el.end)) return true;
  const expected = serializeNodes(canonicalNodes([el]));
  return back === expected || canonicalStorage(back) === expected;
}

/** `<p/>`, `<p> </p>`, `<p><br/></p>`: spacing paragraphs with no Markdown form, kept as an invisible marker. */
function isEmptyParagraph(el: XmlElement): boolean {
  return el.children.every((c) => isWhitespace(c) || (c.type === 'element' && c.name === 'br' && c.children.length === 0));
}

function containerUnit(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  let inner: XmlElement | undefined;
  if (CONTAINERS.has(el.name) || el.name === 'div') inner = el;
  else if (el.name === 'ac:structured-macro') inner = richBody(el);
  if (!inner || inner.end === inner.openEnd) return null;
  const details = inner !== el ? detailsOpen(el, st.source.slice(el.start, inner.openEnd)) : undefined;
  const closeSource = st.source.slice(inner.closeStart, el.end);
  if (details !== undefined && closeSource === '</ac:rich-text-body></ac:structured-macro>') {
    const body = blocksFrom(inner.children, st);
    return [{ type: 'html', value: details } satisfies Html, ...body, { type: 'html', value: DETAILS_CLOSE } satisfies Html];
  }
  const open = storageMarker(st.source.slice(el.start, inner.openEnd));
  const close = storageMarker(closeSource);
  if (open === undefined || close === undefined) return null;
  const body = blocksFrom(inner.children, st);
  return [{ type: 'html', value: open } satisfies Html, ...body, { type: 'html', value: close } satisfies Html];
}

function headingText(kids: PhrasingContent[]): boolean {
  return kids.every((k) => k.type !== 'break' && !(k.type === 'text' && /[\r\n]/.test(k.value)) && ('children' in k ? headingText(k.children as PhrasingContent[]) : true));
}

function cleanBlock(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  const entries = ATTR_CARRIERS.has(el.name) ? elementEntries(el) : [];
  switch (el.name) {
    case 'p': {
      const kids = inlineFrom(el.children, st);
      const para = kids && kids.some((k) => k.type !== 'break') ? breaksAsHtml(kids, true) : null;
      return para && safeLineStart(para) ? withBlockAttrs(entries, { type: 'paragraph', children: para }) : null;
    }
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6': {
      const raw = inlineFrom(el.children, st);
      const kids = raw && breaksAsHtml(raw);
      if (!kids || !headingText(kids)) return null;
      const depth = Number(el.name[1]) as 1 | 2 | 3 | 4 | 5 | 6;
      return withBlockAttrs(entries, { type: 'heading', depth, children: kids });
    }
    case 'hr':
      return el.children.length ? null : withBlockAttrs(entries, { type: 'thematicBreak' });
    case 'blockquote': {
      const kids = blocksFrom(el.children, st);
      return adjacentLists(kids) ? null : withBlockAttrs(entries, { type: 'blockquote', children: kids as never });
    }
    case 'ul':
    case 'ol':
      return listFrom(el, st);
    case 'table':
      return tableFrom(el, st) ?? scaffoldTable(el, st);
    case 'ac:structured-macro':
    case 'ac:task-list':
      return macroBlock(el, st);
    default:
      return null;
  }
}

/**
 * Two lists in a row inside a block quote read back with the first one loose (the blank `>` line between them
 * counts as part of it), so such a quote has no faithful Markdown form.
 */
export function adjacentLists(nodes: readonly RootContent[]): boolean {
  return nodes.some((n, i) => n.type === 'list' && nodes[i + 1]?.type === 'list');
}

function listFrom(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  const items: XmlElement[] = [];
  for (const c of el.children) {
    if (c.type === 'element' && c.name === 'li' && c.attrs.length === 0) items.push(c);
    else if (!isWhitespace(c)) return null;
  }
  const loose = items.some((li) => li.children.some((c) => c.type === 'element' && c.name === 'p'));
  const start = attr(el, 'start');
  const ordered = el.name === 'ol';
  const useStart = ordered && start !== undefined && /^(0|[1-9][0-9]{0,8})$/.test(start) && start !== '1';
  const entries = elementEntries(el, useStart ? ['start'] : []);
  // Markdown cannot write a one-item loose list whose item is one paragraph: it always reads back tight.
  const only = items.length === 1 ? items[0] : undefined;
  if (loose && only && only.children.filter((c) => !isWhitespace(c)).length <= 1) entries.push({ name: 'spread', value: 'loose', element: false });
  const children: ListItem[] = items.map((li) => ({
    type: 'listItem',
    spread: loose,
    checked: null,
    children: blocksFrom(li.children, st, !loose) as never,
  }));
  const list: List = { type: 'list', ordered, start: useStart ? Number(start) : ordered ? 1 : null, spread: loose, children };
  return withBlockAttrs(entries, list);
}

function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}
