/**
 * The file holds what people edit; the base keeps the rest. Attributes Confluence adds on save and nobody types
 * (Cloud's local ids, macro ids, schema versions, table layout widths, attachment save versions) are taken out of
 * the storage before it becomes Markdown, and put back on the way in from the synced base's storage: the new
 * storage's blocks are aligned with the base's (an unchanged block is the base's exact bytes; an edited block in
 * the same place, with the same element name, gets the base block's stripped attributes back, and so do its
 * children, aligned the same way); a new block gets none (Confluence assigns them).
 *
 * Laws: for any storage S, restore(toStorage(toLocal(S)), S) ≡ S; toLocal ignores what is stripped, so the
 * Markdown of S is the Markdown of strip(S).
 */
import type { XmlElement, XmlNode } from '../xml/nodes.js';
import { isWhitespaceText } from '../xml/nodes.js';
import { BLOCK as BLOCKS, canonicalNodes } from '../xml/canonical.js';
import { cdata, escapeAttr, escapeText } from '../xml/serialize.js';
import { tryParseStorage } from '../xml/parse.js';

const ANYWHERE = new Set(['local-id', 'ac:local-id', 'ri:local-id', 'data-local-id']);
const ON_ELEMENT: Readonly<Record<string, ReadonlySet<string>>> = {
  'ac:structured-macro': new Set(['ac:macro-id', 'ac:schema-version', 'data-layout', 'ac:breakout-mode', 'ac:breakout-width']),
  table: new Set(['data-table-width', 'data-layout']),
  'ri:attachment': new Set(['ri:version-at-save']),
  'ri:page': new Set(['ri:version-at-save']),
  'ac:image': new Set(['ac:original-height', 'ac:original-width', 'ac:layout', 'ac:custom-width']),
  'ac:task-list': new Set(['ac:task-list-id']),
  'ac:emoticon': new Set(['ac:emoji-id']),
};

/** Cheap pre-check: a body without any of these names has nothing to strip or restore. */
const ANY_NAME = /<p\s*\/>|<p>\s*<\/p>|<colgroup|emoji-id|ac:task-id|start="1"|local-id|task-list-id|macro-id|schema-version|data-layout|data-table-width|breakout-|version-at-save|original-(?:height|width)|custom-width|ac:layout=|<t[dh]\b[^>]*><p[\s/>]/;

export function isServerAttr(element: string, attr: string, value?: string): boolean {
  // Cloud writes `start="1"` on every ordered list; any other start is what the list says.
  if (element === 'ol' && attr === 'start') return value === '1';
  return ANYWHERE.has(attr) || ON_ELEMENT[element]?.has(attr) === true;
}

/** Whole elements Confluence adds that nobody types: task ids, table column widths. */
const SERVER_CHILDREN: Readonly<Record<string, ReadonlySet<string>>> = {
  'ac:task': new Set(['ac:task-id', 'ac:task-uuid']),
  table: new Set(['colgroup']),
};

function isServerChild(parent: XmlElement, child: XmlNode): boolean {
  return child.type === 'element' && SERVER_CHILDREN[parent.name]?.has(child.name) === true;
}

const PLACEHOLDER = 'placeholder-inline-tasks';

/** Where an empty paragraph between blocks is only spacing: the body, macro bodies and layout cells. */
const SPACED = new Set(['', 'ac:rich-text-body', 'ac:layout-cell']);

function isBlockOrEdge(n: XmlNode | undefined): boolean {
  return n === undefined || (n.type === 'element' && BLOCKS.has(n.name));
}

/**
 * An empty paragraph (`<p/>`, `<p local-id="…"/>`) next to a block in the body, a macro body or a layout cell: the
 * spacing Confluence's editor keeps. The file leaves it out; the base puts it back next to the block it preceded.
 */
function isSpacer(parent: string, nodes: readonly XmlNode[], k: number): boolean {
  const n = nodes[k] as XmlNode;
  if (!SPACED.has(parent) || n.type !== 'element' || n.name !== 'p') return false;
  if (!n.children.every(isWhitespaceText) || !n.attrs.every((a) => isServerAttr('p', a.name, a.value))) return false;
  let i = k - 1;
  while (i >= 0 && isWhitespaceText(nodes[i] as XmlNode)) i--;
  let j = k + 1;
  while (j < nodes.length && isWhitespaceText(nodes[j] as XmlNode)) j++;
  // Between two pieces of inline content it is what keeps them apart (two runs, not one): it stays.
  return isBlockOrEdge(nodes[i]) || isBlockOrEdge(nodes[j]);
}

