/** Markdown text → storage body (entry point). */
import type { Definition, Root } from 'mdast';
import type { ConvertContext, ConvertResult } from '../types.js';
import { tryParseStorage } from '../xml/parse.js';
import { parseMarkdown } from './processors.js';
import type { ToStorageState } from './state.js';
import { DEFAULT_RESOLVER } from './state.js';
import { blocksToStorage } from './to-storage.js';
import { markdownMacro } from './to-storage-raw.js';
import { restoreServerAttrsParsed } from './server-attrs.js';

function collectDefinitions(tree: Root): Map<string, Definition> {
  const defs = new Map<string, Definition>();
  const visit = (node: { type: string; children?: unknown[] }) => {
    if (node.type === 'definition') {
      const def = node as Definition;
      // CommonMark: the first definition of a label wins.
      if (!defs.has(def.identifier)) defs.set(def.identifier, def);
    }
    for (const child of node.children ?? []) visit(child as { type: string; children?: unknown[] });
  };
  visit(tree);
  return defs;
}

export function newStorageState(context: ConvertContext, source = '', definitions = new Map<string, Definition>()): ToStorageState {
  return { context, resolver: context.resolver ?? DEFAULT_RESOLVER, definitions, source, warnings: [] };
}

export function markdownToStorage(markdown: string, context: ConvertContext): ConvertResult {
  return markdownToStorageWith(parseMarkdown, markdown, context);
}

/**
 * The same conversion with another Markdown reader: `parseMarkdownRemark` for the differential test and the
 * benchmark that compare markdown-it's tree with remark's.
 */
export function markdownToStorageWith(parse: (markdown: string) => Root, markdown: string, context: ConvertContext): ConvertResult {
  try {
    return convert(markdown, context, parse);
  } catch (err) {
    // Nested deeper than the call stack allows, or a bug: keep the text, in a macro that converts back to it.
    return {
      // Without the final newline, which the Markdown writer adds back.
      text: markdownMacro(markdown.replace(/\n$/, '')),
      warnings: [`Markdown could not be converted (${(err as Error).message}); kept as raw Markdown in a 'markdown' macro`],
    };
  }
}

function convert(markdown: string, context: ConvertContext, parse: (markdown: string) => Root): ConvertResult {
  const tree = parse(markdown);
  const st = newStorageState(context, markdown, collectDefinitions(tree));
  const converted = blocksToStorage(tree.children, st);
  // Parsed once: the check that the Markdown made well-formed storage, and the tree the base's attributes go into.
  const check = tryParseStorage(converted);
  const text = context.base === undefined || !check.ok ? converted : restoreServerAttrsParsed(converted, check.fragment.children, context.base);
  if (!check.ok) {
    st.warnings.push(
      `the Markdown produced malformed storage (${check.error.message}); was a preserved storage block or marker edited?`,
    );
  }
  return { text, warnings: st.warnings };
}
