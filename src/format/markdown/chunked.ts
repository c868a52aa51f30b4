/**
 * Bounded memory for big pages: the Markdown ⇄ storage converters run on one top-level block run at a time, and the
 * pieces are concatenated. micromark tokenizes a whole document at once and its transient events cost ~100× the
 * text (list-heavy text ~1000×); a chunk of CHUNK_BYTES keeps that bounded whatever the page size.
 *
 * The split is made only where it provably changes nothing, by cheap line (or tag) scanners:
 * - Markdown: before a line at column 0 that follows a blank line and starts a new top-level block (not a list item,
 *   not inside a top-level fence or an HTML block that runs past blank lines, not after an HTML block, whose attrs
 *   comment applies to the next block); and inside a tight top-level list, before an item at column 0 with the same
 *   marker when every line since the list began is an item of that list or indented into its current item. Such a
 *   list's pieces are converted as lists and joined back into one (`</ul><ul>` taken out); the join is checked and
 *   anything unexpected falls back to the whole document.
 * - Link reference definitions and footnote definitions are document-global: a text with anything like one, or with
 *   a lone CR line ending, is converted whole.
 * - Storage: between two top-level `<p>`/`<h1-6>` elements with nothing between them; each piece converts to
 *   paragraphs and headings, which Markdown joins with one blank line.
 * Small texts (under CHUNK_BYTES) never split. The laws are the converters' own; a test checks chunked = whole on
 * the corpora with a tiny chunk size.
 */
import type { ConvertContext, ConvertResult } from '../types.js';
import type { Root } from 'mdast';
import { markdownToStorage, markdownToStorageWith } from './markdown-to-storage.js';
import { fastParse, fastTextOk, INDENTED_BLANK } from './parse-fast.js';
import { parseMarkdownRemark } from './processors.js';
import { restoreServerAttrs } from './server-attrs.js';
import { storageToMarkdown } from './to-markdown.js';
import { withTightHeap } from '../../core/heap.js';

export const CHUNK_BYTES = 16 * 1024;

