/**
 * ADF inline content → Markdown: text with marks, mentions, emoji, dates, status lozenges, inline cards, inline
 * media and extensions. Marks are opened and closed like ProseMirror's Markdown serializer does it: a mark that
 * spans several neighbouring nodes is written once around all of them (`**a *b***`, not `**a****_b_**`), whitespace
 * at a mark's edge goes outside the delimiters (`** x**` would not be bold), and code spans hold their text verbatim.
 */
import { autolink, codeSpan, escapeText, linkDestination } from '../md-text.js';
import { readNode, str, num, plainText, type AdfMark, type AdfNode } from './node.js';
import { emojiText } from './emoji.js';

export interface InlineOptions {
  /** Where a media file links to (by attachment id and name); the default is the file name, else the id. */
  mediaTarget: (attrs: Record<string, unknown>) => string;
  /** Inside a GFM table cell: line breaks become `<br>`. */
  inTable: boolean;
  /** Inside a heading: line breaks become spaces. */
  inHeading: boolean;
}

/** Marks written as Markdown delimiters, outermost first when several open at once. */
const RANK: Record<string, number> = { link: 0, strike: 1, strong: 2, em: 3, underline: 4, subsup: 5 };

interface Item {
  /** Markdown of the item itself (escaped text, or the rendering of an inline node). */
  md: string;
  /** Whether `md` is plain text (its edge blanks are in `lead` and `trail`, outside any delimiters). */
  isText: boolean;
  lead: string;
  trail: string;
  marks: AdfMark[];
  code: boolean;
}

const key = (m: AdfMark) => (m.type === 'link' ? `link ${str(m.attrs, 'href')}` : m.type === 'subsup' ? `subsup ${str(m.attrs, 'type')}` : m.type);

function open(m: AdfMark): string {
  switch (m.type) {
    case 'strong':
      return '**';
    case 'em':
      return '*';
    case 'strike':
      return '~~';
    case 'underline':
      return '<u>';
    case 'subsup':
      return str(m.attrs, 'type') === 'sup' ? '<sup>' : '<sub>';
    case 'link':
      return '[';
    default:
      return '';
  }
}

function close(m: AdfMark): string {
  switch (m.type) {
    case 'strong':
      return '**';
    case 'em':
      return '*';
    case 'strike':
      return '~~';
    case 'underline':
      return '</u>';
    case 'subsup':
      return str(m.attrs, 'type') === 'sup' ? '</sup>' : '</sub>';
    case 'link': {
      const href = str(m.attrs, 'href');
      const title = str(m.attrs, 'title');
      return `](${linkDestination(href)}${title ? ` "${title.replace(/["\\]/g, '\\$&').replace(/\n/g, ' ')}"` : ''})`;
    }
    default:
      return '';
  }
}

/** The Markdown of a run of inline nodes (one paragraph, heading, cell or list item's text). */
export function inlineToMarkdown(nodes: readonly unknown[], opts: InlineOptions): string {
  const items = nodes.filter((raw) => raw !== null && raw !== undefined).map((raw) => toItem(readNode(raw), opts)).filter((it) => it.md + it.lead + it.trail !== '');
  // Marks that do not show in Markdown (colours, annotations, alignment) are left out; whitespace-only text keeps
  // only its link, so that it never sits alone between delimiters.
  for (const it of items) {
    const seen = new Set<string>();
    it.marks = it.marks.filter((m) => m.type in RANK && (m.type !== 'link' || str(m.attrs, 'href') !== '') && !seen.has(key(m)) && seen.add(key(m)));
    if (it.isText && it.md === '') it.marks = it.marks.filter((m) => m.type === 'link');
  }
  let out = '';
  const stack: AdfMark[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const wanted = new Set(it.marks.map(key));
    // Close from the top until every open mark is wanted by this item.
    let keep = 0;
    while (keep < stack.length && wanted.has(key(stack[keep]!))) keep++;
    // Whitespace at the item's edges goes outside any delimiter closed or opened there.
    const { lead, md: text, trail } = it;
    while (stack.length > keep) out += close(stack.pop()!);
    out += lead;
    // Open the missing marks, the ones that last longest first.
    const openNow = it.marks.filter((m) => !stack.some((s) => key(s) === key(m)));
    const lasting = (m: AdfMark) => {
      let j = i + 1;
      while (j < items.length && items[j]!.marks.some((x) => key(x) === key(m))) j++;
      return j;
    };
    openNow.sort((a, b) => lasting(b) - lasting(a) || RANK[a.type]! - RANK[b.type]!);
    for (const m of openNow) {
      out += open(m);
      stack.push(m);
    }
    out += text;
    if (trail) {
      const next = items[i + 1];
      let k = 0;
      while (k < stack.length && next?.marks.some((x) => key(x) === key(stack[k]!))) k++;
      while (stack.length > k) out += close(stack.pop()!);
      out += trail;
    }
  }
  while (stack.length) out += close(stack.pop()!);
  return out;
}

