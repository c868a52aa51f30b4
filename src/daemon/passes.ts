/**
 * The daemon's passes, each one call of the engine's orchestrator (src/engine/run.ts) under the daemon's lock:
 * - the debounced push of the paths the watcher marked;
 * - the rescan: a push of everything (stat fast path) for saves the watcher missed;
 * - the poll: the change check, then a pull when something changed (or every FULL_PULL_EVERY-th poll); the first
 *   successful poll is the start-up pass, pull then push of everything, like `csync sync`.
 */
import { withRunSignal } from '../core/run-signal.js';
import type { LoopCallbacks, RunOutcome } from './loop.js';
import type { PushSummary } from '../engine/push.js';
import type { EngineEnv, PassHooks, PassRequest, PassResult, Sides } from '../engine/run.js';
import type { Logger } from '../obs/logger.js';
import type { ChangeCheck, DaemonEngine, LocalState } from './engine-state.js';
import type { ExportScheduler } from './exports.js';
import { FULL_PULL_EVERY, pagesPulled, pagesPushed, pushedPathsOf } from './watch-parts.js';

export interface PassDeps {
  engine: DaemonEngine;
  logger: Logger;
  check: ChangeCheck;
  state: LocalState;
  exports: ExportScheduler;
}

/** One pass with the daemon's current engine: never a dry run, never forced, the lock already held. */
async function pass<S extends Sides>(d: PassDeps, signal: AbortSignal, req: Omit<PassRequest, 'spaces'> & { sides: S }, hooks?: PassHooks): Promise<PassResult<S>> {
  const { runPass } = await import('../engine/run.js');
  const env: EngineEnv = { config: d.engine.config, api: d.engine.client, logger: d.logger, signal, lockHeld: true };
  return runPass(env, { ...req, spaces: d.engine.spaces }, hooks);
}

function pushed(d: PassDeps, s: PushSummary): Pick<RunOutcome, 'pagesPushed' | 'pushedPaths'> {
  d.check.remember(s);
  return { pagesPushed: pagesPushed(s), pushedPaths: pushedPathsOf(s) };
}

/** The debounced push of the marked paths; with no paths, the rescan of everything (a rescan that finds nothing sends no request). */
function pushPass(d: PassDeps, paths: readonly string[] | undefined, signal: AbortSignal): Promise<RunOutcome> {
  return withRunSignal(signal, async () => {
    const { push } = await pass(d, signal, { sides: 'push', paths });
    return { ...pushed(d, push), conflicts: d.state.afterRun() };
  });
}

/** The poll: a pull when the change check saw something new; the first one is the start-up pass (pull, then push everything). */
function pollPass(d: PassDeps, signal: AbortSignal, poll: { polls: number; fullPassDone: boolean; lastSeen: string | undefined }): Promise<RunOutcome> {
  return withRunSignal(signal, async (): Promise<RunOutcome> => {
    poll.polls += 1;
    // Taken before the pull: a change landing during the pull shows up as a new value next time.
    const seen = await d.check.latestChange();
    const due = !poll.fullPassDone || poll.polls % FULL_PULL_EVERY === 0 || seen === undefined || seen !== poll.lastSeen;
    d.exports.afterPoll();
    if (!due) {
      d.logger.debug({ module: 'daemon', latest: seen }, 'no remote change');
      return { pagesPulled: 0, conflicts: d.state.conflicts() };
    }
    // What changed while no daemon ran: one full pass, like `csync sync`.
    const sides = poll.fullPassDone ? 'pull' : 'sync';
    const r = await pass(d, signal, { sides }, {
      afterPull: (p) => {
        poll.lastSeen = seen;
        // Pages changed remotely: onChange exports compare their selection with their published bundle.
        if (pagesPulled(p) > 0) d.exports.remoteChanged();
      },
    });
    const out = r.push ? pushed(d, r.push) : { pagesPushed: 0, pushedPaths: [] };
    if (r.push) poll.fullPassDone = true;
    return { pagesPulled: pagesPulled(r.pull), ...out, conflicts: d.state.afterRun() };
  });
}

export function daemonPasses(d: PassDeps): Required<LoopCallbacks> {
  const poll = { polls: 0, fullPassDone: false, lastSeen: undefined as string | undefined };
  return {
    pushPaths: (paths, signal) => pushPass(d, paths, signal),
    rescanLocal: (signal) => pushPass(d, undefined, signal),
    pollRemote: (signal) => pollPass(d, signal, poll),
  };
}
