/**
 * Planning a pull from the state database: the listing is in a temporary table (list.ts listRemoteInto), paths are
 * assigned and compared with the base in SQL, and only the pages that may need an action (new, gone, version, path
 * or labels changed) come to the planner, with their base records; only their files are observed. A page whose
 * version, path and labels are the base's is unchanged whatever its file holds (a local edit is push's), so
 * nothing else needs looking at. A no-op pull of a large space thus holds no per-page structure in memory.
 *
 * A first pull (no base record in the space: every page is new) plans nothing up front: its new pages come from the
 * listing table a batch at a time (newPagePlans), each batch planned, then written and committed by the caller
 * before the next is read, so its memory does not grow with the space either.
 *
 * For pulls without a scope filter (--root, --label, --cql) that change the state; dry runs and `status` plan in
 * memory (pull.ts planSpace), with the same planner.
 */
import { readdir } from 'node:fs/promises';
import PQueue from 'p-queue';
import { avoidOccupied, placementTargets, planPull, type KeptPage, type Plan, type PlanInput, type WaitingPage } from '../../core/plan.js';
import type { Format } from '../../format/types.js';
import { inside, statOrUndefined } from '../../local/files.js';
import { lstatIn } from '../../local/safe-fs.js';
import type { BasePageMeta, RemoteListingTable } from '../../state/index.js';
import { findLocalMoves } from '../push/observe.js';
import { observeAll, recoverMovedAside, type Skips } from '../scan.js';
import type { PullOptions } from '../types.js';
import type { RemoteEntry } from './list.js';

/**
 * A map holding some entries itself and reading the others from `load` (the state database) when asked. Deleted
 * keys stay deleted. Iteration yields the held entries only, or `all()`'s keys (less the deleted) when given.
 */
export class LoadingMap<V> extends Map<string, V> {
  private readonly gone = new Set<string>();
  constructor(
    entries: Iterable<readonly [string, V]>,
    private readonly load: (key: string) => V | undefined,
    private readonly all?: () => Iterable<string>,
  ) {
    super();
    for (const [k, v] of entries) super.set(k, v);
  }
  override get(key: string): V | undefined {
    if (super.has(key)) return super.get(key);
    return this.gone.has(key) ? undefined : this.load(key);
  }
  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  override set(key: string, value: V): this {
    this.gone.delete(key);
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.gone.add(key);
    return super.delete(key);
  }
  override keys(): MapIterator<string> {
    if (!this.all) return super.keys();
    const all = this.all;
    const gone = this.gone;
    return (function* () {
      for (const k of all()) if (!gone.has(k)) yield k;
    })() as MapIterator<string>;
  }
}

/**
 * The run's record of statuses it set (ExecContext.statusAfter) for pages with a base only: a page the run creates
 * has its status in the database right after its commit (the base map reads it from there), so a first pull does
 * not keep one entry per page of the space.
 */
export class HeldStatus<V> extends Map<string, V> {
  constructor(private readonly held: ReadonlyMap<string, unknown>) {
    super();
  }
  override set(key: string, value: V): this {
    return this.held.has(key) ? super.set(key, value) : this;
  }
}

/** New pages a first pull plans and writes at a time. */
export const NEW_PAGE_BATCH = 1000;

/** The batch size of a first pull: NEW_PAGE_BATCH, or (tests only) CSYNC_TEST_NEW_PAGE_BATCH. */
export function newPageBatch(): number {
  const n = Number(process.env.CSYNC_TEST_NEW_PAGE_BATCH);
  return Number.isInteger(n) && n > 0 ? n : NEW_PAGE_BATCH;
}

export interface SqlPlan {
  /** The plan; its `paths` hold only the pages kept off their assigned path (the listing table has the others). */
  plan: Plan;
  /** Pages synced in this space before the run. */
  baseCount: number;
  /** Pages the listing holds. */
  remoteCount: number;
  /** Remote records of planned pages with a base, and base records the planner saw (the rest are read from the database when asked). */
  remote: Map<string, RemoteEntry>;
  base: Map<string, BasePageMeta>;
  localPaths: Map<string, string>;
  kept: KeptPage[];
  /** Pages without a file here waiting for a path another page's file keeps: no path this run. */
  waiting: WaitingPage[];
  skips: Skips;
  /**
   * A first pull: `plan` is empty and the new pages (`newCount` of them) come from here, a batch at a time; the
   * caller executes each batch before asking for the next (a batch is read when the iteration resumes).
   */
  batches?: AsyncIterable<Plan>;
  newCount?: number;
}