function toItem(n: AdfNode, opts: InlineOptions): Item {
  const marks = n.marks;
  const code = marks.some((m) => m.type === 'code');
  if (n.type === 'text' || (n.type === '' && n.text !== undefined)) {
    const text = (n.text ?? '') + (n.content.length ? plainText({ content: n.content }) : '');
    if (code) return { md: codeSpan(text), isText: false, lead: '', trail: '', marks, code };
    const [, lead = '', core = '', trail = ''] = /^([ \t]*)([\s\S]*?)([ \t]*)$/.exec(text) ?? [];
    return { md: textMd(core, opts), isText: true, lead, trail, marks, code };
  }
  return { md: inlineNode(n, opts), isText: false, lead: '', trail: '', marks, code: false };
}

/** Escaped text; a line break inside a text node is a hard break. */
function textMd(text: string, opts: InlineOptions): string {
  const esc = escapeText(text.replace(/\r\n?/g, '\n'));
  return esc.replace(/\n/g, opts.inHeading ? ' ' : opts.inTable ? '<br>' : '\\\n');
}

/** Inline nodes other than text. */
function inlineNode(n: AdfNode, opts: InlineOptions): string {
  const extra = n.content.length ? escapeText(plainText({ content: n.content })) : '';
  switch (n.type) {
    case 'hardBreak':
      return (opts.inHeading ? ' ' : opts.inTable ? '<br>' : '\\\n') + extra;
    case 'mention': {
      const name = str(n.attrs, 'text') || str(n.attrs, 'id') || 'unknown user';
      return escapeText(name.startsWith('@') ? name : `@${name}`) + extra;
    }
    case 'emoji':
      return emojiText(n.attrs) + extra;
    case 'date':
      return isoDate(n.attrs) + extra;
    case 'status': {
      const text = str(n.attrs, 'text').trim();
      return (text ? escapeText(`[${text.toUpperCase()}]`) : '') + extra;
    }
    case 'inlineCard': {
      const url = cardUrl(n.attrs);
      const name = cardName(n.attrs);
      return (name ? `[${escapeText(name)}](${linkDestination(url)})` : autolink(url)) + extra;
    }
    case 'mediaInline':
      return mediaLink(n.attrs, opts) + extra;
    case 'placeholder':
      return extra;
    case 'inlineExtension': {
      const name = str(n.attrs, 'extensionKey') || 'extension';
      const text = str(n.attrs, 'text');
      return escapeText(`[${name}${text ? `: ${text}` : ''}]`) + extra;
    }
    default: {
      // A block where inline content belongs, or a type this converter does not know: its words and its type.
      const words = plainText({ content: n.content }).replace(/\s*\n\s*/g, ' ');
      const what = n.type || 'untyped node';
      return escapeText(`[${what}${words ? `: ${words}` : ''}]`).replace(/\n/g, ' ');
    }
  }
}

/** A date node's day in ISO form (ADF stores milliseconds since the epoch, usually as a string). */
export function isoDate(attrs: Record<string, unknown>): string {
  const ms = num(attrs, 'timestamp', NaN);
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) return escapeText(str(attrs, 'timestamp') || '[date]');
  return d.toISOString().slice(0, 10);
}

/** A card's address: `url`, or the `url` of its JSON-LD `data`. */
export function cardUrl(attrs: Record<string, unknown>): string {
  const url = str(attrs, 'url');
  if (url) return url;
  const data = attrs.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) return str(data as Record<string, unknown>, 'url');
  return '';
}

function cardName(attrs: Record<string, unknown>): string {
  const data = attrs.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) return str(data as Record<string, unknown>, 'name');
  return '';
}

/** A link (or image) to a media file: its name as the text, its target from the options. */
export function mediaLink(attrs: Record<string, unknown>, opts: Pick<InlineOptions, 'mediaTarget'>, image = false): string {
  const type = str(attrs, 'type');
  const target = type === 'external' || type === 'link' ? str(attrs, 'url') : opts.mediaTarget(attrs);
  const name = str(attrs, 'alt') || str(attrs, 'name') || str(attrs, 'id') || str(attrs, 'url') || 'attachment';
  if (!target) return escapeText(`[${name}]`);
  return `${image ? '!' : ''}[${escapeText(name)}](${linkDestination(target)})`;
}
