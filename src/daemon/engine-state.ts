/**
 * What the daemon's passes share (src/cli/commands/watch.ts composes them): the engine it runs with (replaced on
 * SIGHUP; a run in flight keeps the client it started with), the remote change check with the daemon's own writes,
 * and the local state read between runs (conflicts, tracked paths).
 */
import type { Config } from '../config/index.js';
import type { PushSummary } from '../engine/push.js';
import { shellQuote } from '../engine/summary.js';
import type { Logger } from '../obs/logger.js';
import type { Metrics } from '../obs/metrics.js';
import type { createConfluenceClient } from '../remote/index.js';
import { latestChangeCql, latestForeignChange, OWN_WRITES_MAX, readState } from './watch-parts.js';

export type Client = ReturnType<typeof createConfluenceClient>;

/** The configuration, client and spaces the next run uses. */
export interface DaemonEngine {
  config: Config;
  client: Client;
  spaces: string[];
}

export interface ChangeCheck {
  /** Notes the page versions a push created, so the next check skips them. */
  remember(s: PushSummary): void;
  /**
   * One request: the most recent change in the watched spaces that this daemon did not make (our own pushes are
   * skipped, so an idle daemon does not pull its own saves back). Undefined when it cannot tell or CQL is refused.
   */
  latestChange(): Promise<string | undefined>;
}

export function createChangeCheck(engine: DaemonEngine, logger: Logger): ChangeCheck {
  let cqlRefused = false;
  /** Page versions the daemon's own pushes created (id → version), newest last, at most OWN_WRITES_MAX. */
  const ownWrites = new Map<string, number>();
  return {
    remember(s) {
      for (const w of s.written) {
        ownWrites.delete(w.id);
        ownWrites.set(w.id, w.version);
      }
      for (const id of ownWrites.keys()) {
        if (ownWrites.size <= OWN_WRITES_MAX) break;
        ownWrites.delete(id);
      }
    },
    async latestChange() {
      if (cqlRefused) return undefined;
      try {
        const limit = ownWrites.size + 1;
        const results = [];
        for await (const r of engine.client.searchCql(latestChangeCql(engine.spaces), { limit })) {
          results.push(r);
          if (results.length >= limit) break;
        }
        return latestForeignChange(results, ownWrites, limit);
      } catch (err) {
        if ((err as { code?: string }).code !== 'CSYNC_BAD_REQUEST') throw err; // network, auth…: the poll fails and backs off
        cqlRefused = true;
        logger.warn({ module: 'daemon', err }, 'the change check (CQL) was refused: every poll is a pull from now on');
        return undefined;
      }
    },
  };
}

export interface LocalState {
  /** Re-reads cache/state.db after a run: new conflicts are counted, logged, printed. Returns the total for /healthz. */
  afterRun(): number;
  conflicts(): number;
  isTracked(path: string): boolean;
}

export function createLocalState(engine: DaemonEngine, metrics: Metrics, logger: Logger, print: ((line: string) => void) | undefined): LocalState {
  const workspace = engine.config.workspace;
  const initial = readState(workspace, engine.spaces);
  let knownConflicts = initial.conflicts;
  let tracked = initial.tracked;
  return {
    afterRun() {
      const read = readState(workspace, engine.spaces);
      const now = read.conflicts;
      tracked = read.tracked;
      const fresh = [...now].filter(([k]) => !knownConflicts.has(k));
      knownConflicts = now;
      if (fresh.length) {
        metrics.addConflicts(fresh.length);
        for (const [, c] of fresh) {
          logger.warn({ module: 'daemon', path: c.path, copy: c.copyPath }, 'conflict: your file is kept; resolve with csync resolve');
          print?.(`CONFLICT ${c.path}: your file is kept${c.copyPath ? `, the remote version is in ${c.copyPath}` : ''} (csync resolve ${shellQuote(c.path)} --keep local|remote|merged)`);
        }
      }
      return now.size;
    },
    conflicts: () => knownConflicts.size,
    isTracked: (p) => tracked.has(p),
  };
}
