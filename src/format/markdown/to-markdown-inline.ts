/**
 * Storage inline content → mdast phrasing. An inline element with no clean Markdown form becomes a `storage:` code
 * span holding its exact source; `null` means even that is impossible (it spans lines) and the caller keeps the
 * whole block verbatim instead.
 */
import type { Html, PhrasingContent } from 'mdast';
import type { XmlElement, XmlNode } from '../xml/nodes.js';
import { attr } from '../xml/nodes.js';
import { escapeText } from '../xml/serialize.js';
import type { AttrEntry } from './syntax.js';
import type { BraceEntry } from './syntax.js';
import { attrsComment, formatBraces, HTML_INLINE, INLINE_PREFIX } from './syntax.js';
import type { ToMarkdownState } from './md-state.js';
import { elementChildren, plain } from './md-helpers.js';
import { macroParts } from './to-markdown-macros.js';
import { HTML_MACRO, MARKDOWN_MACRO, RAW_MARKDOWN } from './to-storage-raw.js';
import { parseMarkdown } from './processors.js';

/**
 * Line breaks as `<br>`: for places where a `\` line break cannot be written. Null when a leading `<br>` would be
 * alone on its line (that reads as an HTML block, not as part of the paragraph).
 */
export function breaksAsHtml(nodes: PhrasingContent[], edgesOnly = false): PhrasingContent[] | null {
  const next = nodes[1];
  if (edgesOnly && nodes[0]?.type === 'break' && (!next || next.type === 'break' || (next.type === 'text' && /^\s/.test(next.value)))) return null;
  return nodes.map((n, i) => {
    if (n.type === 'break' && (!edgesOnly || i === 0 || i === nodes.length - 1)) return { type: 'html', value: '<br>' };
    if (!edgesOnly && 'children' in n) return { ...n, children: breaksAsHtml(n.children as PhrasingContent[]) ?? [] } as PhrasingContent;
    return n;
  });
}

/**
 * A paragraph (or tight item) must not start with raw HTML alone on its line: CommonMark would read an HTML block.
 */
export function safeLineStart(nodes: readonly PhrasingContent[]): boolean {
  const first = nodes[0];
  if (first?.type !== 'html' || first.value.includes('\n')) return true;
  const next = nodes[1];
  return next !== undefined && !(next.type === 'text' && /^\s/.test(next.value)) && next.type !== 'break';
}

export function verbatimInline(node: XmlNode, st: ToMarkdownState): PhrasingContent[] | null {
  const slice = st.source.slice(node.start, node.end);
  if (/[\r\n]/.test(slice)) return null;
  return [{ type: 'inlineCode', value: INLINE_PREFIX + slice }];
}

export function inlineFrom(nodes: readonly XmlNode[], st: ToMarkdownState): PhrasingContent[] | null {
  const out: PhrasingContent[] = [];
  for (const n of nodes) {
    const converted = inlineNode(n, st);
    if (!converted) return null;
    for (const c of converted) {
      const prev = out[out.length - 1];
      if (c.type === 'text' && prev?.type === 'text') prev.value += c.value;
      else if (c.type === 'inlineCode' && prev?.type === 'inlineCode') prev.value = INLINE_PREFIX + asStorage(prev.value) + asStorage(c.value);
      else if ((c.type === 'delete' && prev?.type === 'delete') || (isAttention(c) && prev && isAttention(prev) && (underscored(c) || underscored(prev)))) {
        // `~~a~~~~b~~` would merge into one run; remark writes a second `**` run as `__`, which text holding `_`
        // can split: the second one stays verbatim.
        const kept = verbatimInline(n, st);
        if (!kept) return null;
        out.push(...kept);
      } else out.push(c);
    }
  }
  return out;
}

/**
 * Two code spans side by side would read back as one backtick run, so they become one verbatim span. Storage
 * payloads concatenate exactly; a real code span is written as the <code> element it came from.
 */
function asStorage(code: string): string {
  return code.startsWith(INLINE_PREFIX) ? code.slice(INLINE_PREFIX.length) : `<code>${escapeText(code)}</code>`;
}

function inlineNode(n: XmlNode, st: ToMarkdownState): PhrasingContent[] | null {
  if (n.type === 'text' || n.type === 'cdata') return n.value.includes('\r') ? null : [{ type: 'text', value: n.value }];
  if (n.type !== 'element') return verbatimInline(n, st);
  return cleanInline(n, st) ?? splitInline(n, st) ?? verbatimInline(n, st);
}

