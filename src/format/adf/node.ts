/**
 * Defensive reading of Atlassian Document Format trees. ADF arrives as JSON from a server and may be anything:
 * these accessors never throw and turn wrong types into empty values, so the converter needs no checks of its own.
 */

export interface AdfMark {
  type: string;
  attrs: Record<string, unknown>;
}

export interface AdfNode {
  type: string;
  attrs: Record<string, unknown>;
  content: unknown[];
  text: string | undefined;
  marks: AdfMark[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A node's fields with wrong types replaced by empty ones; a bare string reads as a text node. */
export function readNode(v: unknown): AdfNode {
  if (typeof v === 'string') return { type: 'text', attrs: {}, content: [], text: v, marks: [] };
  if (!isRecord(v)) return { type: '', attrs: {}, content: [], text: scalar(v), marks: [] };
  const marks: AdfMark[] = [];
  if (Array.isArray(v.marks)) {
    for (const m of v.marks) {
      if (isRecord(m) && typeof m.type === 'string') marks.push({ type: m.type, attrs: isRecord(m.attrs) ? m.attrs : {} });
    }
  }
  let content: unknown[] = [];
  if (Array.isArray(v.content)) content = v.content;
  else if (isRecord(v.content)) content = [v.content];
  return {
    type: typeof v.type === 'string' ? v.type : '',
    attrs: isRecord(v.attrs) ? v.attrs : {},
    content,
    text: typeof v.text === 'string' ? v.text : scalar(v.text),
    marks,
  };
}

function scalar(v: unknown): string | undefined {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : undefined;
}

/** An attribute as a string ('' when missing or not a scalar). */
export function str(attrs: Record<string, unknown>, key: string): string {
  const v = attrs[key];
  if (typeof v === 'string') return v;
  return scalar(v) ?? '';
}

/** An attribute as a finite number, or `fallback`. */
export function num(attrs: Record<string, unknown>, key: string, fallback: number): number {
  const v = attrs[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

/** Node types that sit inside a paragraph. Anything else is treated as a block. */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  'text',
  'hardBreak',
  'mention',
  'emoji',
  'date',
  'status',
  'inlineCard',
  'mediaInline',
  'placeholder',
  'inlineExtension',
]);

/** Whether a (read) node belongs inside a paragraph: inline types, and scalars or strings where a node should be. */
export function isInline(n: AdfNode): boolean {
  return INLINE_TYPES.has(n.type) || (n.type === '' && n.text !== undefined);
}

/**
 * All the text under a node, without any structure, iteratively (works on trees too deep for recursion). Used for
 * the text of nodes that have no Markdown form and as the last resort when a document cannot be converted at all.
 */
export function plainText(root: unknown, limit = 1_000_000): string {
  const out: string[] = [];
  const stack: unknown[] = [root];
  let seen = 0;
  while (stack.length && seen < limit) {
    seen++;
    const v = stack.pop();
    const n = readNode(v);
    if (n.text !== undefined) out.push(n.text);
    const attrText = leafText(n);
    if (attrText) out.push(attrText);
    if (n.type === 'hardBreak') out.push('\n');
    // A block ends its line: the break is pushed first so that it pops after the block's children.
    if (!INLINE_TYPES.has(n.type) && n.type !== '') stack.push('\n');
    for (let i = n.content.length - 1; i >= 0; i--) stack.push(n.content[i]);
  }
  return out.join('').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** The words of a leaf node that keeps them in attributes (a mention's name, a status' text, a card's address). */
export function leafText(n: AdfNode): string {
  switch (n.type) {
    case 'mention':
      return str(n.attrs, 'text') || str(n.attrs, 'id');
    case 'status':
    case 'placeholder':
      return str(n.attrs, 'text');
    case 'emoji':
      return str(n.attrs, 'text') || str(n.attrs, 'shortName');
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return str(n.attrs, 'url');
    case 'media':
    case 'mediaInline':
      return str(n.attrs, 'alt') || str(n.attrs, 'url') || str(n.attrs, 'id');
    default:
      return '';
  }
}
