// PLACEHOLDER — replaced by branch adf at merge
/** ADF → Markdown. Placeholder: the plain text of the document, one paragraph per block. */
export function adfToMarkdown(doc: unknown): string {
  const blocks: string[] = [];
  const text = (n: unknown): string => {
    if (!n || typeof n !== 'object') return '';
    const node = n as { type?: unknown; text?: unknown; content?: unknown; attrs?: { text?: unknown; shortName?: unknown } };
    if (typeof node.text === 'string') return node.text;
    if (node.type === 'hardBreak') return '\n';
    if (typeof node.attrs?.text === 'string') return node.attrs.text;
    const blocky = ['bulletList', 'orderedList', 'listItem', 'table', 'tableRow', 'panel', 'blockquote', 'expand'].includes(String(node.type));
    return Array.isArray(node.content) ? node.content.map(text).join(blocky ? '\n' : '') : '';
  };
  const root = doc as { content?: unknown } | null;
  for (const block of Array.isArray(root?.content) ? root.content : []) {
    const t = text(block).trim();
    if (t) blocks.push(t);
  }
  return blocks.join('\n\n') + (blocks.length ? '\n' : '');
}
