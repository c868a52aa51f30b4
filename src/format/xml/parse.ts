/**
 * Parsing Confluence storage format (an XHTML fragment with `ac:`/`ri:`/`at:` prefixed elements whose namespaces
 * are never declared) with saxes, a conformant XML parser, into the XmlNode tree with source offsets.
 *
 * saxes runs in fragment mode with ac, ri and at (and any extra prefixes) bound, so an unbound prefix is still
 * rejected; its entity table is the HTML5 named entities storage format uses (entities.ts). The only rule added on
 * top of saxes: `]]>` is refused in top-level text too (saxes checks it only inside elements; Confluence reads a
 * body inside a root element, where it is an error). It is strict on purpose: a body it rejects is kept verbatim by
 * the converters instead of being half-understood. Text, CDATA and comment values are what XML says they are
 * (line ends normalised to LF, attribute values whitespace-normalised); offsets index the original string.
 */
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import { characterEntities } from 'character-entities';
import { decodeEntities, EntityError } from './entities.js';
import { fastParse } from './fast-parse.js';
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

/** Prefixes storage format uses. Anything else is an unbound prefix, unless the body declares it itself. */
export const KNOWN_PREFIXES: ReadonlySet<string> = new Set(['ac', 'ri', 'at', 'xml', 'xmlns']);

export interface ParseOptions {
  /** Extra namespace prefixes to accept besides ac, ri and at. */
  prefixes?: Iterable<string>;
}

/** XML's five and HTML5's named entities. No prototype: `&constructor;` is no entity. */
const ENTITY_TABLE: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, characterEntities, {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
});

type Parser = SaxesParser<{ xmlns: true; fragment: true; position: false }>;

/** One parse in progress: the tree being built and the offset where the next node starts. */
interface Build {
  source: string;
  root: XmlNode[];
  stack: XmlElement[];
  siblings: XmlNode[];
  /** Offset of the first character of the node saxes is reading now (just past the last complete node). */
  cursor: number;
  /** True while close() runs: pending text then ends at the end of the source, not at a `<`. */
  closing: boolean;
  /** Name of the start tag being read (for error messages). */
  tagName: string;
}

let current: Build | undefined;

