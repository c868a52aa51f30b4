/**
 * What /healthz reports, decided purely from the loop's status and the client's breaker state. Healthy means the
 * daemon is doing its job right now: started, its first poll done, the last run succeeded and the breaker is not
 * open. Conflicts are reported but do not make it unhealthy: they wait for the user, not for an operator.
 */
import type { BreakerStateName } from '../obs/metrics.js';
import type { LoopStatus } from './loop.js';

export interface HealthInput {
  loop: LoopStatus;
  breaker?: BreakerStateName | undefined;
  /** The file watcher: false until its initial scan is done; an error (e.g. inotify limit) makes the daemon unhealthy. */
  watcher?: { ready: boolean; error?: string | undefined } | undefined;
  /** Where the rate budget is kept: local, redis (shared), or fallback (Redis unreachable: pacing alone). */
  rateLimiter?: string | undefined;
}

export interface HealthReport {
  healthy: boolean;
  /** Why it is unhealthy, one short phrase each (empty when healthy). */
  reasons: string[];
  ready: boolean;
  state: LoopStatus['state'];
  running: LoopStatus['running'];
  lastSuccessfulPull: string | null;
  lastSuccessfulPush: string | null;
  queueDepth: number;
  consecutiveFailures: number;
  lastError: LoopStatus['lastError'];
  breaker: BreakerStateName | 'unknown';
  conflicts: number;
  nextPollAt: string | null;
  nextRetryAt: string | null;
  watcher: { ready: boolean; error: string | null } | null;
  /** Reported, not a reason to be unhealthy: in fallback the daemon still syncs, at a conservative share. */
  rateLimiter: { store: string } | null;
}

export function healthReport(input: HealthInput): HealthReport {
  const { loop } = input;
  const reasons: string[] = [];
  if (loop.state === 'stopping' || loop.state === 'stopped') reasons.push('stopping');
  else if (!loop.ready) reasons.push(loop.consecutiveFailures > 0 ? 'initial poll failed' : 'starting');
  if (loop.consecutiveFailures > 0) reasons.push(`${loop.consecutiveFailures} consecutive failed run(s): ${loop.lastError?.code ?? 'error'}`);
  if (input.breaker === 'open') reasons.push('circuit breaker open');
  if (input.watcher?.error) reasons.push(`file watcher: ${input.watcher.error}`);
  else if (input.watcher && !input.watcher.ready) reasons.push('file watcher starting');
  return {
    healthy: reasons.length === 0,
    reasons,
    ready: loop.ready,
    state: loop.state,
    running: loop.running,
    lastSuccessfulPull: loop.lastSuccessfulPull,
    lastSuccessfulPush: loop.lastSuccessfulPush,
    queueDepth: loop.queueDepth,
    consecutiveFailures: loop.consecutiveFailures,
    lastError: loop.lastError,
    breaker: input.breaker ?? 'unknown',
    conflicts: loop.conflicts,
    nextPollAt: loop.nextPollAt,
    nextRetryAt: loop.nextRetryAt,
    watcher: input.watcher ? { ready: input.watcher.ready, error: input.watcher.error ?? null } : null,
    rateLimiter: input.rateLimiter ? { store: input.rateLimiter } : null,
  };
}
