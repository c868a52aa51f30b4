/** Storage body → Markdown text (entry point). */
import type { ConvertContext, ConvertResult } from '../types.js';
import { tryParseStorage } from '../xml/parse.js';
import type { ToMarkdownState } from './md-state.js';
import { stringifyMarkdown } from './processors.js';
import { blocksFrom, verbatimBlock } from './to-markdown-blocks.js';
import { newStorageState } from './markdown-to-storage.js';
import { DEFAULT_RESOLVER } from './state.js';

export function storageToMarkdown(storage: string, context: ConvertContext): ConvertResult {
  const parsed = tryParseStorage(storage);
  if (!parsed.ok) {
    // Never guess at a broken body: keep all of it, byte for byte, and say so.
    const text = storage === '' ? '' : stringifyMarkdown({ type: 'root', children: [verbatimBlock(storage)] });
    return { text, warnings: [`malformed storage: ${parsed.error.message}; page kept in storage format`] };
  }
  const st: ToMarkdownState = {
    source: storage,
    context,
    resolver: context.resolver ?? DEFAULT_RESOLVER,
    warnings: [],
    back: newStorageState(context),
    deferChecks: 0,
    blocksFrom,
  };
  const children = blocksFrom(parsed.fragment.children, st);
  const text = children.length ? stringifyMarkdown({ type: 'root', children }) : '';
  return { text, warnings: st.warnings };
}
