/**
 * The daemon keeps named exports fresh (config `exports`):
 * - `every`: the definition runs on a timer (the next run is one period after the previous one ended);
 * - `onChange`: after a poll pulled remote changes (and once at start), the definition's selection is listed and
 *   compared, page by page (id + version), with the items of its published bundle; only a difference runs it, so an
 *   edit elsewhere in the space costs one listing and no rendering;
 * - the job API (exports-http.ts) starts one on request.
 * One export at a time per definition: a trigger that arrives while it runs is remembered and handled once it ends.
 * Every run is a job like `csync export NAME` (same job store): written and verified aside, then renamed over the
 * published bundle (spec.publishTo), so a reader never sees half a bundle.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportDefinition } from '../config/export-definitions.js';
import { CsyncError, isCsyncError } from '../core/errors.js';
import { MANIFEST, type Manifest } from '../export/bundle.js';
import { definitionTarget, findDefinition, periodOf, specFromDefinition } from '../export/definitions.js';
import type { JobStore } from '../export/job-store.js';
import { publicSite, startJob, type RunnerDeps } from '../export/runner.js';
import { selectConfluence } from '../export/select.js';
import type { JobRecord } from '../export/types.js';
import { readZip } from '../export/zip-read.js';
import type { Logger } from '../obs/logger.js';

export interface ExportSchedulerOptions {
  workspace: string;
  /** The current definitions and workspace spaces (a SIGHUP reload changes them; call reschedule()). */
  definitions(): readonly ExportDefinition[];
  spaces(): readonly string[];
  /** The PDF's CJK font (config export.pdf.font, checked: throws when it is wrong), asked only for definitions with pdf. */
  pdfFont?: (() => string | undefined) | undefined;
  /** The runner's parts; `api` is the daemon's client (one rate limiter with the sync). */
  deps(): Omit<RunnerDeps, 'progress' | 'warn' | 'onJob'>;
  store: JobStore;
  /** Days an ended job is kept (config export.keepJobsDays): older ones are forgotten as each run starts. */
  keepJobsDays?: (() => number) | undefined;
  logger?: Logger | undefined;
}

type Trigger = 'request' | 'schedule' | 'change' | 'start' | 'reload';

interface Running {
  jobId: string;
  done: Promise<unknown>;
}

export class ExportScheduler {
  private readonly running = new Map<string, Running>();
  /** What to do once the running export of a definition ends. */
  private readonly pending = new Map<string, 'run' | 'check'>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The period each timer was armed with (a reload keeps a timer whose period did not change). */
  private readonly periods = new Map<string, number>();
  /** Each definition as last scheduled (JSON), to see what a reload added or changed; undefined before start(). */
  private known: Map<string, string> | undefined;
  private readonly checking = new Set<string>();
  /** onChange definitions whose check or run failed (Confluence unreachable…): checked again after the next poll. */
  private readonly retry = new Set<string>();
  private stopped = false;

  constructor(private readonly o: ExportSchedulerOptions) {}

  get store(): JobStore {
    return this.o.store;
  }

  definitions(): readonly ExportDefinition[] {
    return this.o.definitions();
  }

  /** Timers for `every`, and one check of every `onChange` definition (what changed while the daemon was stopped). */
  start(): void {
    this.reschedule();
    this.remoteChanged('start');
  }

  /**
   * At start and after a reload: timers follow the definitions. A timer whose definition is gone or whose period
   * changed is replaced; an unchanged one keeps its time (a reload does not push every schedule back). onChange
   * definitions that the reload added or changed are checked at once, as at start.
   */
  reschedule(): void {
    const defs = this.o.definitions();
    for (const [name, t] of this.timers) {
      const def = defs.find((d) => d.name === name);
      if (def && periodOf(def) === this.periods.get(name)) continue;
      clearTimeout(t);
      this.timers.delete(name);
      this.periods.delete(name);
    }
    // A running definition is armed when its run ends.
    for (const def of defs) if (periodOf(def) !== undefined && !this.timers.has(def.name) && !this.running.has(def.name)) this.arm(def.name);
    const before = this.known;
    this.known = new Map(defs.map((d) => [d.name, JSON.stringify(d)]));
    if (!before || this.stopped) return;
    for (const def of defs) {
      if (!def.onChange || before.get(def.name) === this.known.get(def.name)) continue;
      if (this.running.has(def.name) || this.checking.has(def.name)) this.pending.set(def.name, this.pending.get(def.name) ?? 'check');
      else this.spawnCheck(def, 'reload');
    }
  }

