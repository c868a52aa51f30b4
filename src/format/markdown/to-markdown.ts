/** Storage body → Markdown text (entry point). */
import type { ConvertContext, ConvertResult } from '../types.js';
import { tryParseStorage } from '../xml/parse.js';
import type { XmlFragment } from '../xml/nodes.js';
import type { ToMarkdownState } from './md-state.js';
import { stringifyMarkdown } from './processors.js';
import { blocksFrom, verbatimBlock } from './to-markdown-blocks.js';
import { newStorageState } from './markdown-to-storage.js';
import { DEFAULT_RESOLVER } from './state.js';

/** The whole body as one verbatim block: converts back byte for byte. */
function keepWhole(storage: string, warning: string): ConvertResult {
  const text = storage === '' ? '' : stringifyMarkdown({ type: 'root', children: [verbatimBlock(storage)] });
  return { text, warnings: [warning] };
}

export function storageToMarkdown(storage: string, context: ConvertContext): ConvertResult {
  const parsed = tryParseStorage(storage);
  // Never guess at a broken body: keep all of it, byte for byte, and say so.
  if (!parsed.ok) return keepWhole(storage, `malformed storage: ${parsed.error.message}; page kept in storage format`);
  try {
    return convert(storage, parsed.fragment, context);
  } catch (err) {
    // A body nested deeper than the call stack allows, or a bug: still no crash and no loss.
    return keepWhole(storage, `storage could not be converted (${(err as Error).message}); page kept in storage format`);
  }
}

function convert(storage: string, fragment: XmlFragment, context: ConvertContext): ConvertResult {
  const st: ToMarkdownState = {
    source: storage,
    context,
    resolver: context.resolver ?? DEFAULT_RESOLVER,
    warnings: [],
    back: newStorageState(context),
    deferChecks: 0,
    blocksFrom,
  };
  const children = blocksFrom(fragment.children, st);
  const text = children.length ? stringifyMarkdown({ type: 'root', children }) : '';
  return { text, warnings: st.warnings };
}
