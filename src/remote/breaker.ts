/**
 * Circuit breaker per site. Written here rather than taken from cockatiel because the state must follow an injected
 * clock (tests) and be readable at any time (stats, doctor, /metrics).
 *
 * closed --(failureThreshold consecutive failures)--> open --(halfOpenAfterMs)--> half-open
 * half-open: exactly one probe goes through; success closes, failure re-opens for another halfOpenAfterMs.
 */
import type { Clock } from './options.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** When an open breaker lets the next probe through (clock ms), else undefined. */
  retryAt: number | undefined;
  opens: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probeInFlight = false;
  private opens = 0;

  constructor(
    private readonly options: { failureThreshold: number; halfOpenAfterMs: number },
    private readonly clock: Clock,
    private readonly onChange: (state: BreakerState) => void = () => {},
  ) {}

  state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.clock.now() - this.openedAt >= this.options.halfOpenAfterMs ? 'half-open' : 'open';
  }

  snapshot(): BreakerSnapshot {
    const state = this.state();
    return {
      state,
      consecutiveFailures: this.failures,
      retryAt: this.openedAt === undefined ? undefined : this.openedAt + this.options.halfOpenAfterMs,
      opens: this.opens,
    };
  }

  /**
   * Asks to send a request. Returns undefined when allowed, or the ms until a probe may go when the caller must
   * fail fast. In half-open only one probe is let through at a time.
   */
  tryAcquire(): { allowed: true; probe: boolean } | { allowed: false; retryInMs: number } {
    const state = this.state();
    if (state === 'closed') return { allowed: true, probe: false };
    if (state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return { allowed: true, probe: true };
    }
    const retryAt = (this.openedAt ?? 0) + this.options.halfOpenAfterMs;
    return { allowed: false, retryInMs: Math.max(0, retryAt - this.clock.now()) };
  }

  /** A request finished in a way that says the site is healthy (any answer that is not a 5xx). */
  recordSuccess(probe: boolean): void {
    if (probe) this.probeInFlight = false;
    const wasOpen = this.openedAt !== undefined;
    this.failures = 0;
    // Only the probe (or a straggler from before opening) can close it; both prove the site answers.
    if (wasOpen) {
      this.openedAt = undefined;
      this.onChange('closed');
    }
  }

  /** A request failed in a way that counts (network, timeout, 5xx). */
  recordFailure(probe: boolean): void {
    if (probe) this.probeInFlight = false;
    this.failures += 1;
    if (probe) {
      this.openedAt = this.clock.now();
      this.opens += 1;
      this.onChange('open');
      return;
    }
    if (this.openedAt === undefined && this.failures >= this.options.failureThreshold) {
      this.openedAt = this.clock.now();
      this.opens += 1;
      this.onChange('open');
    }
  }

  /**
   * A request that was never sent (a local failure before it, e.g. the file to upload is unreadable): says nothing
   * about the site. A probe gives its turn back and the state stays as it was (a half-open breaker stays half-open).
   */
  abandon(probe: boolean): void {
    if (probe) this.probeInFlight = false;
  }

  /** A request that neither proves nor disproves health (e.g. a 4xx) ends a probe without changing state. */
  recordNeutral(probe: boolean): void {
    if (probe) this.recordSuccess(true);
  }
}
