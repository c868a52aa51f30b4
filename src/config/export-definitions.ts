/**
 * Named export definitions (`exports` in config/csync.json): what `csync export NAME`, `csync export --batch` and the
 * daemon (every / onChange) run. Validated here like every other setting; src/export/definitions.ts turns one into
 * the export's spec.
 */
import type * as Zod from 'zod';
import { z } from './lazy-zod.js';

/** `export` sub-commands: a definition may not take one of these names (`csync export list` must stay the list). */
export const EXPORT_ACTIONS = ['list', 'status', 'resume', 'cancel', 'verify', 'extract'] as const;

const EXPORT_FORMAT_NAMES = ['md', 'json', 'html', 'pdf'] as const;
/** Shortest `every`: a schedule tighter than this would only re-export the same pages. */
export const MIN_EVERY_SECONDS = 5;

/** "90s", "15m", "1h", "1d" or a number of seconds → seconds; undefined when it is none of those. */
export function everySeconds(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/i.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]!.toLowerCase() as 's' | 'm' | 'h' | 'd'];
}

const oneOrMany = <T extends Zod.ZodType>(item: T) => z.union([item, z.array(item)]);

export const exportDefinitionSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name of letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit)')
      .refine((n) => !(EXPORT_ACTIONS as readonly string[]).includes(n), { message: `a name that is not an export action (${EXPORT_ACTIONS.join(', ')})` }),
    title: z.string().min(1).max(200).optional(),
    select: z
      .strictObject({
        space: oneOrMany(z.string().regex(/^[A-Za-z0-9_~]{1,255}$/, 'a space key: letters, digits, _ or ~')).optional(),
        label: oneOrMany(z.string().min(1)).optional(),
        cql: z.string().min(1).optional(),
        root: z.string().regex(/^\d+$/, 'a numeric page id').optional(),
        since: z
          .string()
          .refine((s) => Number.isFinite(Date.parse(s)), { message: 'an ISO date such as 2026-11-01' })
          .optional(),
      })
      .default({}),
    format: oneOrMany(z.enum(EXPORT_FORMAT_NAMES)).default(['md']),
    /** A folder, or a file ending in .zip; relative to the workspace. */
    out: z.string().min(1),
    singleFile: z.boolean().optional(),
    attachments: z.boolean().optional(),
    every: z
      .union([z.string(), z.number()])
      .refine((v) => (everySeconds(v) ?? 0) >= MIN_EVERY_SECONDS, { message: `a period of at least ${MIN_EVERY_SECONDS} s: seconds, or "90s", "15m", "1h", "1d"` })
      .optional(),
    onChange: z.boolean().optional(),
  })
  .refine((d) => !d.singleFile || (Array.isArray(d.format) ? d.format : [d.format]).includes('md'), { message: 'singleFile goes with format md', path: ['singleFile'] });

export type ExportDefinition = Zod.infer<typeof exportDefinitionSchema>;

export const exportDefinitionsSchema = z.array(exportDefinitionSchema).superRefine((defs, ctx) => {
  const seen = new Set<string>();
  defs.forEach((d, i) => {
    if (seen.has(d.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `the name ${JSON.stringify(d.name)} is used twice: every definition needs its own name` });
    seen.add(d.name);
  });
});
