/**
 * Markdown that has no storage form is kept, not dropped: raw HTML goes into Confluence's `html` macro (which is
 * what it is), and any other construct (footnotes, …) into a `markdown` macro holding its exact source text.
 * Both come back as the same raw text.
 */
import type { Node } from 'mdast';
import { cdata } from '../xml/serialize.js';
import type { ToStorageState } from './state.js';

export const HTML_MACRO = 'html';
export const MARKDOWN_MACRO = 'markdown';

function plainMacro(name: string, body: string): string {
  return `<ac:structured-macro ac:name="${name}"><ac:plain-text-body>${cdata(body)}</ac:plain-text-body></ac:structured-macro>`;
}

export function htmlMacro(html: string): string {
  return plainMacro(HTML_MACRO, html);
}

/** Marks an mdast `html` node that holds raw Markdown (from a `markdown` macro), not HTML. */
export const RAW_MARKDOWN = 'csyncRawMarkdown';

export function markdownMacro(markdown: string): string {
  return plainMacro(MARKDOWN_MACRO, markdown);
}

export function isRawMarkdown(node: Node): boolean {
  return (node.data as Record<string, unknown> | undefined)?.[RAW_MARKDOWN] === true;
}

export function rawMarkdownMacro(node: Node, st: ToStorageState): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  const raw = start !== undefined && end !== undefined ? st.source.slice(start, end) : '';
  st.warnings.push(`Markdown ${node.type} has no Confluence form: kept as raw Markdown in a 'markdown' macro`);
  return plainMacro(MARKDOWN_MACRO, raw);
}
