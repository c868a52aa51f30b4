/**
 * Front-matter-aware merge of whole local files. The YAML front matter is merged per key (see keys.ts) and the
 * body line by line (merge3), so a title changed in Confluence and a paragraph edited locally merge cleanly even
 * when the two are close together in the file. The result keeps the local file's key order, formatting and
 * comments for every key the remote side did not change.
 *
 * When any side's front matter cannot be read, the whole texts are merged as lines instead (a warning says so):
 * never guess at what a broken header meant.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, parseDocument, stringify } from 'yaml';
import { splitDocument, type SplitDocument } from './front-matter.js';
import { mergeKeys, type KeyConflict } from './keys.js';
import { detectEol, withEol, type Eol } from './lines.js';
import { classifyTrivial, markerBlock, merge3 } from './merge3.js';
import { normaliseMergeOptions, type NormalisedMergeOptions } from './options.js';
import type { MergeConflict, MergeOptions, MergeStatus } from './types.js';

export type { KeyConflict } from './keys.js';

export interface DocumentMergeResult {
  status: MergeStatus;
  /** The merged file, in the local file's line-ending style. Absent when status is 'conflict'. */
  text?: string;
  /** For display: front matter conflicts and body conflicts marked git-style; equals `text` when there are none. */
  withMarkers: string;
  /** Conflicts in the body; line numbers count from the first body line (or the first line, when frontMatter is 'whole-text'). */
  bodyConflicts: MergeConflict[];
  keyConflicts: KeyConflict[];
  /** How the front matter was handled: merged per key, absent on all sides, or unreadable (whole texts merged as lines). */
  frontMatter: 'merged' | 'none' | 'whole-text';
  warnings: string[];
}

export function mergeDocument(base: string, local: string, remote: string, options?: MergeOptions): DocumentMergeResult {
  const opts = normaliseMergeOptions(options);
  const bom = local.startsWith('\ufeff') ? '\ufeff' : '';
  const [b, l, r] = [base, local, remote].map(stripBom) as [string, string, string];
  const eol = detectEol(l);

  const sb = splitDocument(b);
  const sl = splitDocument(l);
  const sr = splitDocument(r);
  const invalid = [['base', sb], ['local', sl], ['remote', sr]] as const;
  const warnings = invalid.flatMap(([side, s]) => (s.kind === 'invalid' ? [`${side} front matter unreadable (${s.error}): merged as plain lines`] : []));
  const frontMatter = warnings.length > 0 ? 'whole-text' : sb.kind === 'none' && sl.kind === 'none' && sr.kind === 'none' ? 'none' : 'merged';

  const trivial = classifyTrivial(b, l, r);
  if (trivial) {
    const text = bom + trivial.text;
    return { status: trivial.status, text, withMarkers: text, bodyConflicts: [], keyConflicts: [], frontMatter, warnings };
  }
  if (frontMatter !== 'merged') {
    const m = merge3(b, l, r, options);
    const withBom = (t: string): string => bom + t;
    return {
      status: m.status,
      ...(m.text === undefined ? {} : { text: withBom(m.text) }),
      withMarkers: withBom(m.withMarkers),
      bodyConflicts: m.conflicts,
      keyConflicts: [],
      frontMatter,
      warnings,
    };
  }

  const parts = [sb, sl, sr].map(asParts) as [Parts, Parts, Parts];
  const keys = mergeKeys(parts[0].meta, parts[1].meta, parts[2].meta);
  const body = merge3(parts[0].body, parts[1].body, parts[2].body, options);
  const header = renderHeader(sl, keys.meta, eol);
  const markedHeader = keys.conflicts.length === 0 ? header : renderMarkedHeader(sl, keys.meta, keys.conflicts, eol, opts);
  const conflict = keys.conflicts.length > 0 || body.status === 'conflict';
  const result: DocumentMergeResult = {
    status: conflict ? 'conflict' : 'clean',
    withMarkers: bom + joinHeader(markedHeader, body.withMarkers, eol),
    bodyConflicts: body.conflicts,
    keyConflicts: keys.conflicts,
    frontMatter,
    warnings,
  };
  if (!conflict && body.text !== undefined) result.text = bom + joinHeader(header, body.text, eol);
  return result;
}

interface Parts {
  meta: Map<string, unknown>;
  body: string;
}

function asParts(s: SplitDocument): Parts {
  if (s.kind === 'ok') return { meta: s.meta, body: s.body };
  if (s.kind === 'none') return { meta: new Map(), body: s.body };
  throw new Error('unreachable: invalid front matter is merged as whole text');
}

function stripBom(t: string): string {
  return t.startsWith('\ufeff') ? t.slice(1) : t;
}

/** A header read from a file may end at end of file without a newline; a body after it needs one. */
function joinHeader(header: string, body: string, eol: Eol): string {
  if (header === '' || body === '' || header.endsWith('\n')) return header + body;
  return header + eol + body;
}

/**
 * The merged front matter as text. Untouched → local's header byte for byte. Otherwise local's YAML document is
 * edited in place (yaml keeps its comments and key order), and keys only the remote side added go at the end.
 */
function renderHeader(local: SplitDocument, meta: Map<string, unknown>, eol: Eol): string {
  if (local.kind === 'ok' && sameMeta(local.meta, meta)) return local.header;
  if (meta.size === 0) return '';
  let yamlText: string;
  const doc = local.kind === 'ok' ? parseDocument(local.raw.replace(/\r\n/g, '\n')) : undefined;
  if (local.kind === 'ok' && doc !== undefined && isMap(doc.contents)) {
    for (const key of local.order) if (!meta.has(key)) doc.delete(key);
    for (const [key, value] of meta) {
      if (!isDeepStrictEqual(local.meta.get(key), value)) doc.set(key, value);
    }
    yamlText = doc.toString({ lineWidth: 0 });
  } else {
    yamlText = stringify(Object.fromEntries(meta), { lineWidth: 0 });
  }
  return withEol(`---\n${yamlText.trimEnd()}\n---\n`, eol);
}

/** Display only: each key on its own, conflicting keys as marker blocks (a YAML parser would reject this text). */
function renderMarkedHeader(
  local: SplitDocument,
  meta: Map<string, unknown>,
  conflicts: readonly KeyConflict[],
  eol: Eol,
  opts: NormalisedMergeOptions,
): string {
  const byKey = new Map(conflicts.map((c) => [c.key, c]));
  const order = [...(local.kind === 'ok' ? local.order : []), ...meta.keys(), ...byKey.keys()];
  const lines: string[] = [];
  for (const key of new Set(order)) {
    const c = byKey.get(key);
    if (c) lines.push(...markerBlock({ local: keyLines(key, c.local), base: keyLines(key, c.base), remote: keyLines(key, c.remote) }, opts));
    else if (meta.has(key)) lines.push(...keyLines(key, meta.get(key)));
  }
  return withEol(['---', ...lines, '---', ''].join('\n'), eol);
}

function keyLines(key: string, value: unknown): string[] {
  if (value === undefined) return [];
  return stringify({ [key]: value }, { lineWidth: 0 }).trimEnd().split('\n');
}

function sameMeta(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!b.has(k) || !isDeepStrictEqual(v, b.get(k))) return false;
  return true;
}
