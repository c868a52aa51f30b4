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
  /** The kind of source: 'confluence' (default), 'jira', 'notion'. */
  source?: string | undefined;
  op: string;
  /** HTTP status, 0 when there was no answer. */
  status: number;
  ms: number;
  limiterWaitMs?: number | undefined;
}

/** One finished engine run, as /metrics.json lists it (newest first). */
export interface RunRecord {
  kind: SyncKind;
  status: 'ok' | 'error';
  startedAt: string;
  endedAt: string;
  durationMs: number;
  error?: string | undefined;
}

/** How many finished runs /metrics.json keeps. */
export const RUNS_KEPT = 20;

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  observeRequest(e: RequestObservation): void;
  observeRetry(e: { op: string; source?: string | undefined }): void;
  observeRateLimited(e: { op: string; source?: string | undefined }): void;
  observeLimiterWait(seconds: number, source?: string): void;
  /** A 2xx answer that failed the client's schema (zod), by source and endpoint (the operation name). */
  observeSchemaDrift(e: { source: string; op: string }): void;
  /** Requests waiting for the source's limiter, and in flight. */
  setLimiterQueue(source: string, queued: number, running: number): void;
  addPages(direction: 'pushed' | 'pulled', count: number): void;
  addConflicts(count: number): void;
  /** A finished engine run: the duration histogram, and the list of last runs (`error`: its message). */
  observeSync(kind: SyncKind, outcome: 'ok' | 'error', durationMs: number, error?: string): void;
  /** The last finished runs, newest first (at most RUNS_KEPT). */
  runs(): RunRecord[];
  observeSaveToRemote(ms: number): void;
  setQueueDepth(depth: number): void;
  setBreakerState(state: BreakerStateName): void;
  /** Where the rate budget is kept now (fallback = Redis unreachable). */
  setLimiterStore(store: LimiterStoreName, source?: string): void;
  /** The same figures as JSON (prom-client's getMetricsAsJSON: name, help, type, values with labels) and the last runs. */
  json(): Promise<{ generatedAt: string; metrics: unknown[]; runs: RunRecord[] }>;
  /** Hooks to pass as the Confluence client's `hooks` option. */
  clientHooks(): {
    onRequest(e: RequestObservation): void;
    onRetry(e: { op: string; source?: string | undefined }): void;
    onRateLimited(e: { op: string; source?: string | undefined }): void;
    onBreakerStateChange(e: { state: BreakerStateName }): void;
    onLimiterStoreChange(e: { store: LimiterStoreName; source?: string | undefined }): void;
    onSchemaDrift(e: { source: string; op: string }): void;
    onLimiterQueue(e: { source: string; queued: number; running: number }): void;
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

  // Every remote metric carries `source` (confluence, jira, notion): each source has its own limiter and budget.
  const requests = new Counter({ name: `${p}http_requests_total`, help: 'Requests sent (each retry counts), by source, operation and status', labelNames: ['source', 'operation', 'status'], registers });
  const requestSeconds = new Histogram({ name: `${p}http_request_duration_seconds`, help: 'Request duration, by source and operation', labelNames: ['source', 'operation'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers });
  const retries = new Counter({ name: `${p}http_retries_total`, help: 'Requests retried, by source and operation', labelNames: ['source', 'operation'], registers });
  const rateLimited = new Counter({ name: `${p}http_rate_limited_total`, help: 'Answers 429 Too Many Requests, by source and operation', labelNames: ['source', 'operation'], registers });
  const limiterWait = new Counter({ name: `${p}rate_limiter_wait_seconds_total`, help: 'Time requests waited for the client-side rate limiter, by source', labelNames: ['source'], registers });
  const limiterQueue = new Gauge({ name: `${p}rate_limiter_queue`, help: "Requests waiting for a slot in the source's limiter", labelNames: ['source'], registers });
  const limiterRunning = new Gauge({ name: `${p}rate_limiter_in_flight`, help: "Requests in flight through the source's limiter", labelNames: ['source'], registers });
  const schemaDrift = new Counter({ name: `${p}schema_drift_total`, help: "2xx answers that failed the client's schema (an API change), by source and endpoint (operation)", labelNames: ['source', 'endpoint'], registers });
  const pages = new Counter({ name: `${p}pages_total`, help: 'Pages transferred, by direction (pushed, pulled)', labelNames: ['direction'], registers });
  const conflicts = new Counter({ name: `${p}conflicts_total`, help: 'Conflicts detected (kept as conflict copies)', registers });
  const syncSeconds = new Histogram({ name: `${p}sync_duration_seconds`, help: 'Duration of engine runs, by kind and outcome', labelNames: ['kind', 'outcome'], buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800], registers });
  const saveToRemote = new Histogram({ name: `${p}save_to_remote_seconds`, help: 'From the last save of a file to the end of the push that carried it', buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60], registers });
  const queueDepth = new Gauge({ name: `${p}queue_depth`, help: 'Changed paths waiting to be pushed', registers });
  const breaker = new Gauge({ name: `${p}breaker_state`, help: 'Circuit breaker: 0 closed, 1 half-open, 2 open', registers });
  const limiterStore = new Gauge({ name: `${p}rate_limiter_store`, help: 'Where the rate budget is kept: 1 for the current store (local, redis, fallback = Redis unreachable), by source', labelNames: ['source', 'store'], registers });
  const setLimiterStore = (store: LimiterStoreName, source = 'confluence') => {
    for (const s of LIMITER_STORES) limiterStore.set({ source, store: s }, s === store ? 1 : 0);
  };
  setLimiterStore('local');
  breaker.set(0);
  queueDepth.set(0);

  const nonNegative = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  const lastRuns: RunRecord[] = [];
  const m: Metrics = {
    registry,
    contentType: registry.contentType,
    observeRequest: (e) => {
      const source = e.source ?? 'confluence';
      requests.inc({ source, operation: e.op, status: statusLabel(e.status) });
      requestSeconds.observe({ source, operation: e.op }, nonNegative(e.ms) / 1000);
      if (e.limiterWaitMs) m.observeLimiterWait(e.limiterWaitMs / 1000, source);
    },
    observeRetry: (e) => retries.inc({ source: e.source ?? 'confluence', operation: e.op }),
    observeRateLimited: (e) => rateLimited.inc({ source: e.source ?? 'confluence', operation: e.op }),
    observeLimiterWait: (seconds, source = 'confluence') => limiterWait.inc({ source }, nonNegative(seconds)),
    observeSchemaDrift: (e) => schemaDrift.inc({ source: e.source, endpoint: e.op }),
    setLimiterQueue: (source, queued, running) => {
      limiterQueue.set({ source }, nonNegative(queued));
      limiterRunning.set({ source }, nonNegative(running));
    },
    addPages: (direction, count) => pages.inc({ direction }, nonNegative(count)),
    addConflicts: (count) => conflicts.inc(nonNegative(count)),
    observeSync: (kind, outcome, durationMs, error) => {
      syncSeconds.observe({ kind, outcome }, nonNegative(durationMs) / 1000);
      const end = Date.now();
      lastRuns.unshift({ kind, status: outcome, startedAt: new Date(end - nonNegative(durationMs)).toISOString(), endedAt: new Date(end).toISOString(), durationMs: Math.round(nonNegative(durationMs)), ...(error ? { error } : {}) });
      if (lastRuns.length > RUNS_KEPT) lastRuns.length = RUNS_KEPT;
    },
    runs: () => lastRuns.map((r) => ({ ...r })),
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
      onLimiterStoreChange: (e) => m.setLimiterStore(e.store, e.source),
      onSchemaDrift: (e) => m.observeSchemaDrift(e),
      onLimiterQueue: (e) => m.setLimiterQueue(e.source, e.queued, e.running),
    }),
    text: () => registry.metrics(),
    json: async () => ({ generatedAt: new Date().toISOString(), metrics: (await registry.getMetricsAsJSON()) as unknown[], runs: m.runs() }),
  };
  return m;
}
