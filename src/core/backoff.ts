/**
 * Backoff and jitter, the one module for both users (pure):
 * - the HTTP client's retry delay (retryDelayMs: full jitter, never shorter than the server's Retry-After);
 * - the daemon's wait after failed runs (backoffDelayMs: equal jitter) and its jittered poll and rescan intervals.
 */

/** base × 2^(attempt − 1), capped (attempt 1 = the first retry). */
export function exponentialMs(attempt: number, baseMs: number, maxMs: number): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 30));
}

export interface RetryBackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The client's retry delay (got's calculate-retry-delay style): exponential backoff with full jitter, capped, and
 * never shorter than the server's Retry-After (retrying earlier only earns another 429).
 * @param attempt 1 for the first retry, 2 for the second…
 * @param retryAfterMs what the server asked for, if anything
 * @param random a number in [0, 1)
 */
export function retryDelayMs(attempt: number, options: RetryBackoffOptions, retryAfterMs: number | undefined, random: number): number {
  const exp = exponentialMs(attempt, options.baseDelayMs, options.maxDelayMs);
  const jittered = Math.floor(exp * Math.min(Math.max(random, 0), 1));
  if (retryAfterMs !== undefined && retryAfterMs > 0) {
    // The server's wait wins even over our cap: it is a promise about when it will answer.
    return Math.max(retryAfterMs, jittered);
  }
  return jittered;
}

/** Retry-After in milliseconds: either delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const trimmed = v.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface BackoffOptions {
  /** Delay after the first failure. */
  baseMs: number;
  /** Cap: the daemon keeps retrying at this pace while Confluence stays unreachable. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 2_000, maxMs: 300_000 });

/**
 * The daemon's delay before the next attempt after `failures` consecutive failed runs (1 = first failure):
 * exponential, capped, with "equal jitter" (half fixed, half random) so a fleet of daemons does not retry in
 * lockstep, yet never retries sooner than half the nominal delay.
 */
export function backoffDelayMs(failures: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const nominal = exponentialMs(failures, options.baseMs, options.maxMs);
  return Math.round(nominal / 2 + (nominal / 2) * random());
}

/** `ms` spread uniformly over ±fraction (0.1 = ±10%): pollers started together drift apart. */
export function jitteredMs(ms: number, fraction: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 + (random() * 2 - 1) * fraction)));
}
