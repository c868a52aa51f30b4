/** Small helpers shared by the storage → Markdown modules. */
import type { RootContent } from 'mdast';
import type { XmlElement, XmlNode } from '../xml/nodes.js';
import type { AttrEntry } from './syntax.js';
import { attrsComment } from './syntax.js';

export function elementEntries(el: XmlElement, skip: readonly string[] = []): AttrEntry[] {
  return el.attrs.filter((a) => !skip.includes(a.name)).map((a) => ({ name: a.name, value: a.value, element: true }));
}

/** Prepends an attrs comment when the element carries attributes Markdown cannot hold. */
export function withBlockAttrs(entries: AttrEntry[], node: RootContent): RootContent[] {
  return entries.length ? [{ type: 'html', value: attrsComment(entries) }, node] : [node];
}

export function isWhitespace(n: XmlNode): boolean {
  return (n.type === 'text' || n.type === 'cdata') && /^[ \t\r\n]*$/.test(n.value);
}

/** Text and CDATA content only; null when there is markup inside. */
export function plain(nodes: readonly XmlNode[]): string | null {
  let s = '';
  for (const n of nodes) {
    if (n.type !== 'text' && n.type !== 'cdata') return null;
    s += n.value;
  }
  return s;
}

/** Element children, ignoring whitespace; null when there is other content. */
export function elementChildren(el: XmlElement): XmlElement[] | null {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.type === 'element') out.push(c);
    else if (!isWhitespace(c)) return null;
  }
  return out;
}
