/**
 * Markdown phrasing content → storage XHTML. Links and images go through the LinkResolver so a relative link to a
 * page's file becomes an `ac:link` to that page and a relative image path becomes an attachment reference.
 */
import type { Image, Link, PhrasingContent } from 'mdast';
import type { AttrEntry, BraceEntry } from './syntax.js';
import { HTML_INLINE, INLINE_PREFIX, parseAttrsComment, parseBraces } from './syntax.js';
import { tryParseStorage } from '../xml/parse.js';
import { cdata, escapeAttr, escapeText } from '../xml/serialize.js';
import type { ToStorageState } from './state.js';
import { htmlMacro, isRawMarkdown, markdownMacro, rawMarkdownMacro } from './to-storage-raw.js';

const BR = /^<br\s*\/?>$/i;

function attrsXml(attrs: ReadonlyArray<readonly [string, string]>): string {
  let out = '';
  for (const [k, v] of attrs) out += ` ${k}="${escapeAttr(v)}"`;
  return out;
}

/** Merges derived attributes with `@` entries (which override or add). */
function mergeAttrs(derived: Array<[string, string]>, extras: readonly AttrEntry[], prefix: 'ri:' | 'other'): Array<[string, string]> {
  const out = [...derived];
  for (const e of extras) {
    if (!e.element) continue;
    const isRi = e.name.startsWith('ri:');
    if ((prefix === 'ri:') !== isRi) continue;
    const at = out.findIndex(([k]) => k === e.name);
    if (at >= 0) out[at] = [e.name, e.value];
    else out.push([e.name, e.value]);
  }
  return out;
}

function hint(extras: readonly AttrEntry[], name: string): string | undefined {
  return extras.find((e) => !e.element && e.name === name)?.value;
}

const OPEN_TAG = /^<([A-Za-z]+)(?:\s[^<>]*)?>$/;

/** The index of the `</name>` that closes the open tag at `i` among its siblings, or -1. */
function matchingClose(nodes: readonly PhrasingContent[], i: number, name: string): number {
  let depth = 0;
  for (let j = i + 1; j < nodes.length; j++) {
    const n = nodes[j] as PhrasingContent;
    if (n.type !== 'html') continue;
    if (n.value === `</${name}>`) {
      if (depth === 0) return j;
      depth--;
    } else if (OPEN_TAG.exec(n.value)?.[1] === name) {
      depth++;
    }
  }
  return -1;
}

/** `<u>`…`</u>` typed (or written by us) as raw HTML: the element itself, if the start tag is well-formed XML. */
function htmlPair(nodes: readonly PhrasingContent[], i: number, st: ToStorageState): { xml: string; end: number } | undefined {
  const node = nodes[i] as PhrasingContent;
  if (node.type !== 'html') return undefined;
  const name = OPEN_TAG.exec(node.value)?.[1];
  if (name === undefined || !HTML_INLINE.has(name)) return undefined;
  const end = matchingClose(nodes, i, name);
  if (end < 0) return undefined;
  const parsed = tryParseStorage(`${node.value}</${name}>`);
  const el = parsed.ok && parsed.fragment.children.length === 1 ? parsed.fragment.children[0] : undefined;
  if (el?.type !== 'element' || el.name !== name) return undefined;
  return { xml: `${node.value}${phrasingToStorage(nodes.slice(i + 1, end), st)}</${name}>`, end };
}

export function phrasingToStorage(nodes: readonly PhrasingContent[], st: ToStorageState): string {
  let out = '';
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as PhrasingContent;
    const pair = htmlPair(nodes, i, st);
    if (pair) {
      out += pair.xml;
      i = pair.end;
      continue;
    }
    const next = nodes[i + 1];
    let extras: AttrEntry[] = [];
    if ((node.type === 'link' || node.type === 'image' || node.type === 'linkReference' || node.type === 'imageReference') && next?.type === 'html') {
      const parsed = parseAttrsComment(next.value);
      if (parsed) {
        extras = parsed;
        i++;
      }
    }
    if (node.type === 'image' || node.type === 'imageReference') {
      const after = nodes[i + 1];
      const parsed = after?.type === 'text' ? imageBraces(after.value) : undefined;
      if (parsed) {
        out += inlineToStorage(node, extras, st, parsed.entries);
        out += escapeText((after as { value: string }).value.slice(parsed.length));
        i++;
        continue;
      }
    }
    out += inlineToStorage(node, extras, st);
  }
  return out;
}

