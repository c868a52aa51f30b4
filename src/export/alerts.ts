/** GitHub-style alerts (`> [!NOTE] Title`), which the Markdown converter makes of Confluence's panels. */
import type { Blockquote, Paragraph } from 'mdast';

export interface Alert {
  kind: 'note' | 'tip' | 'important' | 'warning' | 'caution';
  title: string;
  /** The blockquote's content without the marker paragraph's marker. */
  children: Blockquote['children'];
}

export function alertOf(node: Blockquote): Alert | undefined {
  const first = node.children[0];
  if (first?.type !== 'paragraph') return undefined;
  const head = first.children[0];
  if (head?.type !== 'text') return undefined;
  const m = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*([^\n]*)\n?/.exec(head.value);
  if (!m) return undefined;
  const rest = head.value.slice(m[0].length);
  const para: Paragraph = { ...first, children: [...(rest ? [{ ...head, value: rest }] : []), ...first.children.slice(1)] };
  const children = para.children.length ? [para, ...node.children.slice(1)] : node.children.slice(1);
  return { kind: m[1]!.toLowerCase() as Alert['kind'], title: m[2]!.trim(), children };
}