function newParser(prefixes: readonly string[]): Parser {
  const ns: Record<string, string> = {};
  for (const p of prefixes) if (p !== 'xml' && p !== 'xmlns') ns[p] = `urn:confluence-storage:${p}`;
  const p: Parser = new SaxesParser({ xmlns: true, fragment: true, position: false, additionalNamespaces: ns });
  const b = (): Build => current as Build;
  p.on('text', (value) => {
    const s = b();
    const end = s.closing ? s.source.length : p.position - 1;
    if (s.stack.length === 0) {
      const bad = s.source.slice(s.cursor, end).indexOf(']]>');
      if (bad >= 0) throw new XmlSyntaxError(`']]>' in text at offset ${s.cursor + bad}`, s.cursor + bad);
    }
    s.siblings.push({ type: 'text', value, start: s.cursor, end });
    s.cursor = end;
  });
  p.on('cdata', (value) => {
    const s = b();
    const end = p.position;
    s.siblings.push({ type: 'cdata', value, start: s.cursor, end });
    s.cursor = end;
  });
  p.on('comment', (value) => {
    // Reported at the second `-` of `-->`: saxes checks the `>` next and fails if it is missing.
    const s = b();
    const end = p.position + 1;
    if (s.source.charCodeAt(p.position) !== 0x3e) throw new XmlSyntaxError(`'--' inside comment at offset ${s.cursor}`, s.cursor);
    s.siblings.push({ type: 'comment', value, start: s.cursor, end });
    s.cursor = end;
  });
  p.on('processinginstruction', () => {
    const s = b();
    const end = p.position;
    const raw = s.source.slice(s.cursor + 2, end - 2);
    s.siblings.push({ type: 'instruction', value: raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw, start: s.cursor, end });
    s.cursor = end;
  });
  p.on('opentagstart', (tag) => {
    b().tagName = tag.name;
  });
  p.on('opentag', (tag: SaxesTagNS) => {
    const s = b();
    s.tagName = '';
    const end = p.position;
    const attrs: XmlAttr[] = [];
    for (const name in tag.attributes) attrs.push({ name, value: (tag.attributes[name] as { value: string }).value });
    const self = tag.isSelfClosing;
    const el: XmlElement = {
      type: 'element',
      name: tag.name,
      attrs,
      children: [],
      start: s.cursor,
      openEnd: end,
      closeStart: self ? end : -1,
      end: self ? end : -1,
    };
    s.siblings.push(el);
    if (!self) {
      s.stack.push(el);
      s.siblings = el.children;
    }
    s.cursor = end;
  });
  p.on('closetag', (tag: SaxesTagNS) => {
    if (tag.isSelfClosing) return;
    const s = b();
    const el = s.stack[s.stack.length - 1] as XmlElement;
    // saxes reports the element it closes before it checks the end tag's name: check it first, for a clear error.
    const nameEnd = s.cursor + 2 + el.name.length;
    const after = s.source.charCodeAt(nameEnd);
    if (!s.source.startsWith(el.name, s.cursor + 2) || !(after === 0x3e || after === 0x20 || after === 0x9 || after === 0xa || after === 0xd)) {
      throw new XmlSyntaxError(`unexpected </${endTagName(s.source, s.cursor)}> at offset ${s.cursor} (open: <${el.name}>)`, s.cursor);
    }
    const end = p.position;
    el.closeStart = s.cursor;
    el.end = end;
    s.stack.pop();
    s.siblings = s.stack.length ? (s.stack[s.stack.length - 1] as XmlElement).children : s.root;
    s.cursor = end;
  });
  p.on('error', (err) => {
    throw syntaxError(b(), p.position, err.message);
  });
  return p;
}

function endTagName(source: string, at: number): string {
  return /^<\/([^\s>]*)/.exec(source.slice(at, at + 200))?.[1] ?? '';
}

