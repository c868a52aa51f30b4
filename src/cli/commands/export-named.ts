/**
 * `csync export NAME` (a definition from config `exports`), `csync export --batch FILE.json` (several at once, one
 * limiter, one summary table) and `csync export --via URL NAME` (the client of the daemon's job API, via.ts).
 */
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { findDefinition, readBatchFile, specFromDefinition } from '../../export/definitions.js';
import type { ExportArgs } from './export.js';
import { EXIT } from '../exit-codes.js';
import { clientFor } from '../site.js';
import { outputFor } from '../context.js';
import { createProgress } from '../progress.js';

export interface NamedArgs extends ExportArgs {
  batch?: string;
  via?: string;
  viaRemote?: boolean;
  stallPolls?: number;
}

/** Flags that choose what or how to export: a named definition carries its own. */
const SELECTION_FLAGS: Array<[keyof ExportArgs, string]> = [
  ['space', '--space'],
  ['label', '--label'],
  ['cql', '--cql'],
  ['root', '--root'],
  ['since', '--since'],
  ['format', '--format'],
  ['singleFile', '--single-file'],
  ['title', '--title'],
  ['zip', '--zip'],
  ['dryRun', '--dry-run'],
  ['validateOnly', '--validate-only'],
];

function refuseSelectionFlags(argv: NamedArgs, what: string, also: Array<[keyof ExportArgs, string]> = []): void {
  for (const [key, flag] of [...SELECTION_FLAGS, ...also]) {
    const v = argv[key];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
      throw new UsageError(`${flag} does not go with ${what}: a named export takes its selection, formats and target from its definition`, {
        hint: 'edit the definition under "exports" in config/csync.json, or run an unnamed export with flags',
      });
    }
  }
}

/** `csync export NAME`: one definition, in this process, like an unnamed export (progress, summary, exit 0/11). */
export async function namedExport(argv: NamedArgs, name: string): Promise<void> {
  refuseSelectionFlags(argv, `a named export (${name})`, [['out', '--out']]);
  const { exportContext, pdfFontOf } = await import('./export.js');
  const ctx = await exportContext(argv, true);
  const def = findDefinition(ctx.config.exports, name);
  const spec = specFromDefinition(def, { base: ctx.config.workspace, spaces: ctx.config.spaces, ...pdfFontOf(ctx, argv.pdfFont, [def.format ?? []].flat()) }, { useCache: argv.cache !== false });
  const api = clientFor(ctx.config, ctx.logger);
  try {
    const { runExport } = await import('./export-jobs.js');
    await runExport(ctx, api, argv, (deps) => import('../../export/runner.js').then((r) => r.startJob(deps, spec)));
  } finally {
    await api.close();
  }
}

/** `csync export --batch FILE.json`: the definitions run concurrently with one client (one rate limiter). */
export async function batchExport(argv: NamedArgs): Promise<void> {
  refuseSelectionFlags(argv, '--batch', [['out', '--out']]);
  if (argv.action) throw new UsageError(`--batch does not take a name or action (got ${argv.action})`, { hint: 'list the definitions in the batch file' });
  const { exportContext, exportPaths, pdfFontOf } = await import('./export.js');
  const ctx = await exportContext(argv, true);
  const entries = readBatchFile(resolve(argv.batch!), ctx.config.exports, ctx.config.workspace);
  const { JobStore } = await import('../../export/job-store.js');
  const { ExportCache } = await import('../../export/cache.js');
  const { runBatch, batchTable } = await import('../../export/batch.js');
  const paths = exportPaths(ctx);
  const store = new JobStore(paths.jobsDb);
  const cache = new ExportCache(paths.cacheRoot);
  const api = clientFor(ctx.config, ctx.logger);
  const progress = createProgress({ enabled: ctx.progress });
  const done = new Map<string, { done: number; total: number }>();
  try {
    const rows = await runBatch(
      entries,
      (name) => ({
        api,
        store,
        cache,
        cacheRoot: paths.cacheRoot,
        siteUrl: ctx.config.site.url ?? '',
        warn: (m) => ctx.out.warn(`${name}: ${m}`),
        progress: (e) => {
          done.set(name, { done: e.done, total: e.total ?? e.done });
          const all = [...done.values()];
          progress.update({ phase: `batch (${entries.length})`, done: all.reduce((a, b) => a + b.done, 0), total: all.reduce((a, b) => a + b.total, 0) });
        },
      }),
      { spaces: ctx.config.spaces, useCache: argv.cache !== false, ...pdfFontOf(ctx, argv.pdfFont, entries.some((e) => [e.def.format ?? []].flat().includes('pdf')) ? ['pdf'] : []) },
    );
    progress.stop();
    const good = rows.filter((r) => r.state === 'completed').length;
    ctx.out.result(() => `${batchTable(rows)}\n${good} of ${rows.length} export(s) completed without failures`, { ok: good === rows.length, exports: rows, requests: api.stats().requests });
    process.exitCode = good === rows.length ? EXIT.OK : EXIT.EXPORT_PARTIAL;
  } finally {
    progress.stop();
    store.close();
    await api.close();
  }
}