/** Elements whose content is text people edit: keep the tags verbatim but the content as Markdown. */
const WRAPPERS = new Set([...HTML_INLINE, 'ac:inline-comment-marker']);

/**
 * `<u>text</u>` stays raw HTML around ordinary Markdown; other wrappers (comment markers) become
 * `storage:<…>`text`storage:</…>`: the start and end tags as verbatim code spans. Either way the words stay editable.
 */
function splitInline(el: XmlElement, st: ToMarkdownState): PhrasingContent[] | null {
  if (!WRAPPERS.has(el.name) || el.children.length === 0) return null;
  const open = st.source.slice(el.start, el.openEnd);
  const close = st.source.slice(el.closeStart, el.end);
  if (/[\r\n]/.test(open + close)) return null;
  const kids = inlineFrom(el.children, st);
  if (!kids || kids.length === 0) return null;
  const first = kids[0] as PhrasingContent;
  const last = kids[kids.length - 1] as PhrasingContent;
  if (first.type === 'break' || last.type === 'break') return null;
  if (HTML_INLINE.has(el.name) && first.type !== 'html' && last.type !== 'html') {
    return [{ type: 'html', value: open }, ...kids, { type: 'html', value: close }];
  }
  return [{ type: 'inlineCode', value: INLINE_PREFIX + open }, ...kids, { type: 'inlineCode', value: INLINE_PREFIX + close }];
}

const ATTENTION: Record<string, 'strong' | 'emphasis' | 'delete'> = { strong: 'strong', em: 'emphasis', del: 'delete' };

function cleanInline(el: XmlElement, st: ToMarkdownState): PhrasingContent[] | null {
  const kind = ATTENTION[el.name];
  if (kind) return attention(el, kind, st);
  switch (el.name) {
    case 'code':
      return inlineCode(el);
    case 'br':
      return el.attrs.length === 0 && el.children.length === 0 ? [{ type: 'break' }] : null;
    case 'a':
      return anchorLink(el, st);
    case 'ac:link':
      return acLink(el, st);
    case 'ac:image':
      return acImage(el, st);
    case 'ac:emoticon':
      return emoticon(el);
    case 'time':
      return date(el);
    case 'ac:structured-macro':
      return inlineMacroLink(el) ?? rawHtmlInline(el);
    default:
      return null;
  }
}

/** Markdown emphasis cannot start or end with whitespace (it would not parse back), so such runs stay verbatim. */
function attention(el: XmlElement, type: 'strong' | 'emphasis' | 'delete', st: ToMarkdownState): PhrasingContent[] | null {
  if (el.attrs.length) return null;
  const kids = inlineFrom(el.children, st);
  if (!kids || kids.length === 0) return null;
  const first = kids[0] as PhrasingContent;
  const last = kids[kids.length - 1] as PhrasingContent;
  if (first.type === 'text' && /^\s/.test(first.value)) return null;
  if (last.type === 'text' && /\s$/.test(last.value)) return null;
  if (first.type === 'break' || last.type === 'break' || first.type === 'html' || last.type === 'html') return null;
  // `~~~~a~~~~` would read as a code fence; remark alternates * and _ for the other kinds.
  if (type === 'delete' && (first.type === 'delete' || last.type === 'delete')) return null;
  // remark switches to the other marker (`*_a_*`) only for one same-kind child at an edge; anything else would
  // write runs like `****` that read back differently.
  // A same-kind child in the middle is safe only between spaces (`*foo *bar* baz*`).
  const spaced = (i: number) => {
    const before = kids[i - 1];
    const after = kids[i + 1];
    return before?.type === 'text' && /\s$/.test(before.value) && after?.type === 'text' && /^\s/.test(after.value);
  };
  const same = kids.flatMap((k, i) => (k.type === type ? [i] : []));
  const edge = same.filter((i) => i === 0 || i === kids.length - 1);
  if (edge.length > 1 || same.some((i) => i !== 0 && i !== kids.length - 1 && !spaced(i)) || (edge.length === 1 && same.length > 1)) return null;
  // …and only around words: punctuation next to the doubled delimiters changes how they pair up.
  if (same.some((i) => !/^[\p{L}\p{N}].*[\p{L}\p{N}]$|^[\p{L}\p{N}]$/su.test(plainText(kids[i] as PhrasingContent)) || underscored(kids[i] as PhrasingContent))) return null;
  return [{ type, children: kids } as PhrasingContent];
}

