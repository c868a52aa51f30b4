/**
 * The Markdown forms this converter adds to carry what Markdown cannot say. They are defined here, in one place, so
 * the writer and the reader cannot drift apart:
 *
 *   ```confluence-storage          a block kept verbatim: the fence holds the exact original storage XML
 *   <ac:structured-macro …/>
 *   ```
 *
 *   `storage:<ac:emoticon ac:name="smile" />`     an inline element kept verbatim (a code span, so no Markdown
 *                                                  parser ever re-reads its content and it cannot start a block)
 *
 *   <!-- storage: <ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell> -->
 *                                                  raw storage spliced in as is: the start and end tags of a
 *                                                  container whose content is ordinary Markdown in between
 *
 *   <!-- attrs: @data-layout="wide" cells="p" -->   attributes Confluence added (`@name`) and conversion hints
 *                                                  (`name`) for the next block, or, inline, for the element just
 *                                                  before it
 *
 * and the readable forms (docs/markdown.md, "Readable forms"): brace lists after images and `[TOC]`,
 * `<details>` for expand, scheme links (`status:`, `emoji:`, `user:`, `date:`, `anchor:`, `page:`).
 */

export const VERBATIM_LANG = 'confluence-storage';
export const INLINE_PREFIX = 'storage:';

const MARKER_OPEN = '<!-- storage: ';
const ATTRS_OPEN = '<!-- attrs:';
const COMMENT_CLOSE = ' -->';

/** One entry of an attribute list: `@name` entries are element attributes, the others hints or macro parameters. */
export interface AttrEntry {
  name: string;
  value: string;
  element: boolean;
}

/**
 * Values are percent-encoded for the few characters that would end the value or the comment (`"`, `>`, line
 * breaks, and `%` itself). Not entities: a code fence's info string has its entities decoded by the Markdown
 * parser, an HTML comment does not, and one encoding must work in both.
 */
function encodeValue(v: string): string {
  return v.replace(/[%"\r\n\t>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function decodeValue(v: string): string {
  return v.replace(/%(25|22|0D|0A|09|3E)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function formatAttrList(entries: readonly AttrEntry[]): string {
  return entries.map((e) => `${e.element ? '@' : ''}${e.name}="${encodeValue(e.value)}"`).join(' ');
}

const ENTRY = /(@?)([A-Za-z_][A-Za-z0-9_.:-]*)="([^"]*)"/y;
const SPACES = /[ \t]*/y;

/** Parses `a="1" @b="2"`; returns undefined when the text is not exactly such a list. */
export function parseAttrList(text: string): AttrEntry[] | undefined {
  const out: AttrEntry[] = [];
  let i = 0;
  for (;;) {
    SPACES.lastIndex = i;
    SPACES.exec(text);
    i = SPACES.lastIndex;
    if (i >= text.length) return out;
    ENTRY.lastIndex = i;
    const m = ENTRY.exec(text);
    if (!m) return undefined;
    out.push({ element: m[1] === '@', name: m[2] as string, value: decodeValue(m[3] as string) });
    i = ENTRY.lastIndex;
  }
}

export function attrsComment(entries: readonly AttrEntry[]): string {
  return `${ATTRS_OPEN} ${formatAttrList(entries)}${COMMENT_CLOSE}`;
}

/** The entries of an attrs comment, or undefined when `html` is not one. */
export function parseAttrsComment(html: string): AttrEntry[] | undefined {
  if (!html.startsWith(ATTRS_OPEN) || !html.endsWith(COMMENT_CLOSE)) return undefined;
  return parseAttrList(html.slice(ATTRS_OPEN.length, html.length - COMMENT_CLOSE.length));
}

/** A raw-storage marker; undefined when the payload cannot live inside an HTML comment. */
export function storageMarker(payload: string): string | undefined {
  return payload.includes('-->') ? undefined : `${MARKER_OPEN}${payload}${COMMENT_CLOSE}`;
}

export function parseStorageMarker(html: string): string | undefined {
  if (!html.startsWith(MARKER_OPEN) || !html.endsWith(COMMENT_CLOSE)) return undefined;
  return html.slice(MARKER_OPEN.length, html.length - COMMENT_CLOSE.length);
}

/**
 * Inline XHTML elements written as raw HTML tags in Markdown (`<u>text</u>`, `<span style="…">text</span>`): the
 * tags render in Markdown viewers, the words stay Markdown, and a matching pair typed in Markdown becomes the
 * element again. None of them can start an HTML block in CommonMark, except alone on a line (guarded).
 */
export const HTML_INLINE: ReadonlySet<string> = new Set(['span', 'u', 'sup', 'sub', 's', 'small', 'big', 'font', 'b', 'i', 'ins', 'mark', 'cite']);

/** GitHub alert kinds and the Confluence macros they stand for (matched by colour: note is yellow, warning red). */
export const ALERT_TO_MACRO: Readonly<Record<string, string>> = {
  NOTE: 'info',
  TIP: 'tip',
  WARNING: 'note',
  CAUTION: 'warning',
  IMPORTANT: 'panel',
};
export const MACRO_TO_ALERT: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ALERT_TO_MACRO).map(([k, v]) => [v, k]),
);

