/**
 * Metrics: plain hooks (the daemon wires prom-client onto them) and a snapshot of counters (`client.stats()`).
 */
import type { ErrorCode } from '../core/errors.js';
import type { BreakerState } from './breaker.js';

export interface RequestEvent {
  /** The kind of source the client talks to: 'confluence', 'jira', 'notion' (set by the collector). */
  source?: string | undefined;
  /** Operation name, e.g. 'pages.list', 'attachments.upload'. */
  op: string;
  method: string;
  /** URL path without query (never secrets). */
  path: string;
  /** HTTP status, or 0 when there was no answer. */
  status: number;
  ms: number;
  /** 0 for the first try, 1 for the first retry… */
  attempt: number;
  /** Set when the attempt failed. */
  code?: ErrorCode | undefined;
  /** ms this attempt waited for the rate limiter before starting. */
  limiterWaitMs: number;
}

export interface RetryEvent {
  source?: string | undefined;
  op: string;
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  code: ErrorCode;
}

export interface ClientHooks {
  onRequest(event: RequestEvent): void;
  onRetry(event: RetryEvent): void;
  onRateLimited(event: { source?: string | undefined; op: string; path: string; retryAfterMs: number | undefined }): void;
  onBreakerStateChange(event: { state: BreakerState }): void;
  /** The rate limiter's store changed: redis (shared budget), fallback (Redis unreachable) or local. */
  onLimiterStoreChange(event: { source?: string | undefined; store: 'local' | 'redis' | 'fallback'; reason?: string | undefined }): void;
  /** A 2xx answer failed the client's schema (zod): the API changed. `op` names the endpoint. */
  onSchemaDrift(event: { source: string; op: string; path: string; problem: string }): void;
  /** Requests waiting for a concurrency slot and in flight, after each change. */
  onLimiterQueue(event: { source: string; queued: number; running: number }): void;
}

export interface OperationStats {
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  byStatus: Record<string, number>;
}

export interface ClientStatsSnapshot {
  /** Attempts sent (each retry counts). */
  requests: number;
  byOperation: Record<string, OperationStats>;
  byStatus: Record<string, number>;
  retries: number;
  rateLimited: number;
  limiterWaitMs: number;
  breaker: { state: BreakerState; opens: number; consecutiveFailures: number };
  /** Creates/uploads whose outcome was unknown and were checked before any retry. */
  verifiedWrites: number;
  /** 2xx answers that failed the client's schema (API drift). */
  schemaDrift: number;
}

export class StatsCollector {
  requests = 0;
  retries = 0;
  rateLimited = 0;
  limiterWaitMs = 0;
  verifiedWrites = 0;
  schemaDrifts = 0;
  private readonly ops = new Map<string, OperationStats>();
  private readonly statuses = new Map<string, number>();

  constructor(
    private readonly hooks: Partial<ClientHooks>,
    readonly source = 'confluence',
  ) {}

  request(event: RequestEvent): void {
    event.source = this.source;
    this.requests += 1;
    this.limiterWaitMs += event.limiterWaitMs;
    const key = String(event.status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    let op = this.ops.get(event.op);
    if (!op) {
      op = { count: 0, errors: 0, totalMs: 0, maxMs: 0, byStatus: {} };
      this.ops.set(event.op, op);
    }
    op.count += 1;
    if (event.code) op.errors += 1;
    op.totalMs += event.ms;
    op.maxMs = Math.max(op.maxMs, event.ms);
    op.byStatus[key] = (op.byStatus[key] ?? 0) + 1;
    if (event.status === 429) this.rateLimited += 1;
    this.emit(() => this.hooks.onRequest?.(event));
  }

  retry(event: RetryEvent): void {
    this.retries += 1;
    this.emit(() => this.hooks.onRetry?.({ ...event, source: this.source }));
  }

  rateLimitedEvent(event: { op: string; path: string; retryAfterMs: number | undefined }): void {
    this.emit(() => this.hooks.onRateLimited?.({ ...event, source: this.source }));
  }

  limiterStoreChanged(store: 'local' | 'redis' | 'fallback', reason: string | undefined): void {
    this.emit(() => this.hooks.onLimiterStoreChange?.({ source: this.source, store, reason }));
  }

  schemaDrift(event: { op: string; path: string; problem: string }): void {
    this.schemaDrifts += 1;
    this.emit(() => this.hooks.onSchemaDrift?.({ ...event, source: this.source }));
  }

  queue(queued: number, running: number): void {
    this.emit(() => this.hooks.onLimiterQueue?.({ source: this.source, queued, running }));
  }

  breakerChanged(state: BreakerState): void {
    this.emit(() => this.hooks.onBreakerStateChange?.({ state }));
  }

  snapshot(breaker: ClientStatsSnapshot['breaker']): ClientStatsSnapshot {
    const byOperation: Record<string, OperationStats> = {};
    for (const [k, v] of this.ops) byOperation[k] = { ...v, byStatus: { ...v.byStatus } };
    return {
      requests: this.requests,
      byOperation,
      byStatus: Object.fromEntries(this.statuses),
      retries: this.retries,
      rateLimited: this.rateLimited,
      limiterWaitMs: Math.round(this.limiterWaitMs),
      breaker,
      verifiedWrites: this.verifiedWrites,
      schemaDrift: this.schemaDrifts,
    };
  }

  /** A throwing hook must never break a request. */
  private emit(fn: () => void): void {
    try {
      fn();
    } catch {
      // deliberately ignored: metrics are best effort
    }
  }
}
