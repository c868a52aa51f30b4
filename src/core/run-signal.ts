/**
 * The cancellation signal of the run in progress (the daemon's AbortController per run, or none for one-shot
 * commands). runPull/runPush take `signal` explicitly and make it ambient for their whole call tree, so the layers
 * below (the HTTP transport, the local write primitives) stop without threading a parameter through every API.
 * After an abort: no request is sent, no queued task starts, no local file is written or moved.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { CsyncError } from './errors.js';

const current = new AsyncLocalStorage<AbortSignal | undefined>();

/** Runs `fn` with `signal` as the run's signal (undefined keeps the caller's, if any). */
export function withRunSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  if (!signal) return fn();
  // One listener per queued task and per request in flight: a run of hundreds of pages is not a leak.
  setMaxListeners(0, signal);
  return current.run(signal, fn);
}

/** The signal of the run this code is part of, if any. */
export function runSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** The error a cancelled run stops with (the signal's reason when it is a CsyncError). */
export function abortError(signal: AbortSignal): CsyncError {
  const r: unknown = signal.reason;
  return r instanceof CsyncError ? r : new CsyncError('CSYNC_INTERRUPTED', 'the run was cancelled');
}

/** Throws the run's abort error if it was cancelled: call before every write and request. */
export function throwIfRunAborted(signal: AbortSignal | undefined = runSignal()): void {
  if (signal?.aborted) throw abortError(signal);
}

/** `p`, or the abort error as soon as `signal` fires (for waits that hold nothing, such as a retry delay). */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
