/**
 * The daemon loop: dirty paths → debounce → push, and remote polling, through two callbacks the engine supplies.
 * One engine run at a time (a push or a poll); changes that arrive meanwhile queue. A failed run (Confluence
 * unreachable, breaker open…) does not stop the daemon: it backs off exponentially, reports itself unhealthy and
 * resumes by itself. `stop()` takes no new work and waits for the run in flight up to a bound.
 *
 * Paths still queued at stop are not lost: the engine's scanner compares files with the synced base, so the next
 * start pushes them. The loop never reads files; it only decides when to call the engine.
 *
 * A watcher can miss events (inotify limits and overflows, a file changed while a push read it): every
 * `rescanSeconds`, and at once after a watcher error, a rescan run pushes whatever the engine's scan finds changed
 * (stat fast path), so a missed save waits at most one interval. Exclusive tasks (`csync resolve` sent to the daemon)
 * run between engine runs, never beside one.
 */
import { setMaxListeners } from 'node:events';
import { CsyncError, isCsyncError } from '../core/errors.js';
import { backoffDelayMs, DEFAULT_BACKOFF, jitteredMs, type BackoffOptions } from '../core/backoff.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { Debouncer, type Touches } from './debounce.js';
import type { LoopCallbacks, LoopEvents, LoopOptions, LoopState, LoopStatus, RunKind, RunOutcome, StopResult } from './loop-types.js';

export type { LoopCallbacks, LoopEvents, LoopOptions, LoopState, LoopStatus, RunEvent, RunKind, RunOutcome, StopResult } from './loop-types.js';

interface InFlight {
  kind: RunKind | 'task';
  done: Promise<void>;
  abort: AbortController;
}

interface Task {
  fn: (signal: AbortSignal) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class DaemonLoop {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly debouncer: Debouncer;
  private readonly opts: Required<Pick<LoopOptions, 'pollJitter' | 'initialPoll' | 'stopTimeoutMs' | 'abortGraceMs'>> & { backoff: BackoffOptions; pollMs: number; rescanMs: number };
  private readonly events: Partial<LoopEvents>;
  /** Paths due for push, with their last save time. */
  private readonly due = new Map<string, number>();
  private state: LoopState = 'created';
  private inFlight: InFlight | undefined;
  private lastKind: RunKind | undefined;
  private pollDue = false;
  private rescanDue = false;
  private rescanTimer: TimerHandle | undefined;
  private nextRescanAt: number | undefined;
  private readonly tasks: Task[] = [];
  private pollTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private nextPollAt: number | undefined;
  private nextRetryAt: number | undefined;
  private ready = false;
  private failures = 0;
  private lastError: LoopStatus['lastError'] = null;
  private lastPull: number | undefined;
  private lastPush: number | undefined;
  private conflicts = 0;

  constructor(
    private readonly callbacks: LoopCallbacks,
    options: LoopOptions,
  ) {
    if (!Number.isFinite(options.pollSeconds) || options.pollSeconds <= 0) {
      throw new CsyncError('CSYNC_INTERNAL', `Expected \`pollSeconds\` to be a finite number > 0, got ${options.pollSeconds}`);
    }
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.events = options.events ?? {};
    this.opts = Object.freeze({
      pollMs: options.pollSeconds * 1000,
      pollJitter: options.pollJitter ?? 0.1,
      initialPoll: options.initialPoll ?? true,
      stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
      abortGraceMs: Math.min(options.abortGraceMs ?? 2_000, options.stopTimeoutMs ?? 10_000),
      rescanMs: callbacks.rescanLocal && options.rescanSeconds && options.rescanSeconds > 0 ? options.rescanSeconds * 1000 : 0,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
    });
    this.debouncer = new Debouncer({ quietMs: options.debounceMs, maxWaitMs: options.maxWaitMs, clock: this.clock }, (due) => this.onDue(due));
  }

  start(): void {
    if (this.state !== 'created') return;
    this.state = 'running';
    if (this.opts.initialPoll) this.pollDue = true;
    else {
      this.ready = true;
      this.schedulePoll();
    }
    this.scheduleRescan();
    this.kick();
  }

  /** Ask for a local rescan now (after a watcher error); it runs when the engine is free. */
  rescanNow(): void {
    if (!this.opts.rescanMs || this.state === 'stopping' || this.state === 'stopped') return;
    this.clearRescanTimer();
    this.rescanDue = true;
    this.kick();
  }

  /**
   * Runs `fn` alone, between engine runs (never beside a push or poll), ahead of queued work and also while the loop
   * backs off. Rejects with CSYNC_INTERRUPTED once the loop is stopping.
   */
  exclusive<T>(fn: (signal: AbortSignal) => Promise<T>, cancel?: AbortSignal): Promise<T> {
    if (this.state === 'stopping' || this.state === 'stopped') return Promise.reject(stoppingError());
    return new Promise<T>((resolve, reject) => {
      const task: Task = { fn, resolve: resolve as (v: unknown) => void, reject };
      this.tasks.push(task);
      // Withdrawn while still waiting (the client gave up): it never runs.
      cancel?.addEventListener(
        'abort',
        () => {
          const i = this.tasks.indexOf(task);
          if (i >= 0) this.tasks.splice(i, 1)[0]!.reject(new CsyncError('CSYNC_INTERRUPTED', 'the request was withdrawn before it ran'));
        },
        { once: true },
      );
      this.kick();
    });
  }

  /** The watcher's sink: a path changed (workspace-relative). Ignored once stopping. */
  markDirty(relPath: string): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    // Already due: the next push reads the file as it is then, so another debounce round would only add a no-op push.
    if (!this.due.has(relPath)) this.debouncer.touch(relPath);
    this.emitQueueDepth();
  }

