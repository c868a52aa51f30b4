/**
 * The daemon assembled: watcher → loop → engine callbacks, the health/metrics server, reload and signals.
 * `csync watch` calls startDaemon with the engine's callbacks and installs the signal handlers; everything here
 * works with fake callbacks, so it is tested without an engine.
 */
import type { Logger } from '../obs/logger.js';
import type { BreakerStateName, Metrics } from '../obs/metrics.js';
import { newToken, writeControlFile } from './control.js';
import { healthReport, type HealthReport } from './health.js';
import { startHealthServer, type HealthServer } from './http.js';
import { DaemonLoop, type LoopCallbacks, type LoopEvents, type LoopOptions, type RunEvent, type StopResult } from './loop.js';
import { loopMetricsEvents } from './metrics-events.js';
import { startWatcher, type WorkspaceWatcher } from './watcher.js';
import type { ExportScheduler } from './exports.js';

export type DaemonLoopOptions = Omit<LoopOptions, 'events'>;

export interface DaemonOptions {
  workspace: string;
  callbacks: LoopCallbacks;
  loop: DaemonLoopOptions;
  /** Health/metrics listener; omit for none. */
  listen?: { host: string; port: number; allowRemote?: boolean | undefined } | undefined;
  metrics?: Metrics | undefined;
  /** The client's breaker state, for /healthz (e.g. () => client.stats().breaker.state). */
  breakerState?: (() => BreakerStateName | undefined) | undefined;
  /** The client's rate limiter store, for /healthz (e.g. () => client.rateLimiter().mode). */
  rateLimiterStore?: (() => string | undefined) | undefined;
  /** Watch content/ and attachments/ (default true; tests of the loop alone turn it off). */
  watch?: boolean | undefined;
  /** Tracked paths are reported even when their names look like editor temporaries (see watcher.ts). */
  isTracked?: ((relPath: string) => boolean) | undefined;
  /** Test-only: the watcher reports nothing (CSYNC_TEST_WATCHER_DROP_EVENTS=1); only rescans find changes. */
  dropWatcherEvents?: boolean | undefined;
  /**
   * The loop (and so its first poll) starts once the watcher's initial scan is done, so no save between the
   * engine's first scan and the watcher being ready is missed; this caps that wait (default 60 s).
   */
  watcherReadyTimeoutMs?: number | undefined;
  /**
   * Requests of one-shot commands (POST /control/<action>, see control.ts): with it, the daemon writes
   * cache/daemon.json once it listens and removes it at stop.
   */
  onControl?: ((action: string, body: unknown, cancel: AbortSignal) => Promise<unknown>) | undefined;
  /** Named exports kept fresh, and their job API under /exports on the listener. */
  exports?: ExportScheduler | undefined;
  /** Another observer of every run (csync watch prints human lines on a terminal). */
  onRun?: ((e: RunEvent) => void) | undefined;
  logger?: Logger | undefined;
}

export interface Daemon {
  /** http://127.0.0.1:PORT when listening. */
  readonly url: string | undefined;
  health(): HealthReport;
  /** Drains the current loop, starts a new one with these options, carries queued paths over, polls at once. */
  reload(loop: DaemonLoopOptions): Promise<void>;
  /** Graceful stop: loop drain (bounded), then watcher and server closed. */
  stop(): Promise<StopResult>;
  /** Runs `fn` between engine runs, never beside one (csync resolve sent to the daemon). */
  exclusive<T>(fn: (signal: AbortSignal) => Promise<T>, cancel?: AbortSignal): Promise<T>;
  /** Queue a path for push, as if the watcher had reported it. */
  markDirty(relPath: string): void;
}

