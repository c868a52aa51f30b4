/** `csync export list|status|resume|cancel|verify|extract`, and the common end of a run (summary, exit code). */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CsyncError, UsageError } from '../../core/errors.js';
import { etaSeconds, isFinal, isResumable } from '../../export/job-state.js';
import { JobStore, KEEP_JOBS_DAYS, peekRow } from '../../export/job-store.js';
import type { JobRecord } from '../../export/types.js';
import type { JobResult, RunnerDeps } from '../../export/runner.js';
import type { ConfluenceClient } from '../../remote/index.js';
import type { Context, GlobalArgs } from '../context.js';
import { outputFor } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { clientFor, jiraClientFor } from '../site.js';
import { processAlive } from '../../local/lock.js';
import { workspacePaths } from '../../config/workspace.js';

export interface ExportJobArgs extends GlobalArgs {
  action?: string;
  target?: string;
  to?: string;
  follow?: boolean;
}


type Deps = RunnerDeps;
type Result = JobResult;

function describe(job: JobRecord): string {
  const p = job.progress;
  const owner = (job.state === 'running' || job.state === 'pending') && !processAlive(job.pid) ? ' (interrupted: its process is gone; `csync export resume` it)' : '';
  const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
  const eta = job.state === 'running' && started ? etaSeconds(p.done, p.items, Date.now() - started) : undefined;
  return [
    `${job.id}  ${job.state}${owner}${job.spec.definition ? `  (${job.spec.definition})` : ''}`,
    `  target: ${job.spec.out ?? job.spec.zip}   formats: ${job.spec.formats.join(', ')}`,
    `  step: ${p.step}   items: ${p.done}/${p.items}${p.failed ? `, ${p.failed} failed` : ''}   bytes: ${p.bytes}   requests: ${p.requests}${eta !== undefined ? `   ETA ${eta}s` : ''}`,
    ...(job.error ? [`  error: ${job.error}`] : []),
  ].join('\n');
}

async function openStore(argv: ExportJobArgs) {
  const { exportContext, exportPaths } = await import('./export.js');
  const ctx = await exportContext(argv, argv.action === 'resume');
  const paths = exportPaths(ctx);
  return { ctx, paths, store: new JobStore(paths.jobsDb) };
}

/** Runs a job (new or resumed) with progress, prints its summary and sets the exit code. */
export async function runExport(ctx: Context, api: ConfluenceClient, _argv: ExportJobArgs, go: (deps: Deps) => Promise<Result>): Promise<void> {
  const { ExportCache } = await import('../../export/cache.js');
  const { exportPaths } = await import('./export.js');
  const paths = exportPaths(ctx);
  const store = new JobStore(paths.jobsDb);
  const progress = createProgress({ enabled: ctx.progress });
  try {
    // Ended jobs are forgotten after `export.keepJobsDays` (default 7; their bundles stay).
    store.prune(ctx.config.export?.keepJobsDays ?? KEEP_JOBS_DAYS);
    const r = await go({
      api,
      store,
      cache: new ExportCache(paths.cacheRoot),
      cacheRoot: paths.cacheRoot,
      siteUrl: ctx.config.site.url ?? '',
      progress: (e) => progress.update(e),
      warn: (m) => ctx.out.warn(m),
      knownSpaceId: syncedSpaceIds(ctx),
    });
    progress.stop();
    ctx.out.result(
      () =>
        [
          `exported ${r.items - r.failed.length} of ${r.items} item(s) → ${r.target} (job ${r.job.id}, ${r.requests} request(s), verified ${r.verify.files} files)`,
          ...r.failed.map((f) => `  failed: ${f.title} (${f.id}): ${f.error ?? 'unknown error'}`),
        ].join('\n'),
      { ok: r.failed.length === 0, jobId: r.job.id, target: r.target, items: r.items, failed: r.failed.map((f) => ({ id: f.id, title: f.title, error: f.error })), requests: r.requests },
    );
    process.exitCode = r.failed.length ? EXIT.EXPORT_PARTIAL : EXIT.OK;
  } finally {
    progress.stop();
    store.close();
  }
}

/**
 * The space ids the workspace's sync state holds (read without leaving a trace in cache/: job-store.ts peekRow; none
 * when it never pulled): an export of a synced space lists it without looking its id up by key first.
 */
export function syncedSpaceIds(ctx: Context): (key: string) => string | undefined {
  const file = workspacePaths(ctx.config.workspace).stateDb;
  return (key) => peekRow<{ id: string }>(file, 'SELECT id FROM spaces WHERE key = ?', key)?.id;
}

