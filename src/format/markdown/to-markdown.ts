/** Storage body → Markdown text (entry point). */
import type { ConvertContext, ConvertResult } from '../types.js';
import { tryParseStorage } from '../xml/parse.js';
import type { XmlFragment } from '../xml/nodes.js';
import type { Nodes, RootContent } from 'mdast';
import type { ToMarkdownState } from './md-state.js';
import { canonicalStorage } from '../xml/canonical.js';
import { blocksToStorage } from './to-storage.js';
import { parseMarkdown, stringifyMarkdown } from './processors.js';
import { blocksFrom, verbatimBlock } from './to-markdown-blocks.js';
import { newStorageState } from './markdown-to-storage.js';
import { DEFAULT_RESOLVER } from './state.js';
import { stripServerAttrs } from './server-attrs.js';

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
    // Attributes nobody types stay out of the file (the base keeps them): see server-attrs.ts.
    return convert(stripServerAttrs(storage, parsed.fragment.children), parsed.fragment, context);
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
  st.origins = new Map();
  const children = verifyRisky(blocksFrom(fragment.children, st), st);
  const text = children.length ? stringifyMarkdown({ type: 'root', children }) : '';
  return { text, warnings: st.warnings };
}

function isAttention(node: Nodes | undefined): boolean {
  return node !== undefined && (node.type === 'emphasis' || node.type === 'strong' || node.type === 'delete');
}

function text(node: Nodes): string {
  if ('value' in node) return node.value;
  return 'children' in node ? (node.children as Nodes[]).map(text).join('') : '';
}

/**
 * Emphasis that touches other emphasis, holds emphasis, or holds delimiter characters: the shapes where the
 * written delimiter runs can pair up differently when read back. Plain `**bold**` in a sentence is not risky.
 */
function risky(node: Nodes): boolean {
  if (!('children' in node)) return false;
  const kids = node.children as Nodes[];
  return kids.some(
    (k, i) =>
      (isAttention(k) &&
        (isAttention(kids[i - 1]) || isAttention(kids[i + 1]) || (k as { children: Nodes[] }).children.some(isAttention) || /[_*~]/.test(text(k)))) ||
      risky(k),
  );
}

/**
 * The block-by-block check runs on the Markdown tree; emphasis is where the written text can still read back
 * differently (runs side by side, `_` inside `__`). Units holding risky emphasis are therefore also checked as
 * text — written, parsed and converted back — and kept verbatim if that changes them.
 */
function verifyRisky(children: RootContent[], st: ToMarkdownState): RootContent[] {
  const out: RootContent[] = [];
  for (let i = 0; i < children.length; ) {
    const origin = st.origins?.get(children[i] as RootContent);
    let j = i + 1;
    while (origin && j < children.length && st.origins?.get(children[j] as RootContent) === origin) j++;
    const group = children.slice(i, j);
    if (origin && group.some(risky)) {
      const text = stringifyMarkdown({ type: 'root', children: group });
      const back = blocksToStorage(parseMarkdown(text).children, st.back);
      if (canonicalStorage(back) !== origin.canonical()) group.splice(0, group.length, verbatimBlock(st.source.slice(origin.start, origin.end)));
    }
    out.push(...group);
    i = j;
  }
  return out;
}
