/**
 * The adaptive rate limit as pure functions over a plain state (no timers, no clock reads). A Bottleneck limiter
 * does the pacing (limiter.ts); this module decides its settings from every answer, and when everyone must pause.
 *
 * What it decides:
 * 1. the pace: the profile's rate (or the server's fill rate, when it reports one) scaled by `factor`, as a token
 *    bucket — Bottleneck's reservoir, refilled by `reservoirIncreaseAmount` every `reservoirIncreaseInterval`, capped
 *    at the burst (or at the server's own bucket size, when it reports one: its headroom is ours to use);
 * 2. a pause for everyone until `pausedUntil` after a 429 (or a 503 with Retry-After), when the reservoir is also
 *    emptied — shared limiters empty it for every process;
 * 3. the server's own budget: X-RateLimit-NearLimit (or < 20% left) turns bursts off (requests spread by minTime),
 *    and X-RateLimit-Limit sizes our bucket RESERVE below the server's, so a pace equal to the server's never lands a
 *    request on its empty bucket;
 * 4. the budget the server advertises (Cloud: X-RateLimit-Remaining and -Reset): what is left, spread over the time
 *    until the reset (at least MIN_RESET_WINDOW_MS), is the pace the server allows now, and it replaces the profile's
 *    rate, above or below it (see serverRateSample). That rule is safe whether the server keeps a token bucket or a
 *    fixed window: a fixed window gives back nothing before the reset, so Remaining / time-to-reset never overdraws
 *    it; a token bucket also refills meanwhile, and the pace settles where a bucket stays half full, at its fill rate
 *    (pace p with fill f: Remaining R falls while p > f, and p = R·f / (Limit − R) = f at R = Limit / 2). (X-RateLimit-Remaining is not copied into the reservoir: it cannot count requests
 *    in flight — other processes' included — and Bottleneck refills on a heartbeat, so a reservoir set to an
 *    answer's 0 starved the pace; measured: twice the ideal time against a 20 req/s server.)
 * After a 429 the factor halves (floor 0.25) and then recovers a little with each success while the server is not
 * near its limit (additive increase, multiplicative decrease), up to a ceiling learned from the pace between 429s
 * (counted from the end of the pause, less the bucket the pause refilled: see learnedCeiling).
 */
export interface RateConfig {
  requestsPerSecond: number;
  burst: number;
}

export interface RateState {
  pausedUntil: number;
  factor: number;
  /** Where recovery stops: learned from the pace between 429s (1 until two 429s have been seen). */
  ceiling: number;
  /** When the last 429 arrived. */
  lastLimitedAt: number | undefined;
  /** Where the window learnedCeiling counts in starts: the end of the pause the last 429 enforced. */
  learnFrom: number | undefined;
  /** Successes answered since learnFrom (the server's real pace in that window). */
  successesSinceLimited: number;
  nearLimit: boolean;
  /** The server's fill rate in requests per second, when it reports one (Data Center). */
  serverFillPerSecond: number | undefined;
  /** The server's bucket size (X-RateLimit-Limit), when it reports one. */
  serverLimit: number | undefined;
  /** The pace the server's advertised budget allows (Cloud: Remaining over the time to Reset), smoothed; req/s. */
  serverRate: number | undefined;
  /** When serverRate was last sampled. */
  serverRateAt: number;
}

/** Bottleneck settings (the subset the policy owns). */
export interface LimiterSettings {
  /** Minimum ms between two starts (0 = bursts allowed). */
  minTime: number;
  reservoirIncreaseInterval: number;
  reservoirIncreaseAmount: number;
  reservoirIncreaseMaximum: number;
}

export interface RateDecision {
  state: RateState;
  /** Set the reservoir (tokens available now) to this, for every process sharing the limiter (0 after a 429). */
  reservoir?: number | undefined;
  /** Tell every process sharing the limiter to pause this long (ms) and slow to `state.factor`. */
  broadcastPauseMs?: number | undefined;
}