/**
 * The children stripping leaves out: spacers, and the whitespace between a spacer and the block next to it (which
 * did not count there, but would join the inline content on the spacer's other side once the spacer is gone).
 */
function spacerSpans(parent: string, nodes: readonly XmlNode[]): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < nodes.length; k++) {
    if (!isSpacer(parent, nodes, k)) continue;
    out.add(k);
    let i = k - 1;
    while (i >= 0 && isWhitespaceText(nodes[i] as XmlNode)) i--;
    let j = k + 1;
    while (j < nodes.length && isWhitespaceText(nodes[j] as XmlNode)) j++;
    if (isBlockOrEdge(nodes[j])) for (let w = k + 1; w < j; w++) out.add(w);
    if (isBlockOrEdge(nodes[i])) for (let w = i + 1; w < k; w++) out.add(w);
  }
  return out;
}

export function mayCarryServerAttrs(storage: string): boolean {
  return ANY_NAME.test(storage);
}

const ATTR = /\s+([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')/y;

/** [start, end) spans of the server attributes (with their leading whitespace) in `el`'s start tag. */
function strippedSpans(source: string, el: XmlElement): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (!el.attrs.some((a) => isServerAttr(el.name, a.name, a.value))) return spans;
  ATTR.lastIndex = el.start + 1 + el.name.length;
  for (let m = ATTR.exec(source); m && ATTR.lastIndex <= el.openEnd; m = ATTR.exec(source)) {
    const name = m[1] as string;
    if (isServerAttr(el.name, name, el.attrs.find((a) => a.name === name)?.value)) spans.push([m.index, ATTR.lastIndex]);
  }
  return spans;
}

/**
 * Removes the server attributes from a parsed body: returns the new source and shifts the tree's offsets (and
 * attribute lists) in place to match it, so the tree reads as if the stripped text had been parsed.
 */
export function stripServerAttrs(source: string, nodes: XmlNode[]): string {
  if (!mayCarryServerAttrs(source)) return source;
  const pieces: string[] = [];
  let copied = 0;
  let removed = 0;
  const visit = (n: XmlNode): void => {
    const spans = n.type === 'element' ? strippedSpans(source, n) : [];
    n.start -= removed;
    if (n.type !== 'element') {
      n.end -= removed;
      return;
    }
    for (const [a, b] of spans) cut(a, b);
    n.attrs = n.attrs.filter((a) => !isServerAttr(n.name, a.name, a.value));
    n.openEnd -= removed;
    // `<td><p>text</p></td>` reads as `<td>text</td>` (and a task's placeholder span goes the same way): the
    // wrapper, like task ids and column widths, comes back from the base.
    const wrap = wrapperOf(n);
    const kids: XmlNode[] = [];
    const spacers = spacerSpans(n.name, n.children);
    for (const [k, c] of n.children.entries()) {
      if (isServerChild(n, c) || spacers.has(k)) cut(c.start, c.end);
      else if (c === wrap) {
        cut(c.start, c.openEnd);
        for (const g of c.children) visit(g);
        if (c.closeStart < c.end) cut(c.closeStart, c.end);
        kids.push(...c.children);
      } else {
        visit(c);
        kids.push(c);
      }
    }
    n.children = kids;
    n.closeStart -= removed;
    n.end -= removed;
  };
  const cut = (a: number, b: number) => {
    pieces.push(source.slice(copied, a));
    copied = b;
    removed += b - a;
  };
  const top = [...nodes];
  nodes.length = 0;
  const spacers = spacerSpans('', top);
  for (const [k, n] of top.entries()) {
    if (spacers.has(k)) cut(n.start, n.end);
    else {
      visit(n);
      nodes.push(n);
    }
  }
  if (removed === 0) return source;
  pieces.push(source.slice(copied));
  return pieces.join('');
}

/**
 * The one paragraph of a table cell that holds nothing else (Confluence Cloud wraps every cell's text in a <p>),
 * whose attributes, if any, are all server attributes.
 */
function wrapperOf(el: XmlElement): XmlElement | undefined {
  if (el.children.length !== 1) return undefined;
  const only = el.children[0] as XmlNode;
  if (only.type !== 'element') return undefined;
  const p = only;
  if (el.name === 'ac:task-body') {
    const span = p.name === 'span' && p.attrs.length === 1 && p.attrs[0]?.name === 'class' && p.attrs[0].value === PLACEHOLDER;
    if (!span || p.children.length === 0) return undefined;
  } else if (el.name !== 'td' && el.name !== 'th') return undefined;
  else if (p.name !== 'p' || !p.attrs.every((a) => isServerAttr('p', a.name, a.value))) return undefined;
  // Only where the cell reads the same without it: whitespace that a cell drops but a paragraph keeps stays wrapped.
  const kids = p.children;
  const edge = (k: XmlNode | undefined) => k === undefined || (k.type === 'element' && BLOCKS.has(k.name));
  const dropped = kids.some((k, i) => isWhitespaceText(k) && edge(kids[i - 1]) && edge(kids[i + 1]));
  return dropped ? undefined : p;
}

/** The canonical form of a node without server attributes: equal keys mean "the same block as people see it". */
function key(n: XmlNode): string {
  if (n.type === 'text' || n.type === 'cdata') return `t${n.value}`;
  if (n.type !== 'element') return `${n.type}${n.value}`;
  let s = `<${n.name}`;
  for (const a of n.attrs) if (!isServerAttr(n.name, a.name, a.value)) s += ` ${a.name}="${a.value}"`;
  s += '>';
  const kids = wrapperOf(n)?.children ?? n.children;
  for (const [k, c] of kids.entries()) if (!isServerChild(n, c) && !isSpacer(n.name, kids, k)) s += key(c);
  return `${s}</>`;
}

/**
 * Puts the base's server attributes back into `storage` (Markdown → storage output) by aligning it with `base`
 * (the storage of the synced base). Either body malformed: `storage` unchanged.
 */
export function restoreServerAttrs(storage: string, base: string): string {
  if (!mayCarryServerAttrs(base)) return storage;
  const mine = tryParseStorage(storage);
  return mine.ok ? restoreServerAttrsParsed(storage, mine.fragment.children, base) : storage;
}

/**
 * The same, with `storage` already parsed (well-formed): the result is then well-formed too, as it is made of
 * `storage`'s and `base`'s own elements and of start tags written here.
 */
export function restoreServerAttrsParsed(storage: string, nodes: readonly XmlNode[], base: string): string {
  if (!mayCarryServerAttrs(base)) return storage;
  const theirs = tryParseStorage(base);
  if (!theirs.ok) return storage;
  try {
    return restoreList(canonicalNodes(nodes), storage, canonicalNodes(theirs.fragment.children), base);
  } catch (err) {
    if (err instanceof RangeError) return storage;
    throw err;
  }
}

/** Longest common subsequence of two key lists (after trimming the common ends), as index pairs. */
function lcs(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  let lo = 0;
  while (lo < a.length && lo < b.length && a[lo] === b[lo]) {
    pairs.push([lo, lo]);
    lo++;
  }
  let ha = a.length;
  let hb = b.length;
  const tail: Array<[number, number]> = [];
  while (ha > lo && hb > lo && a[ha - 1] === b[hb - 1]) tail.push([--ha, --hb]);
  const n = ha - lo;
  const m = hb - lo;
  if (n > 0 && m > 0 && n * m <= 4_000_000) {
    const w = m + 1;
    const dp = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        dp[i * w + j] = a[lo + i] === b[lo + j] ? (dp[(i + 1) * w + j + 1] as number) + 1 : Math.max(dp[(i + 1) * w + j] as number, dp[i * w + j + 1] as number);
      }
    }
    for (let i = 0, j = 0; i < n && j < m; ) {
      if (a[lo + i] === b[lo + j]) pairs.push([lo + i++, lo + j++]);
      else if ((dp[(i + 1) * w + j] as number) >= (dp[i * w + j + 1] as number)) i++;
      else j++;
    }
  }
  return pairs.concat(tail.reverse());
}

