/**
 * One engine for every command: `pull`, `push`, `sync` and the daemon's passes all call runPass. It builds the
 * planners' options from the configuration in one place (so a daemon pass and a one-shot command cannot drift
 * apart), runs the pull then the push under one workspace lock and one AbortSignal, and classifies the result.
 * A dry run goes the same way: the same planners, nothing executed.
 */
import type { Config } from '../config/index.js';
import { getFormat } from '../format/index.js';
import { acquireWorkspaceLock } from '../local/lock.js';
import type { Logger } from '../obs/logger.js';
import type { PushOptions, PushSummary } from './push.js';
import type { ProgressEvent, PullOptions, PullSummary, SyncApi } from './types.js';

/** What a pass runs with: the caller's configuration, client and logger. */
export interface EngineEnv {
  config: Config;
  api: SyncApi;
  logger: Logger;
  progress?: ((e: ProgressEvent) => void) | undefined;
  /** Cancels the pass: a signal during the pull also keeps the push from starting. */
  signal?: AbortSignal | undefined;
  /** The caller holds the workspace lock already (the daemon, for its whole life). */
  lockHeld?: boolean | undefined;
}

/** Which sides a pass runs: 'sync' is a pull then a push. */
export type Sides = 'pull' | 'push' | 'sync';

/** What the command line (or the daemon) asks of one pass, beyond the configuration. */
export interface PassRequest {
  sides: Sides;
  spaces: readonly string[];
  /** Push only these workspace-relative files or folders (default: everything). */
  paths?: readonly string[] | undefined;
  /** Pull scope given on the command line; the configured scope otherwise. */
  rootPageId?: string | undefined;
  labels?: readonly string[] | undefined;
  cql?: string | undefined;
  force?: boolean | undefined;
  dryRun?: boolean | undefined;
  /** Never trash pages whose files were deleted (--no-delete). */
  noDelete?: boolean | undefined;
}

/** conflicts: exit 6; incomplete (something skipped on purpose): exit 10; ok: exit 0. */
export type Outcome = 'conflicts' | 'incomplete' | 'ok';

/** The summaries of the sides that ran (a push-only pass has no pull summary, and so on). */
export interface PassResult<S extends Sides = Sides> {
  pull: S extends 'push' ? undefined : PullSummary;
  push: S extends 'pull' ? undefined : PushSummary;
  outcome: Outcome;
}

export interface PassHooks {
  /** After the pull committed, before the push starts (the daemon notes what it saw; pull remembers its scope). */
  afterPull?: ((s: PullSummary) => void) | undefined;
}

function common(env: EngineEnv, req: PassRequest, lockHeld: boolean) {
  const { config } = env;
  return {
    workspace: config.workspace,
    api: env.api,
    spaces: req.spaces,
    formatFor: () => getFormat(config.format),
    maxDelete: { percent: config.sync.maxDeletePercent, count: config.sync.maxDeleteCount },
    force: Boolean(req.force),
    dryRun: Boolean(req.dryRun),
    concurrency: config.concurrency.pages,
    attachmentConcurrency: config.concurrency.attachments,
    pageSize: config.batch.pageSize,
    logger: env.logger,
    ...(env.progress ? { progress: env.progress } : {}),
    ...(lockHeld ? { lockHeld: true } : {}),
    ...(env.signal ? { signal: env.signal } : {}),
  };
}

export function pullOptionsOf(env: EngineEnv, req: PassRequest, lockHeld = Boolean(env.lockHeld)): PullOptions {
  const { scope } = env.config;
  return {
    ...common(env, req, lockHeld),
    rootPageId: req.rootPageId ?? scope.rootPageId,
    labels: req.labels?.length ? req.labels : scope.labels,
    cql: req.cql ?? scope.cql,
  };
}

export function pushOptionsOf(env: EngineEnv, req: PassRequest, lockHeld = Boolean(env.lockHeld)): PushOptions {
  const { scope, sync } = env.config;
  return {
    ...common(env, req, lockHeld),
    paths: req.paths,
    noDelete: Boolean(req.noDelete),
    versionMessage: sync.versionMessage,
    minorEdit: sync.minorEdit,
    maxPageBytes: sync.maxPageBytes,
    scoped: Boolean(scope.rootPageId || scope.labels.length || scope.cql),
  };
}

export function outcomeOf(...summaries: ReadonlyArray<{ conflicts: readonly unknown[]; skipped: readonly unknown[] } | undefined>): Outcome {
  if (summaries.some((s) => s?.conflicts.length)) return 'conflicts';
  if (summaries.some((s) => s?.skipped.length)) return 'incomplete';
  return 'ok';
}

/**
 * One pass. A pull or a push alone takes the lock itself (named after it); both sides take it once as 'sync', so no
 * other csync process can slip in between the pull and the push. A dry run takes no lock.
 */
export async function runPass<S extends Sides>(env: EngineEnv, req: PassRequest & { sides: S }, hooks: PassHooks = {}): Promise<PassResult<S>> {
  const both = req.sides === 'sync';
  const release = both && !req.dryRun && !env.lockHeld ? acquireWorkspaceLock(env.config.workspace, 'sync') : () => {};
  const lockHeld = both || Boolean(env.lockHeld);
  try {
    let pull: PullSummary | undefined;
    let push: PushSummary | undefined;
    if (req.sides !== 'push') {
      const { runPull } = await import('./pull.js');
      pull = await runPull(pullOptionsOf(env, req, lockHeld));
      hooks.afterPull?.(pull);
    }
    if (req.sides !== 'pull') {
      const { runPush } = await import('./push.js');
      push = await runPush(pushOptionsOf(env, req, lockHeld));
    }
    return { pull, push, outcome: outcomeOf(pull, push) } as PassResult<S>;
  } finally {
    release();
  }
}