/*
 * Inline things people read but rarely type, as links with a scheme of their own (see docs/markdown.md):
 * `[DONE](status:Green)`, `[✅](emoji:white_check_mark)`, `[:smile:](emoticon:smile)`, `<user:ACCOUNT-ID>`,
 * `<date:2025-03-14>`, `<anchor:name>`. Markdown viewers show them as links; the reader turns them back.
 */
function pseudoLink(url: string, text: string, title: string | null = null): PhrasingContent[] | null {
  if (/[\r\n]/.test(url + text + (title ?? '')) || text === '') return null;
  return [{ type: 'link', url, title, children: [{ type: 'text', value: text }] }];
}

const TOKEN = /^[A-Za-z0-9_+-]+$/;

/** status (parameters colour then title, either may be absent) and anchor macros. */
function inlineMacroLink(el: XmlElement): PhrasingContent[] | null {
  const parts = el.attrs.length === 1 ? macroParts(el) : null;
  if (!parts || parts.body) return null;
  const names = parts.params.map((p) => p.name).join(',');
  if (parts.name === 'status' && ['colour,title', 'title', 'colour'].includes(names)) {
    const colour = parts.params.find((p) => p.name === 'colour')?.value ?? '';
    const title = parts.params.find((p) => p.name === 'title')?.value;
    if (colour !== '' && !TOKEN.test(colour)) return null;
    // Without a title, the link text is the colour in parentheses, which the reader ignores.
    if (title === undefined) return colour === '' ? null : pseudoLink(`status:${colour}`, `(${colour})`, 'no title');
    if (title === '' || title !== title.trim()) return null;
    return pseudoLink(`status:${colour}`, title);
  }
  if (parts.name === 'anchor' && parts.params.length === 1 && names === '') {
    const name = parts.params[0]?.value ?? '';
    if (name === '' || name !== name.trim() || /[<>\\]/.test(name)) return null;
    return pseudoLink(`anchor:${name}`, `anchor:${name}`);
  }
  return null;
}

/** Cloud emoji (`[✅](emoji:white_check_mark)`, the legacy name as the title unless it is blue-star) and legacy emoticons. */
function emoticon(el: XmlElement): PhrasingContent[] | null {
  const name = attr(el, 'ac:name');
  if (name === undefined || !TOKEN.test(name) || el.children.length) return null;
  if (el.attrs.length === 1) return pseudoLink(`emoticon:${name}`, `:${name}:`);
  const short = attr(el, 'ac:emoji-shortname');
  const fallback = attr(el, 'ac:emoji-fallback');
  const known = ['ac:name', 'ac:emoji-shortname', 'ac:emoji-fallback'];
  if (short === undefined || fallback === undefined || el.attrs.some((a) => !known.includes(a.name))) return null;
  const m = /^:([A-Za-z0-9_+-]+):$/.exec(short);
  if (!m || fallback === '' || fallback !== fallback.trim()) return null;
  return pseudoLink(`emoji:${m[1] as string}`, fallback, name === 'blue-star' ? null : name);
}

/** `<time datetime="2025-03-14"/>` ⇄ `<date:2025-03-14>`. */
function date(el: XmlElement): PhrasingContent[] | null {
  const value = attr(el, 'datetime');
  if (value === undefined || el.attrs.length !== 1 || el.children.length || !/^[0-9][0-9A-Za-z:.+-]*$/.test(value)) return null;
  return pseudoLink(`date:${value}`, `date:${value}`);
}

/** An `html` macro inside a paragraph came from inline raw HTML in Markdown: give it back as that. */
function rawHtmlInline(el: XmlElement): PhrasingContent[] | null {
  const parts = el.attrs.length === 1 ? macroParts(el) : null;
  if (!parts || parts.params.length || parts.body?.name !== 'ac:plain-text-body') return null;
  const value = plain(parts.body.children);
  if (!value || /[\r\n]/.test(value) && parts.name !== HTML_MACRO) return null;
  // Raw Markdown (a footnote reference…) goes back as it was typed.
  if (parts.name === MARKDOWN_MACRO) return [{ type: 'html', value, data: { [RAW_MARKDOWN]: true } as never }];
  if (parts.name !== HTML_MACRO) return null;
  // It must read back as the same inline HTML, or it would turn into something else on the next pull.
  const para = parseMarkdown(`x${value}`).children;
  const kids = para.length === 1 && para[0]?.type === 'paragraph' ? para[0].children : [];
  if (kids.length !== 2 || kids[1]?.type !== 'html' || kids[1].value !== value) return null;
  return [{ type: 'html', value }];
}

