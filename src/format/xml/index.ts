/** Storage-format XML: parse (with source offsets), serialise, canonicalise. Reusable outside the converters. */
export type { XmlAttr, XmlCData, XmlComment, XmlElement, XmlFragment, XmlInstruction, XmlNode, XmlText } from './nodes.js';
export { attr, textContent, isWhitespaceText } from './nodes.js';
export { parseStorage, tryParseStorage, XmlSyntaxError, KNOWN_PREFIXES } from './parse.js';
export type { ParseOptions } from './parse.js';
export { serializeNodes, escapeText, escapeAttr, cdata, openTag, emptyTag, attrsToXml } from './serialize.js';
export { canonicalStorage, canonicalFragment, canonicalNodes, storageEquals } from './canonical.js';
export { decodeEntities, namedEntity } from './entities.js';
