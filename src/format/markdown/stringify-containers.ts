/**
 * Faster container serialisation for remark-stringify (mdast-util-to-markdown), with the same output.
 *
 * The library serialises flow and phrasing containers with a position tracker: every child's output is split on
 * line endings to advance a line/column counter, and every handler call gets a fresh info object with a copy of
 * the position. The positions are informational only (no handler, here or in the GFM extensions, reads them to
 * decide what to write), yet the tracking was a good part of storage → Markdown's time: the split runs again at
 * every nesting level, over the whole output of the child. Phrasing also runs the attention machinery (choosing
 * `*` or `_` so emphasis pairs up as meant) even when a container holds no emphasis at all, and then it only joins
 * the children's strings.
 *
 * So the root handler below (the stock one's logic) installs two container functions on the state, and a `safe`
 * that hands the stock one only the escape patterns that can match (stringify-text.ts):
 * - flow: the stock `containerFlow` without the tracker (same handler calls, same join rules, same bullet state);
 * - phrasing: when no child is attention (emphasis, strong, delete: whatever has an `attention` handler), the stock
 *   loop without the tracker, its result the joined strings, which is what the stock serialiser returns for
 *   strings alone; otherwise the stock function itself. The one case of the stock loop that rewrites output
 *   already produced (HTML right after a line ending in phrasing) also goes to the stock function.
 * Positions passed to handlers stay the ones the container was given. test/format/stringify-text.test.ts checks
 * the output against a stock stringifier.
 */
import type { Nodes, Parents, Root } from 'mdast';
import type { Options as StringifyOptions } from 'remark-stringify';
import { filteredSafe } from './stringify-text.js';

type Handlers = NonNullable<StringifyOptions['handlers']>;
type Handle = NonNullable<Handlers['root']>;
type State = Parameters<Handle>[2];
type Info = Parameters<Handle>[3];
type FlowParents = Parameters<State['containerFlow']>[0];
type TrackFields = Parameters<State['containerFlow']>[1];
type PhrasingParents = Parameters<State['containerPhrasing']>[0];
type Join = State['join'][number];
type SafeConfig = Parameters<State['safe']>[1];
type AnyHandle = ((node: Nodes, parent: Parents | undefined, state: State, info: Info) => string) & {
  peek?: AnyHandle;
  attention?: unknown;
};

/** mdast-util-to-markdown's `firstCharacter`: the first code point. */
function firstCharacter(value: string): string {
  const code = value.codePointAt(0);
  return code === undefined ? '' : String.fromCodePoint(code);
}

/** mdast-util-to-markdown's `lastCharacter`: the last code point. */
function lastCharacter(value: string): string {
  const code = value.codePointAt(value.length - 2);
  return code !== undefined && code > 0xffff ? value.slice(-2) : value.slice(-1);
}

/** The stock `between` of container-flow: the first join rule (last registered first) that decides. */
function between(left: Nodes, right: Nodes, parent: FlowParents, state: State): string {
  const join = state.join as Join[];
  let index = join.length;
  while (index--) {
    const result = (join[index] as Join)(left as never, right as never, parent, state);
    if (result === true || result === 1) break;
    if (typeof result === 'number') return '\n'.repeat(1 + result);
    if (result === false) return '\n\n<!---->\n\n';
  }
  return '\n\n';
}

function containerFlow(state: State, parent: FlowParents, info: TrackFields): string {
  const indexStack = state.indexStack;
  const children = (parent.children ?? []) as Nodes[];
  const childInfo: Info = { before: '\n', after: '\n', now: info.now, lineShift: info.lineShift };
  let result = '';
  indexStack.push(-1);
  const top = indexStack.length - 1;
  for (let index = 0; index < children.length; index++) {
    const child = children[index] as Nodes;
    indexStack[top] = index;
    result += state.handle(child, parent, state, { ...childInfo }) || '';
    if (child.type !== 'list') state.bulletLastUsed = undefined;
    if (index < children.length - 1) result += between(child, children[index + 1] as Nodes, parent, state);
  }
  indexStack.pop();
  return result;
}

/**
 * Phrasing without attention, as the stock loop writes it (the children's strings joined); undefined where the stock
 * function must write it: attention among the children, or HTML right after a line ending.
 */
function fastPhrasing(state: State, parent: PhrasingParents, info: Info, handlers: Record<string, AnyHandle>): string | undefined {
  const children = (parent.children ?? []) as Nodes[];
  for (const child of children) if (handlers[child.type]?.attention) return undefined;
  const indexStack = state.indexStack;
  let result = '';
  let produced = false;
  let lastValue = '';
  let before = info.before;
  indexStack.push(-1);
  const top = indexStack.length - 1;
  try {
    for (let index = 0; index < children.length; index++) {
      const child = children[index] as Nodes;
      indexStack[top] = index;
      let after: string;
      if (index + 1 < children.length) {
        const next = children[index + 1] as Nodes;
        let handle = handlers[next.type];
        if (handle?.peek) handle = handle.peek;
        after = handle ? firstCharacter(handle(next, parent, state, { before: '', after: '', now: info.now, lineShift: info.lineShift })) : '';
      } else {
        after = info.after;
      }
      // The stock loop rewrites the line ending before such HTML: leave that to it.
      if (produced && (before === '\r' || before === '\n') && child.type === 'html') return undefined;
      const value = state.handle(child, parent, state, { now: info.now, lineShift: info.lineShift, after, before });
      if (!value) continue;
      result += value;
      produced = true;
      lastValue = value;
      before = lastCharacter(lastValue);
    }
  } finally {
    indexStack.length = top;
  }
  return result;
}

/** The stock root handler, with the container functions above installed on the state for this serialisation. */
export const fastRoot: Handle = (node: Root, _parent: Parents | undefined, state: State, info: Info): string => {
    const handlers = state.handlers as unknown as Record<string, AnyHandle>;
    const stockPhrasing = state.containerPhrasing;
    const stockSafe = state.safe;
    const all = state.unsafe;
    state.safe = function (this: State, value: string | null | undefined, config: SafeConfig): string {
      return filteredSafe(this, stockSafe, all, value, config);
    };
    state.containerFlow = function (this: State, parent: FlowParents, flowInfo: TrackFields): string {
      return containerFlow(this, parent, flowInfo);
    };
    state.containerPhrasing = function (this: State, parent: PhrasingParents, phrasingInfo: Info): string {
      return fastPhrasing(this, parent, phrasingInfo, handlers) ?? stockPhrasing.call(this, parent, phrasingInfo);
    };
    // mdast-util-to-markdown's root handler: phrasing content straight in the root is serialised as phrasing.
    if (!node.children.some(isPhrasing)) return state.containerFlow(node, info);
    const exit = state.enter('phrasing');
    const value = state.containerPhrasing(node as never, info);
    exit();
    return value;
};

/** mdast-util-phrasing's test, which the stock root handler applies (html is not in it). */
const PHRASING = new Set(['break', 'delete', 'emphasis', 'footnote', 'footnoteReference', 'image', 'imageReference', 'inlineCode', 'inlineMath', 'link', 'linkReference', 'mdxJsxTextElement', 'mdxTextExpression', 'strong', 'text', 'textDirective']);

function isPhrasing(node: Nodes): boolean {
  return PHRASING.has(node.type);
}
