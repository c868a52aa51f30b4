/**
 * The unified processors, configured once. The stringify options are fixed so that the converter's own output is a
 * fixed point: Markdown → storage → Markdown gives back the same bytes.
 */
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkStringify from 'remark-stringify';
import type { Options as StringifyOptions } from 'remark-stringify';
import { unified } from 'unified';

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
};

const parser = unified().use(remarkParse).use(remarkGfm);
const stringifier = unified().use(remarkStringify, STRINGIFY_OPTIONS).use(remarkGfm);

export function parseMarkdown(markdown: string): Root {
  return parser.parse(markdown);
}

export function stringifyMarkdown(tree: Root): string {
  return stringifier.stringify(tree);
}
