/** Reads the rate-limit headers of an answer into the signals rate-policy.ts learns from. Pure. */
export interface RateHeaders {
  remaining?: number | undefined;
  limit?: number | undefined;
  nearLimit?: boolean | undefined;
  fillPerSecond?: number | undefined;
  reset?: string | undefined;
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

/** X-RateLimit-Reset (an ISO 8601 time, Cloud) as ms after `now`; undefined when absent or not a time. */
export function resetInMs(reset: string | undefined, now: number): number | undefined {
  if (reset === undefined || reset.trim() === '') return undefined;
  const t = Date.parse(reset.trim());
  return Number.isNaN(t) ? undefined : t - now;
}
