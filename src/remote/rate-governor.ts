/**
 * Applies rate-policy.ts in time: every attempt to a site calls `acquire()` before it starts and `observe()` when its
 * answer arrives. Shared by all requests to the site, so one 429 pauses them all.
 */
import type { Clock } from './options.js';
import { delayBeforeStart, initialRateState, onResponse, onStart, type RateConfig, type RateState, type ResponseSignals } from './rate-policy.js';

export interface RateHeaders {
  remaining?: number | undefined;
  limit?: number | undefined;
  nearLimit?: boolean | undefined;
  fillPerSecond?: number | undefined;
  reset?: string | undefined;
}

export class RateGovernor {
  private state: RateState;
  private inFlight = 0;
  /** Total ms callers spent waiting here (a metric). */
  waitedMs = 0;

  constructor(
    private readonly cfg: RateConfig,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.state = initialRateState(cfg, clock.now());
  }

  /** Waits until a request may start, then counts it as started. Returns the ms waited. */
  async acquire(): Promise<number> {
    const start = this.clock.now();
    // Re-check after every sleep: a 429 may have arrived meanwhile and moved the goalposts.
    for (;;) {
      const now = this.clock.now();
      const wait = delayBeforeStart(this.cfg, this.state, now);
      if (wait <= 0) {
        this.state = onStart(this.cfg, this.state, now);
        this.inFlight += 1;
        const waited = now - start;
        this.waitedMs += waited;
        return waited;
      }
      await this.sleep(wait);
    }
  }

  /** The started request ended (answered or failed); `signals` when there was an HTTP answer. */
  release(signals?: Omit<ResponseSignals, 'otherInFlight'>): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (signals) this.state = onResponse(this.cfg, this.state, this.clock.now(), { ...signals, otherInFlight: this.inFlight });
  }

  /** For stats and the doctor. */
  snapshot(): { pausedForMs: number; factor: number; nearLimit: boolean; serverRemaining: number | undefined; inFlight: number } {
    const now = this.clock.now();
    return {
      pausedForMs: Math.max(0, this.state.pausedUntil - now),
      factor: this.state.factor,
      nearLimit: this.state.nearLimit,
      serverRemaining: this.state.server?.remaining,
      inFlight: this.inFlight,
    };
  }
}

function num(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads Cloud (X-RateLimit-*, NearLimit) and Data Center (-Interval-Seconds, -FillRate) rate-limit headers. */
export function readRateHeaders(headers: Record<string, string | string[] | undefined>): RateHeaders {
  const fill = num(headers['x-ratelimit-fillrate']);
  const interval = num(headers['x-ratelimit-interval-seconds']);
  const near = headers['x-ratelimit-nearlimit'];
  const nearStr = Array.isArray(near) ? near[0] : near;
  const reset = headers['x-ratelimit-reset'];
  return {
    remaining: num(headers['x-ratelimit-remaining']),
    limit: num(headers['x-ratelimit-limit']),
    nearLimit: nearStr === undefined ? undefined : nearStr.trim().toLowerCase() === 'true',
    fillPerSecond: fill !== undefined && interval !== undefined && interval > 0 ? fill / interval : undefined,
    reset: Array.isArray(reset) ? reset[0] : reset,
  };
}
