/**
 * The storage-format XML tree. Every node keeps its source offsets so converters can copy the exact original bytes
 * of anything they cannot map (verbatim preservation), and text values are already entity-decoded.
 */
export interface XmlAttr {
  name: string;
  /** Decoded value. */
  value: string;
}

interface Span {
  /** Offset of the node's first character in the source. */
  start: number;
  /** Offset just past the node's last character. */
  end: number;
}

export interface XmlElement extends Span {
  type: 'element';
  name: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  /** Offset just past the `>` of the start tag (equals `end` for `<x/>`). */
  openEnd: number;
  /** Offset of the `</` of the end tag (equals `end` for `<x/>`). */
  closeStart: number;
}

export interface XmlText extends Span {
  type: 'text';
  value: string;
}

export interface XmlCData extends Span {
  type: 'cdata';
  value: string;
}

export interface XmlComment extends Span {
  type: 'comment';
  value: string;
}

export interface XmlInstruction extends Span {
  type: 'instruction';
  value: string;
}

export type XmlNode = XmlElement | XmlText | XmlCData | XmlComment | XmlInstruction;

/** The parsed fragment: a storage body is a list of top-level nodes, not one document element. */
export interface XmlFragment {
  source: string;
  children: XmlNode[];
}

export function attr(el: XmlElement, name: string): string | undefined {
  for (const a of el.attrs) if (a.name === name) return a.value;
  return undefined;
}

/** Concatenated text of a node's text and CDATA descendants. */
export function textContent(node: XmlNode): string {
  if (node.type === 'text' || node.type === 'cdata') return node.value;
  if (node.type !== 'element') return '';
  let out = '';
  for (const c of node.children) out += textContent(c);
  return out;
}

export function isWhitespaceText(node: XmlNode): boolean {
  return node.type === 'text' && /^[ \t\r\n]*$/.test(node.value);
}