function macroName(el: XmlElement): string | undefined {
  return el.attrs.find((a) => a.name === 'ac:name')?.value;
}

function sameKind(a: XmlNode, b: XmlNode): boolean {
  return a.type === 'element' && b.type === 'element' && a.name === b.name && macroName(a) === macroName(b);
}

function restoreList(mine: readonly XmlNode[], mineSrc: string, allTheirs: readonly XmlNode[], theirSrc: string, parent = ''): string {
  // The base's spacer paragraphs (which the file leaves out) go back in front of the block they preceded.
  const theirs: XmlNode[] = [];
  const before: string[] = [];
  let spacers = '';
  for (const [k, t] of allTheirs.entries()) {
    if (isSpacer(parent, allTheirs, k)) spacers += theirSrc.slice(t.start, t.end);
    else {
      theirs.push(t);
      before.push(spacers);
      spacers = '';
    }
  }
  const pairs = lcs(mine.map(key), theirs.map(key));
  let out = '';
  let i = 0;
  let j = 0;
  for (const [pi, pj] of [...pairs, [mine.length, theirs.length] as [number, number]]) {
    // The gap: edited blocks pair up in order with base blocks of the same kind; the rest are new.
    const gapTheirs = theirs.slice(j, pj);
    let g = 0;
    for (; i < pi; i++) {
      const n = mine[i] as XmlNode;
      let match = -1;
      for (let k = g; k < gapTheirs.length; k++) {
        if (sameKind(n, gapTheirs[k] as XmlNode)) {
          match = k;
          break;
        }
      }
      if (match >= 0) {
        out += before[j + match] as string;
        out += restoreElement(n as XmlElement, mineSrc, gapTheirs[match] as XmlElement, theirSrc);
        g = match + 1;
      } else out += writeNode(n, mineSrc, parent);
    }
    if (pi < mine.length) {
      const t = theirs[pj] as XmlNode;
      out += before[pj] as string;
      out += t.type === 'element' ? theirSrc.slice(t.start, t.end) : writeNode(mine[pi] as XmlNode, mineSrc, parent);
    }
    i = pi + 1;
    j = pj + 1;
  }
  return out + spacers;
}

