/** The daemon loop's types: what it calls (callbacks), what it reports (events, status) and how it is tuned. */
import type { BackoffOptions } from '../core/backoff.js';
import type { Clock } from './clock.js';

/** What a run reports back. All optional: the loop needs none of it to work. */
export interface RunOutcome {
  /** Unresolved conflicts in the workspace after the run (a total, not a delta). */
  conflicts?: number | undefined;
  pagesPushed?: number | undefined;
  pagesPulled?: number | undefined;
  /**
   * For a push: the paths that actually changed a page. When given, save-to-remote latency is recorded for these
   * only, so no-op pushes (a pull's own file writes seen by the watcher, a save that changed nothing) do not count.
   */
  pushedPaths?: readonly string[] | undefined;
}

export interface LoopCallbacks {
  /** Push these workspace-relative paths (the engine rescans them; they may since have been deleted). */
  pushPaths(paths: string[], signal: AbortSignal): Promise<RunOutcome | void>;
  /** Look for remote changes and pull them. */
  pollRemote(signal: AbortSignal): Promise<RunOutcome | void>;
  /** Scan the whole local tree and push what changed (the watcher may have missed it). */
  rescanLocal?(signal: AbortSignal): Promise<RunOutcome | void>;
}

export type RunKind = 'push' | 'poll' | 'rescan';

export interface RunEvent {
  kind: RunKind;
  ok: boolean;
  durationMs: number;
  paths: number;
  outcome?: RunOutcome | undefined;
  error?: unknown;
  /** Consecutive failures after this run (0 after a success). */
  consecutiveFailures: number;
  /** Set after a failure: when the next attempt starts. */
  retryInMs?: number | undefined;
}

/** Optional observers (metrics, logs). A throwing observer never breaks the loop. */
export interface LoopEvents {
  onRun(event: RunEvent): void;
  /** ms from the last save of a path to the end of the push that carried it. */
  onSaveToRemote(ms: number): void;
  onQueueDepth(depth: number): void;
}

export interface LoopOptions {
  /** Quiet time after a save (watch.debounceMs). */
  debounceMs: number;
  /** Cap on waiting for quiet; default 10 × debounceMs. */
  maxWaitMs?: number | undefined;
  /** Remote polling interval (watch.pollSeconds). */
  pollSeconds: number;
  /** Poll jitter fraction; default 0.1 (±10%). */
  pollJitter?: number | undefined;
  /** Poll once at start; `ready` turns true after it succeeds. Default true. */
  initialPoll?: boolean | undefined;
  backoff?: BackoffOptions | undefined;
  /** Seconds between local rescans (watch.rescanSeconds); 0 or undefined: none (without `rescanLocal`, none either). */
  rescanSeconds?: number | undefined;
  /**
   * Bound on the whole stop; default 10,000 ms. The run in flight may finish until `abortGraceMs` before it; then
   * it is cancelled (its signal fires) and the stop waits the rest of the bound for it to unwind.
   */
  stopTimeoutMs?: number | undefined;
  /** Part of stopTimeoutMs kept for a cancelled run to unwind; default 2,000 ms. */
  abortGraceMs?: number | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
  events?: Partial<LoopEvents> | undefined;
}

export type LoopState = 'created' | 'running' | 'backoff' | 'stopping' | 'stopped';

export interface LoopStatus {
  state: LoopState;
  /** Started, and the initial poll has succeeded. */
  ready: boolean;
  running: RunKind | 'task' | null;
  /** Paths waiting: still debouncing, or due and waiting for the engine. */
  queueDepth: number;
  lastSuccessfulPull: string | null;
  lastSuccessfulPush: string | null;
  consecutiveFailures: number;
  lastError: { code: string; message: string; at: string } | null;
  conflicts: number;
  nextPollAt: string | null;
  nextRetryAt: string | null;
  nextRescanAt: string | null;
}

export interface StopResult {
  /** The run in flight (if any) finished within the bound. */
  drained: boolean;
  /** The run in flight was cancelled (it did not finish before the bound): it stopped, or `settled` is false. */
  aborted: boolean;
  /** No run is in flight any more: after a cancel, the run unwound within the bound. False only if it hung. */
  settled: boolean;
  /** Paths that were queued and not pushed (the next start pushes them). */
  abandonedPaths: string[];
}