function logRun(logger: Logger | undefined, e: RunEvent): void {
  if (!logger) return;
  const fields = { module: 'daemon', kind: e.kind, paths: e.paths, durationMs: e.durationMs, ...e.outcome };
  if (e.ok) logger.info(fields, `${e.kind} done`);
  else logger.warn({ ...fields, err: e.error, consecutiveFailures: e.consecutiveFailures, retryInMs: e.retryInMs }, `${e.kind} failed; retrying`);
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger, metrics } = options;
  const events = (): Partial<LoopEvents> => {
    const own: Partial<LoopEvents> = {
      onRun: (e) => {
        logRun(logger, e);
        options.onRun?.(e);
      },
    };
    return metrics ? loopMetricsEvents(metrics, own) : own;
  };
  let loop = new DaemonLoop(options.callbacks, { ...options.loop, events: events() });
  let watcher: WorkspaceWatcher | undefined;
  if (options.watch !== false) {
    watcher = startWatcher({
      workspace: options.workspace,
      // Always the current loop: a reload swaps it under the watcher.
      sink: { markDirty: (p) => loop.markDirty(p) },
      isTracked: options.isTracked,
      dropEvents: options.dropWatcherEvents,
      onError: (err) => {
        logger?.error({ module: 'daemon', err, hint: err.hint }, err.message);
        // Events may have been lost with the error: look at the whole tree now.
        logger?.info({ module: 'daemon', reason: 'watcher error' }, 'rescan requested: the file watcher failed, events may have been lost');
        loop.rescanNow();
      },
    });
  }
  const health = (): HealthReport =>
    healthReport({
      loop: loop.status(),
      breaker: options.breakerState?.(),
      rateLimiter: options.rateLimiterStore?.(),
      watcher: watcher ? { ready: watcher.isReady(), error: watcher.lastError()?.message } : undefined,
    });
  let server: HealthServer | undefined;
  let controlFile: { remove: () => void } | undefined;
  try {
    if (options.listen) {
      const onControl = options.onControl;
      const token = onControl ? newToken() : undefined;
      server = await startHealthServer({
        ...options.listen,
        getHealth: health,
        registry: metrics?.registry ?? { metrics: async () => '', contentType: 'text/plain; version=0.0.4; charset=utf-8' },
        metricsJson: metrics ? () => metrics.json() : undefined,
        control: onControl && token ? { token, handle: onControl } : undefined,
        exports: options.exports,
      });
      if (token) controlFile = writeControlFile(options.workspace, server.url, token);
    }
  } catch (err) {
    await Promise.all([watcher?.close(), server?.close()]);
    throw err;
  }
  if (watcher) {
    let capTimer: ReturnType<typeof setTimeout> | undefined;
    const cap = new Promise<void>((res) => {
      capTimer = setTimeout(res, options.watcherReadyTimeoutMs ?? 60_000);
      capTimer.unref?.();
    });
    // Always the current loop (a reload before the watcher is ready starts its own); start() is idempotent.
    void Promise.race([watcher.ready, cap])
      .then(() => {
        clearTimeout(capTimer);
        loop.start();
      })
      .catch((err: unknown) => logger?.error({ module: 'daemon', err }, 'the loop did not start'));
  } else loop.start();
  options.exports?.start();
  logger?.info({ module: 'daemon', workspace: options.workspace, url: server?.url }, 'daemon started');
  let stopping: Promise<StopResult> | undefined;
  return {
    url: server?.url,
    health,
    exclusive: (fn, cancel) => loop.exclusive(fn, cancel),
    markDirty: (p) => loop.markDirty(p),
    reload: async (next) => {
      if (stopping) return;
      // The new loop takes saves from now on (it queues them until started), so nothing saved during the
      // old loop's drain is dropped; it starts only once the old one has stopped: never two engine runs at once.
      const old = loop;
      loop = new DaemonLoop(options.callbacks, { ...next, initialPoll: true, events: events() });
      const carried = await old.stop();
      for (const p of carried.abandonedPaths) loop.markDirty(p);
      loop.start();
      logger?.info({ module: 'daemon', carried: carried.abandonedPaths.length }, 'configuration reloaded');
    },
    stop: () =>
      (stopping ??= (async () => {
        const [result] = await Promise.all([loop.stop(), options.exports?.stop()]);
        controlFile?.remove();
        await Promise.all([watcher?.close(), server?.close()]);
        logger?.info({ module: 'daemon', drained: result.drained, queued: result.abandonedPaths.length }, 'daemon stopped');
        return result;
      })()),
  };
}

export interface SignalOptions {
  /** New loop options for SIGHUP (re-read the config); a throw keeps the old ones and is logged. */
  reloadOptions?: (() => Promise<DaemonLoopOptions> | DaemonLoopOptions) | undefined;
  /** Called once stopped (csync watch resolves its handler here; exit code 0). */
  onStopped?: ((result: StopResult, signal: NodeJS.Signals) => void) | undefined;
  /** Called after a SIGHUP reload has finished (the old loop drained): csync watch closes the old client here. */
  onReloaded?: (() => void | Promise<void>) | undefined;
  /** A second SIGTERM/SIGINT while stopping (Ctrl-C twice): csync watch exits at once. */
  onSecondSignal?: ((signal: NodeJS.Signals) => void) | undefined;
  logger?: Logger | undefined;
  /** For tests: defaults to process. */
  target?: Pick<NodeJS.Process, 'on' | 'off'> | undefined;
}

/** SIGTERM/SIGINT: graceful stop. SIGHUP: reload. Returns a function that removes the handlers. */
export function installSignalHandlers(daemon: Daemon, options: SignalOptions = {}): () => void {
  const target = options.target ?? process;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger?.warn({ module: 'daemon', signal }, 'second signal while stopping');
      options.onSecondSignal?.(signal);
      return;
    }
    stopping = true;
    options.logger?.info({ module: 'daemon', signal }, 'stopping');
    daemon.stop().then(
      (r) => options.onStopped?.(r, signal),
      (err: unknown) => {
        options.logger?.error({ module: 'daemon', err }, 'stop failed');
        options.onStopped?.({ drained: false, aborted: true, settled: false, abandonedPaths: [] }, signal);
      },
    );
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  const reload = async () => {
    const next = await options.reloadOptions?.();
    if (next) {
      await daemon.reload(next);
      await options.onReloaded?.();
    }
  };
  const onHup = () => {
    reload().catch((err: unknown) => options.logger?.error({ module: 'daemon', err }, 'reload failed; keeping the running configuration'));
  };
  target.on('SIGTERM', onTerm);
  target.on('SIGINT', onInt);
  target.on('SIGHUP', onHup);
  return () => {
    target.off('SIGTERM', onTerm);
    target.off('SIGINT', onInt);
    target.off('SIGHUP', onHup);
  };
}