/** Turns a saxes error into an XmlSyntaxError that names the construct and its offset in the source. */
function syntaxError(s: Build, position: number, saxesMessage: string): XmlSyntaxError {
  const { source, cursor } = s;
  const reason = saxesMessage.replace(/\.$/, '');
  const at = Math.max(0, Math.min(position, source.length) - 1);
  const inMarkup = source.charCodeAt(cursor) === 0x3c; // '<'
  const markupDecl = inMarkup && (source.startsWith('<!', cursor) || source.startsWith('<?', cursor) || source.startsWith('</', cursor));
  // A reference saxes could not finish: it reads to the next `;`, or to the end of the source.
  const entityError =
    /entity/.test(reason) ||
    (s.closing && !markupDecl && source.indexOf('&', Math.max(cursor, source.lastIndexOf(';') + 1)) >= 0);
  if (entityError) {
    const amp = /entity/.test(reason)
      ? source.lastIndexOf('&', at)
      : source.indexOf('&', Math.max(cursor, source.lastIndexOf(';') + 1));
    const end = source.indexOf(';', amp);
    try {
      decodeEntities(source.slice(amp, end < 0 ? source.length : end + 1), amp);
    } catch (err) {
      if (err instanceof EntityError) return new XmlSyntaxError(err.message, err.offset);
      throw err;
    }
    return new XmlSyntaxError(`invalid entity reference at offset ${amp} (${reason})`, amp);
  }
  const unexpectedEnd = s.closing && inMarkup;
  let m: RegExpExecArray | null;
  // At the end of the source, an unfinished construct is the error, not the elements it leaves open.
  if (!unexpectedEnd && (m = /^unclosed tag: (.*)$/.exec(reason))) {
    const open = s.stack[s.stack.length - 1];
    const start = open?.start ?? cursor;
    return new XmlSyntaxError(`unclosed <${m[1]}> opened at offset ${start}`, start);
  }
  if (/^unmatched closing tag/.test(reason)) {
    return new XmlSyntaxError(`unexpected </${endTagName(source, cursor)}> at offset ${cursor}`, cursor);
  }
  if ((m = /^unbound namespace prefix: "(.*)"$/.exec(reason))) {
    return new XmlSyntaxError(`unknown namespace prefix ${m[1]}: in <${s.tagName}> at offset ${cursor}`, cursor);
  }
  if ((m = /^duplicate attribute: (?:\{.*\})?(.*)$/.exec(reason))) {
    return new XmlSyntaxError(`duplicate attribute ${m[1]} in <${s.tagName}> at offset ${cursor}`, cursor);
  }
  if (/]]>/.test(reason)) return new XmlSyntaxError(`']]>' in text at offset ${at - 2}`, at - 2);
  if (!inMarkup) return new XmlSyntaxError(`${reason} in text at offset ${at}`, at);
  if (source.startsWith('<!--', cursor)) {
    if (unexpectedEnd) return new XmlSyntaxError(`unclosed comment at offset ${cursor}`, cursor);
    return new XmlSyntaxError(`'--' inside comment at offset ${cursor}`, cursor);
  }
  if (source.startsWith('<![CDATA[', cursor)) return new XmlSyntaxError(`unclosed CDATA section at offset ${cursor}`, cursor);
  if (source.startsWith('<!', cursor)) return new XmlSyntaxError(`unsupported markup declaration at offset ${cursor}`, cursor);
  if (source.startsWith('<?', cursor)) {
    const what = unexpectedEnd ? 'unclosed' : 'malformed';
    return new XmlSyntaxError(`${what} processing instruction at offset ${cursor} (${reason})`, cursor);
  }
  if (source.startsWith('</', cursor)) {
    return new XmlSyntaxError(`malformed end tag </${endTagName(source, cursor)}> at offset ${cursor} (${reason})`, cursor);
  }
  if (unexpectedEnd) return new XmlSyntaxError(`unclosed start tag at offset ${cursor}`, cursor);
  if (s.tagName === '' || !source.startsWith(s.tagName, cursor + 1)) {
    return new XmlSyntaxError(`malformed tag at offset ${cursor} (${reason})`, cursor);
  }
  return new XmlSyntaxError(`malformed start tag <${s.tagName}> at offset ${cursor} (${reason})`, cursor);
}

/** A parser per prefix set; the default one is kept. A parser that failed mid-body is dropped, not reused. */
let defaultParser: Parser | undefined;

/** Parses a storage body. Throws XmlSyntaxError (with the offset) when the body is not well-formed. */
export function parseStorage(source: string, options: ParseOptions = {}): XmlFragment {
  // The plain shape of a body is read by hand (fast-parse.ts: the same tree); saxes decides everything else.
  const fast = options.prefixes === undefined ? fastParse(source, ENTITY_TABLE) : undefined;
  return fast ? { source, children: fast } : parseStorageWithSaxes(source, options);
}

/** parseStorage by saxes alone: the reference the fast path is tested against. */
export function parseStorageWithSaxes(source: string, options: ParseOptions = {}): XmlFragment {
  const extra = options.prefixes ? [...options.prefixes] : [];
  const reentrant = current !== undefined;
  const shared = extra.length === 0 && !reentrant;
  const p = shared ? (defaultParser ??= newParser([...KNOWN_PREFIXES])) : newParser([...KNOWN_PREFIXES, ...extra]);
  const outer = current;
  const root: XmlNode[] = [];
  const build: Build = { source, root, stack: [], siblings: root, cursor: 0, closing: false, tagName: '' };
  current = build;
  let ok = false;
  try {
    p.ENTITIES = ENTITY_TABLE;
    p.write(source);
    build.closing = true;
    p.close();
    ok = true;
  } finally {
    current = outer;
    if (!ok && shared) defaultParser = undefined;
  }
  return { source, children: root };
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
