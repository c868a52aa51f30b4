/**
 * The fast Markdown reader: markdown-it's tokens turned into the mdast tree remark-parse + remark-gfm would build
 * (as processors.ts configures them: GFM without autolink literals), for the subset of documents where the two are
 * known to agree. markdown-it parses about 15 times faster than micromark, which was most of the cost of converting
 * Markdown to storage.
 *
 * The tree carries what the converter reads: node types, values, urls, titles, alts, list looseness, task checks,
 * table alignment. Positions are not built (nothing reads them on the nodes made here), except the start offset
 * of a paragraph's first text node, which the `[TOC]` form checks against the source.
 *
 * `fastParse` returns undefined when the document uses something the two parsers read differently, or that this
 * adapter does not build: the caller then parses with remark. Those are: footnotes (`[^`), link reference
 * definitions, carriage returns and NUL characters (markdown-it normalises them first), a `~` that markdown-it
 * leaves as text (remark-gfm also strikes through with one tilde), table rows with more cells than the header, and
 * the indentation and lazy-line cases listed below, where the two read CommonMark's corners differently. The
 * differential test (test/format/parse-fast.test.ts) compares both readers on the corpora and on random documents.
 */
import MarkdownIt from 'markdown-it';
import type { Env, StateBlock, StateInline, Token } from 'markdown-it';
import type { BlockContent, Code, Heading, Html, List, ListItem, Paragraph, PhrasingContent, Root, RootContent, Table, TableCell, TableRow } from 'mdast';

/** Thrown inside the adapter when the document needs remark; never escapes fastParse. */
class NeedsRemark extends Error {}

/** markdown-it stops nesting silently at maxNesting; a document that gets near it is left to remark. */
const MAX_NESTING = 200;
const NESTING_LIMIT = MAX_NESTING - 10;

const md = new MarkdownIt('commonmark', { html: true, maxNesting: MAX_NESTING }).enable(['table', 'strikethrough']);
// mdast keeps URLs as written (decoded escapes and entities, no percent-encoding) and does not filter schemes.
md.normalizeLink = (url: string) => url;
md.normalizeLinkText = (text: string) => text;
md.validateLink = () => true;
const unescapeAll = md.utils.unescapeAll;

/**
 * Code spans: micromark keeps line endings inside an inline code node (markdown-it turns them into spaces, as HTML
 * output does). The span's raw content is taken again from the source, with the same one-space padding rule.
 */
const backticks = md.inline.ruler.__rules__.find((r) => r.name === 'backticks')?.fn;
if (!backticks) throw new Error('markdown-it has no backticks rule');
md.inline.ruler.at('backticks', (state: StateInline, silent: boolean) => {
  const start = state.pos;
  const before = state.tokens.length;
  if (!backticks(state, silent)) return false;
  const token = state.tokens.length > before ? state.tokens[state.tokens.length - 1] : undefined;
  if (!silent && token?.type === 'code_inline') {
    const n = token.markup.length;
    const raw = state.src.slice(start + n, state.pos - n);
    const pad = (c: string | undefined) => c === ' ' || c === '\n';
    if (raw.includes('\n')) token.meta = { multiline: true };
    token.content = raw.length > 2 && pad(raw[0]) && pad(raw[raw.length - 1]) && /[^ \n]/.test(raw) ? raw.slice(1, -1) : raw;
  }
  return true;
});

interface Delimiter {
  marker: number;
  length: number;
  end: number;
}

/**
 * Emphasis: markdown-it and micromark pair delimiter runs the same way while every run is used whole, with one
 * other run, or not at all (`**a**`, `*a*`, `***a***`, a lone `*`); where a run is split (`**a*`, `a*b *c**`) or
 * pairs with two runs (`***b****b*`) they part ways. Such a paragraph marks the document for remark.
 */