export async function planFromStore(options: PullOptions, table: RemoteListingTable, spaceKey: string, format: Format): Promise<SqlPlan> {
  const { workspace } = options;
  table.assignPaths(spaceKey, format.extension);
  if (table.baseCount(spaceKey) === 0) {
    // A first pull: nothing to observe, move or delete (no base record; files left in cache/moving belong to none).
    // Whether untracked files can be in the way is decided now, before anything is written, as below.
    const remoteCount = table.count();
    const dirExists = Boolean(await statOrUndefined(inside(workspace, `content/${spaceKey}`)));
    return {
      plan: { actions: [], paths: new Map(), unchanged: 0 },
      baseCount: 0,
      remoteCount,
      remote: new Map(),
      base: new Map(),
      localPaths: new Map(),
      kept: [],
      waiting: [],
      skips: new Map(),
      batches: newPagePlans(workspace, table, spaceKey, format.extension, dirExists, newPageBatch()),
      newCount: remoteCount,
    };
  }
  const rows = table.changed(spaceKey);
  const remote: RemoteEntry[] = [];
  const paths = new Map<string, string>();
  const base: BasePageMeta[] = [];
  // Remote records of planned pages with a base stay for the run (a first pull's pages are all new: the executor
  // reads those from the table when it needs them).
  const held = new Map<string, RemoteEntry>();
  for (const { remote: r, base: b } of rows) {
    // The row's own record (its extra `path` is harmless): no second object per page.
    const entry: RemoteEntry = r;
    remote.push(entry);
    if (r.path !== undefined) paths.set(r.id, r.path);
    if (b) {
      base.push(b);
      held.set(b.id, entry);
    }
  }
  rows.length = 0;
  for (const b of table.gone(spaceKey)) base.push(b);
  const remoteCount = table.count();
  // Files a stopped pull left aside (cache/moving/<id><ext>) are looked at too, so they are put back.
  const observed = [...base];
  const seen = new Set(base.map((b) => b.id));
  for (const id of await movedAside(workspace, format.extension)) {
    const b = seen.has(id) ? undefined : table.base(id, spaceKey);
    if (b) observed.push(b);
  }
  const skips: Skips = new Map();
  const local = await observeAll(workspace, observed, 16, skips, true);
  await recoverMovedAside(workspace, observed, local, format.extension, true, skips);
  const localPaths = await findLocalMoves(workspace, spaceKey, format, base, local, (p) => table.tracked(p));
  const input: PlanInput = { spaceKey, ext: format.extension, base, local, remote, untracked: new Set<string>(), localPaths, paths };
  const planWith = (untracked: ReadonlySet<string>): Plan => {
    const plan = planPull({ ...input, untracked });
    // Pages the SQL comparison found unchanged never reached the planner.
    plan.unchanged += remoteCount - remote.length;
    return skips.size ? { ...plan, actions: plan.actions.filter((a) => !skips.has(a.id)) } : plan;
  };
  let plan = planWith(new Set());
  // New pages must never overwrite a file the user made: look for untracked files at their paths, then replan. (A
  // page's file there either leaves in this pull or keeps the new page waiting: avoidOccupied.)
  const moved = new Set(localPaths.values());
  const fresh = plan.actions.filter((a) => a.kind === 'download' && a.reason === 'new' && !table.tracked(a.path)).map((a) => a.path);
  const untracked = fresh.length && (await statOrUndefined(inside(workspace, `content/${spaceKey}`))) ? await existing(workspace, fresh) : [];
  if (untracked.length) plan = planWith(new Set(untracked));
  // Moves, renames and restores never write over a file no page tracks (a page the user just created, say), nor
  // onto a page's file that stays where it is.
  const targets = placementTargets(plan).filter((p) => !moved.has(p) && !table.tracked(p));
  const occupied = targets.length ? new Set(await existing(workspace, targets)) : new Set<string>();
  const avoided = avoidOccupied(plan, occupied);
  // The plan's path map keeps only the pages that stay off their path: the others' paths are in the listing table.
  return {
    plan: { ...avoided.plan, paths: new Map(avoided.kept.map((k) => [k.id, k.at])) },
    baseCount: table.baseCount(spaceKey),
    remoteCount,
    remote: held,
    base: new Map(base.map((b) => [b.id, localPaths.has(b.id) ? { ...b, path: localPaths.get(b.id)! } : b])),
    localPaths,
    kept: avoided.kept,
    waiting: avoided.waiting,
    skips,
  };
}


/**
 * A first pull's plans: `size` new pages at a time by keyset over the listing order, each planned by planPull as the
 * whole space would be (no base: a download, or an untracked-clash where a file is already at the page's path;
 * `dirExists` false: the space's folder was not there before the pull, so no file can be in the way). The next batch
 * is read only when the caller resumes the iteration, after it has written and committed this one.
 */
async function* newPagePlans(workspace: string, table: RemoteListingTable, spaceKey: string, ext: string, dirExists: boolean, size: number): AsyncGenerator<Plan> {
  for (let after = 0; ; ) {
    const rows = table.newPages(spaceKey, after, size);
    if (!rows.length) return;
    after = rows[rows.length - 1]!.seq;
    const remote: RemoteEntry[] = [];
    const paths = new Map<string, string>();
    for (const { remote: r } of rows) {
      remote.push(r);
      if (r.path !== undefined) paths.set(r.id, r.path);
    }
    const input: PlanInput = { spaceKey, ext, base: [], local: new Map(), remote, untracked: new Set<string>(), paths };
    let plan = planPull(input);
    const fresh = dirExists ? plan.actions.filter((a) => a.kind === 'download').map((a) => a.path) : [];
    const untracked = fresh.length ? await existing(workspace, fresh) : [];
    if (untracked.length) plan = planPull({ ...input, untracked: new Set(untracked) });
    yield plan;
    if (rows.length < size) return;
  }
}

/** Page ids whose file a stopped pull left in cache/moving. */
async function movedAside(workspace: string, ext: string): Promise<string[]> {
  try {
    const names = await readdir(inside(workspace, 'cache/moving'));
    return names.filter((n) => n.endsWith(ext)).map((n) => n.slice(0, n.length - ext.length));
  } catch {
    return [];
  }
}

/** The paths among `paths` that exist (a few stats at a time; none when the space has no folder yet). */
export async function existing(workspace: string, paths: readonly string[], concurrency = 16): Promise<string[]> {
  const out: string[] = [];
  const queue = new PQueue({ concurrency });
  await queue.addAll(
    paths.map((p) => async () => {
      if (await lstatIn(workspace, p)) out.push(p);
    }),
  );
  return out;
}
