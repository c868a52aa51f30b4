/**
 * Macros with a Markdown form: code ⇄ fenced code (parameters and attributes in the info string), info / tip /
 * note / warning / panel ⇄ GitHub alerts, task lists ⇄ GFM task lists, html ⇄ raw HTML, toc ⇄ `[TOC]{…}`, expand
 * ⇄ `<details>` (through the container form, detailsOpen). Anything else returns
 * null and is kept as a container or verbatim by the caller.
 */
import type { Blockquote, Html, ListItem, Paragraph, PhrasingContent, RootContent } from 'mdast';
import type { XmlElement } from '../xml/nodes.js';
import { attr } from '../xml/nodes.js';
import type { AttrEntry } from './syntax.js';
import { attrsComment, DETAILS_OPEN, formatAttrList, formatBraces, MACRO_TO_ALERT, TOC, VERBATIM_LANG } from './syntax.js';
import type { ToMarkdownState } from './md-state.js';
import { elementEntries, plain, withBlockAttrs } from './md-helpers.js';
import { HTML_MACRO, MARKDOWN_MACRO, RAW_MARKDOWN } from './to-storage-raw.js';
import { parseMarkdown } from './processors.js';

interface MacroParts {
  name: string;
  params: Array<{ name: string; value: string }>;
  /** The body element (plain-text-body or rich-text-body), if any; it must be the last child. */
  body: XmlElement | undefined;
}

/** Splits a macro into parameters and body; null if it holds anything else or a parameter is not plain text. */
export function macroParts(el: XmlElement): MacroParts | null {
  const name = attr(el, 'ac:name');
  if (name === undefined) return null;
  const params: MacroParts['params'] = [];
  let body: XmlElement | undefined;
  for (const c of el.children) {
    if (c.type === 'text' && /^[ \t\r\n]*$/.test(c.value)) continue;
    if (c.type !== 'element' || body) return null;
    if (c.name === 'ac:parameter') {
      const pname = attr(c, 'ac:name');
      const value = plain(c.children);
      if (pname === undefined || c.attrs.length !== 1 || value === null) return null;
      params.push({ name: pname, value });
    } else if (c.name === 'ac:plain-text-body' || c.name === 'ac:rich-text-body') {
      if (c.attrs.length) return null;
      body = c;
    } else {
      return null;
    }
  }
  return { name, params, body };
}


/** The rich-text body of a macro, for the container form. */
export function richBody(el: XmlElement): XmlElement | undefined {
  const parts = macroParts(el);
  return parts?.body?.name === 'ac:rich-text-body' ? parts.body : undefined;
}

export function macroBlock(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  if (el.name === 'ac:task-list') return taskList(el, st);
  const parts = macroParts(el);
  if (!parts) return null;
  if (parts.name === 'code') return code(el, parts);
  if (parts.name === 'toc' && !parts.body && el.attrs.length === 1) return toc(parts);
  if (MACRO_TO_ALERT[parts.name] && parts.body?.name === 'ac:rich-text-body') return alert(el, parts, st);
  if ((parts.name === HTML_MACRO || parts.name === MARKDOWN_MACRO) && el.attrs.length === 1) return raw(parts);
  return null;
}

/** `[TOC]` on a line of its own, its parameters in braces: `[TOC]{maxLevel=3}`. */
function toc(parts: MacroParts): RootContent[] | null {
  if (parts.params.some((p) => !/^[A-Za-z][A-Za-z0-9_-]*$/.test(p.name) || /[\r\n]/.test(p.value))) return null;
  const kids: PhrasingContent[] = [{ type: 'html', value: TOC }];
  if (parts.params.length) kids.push({ type: 'text', value: formatBraces(parts.params) });
  return [{ type: 'paragraph', children: kids }];
}

/**
 * An expand macro whose start is exactly `<ac:structured-macro ac:name="expand">`, an optional plain title and
 * `<ac:rich-text-body>`: GitHub's `<details>` / `<summary>` around ordinary Markdown. Undefined otherwise.
 */
export function detailsOpen(el: XmlElement, openSource: string): string | undefined {
  const parts = macroParts(el);
  if (parts?.name !== 'expand' || el.attrs.length !== 1 || parts.body?.name !== 'ac:rich-text-body') return undefined;
  const title = parts.params.length === 1 && parts.params[0]?.name === 'title' ? parts.params[0].value : undefined;
  if (parts.params.length > (title === undefined ? 0 : 1)) return undefined;
  if (title !== undefined && (title === '' || title !== title.trim() || /[<>&\r\n]/.test(title))) return undefined;
  const xml = `<ac:structured-macro ac:name="expand">${title === undefined ? '' : `<ac:parameter ac:name="title">${title}</ac:parameter>`}<ac:rich-text-body>`;
  if (xml !== openSource) return undefined;
  return title === undefined ? DETAILS_OPEN : `${DETAILS_OPEN}\n<summary>${title}</summary>`;
}

