/** `csync import notion`: a Notion workspace or subtree into the workspace as Markdown; then `csync push`. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { CommandModule } from 'yargs';
import { ConfigError, UsageError } from '../../core/errors.js';
import { loadFormat } from '../../format/index.js';
import { registerSecret } from '../../obs/redact.js';
import { createContext, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import type { NotionImportSummary } from '../../notion/import.js';

export interface ImportArgs extends GlobalArgs {
  source: string;
  root?: string;
  all?: boolean;
  under?: string;
  rps?: number;
  items?: number;
  concurrency?: string[];
}

/** `pages=2,blocks=4` (repeatable) → per-operation limits. */
export function parseConcurrency(values: readonly string[] | undefined, kinds: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of (values ?? []).flatMap((x) => x.split(','))) {
    const m = /^\s*([a-z]+)\s*=\s*(\d+)\s*$/.exec(v);
    if (!m || !kinds.includes(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 64) {
      throw new UsageError(`--concurrency ${JSON.stringify(v)}: expected KIND=N with KIND one of ${kinds.join(', ')} and N in 1..64`);
    }
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export const importCommand: CommandModule<GlobalArgs, ImportArgs> = {
  command: 'import <source>',
  describe: 'a Notion workspace or subtree into the workspace as Markdown (then `csync push` creates the pages); streamed, rate-aware, resumable',
  builder: (y) =>
    y
      .positional('source', { type: 'string', choices: ['notion'], describe: 'where to import from' })
      .option('root', { type: 'string', describe: 'the Notion page (id or URL) to import with everything below it' })
      .option('all', { type: 'boolean', describe: 'every top-level page and database shared with the integration' })
      .option('space', { type: 'string', describe: 'space key to import into (content/<SPACE>/…)' })
      .option('under', { type: 'string', describe: 'title of an existing page of the space to import below' })
      .option('rps', { type: 'number', default: 3, describe: 'Notion requests per second (Notion allows about 3 per integration)' })
      .option('items', { type: 'number', default: 6, describe: 'pages and databases fetched at once' })
      .option('concurrency', { type: 'string', array: true, describe: 'per-operation limits, e.g. pages=3,blocks=4,databases=2,files=2 (lowered automatically when errors rise)' })
      .example('csync import notion --root 1f2e3d4c5b6a79881f2e3d4c5b6a7988 --space DOCS', 'one page and its subtree into content/DOCS/')
      .example('csync import notion --all --space DOCS --under "From Notion"', 'everything shared with the integration, below an existing page') as never,
  handler: async (argv) => {
    const space = Array.isArray(argv.space) ? (argv.space as string[]).at(-1) : (argv.space as string | undefined);
    if (!space) throw new UsageError('pass --space KEY: the Confluence space to import into');
    if (Boolean(argv.root) === Boolean(argv.all)) throw new UsageError('pass either --root PAGE_ID or --all');
    if (!(Number(argv.rps) > 0)) throw new UsageError('--rps must be a number > 0');
    if (!Number.isInteger(argv.items) || Number(argv.items) < 1 || Number(argv.items) > 64) throw new UsageError('--items must be an integer in 1..64');
    const { OP_KINDS, runNotionImport } = await import('../../notion/import.js');
    const concurrency = parseConcurrency(argv.concurrency, OP_KINDS);
    const ctx = await createContext({ ...argv, space: undefined });
    const env = { ...readDotenv(ctx.config.workspace), ...process.env };
    const token = env.NOTION_TOKEN;
    if (!token) throw new ConfigError('NOTION_TOKEN is not set', { hint: 'put NOTION_TOKEN=<integration secret> in the workspace .env (chmod 600) or the environment; create the integration at https://www.notion.so/my-integrations' });
    registerSecret(token);
    const { createNotionClient, NOTION_API_URL } = await import('../../notion/client.js');
    const api = createNotionClient({
      baseUrl: env.NOTION_API_URL ?? NOTION_API_URL,
      token,
      requestsPerSecond: Number(argv.rps),
      burst: Math.max(1, Math.floor(Number(argv.rps) / 2)),
      maxConcurrent: 8,
      retry: { ...ctx.config.retry, maxRetries: Math.max(ctx.config.retry.maxRetries, 6) },
      timeouts: { ...ctx.config.timeouts },
      breaker: { ...ctx.config.breaker },
      logger: ctx.logger.child({ module: 'notion' }),
    });
    const progress = createProgress({ enabled: ctx.progress });
    const { acquireWorkspaceLock } = await import('../../local/lock.js');
    const release = acquireWorkspaceLock(ctx.config.workspace, 'import notion');
    try {
      const summary = await runNotionImport({
        workspace: ctx.config.workspace,
        space,
        root: argv.root,
        all: argv.all,
        under: argv.under,
        format: await loadFormat(ctx.config.format),
        api,
        items: argv.items,
        concurrency,
        progress: (p) => progress.update({ phase: `notion ${p.phase}`, done: p.done, total: p.total }),
        logger: ctx.logger,
      });
      progress.stop();
      ctx.out.result(() => formatSummary(summary), { ok: true, ...summary });
      ctx.logger.info({ module: 'import', calls: summary.api.calls, ms: summary.durationMs, written: summary.files.written }, 'notion import finished');
      process.exitCode = summary.files.conflicts.length ? EXIT.CONFLICTS : summary.files.skipped.length ? EXIT.INCOMPLETE : EXIT.OK;
    } finally {
      progress.stop();
      release();
      await api.close();
    }
  },
};

function readDotenv(workspace: string): Record<string, string> {
  const file = join(workspace, '.env');
  if (!existsSync(file)) return {};
  const parsed = parseDotenv(readFileSync(file));
  return { ...(parsed.NOTION_TOKEN ? { NOTION_TOKEN: parsed.NOTION_TOKEN } : {}), ...(parsed.NOTION_API_URL ? { NOTION_API_URL: parsed.NOTION_API_URL } : {}) };
}

function formatSummary(s: NotionImportSummary): string {
  const errors = Object.entries(s.api.errorsByKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const lines = [
    `${s.resumed ? 'resumed run' : 'run'} ${s.run}: ${s.items.pages} pages, ${s.items.databases} databases, ${s.items.rows} rows fetched; ${s.items.unchanged} unchanged`,
    `files: ${s.files.written} written, ${s.files.unchanged} unchanged, ${s.files.attachments} attachments downloaded${s.files.removed.length ? `, ${s.files.removed.length} removed` : ''}${s.files.moved.length ? `, ${s.files.moved.length} moved` : ''}${s.files.conflicts.length ? `, ${s.files.conflicts.length} conflicts` : ''}`,
    `API: ${s.api.calls} calls (${Object.entries(s.api.byOperation).map(([k, n]) => `${k} ${n}`).join(', ')}), ${s.api.rateLimited} rate limited, ${s.api.retries} retries; errors: ${errors}`,
    `throughput: ${s.requestsPerSecond} req/s, ${s.itemsPerSecond} items/s in ${(s.durationMs / 1000).toFixed(1)} s; peak memory ${s.peakRssMb} MB`,
  ];
  for (const c of s.files.conflicts) lines.push(`conflict: ${c} was edited here; the Notion version is saved beside it (csync resolve, or merge by hand)`);
  for (const k of s.files.skipped) lines.push(`skipped: ${k}`);
  for (const r of s.files.removed) lines.push(`removed: ${r} (gone from Notion; the file is in cache/trash)`);
  for (const m of s.files.moved) lines.push(`moved: ${m} (moved in Notion)`);
  for (const k of s.files.kept) lines.push(`warning: ${k}`);
  for (const e of s.api.lastErrors) lines.push(`error: ${e}`);
  if (!s.files.conflicts.length) lines.push('next: csync push (creates the pages in Confluence)');
  return lines.join('\n');
}