export const RESERVE = 1;
export const MIN_FACTOR = 0.25;
/** Factor regained per successful response after a 429 (≈ 25 answers from 0.5 back to 1). */
export const RECOVERY_STEP = 0.02;
/** The ceiling's own creep per success, so a server that raised its limit is found again (≈ +10% per 200 answers). */
export const CEILING_CREEP = 0.0005;
/** A window (from a pause's end to the next 429) shorter than this says too little about the server's pace. */
export const MIN_LEARN_WINDOW_MS = 1000;
/** Bottleneck refills on its heartbeat; an interval shorter than that would only refill in lumps anyway. */
export const MIN_INCREASE_INTERVAL_MS = 250;
/**
 * What is left is spread over at least this long: a bucket that is full again in a few ms (Reset ≈ now) does not
 * make its content a rate of thousands per second. A token bucket of size L and fill rate f balances half full,
 * where time-to-reset = L / 2f: the floor must stay under that or it holds the pace under f (1 s held a 20 req/s
 * server with a bucket of 10 to 9 req/s; 250 ms one with a bucket of 5 to 16).
 */
export const MIN_RESET_WINDOW_MS = 125;
/** Bottleneck refills on a 250 ms heartbeat: more than one server bucket per refill would burst past the server. */
const REFILLS_PER_SECOND = 1000 / 250;
/** A higher advertised pace is followed with this time constant (a lower one at once: it is the safe side). */
export const SERVER_RATE_RISE_MS = 1000;

/**
 * The pace (req/s) an answer's advertised budget allows until its reset: Remaining spread over the time to Reset
 * (at least MIN_RESET_WINDOW_MS), and at least one request per reset window (a 429's Remaining 0 must not stop
 * everything: the pause after it does that), at most one server bucket (Limit) per limiter refill. Undefined when
 * the answer does not say. Pure.
 */
export function serverRateSample(remaining: number | undefined, limit: number | undefined, resetInMs: number | undefined): number | undefined {
  if (remaining === undefined || resetInMs === undefined || !Number.isFinite(remaining) || !Number.isFinite(resetInMs) || remaining < 0) return undefined;
  if (limit !== undefined && (!Number.isFinite(limit) || limit <= 0)) return undefined;
  const window = Math.max(MIN_RESET_WINDOW_MS, resetInMs);
  const rate = Math.max(1, remaining) / (window / 1000);
  return limit !== undefined ? Math.min(rate, Math.max(1, limit - RESERVE) * REFILLS_PER_SECOND) : rate;
}

/** The advertised pace after one more sample: down at once, up smoothly (SERVER_RATE_RISE_MS). Pure. */
export function nextServerRate(previous: number | undefined, previousAt: number, sample: number, now: number): number {
  if (previous === undefined || sample <= previous) return sample;
  const alpha = 1 - Math.exp(-Math.max(0, now - previousAt) / SERVER_RATE_RISE_MS);
  return previous + alpha * (sample - previous);
}

/**
 * The rate factor a 429 teaches: the pace the server really allowed between the end of the previous 429's pause and
 * this 429 (its bucket was empty at this one). Not from the previous 429 itself: the pause (Retry-After, a second or
 * more) is time nobody sent in, and counting it learned about half a server's rate (10.5 of 20 req/s with a
 * one-second Retry-After). The pause refilled the server's bucket, and that stock was spent on top of the pace: it
 * is taken off the count — the server's bucket size (X-RateLimit-Limit) when known, else the profile's burst — or
 * the window's first second, burst included, learns well above the server's rate. Taking off the whole bucket errs
 * on the low side when the pause left it part full. Pure.
 */
export function learnedCeiling(cfg: RateConfig, state: RateState, now: number): number {
  if (state.learnFrom === undefined) return state.ceiling;
  const elapsed = now - state.learnFrom;
  if (elapsed < MIN_LEARN_WINDOW_MS) return state.ceiling;
  const stock = state.serverLimit ?? cfg.burst;
  const serverRps = Math.max(0, state.successesSinceLimited - stock) / (elapsed / 1000);
  return Math.min(1, Math.max(MIN_FACTOR, (0.95 * serverRps) / baseRate(cfg, state)));
}

