/**
 * The job's state machine (pure). pending → running → completed | failed | cancelled; a failed or interrupted job may
 * run again (resume); completed and cancelled are final.
 */
import type { JobState } from './types.js';

const NEXT: Record<JobState, readonly JobState[]> = {
  pending: ['running', 'cancelled', 'failed'],
  running: ['running', 'completed', 'failed', 'cancelled'],
  failed: ['running', 'cancelled'],
  completed: [],
  cancelled: [],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return NEXT[from].includes(to);
}

export function isFinal(state: JobState): boolean {
  return NEXT[state].length === 0;
}

/** Whether `resume` may pick the job up: failed, or running/pending under a process that is gone. */
export function isResumable(state: JobState, ownerAlive: boolean): boolean {
  if (state === 'failed') return true;
  return (state === 'running' || state === 'pending') && !ownerAlive;
}

/** Seconds left, from the rate so far; undefined until something is done. */
export function etaSeconds(done: number, total: number, elapsedMs: number): number | undefined {
  if (done <= 0 || total <= done) return total <= done ? 0 : undefined;
  return Math.round(((total - done) * elapsedMs) / done / 1000);
}
