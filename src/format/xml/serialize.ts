/**
 * Serialising the storage tree. One escaping policy for the whole project: text escapes & < >, attribute values
 * escape & < > " and the whitespace characters XML would otherwise normalise away.
 */
import type { XmlAttr, XmlElement, XmlNode } from './nodes.js';

const TEXT_ESC = /[&<>]/g;
const ATTR_ESC = /[&<>"\t\n\r]/g;
const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

export function escapeText(s: string): string {
  return TEXT_ESC.test(s) ? s.replace(TEXT_ESC, (c) => ESC[c] as string) : s;
}

export function escapeAttr(s: string): string {
  return s.replace(ATTR_ESC, (c) => ESC[c] as string);
}

/** CDATA cannot contain `]]>`: split it across two sections, which every parser reads back as the same text. */
export function cdata(s: string): string {
  return `<![CDATA[${s.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

export function attrsToXml(attrs: readonly XmlAttr[]): string {
  let out = '';
  for (const a of attrs) out += ` ${a.name}="${escapeAttr(a.value)}"`;
  return out;
}

export function openTag(name: string, attrs: readonly XmlAttr[]): string {
  return `<${name}${attrsToXml(attrs)}>`;
}

export function emptyTag(name: string, attrs: readonly XmlAttr[]): string {
  return `<${name}${attrsToXml(attrs)}/>`;
}

/** Serialises nodes as given (no sorting, no whitespace changes). Empty elements are written self-closing. */
export function serializeNodes(nodes: readonly XmlNode[]): string {
  const parts: string[] = [];
  for (const n of nodes) writeNode(n, parts);
  return parts.join('');
}

function writeNode(n: XmlNode, parts: string[]): void {
  switch (n.type) {
    case 'text':
      parts.push(escapeText(n.value));
      return;
    case 'cdata':
      parts.push(cdata(n.value));
      return;
    case 'comment':
      parts.push(`<!--${n.value}-->`);
      return;
    case 'instruction':
      parts.push(`<?${n.value}?>`);
      return;
    case 'element':
      writeElement(n, parts);
  }
}

function writeElement(el: XmlElement, parts: string[]): void {
  if (el.children.length === 0) {
    parts.push(emptyTag(el.name, el.attrs));
    return;
  }
  parts.push(openTag(el.name, el.attrs));
  for (const c of el.children) writeNode(c, parts);
  parts.push(`</${el.name}>`);
}