export function initialRateState(): RateState {
  return { pausedUntil: 0, factor: 1, ceiling: 1, lastLimitedAt: undefined, learnFrom: undefined, successesSinceLimited: 0, nearLimit: false, serverFillPerSecond: undefined, serverLimit: undefined, serverRate: undefined, serverRateAt: 0 };
}

/**
 * The server's advertised pace wins over the profile's (Data Center's fill rate, else Cloud's Remaining over the
 * time to Reset): the profile rate is the ceiling only where the server says nothing.
 */
function baseRate(cfg: RateConfig, state: RateState): number {
  return state.serverFillPerSecond ?? state.serverRate ?? cfg.requestsPerSecond;
}

/**
 * A pace given as a fixed figure (the profile's, or Data Center's fill rate) is kept at this share of it: Bottleneck
 * refills on a timer whose ticks drift and bunch, and a pace of exactly the server's lands a request on its empty
 * bucket now and then (measured: 1 × 429 in 4 of 5 runs of 300 requests at 20 req/s against a 20 req/s server).
 * An advertised Remaining/Reset pace needs no margin: it keeps the server's bucket about half full by itself.
 */
export const PACE_SHARE = 0.95;
/** With no server bucket size known, ours stays this much of the pace (ms) short of the burst (see limiterSettings). */
export const BUCKET_RESERVE_MS = 200;

/** Requests per second we allow ourselves now. */
export function currentRate(cfg: RateConfig, state: RateState): number {
  const share = state.serverFillPerSecond === undefined && state.serverRate !== undefined ? 1 : PACE_SHARE;
  return baseRate(cfg, state) * state.factor * share;
}

/** The Bottleneck settings for this state: a token bucket at the current rate. Pure. */
export function limiterSettings(cfg: RateConfig, state: RateState): LimiterSettings {
  const rate = currentRate(cfg, state);
  // A whole number of heartbeats: Bottleneck refills only on a heartbeat, so an interval between two of them (334 ms
  // at 3 req/s with the 250 ms heartbeat) is served on the next but one, and 3 req/s became 2.
  const interval = Math.max(MIN_INCREASE_INTERVAL_MS, Math.ceil(Math.ceil(1000 / rate) / MIN_INCREASE_INTERVAL_MS) * MIN_INCREASE_INTERVAL_MS);
  const amount = (rate * interval) / 1000;
  // Our bucket refills on our heartbeat's phase, not from when the server's was drained: a bucket as big as the
  // server's, emptied in one burst, gets its first refill before the server has refilled as much. With no size from
  // the server, ours stays BUCKET_RESERVE_MS of pace short of the profile's burst.
  const bucket = state.serverLimit !== undefined ? Math.max(1, state.serverLimit - RESERVE) : Math.max(1, cfg.burst - Math.ceil((rate * BUCKET_RESERVE_MS) / 1000));
  // The bucket must hold one refill, or the refill (not the rate) would cap the pace; near the limit minTime
  // spreads the starts instead of a burst.
  return {
    // (Not when the server advertises its budget: the pace already follows what is left, and a minTime from a pace
    // of one request per reset window held every later start back that long, for every process sharing it.)
    minTime: state.nearLimit && state.serverRate === undefined ? Math.ceil(1000 / rate) : 0,
    reservoirIncreaseInterval: interval,
    reservoirIncreaseAmount: amount,
    reservoirIncreaseMaximum: Math.max(Math.ceil(amount), state.nearLimit ? 1 : bucket),
  };
}

/** Milliseconds every start must still wait for a pause (0 = none). */
export function pauseRemaining(state: RateState, now: number): number {
  return Math.max(0, Math.ceil(state.pausedUntil - now));
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
  /** X-RateLimit-Reset as ms from when the answer arrived (it is a wall-clock time: the caller subtracts). */
  resetInMs?: number | undefined;
  /** Parsed Retry-After, when present. */
  retryAfterMs?: number | undefined;
  /** Other requests still in flight when this answer arrived (they may not be counted in `remaining` yet). */
  otherInFlight: number;
  /** Pause to apply on a 429 without Retry-After. */
  fallbackPauseMs: number;
}

