/**
 * Entity decoding for storage format. Storage bodies are XHTML fragments that use HTML named entities (&nbsp;,
 * &mdash; …) which plain XML parsers reject, so we decode the full HTML5 named-entity table here.
 */
import { characterEntities } from 'character-entities';

/**
 * XML's five and HTML5's named entities, in a Map: a lookup in an object literal would also find `constructor`,
 * `toString` … on its prototype (and it is faster).
 */
const ENTITIES = new Map<string, string>([...Object.entries(characterEntities), ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"]]);

/** The character(s) a named entity stands for, or undefined when the name is unknown. */
export function namedEntity(name: string): string | undefined {
  return ENTITIES.get(name);
}

/** True for code points XML 1.0 allows as characters (the `Char` production). */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

export class EntityError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'EntityError';
  }
}

const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}));/y;

/**
 * Decodes entity and character references in `raw` (text or an attribute value). `base` is the offset of `raw` in
 * the document, used in error messages. Throws EntityError on a bare `&`, an unknown name or an invalid code point.
 */
export function decodeEntities(raw: string, base = 0): string {
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  let out = '';
  let last = 0;
  while (amp >= 0) {
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(raw);
    if (!m) throw new EntityError(`invalid entity reference at offset ${base + amp}`, base + amp);
    let ch: string | undefined;
    if (m[1] !== undefined || m[2] !== undefined) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] as string, 10);
      if (!isXmlChar(cp)) throw new EntityError(`invalid character reference &${m[0].slice(1)} at offset ${base + amp}`, base + amp);
      ch = String.fromCodePoint(cp);
    } else {
      ch = namedEntity(m[3] as string);
      if (ch === undefined) throw new EntityError(`unknown entity ${m[0]} at offset ${base + amp}`, base + amp);
    }
    out += raw.slice(last, amp) + ch;
    last = amp + m[0].length;
    amp = raw.indexOf('&', last);
  }
  return out + raw.slice(last);
}