function isAttention(n: PhrasingContent): boolean {
  return n.type === 'emphasis' || n.type === 'strong' || n.type === 'delete';
}

function underscored(n: PhrasingContent): boolean {
  return plainText(n).includes('_');
}

function plainText(n: PhrasingContent): string {
  if ('value' in n) return n.value;
  return 'children' in n ? (n.children as PhrasingContent[]).map(plainText).join('') : '';
}

function inlineCode(el: XmlElement): PhrasingContent[] | null {
  if (el.attrs.length) return null;
  let value = '';
  for (const c of el.children) {
    if (c.type !== 'text' && c.type !== 'cdata') return null;
    value += c.value;
  }
  if (value === '' || /[\r\n]/.test(value) || value.startsWith(INLINE_PREFIX)) return null;
  return [{ type: 'inlineCode', value }];
}

function withExtras(node: PhrasingContent, extras: AttrEntry[]): PhrasingContent[] {
  if (extras.length === 0) return [node];
  const html: Html = { type: 'html', value: attrsComment(extras) };
  return [node, html];
}

function extrasOf(el: XmlElement, claimed: readonly string[]): AttrEntry[] {
  return el.attrs.filter((a) => !claimed.includes(a.name)).map((a) => ({ name: a.name, value: a.value, element: true }));
}

function anchorLink(el: XmlElement, st: ToMarkdownState): PhrasingContent[] | null {
  const href = attr(el, 'href');
  if (href === undefined || /[\r\n]/.test(href)) return null;
  const kids = inlineFrom(el.children, st);
  if (!kids || kids.some((k) => k.type === 'link' || k.type === 'html')) return null;
  const title = attr(el, 'title');
  return withExtras({ type: 'link', url: href, title: title ?? null, children: kids }, extrasOf(el, ['href', 'title']));
}

function pageUrl(spaceKey: string | undefined, title: string): string | undefined {
  if (title === '' || /[\r\n<>]/.test(title) || (spaceKey !== undefined && !/^~?[A-Za-z0-9_-]+$/.test(spaceKey))) return undefined;
  const t = escapeHash(title.replace(/%/g, '%25'));
  if (spaceKey !== undefined) return `page:${spaceKey}/${t}`;
  return t.includes('/') ? `page:/${t}` : `page:${t}`;
}