const LANG_TOKEN = /^[A-Za-z0-9_+#.\-/]+$/;

function code(el: XmlElement, parts: MacroParts): RootContent[] | null {
  if (parts.body?.name !== 'ac:plain-text-body') return null;
  const value = plain(parts.body.children);
  if (value === null || value.includes('\r')) return null;
  let params = parts.params;
  let lang: string | undefined;
  const first = params[0];
  if (first?.name === 'language' && LANG_TOKEN.test(first.value) && first.value !== VERBATIM_LANG) {
    lang = first.value;
    params = params.slice(1);
  }
  const entries: AttrEntry[] = [
    ...params.map((p) => ({ name: p.name, value: p.value, element: false })),
    ...elementEntries(el, ['ac:name']),
  ];
  let meta: string | null = entries.length ? formatAttrList(entries) : null;
  if (meta !== null && meta.includes('`')) return null;
  if (lang === undefined && meta !== null) {
    const space = meta.indexOf(' ');
    lang = space < 0 ? meta : meta.slice(0, space);
    meta = space < 0 ? null : meta.slice(space + 1);
  }
  return [{ type: 'code', lang: lang ?? null, meta, value }];
}

function alert(el: XmlElement, parts: MacroParts, st: ToMarkdownState): RootContent[] | null {
  const kind = MACRO_TO_ALERT[parts.name] as string;
  let params = parts.params;
  const first = params[0];
  let title = '';
  if (first?.name === 'title' && first.value !== '' && first.value === first.value.trim() && !/[\r\n]/.test(first.value)) {
    title = first.value;
    params = params.slice(1);
  }
  const entries: AttrEntry[] = [
    ...params.map((p) => ({ name: p.name, value: p.value, element: false })),
    ...elementEntries(el, ['ac:name']),
  ];
  const header: PhrasingContent[] = [{ type: 'html', value: `[!${kind}]` }];
  if (title) header.push({ type: 'text', value: ` ${title}` });
  if (entries.length) header.push({ type: 'text', value: ' ' }, { type: 'html', value: attrsComment(entries) });
  const body = st.blocksFrom((parts.body as XmlElement).children, st);
  if (body.some((n, i) => n.type === 'list' && body[i + 1]?.type === 'list')) return null;
  // As GitHub writes them: the first paragraph starts on the line after the marker, with no blank line between.
  const opening = body[0];
  const lead = opening?.type === 'paragraph' ? opening.children[0] : undefined;
  if (opening?.type === 'paragraph' && lead && ((lead.type === 'text' && /^[^\s]/.test(lead.value)) || ['strong', 'emphasis', 'inlineCode', 'link', 'delete'].includes(lead.type))) {
    header.push({ type: 'text', value: '\n' }, ...opening.children);
    body.shift();
  }
  const quote: Blockquote = { type: 'blockquote', children: [{ type: 'paragraph', children: header }, ...(body as never[])] };
  return [quote];
}

/** Raw HTML (or raw Markdown) that came from Markdown goes back as it was, if it still parses as the same thing. */
function raw(parts: MacroParts): RootContent[] | null {
  if (parts.params.length || parts.body?.name !== 'ac:plain-text-body') return null;
  const value = plain(parts.body.children);
  if (value === null || value === '') return null;
  const html: Html = parts.name === MARKDOWN_MACRO ? { type: 'html', value, data: { [RAW_MARKDOWN]: true } as never } : { type: 'html', value };
  if (parts.name === HTML_MACRO) {
    const tree = parseMarkdown(value);
    const only = tree.children[0];
    if (tree.children.length !== 1 || only?.type !== 'html' || only.value !== value) return null;
  }
  return [html];
}

const PLACEHOLDER = 'placeholder-inline-tasks';

function taskList(el: XmlElement, st: ToMarkdownState): RootContent[] | null {
  const items: ListItem[] = [];
  for (const c of el.children) {
    if (c.type === 'text' && /^[ \t\r\n]*$/.test(c.value)) continue;
    if (c.type !== 'element' || c.name !== 'ac:task' || c.attrs.length) return null;
    const item = task(c, st);
    if (!item) return null;
    items.push(item);
  }
  if (items.length === 0) return null;
  return withBlockAttrs(elementEntries(el), { type: 'list', ordered: false, start: null, spread: false, children: items });
}

function task(el: XmlElement, st: ToMarkdownState): ListItem | null {
  const kids = el.children.filter((c): c is XmlElement => c.type === 'element');
  if (kids.length !== el.children.filter((c) => !(c.type === 'text' && /^[ \t\r\n]*$/.test(c.value))).length) return null;
  const body = kids[kids.length - 1];
  const status = kids[kids.length - 2];
  if (body?.name !== 'ac:task-body' || status?.name !== 'ac:task-status' || body.attrs.length || status.attrs.length) return null;
  const state = plain(status.children);
  if (state !== 'complete' && state !== 'incomplete') return null;
  const entries: AttrEntry[] = [];
  for (const k of kids.slice(0, -2)) {
    const value = plain(k.children);
    if (!k.name.startsWith('ac:') || k.attrs.length || value === null) return null;
    entries.push({ name: k.name.slice(3), value, element: false });
  }
  // Cloud wraps every task's text in this span; carry it as a hint so the text itself reads as plain Markdown.
  const only = body.children.length === 1 ? body.children[0] : undefined;
  const wrapped =
    only?.type === 'element' && only.name === 'span' && only.attrs.length === 1 && attr(only, 'class') === PLACEHOLDER && only.children.length > 0;
  if (wrapped) entries.push({ name: 'span', value: PLACEHOLDER, element: false });
  const children = wrapped ? st.blocksFrom(only.children, st, true, 'span') : st.blocksFrom(body.children, st, true, 'ac:task-body');
  if (entries.length) {
    const first = children[0];
    const comment: PhrasingContent = { type: 'html', value: attrsComment(entries) };
    if (first?.type === 'paragraph') first.children.push({ type: 'text', value: ' ' }, comment);
    else if (first === undefined) children.push({ type: 'paragraph', children: [comment] } satisfies Paragraph);
    else return null;
  } else if (children[0]?.type !== 'paragraph') {
    // `- [ ]` must be followed by the task's text on its line, or the item reads back as a plain list item.
    return null;
  }
  return { type: 'listItem', spread: false, checked: state === 'complete', children: children as never };
}
