/**
 * The local file: YAML front matter (page id, title, labels — what users may edit) followed by the body in the
 * space's format. `composeFile` is the only writer and `parseFile` the only reader, so the two stay in step.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

// Loaded at the first front matter read or written (~70 modules): `status --local` of an unchanged workspace reads
// none (issue 18). The package is CommonJS under Node, so this is the module `import 'yaml'` gave.
let yamlLib: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

export interface FrontMatter {
  id?: string | undefined;
  title?: string | undefined;
  labels?: string[] | undefined;
  [key: string]: unknown;
}

export function composeFile(meta: FrontMatter, body: string): string {
  const ordered: Record<string, unknown> = {};
  if (meta.id !== undefined) ordered.id = meta.id;
  if (meta.title !== undefined) ordered.title = meta.title;
  if (meta.labels && meta.labels.length) ordered.labels = [...meta.labels].sort();
  for (const [k, v] of Object.entries(meta)) if (!(k in ordered) && v !== undefined && k !== 'labels') ordered[k] = v;
  const text = yaml().stringify(ordered, { lineWidth: 0 }).trimEnd();
  return `---\n${text}\n---\n${body.endsWith('\n') || body === '' ? body : body + '\n'}`;
}

export interface ParsedFile {
  meta: FrontMatter;
  body: string;
  /** False when the front matter could not be read (the whole text is then the body). */
  ok: boolean;
  error?: string;
}

export function parseFile(text: string): ParsedFile {
  const t = text.startsWith('\ufeff') ? text.slice(1) : text;
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(t);
  if (!m) return { meta: {}, body: t, ok: true };
  try {
    const meta = (yaml().parse(m[1]!) ?? {}) as FrontMatter;
    if (typeof meta !== 'object' || Array.isArray(meta)) return { meta: {}, body: t, ok: false, error: 'front matter is not a mapping' };
    if (meta.id !== undefined) meta.id = String(meta.id);
    if (meta.labels !== undefined && !Array.isArray(meta.labels)) meta.labels = [String(meta.labels)];
    return { meta, body: t.slice(m[0].length), ok: true };
  } catch (err) {
    return { meta: {}, body: t, ok: false, error: (err as Error).message.split('\n')[0] };
  }
}
