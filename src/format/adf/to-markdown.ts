/**
 * Atlassian Document Format (Jira Cloud's and Confluence Cloud's JSON bodies) → GitHub-flavoured Markdown, for
 * reading: exports, context files, the HTML and PDF renderers (which parse this Markdown).
 *
 * Mapping: paragraphs, headings, bullet/ordered/task lists (nested), code blocks with their language, GFM tables
 * (row by row when cells hold more than one line of text or span cells), panels as GitHub alerts (info → NOTE,
 * success → TIP, note → IMPORTANT, warning → WARNING, error → CAUTION: the same colours), blockquotes, rules, hard
 * breaks; marks strong, em, code, strike, underline (`<u>`), link, sub/sup (colours and annotations are left
 * out); mentions `@Name`, emoji (the character, else `:shortName:`), dates (ISO day), status `[DONE]`, media (image
 * links by attachment name), cards (links), expands (a bold title over their content), decisions, layouts (columns
 * one after the other) and extensions (their name, and their body when they have one).
 *
 * It never throws and never drops words: a value that is not ADF reads as text, a node of an unknown type keeps its
 * text under a note naming the type (`[unknown: …]`), wrong attribute types are ignored, and a tree too deep to walk
 * recursively falls back to its plain text.
 */
import { autolink, codeFence, escapeText, guardLines, prefixLines } from '../md-text.js';
import { inlineToMarkdown, mediaLink, cardUrl, type InlineOptions } from './inline.js';
import { isInline, num, plainText, readNode, str, type AdfNode } from './node.js';
import { tableToMarkdown } from './table.js';

export interface AdfToMarkdownOptions {
  /**
   * Where a media file (an attachment) links to, from the media node's attributes (`id`, `alt` — usually the file
   * name —, `collection`). Default: the file name, else the id.
   */
  mediaTarget?: (attrs: Record<string, unknown>) => string;
}

const ALERT: Record<string, string> = { info: 'NOTE', note: 'IMPORTANT', success: 'TIP', tip: 'TIP', warning: 'WARNING', error: 'CAUTION' };

/** Markdown for an ADF document (or any value: see the module comment). Ends with a line break unless empty. */
export function adfToMarkdown(doc: unknown, options: AdfToMarkdownOptions = {}): string {
  const ctx: Ctx = {
    mediaTarget: options.mediaTarget ?? ((a) => str(a, 'alt') || str(a, 'id')),
    inTable: false,
    inHeading: false,
  };
  let out: string;
  try {
    if (doc === null || doc === undefined) return '';
    if (typeof doc === 'string') out = doc.replace(/\r\n?/g, '\n').trim();
    else if (Array.isArray(doc)) out = blocks(doc, ctx);
    else {
      const n = readNode(doc);
      out = n.type === 'doc' || (n.type === '' && n.text === undefined) ? blocks(n.content, ctx) : blocks([doc], ctx);
    }
  } catch {
    // Only a tree nested deeper than the stack allows gets here: its words, without structure.
    out = plainText(doc)
      .split(/\n{2,}/)
      .map((p) => guardLines(escapeText(p)))
      .join('\n\n');
  }
  out = out.replace(/\n{3,}/g, '\n\n').replace(/^\n+|\s+$/g, '');
  return out ? `${out}\n` : '';
}

interface Ctx extends InlineOptions {
  /** This list follows a list of the same kind: `*` bullets or `1)` numbers, so that the two stay two lists. */
  altMarker?: boolean;
}

const LIST_FAMILY: Record<string, string> = { bulletList: 'bullet', taskList: 'bullet', decisionList: 'bullet', orderedList: 'ordered' };

/** Block content: consecutive inline nodes (where blocks belong) are gathered into one paragraph. */
export function blocks(content: readonly unknown[], ctx: Ctx): string {
  const parts: string[] = [];
  let run: unknown[] = [];
  const flush = () => {
    const p = run.length ? paragraph(run, ctx) : '';
    run = [];
    if (p) {
      parts.push(p);
      prevFamily = '';
    }
  };
  let prevFamily = '';
  let prevAlt = false;
  for (const raw of content) {
    if (raw === null || raw === undefined) continue;
    const n = readNode(raw);
    if (isInline(n)) {
      run.push(raw);
      continue;
    }
    flush();
    // Two lists in a row with the same kind of marker would read as one list: the second one uses the other marker.
    const family = LIST_FAMILY[n.type] ?? '';
    const alt: boolean = family !== '' && family === prevFamily && !prevAlt;
    const b = block(n, alt ? { ...ctx, altMarker: true } : ctx);
    if (b.trim() === '') continue;
    prevFamily = family;
    prevAlt = alt;
    parts.push(b);
  }
  flush();
  return parts.join('\n\n');
}