/** A `#` in a file name would read as the start of an anchor; the reader decodes `%23` back. */
function escapeHash(path: string): string {
  return path.replace(/#/g, '%23');
}

function acLink(el: XmlElement, st: ToMarkdownState): PhrasingContent[] | null {
  const kids = elementChildren(el);
  if (!kids || kids.length > 2) return null;
  let resource: XmlElement | undefined = kids[0];
  let body: XmlElement | undefined = kids[1];
  if (resource && !resource.name.startsWith('ri:')) {
    body = resource;
    resource = kids[1];
    if (kids.length === 2) return null;
  }
  const anchor = attr(el, 'ac:anchor');
  const extras = extrasOf(el, ['ac:anchor']);
  let path = '';
  let defaultText: string;
  if (resource?.name === 'ri:page') {
    const title = attr(resource, 'ri:content-title');
    if (title === undefined || resource.children.length) return null;
    const spaceKey = attr(resource, 'ri:space-key');
    const found = st.resolver.pathForPage({ spaceKey, title });
    // A page outside the workspace: `page:SPACE/Title` (or `page:Title` in the same space, `page:/A/B` for a
    // title holding a slash).
    const outside = found === undefined ? pageUrl(spaceKey, title) : undefined;
    if (found === undefined && outside === undefined) return null;
    path = found !== undefined ? escapeHash(found) : (outside as string);
    defaultText = title;
    const claimed = ['ri:content-title'];
    if (spaceKey !== undefined && (spaceKey !== st.context.spaceKey || outside !== undefined)) claimed.push('ri:space-key');
    extras.push(...extrasOf(resource, claimed));
  } else if (resource?.name === 'ri:attachment') {
    const file = attr(resource, 'ri:filename');
    if (file === undefined || resource.children.length) return null;
    path = escapeHash(st.resolver.pathForAttachment(file));
    defaultText = file;
    extras.push(...extrasOf(resource, ['ri:filename']));
  } else if (resource?.name === 'ri:user' && anchor === undefined) {
    // A mention: `<user:ACCOUNT-ID>`, or `[text](user:ACCOUNT-ID)` with a link text.
    const id = attr(resource, 'ri:account-id');
    if (id === undefined || !/^[A-Za-z0-9:_-]+$/.test(id) || resource.children.length) return null;
    path = `user:${id}`;
    defaultText = path;
    extras.push(...extrasOf(resource, ['ri:account-id']));
  } else if (resource === undefined && anchor !== undefined) {
    defaultText = anchor;
  } else {
    return null;
  }
  const url = anchor !== undefined ? `${path}#${anchor}` : path;
  if (/[\r\n]/.test(url)) return null;
  let children: PhrasingContent[];
  if (body === undefined) {
    children = defaultText ? [{ type: 'text', value: defaultText }] : [];
  } else if (body.name === 'ac:plain-text-link-body' && body.attrs.length === 0) {
    const text = plain(body.children);
    if (text === null || text === '' || text.includes('\r')) return null;
    children = [{ type: 'text', value: text }];
    if (text === defaultText) extras.push({ name: 'body', value: 'plain', element: false });
  } else if (body.name === 'ac:link-body' && body.attrs.length === 0) {
    const rich = inlineFrom(body.children, st);
    if (!rich || rich.length === 0 || rich.some((k) => k.type === 'link' || k.type === 'html')) return null;
    children = rich;
    if (rich.every((k) => k.type === 'text')) extras.push({ name: 'body', value: 'rich', element: false });
  } else {
    return null;
  }
  return withExtras({ type: 'link', url, title: null, children }, extras);
}

/**
 * `<ac:image>` ⇄ `![alt](path "title"){width=680 align=center caption="…"}`: the image's other `ac:` attributes
 * (without the prefix) and a plain-text caption go in the brace list after it; anything else rides in an attrs
 * comment as before.
 */
function acImage(el: XmlElement, st: ToMarkdownState): PhrasingContent[] | null {
  const kids = elementChildren(el);
  const res = kids?.[0];
  if (!kids || !res || res.children.length || kids.length > 2) return null;
  let caption: string | undefined;
  if (kids.length === 2) {
    const cap = kids[1] as XmlElement;
    const p = cap.name === 'ac:caption' && cap.attrs.length === 0 ? elementChildren(cap) : null;
    const only = p?.length === 1 ? p[0] : undefined;
    const text = only?.name === 'p' && only.attrs.length === 0 ? plain(only.children) : null;
    if (text === null || text === '' || text !== text.trim() || /[\r\n]/.test(text)) return null;
    caption = text;
  }
  const alt = attr(el, 'ac:alt');
  const title = attr(el, 'ac:title');
  const claimed: string[] = [];
  if (alt) claimed.push('ac:alt');
  if (title !== undefined && !/[\r\n]/.test(title)) claimed.push('ac:title');
  const braces: BraceEntry[] = [];
  for (const a of el.attrs) {
    if (claimed.includes(a.name) || !/^ac:[A-Za-z][A-Za-z0-9_-]*$/.test(a.name) || a.name === 'ac:caption' || a.name === 'ac:block') continue;
    braces.push({ name: a.name.slice(3), value: a.value });
    claimed.push(a.name);
  }
  if (caption !== undefined) braces.push({ name: 'caption', value: caption });
  const extras = extrasOf(el, claimed);
  let url: string | undefined;
  if (res.name === 'ri:attachment') {
    const file = attr(res, 'ri:filename');
    if (file === undefined) return null;
    url = st.resolver.pathForAttachment(file);
    extras.push(...extrasOf(res, ['ri:filename']));
  } else if (res.name === 'ri:url') {
    url = attr(res, 'ri:value');
    extras.push(...extrasOf(res, ['ri:value']));
  }
  if (url === undefined || /[\r\n]/.test(url) || (alt !== undefined && /[\r\n]/.test(alt))) return null;
  const image: PhrasingContent = { type: 'image', url, alt: alt || null, title: claimed.includes('ac:title') ? (title as string) : null };
  const out = withExtras(image, extras);
  if (braces.length) out.push({ type: 'text', value: formatBraces(braces) });
  return out;
}
