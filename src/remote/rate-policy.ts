/**
 * The adaptive rate limit as pure functions over a plain state (no timers, no clock reads): rate-governor.ts feeds
 * them the time and waits for the delays they return.
 *
 * Three things decide when the next request may start:
 * 1. our own token bucket (profile: rate, burst), its rate scaled by `factor` after 429s;
 * 2. a pause for everyone until `pausedUntil` after a 429 (or a 503 with Retry-After);
 * 3. the server's own budget, when it reports X-RateLimit-Remaining: we track it (refilled at the server's fill rate,
 *    decremented per request we start) and keep RESERVE tokens in hand, so network jitter never makes a request
 *    arrive to an empty bucket. X-RateLimit-NearLimit (or < 20% left) turns bursts off until it clears.
 * After a 429 the factor halves (floor 0.25) and then recovers a little with each success while the server is not
 * near its limit (additive increase, multiplicative decrease).
 */
export interface RateConfig {
  requestsPerSecond: number;
  burst: number;
}

export interface ServerBudget {
  /** Remaining requests the server reported, minus those we started since. */
  remaining: number;
  /** When it was observed (ms). */
  at: number;
  /** Server refill in requests per ms. */
  fillPerMs: number;
  /** Server bucket size, if it told us. */
  limit: number | undefined;
}

export interface RateState {
  tokens: number;
  updatedAt: number;
  pausedUntil: number;
  factor: number;
  /** Where recovery stops: learned from the pace between 429s (1 until two 429s have been seen). */
  ceiling: number;
  /** When the last 429 arrived, and how many successes since (the server's real pace in between). */
  lastLimitedAt: number | undefined;
  successesSinceLimited: number;
  nearLimit: boolean;
  server: ServerBudget | undefined;
}

export const RESERVE = 1;
export const MIN_FACTOR = 0.25;
/** Factor regained per successful response after a 429 (≈ 25 answers from 0.5 back to 1). */
export const RECOVERY_STEP = 0.02;
/** The ceiling's own creep per success, so a server that raised its limit is found again (≈ +10% per 200 answers). */
export const CEILING_CREEP = 0.0005;
/** Two 429s closer than this say too little about the server's pace to learn from. */
export const MIN_LEARN_WINDOW_MS = 2000;

/**
 * The rate factor a 429 teaches: successes since the previous 429 over the time between them is the pace the
 * server really allows (its bucket was empty both times). Pure.
 */
export function learnedCeiling(cfg: RateConfig, state: RateState, now: number): number {
  if (state.lastLimitedAt === undefined) return state.ceiling;
  const elapsed = now - state.lastLimitedAt;
  if (elapsed < MIN_LEARN_WINDOW_MS) return state.ceiling;
  const serverRps = state.successesSinceLimited / (elapsed / 1000);
  return Math.min(1, Math.max(MIN_FACTOR, (0.95 * serverRps) / cfg.requestsPerSecond));
}

export function initialRateState(cfg: RateConfig, now: number): RateState {
  return { tokens: cfg.burst, updatedAt: now, pausedUntil: 0, factor: 1, ceiling: 1, lastLimitedAt: undefined, successesSinceLimited: 0, nearLimit: false, server: undefined };
}

function ratePerMs(cfg: RateConfig, state: RateState): number {
  return (cfg.requestsPerSecond * state.factor) / 1000;
}

function capacity(cfg: RateConfig, state: RateState): number {
  return state.nearLimit ? 1 : cfg.burst;
}

/** The local bucket brought up to `now`. */
export function refill(cfg: RateConfig, state: RateState, now: number): RateState {
  const elapsed = Math.max(0, now - state.updatedAt);
  const tokens = Math.min(capacity(cfg, state), state.tokens + elapsed * ratePerMs(cfg, state));
  return { ...state, tokens, updatedAt: Math.max(now, state.updatedAt) };
}

function serverEstimate(server: ServerBudget, now: number): number {
  const refilled = server.remaining + Math.max(0, now - server.at) * server.fillPerMs;
  return server.limit !== undefined ? Math.min(server.limit, refilled) : refilled;
}

