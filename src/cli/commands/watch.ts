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
import type { CommandModule } from 'yargs';
import { loadConfig, secretsOf, type Config } from '../../config/index.js';
import { ConfigError } from '../../core/errors.js';
import { FULL_PULL_EVERY, latestChangeCql, latestForeignChange, OWN_WRITES_MAX, pagesPulled, pagesPushed, printRun, pushedPathsOf } from '../../daemon/watch-parts.js';
import type { Daemon, DaemonLoopOptions } from '../../daemon/daemon.js';
import { createChangeCheck, createLocalState, type Client, type DaemonEngine } from '../../daemon/engine-state.js';
import type { ExportScheduler } from '../../daemon/exports.js';
import type { StopResult } from '../../daemon/loop.js';
import { daemonPasses } from '../../daemon/passes.js';
import { resolveHandler, startExports, stopper } from '../../daemon/session.js';
import { DEFAULT_BACKOFF } from '../../core/backoff.js';
import { assertListenAllowed, parseListen } from '../../daemon/listen.js';
import { acquireWorkspaceLock } from '../../local/lock.js';
import { createMetrics, type Metrics } from '../../obs/metrics.js';
import { registerSecret } from '../../obs/redact.js';
import { createConfluenceClient } from '../../remote/index.js';
import { createContext, spacesOf, type Context, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { clientOptionsFrom } from '../site.js';

export interface WatchArgs extends GlobalArgs {
  debounce?: number;
  poll?: number;
  listen?: string;
  listenRemote?: boolean;
  maxBackoff?: number;
  rescan?: number;
}

/** Settings the command line overrides (also on SIGHUP: flags keep winning over the reloaded file). */
export function watchFlags(argv: WatchArgs): Record<string, unknown> {
  return {
    'watch.debounceMs': argv.debounce,
    'watch.pollSeconds': argv.poll,
    'watch.rescanSeconds': argv.rescan,
    'watch.listen': argv.listen,
  };
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

/**
 * Starts the daemon for a loaded context (the lock is taken here and released when it stops). `csync watch` uses
 * this with the signal handlers; it is exported for in-process use (a demo, tests of the command layer).
 * The phases live in src/daemon/: the shared state (engine-state.ts), the passes (passes.ts), exports, resolve and
 * stop (session.ts); the passes run the engine's one orchestrator (src/engine/run.ts).
 */
export async function startWatch(
  ctx: Context,
  argv: WatchArgs,
  options: { print?: ((line: string) => void) | undefined } = {},
): Promise<WatchSession> {
  const { logger } = ctx;
  const { print } = options;
  const workspace = ctx.config.workspace;
  const spaces = spacesOf(ctx.config, argv, 'watch');
  const listen = parseListen(ctx.config.watch.listen);
  assertListenAllowed(listen.host, Boolean(argv.listenRemote));
  const firstLoop = loopOptions(ctx.config, argv);
  const release = acquireWorkspaceLock(workspace, 'watch');
  const metrics = createMetrics();
  const makeClient = (config: Config): Client => createConfluenceClient({ ...clientOptionsFrom(config, logger), hooks: metrics.clientHooks() });
  const engine: DaemonEngine = { config: ctx.config, client: makeClient(ctx.config), spaces };
  const retired: Client[] = [];
  const state = createLocalState(engine, metrics, logger, print);
  const { exports, close: closeExports } = await startExports(engine, logger);
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
      isTracked: (p) => state.isTracked(p),
      dropWatcherEvents: process.env.CSYNC_TEST_WATCHER_DROP_EVENTS === '1',
      onControl: resolveHandler(() => daemon, workspace, state, logger),
      callbacks: daemonPasses({ engine, logger, check: createChangeCheck(engine, logger), state, exports }),
    });
  } catch (err) {
    await engine.client.close();
    closeExports();
    release();
    throw err;
  }
  return {
    daemon,
    metrics,
    stop: stopper(daemon, () => [engine.client, ...retired], closeExports, release),
    reloadConfig: () => reloadConfig(ctx, argv, { daemon, engine, retired, exports, makeClient }),
    afterReload: async () => {
      const old = retired.splice(0);
      await Promise.allSettled(old.map((c) => c.close()));
    },
  };
}

/** SIGHUP: re-reads the config (the command-line flags still win); a changed client replaces the old one for the next run. */
async function reloadConfig(
  ctx: Context,
  argv: WatchArgs,
  s: { daemon: Daemon; engine: DaemonEngine; retired: Client[]; exports: ExportScheduler; makeClient: (config: Config) => Client },
): Promise<DaemonLoopOptions> {
  const { logger } = ctx;
  const { engine } = s;
  const config = loadConfig({
    workspace: argv.workspace,
    configFile: argv.config,
    flags: { profile: argv.profile, 'log.level': argv.logLevel, spaces: argv.space?.length ? argv.space : undefined, format: argv.format, ...watchFlags(argv) },
    requireSite: true,
  });
  for (const secret of secretsOf(config)) registerSecret(secret, config.site.email);
  const nextSpaces = spacesOf(config, argv, 'watch');
  if (config.watch.listen !== ctx.config.watch.listen) {
    logger.warn({ module: 'daemon', listen: config.watch.listen, serving: s.daemon.url }, 'watch.listen changed: restart the daemon to move the endpoints');
  }
  const clientChanged = JSON.stringify(clientOptionsFrom(config)) !== JSON.stringify(clientOptionsFrom(engine.config));
  if (clientChanged) {
    // The run in flight keeps the old client; it is closed once the old loop has drained (afterReload).
    s.retired.push(engine.client);
    engine.client = s.makeClient(config);
  }
  engine.config = config;
  engine.spaces = nextSpaces;
  s.exports.reschedule();
  logger.info({ module: 'daemon', debounceMs: config.watch.debounceMs, pollSeconds: config.watch.pollSeconds, spaces: nextSpaces, clientChanged }, 'configuration re-read');
  return loopOptions(config, argv);
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
