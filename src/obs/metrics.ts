/**
 * Prometheus metrics (prom-client), one Registry per daemon so tests and several daemons in one process never share
 * counters. Producers call plain methods (`observeRequest`, `observeSync`…); `clientHooks()` returns an object shaped
 * like the Confluence client's hooks (src/remote/stats.ts ClientHooks) without importing src/remote, so obs stays
 * below remote in the import graph. Labels are closed sets or operation names, never paths or page titles
 * (unbounded label values would grow the registry without limit).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type BreakerStateName = 'closed' | 'half-open' | 'open';
export type SyncKind = 'pull' | 'push' | 'sync' | 'poll' | 'rescan';
export type LimiterStoreName = 'local' | 'redis' | 'fallback';
const LIMITER_STORES: readonly LimiterStoreName[] = ['local', 'redis', 'fallback'];

/** Breaker states as gauge values: 0 closed, 1 half-open, 2 open (alert on > 0). */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerStateName, number>> = Object.freeze({ closed: 0, 'half-open': 1, open: 2 });

export interface MetricsOptions {
  /** Metric name prefix; default "csync_". */
  prefix?: string;
  /** Process metrics (CPU, RSS, event loop lag, GC…); default true. */
  defaultMetrics?: boolean;
}

/** The subset of a client request event the metrics need (structurally compatible with src/remote RequestEvent). */
export interface RequestObservation {
  op: string;
  /** HTTP status, 0 when there was no answer. */
  status: number;
  ms: number;
  limiterWaitMs?: number | undefined;
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  observeRequest(e: RequestObservation): void;
  observeRetry(e: { op: string }): void;
  observeRateLimited(e: { op: string }): void;
  observeLimiterWait(seconds: number): void;
  addPages(direction: 'pushed' | 'pulled', count: number): void;
  addConflicts(count: number): void;
  observeSync(kind: SyncKind, outcome: 'ok' | 'error', durationMs: number): void;
  observeSaveToRemote(ms: number): void;
  setQueueDepth(depth: number): void;
  setBreakerState(state: BreakerStateName): void;
  /** Where the rate budget is kept now (fallback = Redis unreachable). */
  setLimiterStore(store: LimiterStoreName): void;
  /** Hooks to pass as the Confluence client's `hooks` option. */
  clientHooks(): {
    onRequest(e: RequestObservation): void;
    onRetry(e: { op: string }): void;
    onRateLimited(e: { op: string }): void;
    onBreakerStateChange(e: { state: BreakerStateName }): void;
    onLimiterStoreChange(e: { store: LimiterStoreName }): void;
  };
  /** Prometheus text exposition. */
  text(): Promise<string>;
}

/** Status classes keep the label set small: 200, 404… are kept, anything else is "other"; 0 (no answer) is "error". */
export function statusLabel(status: number): string {
  if (status === 0) return 'error';
  if (status >= 100 && status <= 599) return String(status);
  return 'other';
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const p = options.prefix ?? 'csync_';
  const registry = new Registry();
  const registers = [registry];
  // The event-loop-lag monitor samples every 10 ms by default: ~0.6 % CPU of an otherwise idle daemon on its own
  // (measured; the idle goal is < 1 % in all). 100 ms keeps the lag histogram useful at a tenth of the wakeups.
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: p, eventLoopMonitoringPrecision: 100 });

  const requests = new Counter({ name: `${p}http_requests_total`, help: 'Confluence requests sent (each retry counts), by operation and status', labelNames: ['operation', 'status'], registers });
  const requestSeconds = new Histogram({ name: `${p}http_request_duration_seconds`, help: 'Confluence request duration', labelNames: ['operation'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers });
  const retries = new Counter({ name: `${p}http_retries_total`, help: 'Confluence requests retried, by operation', labelNames: ['operation'], registers });
  const rateLimited = new Counter({ name: `${p}http_rate_limited_total`, help: 'Confluence answers 429 Too Many Requests, by operation', labelNames: ['operation'], registers });
  const limiterWait = new Counter({ name: `${p}rate_limiter_wait_seconds_total`, help: 'Time requests waited for the client-side rate limiter', registers });
  const pages = new Counter({ name: `${p}pages_total`, help: 'Pages transferred, by direction (pushed, pulled)', labelNames: ['direction'], registers });
  const conflicts = new Counter({ name: `${p}conflicts_total`, help: 'Conflicts detected (kept as conflict copies)', registers });
  const syncSeconds = new Histogram({ name: `${p}sync_duration_seconds`, help: 'Duration of engine runs, by kind and outcome', labelNames: ['kind', 'outcome'], buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800], registers });
  const saveToRemote = new Histogram({ name: `${p}save_to_remote_seconds`, help: 'From the last save of a file to the end of the push that carried it', buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60], registers });
  const queueDepth = new Gauge({ name: `${p}queue_depth`, help: 'Changed paths waiting to be pushed', registers });
  const breaker = new Gauge({ name: `${p}breaker_state`, help: 'Circuit breaker: 0 closed, 1 half-open, 2 open', registers });
  const limiterStore = new Gauge({ name: `${p}rate_limiter_store`, help: 'Where the rate budget is kept: 1 for the current store (local, redis, fallback = Redis unreachable)', labelNames: ['store'], registers });
  const setLimiterStore = (store: LimiterStoreName) => {
    for (const s of LIMITER_STORES) limiterStore.set({ store: s }, s === store ? 1 : 0);
  };
  setLimiterStore('local');
  breaker.set(0);
  queueDepth.set(0);

  const nonNegative = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  const m: Metrics = {
    registry,
    contentType: registry.contentType,
    observeRequest: (e) => {
      requests.inc({ operation: e.op, status: statusLabel(e.status) });
      requestSeconds.observe({ operation: e.op }, nonNegative(e.ms) / 1000);
      if (e.limiterWaitMs) m.observeLimiterWait(e.limiterWaitMs / 1000);
    },
    observeRetry: (e) => retries.inc({ operation: e.op }),
    observeRateLimited: (e) => rateLimited.inc({ operation: e.op }),
    observeLimiterWait: (seconds) => limiterWait.inc(nonNegative(seconds)),
    addPages: (direction, count) => pages.inc({ direction }, nonNegative(count)),
    addConflicts: (count) => conflicts.inc(nonNegative(count)),
    observeSync: (kind, outcome, durationMs) => syncSeconds.observe({ kind, outcome }, nonNegative(durationMs) / 1000),
    observeSaveToRemote: (ms) => saveToRemote.observe(nonNegative(ms) / 1000),
    setQueueDepth: (depth) => queueDepth.set(nonNegative(depth)),
    setBreakerState: (state) => breaker.set(BREAKER_STATE_VALUE[state] ?? 0),
    setLimiterStore,
    clientHooks: () => ({
      onRequest: (e) => m.observeRequest(e),
      onRetry: (e) => m.observeRetry(e),
      // The 429 itself is counted from onRequest's status; this hook is per-op for the dedicated counter.
      onRateLimited: (e) => m.observeRateLimited(e),
      onBreakerStateChange: (e) => m.setBreakerState(e.state),
      onLimiterStoreChange: (e) => m.setLimiterStore(e.store),
    }),
    text: () => registry.metrics(),
  };
  return m;
}