md.inline.ruler2.after('emphasis', 'csync_split_runs', (state: StateInline) => {
  const lists: Array<readonly Delimiter[]> = [state.delimiters as unknown as Delimiter[]];
  for (const meta of state.tokens_meta) if (meta?.delimiters) lists.push(meta.delimiters as unknown as Delimiter[]);
  for (const list of lists) {
    const run: number[] = [];
    for (let i = 0; i < list.length; ) {
      const d = list[i] as Delimiter;
      const n = d.marker === 0x7e || d.length < 1 ? 1 : d.length;
      for (let k = i; k < i + n; k++) run.push(i);
      i += n;
    }
    const partners = new Map<number, Set<number>>();
    const used = new Map<number, number>();
    list.forEach((d, i) => {
      if (d.end === -1) return;
      for (const [a, b] of [[i, d.end], [d.end, i]] as const) {
        const r = run[a] as number;
        used.set(r, (used.get(r) ?? 0) + 1);
        partners.set(r, (partners.get(r) ?? new Set()).add(run[b] as number));
      }
    });
    for (const [r, count] of used) {
      const d = list[r] as Delimiter;
      const n = d.marker === 0x7e || d.length < 1 ? 1 : d.length;
      if (count !== n || (partners.get(r)?.size ?? 0) > 1) (state.env as { csyncSplitRun?: boolean }).csyncSplitRun = true;
    }
  }
  return false;
});

/** Table rows: the number of cells written on the line, which markdown-it pads or cuts to the header's count. */
const table = md.block.ruler.__rules__.find((r) => r.name === 'table')?.fn;
if (!table) throw new Error('markdown-it has no table rule');
md.block.ruler.at('table', (state: StateBlock, startLine: number, endLine: number, silent: boolean) => {
  const before = state.tokens.length;
  if (!table(state, startLine, endLine, silent)) return false;
  if (silent) return true;
  const head = state.src.slice((state.bMarks[startLine] as number) + (state.tShift[startLine] as number), state.eMarks[startLine]);
  // A header line that also starts another block: markdown-it tries tables first, micromark the other block.
  const delimiter = state.src.slice((state.bMarks[startLine + 1] as number) + (state.tShift[startLine + 1] as number), state.eMarks[startLine + 1]);
  const startsBlock = BLOCK_START.test(head) || !delimiter.includes('|');
  for (let i = before; i < state.tokens.length; i++) {
    const t = state.tokens[i] as Token;
    if (startsBlock && t.type === 'table_open') t.meta = { startsBlock };
    if (t.type !== 'tr_open' || !t.map) continue;
    const line = t.map[0];
    const text = state.src.slice((state.bMarks[line] as number) + (state.tShift[line] as number), state.eMarks[line]).trim();
    // `\\|`: markdown-it reads the pipe as escaped, GFM reads an escaped backslash and a cell boundary.
    t.meta = { cells: text.includes('\\\\|') ? -1 : splitRow(text), unicodeEdge: UNICODE_SPACE_EDGE.test(state.src.slice(state.bMarks[line], state.eMarks[line])) };
  }
  return true;
});

/**
 * Whitespace other than spaces and tabs at a cell's edge (a no-break space, an ideographic space…): markdown-it trims
 * cells with String.prototype.trim, GFM trims only spaces and tabs and keeps it.
 */
const UNICODE_SPACE_EDGE = /(?:^|\|)[ \t]*[^\S \t]|[^\S \t][ \t]*(?:\||$)/;