function paragraph(content: readonly unknown[], ctx: Ctx): string {
  return guardLines(inlineToMarkdown(content, ctx).replace(/(\\\n)+$/, '')).trim();
}

function block(n: AdfNode, ctx: Ctx): string {
  switch (n.type) {
    case 'doc':
    case 'layoutSection':
    case 'layoutColumn':
      return blocks(n.content, ctx);
    case 'paragraph':
      return paragraph(n.content, ctx);
    case 'heading': {
      const level = Math.min(6, Math.max(1, Math.trunc(num(n.attrs, 'level', 1))));
      const text = inlineToMarkdown(n.content, { ...ctx, inHeading: true }).replace(/\s+/g, ' ').trim();
      return text ? `${'#'.repeat(level)} ${text.replace(/#+$/, (m) => '\\#'.repeat(m.length))}` : '';
    }
    case 'bulletList':
    case 'taskList':
    case 'decisionList': {
      const bullet = ctx.altMarker ? '*' : '-';
      return list(n, () => bullet, { ...ctx, altMarker: false });
    }
    case 'orderedList': {
      const start = Math.min(999_999_999, Math.max(0, Math.trunc(num(n.attrs, 'order', 1))));
      const dot = ctx.altMarker ? ')' : '.';
      return list(n, (i) => `${start + i}${dot}`, { ...ctx, altMarker: false });
    }
    case 'listItem':
    case 'taskItem':
    case 'blockTaskItem':
    case 'decisionItem':
      // An item outside its list: a one-item list.
      return list({ ...n, content: [rawOf(n)] }, () => '-', ctx);
    case 'codeBlock':
      return codeFence(n.content.map((c) => readNode(c).text ?? plainText(c)).join(''), str(n.attrs, 'language'));
    case 'blockquote':
      return prefixLines(blocks(n.content, ctx) || '', '> ');
    case 'rule':
      return '---' + extraText(n);
    case 'panel': {
      const kind = ALERT[str(n.attrs, 'panelType')] ?? 'NOTE';
      const body = blocks(n.content, ctx);
      return prefixLines(body ? `[!${kind}]\n${body}` : `[!${kind}]`, '> ');
    }
    case 'table':
      return tableToMarkdown(n, ctx, blocks);
    case 'mediaSingle':
    case 'mediaGroup':
      return media(n, ctx);
    case 'media':
      return mediaLink(n.attrs, ctx, str(n.attrs, 'type') !== 'file' || isImageName(str(n.attrs, 'alt'))) + extraText(n);
    case 'caption':
      return paragraph(n.content, ctx);
    case 'blockCard':
    case 'embedCard': {
      const url = cardUrl(n.attrs);
      return autolink(url) + extraText(n);
    }
    case 'expand':
    case 'nestedExpand': {
      const title = str(n.attrs, 'title').trim();
      const body = blocks(n.content, ctx);
      return [`**${escapeText(title || 'Details')}**`, body].filter(Boolean).join('\n\n');
    }
    case 'extension':
    case 'bodiedExtension':
    case 'multiBodiedExtension':
    case 'extensionFrame': {
      const name = str(n.attrs, 'extensionKey') || n.type;
      const text = str(n.attrs, 'text');
      const head = escapeText(`[${name}${text ? `: ${text}` : ''}]`);
      const body = blocks(n.content, ctx);
      return [`*${head}*`, body].filter(Boolean).join('\n\n');
    }
    case 'tableRow':
    case 'tableCell':
    case 'tableHeader':
      // Table parts outside a table: a table of their own.
      return tableToMarkdown({ ...n, type: 'table', content: n.type === 'tableRow' ? [rawOf(n)] : [{ type: 'tableRow', content: [rawOf(n)] }] }, ctx, blocks);
    default: {
      // A type this converter does not know (or a node without a type): its content, under a note of its type.
      const note = `*${escapeText(`[unknown: ${n.type || 'node without a type'}]`)}*`;
      const body = blocks(n.content, ctx);
      const words = n.text ? guardLines(escapeText(n.text)) : '';
      return [note, words, body].filter(Boolean).join('\n\n');
    }
  }
}

