/**
 * The job runner: select → fetch → attachments → render → bundle → verify, checkpointed per item in the job store.
 * The CLI (and later the daemon's schedule and job API) call startJob/runJob; a resumed job starts from its
 * checkpoints: the selection is not listed again, cached bodies are not fetched again, finished files stay.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CsyncError } from '../core/errors.js';
import type { ConfluenceClient } from '../remote/index.js';
import type { JiraClient } from '../remote/jira/index.js';
import { fetchLinked, jiraMacroKeys, requireJira, selectJira } from './jira.js';
import { placeJiraAttachments } from './jira-attachments.js';
import { listAttachments, placeAttachments } from './attachments.js';
import { ExportCache } from './cache.js';
import { checkTarget, finishBundle, manifestBase, publishBundle, stageDirFor, writeManifest } from './bundle.js';
import { removeStaleTemps } from './file-stream.js';
import type { JobStore } from './job-store.js';
import { BundleLinks, mdFileOf } from './links.js';
import { renderWhole } from './render-all.js';
import type { RenderContext } from './render-context.js';
import { renderPageMarkdown } from './render-text.js';
import { selectConfluence, type SelectOptions } from './select.js';
import type { ExportItem, ExportSpec, JobProgress, JobRecord } from './types.js';
import { verifyBundle, type VerifyReport } from './verify.js';

/** Bulk size: the API's maximum page size. */
const BULK = 250;

export interface RunnerDeps {
  api: ConfluenceClient;
  /** Jira, for specs that select issues (or issues linked from pages). */
  jira?: JiraClient | undefined;
  store: JobStore;
  cache: ExportCache;
  /** The workspace's cache/export folder (job checkpoints live in jobs/<id>/). */
  cacheRoot: string;
  siteUrl: string;
  progress?: ((e: { phase: string; done: number; total?: number }) => void) | undefined;
  warn?: ((message: string) => void) | undefined;
  /** Space ids the workspace already knows (its sync state), so a listing needs no lookup of the space by key. */
  knownSpaceId?: ((key: string) => string | undefined) | undefined;
  /** Told the new job's id as soon as it is recorded (before any request): the daemon's job API answers with it. */
  onJob?: ((jobId: string) => void) | undefined;
}

export interface JobResult {
  job: JobRecord;
  target: string;
  items: number;
  failed: ExportItem[];
  requests: number;
  verify: VerifyReport;
}

export function newJobId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

/** The site as recorded in jobs and manifests: no user info, no query. */
export function publicSite(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '';
  }
}

export async function startJob(deps: RunnerDeps, spec: ExportSpec): Promise<JobResult> {
  checkTarget(spec);
  const job = deps.store.create(newJobId(), spec, publicSite(deps.siteUrl));
  deps.onJob?.(job.id);
  return runJob(deps, job.id);
}

class Cancelled extends CsyncError {
  constructor(id: string) {
    super('CSYNC_INTERRUPTED', `export job ${id} was cancelled`, { hint: 'its partial bundle was removed; start a new export' });
  }
}

export async function runJob(deps: RunnerDeps, jobId: string): Promise<JobResult> {
  // Peak memory: the CLI (and so the daemon) runs with a lean old generation (src/core/heap.ts), so a 10,000-page
  // export's garbage, one page at a time, is collected long before it piles up (BENCHMARKS.md "export-10k").
  return runJobOnce(deps, jobId);
}

