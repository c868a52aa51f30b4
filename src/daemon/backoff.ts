/** Pure timing decisions of the daemon loop: retry backoff after failures and jittered poll intervals. */

export interface BackoffOptions {
  /** Delay after the first failure. */
  baseMs: number;
  /** Cap: the daemon keeps retrying at this pace while Confluence stays unreachable. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 2_000, maxMs: 300_000 });

/**
 * Delay before the next attempt after `failures` consecutive failures (1 = first failure): exponential, capped,
 * with "equal jitter" (half fixed, half random) so a fleet of daemons does not retry in lockstep, yet never retries
 * sooner than half the nominal delay.
 */
export function backoffDelayMs(failures: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failures));
  const nominal = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(n - 1, 30));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}

/** `ms` spread uniformly over ±fraction (0.1 = ±10%): pollers started together drift apart. */
export function jitteredMs(ms: number, fraction: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 + (random() * 2 - 1) * fraction)));
}