/** The brace list after an image: flags other than `block` make it plain text. */
export function imageBraces(text: string): { entries: BraceEntry[]; length: number } | undefined {
  const parsed = parseBraces(text);
  if (!parsed || parsed.entries.some((e) => (e.value === undefined) !== (e.name === 'block'))) return undefined;
  return parsed;
}

/**
 * A paragraph that is one image whose brace list says `block`: the image sits directly in the body, with no <p>
 * around it (as Confluence Cloud's editor saves a picture on its own line).
 */
export function isBlockImage(kids: readonly PhrasingContent[]): boolean {
  const [img, second, third] = kids;
  if (img?.type !== 'image' && img?.type !== 'imageReference') return false;
  let last = second;
  if (second?.type === 'html' && parseAttrsComment(second.value)) last = third;
  else if (kids.length > 2) return false;
  if (kids.length > (last === third ? 3 : 2) || last?.type !== 'text') return false;
  const parsed = imageBraces(last.value);
  return parsed !== undefined && parsed.length === last.value.length && parsed.entries.some((e) => e.name === 'block');
}

function inlineToStorage(node: PhrasingContent, extras: AttrEntry[], st: ToStorageState, braces: BraceEntry[] = []): string {
  switch (node.type) {
    case 'text':
      return escapeText(node.value);
    case 'emphasis':
      return `<em>${phrasingToStorage(node.children, st)}</em>`;
    case 'strong':
      return `<strong>${phrasingToStorage(node.children, st)}</strong>`;
    case 'delete':
      return `<del>${phrasingToStorage(node.children, st)}</del>`;
    case 'inlineCode':
      if (node.value.startsWith(INLINE_PREFIX)) return node.value.slice(INLINE_PREFIX.length);
      // CommonMark turns line endings inside a code span into spaces; storage has no other way to say it.
      return `<code>${escapeText(node.value.replace(/\r\n|\r|\n/g, ' '))}</code>`;
    case 'break':
      return '<br/>';
    case 'html':
      // `<br>` is how people break lines where `\` cannot (table cells, headings, the end of a paragraph).
      if (isRawMarkdown(node)) return markdownMacro(node.value);
      return BR.test(node.value) ? '<br/>' : htmlMacro(node.value);
    case 'link':
      return linkToStorage(node, extras, st);
    case 'image':
      return imageToStorage(node, extras, st, braces);
    case 'linkReference': {
      const def = st.definitions.get(node.identifier);
      if (!def) return rawMarkdownMacro(node, st);
      return linkToStorage({ type: 'link', url: def.url, title: def.title ?? null, children: node.children }, extras, st);
    }
    case 'imageReference': {
      const def = st.definitions.get(node.identifier);
      if (!def) return rawMarkdownMacro(node, st);
      return imageToStorage({ type: 'image', url: def.url, title: def.title ?? null, alt: node.alt ?? null }, extras, st, braces);
    }
    default:
      return rawMarkdownMacro(node, st);
  }
}

function splitUrl(url: string): { path: string; anchor: string | undefined } {
  const hash = url.indexOf('#');
  return hash < 0 ? { path: url, anchor: undefined } : { path: url.slice(0, hash), anchor: url.slice(hash + 1) };
}

function tryDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function linkBody(node: Link, defaultText: string, extras: readonly AttrEntry[], st: ToStorageState): string {
  const body = hint(extras, 'body');
  const kids = node.children;
  const plain = kids.every((k) => k.type === 'text');
  const text = kids.map((k) => (k.type === 'text' ? k.value : '')).join('');
  if (body === 'rich' || !plain) return `<ac:link-body>${phrasingToStorage(kids, st)}</ac:link-body>`;
  if (body === 'none' || (body !== 'plain' && text === defaultText)) return '';
  return `<ac:plain-text-link-body>${cdata(text)}</ac:plain-text-link-body>`;
}

function plainChildren(node: Link): string | undefined {
  return node.children.every((k) => k.type === 'text') ? node.children.map((k) => (k as { value: string }).value).join('') : undefined;
}

function macroXml(name: string, params: ReadonlyArray<readonly [string, string]>): string {
  const ps = params.map(([k, v]) => `<ac:parameter ac:name="${escapeAttr(k)}">${escapeText(v)}</ac:parameter>`).join('');
  return ps === '' ? `<ac:structured-macro ac:name="${name}"/>` : `<ac:structured-macro ac:name="${escapeAttr(name)}">${ps}</ac:structured-macro>`;
}

/**
 * The scheme links of docs/markdown.md: status lozenges, emoji and emoticons, mentions, dates, anchors. Undefined
 * when the link is an ordinary one (or does not fit the form: then it stays a link, as typed).
 */
function schemeLink(node: Link, extras: readonly AttrEntry[]): string | undefined {
  const m = /^(status|emoji|emoticon|user|date|anchor):(.*)$/s.exec(node.url);
  if (!m || extras.length) return undefined;
  const value = m[2] as string;
  const text = plainChildren(node);
  if (text === undefined) return undefined;
  switch (m[1]) {
    case 'status': {
      if (value !== '' && !/^[A-Za-z0-9_+-]+$/.test(value)) return undefined;
      const params: Array<[string, string]> = value !== '' ? [['colour', value]] : [];
      if (node.title !== 'no title') params.push(['title', text]);
      return params.length ? macroXml('status', params) : undefined;
    }
    case 'emoji':
      if (!/^[A-Za-z0-9_+-]+$/.test(value) || text === '') return undefined;
      return `<ac:emoticon ac:name="${escapeAttr(node.title ?? 'blue-star')}" ac:emoji-shortname=":${value}:" ac:emoji-fallback="${escapeAttr(text)}"/>`;
    case 'emoticon':
      return /^[A-Za-z0-9_+-]+$/.test(value) ? `<ac:emoticon ac:name="${value}"/>` : undefined;
    case 'user':
      if (!/^[A-Za-z0-9:_-]+$/.test(value)) return undefined;
      return `<ac:link><ri:user ri:account-id="${value}"/>${text === node.url ? '' : `<ac:plain-text-link-body>${cdata(text)}</ac:plain-text-link-body>`}</ac:link>`;
    case 'date':
      return /^[0-9][0-9A-Za-z:.+-]*$/.test(value) ? `<time datetime="${value}"/>` : undefined;
    case 'anchor':
      return value !== '' ? macroXml('anchor', [['', value]]) : undefined;
    default:
      return undefined;
  }
}

/** `page:SPACE/Title`, `page:Title`, `page:/Title/with/slashes` → the page it names. */
function pageLink(path: string): { spaceKey: string | undefined; title: string } | undefined {
  if (!path.startsWith('page:')) return undefined;
  const rest = path.slice(5);
  const slash = rest.indexOf('/');
  const decode = (t: string) => t.replace(/%23/g, '#').replace(/%25/g, '%');
  if (slash < 0) return rest === '' ? undefined : { spaceKey: undefined, title: decode(rest) };
  const key = rest.slice(0, slash);
  const title = decode(rest.slice(slash + 1));
  if (title === '' || (key !== '' && !/^~?[A-Za-z0-9_-]+$/.test(key))) return undefined;
  return { spaceKey: key === '' ? undefined : key, title };
}