async function runJobOnce(deps: RunnerDeps, jobId: string): Promise<JobResult> {
  const { store, api, cache } = deps;
  let job = store.transition(jobId, 'running', { pid: process.pid, error: null });
  const spec = job.spec;
  // A run that finds the selection unfinished after an earlier one (killed while listing) lists without bodies: the
  // bodies that listing brought are cached, and only the others are fetched, by id. Nothing is fetched twice.
  const listBodies = job.progress.step === 'pending' ? { cache, useCache: spec.useCache } : undefined;
  const target = (spec.out ?? spec.zip)!;
  const stage = stageDirFor(target, jobId);
  const jobDir = join(deps.cacheRoot, 'jobs', jobId);
  const sent = () => api.stats().requests + (deps.jira?.stats().requests ?? 0);
  const startRequests = sent();
  const progress: JobProgress = { ...job.progress };
  const save = (step: string) => {
    progress.step = step;
    progress.requests = job.progress.requests + sent() - startRequests;
    store.setProgress(jobId, progress);
  };
  const checkCancel = () => {
    if (store.state(jobId) === 'cancelled') throw new Cancelled(jobId);
  };
  const site = publicSite(deps.siteUrl);
  const selectOptions: SelectOptions = {
    spaceIds: { known: (key) => store.spaceId(site, key) ?? deps.knownSpaceId?.(key), remember: (key, id) => store.rememberSpace(site, key, id) },
    labels: spec.formats.includes('json'),
  };
  try {
    // A run killed mid-write left its temporary files in the stage: not part of the bundle.
    if (existsSync(stage)) removeStaleTemps(stage);
    mkdirSync(stage, { recursive: true });
    // 1. select (once per job: the checkpoint every later run starts from)
    if (!store.hasItems(jobId)) {
      save('select');
      deps.progress?.({ phase: 'select', done: 0 });
      let items: ExportItem[] = [];
      const issueKeys = new Set<string>();
      for (const sel of spec.selection) {
        if (sel.source === 'confluence') items = items.concat(await selectConfluence(api, sel, deps.siteUrl, items.length, listBodies, selectOptions));
        // Issues come with their bodies (search pages of 100): cached here, so the fetch step finds them.
        else items = items.concat(await selectJira(requireJira(deps.jira), cache, spec.useCache, sel, issueKeys, items.length));
      }
      store.putItems(jobId, items);
    }
    progress.items = store.countItems(jobId);
    checkCancel();

    // 2. fetch bodies not in the cache, 250 per request (most came with the listing: select.ts). Bodies are not kept
    // in memory: renderers read them back from the cache one at a time, so memory does not grow with the export.
    // A function of its own: its lists (a second set of item objects) are garbage as soon as it returns.
    const fetchBodies = async () => {
      const bodies = new Set<string>();
      const want = store.items(jobId).filter((i) => i.status !== 'failed');
      let missing: ExportItem[] = [];
      for (const it of want) {
        const hit = spec.useCache || it.status !== 'pending' ? cache.getBody(it.id, it.version) : undefined;
        if (hit) bodies.add(it.id);
        else missing.push(it);
      }
      store.setItemStatus(jobId, want.filter((i) => i.status === 'pending' && bodies.has(i.id)).map((i) => i.id), 'fetched');
      // Issues whose cache entry went away since the selection (a resumed job): searched again by key.
      const lostIssues = missing.filter((i) => i.kind === 'jira-issue');
      missing = missing.filter((i) => i.kind !== 'jira-issue');
      if (lostIssues.length) {
        checkCancel();
        const again = await fetchLinked(requireJira(deps.jira), cache, false, lostIssues.map((i) => i.id), new Set(), 0, (m) => deps.warn?.(m));
        const byKey = new Map(again.map((i) => [i.id, i]));
        for (const it of lostIssues) {
          const fresh = byKey.get(it.id);
          if (fresh) {
            store.putItems(jobId, [{ ...fresh, order: it.order }]);
            bodies.add(it.id);
          } else store.setItemStatus(jobId, [it.id], 'failed', 'CSYNC_NOT_FOUND: the issue was deleted or became unreadable during the export');
        }
      }
      for (let i = 0; i < missing.length; i += BULK) {
        checkCancel();
        const group = missing.slice(i, i + BULK);
        const got = new Set<string>();
        for await (const p of api.getPagesByIds(group.map((g) => g.id), { bodies: true })) {
          const it = group.find((g) => g.id === p.id);
          if (!it || p.body === undefined) continue;
          // A page edited since the selection is exported as it is now; the cache keeps both versions.
          const entry = { id: p.id, version: p.version.number, title: p.title, body: p.body };
          cache.putBody(entry);
          if (entry.version !== it.version) store.putItems(jobId, [{ ...it, version: entry.version, status: 'fetched' }]);
          bodies.add(p.id);
          got.add(p.id);
        }
        store.setItemStatus(jobId, [...got], 'fetched');
        const gone = group.filter((g) => !got.has(g.id)).map((g) => g.id);
        if (gone.length) store.setItemStatus(jobId, gone, 'failed', 'CSYNC_NOT_FOUND: the page was deleted or became unreadable during the export');
        progress.done = bodies.size;
        save('fetch');
        deps.progress?.({ phase: 'fetch', done: bodies.size, total: want.length });
      }
    };
    await fetchBodies();
    let items = store.items(jobId);

    // 2b. issues that Jira macros on the exported pages point at (found in the cached bodies; idempotent, so a
    // resumed job only searches for what it does not hold yet)
    if (spec.selection.some((s) => s.source === 'jira' && s.linked)) {
      checkCancel();
      save('linked-issues');
      const have = new Set(items.filter((i) => i.kind === 'jira-issue').map((i) => i.id));
      const keys: string[] = [];
      for (const it of items) {
        if (it.kind !== 'page' || it.status === 'failed') continue;
        const b = cache.getBody(it.id, it.version);
        for (const k of b ? jiraMacroKeys(b.body) : []) if (!have.has(k) && !keys.includes(k)) keys.push(k);
      }
      if (keys.length) {
        const next = Math.max(-1, ...items.map((i) => i.order)) + 1;
        const linked = await fetchLinked(requireJira(deps.jira), cache, spec.useCache, keys, have, next, (m) => deps.warn?.(m));
        store.putItems(jobId, linked);
        items = store.items(jobId);
      }
    }
    const ok = items.filter((i) => i.status !== 'failed');
    progress.items = items.length;

    // 3. attachments
    let attachments = new Map<string, Map<string, string>>();
    if (spec.attachments && ok.some((i) => i.kind === 'page')) {
      checkCancel();
      save('attachments');
      const list = await listAttachments(api, ok.filter((i) => i.kind === 'page'), join(jobDir, 'attachments.json'));
      attachments = await placeAttachments(api, cache, list, stage, (a, err) => deps.warn?.(`attachment ${a.title} of page ${a.pageId} skipped: ${(err as Error).message}`));
    }

    // 3b. Jira issues' attachments (jira/<KEY>/attachments/), downloaded once per attachment id
    if (spec.attachments && deps.jira && ok.some((i) => i.kind === 'jira-issue')) {
      checkCancel();
      save('jira-attachments');
      await placeJiraAttachments(deps.jira, cache, ok, stage, (key, a, err) => deps.warn?.(`attachment ${a.filename} of Jira issue ${key} skipped: ${(err as Error).message}`));
    }

    // 4. render: one file per page (checkpointed), then the whole-bundle outputs from the cache
    const ctx: RenderContext = {
      jiraBrowse: deps.jira ? (key) => deps.jira!.browseUrl(key) : undefined,
      mentions: ok.some((i) => i.kind === 'jira-issue') ? mentionsOf(ok, cache) : undefined,
      stage,
      spec,
      items: ok,
      links: new BundleLinks(ok),
      body: (it) => {
        const hit = cache.getBody(it.id, it.version);
        if (!hit) throw new CsyncError('CSYNC_IO', `the cached body of page ${it.id} v${it.version} is missing or unreadable`, { hint: `check ${deps.cacheRoot}, then \`csync export resume ${jobId}\`` });
        return hit;
      },
      attachments: (pageId) => attachments.get(pageId) ?? new Map(),
    };
    const perPage = spec.formats.includes('md') && !spec.singleFile;
    let done = ok.filter((i) => i.status === 'done').length;
    let finished: string[] = [];
    const flush = () => {
      store.setItemStatus(jobId, finished, 'done');
      finished = [];
      progress.done = done;
      save('render');
      deps.progress?.({ phase: 'render', done, total: ok.length });
    };
    for (const it of ok) {
      if (it.status === 'done' && (!perPage || existsSync(join(stage, ...mdFileOf(it).split('/'))))) continue;
      if (perPage) progress.bytes += renderPageMarkdown(ctx, it);
      it.status = 'done';
      finished.push(it.id);
      done++;
      // Checkpoints in groups: a crash re-renders at most one group, from the cache.
      if (finished.length >= 100) {
        flush();
        checkCancel();
      }
    }
    flush();
    checkCancel();
    save('render-bundle');
    progress.bytes += await renderWhole(ctx, (m) => deps.warn?.(m));

    // 5. bundle
    save('bundle');
    // The items as rendered (statuses set above and in the store): no second copy is read for the manifest.
    await writeManifest(stage, manifestBase(jobId, publicSite(deps.siteUrl), spec, new Date()), items, (it) => (perPage ? mdFileOf(it) : undefined));
    checkCancel();
    await finishBundle(stage, spec, jobId);

    // 6. verify what was written
    save('verify');
    const verify = await verifyBundle(target);
    if (!verify.ok) throw new CsyncError('CSYNC_INTEGRITY', `the bundle just written does not verify: ${verify.problems[0]}`);
    // Verified aside, now renamed over the published one (named definitions, the daemon).
    const published = spec.publishTo ? publishBundle(target, spec.publishTo) : target;
    const failed = items.filter((i) => i.status === 'failed');
    progress.failed = failed.length;
    save('completed');
    job = store.transition(jobId, 'completed', { pid: null, error: failed.length ? `${failed.length} item(s) failed` : null });
    rmSync(jobDir, { recursive: true, force: true });
    return { job, target: published, items: items.length, failed, requests: progress.requests, verify };
  } catch (err) {
    save(progress.step);
    if (err instanceof Cancelled) {
      rmSync(stage, { recursive: true, force: true });
      rmSync(jobDir, { recursive: true, force: true });
    } else if (store.state(jobId) === 'running') {
      store.transition(jobId, 'failed', { pid: null, error: err instanceof CsyncError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err) });
    }
    throw err;
  }
}

export function cacheFor(cacheRoot: string): ExportCache {
  return new ExportCache(cacheRoot);
}

/** Issue key → the exported pages whose Jira macros point at it (read from the cached bodies). */
function mentionsOf(items: readonly ExportItem[], cache: ExportCache): Map<string, ExportItem[]> {
  const issues = new Set(items.filter((i) => i.kind === 'jira-issue').map((i) => i.id));
  const out = new Map<string, ExportItem[]>();
  for (const it of items) {
    if (it.kind !== 'page') continue;
    const body = cache.getBody(it.id, it.version);
    for (const key of body ? jiraMacroKeys(body.body) : []) {
      if (!issues.has(key)) continue;
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(it);
    }
  }
  return out;
}
