/**
 * The unified processors, configured once. The stringify options are fixed so that the converter's own output is a
 * fixed point: Markdown → storage → Markdown gives back the same bytes.
 */
import type { Nodes, Parent, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import type { Options as StringifyOptions } from 'remark-stringify';
import { unified } from 'unified';
import { fastParse } from './parse-fast.js';
import { fastRoot } from './stringify-containers.js';
import { text } from './stringify-text.js';

function toString(node: Nodes): string {
  if ('value' in node) return node.value;
  return 'children' in node ? (node.children as Nodes[]).map(toString).join('') : '';
}

export const STRINGIFY_OPTIONS: StringifyOptions = {
  bullet: '-',
  bulletOther: '*',
  bulletOrdered: '.',
  emphasis: '*',
  strong: '*',
  fence: '`',
  fences: true,
  rule: '-',
  ruleRepetition: 3,
  ruleSpaces: false,
  listItemIndent: 'one',
  incrementListMarker: true,
  setext: false,
  closeAtx: false,
  resourceLink: false,
  tightDefinitions: false,
  quote: '"',
  // remark escapes `<` before a tag-like character only; CommonMark also reads `<a=@b>` as an e-mail autolink.
  unsafe: [{ character: '<', after: '\\S', inConstruct: 'phrasing' }],
};

/** The constructs of micromark-extension-gfm-autolink-literal, by name. */
const LITERAL_AUTOLINKS = new Set(['wwwAutolink', 'protocolAutolink', 'emailAutolink']);

interface SyntaxExtension {
  text?: Record<string, { name?: string } | Array<{ name?: string }> | undefined>;
}
type MdastExtension = { enter?: Record<string, unknown> } | MdastExtension[];

/**
 * GFM without autolink literals. The converter reads a bare `www.x.org` or `a@b.c` as text anyway (below), and the
 * literal tokenizer is the costliest part of GFM parsing: it hooks every letter and digit as a possible e-mail
 * start, and its tree transform scans every text node again. Without it, parsing is a third faster, and text
 * around a bare address reads as CommonMark reads it (`www.x.org/*a*` has emphasis). remark-gfm bundles all of
 * GFM, so the literal constructs are taken out of what it registered; tables, strikethrough, task lists and
 * footnotes stay. (Should a new remark-gfm rename them, nothing breaks: literal links are still turned back into
 * text, and the test of `www.x.org/*a*` says so.)
 */
function withoutLiteralAutolinks(syntax: SyntaxExtension): SyntaxExtension {
  if (!syntax.text) return syntax;
  const text: NonNullable<SyntaxExtension['text']> = {};
  for (const [code, constructs] of Object.entries(syntax.text)) {
    const kept = (Array.isArray(constructs) ? constructs : constructs ? [constructs] : []).filter((c) => !LITERAL_AUTOLINKS.has(c.name ?? ''));
    if (kept.length) text[code] = kept;
  }
  return { ...syntax, text };
}

function withoutLiteralAutolinkTree(ext: MdastExtension): MdastExtension[] {
  if (Array.isArray(ext)) return [ext.flatMap(withoutLiteralAutolinkTree)];
  return ext.enter && 'literalAutolink' in ext.enter ? [] : [ext];
}

// Frozen first: remark-gfm registers its extensions when the processor freezes.
const parser = unified().use(remarkParse).use(remarkGfm).freeze();
{
  const data = parser.data() as { micromarkExtensions?: SyntaxExtension[]; fromMarkdownExtensions?: MdastExtension[] };
  const syntax = data.micromarkExtensions ?? [];
  syntax.splice(0, syntax.length, ...syntax.map(withoutLiteralAutolinks));
  const tree = data.fromMarkdownExtensions ?? [];
  tree.splice(0, tree.length, ...tree.flatMap(withoutLiteralAutolinkTree));
}
const stringifier = unified().use(remarkStringify, { ...STRINGIFY_OPTIONS, handlers: { text, root: fastRoot } }).use(remarkGfm);

/**
 * Markdown → mdast. markdown-it reads it (parse-fast.ts) unless the document uses something only remark reads the
 * way this converter has always read it; the tree is the same either way (test/format/parse-fast.test.ts).
 */
export function parseMarkdown(markdown: string): Root {
  return fastParse(markdown) ?? parseMarkdownRemark(markdown);
}

/** Markdown → mdast with remark-parse + remark-gfm (the reference reader). */
export function parseMarkdownRemark(markdown: string): Root {
  const tree = parser.parse(markdown);
  literalAutolinksToText(tree, markdown);
  looseness(tree, markdown);
  return tree;
}

/**
 * CommonMark: a list is loose when two of its items are separated by a blank line (or an item holds two blocks with
 * a blank line between them, which is the item's own `spread`). mdast-util-from-markdown also counts a blank line
 * after the list's last item when a block quote follows inside a block quote (`> - a\n> - b\n>\n> > q`), which
 * would read a tight list back as loose; so a list whose items are all tight is loose only if the source has a
 * blank line (nothing but spaces and `>` markers) between two of its items.
 */
function looseness(node: Parent, source: string): void {
  for (const child of node.children as Nodes[]) {
    if (child.type === 'list' && child.spread && !child.children.some((i) => i.spread)) {
      let blank = false;
      for (let i = 0; i + 1 < child.children.length && !blank; i++) {
        const from = child.children[i]?.position?.end.offset;
        const to = child.children[i + 1]?.position?.start.offset;
        if (from === undefined || to === undefined) blank = true;
        else blank = source.slice(from, to).split(/\r\n|\r|\n/).slice(1, -1).some((line) => /^[ \t>]*$/.test(line));
      }
      child.spread = blank;
    }
    if ('children' in child) looseness(child, source);
  }
}

/**
 * GFM autolink literals (a bare `www.x.org` or `a@b.c`) are read as plain text, as CommonMark does. Otherwise
 * storage text that merely looks like an address would come back as a link after one round trip; a link written
 * as `<https://…>` or `[text](url)` is still a link. The parser above no longer makes literal links; this stays as
 * the safety net should that filter stop matching a future remark-gfm.
 */
function literalAutolinksToText(node: Parent, source: string): void {
  for (let i = 0; i < node.children.length; i++) {
    const child = node.children[i] as Nodes;
    if (child.type === 'link') {
      const start = child.position?.start.offset;
      const end = child.position?.end.offset;
      const first = start === undefined ? undefined : source[start];
      if (start === undefined || end === undefined) {
        // Made by the autolink-literal transform from a text node: its text is the original text.
        node.children[i] = { type: 'text', value: toString(child) } as never;
        continue;
      }
      if (first !== '[' && first !== '<') {
        node.children[i] = { type: 'text', value: source.slice(start, end), position: child.position } as never;
        continue;
      }
    }
    if ('children' in child) literalAutolinksToText(child, source);
  }
}

/**
 * mdast → Markdown. Text that starts the document with U+FEFF is written as a character reference: a reader takes a
 * leading U+FEFF for a byte order mark and drops it (micromark does).
 */
export function stringifyMarkdown(tree: Root): string {
  const out = stringifier.stringify(tree);
  return out.charCodeAt(0) === 0xfeff ? `&#xFEFF;${out.slice(1)}` : out;
}