  /** Ask for a poll now (SIGHUP, tests); it runs when the engine is free. */
  pollNow(): void {
    if (this.state !== 'running' && this.state !== 'backoff') return;
    this.clearPollTimer();
    this.pollDue = true;
    this.kick();
  }

  status(): LoopStatus {
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    return {
      state: this.state,
      ready: this.ready && (this.state === 'running' || this.state === 'backoff'),
      running: this.inFlight?.kind ?? null,
      queueDepth: this.queueDepth(),
      lastSuccessfulPull: iso(this.lastPull),
      lastSuccessfulPush: iso(this.lastPush),
      consecutiveFailures: this.failures,
      lastError: this.lastError,
      conflicts: this.conflicts,
      nextPollAt: this.pollTimer === undefined ? null : iso(this.nextPollAt),
      nextRetryAt: this.retryTimer === undefined ? null : iso(this.nextRetryAt),
      nextRescanAt: this.rescanTimer === undefined ? null : iso(this.nextRescanAt),
    };
  }

  async stop(): Promise<StopResult> {
    if (this.state === 'stopped' || this.state === 'stopping') return { drained: true, aborted: false, settled: true, abandonedPaths: [] };
    this.state = 'stopping';
    this.clearPollTimer();
    this.clearRescanTimer();
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const t of this.tasks.splice(0)) t.reject(stoppingError());
    const abandoned = new Set([...this.debouncer.cancel(), ...this.due.keys()]);
    this.due.clear();
    let drained = true;
    let aborted = false;
    let settled = true;
    const flight = this.inFlight;
    if (flight) {
      const drainMs = this.opts.stopTimeoutMs - this.opts.abortGraceMs;
      if ((await this.within(flight.done, drainMs)) === 'timeout') {
        drained = false;
        aborted = true;
        // One signal stops the run's queue, its requests and its writes together (src/core/run-signal.ts); the
        // stop resolves (and the caller releases the lock) only once the run has unwound, or the bound is spent.
        flight.abort.abort(stoppingError());
        settled = (await this.within(flight.done, this.opts.abortGraceMs)) === 'done';
      }
    }
    this.state = 'stopped';
    this.emitQueueDepth();
    return { drained, aborted, settled, abandonedPaths: [...abandoned] };
  }

  private async within(p: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<'timeout'>((res) => {
      timer = this.clock.setTimeout(() => res('timeout'), Math.max(0, ms));
    });
    const winner = await Promise.race([p.then(() => 'done' as const), timedOut]);
    this.clock.clearTimeout(timer);
    return winner;
  }

  private queueDepth(): number {
    return this.debouncer.size + this.due.size;
  }

  private onDue(due: ReadonlyMap<string, Touches>): void {
    for (const [path, t] of due) this.due.set(path, Math.max(t.last, this.due.get(path) ?? 0));
    this.kick();
  }

  /** Starts the next run if the engine is free and not backing off. Pushes and polls alternate when both wait. */
  private kick(): void {
    if (this.inFlight) return;
    if (this.tasks.length && (this.state === 'running' || this.state === 'backoff')) {
      this.runTask(this.tasks.shift()!);
      return;
    }
    if (this.state !== 'running') return;
    const pushReady = this.due.size > 0;
    const localReady = pushReady || this.rescanDue;
    if (!localReady && !this.pollDue) return;
    // Local runs and polls alternate when both wait; a rescan pushes the due paths along with everything else.
    const kind: RunKind = this.pollDue && (!localReady || this.lastKind !== 'poll') ? 'poll' : this.rescanDue ? 'rescan' : 'push';
    this.run(kind);
  }

  private runTask(task: Task): void {
    const abort = new AbortController();
    const done = (async () => {
      try {
        task.resolve(await task.fn(abort.signal));
      } catch (err) {
        task.reject(err);
      } finally {
        this.inFlight = undefined;
        this.kick();
      }
    })();
    this.inFlight = { kind: 'task', done, abort };
  }

  private run(kind: RunKind): void {
    const abort = new AbortController();
    // One listener per queued task and per request in flight: a run of hundreds of pages is not a leak.
    setMaxListeners(0, abort.signal);
    const started = this.clock.now();
    const local = kind !== 'poll';
    const batch = local ? new Map(this.due) : new Map<string, number>();
    if (local) this.due.clear();
    if (kind === 'poll') {
      this.pollDue = false;
      this.clearPollTimer();
    }
    if (kind === 'rescan') {
      this.rescanDue = false;
      this.clearRescanTimer();
    }
    this.lastKind = kind;
    const call = async (): Promise<RunOutcome | void> => {
      if (kind === 'push') return this.callbacks.pushPaths([...batch.keys()], abort.signal);
      if (kind === 'rescan') return this.callbacks.rescanLocal!(abort.signal);
      return this.callbacks.pollRemote(abort.signal);
    };
    const done = (async () => {
      try {
        const outcome = await call();
        this.succeeded(kind, started, batch, outcome ?? undefined);
      } catch (err) {
        this.failed(kind, started, batch, err);
      } finally {
        this.inFlight = undefined;
        this.emitQueueDepth();
        this.kick();
      }
    })();
    this.inFlight = { kind, done, abort };
  }

  private succeeded(kind: RunKind, started: number, batch: Map<string, number>, outcome: RunOutcome | undefined): void {
    const now = this.clock.now();
    this.failures = 0;
    if (typeof outcome?.conflicts === 'number') this.conflicts = outcome.conflicts;
    if (kind === 'poll') {
      this.lastPull = now;
      this.ready = true;
      if (this.state === 'running') this.schedulePoll();
    } else {
      if (kind === 'rescan' && this.state === 'running') this.scheduleRescan();
      this.lastPush = now;
      const pushed = outcome?.pushedPaths ? new Set(outcome.pushedPaths) : undefined;
      for (const [path, lastSave] of batch) {
        if (!pushed || pushed.has(path)) this.emit(() => this.events.onSaveToRemote?.(now - lastSave));
      }
    }
    this.emit(() => this.events.onRun?.({ kind, ok: true, durationMs: now - started, paths: batch.size, outcome, consecutiveFailures: 0 }));
  }

  private failed(kind: RunKind, started: number, batch: Map<string, number>, err: unknown): void {
    const now = this.clock.now();
    this.failures += 1;
    this.lastError = {
      code: isCsyncError(err) ? err.code : 'CSYNC_INTERNAL',
      message: err instanceof Error ? err.message : String(err),
      at: new Date(now).toISOString(),
    };
    // The work is not dropped: the paths go back in the queue and the poll stays due, for the retry.
    for (const [path, lastSave] of batch) if (!this.due.has(path)) this.due.set(path, lastSave);
    if (kind === 'poll') this.pollDue = true;
    if (kind === 'rescan') this.rescanDue = true;
    let retryInMs: number | undefined;
    if (this.state === 'running') {
      retryInMs = backoffDelayMs(this.failures, this.opts.backoff, this.random);
      this.state = 'backoff';
      this.nextRetryAt = now + retryInMs;
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        if (this.state !== 'backoff') return;
        this.state = 'running';
        this.kick();
      }, retryInMs);
    }
    this.emit(() =>
      this.events.onRun?.({ kind, ok: false, durationMs: now - started, paths: batch.size, error: err, consecutiveFailures: this.failures, retryInMs }),
    );
  }

  private schedulePoll(): void {
    this.clearPollTimer();
    const ms = jitteredMs(this.opts.pollMs, this.opts.pollJitter, this.random);
    this.nextPollAt = this.clock.now() + ms;
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = undefined;
      this.pollDue = true;
      this.kick();
    }, ms);
  }

  private scheduleRescan(): void {
    if (!this.opts.rescanMs || this.rescanDue) return;
    this.clearRescanTimer();
    const ms = jitteredMs(this.opts.rescanMs, this.opts.pollJitter, this.random);
    this.nextRescanAt = this.clock.now() + ms;
    this.rescanTimer = this.clock.setTimeout(() => {
      this.rescanTimer = undefined;
      this.rescanDue = true;
      this.kick();
    }, ms);
  }

  private clearRescanTimer(): void {
    if (this.rescanTimer !== undefined) this.clock.clearTimeout(this.rescanTimer);
    this.rescanTimer = undefined;
  }

  private clearPollTimer(): void {
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private emitQueueDepth(): void {
    this.emit(() => this.events.onQueueDepth?.(this.queueDepth()));
  }

  private emit(fn: () => void): void {
    try {
      fn();
    } catch {
      // deliberately ignored: observers are best effort and must never stop the daemon
    }
  }
}

function stoppingError(): CsyncError {
  return new CsyncError('CSYNC_INTERRUPTED', 'the daemon is stopping');
}
