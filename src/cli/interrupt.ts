/**
 * Ctrl-C (SIGINT) or SIGTERM during a one-shot pull, push or sync: the run is cancelled through its signal (no
 * request, queued task or file write starts after it; src/core/run-signal.ts), unwinds, and the command exits 130
 * with the usual error line (README "Exit codes"). Every page the run finished is committed; the same command run
 * again finishes the rest. A second signal exits 130 at once.
 */
import { CsyncError } from '../core/errors.js';
import type { Logger } from '../obs/logger.js';
import { EXIT } from './exit-codes.js';

export async function cancelOnSignal<T>(logger: Logger, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      logger.warn({ module: 'cli', signal }, 'second signal: exiting at once');
      process.stderr.write(`csync: ${signal} again: exiting at once; run the same command again to finish\n`);
      process.exit(EXIT.INTERRUPTED);
    }
    logger.info({ module: 'cli', signal }, 'signal: cancelling the run');
    abort.abort(
      new CsyncError('CSYNC_INTERRUPTED', `interrupted (${signal}): the run was cancelled; what it finished is kept`, {
        hint: 'run the same command again: it finishes what this run started',
      }),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
