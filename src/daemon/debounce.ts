/**
 * Per-key debounce with a max-wait cap. A key becomes due `quietMs` after its last touch, but never later than
 * `maxWaitMs` after its first touch since it was last released, so a file saved continuously is still pushed.
 * Due keys are released in batches through `onDue`. One timer serves all keys (a git checkout can touch 10,000
 * files at once); it is set for the earliest deadline and rescheduled lazily when it fires.
 */
import { CsyncError } from '../core/errors.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';

export interface DebouncerOptions {
  /** Quiet time after the last touch (watch.debounceMs). */
  quietMs: number;
  /** Cap on the wait since the first touch; default 10 × quietMs. */
  maxWaitMs?: number | undefined;
  clock?: Clock | undefined;
}

export interface Touches {
  /** When the key was first touched since it was last released. */
  first: number;
  /** Its latest touch (save-to-remote latency is measured from here). */
  last: number;
}
type Entry = Touches;

export class Debouncer {
  readonly quietMs: number;
  readonly maxWaitMs: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;

  constructor(
    options: DebouncerOptions,
    private readonly onDue: (due: ReadonlyMap<string, Touches>) => void,
  ) {
    if (!Number.isFinite(options.quietMs) || options.quietMs < 0) {
      throw new CsyncError('CSYNC_INTERNAL', `Expected \`quietMs\` to be a finite number >= 0, got ${options.quietMs}`);
    }
    this.quietMs = options.quietMs;
    this.maxWaitMs = options.maxWaitMs ?? 10 * options.quietMs;
    if (!Number.isFinite(this.maxWaitMs) || this.maxWaitMs < this.quietMs) {
      throw new CsyncError('CSYNC_INTERNAL', `Expected \`maxWaitMs\` to be a finite number >= quietMs, got ${this.maxWaitMs}`);
    }
    this.clock = options.clock ?? realClock;
  }

  /** Number of keys waiting for quiet. */
  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  touch(key: string): void {
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (e) e.last = now;
    else this.entries.set(key, { first: now, last: now });
    this.schedule(this.deadline(this.entries.get(key)!));
  }

  /** Drops every pending key and the timer (graceful stop); returns the keys that never became due. */
  cancel(): string[] {
    const keys = this.keys();
    this.entries.clear();
    this.clearTimer();
    return keys;
  }

  private deadline(e: Entry): number {
    return Math.min(e.last + this.quietMs, e.first + this.maxWaitMs);
  }

  /** Only ever moves the timer earlier: a later deadline is found when the earlier timer fires. */
  private schedule(due: number): void {
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, due - this.clock.now()));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock.now();
    const due = new Map<string, Touches>();
    let next = Infinity;
    for (const [key, e] of this.entries) {
      const d = this.deadline(e);
      if (d <= now) due.set(key, { first: e.first, last: e.last });
      else next = Math.min(next, d);
    }
    for (const k of due.keys()) this.entries.delete(k);
    if (next !== Infinity) this.schedule(next);
    if (due.size > 0) this.onDue(due);
  }
}