/** Learns from a response's status and rate-limit headers. */
export function onResponse(cfg: RateConfig, state: RateState, now: number, sig: ResponseSignals): RateDecision {
  let s: RateState = { ...state };
  if (sig.fillPerSecond !== undefined && sig.fillPerSecond > 0) s.serverFillPerSecond = sig.fillPerSecond;
  if (sig.limit !== undefined && Number.isFinite(sig.limit) && sig.limit > 0) s.serverLimit = sig.limit;
  const sample = serverRateSample(sig.remaining, sig.limit, sig.resetInMs);
  if (sample !== undefined) {
    // The first advertised figure is climbed to from the profile's rate, like every rise: a process (or several
    // sharing one budget) starting on a full server bucket must not set a pace the next answers take back.
    const known = s.serverRate !== undefined;
    s.serverRate = nextServerRate(known ? s.serverRate : cfg.requestsPerSecond, known ? s.serverRateAt : now, sample, now);
    s.serverRateAt = now;
  }
  const near =
    sig.nearLimit === true ||
    (sig.remaining !== undefined && sig.limit !== undefined && sig.limit > 0 && sig.remaining / sig.limit < 0.2);
  if (sig.nearLimit !== undefined || sig.remaining !== undefined) s.nearLimit = near;
  const pausing = sig.status === 429 || (sig.status === 503 && sig.retryAfterMs !== undefined);
  if (pausing) {
    const wait = sig.retryAfterMs ?? sig.fallbackPauseMs;
    const limited = sig.status === 429;
    const ceiling = limited ? learnedCeiling(cfg, s, now) : s.ceiling;
    // A 429 that advertises the budget has already set the pace (Remaining 0: one request per reset window, rising
    // again as the server's answers show room): halving it as well would only slow the recovery.
    const slow = limited && sample === undefined;
    const pausedUntil = Math.max(s.pausedUntil, now + wait);
    s = {
      ...s,
      pausedUntil,
      factor: slow ? Math.max(MIN_FACTOR, Math.min(s.factor / 2, ceiling)) : s.factor,
      ceiling,
      lastLimitedAt: limited ? now : s.lastLimitedAt,
      learnFrom: limited ? pausedUntil : s.learnFrom,
      successesSinceLimited: limited ? 0 : s.successesSinceLimited,
    };
    // The server's bucket is empty when it says 429: so is ours, for every process sharing it.
    return { state: s, reservoir: 0, broadcastPauseMs: wait };
  }
  if (sig.status < 500) {
    // Answers that arrive during the pause were sent before it: the window starts when it ends.
    if (s.learnFrom === undefined || now >= s.learnFrom) s.successesSinceLimited += 1;
    if (!near) {
      // Additive recovery up to the learned ceiling, and only while the server says it has room: running right at
      // its limit (NearLimit) is where a learned rate should stay, or we would climb back into the next 429.
      const ceiling = Math.min(1, s.ceiling + CEILING_CREEP);
      s = { ...s, ceiling, factor: Math.min(ceiling, s.factor + RECOVERY_STEP) };
    }
  }
  return { state: s };
}

/** Another process sharing the limiter was told to pause `pauseMs` and slowed to `factor`: so do we. */
export function onSharedPause(state: RateState, now: number, pauseMs: number, factor: number): RateState {
  const f = Number.isFinite(factor) ? Math.max(MIN_FACTOR, Math.min(1, factor)) : state.factor;
  return { ...state, pausedUntil: Math.max(state.pausedUntil, now + Math.max(0, pauseMs)), factor: Math.min(state.factor, f) };
}

/** Settings worth sending to the limiter: a change of more than 5% in pace, or any change of shape. */
export function settingsDiffer(a: LimiterSettings | undefined, b: LimiterSettings): boolean {
  if (!a) return true;
  const rate = (x: LimiterSettings) => x.reservoirIncreaseAmount / x.reservoirIncreaseInterval;
  return (
    a.minTime !== b.minTime ||
    a.reservoirIncreaseMaximum !== b.reservoirIncreaseMaximum ||
    a.reservoirIncreaseInterval !== b.reservoirIncreaseInterval ||
    Math.abs(rate(a) - rate(b)) > 0.05 * rate(a)
  );
}