/**
 * An attribute list in braces right after an image (`![alt](a.png){width=680 align=center caption="A view"}`), or
 * after `[TOC]`: `name=value` pairs (value quoted when it is not a plain token, percent-encoded as above inside
 * the quotes) and bare flags (`block`). Written as plain text, so any Markdown viewer shows it as it is.
 */
export interface BraceEntry {
  name: string;
  /** undefined for a bare flag. */
  value: string | undefined;
}

const PLAIN_VALUE = /^[A-Za-z0-9._:/+-]+$/;

export function formatBraces(entries: readonly BraceEntry[]): string {
  const parts = entries.map((e) => (e.value === undefined ? e.name : PLAIN_VALUE.test(e.value) ? `${e.name}=${e.value}` : `${e.name}="${encodeValue(e.value)}"`));
  return `{${parts.join(' ')}}`;
}

const BRACE_ENTRY = /([A-Za-z][A-Za-z0-9_-]*)(?:=(?:"([^"]*)"|([A-Za-z0-9._:/+-]+)))?/y;

/** The brace list at the start of `text` and its length, or undefined when `text` does not start with one. */
export function parseBraces(text: string): { entries: BraceEntry[]; length: number } | undefined {
  if (!text.startsWith('{')) return undefined;
  const entries: BraceEntry[] = [];
  let i = 1;
  for (;;) {
    if (text[i] === '}') return entries.length ? { entries, length: i + 1 } : undefined;
    if (entries.length) {
      if (text[i] !== ' ') return undefined;
      i++;
    }
    BRACE_ENTRY.lastIndex = i;
    const m = BRACE_ENTRY.exec(text);
    if (!m) return undefined;
    const quoted = m[2];
    entries.push({ name: m[1] as string, value: quoted !== undefined ? decodeValue(quoted) : m[3] });
    i = BRACE_ENTRY.lastIndex;
  }
}

/** `[TOC]` alone in a paragraph (with an optional brace list of parameters) is the toc macro. */
export const TOC = '[TOC]';

/** An expand macro is GitHub's collapsible section: `<details>`, `<summary>Title</summary>`, Markdown, `</details>`. */
export const DETAILS_OPEN = '<details>';
export const DETAILS_CLOSE = '</details>';
const SUMMARY = /^<details>(?:\n<summary>([^<>&\r\n]+)<\/summary>)?$/;

/** The expand macro's start tags for a `<details>` block, or undefined when `html` is not one. */
export function parseDetails(html: string): string | undefined {
  if (html === DETAILS_CLOSE) return '</ac:rich-text-body></ac:structured-macro>';
  const m = SUMMARY.exec(html);
  if (!m) return undefined;
  const title = m[1];
  if (title !== undefined && title !== title.trim()) return undefined;
  return `<ac:structured-macro ac:name="expand">${title === undefined ? '' : `<ac:parameter ac:name="title">${title}</ac:parameter>`}<ac:rich-text-body>`;
}
