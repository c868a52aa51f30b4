/**
 * Tasks run side by side (p-queue) can fail several at once. The run stops with the first error, but none of the
 * others is dropped unseen: each is logged with what it was working on, and the error says how many more failed.
 */
import { CsyncError } from '../core/errors.js';
import { abortError, runSignal } from '../core/run-signal.js';
import type { Logger } from '../obs/logger.js';

export interface TaskFailure {
  /** What the task was working on (a workspace-relative path). */
  what: string;
  error: unknown;
}

export function throwFailures(failures: readonly TaskFailure[], log: Logger): void {
  // A cancelled run stops with the cancellation (each of its tasks stopped for it: that is not logged task by task),
  // also when no task noticed it (they had all finished).
  const signal = runSignal();
  if (signal?.aborted) {
    for (const f of failures) if ((f.error as { code?: string })?.code !== 'CSYNC_INTERRUPTED') logFailure(f, log);
    throw abortError(signal);
  }
  if (failures.length === 0) return;
  for (const f of failures) logFailure(f, log);
  const first = failures[0]!.error;
  if (failures.length === 1) throw first;
  const more = `${failures.length - 1} more task(s) failed too (${failures.slice(1, 4).map((f) => f.what).join(', ')}${failures.length > 4 ? ', …' : ''}; each is in the log)`;
  if (first instanceof CsyncError) throw new CsyncError(first.code, `${failures[0]!.what}: ${first.message}; ${more}`, { hint: first.hint, cause: first, details: first.details });
  throw new CsyncError('CSYNC_INTERNAL', `${failures[0]!.what}: ${(first as Error)?.message ?? String(first)}; ${more}`, { cause: first });
}

function logFailure(f: TaskFailure, log: Logger): void {
  const e = f.error as { code?: string; message?: string };
  log.error({ path: f.what, code: e?.code, err: e?.message ?? String(f.error) }, 'task failed');
}