/** Milliseconds to wait before a request may start (0 = now). */
export function delayBeforeStart(cfg: RateConfig, state: RateState, now: number): number {
  const s = refill(cfg, state, now);
  const pauseWait = Math.max(0, s.pausedUntil - now);
  // After a pause the buckets start refilling at its end (updatedAt / server.at lie in the future).
  const tokenWait = s.tokens >= 1 ? 0 : Math.max(0, s.updatedAt - now) + (1 - s.tokens) / ratePerMs(cfg, s);
  let serverWait = 0;
  if (s.server) {
    const est = serverEstimate(s.server, now);
    // The reserve cannot exceed what the server's bucket holds (a bucket of 1 would otherwise never be enough).
    const needed = s.server.limit !== undefined ? Math.max(1, Math.min(1 + RESERVE, s.server.limit)) : 1 + RESERVE;
    if (est < needed) serverWait = Math.max(0, s.server.at - now) + (s.server.fillPerMs > 0 ? (needed - est) / s.server.fillPerMs : 0);
  }
  return Math.ceil(Math.max(pauseWait, tokenWait, serverWait));
}

/** A request starts now: spend a token here and one of the server's. */
export function onStart(cfg: RateConfig, state: RateState, now: number): RateState {
  const s = refill(cfg, state, now);
  return { ...s, tokens: s.tokens - 1, server: s.server ? { ...s.server, remaining: s.server.remaining - 1 } : undefined };
}

export interface ResponseSignals {
  status: number;
  /** X-RateLimit-Remaining */
  remaining?: number | undefined;
  /** X-RateLimit-Limit */
  limit?: number | undefined;
  /** X-RateLimit-NearLimit: true */
  nearLimit?: boolean | undefined;
  /** Server fill rate in requests per second (Data Center: FillRate / Interval-Seconds). */
  fillPerSecond?: number | undefined;
  /** Parsed Retry-After, when present. */
  retryAfterMs?: number | undefined;
  /** Other requests still in flight when this answer arrived (they may not be counted in `remaining` yet). */
  otherInFlight: number;
  /** Pause to apply on a 429 without Retry-After. */
  fallbackPauseMs: number;
}

/** Learns from a response's status and rate-limit headers. */
export function onResponse(cfg: RateConfig, state: RateState, now: number, sig: ResponseSignals): RateState {
  let s = refill(cfg, state, now);
  // Without a fill rate from the server we assume it refills at the rate we currently allow ourselves: after a 429
  // has halved that, the estimate of the server's budget shrinks with it.
  const fillPerMs = (sig.fillPerSecond ?? cfg.requestsPerSecond * s.factor) / 1000;
  if (sig.remaining !== undefined && Number.isFinite(sig.remaining)) {
    // Requests still in flight may not be counted yet: assume the worst.
    const remaining = Math.max(0, sig.remaining) - sig.otherInFlight;
    s = { ...s, server: { remaining, at: now, fillPerMs, limit: sig.limit } };
  }
  const near =
    sig.nearLimit === true ||
    (sig.remaining !== undefined && sig.limit !== undefined && sig.limit > 0 && sig.remaining / sig.limit < 0.2);
  if (sig.nearLimit !== undefined || sig.remaining !== undefined) s = { ...s, nearLimit: near, tokens: near ? Math.min(s.tokens, 1) : s.tokens };
  const pausing = sig.status === 429 || (sig.status === 503 && sig.retryAfterMs !== undefined);
  if (pausing) {
    const wait = sig.retryAfterMs ?? sig.fallbackPauseMs;
    const ceiling = sig.status === 429 ? learnedCeiling(cfg, s, now) : s.ceiling;
    s = {
      ...s,
      pausedUntil: Math.max(s.pausedUntil, now + wait),
      tokens: Math.min(s.tokens, 0),
      factor: sig.status === 429 ? Math.max(MIN_FACTOR, Math.min(s.factor / 2, ceiling)) : s.factor,
      ceiling,
      lastLimitedAt: sig.status === 429 ? now : s.lastLimitedAt,
      successesSinceLimited: sig.status === 429 ? 0 : s.successesSinceLimited,
      // The bucket is empty on the server's side when it says 429; it refills from the end of the pause.
      server: { remaining: 0, at: now + wait, fillPerMs, limit: s.server?.limit ?? sig.limit },
    };
    // The bucket restarts at the end of the pause, not now.
    s = { ...s, updatedAt: Math.max(s.updatedAt, now + wait) };
  } else if (sig.status < 500) {
    s = { ...s, successesSinceLimited: s.successesSinceLimited + 1 };
    if (!near) {
      // Additive recovery up to the learned ceiling, and only while the server says it has room: running right at
      // its limit (NearLimit) is where a learned rate should stay, or we would climb back into the next 429.
      const ceiling = Math.min(1, s.ceiling + CEILING_CREEP);
      s = { ...s, ceiling, factor: Math.min(ceiling, s.factor + RECOVERY_STEP) };
    }
  }
  return s;
}
