/**
 * Metrics: plain hooks (the daemon wires prom-client onto them) and a snapshot of counters (`client.stats()`).
 */
import type { ErrorCode } from '../core/errors.js';
import type { BreakerState } from './breaker.js';

export interface RequestEvent {
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
  onRateLimited(event: { op: string; path: string; retryAfterMs: number | undefined }): void;
  onBreakerStateChange(event: { state: BreakerState }): void;
  /** The rate limiter's store changed: redis (shared budget), fallback (Redis unreachable) or local. */
  onLimiterStoreChange(event: { store: 'local' | 'redis' | 'fallback'; reason?: string | undefined }): void;
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
}

export class StatsCollector {
  requests = 0;
  retries = 0;
  rateLimited = 0;
  limiterWaitMs = 0;
  verifiedWrites = 0;
  private readonly ops = new Map<string, OperationStats>();
  private readonly statuses = new Map<string, number>();

  constructor(private readonly hooks: Partial<ClientHooks>) {}

  request(event: RequestEvent): void {
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
    this.emit(() => this.hooks.onRetry?.(event));
  }

  rateLimitedEvent(event: { op: string; path: string; retryAfterMs: number | undefined }): void {
    this.emit(() => this.hooks.onRateLimited?.(event));
  }

  limiterStoreChanged(store: 'local' | 'redis' | 'fallback', reason: string | undefined): void {
    this.emit(() => this.hooks.onLimiterStoreChange?.({ store, reason }));
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
