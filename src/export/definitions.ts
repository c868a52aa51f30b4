/**
 * Named export definitions → export specs. A definition (config `exports`, or an entry of a `--batch` file) names a
 * selection, formats and a target; every run of one is a job like any other, written and verified aside and then
 * renamed over the published bundle (spec.publishTo), so a reader of the target never sees half a bundle.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { everySeconds, exportDefinitionSchema, type ExportDefinition } from '../config/export-definitions.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { checkTarget } from './bundle.js';
import type { ExportFormat, ExportSpec } from './types.js';

export type { ExportDefinition };

export interface DefinitionContext {
  /** Relative `out` paths resolve against this folder (the workspace; a batch file's folder for its own entries). */
  base: string;
  /** The workspace's spaces: the default selection. */
  spaces: readonly string[];
  /** The PDF's CJK font (config export.pdf.font, checked), absolute. */
  pdfFont?: string | undefined;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function definitionTarget(def: ExportDefinition, base: string): { path: string; zip: boolean } {
  const path = resolve(base, def.out);
  return { path, zip: path.toLowerCase().endsWith('.zip') };
}

/** The job spec of a definition: written to a hidden sibling of the target, published there once verified. */
export function specFromDefinition(def: ExportDefinition, ctx: DefinitionContext, options: { useCache?: boolean } = {}): ExportSpec {
  const sel = def.select ?? {};
  const spaces = list(sel.space).length ? list(sel.space) : [...ctx.spaces];
  if (spaces.length === 0) throw new UsageError(`export definition ${def.name} selects no space`, { hint: 'set select.space in the definition, or "spaces" in config/csync.json' });
  const labels = list(sel.label);
  const formats = [...new Set(list(def.format))] as ExportFormat[];
  const target = definitionTarget(def, ctx.base);
  const next = join(dirname(target.path), `.${basename(target.path)}.csync-next-${randomBytes(3).toString('hex')}${target.zip ? '.zip' : ''}`);
  const spec: ExportSpec = {
    selection: [
      {
        source: 'confluence',
        spaces,
        labels,
        cql: sel.cql,
        rootPageId: sel.root,
        since: sel.since !== undefined ? new Date(Date.parse(sel.since)).toISOString() : undefined,
      },
    ],
    formats: formats.length ? formats : ['md'],
    singleFile: Boolean(def.singleFile),
    attachments: def.attachments !== false,
    useCache: options.useCache !== false,
    ...(target.zip ? { zip: next } : { out: next }),
    title: def.title ?? (labels.length ? `Pages labelled ${labels.join(', ')}` : `Space ${spaces.join(', ')}`),
    definition: def.name,
    publishTo: target.path,
    ...(ctx.pdfFont && formats.includes('pdf') ? { pdfFont: ctx.pdfFont } : {}),
  };
  // The published target must be new, an earlier bundle, or a file (a zip): never someone's folder.
  checkTarget({ ...spec, out: target.zip ? undefined : target.path, zip: target.zip ? target.path : undefined });
  return spec;
}

export function findDefinition(defs: readonly ExportDefinition[], name: string): ExportDefinition {
  const def = defs.find((d) => d.name === name);
  if (def) return def;
  throw new UsageError(`no export definition named ${JSON.stringify(name)}`, {
    hint: defs.length ? `the configured ones: ${defs.map((d) => d.name).join(', ')}` : 'add one under "exports" in config/csync.json (see Exporting in the README)',
  });
}

/** Seconds between scheduled runs, or undefined (no `every`). */
export function periodOf(def: ExportDefinition): number | undefined {
  return def.every === undefined ? undefined : everySeconds(def.every);
}

export interface BatchEntry {
  def: ExportDefinition;
  /** Where relative paths of this entry resolve. */
  base: string;
}

/**
 * A `--batch` file: `{"exports": [...]}` or a bare array; each entry a definition (its relative `out` resolves
 * against the file's folder) or the name of one in config/csync.json (resolving against the workspace).
 */
export function readBatchFile(file: string, configured: readonly ExportDefinition[], workspace: string): BatchEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code ? `cannot read the batch file ${file}: ${code}` : `the batch file ${file} is not valid JSON: ${(err as Error).message}`, {
      hint: 'a batch file is {"exports": [ "NAME" | {name, select, format, out, …} ]}',
    });
  }
  const invalid = (at: string, message: string) =>
    new ConfigError(`the batch file ${file} is invalid at ${at}: ${message}`, {
      hint: 'a batch file is {"exports": [ "NAME" | {name, select, format, out, …} ]}; see Exporting in the README',
    });
  const listed = Array.isArray(raw) ? raw : raw !== null && typeof raw === 'object' && Array.isArray((raw as { exports?: unknown }).exports) ? ((raw as { exports: unknown[] }).exports) : undefined;
  if (!listed) throw invalid('its top level', 'expected {"exports": [...]} or an array');
  const prefix = Array.isArray(raw) ? '' : '.exports';
  const entries = listed.map((e, i) => {
    if (typeof e === 'string' && e) return e;
    const parsed = exportDefinitionSchema.safeParse(e);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw invalid(`${prefix}[${i}]${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`, issue.message);
  });
  if (entries.length === 0) throw new UsageError(`the batch file ${file} lists no export`);
  const out: BatchEntry[] = entries.map((e) => (typeof e === 'string' ? { def: findDefinition(configured, e), base: workspace } : { def: e, base: dirname(resolve(file)) }));
  const names = new Set<string>();
  const targets = new Map<string, string>();
  for (const e of out) {
    if (names.has(e.def.name)) throw new UsageError(`the batch file ${file} names ${e.def.name} twice`);
    names.add(e.def.name);
    const t = definitionTarget(e.def, e.base).path;
    const other = targets.get(t);
    if (other) throw new UsageError(`the batch file ${file}: ${other} and ${e.def.name} write the same target ${t}`, { hint: 'give each definition its own out' });
    targets.set(t, e.def.name);
  }
  return out;
}
