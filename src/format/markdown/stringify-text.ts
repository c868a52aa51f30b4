/**
 * A faster `text` handler for remark-stringify (mdast-util-to-markdown), with the same output.
 *
 * The library's handler passes every text node to `safe()`, which runs each of the ~70 "unsafe" patterns (core
 * CommonMark plus GFM) as a regex over the text, and `phrasing` serialises most text nodes twice (it peeks at the
 * next sibling by serialising it in full, to learn its first character). Together that was most of the time of
 * storage → Markdown. Here `safe()` is still what escapes, but it is handed only the patterns that can match:
 *
 * - every pattern compiles to a regex that contains its `character` literally, and `safe()` matches against a
 *   slice of `before + value + after`: a pattern whose character does not occur there cannot match;
 * - a pattern that is `atBreak`, or whose `before`/`after` is a line ending, also needs a CR or LF there.
 *
 * Dropping a pattern that cannot match changes nothing but the time. The peek returns the value itself when its
 * first character is no pattern's character (then `safe()` cannot escape or encode it; only its first character
 * is used; patterns that need a line ending count only when the value holds one, since the peek is written with
 * nothing before or after it). test/format/stringify-text.test.ts checks the output against the stock handler.
 */
import type { Options as StringifyOptions } from 'remark-stringify';

type Handle = NonNullable<NonNullable<StringifyOptions['handlers']>['text']>;
type State = Parameters<Handle>[2];
type Unsafe = State['unsafe'][number];

/** The patterns in scope for one construct stack, by character code. */
interface ScopedIndex {
  /** Matches any character that has a pattern here. */
  any: RegExp | undefined;
  /** Also matches only characters that have a pattern needing no line ending. */
  anyNoEol: RegExp | undefined;
  all: Unsafe[][];
  noEol: Unsafe[][];
}

/** Scoped indexes by construct stack, as a trie over the stack's entries (no key string per text node). */
interface StackTrie {
  next: Map<string, StackTrie>;
  scoped?: ScopedIndex;
}

interface PatternIndex {
  patterns: readonly Unsafe[];
  scoped: StackTrie;
}

/** A `before`/`after` that is a line ending, as the core patterns spell it. */
const EOL = new Set(['[\\r\\n]', '\\n', '\\r']);

/**
 * With `beforeNode` the regex starts with `^` instead of the `before`/`atBreak` part, with `afterNode` it ends in
 * `$` instead of `after` (see mdast-util-to-markdown's compile-pattern).
 */
function needsEol(p: Unsafe): boolean {
  return (!p.beforeNode && (Boolean(p.atBreak) || EOL.has(p.before ?? ''))) || (!p.afterNode && EOL.has(p.after ?? ''));
}

/** As mdast-util-to-markdown's pattern-in-scope, which `safe()` applies to each pattern too. */
function listInScope(stack: readonly string[], list: Unsafe['inConstruct'], none: boolean): boolean {
  const names = typeof list === 'string' ? [list] : list;
  if (!names || names.length === 0) return none;
  return names.some((n) => stack.includes(n));
}

function inScope(stack: readonly string[], p: Unsafe): boolean {
  return listInScope(stack, p.inConstruct, true) && !listInScope(stack, p.notInConstruct, false);
}

function charClass(lists: readonly Unsafe[][]): RegExp | undefined {
  const chars = lists.flatMap((list, code) => (list.length ? [`\\x${code.toString(16).padStart(2, '0')}`] : []));
  return chars.length ? new RegExp(`[${chars.join('')}]`, 'g') : undefined;
}

function scopedIndex(patterns: readonly Unsafe[], stack: readonly string[]): ScopedIndex {
  const all: Unsafe[][] = Array.from({ length: 128 }, () => []);
  const noEol: Unsafe[][] = Array.from({ length: 128 }, () => []);
  for (const p of patterns) {
    if (!inScope(stack, p)) continue;
    const code = p.character.charCodeAt(0);
    all[code]?.push(p);
    if (!needsEol(p)) noEol[code]?.push(p);
  }
  return { any: charClass(all), anyNoEol: charClass(noEol), all, noEol };
}

/** Every pattern character must be one ASCII character, which is what the index assumes. */
function indexable(patterns: readonly Unsafe[]): boolean {
  return patterns.every((p) => p.character.length === 1 && p.character.charCodeAt(0) < 128);
}

/** `toMarkdown` copies the same pattern objects into a new array per call: index them once, check per call. */
const indexes = new WeakMap<readonly Unsafe[], PatternIndex | undefined>();
let last: PatternIndex | undefined;

/** The list of the last call: one serialisation asks for the same list for every text node. */
let lastList: readonly Unsafe[] | undefined;
let lastListIndex: PatternIndex | undefined;

function indexFor(patterns: readonly Unsafe[]): PatternIndex | undefined {
  if (patterns === lastList) return lastListIndex;
  lastList = patterns;
  lastListIndex = indexOnce(patterns);
  return lastListIndex;
}

function indexOnce(patterns: readonly Unsafe[]): PatternIndex | undefined {
  if (indexes.has(patterns)) return indexes.get(patterns);
  const previous = last;
  let index: PatternIndex | undefined;
  if (previous && previous.patterns.length === patterns.length && previous.patterns.every((p, i) => p === patterns[i])) index = previous;
  else if (indexable(patterns)) index = last = { patterns: [...patterns], scoped: { next: new Map() } };
  indexes.set(patterns, index);
  return index;
}