function linkToStorage(node: Link, extras: AttrEntry[], st: ToStorageState): string {
  const scheme = schemeLink(node, extras);
  if (scheme !== undefined) return scheme;
  const { path, anchor } = splitUrl(node.url);
  const outside = pageLink(path);
  if (outside) {
    const ri: Array<[string, string]> = [];
    if (outside.spaceKey !== undefined) ri.push(['ri:space-key', outside.spaceKey]);
    ri.push(['ri:content-title', outside.title]);
    const anchorAttr: Array<[string, string]> = anchor !== undefined ? [['ac:anchor', anchor]] : [];
    const body = linkBody(node, outside.title, extras, st);
    return `<ac:link${attrsXml(mergeAttrs(anchorAttr, extras, 'other'))}><ri:page${attrsXml(mergeAttrs(ri, extras, 'ri:'))}/>${body}</ac:link>`;
  }
  const resolver = st.resolver;
  const outer = (derived: Array<[string, string]>) => attrsXml(mergeAttrs(derived, extras, 'other'));
  if (path === '' && anchor !== undefined) {
    return `<ac:link${outer([['ac:anchor', anchor]])}>${linkBody(node, anchor, extras, st)}</ac:link>`;
  }
  if (path !== '' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) {
    const page = resolver.pageForPath(path) ?? resolver.pageForPath(tryDecode(path));
    if (page) {
      const ri: Array<[string, string]> = [];
      if (page.spaceKey !== undefined && page.spaceKey !== st.context.spaceKey) ri.push(['ri:space-key', page.spaceKey]);
      ri.push(['ri:content-title', page.title]);
      const anchorAttr: Array<[string, string]> = anchor !== undefined ? [['ac:anchor', anchor]] : [];
      return `<ac:link${outer(anchorAttr)}><ri:page${attrsXml(mergeAttrs(ri, extras, 'ri:'))}/>${linkBody(node, page.title, extras, st)}</ac:link>`;
    }
    const file = resolver.attachmentForPath(path) ?? resolver.attachmentForPath(tryDecode(path));
    if (file !== undefined) {
      const anchorAttr: Array<[string, string]> = anchor !== undefined ? [['ac:anchor', anchor]] : [];
      return `<ac:link${outer(anchorAttr)}><ri:attachment${attrsXml(mergeAttrs([['ri:filename', file]], extras, 'ri:'))}/>${linkBody(node, file, extras, st)}</ac:link>`;
    }
  }
  const attrs: Array<[string, string]> = [['href', node.url]];
  if (node.title != null) attrs.push(['title', node.title]);
  return `<a${outer(attrs)}>${phrasingToStorage(node.children, st)}</a>`;
}

function imageToStorage(node: Image, extras: AttrEntry[], st: ToStorageState, braces: readonly BraceEntry[] = []): string {
  const outer: Array<[string, string]> = [];
  if (node.alt) outer.push(['ac:alt', node.alt]);
  if (node.title != null) outer.push(['ac:title', node.title]);
  let caption = '';
  for (const b of braces) {
    if (b.name === 'caption') caption = `<ac:caption><p>${escapeText(b.value ?? '')}</p></ac:caption>`;
    else if (b.value !== undefined) outer.push([`ac:${b.name}`, b.value]);
  }
  const outerXml = attrsXml(mergeAttrs(outer, extras, 'other'));
  const url = node.url;
  const isAbsolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) || url.startsWith('//');
  const file = isAbsolute ? undefined : (st.resolver.attachmentForPath(url) ?? st.resolver.attachmentForPath(tryDecode(url)));
  const resource =
    file !== undefined
      ? `<ri:attachment${attrsXml(mergeAttrs([['ri:filename', file]], extras, 'ri:'))}/>`
      : `<ri:url${attrsXml(mergeAttrs([['ri:value', url]], extras, 'ri:'))}/>`;
  return `<ac:image${outerXml}>${resource}${caption}</ac:image>`;
}