  private arm(name: string): void {
    if (this.stopped) return;
    const def = this.o.definitions().find((d) => d.name === name);
    const period = def ? periodOf(def) : undefined;
    if (period === undefined) return;
    clearTimeout(this.timers.get(name));
    const t = setTimeout(() => {
      this.timers.delete(name);
      this.periods.delete(name);
      if (this.running.has(name)) this.pending.set(name, 'run');
      else this.launch(name, 'schedule');
    }, period * 1000);
    t.unref?.();
    this.timers.set(name, t);
    this.periods.set(name, period);
  }

  /** A poll pulled remote changes: check every `onChange` definition against its published bundle. */
  remoteChanged(why: Trigger = 'change'): void {
    if (this.stopped) return;
    for (const def of this.o.definitions()) {
      if (!def.onChange) continue;
      if (this.running.has(def.name) || this.checking.has(def.name)) {
        if (this.pending.get(def.name) !== 'run') this.pending.set(def.name, 'check');
        continue;
      }
      this.spawnCheck(def, why);
    }
  }

  /** After every successful poll: checks again the onChange definitions whose last check or run failed. */
  afterPoll(): void {
    if (this.stopped || this.retry.size === 0) return;
    const names = [...this.retry];
    this.retry.clear();
    for (const def of this.o.definitions()) {
      if (def.onChange && names.includes(def.name) && !this.running.has(def.name) && !this.checking.has(def.name)) this.spawnCheck(def, 'change');
    }
  }

  /** The job API: starts the definition now. 404-style error if unknown, 409-style if it is running. */
  submit(name: string): { jobId: string } {
    if (this.stopped) throw new CsyncError('CSYNC_INTERRUPTED', 'the daemon is stopping');
    findDefinition(this.o.definitions(), name);
    const r = this.running.get(name);
    if (r) {
      throw new CsyncError('CSYNC_LOCKED', `export ${name} is already running as job ${r.jobId}`, {
        hint: `follow it: GET /exports/${r.jobId}`,
        details: { runningJob: r.jobId },
      });
    }
    const jobId = this.launch(name, 'request');
    if (!jobId) throw new CsyncError('CSYNC_INTERNAL', `export ${name} did not start`);
    return { jobId };
  }

  private fontOf(def: ExportDefinition): { pdfFont?: string | undefined } {
    return [def.format ?? []].flat().includes('pdf') ? { pdfFont: this.o.pdfFont?.() } : {};
  }

  runningJob(name: string): string | undefined {
    return this.running.get(name)?.jobId;
  }