/** `csync export --via URL NAME`: asks the daemon to run NAME, follows the job, downloads and checks the bundle. */
export async function viaExport(argv: NamedArgs): Promise<void> {
  refuseSelectionFlags(argv, '--via', [['pdfFont', '--pdf-font']]);
  const name = argv.action;
  if (!name) throw new UsageError('--via needs the name of an export definition', { hint: 'csync export --via http://127.0.0.1:9464 NAME --to DIR' });
  if (!argv.to && !argv.out) throw new UsageError('--via needs --to DIR (extract the bundle) and/or --out FILE.zip (keep the zip)');
  if (argv.stallPolls !== undefined && !(Number.isInteger(argv.stallPolls) && argv.stallPolls >= 1)) throw new UsageError(`--stall-polls must be a whole number of polls >= 1, got ${argv.stallPolls}`);
  if (argv.out && !argv.out.toLowerCase().endsWith('.zip')) throw new UsageError(`--out ${argv.out}: with --via, --out names the zip to keep (FILE.zip)`);
  const out = outputFor(argv);
  const { fetchViaDaemon } = await import('../../export/via.js');
  const showProgress = argv.progress !== false && !argv.json && !argv.quiet;
  const progress = createProgress({ enabled: showProgress });
  // Ctrl-C (or a TERM) stops waiting and downloading: the partial zip is removed before the process exits.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await fetchViaDaemon({
      signal: abort.signal,
      baseUrl: argv.via!,
      name,
      allowRemote: Boolean(argv.viaRemote),
      to: argv.to ? resolve(argv.to) : undefined,
      keepZip: argv.out ? resolve(argv.out) : undefined,
      stallPolls: argv.stallPolls,
      progress: (e) => progress.update(e),
      note: (m) => out.warn(m),
    });
    progress.stop();
    out.result(
      () =>
        [
          `job ${r.job.id} (${name}) ${r.job.state}: ${r.job.progress.done} of ${r.job.progress.items} item(s)${r.job.progress.failed ? `, ${r.job.progress.failed} failed` : ''}`,
          `downloaded ${r.bytes} bytes, sha256 ${r.sha256} matches; the bundle verifies (${r.files} files)`,
          ...(r.extractedTo ? [`extracted → ${r.extractedTo}`] : []),
          ...(r.zip ? [`zip → ${r.zip}`] : []),
        ].join('\n'),
      { ok: r.job.progress.failed === 0, jobId: r.job.id, name, state: r.job.state, items: r.job.progress.items, failed: r.job.progress.failed, bytes: r.bytes, sha256: r.sha256, files: r.files, extractedTo: r.extractedTo ?? null, zip: r.zip ?? null, polls: r.polls, stalls: r.stalls },
    );
    process.exitCode = r.job.progress.failed ? EXIT.EXPORT_PARTIAL : EXIT.OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.stop();
  }
}
