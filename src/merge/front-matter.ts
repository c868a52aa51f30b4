/**
 * Splitting a local text into YAML front matter and body, for the merge. Same delimiter rule as the format layer's
 * `parseFile` (src/format/front-matter.ts) — a leading `---` line, the YAML, a closing `---` line — but this one
 * keeps the raw YAML text so an untouched front matter is written back byte for byte, comments included.
 */
import { parseDocument } from 'yaml';

export type SplitDocument =
  | { kind: 'none'; body: string }
  | { kind: 'ok'; header: string; raw: string; meta: Map<string, unknown>; order: string[]; body: string }
  | { kind: 'invalid'; error: string };

const FRONT_MATTER_RE = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** `text` must already be free of a leading BOM. */
export function splitDocument(text: string): SplitDocument {
  const m = FRONT_MATTER_RE.exec(text);
  if (!m) return { kind: 'none', body: text };
  const raw = m[1]!;
  const doc = parseDocument(raw.replace(/\r\n/g, '\n'));
  if (doc.errors.length > 0) return { kind: 'invalid', error: doc.errors[0]!.message.split('\n')[0]! };
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { kind: 'ok', header: m[0], raw, meta: new Map(), order: [], body: text.slice(m[0].length) };
  if (typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid', error: 'front matter is not a mapping' };
  const entries = Object.entries(value as Record<string, unknown>);
  return {
    kind: 'ok',
    header: m[0],
    raw,
    meta: new Map(entries),
    order: entries.map(([k]) => k),
    body: text.slice(m[0].length),
  };
}