function scopedFor(index: PatternIndex, stack: readonly string[]): ScopedIndex {
  let node = index.scoped;
  for (const name of stack) {
    let next = node.next.get(name);
    if (!next) node.next.set(name, (next = { next: new Map() }));
    node = next;
  }
  return (node.scoped ??= scopedIndex(index.patterns, stack));
}

const seen = new Uint32Array(128);
let stamp = 0;

/** The patterns that can match somewhere in `subject`. */
function patternsIn(scoped: ScopedIndex, subject: string): Unsafe[] {
  const eol = subject.includes('\n') || subject.includes('\r');
  const any = eol ? scoped.any : scoped.anyNoEol;
  const byChar = eol ? scoped.all : scoped.noEol;
  const found: Unsafe[] = [];
  if (!any) return found;
  stamp = (stamp + 1) >>> 0 || 1;
  any.lastIndex = 0;
  for (let m = any.exec(subject); m; m = any.exec(subject)) {
    const code = subject.charCodeAt(m.index);
    if (seen[code] === stamp) continue;
    seen[code] = stamp;
    for (const p of byChar[code] as Unsafe[]) found.push(p);
  }
  return found;
}

type SafeConfig = Parameters<State['safe']>[1];
type NodeLike = SafeConfig['beforeNode'];

function nodeInScope(types: Unsafe['beforeNode'], node: NodeLike): boolean {
  if (!types) return true;
  if (!node) return false;
  return typeof types === 'string' ? types === node.type : types.includes(node.type);
}

/**
 * Whether `safe()` would escape or encode anything: a backslash (which it may double), or a match of one of
 * `patterns` (already in scope for the stack) at a character of `input` itself, found the way `safe()` finds it
 * (same node checks, same subject slice). Matches that only touch `before`/`after` change nothing on their own.
 */
function mayEscape(state: State, patterns: readonly Unsafe[], input: string, config: SafeConfig): boolean {
  const before = config.before ?? '';
  const after = config.after ?? '';
  if (input.includes('\\') || after.includes('\\')) return true;
  const value = before + input + after;
  const start = before.length;
  const end = start + input.length;
  for (const p of patterns) {
    if (!nodeInScope(p.beforeNode, config.beforeNode) || !nodeInScope(p.afterNode, config.afterNode)) continue;
    const from = p.beforeNode ? start : 0;
    const subject = value.slice(from, p.afterNode ? end : undefined);
    const expression = state.compilePattern(p);
    const lead = Boolean(p.before || p.atBreak);
    expression.lastIndex = 0;
    for (let m = expression.exec(subject); m; m = expression.exec(subject)) {
      const position = from + m.index + (lead ? (m[1] as string).length : 0);
      if (position >= start && position < end) {
        expression.lastIndex = 0;
        return true;
      }
    }
  }
  return false;
}

/**
 * `state.safe` for the other handlers that escape (link and image URLs, titles, alt text, code fence info): the
 * stock function, handed only the patterns that can match, as above. `stockSafe` is the state's own; when the
 * state's patterns are already a filtered list (the text handler below sets one), it is called as is.
 */
export function filteredSafe(state: State, stockSafe: State['safe'], all: State['unsafe'], value: string | null | undefined, config: SafeConfig): string {
  const index = state.unsafe === all ? indexFor(all) : undefined;
  if (!index) return stockSafe.call(state, value, config);
  state.unsafe = patternsIn(scopedFor(index, state.stack), (config.before ?? '') + (value ?? '') + (config.after ?? ''));
  try {
    return stockSafe.call(state, value, config);
  } finally {
    state.unsafe = all;
  }
}

/**
 * The stock handler (mdast-util-to-markdown/lib/handle/text.js), with `safe()` given only the patterns that can
 * match, and not called at all when nothing would be escaped (then it returns its input unchanged).
 */
export const text: Handle & { peek: Handle } = Object.assign(
  (node: Parameters<Handle>[0], parent: Parameters<Handle>[1], state: State, info: Parameters<Handle>[3]): string => {
    const value = (node as { value: string }).value;
    const all = state.unsafe;
    const index = indexFor(all);
    const patterns = index ? patternsIn(scopedFor(index, state.stack), (info.before ?? '') + value + (info.after ?? '')) : undefined;
    // No pattern can match and no backslash to double: what mayEscape below would find, without the config.
    if (patterns?.length === 0 && !value.includes('\\') && !(info.after ?? '').includes('\\')) return value;
    const siblings = parent && 'children' in parent ? (parent.children as unknown[]) : [];
    const at = state.indexStack[state.indexStack.length - 1] as number;
    const config: SafeConfig = { ...info, afterNode: siblings[at + 1] as NodeLike, beforeNode: siblings[at - 1] as NodeLike };
    if (!patterns) return state.safe(value, config);
    if (!mayEscape(state, patterns, value, config)) return value;
    state.unsafe = patterns;
    try {
      return state.safe(value, config);
    } finally {
      state.unsafe = all;
    }
  },
  {
    peek(node: Parameters<Handle>[0], parent: Parameters<Handle>[1], state: State, info: Parameters<Handle>[3]): string {
      const value = (node as { value: string }).value;
      const index = indexFor(state.unsafe);
      const first = value.charCodeAt(0);
      if (value === '') return value;
      if (index) {
        if (first >= 128) return value;
        // The peek is written with nothing before or after: a line ending can only come from the value itself.
        const scoped = scopedFor(index, state.stack);
        const byChar = value.includes('\n') || value.includes('\r') ? scoped.all : scoped.noEol;
        if (byChar[first]?.length === 0) return value;
      }
      return text(node, parent, state, info);
    },
  },
);
