/**
 * `csync watch`: the daemon. One process per workspace: it takes the workspace lock as 'watch' for its whole life,
 * so one-shot commands exit 8 (CSYNC_LOCKED, naming the daemon) instead of racing it. One Confluence client, with
 * the metrics hooks wired, serves every run.
 *
 * - local saves: chokidar → debounce → runPush({ paths, lockHeld }) for the due paths;
 * - remote changes: every watch.pollSeconds (±10 %) one CQL request per poll asks for the most recently modified
 *   pages and attachments of the watched spaces (`ORDER BY lastmodified DESC`, limit 1 + the daemon's own recent
 *   writes). The newest one the daemon did not write itself (its pushes' (id, version) pairs are remembered) is the
 *   latest change: when that (id, version, lastModified) differs from the previous poll's, a pull runs (runPull({ lockHeld }): a version listing without
 *   bodies, then only the pages whose version moved). No date window is sent, so neither clock skew nor the user's
 *   CQL time zone can hide an edit. Deletes, moves and label changes do not always surface there, so every
 *   FULL_PULL_EVERY-th poll is a pull regardless. Measured why (BENCHMARKS.md, daemon-idle-10k): a no-op pull of
 *   10,000 pages is 44 requests and ~2 s of CPU, 3.5 % CPU at one poll per 30 s; the check is one request;
 * - at start (and after a failure, until it succeeds): one full pass, pull then push of everything, for whatever
 *   changed while the daemon was not running;
 * - every watch.rescanSeconds (±10 %) and after any watcher error: a push of everything (stat fast path), for saves
 *   the watcher missed; tracked pages whose names look like editor temporaries (`~$Budget.md`) are watched too;
 * - `csync resolve` while the daemon runs: the command posts to the daemon (cache/daemon.json), which resolves
 *   between two runs and pushes a kept file at once;
 * - conflicts are handled per page by the engine (conflict copy, the local file kept) and never stop other pages;
 * - /healthz and /metrics on watch.listen (default 127.0.0.1:9464; a non-loopback host needs --listen-remote);
 * - logs: JSON lines on stdout when it is not a terminal (journald); short human lines on a terminal;
 * - SIGTERM/SIGINT: stop taking work, let the run in flight finish (8 s), else cancel it (one AbortSignal stops its
 *   queue, requests and writes) and wait for it to unwind (2 s); then close everything and release the lock: exit 0
 *   when the run finished, 130 when it was cancelled. Every page the engine finished is already committed to
 *   cache/state.db (one transaction per page); a rerun converges. A second signal exits 130 at once.
 * - SIGHUP: reload the configuration (watch.*, site, rate, scope, format); watch.listen needs a restart.
 */
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { workspacePaths } from '../../config/workspace.js';
import { loadConfig, secretsOf, type Config } from '../../config/index.js';
import { ConfigError } from '../../core/errors.js';
import { FULL_PULL_EVERY, latestChangeCql, latestForeignChange, OWN_WRITES_MAX, pagesPulled, pagesPushed, printRun, pushedPathsOf, readState, resolveRequest } from '../../daemon/watch-parts.js';
import type { Daemon, DaemonLoopOptions } from '../../daemon/daemon.js';
import type { RunOutcome, StopResult } from '../../daemon/loop.js';
import { DEFAULT_BACKOFF } from '../../core/backoff.js';
import { assertListenAllowed, parseListen } from '../../daemon/listen.js';
import type { PullSummary } from '../../engine/types.js';
import type { PushSummary } from '../../engine/push.js';
import { withRunSignal } from '../../core/run-signal.js';
import { getFormat } from '../../format/index.js';
import { acquireWorkspaceLock } from '../../local/lock.js';
import { createMetrics, type Metrics } from '../../obs/metrics.js';
import { registerSecret } from '../../obs/redact.js';
import { createConfluenceClient } from '../../remote/index.js';
import { createContext, type Context, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { clientOptionsFrom } from '../site.js';
import { shellQuote } from '../../engine/summary.js';

export interface WatchArgs extends GlobalArgs {
  debounce?: number;
  poll?: number;
  listen?: string;
  listenRemote?: boolean;
  maxBackoff?: number;
  rescan?: number;
}

type Client = ReturnType<typeof createConfluenceClient>;


/** Settings the command line overrides (also on SIGHUP: flags keep winning over the reloaded file). */
export function watchFlags(argv: WatchArgs): Record<string, unknown> {
  return {
    'watch.debounceMs': argv.debounce,
    'watch.pollSeconds': argv.poll,
    'watch.rescanSeconds': argv.rescan,
    'watch.listen': argv.listen,
  };
}

function spacesOf(config: Config, argv: WatchArgs): string[] {
  const spaces = argv.space?.length ? argv.space : [...config.spaces];
  if (spaces.length === 0) throw new ConfigError('no space to watch', { hint: 'pass --space KEY, or set "spaces": ["KEY"] in config/csync.json' });
  return spaces;
}

function loopOptions(config: Config, argv: WatchArgs): DaemonLoopOptions {
  const options: DaemonLoopOptions = { debounceMs: config.watch.debounceMs, pollSeconds: config.watch.pollSeconds, rescanSeconds: config.watch.rescanSeconds };
  if (argv.maxBackoff !== undefined) {
    if (!Number.isFinite(argv.maxBackoff) || argv.maxBackoff < 1 || argv.maxBackoff > 3600) {
      throw new ConfigError(`--max-backoff must be a number of seconds from 1 to 3600, got ${argv.maxBackoff}`);
    }
    const maxMs = argv.maxBackoff * 1000;
    options.backoff = { baseMs: Math.min(DEFAULT_BACKOFF.baseMs, maxMs), maxMs };
  }
  return options;
}


// The helpers' old home: tests and callers import them from here too.
export { FULL_PULL_EVERY, latestChangeCql, latestForeignChange, OWN_WRITES_MAX, pagesPulled, pagesPushed, pushedPathsOf };

export interface WatchSession {
  daemon: Daemon;
  metrics: Metrics;
  /** Graceful stop (idempotent): the daemon drains (≤ 10 s), then the client is closed and the lock released. */
  stop(): Promise<StopResult>;
  /** SIGHUP: re-reads the config (the command-line flags still win) and returns the new loop options. */
  reloadConfig(): Promise<DaemonLoopOptions>;
  /** After a reload has drained the old loop: closes the replaced client, if any. */
  afterReload(): Promise<void>;
}

interface Engine {
  config: Config;
  client: Client;
}

/**
 * Starts the daemon for a loaded context (the lock is taken here and released when it stops). `csync watch` uses
 * this with the signal handlers; it is exported for in-process use (a demo, tests of the command layer).
 */
export async function startWatch(
  ctx: Context,
  argv: WatchArgs,
  options: { print?: ((line: string) => void) | undefined } = {},
): Promise<WatchSession> {
  const { logger } = ctx;
  const workspace = ctx.config.workspace;
  let spaces = spacesOf(ctx.config, argv);
  const listen = parseListen(ctx.config.watch.listen);
  assertListenAllowed(listen.host, Boolean(argv.listenRemote));
  const firstLoop = loopOptions(ctx.config, argv);
  const print = options.print;
  const release = acquireWorkspaceLock(workspace, 'watch');
  const metrics = createMetrics();
  const makeClient = (config: Config): Client =>
    createConfluenceClient({ ...clientOptionsFrom(config, logger), hooks: metrics.clientHooks() });
  const engine: Engine = { config: ctx.config, client: makeClient(ctx.config) };
  const retired: Client[] = [];
  let fullPassDone = false;
  let polls = 0;
  /** The latest change by someone else seen at the last pull: `id:version:lastModified`, or undefined to pull next time. */
  let lastSeen: string | undefined;
  let cqlRefused = false;
  /** Page versions the daemon's own pushes created (id → version), newest last, at most OWN_WRITES_MAX. */
  const ownWrites = new Map<string, number>();
  const remember = (s: PushSummary) => {
    for (const w of s.written) {
      ownWrites.delete(w.id);
      ownWrites.set(w.id, w.version);
    }
    for (const id of ownWrites.keys()) {
      if (ownWrites.size <= OWN_WRITES_MAX) break;
      ownWrites.delete(id);
    }
  };

  /**
   * One request: the most recent change in the watched spaces that this daemon did not make (our own pushes are
   * skipped, so an idle daemon does not pull its own saves back). Undefined when it cannot tell or CQL is refused.
   */
  const latestChange = async (): Promise<string | undefined> => {
    if (cqlRefused) return undefined;
    try {
      const limit = ownWrites.size + 1;
      const results = [];
      for await (const r of engine.client.searchCql(latestChangeCql(spaces), { limit })) {
        results.push(r);
        if (results.length >= limit) break;
      }
      return latestForeignChange(results, ownWrites, limit);
    } catch (err) {
      if ((err as { code?: string }).code !== 'CSYNC_BAD_REQUEST') throw err; // network, auth…: the poll fails and backs off
      cqlRefused = true;
      logger.warn({ module: 'daemon', err }, 'the change check (CQL) was refused: every poll is a pull from now on');
      return undefined;
    }
  };
  const initial = readState(workspace, spaces);
  let knownConflicts = initial.conflicts;
  let tracked = initial.tracked;

  /** New conflicts since the last run: counted, logged, printed. Returns the total for /healthz. */
  const afterRun = (): number => {
    const read = readState(workspace, spaces);
    const now = read.conflicts;
    tracked = read.tracked;
    const fresh = [...now].filter(([k]) => !knownConflicts.has(k));
    knownConflicts = now;
    if (fresh.length) {
      metrics.addConflicts(fresh.length);
      for (const [, c] of fresh) {
        logger.warn({ module: 'daemon', path: c.path, copy: c.copyPath }, 'conflict: your file is kept; resolve with csync resolve');
        print?.(`CONFLICT ${c.path}: your file is kept${c.copyPath ? `, the remote version is in ${c.copyPath}` : ''} (csync resolve ${shellQuote(c.path)} --keep local|remote|merged)`);
      }
    }
    return now.size;
  };

  const common = (config: Config) => ({
    workspace,
    api: engine.client,
    spaces,
    formatFor: () => getFormat(config.format),
    maxDelete: { percent: config.sync.maxDeletePercent, count: config.sync.maxDeleteCount },
    force: false,
    dryRun: false,
    concurrency: config.concurrency.pages,
    attachmentConcurrency: config.concurrency.attachments,
    pageSize: config.batch.pageSize,
    logger,
    lockHeld: true,
  });

  const push = async (paths: readonly string[] | undefined, signal: AbortSignal): Promise<PushSummary> => {
    const { runPush } = await import('../../engine/push.js');
    const config = engine.config;
    const { scope } = config;
    return runPush({ ...common(config), signal, paths, versionMessage: config.sync.versionMessage, minorEdit: config.sync.minorEdit, scoped: Boolean(scope.rootPageId || scope.labels.length || scope.cql) });
  };

  const pull = async (signal: AbortSignal): Promise<PullSummary> => {
    const { runPull } = await import('../../engine/pull.js');
    const config = engine.config;
    return runPull({ ...common(config), signal, rootPageId: config.scope.rootPageId, labels: config.scope.labels, cql: config.scope.cql });
  };

  // Named exports (config `exports`): kept fresh by `every`/`onChange`, and the job API under /exports.
  const { checkPdfFont } = await import('../../export/pdf-font.js');
  const { ExportScheduler } = await import('../../daemon/exports.js');
  const { JobStore, KEEP_JOBS_DAYS } = await import('../../export/job-store.js');
  const { ExportCache } = await import('../../export/cache.js');
  const exportRoot = join(workspacePaths(workspace).cache, 'export');
  const exportStore = new JobStore(join(exportRoot, 'jobs.db'));
  const keepJobsDays = () => engine.config.export?.keepJobsDays ?? KEEP_JOBS_DAYS;
  exportStore.prune(keepJobsDays());
  const exportCache = new ExportCache(exportRoot);
  const exports = new ExportScheduler({
    workspace,
    definitions: () => engine.config.exports,
    spaces: () => spaces,
    pdfFont: () => {
      const font = engine.config.export?.pdf?.font;
      return font === undefined ? undefined : checkPdfFont(font, workspace, 'export.pdf.font');
    },
    deps: () => ({ api: engine.client, store: exportStore, cache: exportCache, cacheRoot: exportRoot, siteUrl: engine.config.site.url ?? '' }),
    store: exportStore,
    keepJobsDays,
    logger,
  });

  const { startDaemon } = await import('../../daemon/daemon.js');
  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      workspace,
      loop: firstLoop,
      listen: { ...listen, allowRemote: Boolean(argv.listenRemote) },
      metrics,
      exports,
      breakerState: () => engine.client.breakerState().state,
      rateLimiterStore: () => engine.client.rateLimiter().mode,
      logger,
      onRun: print ? (e) => printRun(print, e) : undefined,
      isTracked: (p) => tracked.has(p),
      dropWatcherEvents: process.env.CSYNC_TEST_WATCHER_DROP_EVENTS === '1',
      onControl: async (action, body, cancel) => {
        if (action !== 'resolve') throw new ConfigError(`unknown daemon request: ${action}`);
        const { path, keep } = resolveRequest(body);
        const { resolveConflict } = await import('../../engine/resolve.js');
        // Between two engine runs: the daemon holds the lock, nothing else writes meanwhile.
        const r = await daemon.exclusive(() => resolveConflict(workspace, path, keep, false), cancel);
        logger.info({ module: 'daemon', path: r.data.path, keep }, 'conflict resolved on request of csync resolve');
        afterRun();
        // A kept local file (or hand merge) goes out now, not at the next rescan.
        if (keep !== 'remote') daemon.markDirty(r.data.path);
        return r;
      },
      callbacks: {
        pushPaths: (paths, signal): Promise<RunOutcome> =>
          withRunSignal(signal, async () => {
            const s = await push(paths, signal);
            remember(s);
            return { pagesPushed: pagesPushed(s), pushedPaths: pushedPathsOf(s), conflicts: afterRun() };
          }),
        rescanLocal: (signal): Promise<RunOutcome> =>
          withRunSignal(signal, async () => {
            // Everything, stat fast path: what the watcher missed. A rescan that finds nothing sends no request.
            const s = await push(undefined, signal);
            remember(s);
            return { pagesPushed: pagesPushed(s), pushedPaths: pushedPathsOf(s), conflicts: afterRun() };
          }),
        pollRemote: (signal): Promise<RunOutcome> => withRunSignal(signal, async (): Promise<RunOutcome> => {
          polls += 1;
          // Taken before the pull: a change landing during the pull shows up as a new value next time.
          const seen = await latestChange();
          const due = !fullPassDone || polls % FULL_PULL_EVERY === 0 || seen === undefined || seen !== lastSeen;
          exports.afterPoll();
          if (!due) {
            logger.debug({ module: 'daemon', latest: seen }, 'no remote change');
            return { pagesPulled: 0, conflicts: knownConflicts.size };
          }
          const p = await pull(signal);
          lastSeen = seen;
          // Pages changed remotely: onChange exports compare their selection with their published bundle.
          if (pagesPulled(p) > 0) exports.remoteChanged();
          let pushed = 0;
          let pushedPaths: string[] = [];
          if (!fullPassDone) {
            // What changed while no daemon ran: one full pass, like `csync sync`.
            const s = await push(undefined, signal);
            remember(s);
            pushed = pagesPushed(s);
            pushedPaths = pushedPathsOf(s);
            fullPassDone = true;
          }
          return { pagesPulled: pagesPulled(p), pagesPushed: pushed, pushedPaths, conflicts: afterRun() };
        }),
      },
    });
  } catch (err) {
    await engine.client.close();
    exportStore.close();
    release();
    throw err;
  }

  let stopping: Promise<StopResult> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const result = await daemon.stop();
      await Promise.allSettled([engine.client.close(), ...retired.map((c) => c.close())]);
      exportStore.close();
      // The lock goes only once the run has stopped; a run that hung past the bound keeps it until the process
      // exits (csync watch exits at once then, and the exit releases it).
      if (result.settled) release();
      return result;
    })());

  return {
    daemon,
    metrics,
    stop,
    reloadConfig: async () => {
      const config = loadConfig({
        workspace: argv.workspace,
        configFile: argv.config,
        flags: { profile: argv.profile, 'log.level': argv.logLevel, spaces: argv.space?.length ? argv.space : undefined, format: argv.format, ...watchFlags(argv) },
        requireSite: true,
      });
      for (const s of secretsOf(config)) registerSecret(s, config.site.email);
      const nextSpaces = spacesOf(config, argv);
      if (config.watch.listen !== ctx.config.watch.listen) {
        logger.warn({ module: 'daemon', listen: config.watch.listen, serving: daemon.url }, 'watch.listen changed: restart the daemon to move the endpoints');
      }
      const clientChanged = JSON.stringify(clientOptionsFrom(config)) !== JSON.stringify(clientOptionsFrom(engine.config));
      if (clientChanged) {
        // The run in flight keeps the old client; it is closed once the old loop has drained (afterReload).
        retired.push(engine.client);
        engine.client = makeClient(config);
      }
      engine.config = config;
      spaces = nextSpaces;
      exports.reschedule();
      logger.info({ module: 'daemon', debounceMs: config.watch.debounceMs, pollSeconds: config.watch.pollSeconds, spaces, clientChanged }, 'configuration re-read');
      return loopOptions(config, argv);
    },
    afterReload: async () => {
      const old = retired.splice(0);
      await Promise.allSettled(old.map((c) => c.close()));
    },
  };
}