function restoreElement(el: XmlElement, src: string, base: XmlElement, baseSrc: string): string {
  // In the base's order: the edited element's own values, the base's server attributes, then what is new.
  let attrs = '';
  const mine = new Map(el.attrs.map((a) => [a.name, a.value]));
  // The canonical tree has its attributes sorted: the base's own order is read from its start tag.
  const order: string[] = [];
  ATTR.lastIndex = base.start + 1 + base.name.length;
  for (let m = ATTR.exec(baseSrc); m && ATTR.lastIndex <= base.openEnd; m = ATTR.exec(baseSrc)) order.push(m[1] as string);
  const byName = new Map(base.attrs.map((a) => [a.name, a]));
  for (const a of order.flatMap((n) => byName.get(n) ?? [])) {
    const value = mine.get(a.name) ?? (isServerAttr(base.name, a.name, a.value) ? a.value : undefined);
    mine.delete(a.name);
    if (value !== undefined) attrs += ` ${a.name}="${escapeAttr(value)}"`;
  }
  for (const [name, value] of mine) attrs += ` ${name}="${escapeAttr(value)}"`;
  // Task ids and column widths the base had (widths only while the table keeps its number of columns).
  const own = base.children.filter((c) => !isServerChild(base, c));
  let head = '';
  for (const c of base.children) {
    if (c.type === 'element' && isServerChild(base, c) && (c.name !== 'colgroup' || columns(c) === firstRowCells(el))) head += baseSrc.slice(c.start, c.end);
  }
  const wrap = wrapperOf(base);
  if (wrap && !wrapperOf(el) && el.children.length > 0 && el.children.every((c) => c.type !== 'element' || !BLOCKS.has(c.name))) {
    // The base wrapped the text in a <p> or a placeholder span (which the file leaves out): so does the edited one.
    const open = baseSrc.slice(wrap.start, wrap.openEnd);
    const inner = restoreList(el.children, src, wrap.children, baseSrc, wrap.name);
    return `<${el.name}${attrs}>${head}${wrap.openEnd === wrap.end ? open.replace(/\s*\/>$/, '>') : open}${inner}</${wrap.name}></${el.name}>`;
  }
  if (el.children.length === 0 && head === '') return `<${el.name}${attrs}/>`;
  return `<${el.name}${attrs}>${head}${restoreList(el.children, src, own, baseSrc, el.name)}</${el.name}>`;
}

function columns(colgroup: XmlElement): number {
  return colgroup.children.filter((c) => c.type === 'element' && c.name === 'col').length;
}

/** The number of cells in a table's first row (-1 when it has none). */
function firstRowCells(table: XmlElement): number {
  for (const section of table.children) {
    if (section.type !== 'element' || !['tbody', 'thead'].includes(section.name)) continue;
    const tr = section.children.find((c): c is XmlElement => c.type === 'element' && c.name === 'tr');
    if (tr) return tr.children.filter((c) => c.type === 'element' && (c.name === 'td' || c.name === 'th')).length;
  }
  return -1;
}

/** Bodies of code and link text are written as CDATA, as Confluence and this converter write them. */
const CDATA_BODIES = new Set(['ac:plain-text-body', 'ac:plain-text-link-body']);

function writeNode(n: XmlNode, src: string, parent: string): string {
  switch (n.type) {
    case 'element':
      return src.slice(n.start, n.end);
    case 'text':
      return CDATA_BODIES.has(parent) ? cdata(n.value) : escapeText(n.value);
    case 'cdata':
      return cdata(n.value);
    default:
      return src.slice(n.start, n.end);
  }
}
