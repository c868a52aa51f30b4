/**
 * The retry delay, as a pure function (got's calculate-retry-delay style): exponential backoff with full jitter,
 * capped, and never shorter than the server's Retry-After (retrying earlier only earns another 429).
 */
export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * @param attempt 1 for the first retry, 2 for the second…
 * @param retryAfterMs what the server asked for, if anything
 * @param random a number in [0, 1)
 */
export function retryDelayMs(attempt: number, options: BackoffOptions, retryAfterMs: number | undefined, random: number): number {
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(exp * Math.min(Math.max(random, 0), 1));
  if (retryAfterMs !== undefined && retryAfterMs > 0) {
    // The server's wait wins even over our cap: it is a promise about when it will answer.
    return Math.max(retryAfterMs, jittered);
  }
  return jittered;
}

/**
 * Retry-After in milliseconds: either delta-seconds or an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const trimmed = v.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