export async function jobAction(argv: ExportJobArgs): Promise<void> {
  const action = argv.action!;
  if (action === 'verify' || action === 'extract') return bundleAction(argv);
  const { ctx, paths, store } = await openStore(argv);
  try {
    if (action === 'list') {
      const jobs = store.list();
      ctx.out.result(() => (jobs.length ? jobs.map(describe).join('\n') : 'no export jobs in this workspace'), { ok: true, jobs });
      return;
    }
    if (!argv.target) throw new UsageError(`export ${action} needs a job id`, { hint: 'run `csync export list` to see them' });
    let job = store.find(argv.target);
    if (action === 'status') {
      while (argv.follow && !isFinal(job.state) && processAlive(job.pid)) {
        ctx.out.note(describe(job));
        await new Promise((r) => setTimeout(r, 1000));
        job = store.find(job.id);
      }
      ctx.out.result(() => describe(job), { ok: true, job });
      return;
    }
    if (action === 'cancel') {
      if (isFinal(job.state)) throw new UsageError(`export job ${job.id} is already ${job.state}`);
      const owned = processAlive(job.pid) && job.state === 'running';
      job = store.transition(job.id, 'cancelled', { error: 'cancelled by the user' });
      if (!owned) {
        // No process will clean up after it: remove its partial bundle and checkpoints now.
        const { stageDirFor, zipPartialFor } = await import('../../export/bundle.js');
        rmSync(stageDirFor((job.spec.out ?? job.spec.zip)!, job.id), { recursive: true, force: true });
        // Killed while streaming its zip: the half-written zip beside the target goes too.
        if (job.spec.zip) rmSync(zipPartialFor(job.spec.zip, job.id), { force: true });
        rmSync(join(paths.cacheRoot, 'jobs', job.id), { recursive: true, force: true });
      }
      ctx.out.result(owned ? `cancelling ${job.id}: its process stops at the next item` : `cancelled ${job.id}`, { ok: true, job });
      return;
    }
    if (action === 'resume') {
      if (!isResumable(job.state, processAlive(job.pid))) {
        throw new UsageError(`export job ${job.id} is ${job.state}${processAlive(job.pid) ? ' and its process is still running' : ''}: nothing to resume`, {
          hint: job.state === 'completed' ? 'it finished; start a new export' : 'watch it with `csync export status JOB --follow`',
        });
      }
      const api = clientFor(ctx.config, ctx.logger);
      const jira = job.spec.selection.some((sel) => sel.source === 'jira') ? jiraClientFor(ctx.config, ctx.logger) : undefined;
      try {
        store.close();
        await runExport(ctx, api, argv, (deps) => import('../../export/runner.js').then((r) => r.runJob({ ...deps, jira }, job.id)));
      } finally {
        await api.close();
        await jira?.close();
      }
      return;
    }
    throw new UsageError(`unknown export action ${action}`);
  } finally {
    try {
      store.close();
    } catch {
      /* closed already */
    }
  }
}

async function bundleAction(argv: ExportJobArgs): Promise<void> {
  const out = outputFor(argv);
  if (!argv.target) throw new UsageError(`export ${argv.action} needs a bundle (a folder or .zip)`);
  const bundle = resolve(argv.target);
  if (argv.action === 'verify') {
    const { verifyBundle } = await import('../../export/verify.js');
    const r = await verifyBundle(bundle);
    out.result(() => (r.ok ? `ok: ${argv.target} verifies (${r.files} files, ${r.kind})` : [`FAILED: ${argv.target}`, ...r.problems.map((p) => `  ${p}`)].join('\n')), r);
    if (!r.ok) process.exitCode = EXIT.INTEGRITY;
    return;
  }
  if (!argv.to) throw new UsageError('export extract needs --to DIR', { hint: 'csync export extract bundle.zip --to folder' });
  if (!existsSync(bundle)) throw new CsyncError('CSYNC_NOT_FOUND', `no bundle at ${argv.target}`);
  const { extractBundle } = await import('../../export/extract.js');
  const { verifyBundle } = await import('../../export/verify.js');
  const r = await extractBundle(bundle, argv.to);
  const v = await verifyBundle(resolve(argv.to));
  out.result(() => (v.ok ? `extracted ${r.files} files (${r.bytes} bytes) → ${argv.to}; checksums ok` : [`extracted ${r.files} files → ${argv.to}, but it does not verify:`, ...v.problems.map((p) => `  ${p}`)].join('\n')), { ok: v.ok, ...r, verify: v });
  if (!v.ok) process.exitCode = EXIT.INTEGRITY;
}
