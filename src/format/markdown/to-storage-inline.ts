/**
 * Markdown phrasing content → storage XHTML. Links and images go through the LinkResolver so a relative link to a
 * page's file becomes an `ac:link` to that page and a relative image path becomes an attachment reference.
 */
import type { Image, Link, PhrasingContent } from 'mdast';
import type { AttrEntry } from './syntax.js';
import { HTML_INLINE, INLINE_PREFIX, parseAttrsComment } from './syntax.js';
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
    out += inlineToStorage(node, extras, st);
  }
  return out;
}

function inlineToStorage(node: PhrasingContent, extras: AttrEntry[], st: ToStorageState): string {
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
      return imageToStorage(node, extras, st);
    case 'linkReference': {
      const def = st.definitions.get(node.identifier);
      if (!def) return rawMarkdownMacro(node, st);
      return linkToStorage({ type: 'link', url: def.url, title: def.title ?? null, children: node.children }, extras, st);
    }
    case 'imageReference': {
      const def = st.definitions.get(node.identifier);
      if (!def) return rawMarkdownMacro(node, st);
      return imageToStorage({ type: 'image', url: def.url, title: def.title ?? null, alt: node.alt ?? null }, extras, st);
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

function linkToStorage(node: Link, extras: AttrEntry[], st: ToStorageState): string {
  const { path, anchor } = splitUrl(node.url);
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

function imageToStorage(node: Image, extras: AttrEntry[], st: ToStorageState): string {
  const outer: Array<[string, string]> = [];
  if (node.alt) outer.push(['ac:alt', node.alt]);
  if (node.title != null) outer.push(['ac:title', node.title]);
  const outerXml = attrsXml(mergeAttrs(outer, extras, 'other'));
  const url = node.url;
  const isAbsolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) || url.startsWith('//');
  const file = isAbsolute ? undefined : (st.resolver.attachmentForPath(url) ?? st.resolver.attachmentForPath(tryDecode(url)));
  const resource =
    file !== undefined
      ? `<ri:attachment${attrsXml(mergeAttrs([['ri:filename', file]], extras, 'ri:'))}/>`
      : `<ri:url${attrsXml(mergeAttrs([['ri:value', url]], extras, 'ri:'))}/>`;
  return `<ac:image${outerXml}>${resource}</ac:image>`;
}
