/**
 * A fast path for parseStorage: a hand-written reader for the plain shape of storage bodies, which gives up
 * (returns undefined) at anything else, and parse.ts then asks saxes. It builds exactly the tree the saxes-based
 * parser builds, and accepts only bodies saxes accepts: its subset is
 * - no CR, no BOM, no character XML forbids (C0 controls but tab and LF, U+FFFE/U+FFFF, unpaired surrogates);
 * - elements and attributes named `name` or `prefix:name` in ASCII (letters, digits, `_`, `-`, `.`), the element
 *   prefixes ac, ri, at, the attribute prefixes those and xml, no `xmlns` attributes, no duplicate attribute;
 * - quoted attribute values without `<`, tab and LF read as spaces (XML's attribute-value normalisation);
 * - references to the entity table's names and to characters XML allows, ending in `;`;
 * - text without `]]>`; comments without `--` and not ending in `-`; CDATA sections; end tags that close the open
 *   element, with optional spaces before `>`; and every element closed at the end.
 * Processing instructions, declarations (`<!DOCTYPE`) and everything else go to saxes. test/format/xml-fast.test.ts
 * compares both on the corpora and on damaged bodies.
 */
import type { XmlAttr, XmlElement, XmlNode } from './nodes.js';

/** Characters outside the subset anywhere in the body (saxes rejects most of them; CR needs normalising). */
// eslint-disable-next-line no-control-regex -- the control characters XML forbids are what this looks for
const OUTSIDE = /[\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NAME = /[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?/y;
const REFERENCE = /&(?:([A-Za-z][A-Za-z0-9]*)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;
const ELEMENT_PREFIXES = new Set(['ac', 'ri', 'at']);
const ATTRIBUTE_PREFIXES = new Set(['ac', 'ri', 'at', 'xml']);

function xmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** Decodes the references in `raw` (text or an attribute value); undefined at one outside the subset. */
function decode(raw: string, entities: Readonly<Record<string, string>>): string | undefined {
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    REFERENCE.lastIndex = amp;
    const m = REFERENCE.exec(raw);
    if (!m) return undefined;
    let value: string | undefined;
    if (m[1] !== undefined) value = entities[m[1]];
    else {
      const code = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3] as string, 16);
      if (xmlChar(code)) value = String.fromCodePoint(code);
    }
    if (value === undefined) return undefined;
    out += raw.slice(from, amp) + value;
    from = REFERENCE.lastIndex;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x9 || code === 0xa;
}

function prefixOk(name: string, prefixes: ReadonlySet<string>): boolean {
  const colon = name.indexOf(':');
  return colon < 0 || prefixes.has(name.slice(0, colon));
}

/** The top-level nodes of `source`, or undefined when it is outside the subset (saxes decides then). */
export function fastParse(source: string, entities: Readonly<Record<string, string>>): XmlNode[] | undefined {
  if (OUTSIDE.test(source) || source.charCodeAt(0) === 0xfeff) return undefined;
  const root: XmlNode[] = [];
  const stack: XmlElement[] = [];
  let siblings = root;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = source.slice(i, textEnd);
      if (raw.includes(']]>')) return undefined;
      const value = decode(raw, entities);
      if (value === undefined) return undefined;
      siblings.push({ type: 'text', value, start: i, end: textEnd });
      i = textEnd;
      if (i >= n) break;
    }
    // At a `<`.
    const next = source.charCodeAt(i + 1);
    if (next === 0x21 /* ! */) {
      if (source.startsWith('<!--', i)) {
        const close = source.indexOf('-->', i + 4);
        if (close < 0) return undefined;
        const value = source.slice(i + 4, close);
        if (value.includes('--') || value.endsWith('-')) return undefined;
        siblings.push({ type: 'comment', value, start: i, end: close + 3 });
        i = close + 3;
        continue;
      }
      if (source.startsWith('<![CDATA[', i)) {
        const close = source.indexOf(']]>', i + 9);
        if (close < 0) return undefined;
        siblings.push({ type: 'cdata', value: source.slice(i + 9, close), start: i, end: close + 3 });
        i = close + 3;
        continue;
      }
      return undefined;
    }
    if (next === 0x2f /* / */) {
      const open = stack[stack.length - 1];
      if (!open || !source.startsWith(open.name, i + 2)) return undefined;
      let j = i + 2 + open.name.length;
      while (isSpace(source.charCodeAt(j))) j++;
      if (source.charCodeAt(j) !== 0x3e) return undefined;
      open.closeStart = i;
      open.end = j + 1;
      stack.pop();
      siblings = stack.length ? (stack[stack.length - 1] as XmlElement).children : root;
      i = j + 1;
      continue;
    }
    NAME.lastIndex = i + 1;
    const name = NAME.exec(source)?.[0];
    if (name === undefined || !prefixOk(name, ELEMENT_PREFIXES) || name.startsWith('xml')) return undefined;
    let j = i + 1 + name.length;
    const attrs: XmlAttr[] = [];
    let self = false;
    for (;;) {
      const spaced = isSpace(source.charCodeAt(j));
      while (isSpace(source.charCodeAt(j))) j++;
      const c = source.charCodeAt(j);
      if (c === 0x3e /* > */) {
        j++;
        break;
      }
      if (c === 0x2f /* / */) {
        if (source.charCodeAt(j + 1) !== 0x3e) return undefined;
        j += 2;
        self = true;
        break;
      }
      if (!spaced) return undefined;
      NAME.lastIndex = j;
      const attrName = NAME.exec(source)?.[0];
      if (attrName === undefined || attrName.startsWith('xmlns') || !prefixOk(attrName, ATTRIBUTE_PREFIXES)) return undefined;
      j += attrName.length;
      while (isSpace(source.charCodeAt(j))) j++;
      if (source.charCodeAt(j) !== 0x3d /* = */) return undefined;
      j++;
      while (isSpace(source.charCodeAt(j))) j++;
      const quote = source.charCodeAt(j);
      if (quote !== 0x22 && quote !== 0x27) return undefined;
      const close = source.indexOf(quote === 0x22 ? '"' : "'", j + 1);
      if (close < 0) return undefined;
      let raw = source.slice(j + 1, close);
      if (raw.includes('<')) return undefined;
      if (raw.includes('\t') || raw.includes('\n')) raw = raw.replace(/[\t\n]/g, ' ');
      const value = decode(raw, entities);
      if (value === undefined) return undefined;
      for (const a of attrs) if (a.name === attrName) return undefined;
      attrs.push({ name: attrName, value });
      j = close + 1;
    }
    const el: XmlElement = { type: 'element', name, attrs, children: [], start: i, openEnd: j, closeStart: self ? j : -1, end: self ? j : -1 };
    siblings.push(el);
    if (!self) {
      stack.push(el);
      siblings = el.children;
    }
    i = j;
  }
  return stack.length === 0 ? root : undefined;
}
