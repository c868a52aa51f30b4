/**
 * Canonical storage XML: two bodies that Confluence renders identically and that differ only in how they were
 * written (attribute order, quoting, entities, CDATA vs escaped text, self-closing tags, whitespace between blocks)
 * have the same canonical form. The engine compares canonical forms to tell a false conflict from a real one, and
 * the Markdown converter's round-trip law is stated in it.
 *
 * Rules: attributes sorted by name; entities decoded, and only & < > (text) / & < > " (attributes) re-escaped;
 * CDATA merged into the surrounding text; empty elements self-closing; CR LF → LF in text; whitespace-only text
 * dropped where it cannot render (between blocks in a flow container or the body, or inside elements whose
 * content is only elements).
 */
import type { XmlElement, XmlFragment, XmlNode } from './nodes.js';
import { isWhitespaceText } from './nodes.js';
import { parseStorage, XmlSyntaxError } from './parse.js';
import { serializeNodes } from './serialize.js';
import { createHash } from 'node:crypto';
import { topLevelPieces } from './top-level.js';

/** Elements whose content model is elements only: whitespace inside them is never content. */
const ELEMENT_ONLY = new Set([
  'ul', 'ol', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'colgroup',
  'ac:structured-macro', 'ac:layout', 'ac:layout-section', 'ac:task-list', 'ac:task', 'ac:image', 'ac:link',
]);

/** Block-level elements: whitespace between two of them (or at a container's edge next to one) never renders. */
export const BLOCK: ReadonlySet<string> = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
  'colgroup', 'col', 'blockquote', 'pre', 'hr', 'div', 'section', 'ac:layout', 'ac:layout-section',
  'ac:layout-cell', 'ac:task-list', 'ac:task', 'ac:structured-macro', 'ac:macro', 'ac:rich-text-body',
  'ac:parameter', 'ac:plain-text-body', 'ac:adf-extension', 'ac:adf-node', 'ac:adf-fallback',
]);

/**
 * Flow containers (and the body itself): whitespace in them is dropped only next to blocks. Inside any other
 * element (p, span, strong …) whitespace is content and always kept.
 */
export const FLOW: ReadonlySet<string> = new Set([
  'li', 'td', 'th', 'blockquote', 'div', 'section', 'ac:rich-text-body', 'ac:layout-cell', 'ac:task-body',
]);

/** Elements whose text is literal: nothing inside them is ever dropped. */
const LITERAL = new Set(['pre', 'ac:plain-text-body', 'ac:plain-text-link-body', 'ac:parameter', 'code']);

function isBlock(n: XmlNode | undefined): boolean {
  return n === undefined || (n.type === 'element' && BLOCK.has(n.name));
}

/** Returns the canonical node list (new nodes; the input is not changed). */
export function canonicalNodes(nodes: readonly XmlNode[], parent?: string): XmlNode[] {
  const literal = parent !== undefined && LITERAL.has(parent);
  const elementOnly = parent !== undefined && ELEMENT_ONLY.has(parent);
  const flow = parent === undefined || FLOW.has(parent);
  const out: XmlNode[] = [];
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k] as XmlNode;
    if (n.type === 'text' || n.type === 'cdata') {
      if (!literal && isWhitespaceText({ ...n, type: 'text' })) {
        if (elementOnly || (flow && isBlock(nodes[k - 1]) && isBlock(nodes[k + 1]))) continue;
      }
      const value = n.value.includes('\r') ? n.value.replace(/\r\n?/g, '\n') : n.value;
      const prev = out[out.length - 1];
      if (prev && prev.type === 'text') prev.value += value;
      else if (value !== '') out.push({ type: 'text', value, start: n.start, end: n.end });
    } else if (n.type === 'element') {
      out.push(canonicalElement(n));
    } else {
      out.push({ ...n });
    }
  }
  return out;
}

function canonicalElement(el: XmlElement): XmlElement {
  const attrs = [...el.attrs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...el, attrs, children: canonicalNodes(el.children, el.name) };
}

export function canonicalFragment(fragment: XmlFragment): string {
  return serializeNodes(canonicalNodes(fragment.children));
}

/**
 * The canonical form of a storage body. A body that is not well-formed (or nested deeper than the call stack
 * allows) has no canonical form: it is returned unchanged, so such bodies compare equal only when byte-identical.
 */
export function canonicalStorage(xml: string): string {
  try {
    return canonicalFragment(parseStorage(xml));
  } catch (err) {
    if (err instanceof XmlSyntaxError || err instanceof RangeError) return xml;
    throw err;
  }
}

/** Bodies at least this big are canonicalised piece by piece (top-level.ts): one page's tree is never built whole. */
const PIECE_CHARS = 64 * 1024;

/**
 * sha256 (hex) of `canonicalStorage(xml)`, the same value, computed piece by piece for a big body: the parse tree
 * and canonical copy of one piece at a time instead of the whole page's (a 5 MB list page's tree alone ran to
 * ~140 MB). A piece that does not parse alone sends the whole body to `canonicalStorage`.
 */
export function canonicalStorageHash(xml: string, pieceChars = PIECE_CHARS): string {
  const pieces = topLevelPieces(xml, pieceChars);
  const whole = () => createHash('sha256').update(canonicalStorage(xml)).digest('hex');
  if (pieces.length < 2) return whole();
  const hash = createHash('sha256');
  for (const p of pieces) {
    let canonical: string;
    try {
      canonical = canonicalFragment(parseStorage(p.open + xml.slice(p.from, p.to) + p.close));
    } catch (err) {
      if (err instanceof XmlSyntaxError || err instanceof RangeError) return whole();
      throw err;
    }
    // The list's tags put around a piece come off again (a piece is never empty: it holds at least one item).
    if (!canonical.startsWith(p.open) || !canonical.endsWith(p.close)) return whole();
    hash.update(canonical.slice(p.open.length, canonical.length - p.close.length));
  }
  return hash.digest('hex');
}

/** True when the two bodies have the same canonical form (big ones compared by the hash of it, built piece by piece). */
export function storageEquals(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length + b.length < 2 * PIECE_CHARS) return canonicalStorage(a) === canonicalStorage(b);
  return canonicalStorageHash(a) === canonicalStorageHash(b);
}