/** Back from a read node to a value that readNode reads the same way. */
function rawOf(n: AdfNode): Record<string, unknown> {
  return { type: n.type, attrs: n.attrs, content: n.content, ...(n.text !== undefined ? { text: n.text } : {}), marks: n.marks };
}

/** Text a leaf block holds though it should not (`rule` with content): kept, never dropped. */
function extraText(n: AdfNode): string {
  const t = n.content.length ? plainText({ content: n.content }) : '';
  return t ? `\n\n${guardLines(escapeText(t))}` : '';
}

function isImageName(name: string): boolean {
  return /\.(png|jpe?g|gif|svg|webp|bmp|tiff?)$/i.test(name);
}

/** mediaSingle (one image with an optional caption) and mediaGroup (files in a row). */
function media(n: AdfNode, ctx: Ctx): string {
  const lines: string[] = [];
  const rest: unknown[] = [];
  for (const raw of n.content) {
    const c = readNode(raw);
    if (c.type === 'media' || c.type === 'mediaInline') {
      const image = n.type === 'mediaSingle' || str(c.attrs, 'type') === 'external' || isImageName(str(c.attrs, 'alt'));
      lines.push(mediaLink(c.attrs, ctx, image));
    } else if (c.type === 'caption') {
      const cap = inlineToMarkdown(c.content, ctx).trim();
      if (cap) lines.push(`*${cap}*`);
    } else rest.push(raw);
  }
  const sep = n.type === 'mediaGroup' ? '\n\n' : '\\\n';
  return [lines.join(sep), blocks(rest, ctx)].filter(Boolean).join('\n\n');
}

/** Lists of all kinds; an item's first block follows its marker, the rest are indented under it. */
function list(n: AdfNode, marker: (i: number) => string, ctx: Ctx): string {
  const items: string[] = [];
  let index = 0;
  for (const raw of n.content) {
    const c = readNode(raw);
    // A list directly inside a list (how ADF nests task lists) belongs to the item before it.
    if ((c.type === 'taskList' || c.type === 'bulletList' || c.type === 'orderedList' || c.type === 'decisionList') && items.length) {
      const prev = items.length - 1;
      const indent = ' '.repeat(markerWidth(items[prev]!));
      items[prev] = `${items[prev]!}\n${prefixLines(block(c, ctx), indent)}`;
      continue;
    }
    const m = marker(index++);
    let head = '';
    let body: unknown[] = c.content;
    if (c.type === 'taskItem' || c.type === 'blockTaskItem') head = str(c.attrs, 'state').toUpperCase() === 'DONE' ? '[x] ' : '[ ] ';
    else if (c.type === 'decisionItem') head = str(c.attrs, 'state').toUpperCase() === 'DECIDED' ? '**Decision:** ' : '**Decision (undecided):** ';
    else if (c.type !== 'listItem') body = [raw];
    const text = itemBlocks(body, ctx);
    const indent = ' '.repeat(m.length + 1);
    items.push(prefixLines(head + text || head.trim() || '', `${m} `, indent).replace(/[ \t]+$/, ''));
  }
  return items.join('\n');
}

function markerWidth(item: string): number {
  const m = /^(\S+) /.exec(item);
  return (m?.[1]?.length ?? 1) + 1;
}

/** An item's blocks: a nested list follows its paragraph on the next line (the list stays tight). */
function itemBlocks(content: readonly unknown[], ctx: Ctx): string {
  let out = '';
  let run: unknown[] = [];
  let prevWasText = false;
  const flush = () => {
    if (!run.length) return;
    const p = paragraph(run, ctx);
    run = [];
    if (!p) return;
    out += (out ? '\n\n' : '') + p;
    prevWasText = true;
  };
  for (const raw of content) {
    const c = readNode(raw);
    if (isInline(c)) {
      run.push(raw);
      continue;
    }
    flush();
    const b = block(c, ctx);
    if (!b.trim()) continue;
    const isList = /^(bulletList|orderedList|taskList|decisionList)$/.test(c.type);
    out += out ? (isList && prevWasText ? '\n' : '\n\n') + b : b;
    prevWasText = c.type === 'paragraph';
  }
  flush();
  return out;
}