  /** The job that wrote what is published at the definition's target now: the newest finished one of it. */
  currentJob(name: string): JobRecord | undefined {
    return this.o.store
      .list()
      .filter((j) => j.spec.definition === name && j.state === 'completed')
      .sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? ''))[0];
  }

  private spawnCheck(def: ExportDefinition, why: Trigger): void {
    this.check(def, why).catch((err: unknown) => this.o.logger?.warn({ module: 'exports', name: def.name, err }, 'export check failed'));
  }

  private async check(def: ExportDefinition, why: Trigger): Promise<void> {
    this.checking.add(def.name);
    try {
      const deps = this.o.deps();
      const spaces = this.o.spaces();
      const target = definitionTarget(def, this.o.workspace);
      const published = await publishedVersions(target.path);
      let differs = published === undefined;
      if (!differs) {
        const spec = specFromDefinition(def, { base: this.o.workspace, spaces, ...this.fontOf(def) });
        let items: Awaited<ReturnType<typeof selectConfluence>> = [];
        // Versions only: no labels unless filtered on, the space id remembered by earlier exports (jobs.db).
        const site = publicSite(deps.siteUrl);
        const options = { labels: false, spaceIds: { known: (key: string) => deps.store.spaceId(site, key), remember: (key: string, id: string) => deps.store.rememberSpace(site, key, id) } };
        for (const sel of spec.selection) if (sel.source === 'confluence') items = items.concat(await selectConfluence(deps.api, sel, deps.siteUrl, items.length, undefined, options));
        differs = items.length !== published!.size || items.some((i) => published!.get(i.id) !== i.version);
      }
      this.o.logger?.debug({ module: 'exports', name: def.name, why, differs }, 'export freshness checked');
      // A run started meanwhile (a request) lists the pages after this change: it covers it.
      if (differs && !this.stopped && !this.running.has(def.name)) this.launch(def.name, why === 'start' || why === 'reload' ? why : 'change');
    } catch (err) {
      this.retry.add(def.name);
      this.o.logger?.warn({ module: 'exports', name: def.name, err }, `could not check export ${def.name} for changes; the next poll tries again`);
    } finally {
      this.checking.delete(def.name);
      this.afterwards(def.name);
    }
  }

  /**
   * Starts a job for the definition (the caller made sure none runs); returns its id. A definition that cannot
   * start (its target is not a bundle…) throws for a request and is logged otherwise.
   */
  private launch(name: string, why: Trigger): string | undefined {
    const def = this.o.definitions().find((d) => d.name === name);
    if (!def || this.stopped) return undefined;
    const logger = this.o.logger;
    let jobId: string | undefined;
    let run: Promise<unknown>;
    try {
      const spec = specFromDefinition(def, { base: this.o.workspace, spaces: this.o.spaces(), ...this.fontOf(def) });
      // A daemon runs for weeks: ended jobs are forgotten as runs start, not only when it starts.
      if (this.o.keepJobsDays) this.o.store.prune(this.o.keepJobsDays());
      // startJob records the job before its first await: the id is known when it returns.
      run = startJob({ ...this.o.deps(), onJob: (id) => (jobId = id), warn: (m) => logger?.warn({ module: 'exports', name }, m) }, spec).then((r) =>
        logger?.info({ module: 'exports', name, jobId: r.job.id, why, items: r.items, failed: r.failed.length, target: r.target }, `export ${name} published`),
      );
    } catch (err) {
      if (why === 'request') throw err;
      logger?.warn({ module: 'exports', name, why, err }, `export ${name} could not start`);
      return undefined;
    }
    if (!jobId) {
      // Refused before it was recorded: the promise holds why.
      void run.catch((err: unknown) => logger?.warn({ module: 'exports', name, why, err }, `export ${name} could not start`));
      if (why === 'request') throw new CsyncError('CSYNC_INTERNAL', `export ${name} did not start; see the daemon log`);
      return undefined;
    }
    const done = run
      .catch((err: unknown) => {
        if (def.onChange && !this.stopped) this.retry.add(name);
        logger?.warn({ module: 'exports', name, jobId, why, err, code: isCsyncError(err) ? err.code : undefined }, `export ${name} failed`);
      })
      .finally(() => {
        this.running.delete(name);
        this.arm(name);
        this.afterwards(name);
      });
    this.running.set(name, { jobId, done });
    return jobId;
  }

  private afterwards(name: string): void {
    if (this.stopped || this.running.has(name) || this.checking.has(name)) return;
    const next = this.pending.get(name);
    this.pending.delete(name);
    const def = this.o.definitions().find((d) => d.name === name);
    if (!def || !next) return;
    if (next === 'run') this.launch(name, 'schedule');
    else this.spawnCheck(def, 'change');
  }

  /** Timers off; running exports cancelled (their partial bundles removed), waited for up to `ms`. */
  async stop(ms = 5000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.periods.clear();
    const runs = [...this.running.values()];
    for (const r of runs) {
      try {
        this.o.store.transition(r.jobId, 'cancelled', { error: 'the daemon stopped' });
      } catch {
        // it finished meanwhile
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled(runs.map((r) => r.done)), new Promise((res) => (timer = setTimeout(res, ms)))]);
    clearTimeout(timer);
  }
}

/** id → version of every item the bundle at `path` exported, or undefined when there is no readable bundle. */
export async function publishedVersions(path: string): Promise<Map<string, number> | undefined> {
  if (!existsSync(path)) return undefined;
  let text: string | undefined;
  try {
    if (lstatSync(path).isDirectory()) text = readFileSync(join(path, MANIFEST), 'utf8');
    else {
      await readZip(path, async (e) => {
        if (e.name !== MANIFEST) return;
        const chunks: Buffer[] = [];
        for await (const c of await e.open()) chunks.push(c as Buffer);
        text = Buffer.concat(chunks).toString('utf8');
      });
    }
    if (text === undefined) return undefined;
    const m = JSON.parse(text) as Pick<Manifest, 'items'>;
    return new Map(m.items.filter((i) => i.status !== 'failed').map((i) => [i.id, i.version]));
  } catch {
    return undefined;
  }
}