/** Anything like the end of a definition's label (`[label]:`, `[^note]:`, labels may span lines): converted whole. */
const DEFINITION = /\]:/;
/** Anything that may be a list item, tabs and empty items included (for the blank-line look-ahead). */
const MAYBE_ITEM = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
/** A bullet or ordered list item start at column 0 (not a thematic break): marker, the spaces and tabs after it. */
const ITEM = /^(?:([-*+])|(\d{1,9})([.)]))([ \t]*)(.?)/;
const THEMATIC = /^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HTML_UNTIL: Array<[RegExp, RegExp]> = [
  [/^ {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
  [/^ {0,3}<![A-Za-z]/, />/],
];

interface Item {
  marker: string;
  /** Columns of content indentation: lines indented at least this far continue the item. */
  width: number;
}

function itemAt(line: string): Item | undefined {
  if (THEMATIC.test(line)) return undefined;
  const m = ITEM.exec(line);
  if (!m) return undefined;
  const markerText = m[1] ?? `${m[2] as string}${m[3] as string}`;
  const marker = m[1] ?? (m[3] as string);
  const gap = m[4] as string;
  const next = m[5] as string;
  // An empty item, or one whose text starts on the next line: indented one column past the marker (CommonMark).
  if (next === '') return { marker, width: markerText.length + 1 };
  if (gap === '') return undefined; // `-foo` is text
  // Columns of the gap after the marker, a tab going to the next multiple of 4 (CommonMark): `-\titem` is indented
  // like `-   item`, `1.\titem` like `1.  item`. Over 4 columns, the item's text is indented code one column in.
  let column = markerText.length;
  for (const c of gap) column = c === '\t' ? column + 4 - (column % 4) : column + 1;
  const spaces = column - markerText.length;
  return { marker, width: markerText.length + (spaces > 4 ? 1 : spaces) };
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

/** A Markdown piece; `joinsList` when it starts inside the tight list the previous piece ends with. */
export interface MarkdownPiece {
  text: string;
  joinsList: boolean;
}

/**
 * Splits Markdown into pieces of about `chunk` characters at safe points (see the module comment); undefined when the
 * text must be converted whole.
 */
export function splitMarkdown(markdown: string, chunk = CHUNK_BYTES): MarkdownPiece[] | undefined {
  if (markdown.length <= chunk) return undefined;
  if (DEFINITION.test(markdown) || /\r(?!\n)/.test(markdown)) return undefined;
  const pieces: MarkdownPiece[] = [];
  let pieceStart = 0;
  let pieceJoins = false;
  let fence: { char: string; len: number } | undefined;
  let htmlEnd: RegExp | undefined;
  let prevBlank = true;
  let blockIsHtml = false;
  // The top-level list being read: its marker, the current item's width, and whether it can still be split.
  let list: { marker: string; width: number; splittable: boolean } | undefined;
  // Offsets where the current list may be split (committed when the list ends tight).
  let listCuts: number[] = [];
  let lastCut = 0;
  // Inside the readable forms that wrap Markdown in HTML lines (`<table>` with Markdown cells, `<details>` around
  // an expand's body; docs/markdown.md): blank lines there do not end the block, so nothing is cut there.
  let formDepth = 0;
  const cut = (at: number, joins: boolean): void => {
    if (at <= pieceStart) return;
    pieces.push({ text: markdown.slice(pieceStart, at), joinsList: pieceJoins });
    pieceStart = at;
    pieceJoins = joins;
  };
  const endList = (loose: boolean): void => {
    if (list && !loose && list.splittable) for (const at of listCuts) cut(at, true);
    list = undefined;
    listCuts = [];
  };
  let pos = 0;
  while (pos < markdown.length) {
    const nl = markdown.indexOf('\n', pos);
    const end = nl < 0 ? markdown.length : nl + 1;
    let line = markdown.slice(pos, nl < 0 ? end : nl);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const blank = /^[ \t]*$/.test(line);
    const outsideForms = formDepth === 0;
    if (!fence) {
      if (/^<(?:table|details)(?:[\s>]|$)/.test(line)) formDepth++;
      else if (formDepth > 0 && /^<\/(?:table|details)>/.test(line)) formDepth--;
    }
    let topLevel = false;
    if (fence) {
      const m = FENCE.exec(line);
      if (m && (m[1] as string)[0] === fence.char && (m[1] as string).length >= fence.len && (m[2] as string).trim() === '') fence = undefined;
    } else if (list) {
      const item = blank ? undefined : itemAt(line);
      if (blank) {
        // Looks ahead: the list goes on after a blank line (it is loose: never split) or ends here.
        let next = end;
        let nextLine = '';
        while (next < markdown.length) {
          const e = markdown.indexOf('\n', next);
          nextLine = markdown.slice(next, e < 0 ? markdown.length : e).replace(/\r$/, '');
          if (!/^[ \t]*$/.test(nextLine)) break;
          next = e < 0 ? markdown.length : e + 1;
        }
        const goesOn = next < markdown.length && (/^[ \t]/.test(nextLine) || MAYBE_ITEM.test(nextLine));
        if (goesOn) list.splittable = false;
        else endList(false);
      } else if (item && item.marker === list.marker) {
        if (list.splittable && outsideForms && !prevBlank && pos - lastCut >= chunk) {
          listCuts.push(pos);
          lastCut = pos;
        }
        list.width = item.width;
      } else if (/^ *\t/.test(line)) {
        list.splittable = false; // a tab in the indentation: not worth reasoning about
      } else if (indentOf(line) < list.width) {
        // A lazy line or the list's end (a fence or an HTML block inside an item ends with the item).
        endList(true);
        topLevel = true;
      }
    } else if (htmlEnd) {
      if (htmlEnd.test(line)) htmlEnd = undefined;
    } else if (!blank) {
      topLevel = true;
    }
    if (topLevel) {
      const atBlockStart = prevBlank;
      const item = itemAt(line);
      const htmlBefore = blockIsHtml;
      if (outsideForms && atBlockStart && !htmlBefore && !MAYBE_ITEM.test(line) && /^[^ \t]/.test(line) && pos - lastCut >= chunk) {
        cut(pos, false);
        lastCut = pos;
      }
      const startsHtml = /^ {0,3}</.test(line);
      blockIsHtml = atBlockStart ? startsHtml : blockIsHtml || startsHtml;
      const f = FENCE.exec(line);
      const isFence = f !== null && !((f[1] as string).startsWith('`') && (f[2] as string).includes('`'));
      // In a block that began as (or holds) HTML, a fence line is HTML or a fence: do not guess.
      if (isFence && blockIsHtml && !atBlockStart) return undefined;
      if (isFence) {
        fence = { char: (f[1] as string)[0] as string, len: (f[1] as string).length };
      } else if (item && !blockIsHtml) {
        list = { marker: item.marker, width: item.width, splittable: atBlockStart && !htmlBefore };
      } else {
        for (const [open, close] of HTML_UNTIL) {
          if (open.test(line) && !close.test(line.replace(open, ''))) htmlEnd = close;
        }
        // An HTML comment that opens and does not close on this line may run past blank lines.
        const open = line.lastIndexOf('<!--');
        if (!htmlEnd && open >= 0 && !line.includes('-->', open + 4)) htmlEnd = /-->/;
      }
    }
    prevBlank = blank;
    pos = end;
  }
  endList(false);
  if (pieces.length === 0) return undefined;
  pieces.push({ text: markdown.slice(pieceStart), joinsList: pieceJoins });
  return pieces;
}

/** Texts at least this big convert with a tight heap (see `tightHeap`). */
export const TIGHT_HEAP_BYTES = 1024 * 1024;

/**
 * Runs a big conversion with V8's old generation grown by at most 10% of what is alive after each full collection.
 * micromark's events and the trees of a piece outlive several young collections (the CLI keeps the young generation
 * small), so they are promoted, and by default V8 lets the old generation grow to up to four times what was alive
 * before it collects: the garbage of a 2 MB page alone reached ~70 MB over the CLI's own size. Measured on 2 MB of
 * prose: 168 → 151 MB peak RSS for ~10% more time (BENCHMARKS.md, push-huge-page, branch pushmem). The process's
 * setting comes back when the conversion ends (conversions are synchronous: nothing else runs meanwhile).
 */
function tightHeap<T>(size: number, run: () => T): T {
  return size < TIGHT_HEAP_BYTES ? run() : withTightHeap(10, run);
}

const LIST_OPEN = /^<(ul|ol|ac:task-list)(?: start="\d+")?>/;

/** Markdown → storage, piece by piece when the text is big; the same result as `markdownToStorage`. */
export function markdownToStorageChunked(markdown: string, context: ConvertContext, chunk = CHUNK_BYTES): ConvertResult {
  return tightHeap(markdown.length, () => markdownToStorageInPieces(markdown, context, chunk));
}

function markdownToStorageInPieces(markdown: string, context: ConvertContext, chunk: number): ConvertResult {
  const pieces = splitMarkdown(markdown, chunk);
  if (!pieces) return markdownToStorage(markdown, context);
  const local: ConvertContext = { ...context, base: undefined };
  // Every piece is read by the reader the whole text would get (parse-fast.ts): remark when the text alone sends it
  // there; else markdown-it, and a piece markdown-it leaves to remark sends the whole text to the whole conversion
  // (the two readers part ways on a few CommonMark corners, and a piece is not the whole).
  const indentedBlank = INDENTED_BLANK.test(markdown);
  const read = fastTextOk(markdown)
    ? (text: string): Root => {
        const tree = fastParse(text, indentedBlank);
        if (!tree) throw new Error('a piece needs the reference reader');
        return tree;
      }
    : parseMarkdownRemark;
  const parts: string[] = [];
  const warnings: string[] = [];
  for (const piece of pieces) {
    const r = markdownToStorageWith(read, piece.text, local);
    // A piece the converter kept raw, or one that came out malformed: convert the whole text instead.
    if (r.warnings.some((w) => w.startsWith('Markdown could not be converted') || w.startsWith('the Markdown produced malformed'))) {
      return markdownToStorage(markdown, context);
    }
    let text = r.text;
    if (piece.joinsList) {
      const prev = parts[parts.length - 1] ?? '';
      const open = LIST_OPEN.exec(text);
      const close = open ? `</${open[1] as string}>` : '';
      if (!open || !prev.endsWith(close)) return markdownToStorage(markdown, context);
      parts[parts.length - 1] = prev.slice(0, prev.length - close.length);
      text = text.slice(open[0].length);
    }
    parts.push(text);
    for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
  }
  const joined = parts.join('');
  parts.length = 0;
  return { text: context.base === undefined ? joined : restoreServerAttrs(joined, context.base), warnings };
}

/**
 * What `markdownToStorageChunked(markdown, { ...context, base })` gives, from `storage` =
 * `markdownToStorageChunked(markdown, context)` (no base): the base only restores the attributes Confluence added
 * (server-attrs.ts), so a body converted once serves both the comparison with its base and the update.
 */
export function restoreBaseAttrs(storage: string, base: string): string {
  return restoreServerAttrs(storage, base);
}

const BLOCK_NAME = /^(?:p|h[1-6])$/;
/** A top-level list's opening tag that a piece can repeat as it is (an ordered list with its start number). */
const LIST_TAG = /^<(?:(ul)|(ol)(?: start="(\d{1,9})")?|(ac:task-list))>$/;

/**
 * A piece of a storage body: `storage.slice(from, to)`, converted alone. A piece of a top-level list split between
 * its items (`list`) is converted inside the list's tags (`open`, `close`); `joins` when its Markdown continues the
 * list the previous piece ends with (joined without a blank line).
 */
export interface StoragePiece {
  from: number;
  to: number;
  list?: { open: string; close: string; joins: boolean } | undefined;
}

interface ListScan {
  start: number;
  name: string;
  /** The number of the first item (ordered lists), else undefined. */
  first: number | undefined;
  itemName: string;
  /** Offsets of item open tags right after the previous item's close, with the number of items before them. */
  bounds: Array<[offset: number, before: number]>;
  items: number;
  lastItemEnd: number;
  ok: boolean;
  /** A paragraph or heading (or nothing) right before it: its Markdown does not depend on what came before. */
  freeBefore: boolean;
}

/**
 * Pieces of `storage` of about `chunk` characters: cut between two top-level `<p>`/`<hN>` elements with nothing
 * between them, and a big top-level list with nothing but `<p>`/`<hN>` (or the body's ends) right around it, on its
 * own and between its items. A cheap tag scanner: comments, CDATA, processing instructions and quoted attribute
 * values are skipped. Undefined when the body does not scan as well-formed at the top level or has nothing to cut
 * (it is then converted whole).
 */
export function storagePieces(storage: string, chunk = CHUNK_BYTES): StoragePiece[] | undefined {
  if (storage.length <= chunk) return undefined;
  const cuts: number[] = [];
  const lists: Array<{ scan: ListScan; end: number }> = [];
  let depth = 0;
  let lastEndName = '';
  let lastEnd = -1;
  let lastCut = 0;
  let list: ListScan | undefined;
  // A finished list waiting to see what follows it.
  let done: { scan: ListScan; end: number } | undefined;
  const settle = (freeAfter: boolean): void => {
    if (done && freeAfter && done.scan.ok && done.end - done.scan.start > chunk && done.scan.bounds.length) lists.push(done);
    done = undefined;
  };
  let i = storage.indexOf('<');
  while (i >= 0) {
    let next: number;
    if (storage.startsWith('<!--', i)) {
      next = storage.indexOf('-->', i + 4);
      if (next < 0) return undefined;
      next += 3;
      if (depth === 0) lastEnd = -1;
      if (depth === 0) settle(false);
      else if (depth === 1 && list) list.ok = false;
    } else if (storage.startsWith('<![CDATA[', i)) {
      next = storage.indexOf(']]>', i + 9);
      if (next < 0) return undefined;
      next += 3;
      if (depth === 0) lastEnd = -1;
      if (depth === 0) settle(false);
      else if (depth === 1 && list) list.ok = false;
    } else if (storage.startsWith('<?', i) || storage.startsWith('<!', i)) {
      next = storage.indexOf('>', i + 2);
      if (next < 0) return undefined;
      next += 1;
      if (depth === 0) lastEnd = -1;
      if (depth === 0) settle(false);
      else if (depth === 1 && list) list.ok = false;
    } else {
      const closing = storage.charCodeAt(i + 1) === 47; // '/'
      let j = i + (closing ? 2 : 1);
      const nameStart = j;
      while (j < storage.length && !/[\s/>]/.test(storage[j] as string)) j++;
      const name = storage.slice(nameStart, j);
      let quote = '';
      for (; j < storage.length; j++) {
        const c = storage[j] as string;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= storage.length || name === '') return undefined;
      next = j + 1;
      const selfClosing = !closing && storage.charCodeAt(j - 1) === 47;
      if (closing) {
        depth--;
        if (depth < 0) return undefined;
        if (depth === 0) {
          lastEndName = name;
          lastEnd = next;
          if (list) {
            done = { scan: list, end: next };
            list = undefined;
          }
        } else if (depth === 1 && list && name === list.itemName) list.lastItemEnd = next;
      } else {
        if (depth === 0) {
          const adjacentBlock = lastEnd === i && BLOCK_NAME.test(lastEndName);
          settle((adjacentBlock || lastEnd === i) && BLOCK_NAME.test(name));
          if (adjacentBlock && BLOCK_NAME.test(name) && i - lastCut >= chunk) {
            cuts.push(i);
            lastCut = i;
          }
          const tag = selfClosing ? null : LIST_TAG.exec(storage.slice(i, next));
          if (tag) {
            const itemName = tag[4] ? 'ac:task' : 'li';
            list = { start: i, name, first: tag[2] ? Number(tag[3] ?? 1) : undefined, itemName, bounds: [], items: 0, lastItemEnd: -1, ok: true, freeBefore: i === 0 || adjacentBlock };
            list.ok = list.freeBefore;
          }
          lastEnd = selfClosing ? -1 : lastEnd;
        } else if (depth === 1 && list) {
          if (name !== list.itemName || selfClosing) list.ok = false;
          else {
            if (list.items > 0) {
              if (list.lastItemEnd !== i) list.ok = false;
              else list.bounds.push([i, list.items]);
            } else if (i !== storage.indexOf('>', list.start) + 1) list.ok = false;
            list.items++;
          }
        }
        if (!selfClosing) depth++;
      }
    }
    const lt = storage.indexOf('<', next);
    // Text at the top level between elements: no cut right after it; text between a list's items: not split.
    if (lt !== next) {
      if (depth === 0) {
        lastEnd = -1;
        if (lt >= 0 || next < storage.length) settle(false);
      } else if (depth === 1 && list) list.ok = false;
    }
    i = lt;
  }
  if (depth !== 0) return undefined;
  settle(true);
  if (!cuts.length && !lists.length) return undefined;
  // Cut points: the block cuts outside the lists, and each list's start, end and item bounds every `chunk`.
  const points: Array<{ at: number; inList?: { scan: ListScan; before: number } }> = [];
  for (const at of cuts) if (!lists.some((l) => at > l.scan.start && at < l.end)) points.push({ at });
  for (const l of lists) {
    points.push({ at: l.scan.start }, { at: l.end });
    let last = l.scan.start;
    for (const [at, before] of l.scan.bounds) {
      if (at - last < chunk) continue;
      points.push({ at, inList: { scan: l.scan, before } });
      last = at;
    }
  }
  points.sort((a, b) => a.at - b.at);
  const pieces: StoragePiece[] = [];
  let from = 0;
  let open: { scan: ListScan; before: number } | undefined;
  for (const p of [...points, { at: storage.length }]) {
    if (p.at <= from) continue;
    const closeTag = (s: ListScan) => `</${s.name}>`;
    const openTag = (s: ListScan, before: number) => (s.first === undefined ? `<${s.name}>` : `<ol start="${s.first + before}">`);
    const piece: StoragePiece = { from, to: p.at };
    if (open || ('inList' in p && p.inList)) {
      const scan = (open?.scan ?? (p as { inList: { scan: ListScan } }).inList.scan);
      piece.list = { open: open ? openTag(scan, open.before) : '', close: 'inList' in p && p.inList ? closeTag(scan) : '', joins: open !== undefined };
    }
    open = 'inList' in p && p.inList ? p.inList : undefined;
    pieces.push(piece);
    from = p.at;
  }
  return pieces.length > 1 ? pieces : undefined;
}

/** Offsets where `storagePieces` cuts `storage` (the start of every piece but the first); undefined when it does not. */
export function storageCuts(storage: string, chunk = CHUNK_BYTES): number[] | undefined {
  return storagePieces(storage, chunk)?.slice(1).map((p) => p.from);
}

/** Storage → Markdown, piece by piece when the body is big; the same result as `storageToMarkdown`. */
export function storageToMarkdownChunked(storage: string, context: ConvertContext, chunk = CHUNK_BYTES): ConvertResult {
  return tightHeap(storage.length, () => storageToMarkdownInPieces(storage, context, chunk));
}

/** The bullet (or an ordered list's delimiter) a piece of a list starts with. */
const ITEM_START = /^(?:([-*+])|\d{1,9}([.)]))(?: |\n)/;

function storageToMarkdownInPieces(storage: string, context: ConvertContext, chunk: number): ConvertResult {
  const pieces = storagePieces(storage, chunk);
  if (!pieces) return storageToMarkdown(storage, context);
  const parts: string[] = [];
  const warnings: string[] = [];
  // The marker the list being split began with: every piece of it must write the same one, and all tight.
  let marker: string | undefined;
  for (const p of pieces) {
    const slice = storage.slice(p.from, p.to);
    const r = storageToMarkdown(p.list ? p.list.open + slice + p.list.close : slice, context);
    // The scanner was wrong about a piece (it is malformed alone): convert the whole body instead.
    if (r.warnings.some((w) => w.startsWith('malformed storage') || w.startsWith('storage could not be converted'))) return storageToMarkdown(storage, context);
    if (p.list) {
      const m = ITEM_START.exec(r.text);
      const mk = m ? (m[1] ?? m[2]) : undefined;
      // A loose list (blank lines between its items) or a marker that depends on the list's first item: whole.
      if (mk === undefined || r.text.includes('\n\n') || (p.list.joins && mk !== marker)) return storageToMarkdown(storage, context);
      marker = mk;
    }
    for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
    if (r.text === '') continue;
    if (p.list?.joins) parts[parts.length - 1] += r.text;
    else parts.push(r.text);
  }
  return { text: parts.join('\n'), warnings };
}

/**
 * `storageToMarkdownChunked(storage, context).text` when it differs from `markdown`, else undefined — without
 * building the whole Markdown when they are the same: each piece, once converted, is compared with `markdown` where
 * it falls and dropped (a push normalising a big file that is already as the converter writes it kept one more copy
 * of the page, and the pieces' garbage, to find that out). Once a piece differs, the text is built from there on
 * (what came before it is `markdown`'s own start). The same pieces and fallbacks as `storageToMarkdownChunked`.
 */
export function storageToMarkdownIfDiffers(storage: string, markdown: string, context: ConvertContext, chunk = CHUNK_BYTES): string | undefined {
  return tightHeap(storage.length, () => {
    const whole = (): string | undefined => {
      const text = storageToMarkdown(storage, context).text;
      return text === markdown ? undefined : text;
    };
    const pieces = storagePieces(storage, chunk);
    if (!pieces) return whole();
    // Matched so far: markdown.slice(0, at); `built` once a piece differed (the text from the start, in parts).
    let at = 0;
    let built: string[] | undefined;
    let emitted = false;
    const emit = (s: string): void => {
      if (built) built.push(s);
      else if (markdown.startsWith(s, at)) at += s.length;
      else built = [markdown.slice(0, at), s];
    };
    let marker: string | undefined;
    for (const p of pieces) {
      const slice = storage.slice(p.from, p.to);
      const r = storageToMarkdown(p.list ? p.list.open + slice + p.list.close : slice, context);
      if (r.warnings.some((w) => w.startsWith('malformed storage') || w.startsWith('storage could not be converted'))) return whole();
      if (p.list) {
        const m = ITEM_START.exec(r.text);
        const mk = m ? (m[1] ?? m[2]) : undefined;
        if (mk === undefined || r.text.includes('\n\n') || (p.list.joins && mk !== marker)) return whole();
        marker = mk;
      }
      if (r.text === '') continue;
      // The whole conversion joins its parts with a line break, a piece continuing a list without one.
      if (p.list?.joins) {
        // Nothing before it to join: the whole conversion drops it too (never so: a list piece came before).
        if (!emitted) continue;
      } else if (emitted) emit('\n');
      emit(r.text);
      emitted = true;
    }
    if (built) return built.join('');
    return at === markdown.length ? undefined : markdown.slice(0, at);
  });
}
