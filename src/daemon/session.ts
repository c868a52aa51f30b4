/**
 * The daemon's set-up and shut-down phases around its passes (src/cli/commands/watch.ts composes them): the named
 * exports it keeps fresh, `csync resolve` sent to it, and the stop that closes everything and releases the lock.
 */
import { join } from 'node:path';
import { workspacePaths } from '../config/workspace.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../obs/logger.js';
import type { Daemon } from './daemon.js';
import type { Client, DaemonEngine, LocalState } from './engine-state.js';
import type { ExportScheduler } from './exports.js';
import type { StopResult } from './loop.js';
import { resolveRequest } from './watch-parts.js';

/** Named exports (config `exports`): kept fresh by `every`/`onChange`, and the job API under /exports. */
export async function startExports(engine: DaemonEngine, logger: Logger): Promise<{ exports: ExportScheduler; close(): void }> {
  const { checkPdfFont } = await import('../export/pdf-font.js');
  const { ExportScheduler } = await import('./exports.js');
  const { JobStore, KEEP_JOBS_DAYS } = await import('../export/job-store.js');
  const { ExportCache } = await import('../export/cache.js');
  const workspace = engine.config.workspace;
  const exportRoot = join(workspacePaths(workspace).cache, 'export');
  const store = new JobStore(join(exportRoot, 'jobs.db'));
  const keepJobsDays = () => engine.config.export?.keepJobsDays ?? KEEP_JOBS_DAYS;
  store.prune(keepJobsDays());
  const cache = new ExportCache(exportRoot);
  const exports = new ExportScheduler({
    workspace,
    definitions: () => engine.config.exports,
    spaces: () => engine.spaces,
    pdfFont: () => {
      const font = engine.config.export?.pdf?.font;
      return font === undefined ? undefined : checkPdfFont(font, workspace, 'export.pdf.font');
    },
    deps: () => ({ api: engine.client, store, cache, cacheRoot: exportRoot, siteUrl: engine.config.site.url ?? '' }),
    store,
    keepJobsDays,
    logger,
  });
  return { exports, close: () => store.close() };
}

/** `csync resolve` posted to the daemon: resolved between two engine runs; a kept local file is pushed at once. */
export function resolveHandler(daemon: () => Daemon, workspace: string, state: LocalState, logger: Logger) {
  return async (action: string, body: unknown, cancel: AbortSignal) => {
    if (action !== 'resolve') throw new ConfigError(`unknown daemon request: ${action}`);
    const { path, keep } = resolveRequest(body);
    const { resolveConflict } = await import('../engine/resolve.js');
    // Between two engine runs: the daemon holds the lock, nothing else writes meanwhile.
    const r = await daemon().exclusive(() => resolveConflict(workspace, path, keep, false), cancel);
    logger.info({ module: 'daemon', path: r.data.path, keep }, 'conflict resolved on request of csync resolve');
    state.afterRun();
    // A kept local file (or hand merge) goes out now, not at the next rescan.
    if (keep !== 'remote') daemon().markDirty(r.data.path);
    return r;
  };
}

/** Graceful stop (idempotent): the daemon drains (≤ 10 s), then the clients and the job store close and the lock goes. */
export function stopper(daemon: Daemon, clients: () => Client[], closeExports: () => void, release: () => void): () => Promise<StopResult> {
  let stopping: Promise<StopResult> | undefined;
  return () =>
    (stopping ??= (async () => {
      const result = await daemon.stop();
      await Promise.allSettled(clients().map((c) => c.close()));
      closeExports();
      // The lock goes only once the run has stopped; a run that hung past the bound keeps it until the process
      // exits (csync watch exits at once then, and the exit releases it).
      if (result.settled) release();
      return result;
    })());
}