const BLOCK_START = /^(?:[`~#>=<]|[-*+_](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$))/;

/** markdown-it's own split of a table row (escapedSplit, then the outer pipes dropped). */
function splitRow(line: string): number {
  let cells = 1;
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x7c && !escaped) cells++;
    escaped = c === 0x5c;
  }
  if (line.startsWith('|')) cells--;
  if (line.length > 1 && line.endsWith('|') && !(line.endsWith('\\|') && !line.endsWith('\\\\|'))) cells--;
  return cells;
}

const TASK = /^\[([ \txX])\](?=\n|[ \t]+[^])/;

function attr(t: Token, name: string): string | null {
  const v = t.attrGet(name);
  return v === null ? null : String(v);
}

/** Finds the matching close token of the open token at `i`. */
function closing(tokens: readonly Token[], i: number): number {
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const n = (tokens[j] as Token).nesting;
    depth += n;
    if (depth === 0) return j;
  }
  throw new NeedsRemark('unbalanced tokens');
}

interface Ctx {
  source: string;
  /** How many list items enclose the blocks being built. */
  items: number;
  lineStarts?: number[];
}

function lineStart(ctx: Ctx, line: number): number {
  if (!ctx.lineStarts) {
    const starts = [0];
    for (let i = ctx.source.indexOf('\n'); i >= 0; i = ctx.source.indexOf('\n', i + 1)) starts.push(i + 1);
    ctx.lineStarts = starts;
  }
  return ctx.lineStarts[line] ?? ctx.source.length;
}

function blocks(tokens: readonly Token[], from: number, to: number, ctx: Ctx, itemLine?: number): RootContent[] {
  const out: RootContent[] = [];
  for (let i = from; i < to; i++) {
    const t = tokens[i] as Token;
    if (t.level >= NESTING_LIMIT) throw new NeedsRemark('nested too deep');
    switch (t.type) {
      case 'paragraph_open': {
        const inline = tokens[i + 1] as Token;
        out.push(paragraph(inline, ctx, ctx.items > 0));
        i += 2;
        break;
      }
      case 'heading_open': {
        const inline = tokens[i + 1] as Token;
        out.push({ type: 'heading', depth: Number(t.tag.slice(1)) as Heading['depth'], children: phrasing(inline.children ?? [], ctx.items > 0) });
        i += 2;
        break;
      }
      case 'hr':
        out.push({ type: 'thematicBreak' });
        break;
      case 'blockquote_open': {
        const end = closing(tokens, i);
        out.push({ type: 'blockquote', children: blocks(tokens, i + 1, end, ctx, t.map?.[0]) as BlockContent[] });
        i = end;
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const end = closing(tokens, i);
        out.push(list(tokens, i, end, ctx, itemLine));
        i = end;
        break;
      }
      case 'fence':
        out.push(fence(t));
        break;
      case 'code_block':
        out.push({ type: 'code', lang: null, meta: null, value: t.content.replace(/\n$/, '') } satisfies Code);
        break;
      case 'html_block':
        out.push(htmlBlock(t));
        break;
      case 'table_open': {
        const end = closing(tokens, i);
        out.push(tableNode(tokens, i, end));
        i = end;
        break;
      }
      default:
        throw new NeedsRemark(`token ${t.type}`);
    }
  }
  return out;
}

function paragraph(inline: Token, ctx: Ctx, inItem: boolean): Paragraph {
  const children = phrasing(inline.children ?? [], inItem);
  const first = children[0];
  // `[TOC]` is the toc macro only as typed (not `\[TOC]`): to-storage.ts checks the source at the text's start.
  if (first?.type === 'text' && inline.content.startsWith('[') && inline.map) {
    const at = ctx.source.indexOf(inline.content.slice(0, 5), lineStart(ctx, inline.map[0]));
    if (at >= 0) first.position = { start: { line: inline.map[0] + 1, column: 1, offset: at }, end: { line: inline.map[0] + 1, column: 1, offset: at } };
  }
  return { type: 'paragraph', children };
}

/**
 * HTML blocks that end at a condition (`</script>`, `-->`, …) and run to the end of their container instead keep
 * their last line ending in micromark; they are left to remark.
 */
const HTML_WITH_END: ReadonlyArray<[RegExp, RegExp]> = [
  [/^<(?:script|pre|style|textarea)(?=[\s>]|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^<!--/, /-->/],
  [/^<\?/, /\?>/],
  [/^<![A-Za-z]/, />/],
  [/^<!\[CDATA\[/, /\]\]>/],
];

function htmlBlock(t: Token): Html {
  const value = t.content.endsWith('\n') ? t.content.slice(0, -1) : t.content;
  const kind = HTML_WITH_END.find(([start]) => start.test(value.trimStart()));
  if (kind && !kind[1].test(value.slice(value.lastIndexOf('\n') + 1))) throw new NeedsRemark('unclosed HTML block');
  return { type: 'html', value };
}

function fence(t: Token): Code {
  // micromark: the language is the first word; the meta runs from the next word to the end of the line.
  const info = t.info.replace(/^[ \t]+/, '');
  const space = info.search(/[ \t]/);
  const rawLang = space < 0 ? info : info.slice(0, space);
  const rawMeta = space < 0 ? '' : info.slice(space).replace(/^[ \t]+/, '');
  return {
    type: 'code',
    lang: rawLang === '' ? null : unescapeAll(rawLang),
    meta: rawMeta === '' ? null : unescapeAll(rawMeta),
    value: t.content.endsWith('\n') ? t.content.slice(0, -1) : t.content,
  };
}

function list(tokens: readonly Token[], from: number, to: number, ctx: Ctx, parentItemLine: number | undefined): List {
  const open = tokens[from] as Token;
  const ordered = open.type === 'ordered_list_open';
  const items: ListItem[] = [];
  let tight = true;
  for (let i = from + 1; i < to; i++) {
    const t = tokens[i] as Token;
    if (t.type !== 'list_item_open') throw new NeedsRemark('list without item');
    const end = closing(tokens, i);
    // markdown-it marks a tight list by hiding its item's paragraphs.
    for (let j = i + 1; j < end; j++) {
      const p = tokens[j] as Token;
      if (p.type === 'paragraph_open' && p.level === t.level + 1 && !p.hidden) tight = false;
    }
    items.push(listItem(tokens, i, end, ctx));
    i = end;
  }
  const start = ordered ? Number(open.attrGet('start') ?? 1) : null;
  // `- 2) a`, `> 2) a`: a list on its container's first line, not starting at 1 (micromark may read text there).
  if (start !== null && start !== 1 && parentItemLine === open.map?.[0]) throw new NeedsRemark('nested list on its parent line');
  return { type: 'list', ordered, start, spread: !tight, children: items };
}

function listItem(tokens: readonly Token[], from: number, to: number, ctx: Ctx): ListItem {
  ctx.items++;
  const children = blocks(tokens, from + 1, to, ctx, (tokens[from] as Token).map?.[0]) as BlockContent[];
  ctx.items--;
  // An empty item right after a paragraph's block quote marker: micromark reads some of these as text.
  if (children.length === 0) throw new NeedsRemark('empty list item');
  const item: ListItem = { type: 'listItem', spread: false, checked: null, children };
  const taskInline = (tokens[from + 1] as Token | undefined)?.type === 'paragraph_open' ? (tokens[from + 2] as Token) : undefined;
  const meta = taskInline?.meta as { task?: boolean } | null | undefined;
  if (meta?.task !== undefined) {
    item.checked = meta.task;
    const para = children[0] as Paragraph;
    const head = para.children[0];
    if (head?.type === 'text') {
      head.value = head.value.slice(1);
      if (head.value === '') para.children.shift();
    }
  }
  return item;
}

/**
 * GFM task list items: `[ ]`, `[x]` or `[X]` at the start of an item's first paragraph, followed by a line ending
 * or by spaces and more text. Taken off before the inline parse, as micromark reads the check as its own construct.
 */
md.core.ruler.before('inline', 'csync_tasks', (state) => {
  const tokens = state.tokens;
  for (let i = 0; i + 2 < tokens.length; i++) {
    const item = tokens[i] as Token;
    if (item.type !== 'list_item_open' || (tokens[i + 1] as Token).type !== 'paragraph_open') continue;
    const inline = tokens[i + 2] as Token;
    const m = TASK.exec(inline.content);
    if (!m) continue;
    inline.content = inline.content.slice(3);
    inline.meta = { task: m[1] === 'x' || m[1] === 'X' };
  }
});

function tableNode(tokens: readonly Token[], from: number, to: number): Table {
  if ((tokens[from] as Token).meta?.startsBlock) throw new NeedsRemark('table header that starts another block');
  const rows: TableRow[] = [];
  const align: Table['align'] = [];
  let columns = 0;
  for (let i = from + 1; i < to; i++) {
    const t = tokens[i] as Token;
    if (t.type !== 'tr_open') continue;
    const end = closing(tokens, i);
    const cells: TableCell[] = [];
    const header = rows.length === 0;
    for (let j = i + 1; j < end; j++) {
      const c = tokens[j] as Token;
      if (c.type !== 'th_open' && c.type !== 'td_open') continue;
      if (header) {
        const style = attr(c, 'style');
        align.push(style ? (style.slice('text-align:'.length) as 'left' | 'right' | 'center') : null);
      }
      cells.push({ type: 'tableCell', children: phrasing((tokens[j + 1] as Token).children ?? []) });
    }
    if (header) columns = cells.length;
    if ((t.meta as { unicodeEdge?: boolean } | null)?.unicodeEdge) throw new NeedsRemark('table cell with Unicode whitespace at its edge');
    const written = (t.meta as { cells?: number } | null)?.cells;
    if (written === undefined || written < 0 || written > columns) throw new NeedsRemark('table row with more cells than its header');
    if (!header && written < cells.length) cells.length = Math.max(written, 0);
    rows.push({ type: 'tableRow', children: cells });
    i = end;
  }
  return { type: 'table', align, children: rows };
}

/** Inline tokens → phrasing nodes; adjacent text and soft breaks merge into one text node, as in mdast. */
function phrasing(tokens: readonly Token[], inItem = false): PhrasingContent[] {
  const root: PhrasingContent[] = [];
  const stack: PhrasingContent[][] = [root];
  let out = root;
  const text = (value: string) => {
    const last = out[out.length - 1];
    if (last?.type === 'text') last.value += value;
    else out.push({ type: 'text', value });
  };
  const open = (node: PhrasingContent & { children: PhrasingContent[] }) => {
    out.push(node);
    stack.push(node.children);
    out = node.children;
  };
  for (const t of tokens) {
    if (t.level >= NESTING_LIMIT) throw new NeedsRemark('nested too deep');
    switch (t.type) {
      case 'text':
        // A `~` markdown-it left as text: remark-gfm may strike through there (one tilde is enough for it).
        if (t.content.includes('~')) throw new NeedsRemark('tilde in text');
        if (t.content !== '') text(t.content);
        break;
      case 'softbreak':
        text('\n');
        break;
      case 'hardbreak':
        out.push({ type: 'break' });
        break;
      case 'code_inline':
        // A lazy line inside a list item keeps its indentation in micromark's code spans, not in markdown-it's.
        if (inItem && t.meta?.multiline) throw new NeedsRemark('code span over lines in a list item');
        out.push({ type: 'inlineCode', value: t.content });
        break;
      case 'html_inline':
        // Raw HTML over lines: micromark drops a continuation line's indentation, markdown-it keeps it.
        if (/\n[ \t]/.test(t.content)) throw new NeedsRemark('inline HTML with an indented line');
        out.push({ type: 'html', value: t.content });
        break;
      case 'em_open':
        open({ type: 'emphasis', children: [] });
        break;
      case 'strong_open':
        open({ type: 'strong', children: [] });
        break;
      case 's_open':
        open({ type: 'delete', children: [] });
        break;
      case 'link_open':
        open({ type: 'link', url: attr(t, 'href') ?? '', title: attr(t, 'title'), children: [] });
        break;
      case 'em_close':
      case 'strong_close':
      case 's_close':
      case 'link_close':
        stack.pop();
        out = stack[stack.length - 1] as PhrasingContent[];
        break;
      case 'image':
        out.push({ type: 'image', url: attr(t, 'src') ?? '', title: attr(t, 'title'), alt: altText(t.children ?? []) });
        break;
      default:
        throw new NeedsRemark(`inline token ${t.type}`);
    }
  }
  return root;
}

/** An image's alt as mdast-util-to-string gives it: text, code and raw HTML values, nested alts; breaks give nothing. */
function altText(tokens: readonly Token[]): string {
  let s = '';
  for (const t of tokens) {
    if (t.type === 'text' && t.content.includes('~')) throw new NeedsRemark('tilde in text');
    if (t.type === 'text' || t.type === 'code_inline' || t.type === 'html_inline') s += t.content;
    else if (t.type === 'softbreak') s += '\n';
    else if (t.type === 'image') s += altText(t.children ?? []);
  }
  return s;
}

/** A block quote marker after a tab or four spaces: markdown-it sometimes reads a quote where micromark reads code. */
const INDENTED_QUOTE = /^[ >]*(?:\t| {4})[ \t]*>/m;
/** A line indented four columns or more after a block quote line: markdown-it may read code, micromark a lazy line. */
const INDENTED_AFTER_QUOTE = /^[ \t]*>[^\n]*\n(?: {4}|[ ]{0,3}\t)/m;
/** A blank line of four columns or more: micromark may count it into an indented code block before it. */
export const INDENTED_BLANK = /^(?: {4}|[ ]{0,3}\t)[ \t]*$/m;

/** A tab in a line's indentation: the two parsers expand tabs differently inside containers. */
const TAB_INDENT = /^[ >]*\t/gm;

/** Whitespace other than a space, a tab or a line feed: a no-break space, a form feed, an ideographic space… */
const OTHER_SPACE = /[^\S \t\n]/;

/**
 * Inline content the two parsers read differently: a tab before a line ending (remark drops it); an emphasis
 * delimiter next to a character outside the BMP (markdown-it classifies the surrogate half, micromark the code
 * point) or next to U+2028, U+2029 or U+FEFF (whitespace to micromark's `\s`, not to markdown-it); a line that could
 * be a table's delimiter row under a one-column header without pipes (a table in GFM, not in markdown-it).
 */
const INLINE_DIFFERS = /\n[ \t]*(?=[^\n]*[|:])[-:| \t]*-[-:| \t]*(?:\n|$)|\t[ \t]*\n|[*_~][\uD800-\uDFFF\u2028\u2029\ufeff]|[\uD800-\uDFFF\u2028\u2029\ufeff][*_~]/;

/** Whether a line indented with a tab lies outside the inside of a top-level fenced code block. */
function tabIndentOutsideCode(markdown: string, tokens: readonly Token[]): boolean {
  const fences: Array<[number, number]> = [];
  for (const t of tokens) if (t.type === 'fence' && t.level === 0 && t.map) fences.push([t.map[0] + 1, t.map[1] - 1]);
  const ctx: Ctx = { source: markdown, items: 0 };
  lineStart(ctx, 0);
  const starts = ctx.lineStarts as number[];
  TAB_INDENT.lastIndex = 0;
  for (let m = TAB_INDENT.exec(markdown); m; m = TAB_INDENT.exec(markdown)) {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= m.index) lo = mid;
      else hi = mid - 1;
    }
    if (!fences.some(([a, b]) => lo >= a && lo < b)) return true;
  }
  return false;
}

/**
 * Whether a whole text passes the checks `fastParse` makes on the text alone (the rest are made on each block's
 * tokens). A big page converted in pieces (chunked.ts) reads every piece with the reader the whole text would get.
 */
export function fastTextOk(markdown: string): boolean {
  // A leading U+FEFF: micromark drops it as a byte order mark, markdown-it keeps it.
  if (markdown.charCodeAt(0) === 0xfeff) return false;
  return !(markdown.includes('\r') || markdown.includes('\0') || markdown.includes('[^') || INDENTED_QUOTE.test(markdown) || INDENTED_AFTER_QUOTE.test(markdown));
}

/** `indentedBlank`: read the text as if it held a blank line of four columns (a piece of a text that does). */
export function fastParse(markdown: string, indentedBlank = false): Root | undefined {
  if (!fastTextOk(markdown)) return undefined;
  const env: Env = {};
  let tokens: Token[];
  try {
    tokens = md.parse(markdown, env);
  } catch {
    return undefined;
  }
  if (env.references && Object.keys(env.references).length) return undefined;
  if ((env as { csyncSplitRun?: boolean }).csyncSplitRun) return undefined;
  if (markdown.includes('\t') && tabIndentOutsideCode(markdown, tokens)) return undefined;
  if ((indentedBlank || INDENTED_BLANK.test(markdown)) && tokens.some((t) => t.type === 'code_block')) return undefined;
  for (const t of tokens) {
    if (t.type === 'inline' && INLINE_DIFFERS.test(t.content)) return undefined;
    // markdown-it's HTML patterns take any Unicode space (`\s`) inside and after a tag, CommonMark only ASCII ones.
    if (t.type === 'html_block' && OTHER_SPACE.test(t.content.slice(0, t.content.indexOf('\n') >>> 0))) return undefined;
    if (t.type === 'inline' && t.children?.some((c) => c.type === 'html_inline' && OTHER_SPACE.test(c.content))) return undefined;
  }
  // Right after an indented code block, micromark reads an ordered list that does not start at 1 as a paragraph
  // (`    a\n2) a`, with or without a blank line between); markdown-it reads a list, as CommonMark does.
  for (let i = 0; i + 1 < tokens.length; i++) {
    const next = tokens[i + 1] as Token;
    if ((tokens[i] as Token).type === 'code_block' && next.type === 'ordered_list_open' && Number(next.attrGet('start') ?? 1) !== 1) return undefined;
  }
  try {
    return { type: 'root', children: blocks(tokens, 0, tokens.length, { source: markdown, items: 0 }) };
  } catch (err) {
    if (err instanceof NeedsRemark) return undefined;
    throw err;
  }
}