export const watchCommand: CommandModule<GlobalArgs, WatchArgs> = {
  command: 'watch',
  describe: 'the daemon: pushes saves, polls for remote changes, serves /healthz and /metrics on loopback',
  builder: (y) =>
    y
      .option('debounce', { type: 'number', describe: 'ms of quiet after a save before pushing (watch.debounceMs, default 1000)' })
      .option('poll', { type: 'number', describe: 'seconds between remote polls, ±10 % (watch.pollSeconds, default 30)' })
      .option('listen', { type: 'string', describe: 'HOST:PORT for /healthz and /metrics (watch.listen, default 127.0.0.1:9464; port 0 = any free port)' })
      .option('listen-remote', { type: 'boolean', describe: 'allow a non-loopback --listen address (the endpoints have no authentication)' })
      .option('rescan', { type: 'number', describe: 'seconds between rescans of the local tree for saves the watcher missed (watch.rescanSeconds, default 60)' })
      .option('max-backoff', { type: 'number', describe: 'cap in seconds on the wait between retries while Confluence is unreachable (default 300)' })
      .option('space', { type: 'string', array: true, describe: 'space key (repeatable; default: the spaces in config/csync.json)' })
      .example('csync watch', 'run the daemon in the foreground (Ctrl-C stops it)')
      .example('csync watch --debounce 500 --poll 15', 'push faster, poll more often')
      .example('csync watch --listen 127.0.0.1:9500', 'serve /healthz and /metrics on another port')
      .example('curl -s http://127.0.0.1:9464/healthz', 'is it healthy? (200 or 503, JSON)')
      .example('kill -HUP <pid>', 'reload config/csync.json (systemctl --user reload confluence-sync)') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv, { requireSite: true, daemon: true, extraFlags: watchFlags(argv) });
    const tty = Boolean(process.stdout.isTTY) && !argv.json && !argv.quiet;
    const print = tty ? (line: string) => ctx.out.line(line) : undefined;
    const session = await startWatch(ctx, argv, { print });
    const { installSignalHandlers } = await import('../../daemon/daemon.js');
    const { debounceMs, pollSeconds } = ctx.config.watch;
    print?.(
      `Watching ${ctx.config.workspace}: pushes ${debounceMs} ms after the last save, polls every ${pollSeconds} s.\n` +
        `Health: ${session.daemon.url}/healthz  Metrics: ${session.daemon.url}/metrics  (Ctrl-C stops)`,
    );
    const done = new Promise<{ result: StopResult; signal: NodeJS.Signals }>((resolve) => {
      installSignalHandlers(session.daemon, {
        logger: ctx.logger,
        reloadOptions: () => session.reloadConfig(),
        onReloaded: () => session.afterReload(),
        // daemon.stop() has run; close the client, release the lock.
        onStopped: (result, signal) =>
          void session.stop().then(
            () => resolve({ result, signal }),
            (err: unknown) => {
              ctx.logger.error({ module: 'daemon', err }, 'stop failed');
              resolve({ result: { ...result, settled: false }, signal });
            },
          ),
        onSecondSignal: (signal) => {
          ctx.logger.warn({ module: 'daemon', signal }, 'exiting at once');
          process.exit(EXIT.INTERRUPTED);
        },
      });
    });
    const { result, signal } = await done;
    const code = result.drained ? EXIT.OK : EXIT.INTERRUPTED;
    ctx.logger.info({ module: 'daemon', signal, drained: result.drained, cancelled: result.aborted, queued: result.abandonedPaths.length, code }, 'exiting');
    print?.(
      `Stopped (${signal})${result.aborted ? '; the run in flight was cancelled, the next start finishes it' : ''}${result.abandonedPaths.length ? `; ${result.abandonedPaths.length} unpushed path(s) will be pushed at the next start` : ''}.`,
    );
    // A run that did not unwind within the bound must not go on writing: end the process now.
    if (!result.settled) process.exit(code);
    // Everything is closed; if a stray socket still holds the event loop, do not outlive the stop bound.
    setTimeout(() => process.exit(code), 1000).unref();
    process.exitCode = code;
  },
};
