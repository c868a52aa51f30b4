/**
 * A small, strict, single-pass parser for Confluence storage format (an XHTML fragment with `ac:`/`ri:` prefixed
 * elements that are never declared). It is strict on purpose: a body it rejects is kept verbatim by the converters
 * instead of being half-understood. Linear time: one scan with sticky regexes, no backtracking over the input.
 */
import { decodeEntities, EntityError } from './entities.js';
import type { XmlAttr, XmlElement, XmlFragment, XmlNode } from './nodes.js';

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** Prefixes storage format uses. Anything else is an unbound prefix: a real XML parser would reject it too. */
export const KNOWN_PREFIXES: ReadonlySet<string> = new Set(['ac', 'ri', 'at', 'xml', 'xmlns']);

export interface ParseOptions {
  /** Extra namespace prefixes to accept besides ac, ri and at. */
  prefixes?: Iterable<string>;
}

const NAME = /[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?/y;
const ATTR = /[ \t\r\n]+([A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?)[ \t\r\n]*=[ \t\r\n]*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /[ \t\r\n]*(\/?)>/y;
const CLOSE_END = /[ \t\r\n]*>/y;

function checkPrefix(name: string, offset: number, prefixes: ReadonlySet<string>): void {
  const colon = name.indexOf(':');
  if (colon > 0 && !prefixes.has(name.slice(0, colon))) {
    throw new XmlSyntaxError(`unknown namespace prefix in <${name}> at offset ${offset}`, offset);
  }
}

function decode(raw: string, base: number): string {
  try {
    return decodeEntities(raw, base);
  } catch (err) {
    if (err instanceof EntityError) throw new XmlSyntaxError(err.message, err.offset);
    throw err;
  }
}

/** Parses a storage body. Throws XmlSyntaxError (with the offset) when the body is not well-formed. */
export function parseStorage(source: string, options: ParseOptions = {}): XmlFragment {
  const prefixes = options.prefixes ? new Set([...KNOWN_PREFIXES, ...options.prefixes]) : KNOWN_PREFIXES;
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
      const cdataEnd = raw.indexOf(']]>');
      // XML forbids `]]>` in element content (saxes, for one, rejects it); text outside elements is let through.
      if (cdataEnd >= 0 && stack.length > 0) throw new XmlSyntaxError(`']]>' in text at offset ${i + cdataEnd}`, i + cdataEnd);
      siblings.push({ type: 'text', value: decode(raw, i), start: i, end: textEnd });
      i = textEnd;
      if (lt < 0) break;
    }
    // source[i] === '<'
    if (source.startsWith('<!--', i)) {
      const close = source.indexOf('-->', i + 4);
      if (close < 0) throw new XmlSyntaxError(`unclosed comment at offset ${i}`, i);
      const value = source.slice(i + 4, close);
      if (value.includes('--') || value.endsWith('-')) throw new XmlSyntaxError(`'--' inside comment at offset ${i}`, i);
      siblings.push({ type: 'comment', value, start: i, end: close + 3 });
      i = close + 3;
    } else if (source.startsWith('<![CDATA[', i)) {
      const close = source.indexOf(']]>', i + 9);
      if (close < 0) throw new XmlSyntaxError(`unclosed CDATA section at offset ${i}`, i);
      siblings.push({ type: 'cdata', value: source.slice(i + 9, close), start: i, end: close + 3 });
      i = close + 3;
    } else if (source.startsWith('<?', i)) {
      const close = source.indexOf('?>', i + 2);
      if (close < 0) throw new XmlSyntaxError(`unclosed processing instruction at offset ${i}`, i);
      siblings.push({ type: 'instruction', value: source.slice(i + 2, close), start: i, end: close + 2 });
      i = close + 2;
    } else if (source.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(source);
      const open = stack[stack.length - 1];
      if (!m) throw new XmlSyntaxError(`malformed end tag at offset ${i}`, i);
      if (!open || open.name !== m[0]) {
        throw new XmlSyntaxError(`unexpected </${m[0]}> at offset ${i}${open ? ` (open: <${open.name}>)` : ''}`, i);
      }
      CLOSE_END.lastIndex = NAME.lastIndex;
      if (!CLOSE_END.exec(source)) throw new XmlSyntaxError(`malformed end tag </${m[0]}> at offset ${i}`, i);
      open.closeStart = i;
      open.end = CLOSE_END.lastIndex;
      stack.pop();
      siblings = stack.length ? (stack[stack.length - 1] as XmlElement).children : root;
      i = open.end;
    } else if (source.startsWith('<!', i)) {
      throw new XmlSyntaxError(`unsupported markup declaration at offset ${i}`, i);
    } else {
      i = parseStartTag(source, i, prefixes, stack, siblings);
      const top = stack[stack.length - 1];
      siblings = top && top.end < 0 ? top.children : siblings;
    }
  }
  if (stack.length) {
    const open = stack[stack.length - 1] as XmlElement;
    throw new XmlSyntaxError(`unclosed <${open.name}> opened at offset ${open.start}`, open.start);
  }
  return { source, children: root };
}

/** Parses `<name attrs…>` or `<name …/>` at `at`; pushes the element; returns the offset after the tag. */
function parseStartTag(
  source: string,
  at: number,
  prefixes: ReadonlySet<string>,
  stack: XmlElement[],
  siblings: XmlNode[],
): number {
  NAME.lastIndex = at + 1;
  const m = NAME.exec(source);
  if (!m) throw new XmlSyntaxError(`malformed tag at offset ${at}`, at);
  const name = m[0];
  checkPrefix(name, at, prefixes);
  const attrs: XmlAttr[] = [];
  let p = NAME.lastIndex;
  for (;;) {
    ATTR.lastIndex = p;
    const a = ATTR.exec(source);
    if (!a) break;
    const attrName = a[1] as string;
    checkPrefix(attrName, p, prefixes);
    if (attrs.some((x) => x.name === attrName)) {
      throw new XmlSyntaxError(`duplicate attribute ${attrName} in <${name}> at offset ${at}`, at);
    }
    const raw = a[2] ?? a[3] ?? '';
    attrs.push({ name: attrName, value: decode(raw, p) });
    p = ATTR.lastIndex;
  }
  TAG_END.lastIndex = p;
  const e = TAG_END.exec(source);
  if (!e) throw new XmlSyntaxError(`malformed start tag <${name}> at offset ${at}`, at);
  const end = TAG_END.lastIndex;
  const selfClosing = e[1] === '/';
  const el: XmlElement = {
    type: 'element',
    name,
    attrs,
    children: [],
    start: at,
    openEnd: end,
    closeStart: selfClosing ? end : -1,
    end: selfClosing ? end : -1,
  };
  siblings.push(el);
  if (!selfClosing) stack.push(el);
  return end;
}

/** parseStorage that returns the error instead of throwing. */
export function tryParseStorage(
  source: string,
  options: ParseOptions = {},
): { ok: true; fragment: XmlFragment } | { ok: false; error: XmlSyntaxError } {
  try {
    return { ok: true, fragment: parseStorage(source, options) };
  } catch (err) {
    if (err instanceof XmlSyntaxError) return { ok: false, error: err };
    throw err;
  }
}
