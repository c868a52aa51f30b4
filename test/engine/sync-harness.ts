/**
 * Executor-level randomized sync testing (CanopyCheck-style) against the real engine: runPull/runPush in-process,
 * real SQLite state, real files in a temp dir, the emulator as a real HTTP server on 127.0.0.1. A case is a list of
 * operations — local edits/creates/moves/renames/deletes, the same by "another user" in Confluence, and sync passes
 * with injected faults (5xx, resets, timeouts, truncated answers, 429s, lost answers to applied writes, runs that crash part
 * way and are rerun) — followed
 * by a fault-free sync and the invariants:
 *   (1) converged: every page is the same on both sides (or an explained conflict with its copy), status is clean
 *   (2) no edit lost: every token written on either side is in a file, a conflict copy or a page, unless the
 *       side that deleted the page had seen it
 *   (3) no duplicate pages: each created page exists at most once
 *   (4) no safety gate bypassed: no run deleted more pages than the gate allows (50%, --force only when the final
 *       sync is stopped by a gate: the user's decision)
 *   (5) every run terminates: at most MAX_REQUESTS_PER_RUN requests (a step counter, not a clock; past it the
 *       emulator answers 500, so a runaway loop ends and is reported)
 * A file push leaves alone is exempt from (1) only with a named warning (EXEMPT_WARNINGS): any other warning on it
 * (a converter's, say) does not excuse it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { mkdtempSync } from 'node:fs';
import fc from 'fast-check';
import { checkGates } from '../../src/core/plan.js';
import { after, before } from 'node:test';
import { startEmulator, type Emulator, type ScriptedFault } from '../../src/emulator/index.js';
import { runPull } from '../../src/engine/pull.js';
import { runPush } from '../../src/engine/push.js';
import { runStatus } from '../../src/engine/status.js';
import { composeFile, parseFile } from '../../src/format/front-matter.js';
import { getFormat } from '../../src/format/index.js';
import { silentLogger } from '../../src/obs/logger.js';
import { createConfluenceClient, type ConfluenceClient } from '../../src/remote/index.js';
import { openStateStore } from '../../src/state/index.js';
import { listFiles as walkFiles } from '../helpers/files.js';
import { storageEquals } from '../../src/format/index.js';

export type FaultSpec =
  | { kind: 'none' }
  /** Transient errors the client retries through. */
  | { kind: 'transient'; what: 'http500' | 'http503' | 'reset' | 'truncated' | 'stall'; method: 'GET' | 'PUT' | 'POST' | 'DELETE'; count: number }
  /** The write is applied, the answer is lost. */
  | { kind: 'lost-answer'; method: 'PUT' | 'POST' | 'DELETE'; count: number }
  /** A crash: after `after` requests of the run every request fails, so the run throws part way. */
  | { kind: 'crash'; after: number }
  /** 429s with Retry-After: a tight rate limit for the run. */
  | { kind: 'rate-limited' }
  /** The run stops right after a write it cannot record (see stopAfterWrite): a crash between a create and its record. */
  | { kind: 'stop-after-write'; method: 'POST' | 'PUT' | 'DELETE' };

export type Op =
  | { k: 'ledit'; i: number; top: boolean }
  | { k: 'redit'; i: number; top: boolean }
  | { k: 'lcreate'; parent: number }
  | { k: 'rcreate'; parent: number }
  | { k: 'lmove'; i: number; parent: number }
  | { k: 'lrename'; i: number }
  | { k: 'lrenamefile'; i: number }
  | { k: 'rrename'; i: number }
  | { k: 'rmove'; i: number; parent: number }
  | { k: 'ldelete'; i: number; tree: boolean }
  | { k: 'rdelete'; i: number }
  /** The file made by the latest local create, wherever it is: moved under another file's folder, renamed, retitled. */
  | { k: 'lnewest'; how: 'move' | 'renamefile' | 'retitle'; parent: number }
  /** The newest page in Confluence (often one a stopped run created): renamed or moved by another user. */
  | { k: 'rnewest'; how: 'rename' | 'move'; parent: number }
  | { k: 'sync'; fault: FaultSpec }
  | { k: 'pull'; fault: FaultSpec }
  | { k: 'push'; fault: FaultSpec };

const idx = fc.nat(64);
const fault: fc.Arbitrary<FaultSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<FaultSpec>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transient' as const), what: fc.constantFrom('http500' as const, 'http503' as const, 'reset' as const, 'truncated' as const, 'stall' as const), method: fc.constantFrom('GET' as const, 'PUT' as const, 'POST' as const, 'DELETE' as const), count: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lost-answer' as const), method: fc.constantFrom('PUT' as const, 'POST' as const, 'DELETE' as const), count: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('crash' as const), after: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 1, arbitrary: fc.constant<FaultSpec>({ kind: 'rate-limited' }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stop-after-write' as const), method: fc.constantFrom('POST' as const, 'POST' as const, 'PUT' as const, 'DELETE' as const) }) },
);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('ledit' as const), i: idx, top: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('redit' as const), i: idx, top: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('lcreate' as const), parent: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rcreate' as const), parent: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('lmove' as const), i: idx, parent: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('lrename' as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('lrenamefile' as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rrename' as const), i: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rmove' as const), i: idx, parent: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('ldelete' as const), i: idx, tree: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rdelete' as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('lnewest' as const), how: fc.constantFrom('move' as const, 'renamefile' as const, 'retitle' as const), parent: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rnewest' as const), how: fc.constantFrom('rename' as const, 'move' as const), parent: idx }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('sync' as const), fault }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('pull' as const), fault }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('push' as const), fault }) },
  // A push stopped right after a create (before its record): what the newest-file/page operations then act on.
  { weight: 2, arbitrary: fc.constant<Op>({ k: 'push', fault: { kind: 'stop-after-write', method: 'POST' } }) },
);

/**
 * `concurrency` is the engine's (pages in flight): 1 makes a case's requests, and so where a crash-after-N fault
 * lands, the same at every replay; 4 explores concurrent actions (their order may vary between replays).
 */
export const caseArb = fc.record({ pages: fc.integer({ min: 2, max: 6 }), ops: fc.array(opArb, { minLength: 1, maxLength: 9 }), concurrency: fc.constantFrom(1, 1, 4) });
export type Case = { pages: number; ops: Op[]; concurrency?: number };

const MAX_DELETE_PERCENT = 50;
/** Invariant 5's step counter: requests one pull or push may make in a case (a few dozen pages, faults, retries). */
export const MAX_REQUESTS_PER_RUN = 1_500;

/**
 * Warnings that leave a file unpushed on purpose, by kind: such a file is reported to the user like a conflict and
 * is exempt from the convergence check. Any other warning naming a path exempts nothing.
 */
export const EXEMPT_WARNINGS: ReadonlyArray<{ kind: string; re: RegExp }> = [
  { kind: 'title-taken', re: /: its title is also the title of .*; titles are unique in a space; not pushed$/ },
  { kind: 'title-exists', re: /: a page titled ".*" already exists in \S+; not created$/ },
  { kind: 'no-folder-page', re: /: no page for its folder( \S.*)?; not (moved|created)$/ },
  { kind: 'parent-cycle', re: /: its folder's page is inside this page; a page cannot be moved under itself; not moved$/ },
  { kind: 'refused', re: /: not (pushed|created): / },
];

/** The paths of the warnings that exempt a file (see EXEMPT_WARNINGS). */
export function exemptPaths(warnings: readonly string[]): Set<string> {
  return new Set(warnings.filter((w) => EXEMPT_WARNINGS.some((e) => e.re.test(w))).map((w) => w.slice(0, w.indexOf(': '))));
}

/**
 * Invariant 5's step counter: from now on, requests past `max` are answered 500 (the run gives up) and counted.
 * Returns the function that reads how many went past and removes the counter.
 */
export function requestBudget(emu: Emulator, max: number): () => number {
  const faults = emu.faults;
  const pick = faults.pick.bind(faults);
  const start = emu.requestLog().length;
  let over = 0;
  faults.pick = (m: string, path: string) => {
    if (emu.requestLog().length - start > max) {
      over++;
      return { kind: 'http500' };
    }
    return pick(m, path);
  };
  return () => {
    faults.pick = pick;
    return over;
  };
}
const TOKEN_RE = /tok\d+x/g;
const format = getFormat('markdown');

let spaceCounter = 0;

function tokensOf(text: string): string[] {
  return text.match(TOKEN_RE) ?? [];
}

/**
 * A run that stops right after a write: the next `method` request to a page (a create: POST) is applied but its
 * answer is lost, and every request after it fails, so the run gives up before it can record the write — as a
 * crash or kill between a create and its record would. Returns the function that ends the outage.
 */
export function stopAfterWrite(emu: Emulator, method: 'POST' | 'PUT' | 'DELETE'): () => void {
  const faults = emu.faults;
  const pick = faults.pick.bind(faults);
  let tripped = false;
  faults.pick = (m: string, path: string) => {
    if (tripped) return { kind: 'http500' };
    if (m === method && /\/pages(\/|$)/.test(path)) {
      tripped = true;
      return { kind: 'reset-after' };
    }
    return pick(m, path);
  };
  return () => {
    faults.pick = pick;
  };
}

export interface Harness {
  emu: Emulator;
  client: ConfluenceClient;
}

/**
 * One empty emulator and a client to it for a whole test file: started before its first test, closed after its last.
 * Read `emu` and `client` inside tests (they are set once `before` has run).
 */
export function sharedEmulator(): { readonly emu: Emulator; readonly client: ConfluenceClient } {
  const shared = {} as { emu: Emulator; client: ConfluenceClient };
  before(async () => {
    shared.emu = await startEmulator({ seed: 'empty' });
    shared.client = createClient(shared.emu);
  });
  after(async () => {
    await shared.client.close();
    await shared.emu.close();
  });
  return shared;
}

export function createClient(emu: Emulator): ConfluenceClient {
  return createConfluenceClient({
    baseUrl: emu.url,
    auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
    rate: { requestsPerSecond: 100_000, burst: 100_000, maxConcurrent: 8 },
    retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 },
    timeouts: { connectMs: 1000, responseMs: 300 },
    breaker: { failureThreshold: 1_000_000, halfOpenAfterMs: 1 },
    sameBody: storageEquals,
  });
}

/** Runs one case; throws (with a readable message) when an invariant fails. */
export async function runCase(h: Harness, c: Case): Promise<void> {
  const { emu, client } = h;
  emu.clearFaults();
  const key = `P${++spaceCounter}X${process.pid % 1000}`;
  emu.api.createSpace(key);
  const home = emu.api.createPage(key, `Home ${key}`, '<p>home</p>', null);
  let n = 0;
  const token = () => `tok${++n}x`;
  const created = new Set<string>();
  const written = new Set<string>();
  const exempt = new Set<string>();
  for (let i = 0; i < c.pages; i++) {
    const t = token();
    created.add(t);
    written.add(t);
    const parent = i > 0 && i % 3 === 0 ? emu.api.pages(key)[1]!.id : home.id;
    emu.api.createPage(key, `Page ${t}`, `<p>${t}</p><p>middle</p><p>end</p>`, parent);
  }
  const ws = mkdtempSync(join(tmpdir(), 'csync-prop-'));
  /** The file of the latest local create (followed through the harness's own moves and renames of it). */
  let newest: string | undefined;
  const log: string[] = [];
  const gateViolations: string[] = [];
  const stepViolations: string[] = [];
  const editedLocal = new Set<string>();
  const editedRemote = new Set<string>();
  const contentRoot = join(ws, 'content', key);
  const localFiles = () => walkFiles(contentRoot).filter((f) => f.endsWith('.md') && !/\.conflict-/.test(f));
  const conflictCopies = () => walkFiles(contentRoot).filter((f) => /\.conflict-/.test(f));
  const remotePages = () => emu.api.pages(key);
  const leafRemote = () => {
    const pages = remotePages();
    return pages.filter((p) => p.id !== home.id && !pages.some((q) => q.parentId === p.id));
  };
  const idOfFile = (f: string): string | undefined => {
    const id = parseFile(readFileSync(f, 'utf8')).meta.id;
    return id ? String(id) : undefined;
  };
  const baseCount = (): number => {
    if (!existsSync(join(ws, 'cache', 'state.db'))) return 0;
    const s = openStateStore(join(ws, 'cache', 'state.db'), { readonly: true });
    try {
      return s.pagesOfSpace(key).length;
    } finally {
      s.close();
    }
  };
  const common = { workspace: ws, api: client, spaces: [key], formatFor: () => format, maxDelete: { percent: MAX_DELETE_PERCENT }, dryRun: false, concurrency: c.concurrency ?? 4, logger: silentLogger() };
  /** Invariant 5 by a step counter: the run makes at most MAX_REQUESTS_PER_RUN requests. */
  const bounded = async <T>(what: string, p: () => Promise<T>): Promise<T> => {
    const over = requestBudget(emu, MAX_REQUESTS_PER_RUN);
    let exceeded = 0;
    try {
      return await p();
    } finally {
      exceeded = over();
      if (exceeded) stepViolations.push(`invariant 5: ${what} made more than ${MAX_REQUESTS_PER_RUN} requests`);
    }
  };
  // Distinct pages deleted (a retried DELETE whose first answer was lost is one delete).
  const deletesIn = (fromLog: number) => new Set(emu.requestLog().slice(fromLog).filter((r) => r.method === 'DELETE' && /\/pages\//.test(r.route) && r.status < 300 && (!r.fault || r.fault.endsWith('-after'))).map((r) => r.path)).size;
  let lastWarnings: string[] = [];
  const runOne = async (which: 'pull' | 'push', force: boolean): Promise<void> => {
    const before = baseCount();
    const logAt = emu.requestLog().length;
    const localBefore = localFiles().length;
    try {
      if (which === 'pull') {
        const s = await bounded('pull', () => runPull({ ...common, force }));
        if (!force && s.pages.deleted > 0 && checkGates({ baseCount: before, remoteCount: before, deletes: s.pages.deleted, maxDeletePercent: MAX_DELETE_PERCENT, force: false })) {
          gateViolations.push(`pull trashed ${s.pages.deleted} of ${before} files without --force`);
        }
      } else {
        const s = await bounded('push', () => runPush({ ...common, force }));
        lastWarnings = s.warnings;
      }
    } finally {
      const d = deletesIn(logAt);
      if (!force && which === 'push' && d > 0 && checkGates({ baseCount: before, remoteCount: before, deletes: d, maxDeletePercent: MAX_DELETE_PERCENT, force: false })) {
        gateViolations.push(`push deleted ${d} of ${before} pages without --force`);
      }
      void localBefore;
    }
  };
  const applyFault = (f: FaultSpec) => {
    emu.clearFaults();
    if (f.kind === 'transient') emu.scriptFaults([{ kind: f.what, method: f.method, count: f.count } as ScriptedFault]);
    else if (f.kind === 'lost-answer') emu.scriptFaults([{ kind: 'reset-after', method: f.method, count: f.count }]);
    else if (f.kind === 'rate-limited') emu.setRateLimit({ rps: 4, burst: 3 });
    else if (f.kind === 'stop-after-write') restorePick = stopAfterWrite(emu, f.method);
    else if (f.kind === 'crash') {
      // Let `after` requests through, then fail every request (more than the client's retries).
      const through = emu.requestLog().length + f.after;
      const faults = emu.faults;
      const pick = faults.pick.bind(faults);
      faults.pick = (method: string, path: string) => (emu.requestLog().length >= through ? { kind: 'http500' } : pick(method, path));
      restorePick = () => {
        faults.pick = pick;
      };
    }
  };
  let restorePick: (() => void) | undefined;
  const clearFault = () => {
    restorePick?.();
    restorePick = undefined;
    emu.clearFaults();
    emu.setRateLimit(undefined);
  };
  const attempt = async (what: 'sync' | 'pull' | 'push', f: FaultSpec, force = false): Promise<string> => {
    applyFault(f);
    try {
      if (what !== 'push') await runOne('pull', force);
      if (what !== 'pull') await runOne('push', force);
      return 'ok';
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (stepViolations.length) throw new Error(stepViolations.join('; '));
      if (f.kind === 'none' && e.code !== 'CSYNC_SAFETY_GATE') throw new Error(`a fault-free ${what} failed: ${e.code ?? ''} ${e.message ?? String(err)}`);
      return `failed (${e.code ?? 'error'})`;
    } finally {
      clearFault();
    }
  };

  try {
    const first = await attempt('sync', { kind: 'none' });
    log.push(`initial pull: ${first}`);
    for (const op of c.ops) {
      const files = localFiles();
      const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
      switch (op.k) {
        case 'ledit': {
          const f = pick(files, op.i);
          if (!f) break;
          const t = token();
          written.add(t);
          const text = readFileSync(f, 'utf8');
          const p = parseFile(text);
          if (!p.ok) break;
          const body = op.top ? `${t}\n\n${p.body}` : `${p.body.replace(/\n*$/, '')}\n\n${t}\n`;
          writeFileSync(f, p.meta.id !== undefined || Object.keys(p.meta).length ? composeFile(p.meta, body) : body);
          const id = idOfFile(f);
          if (id) editedLocal.add(id);
          log.push(`local edit ${relative(ws, f)} +${t}`);
          break;
        }
        case 'redit': {
          const p = pick(remotePages().filter((x) => x.id !== home.id), op.i);
          if (!p) break;
          const t = token();
          written.add(t);
          const body = emu.api.body(p.id);
          emu.api.editPage(p.id, { body: op.top ? `<p>${t}</p>${body}` : `${body}<p>${t}</p>` });
          editedRemote.add(p.id);
          log.push(`remote edit ${p.title} +${t}`);
          break;
        }
        case 'lcreate': {
          const parent = pick(files, op.parent);
          const dir = parent ? parent.replace(/\.md$/, '') : join(contentRoot, `Home ${key}`);
          const t = token();
          written.add(t);
          created.add(t);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, `New ${t}.md`), `${t}\n`);
          newest = join(dir, `New ${t}.md`);
          log.push(`local create ${relative(ws, join(dir, `New ${t}.md`))}`);
          break;
        }
        case 'rcreate': {
          const parent = pick(remotePages(), op.parent);
          const t = token();
          written.add(t);
          created.add(t);
          emu.api.createPage(key, `Remote ${t}`, `<p>${t}</p>`, parent?.id ?? home.id);
          log.push(`remote create Remote ${t} under ${parent?.title ?? 'home'}`);
          break;
        }
        case 'lmove': {
          const f = pick(files, op.i);
          const target = pick(files, op.parent);
          if (!f || !target) break;
          const folder = f.replace(/\.md$/, '');
          const dest = join(target.replace(/\.md$/, ''), f.slice(f.lastIndexOf('/') + 1));
          if (target === f || target.startsWith(`${folder}/`) || existsSync(dest) || relative(ws, f).split('/').length <= 3) break;
          mkdirSync(dirname(dest), { recursive: true });
          renameSync(f, dest);
          log.push(`local move ${relative(ws, f)} → ${relative(ws, dest)}`);
          break;
        }
        case 'lrename': {
          const f = pick(files, op.i);
          if (!f || relative(ws, f).split('/').length <= 3) break;
          const p = parseFile(readFileSync(f, 'utf8'));
          if (!p.ok) break;
          const title = `Renamed ${token()}`;
          writeFileSync(f, composeFile({ ...p.meta, title }, p.body));
          if (p.meta.id) editedLocal.add(String(p.meta.id));
          log.push(`local rename ${relative(ws, f)} title → ${title}`);
          break;
        }
        case 'lrenamefile': {
          const f = pick(files, op.i);
          if (!f || relative(ws, f).split('/').length <= 3) break;
          const dest = join(dirname(f), `File ${token()}.md`);
          renameSync(f, dest);
          log.push(`local file rename ${relative(ws, f)} → ${relative(ws, dest)}`);
          break;
        }
        case 'lnewest': {
          if (!newest || !existsSync(newest)) break;
          const f = newest;
          if (op.how === 'retitle') {
            const p = parseFile(readFileSync(f, 'utf8'));
            if (!p.ok) break;
            const title = `Renamed ${token()}`;
            writeFileSync(f, composeFile({ ...p.meta, title }, p.body));
            if (p.meta.id) editedLocal.add(String(p.meta.id));
            log.push(`local rename of the newest file ${relative(ws, f)} title → ${title}`);
            break;
          }
          let dest: string;
          if (op.how === 'renamefile') dest = join(dirname(f), `File ${token()}.md`);
          else {
            const target = pick(files.filter((x) => x !== f && !x.startsWith(`${f.replace(/\.md$/, '')}/`)), op.parent);
            if (!target) break;
            dest = join(target.replace(/\.md$/, ''), f.slice(f.lastIndexOf('/') + 1));
          }
          if (existsSync(dest)) break;
          mkdirSync(dirname(dest), { recursive: true });
          renameSync(f, dest);
          newest = dest;
          log.push(`local ${op.how === 'move' ? 'move' : 'file rename'} of the newest file ${relative(ws, f)} → ${relative(ws, dest)}`);
          break;
        }
        case 'rnewest': {
          const pages = remotePages();
          const p = pages.filter((x) => x.id !== home.id).sort((a, b) => Number(b.id) - Number(a.id))[0];
          if (!p) break;
          if (op.how === 'rename') {
            const title = `Retitled ${token()}`;
            log.push(`remote rename of the newest page ${p.title} → ${title}`);
            emu.api.renamePage(p.id, title);
            editedRemote.add(p.id);
            break;
          }
          const parent = pick(pages, op.parent);
          if (!parent || parent.id === p.id || parent.id === p.parentId) break;
          let q: typeof parent | undefined = parent;
          let cycle = false;
          while (q) {
            if (q.id === p.id) cycle = true;
            q = q.parentId ? pages.find((x) => x.id === q!.parentId) : undefined;
          }
          if (cycle) break;
          log.push(`remote move of the newest page ${p.title} under ${parent.title}`);
          emu.api.movePage(p.id, parent.id);
          break;
        }
        case 'rrename': {
          const p = pick(remotePages().filter((x) => x.id !== home.id), op.i);
          if (!p) break;
          const title = `Retitled ${token()}`;
          log.push(`remote rename ${p.title} → ${title}`);
          emu.api.renamePage(p.id, title);
          editedRemote.add(p.id);
          break;
        }
        case 'rmove': {
          const pages = remotePages();
          const p = pick(pages.filter((x) => x.id !== home.id), op.i);
          const parent = pick(pages, op.parent);
          if (!p || !parent || parent.id === p.id || parent.id === p.parentId) break;
          // No cycles: the new parent must not be inside the moved page.
          let q: typeof parent | undefined = parent;
          let cycle = false;
          while (q) {
            if (q.id === p.id) cycle = true;
            q = q.parentId ? pages.find((x) => x.id === q!.parentId) : undefined;
          }
          if (cycle) break;
          log.push(`remote move ${p.title} under ${parent.title}`);
          emu.api.movePage(p.id, parent.id);
          break;
        }
        case 'ldelete': {
          const f = pick(files, op.i);
          if (!f || relative(ws, f).split('/').length <= 3) break;
          const folder = f.replace(/\.md$/, '');
          const hasChildren = existsSync(folder);
          if (hasChildren && !op.tree) break;
          const gone = [f, ...(hasChildren ? walkFiles(folder) : [])];
          for (const g of gone) for (const t of tokensOf(readFileSync(g, 'utf8'))) exempt.add(t);
          rmSync(f);
          if (hasChildren) rmSync(folder, { recursive: true });
          log.push(`local delete ${relative(ws, f)}${hasChildren ? ' and its folder' : ''}`);
          break;
        }
        case 'rdelete': {
          const p = pick(leafRemote(), op.i);
          if (!p) break;
          for (const t of tokensOf(emu.api.body(p.id))) exempt.add(t);
          emu.api.deletePage(p.id);
          log.push(`remote delete ${p.title}`);
          break;
        }
        case 'sync':
        case 'pull':
        case 'push': {
          const r = await attempt(op.k, op.fault);
          log.push(`${op.k} with fault ${JSON.stringify(op.fault)}: ${r}`);
          break;
        }
      }
    }
    // Faults stop. One more sync (with --force only if a safety gate stops it: the user's decision).
    const fin = await attempt('sync', { kind: 'none' });
    log.push(`final sync: ${fin}`);
    if (fin !== 'ok') {
      log.push(`final sync with --force: ${await attempt('sync', { kind: 'none' }, true)}`);
    }
    await check();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}\n  case log:\n    ${log.join('\n    ')}`);
  } finally {
    clearFault();
    rmSync(ws, { recursive: true, force: true });
  }

  async function check(): Promise<void> {
    // (4) safety gates
    assert.deepEqual(gateViolations, [], 'invariant 4: a safety gate was bypassed without --force');
    const state = openStateStore(join(ws, 'cache', 'state.db'), { readonly: true });
    let conflicts;
    let base;
    try {
      conflicts = state.conflicts();
      base = new Map(state.pagesOfSpace(key).map((b) => [b.id, b]));
      assert.equal(state.integrityCheck(), 'ok');
    } finally {
      state.close();
    }
    // (5) every run within its step counter
    assert.deepEqual(stepViolations, [], 'invariant 5: a run did not terminate within its request budget');
    // Files push left alone with a named warning (no page for their folder, a page cannot go under itself, title
    // taken, refused by Confluence) are reported to the user, like conflicts; no other warning exempts a file.
    const warnedPaths = exemptPaths(lastWarnings);
    const conflicted = new Set(conflicts.map((x) => x.pageId));
    for (const wp of warnedPaths) {
      const id = existsSync(join(ws, wp)) ? idOfFile(join(ws, wp)) : undefined;
      if (id) conflicted.add(id);
    }
    const conflictPaths = new Set([...conflicts.map((x) => x.path), ...warnedPaths]);
    const remote = remotePages();
    const files = localFiles();
    const fileById = new Map<string, string>();
    for (const f of files) {
      if (conflictPaths.has(relative(ws, f))) continue;
      const id = idOfFile(f);
      assert.ok(id, `invariant 1: ${relative(ws, f)} has no page id after the final sync (not pushed)`);
      if (fileById.has(id)) assert.fail(`invariant 3: two files carry page id ${id}: ${relative(ws, f)} and ${relative(ws, fileById.get(id)!)}`);
      fileById.set(id, f);
    }
    // (1) converged: every remote page has its file with the same tokens, and vice versa
    for (const p of remote) {
      const f = fileById.get(p.id);
      if (conflicted.has(p.id)) continue;
      assert.ok(f, `invariant 1: page "${p.title}" (${p.id}) has no local file after the final sync`);
      const localTokens = tokensOf(parseFile(readFileSync(f, 'utf8')).body).sort();
      const remoteTokens = tokensOf(emu.api.body(p.id)).sort();
      assert.deepEqual(localTokens, remoteTokens, `invariant 1: ${relative(ws, f)} and page "${p.title}" differ after the final sync`);
      assert.equal(parseFile(readFileSync(f, 'utf8')).meta.title, p.title, `invariant 1: ${relative(ws, f)} has another title than its page`);
    }
    for (const [id, f] of fileById) {
      if (conflicted.has(id)) continue;
      assert.ok(remote.some((p) => p.id === id), `invariant 1: ${relative(ws, f)} (page ${id}) has no current page after the final sync`);
      assert.ok(base.has(id), `invariant 1: ${relative(ws, f)} is not in the state after the final sync`);
    }
    for (const x of conflicts) {
      // Edits include renames (the title is in the front matter).
      const bothEdited = editedLocal.has(x.pageId) || editedRemote.has(x.pageId);
      assert.ok(bothEdited || x.kind !== 'both-modified', `a conflict on ${x.path} although no side edited the page`);
      if (x.copyPath) assert.ok(existsSync(join(ws, x.copyPath)), `the conflict copy ${x.copyPath} exists`);
    }
    const status = await runStatus({ workspace: ws, api: client, spaces: [key], formatFor: () => format });
    const unexplained = [
      ...status.local.modified.filter((e) => !e.id || !conflicted.has(e.id)).map((e) => `modified ${e.path}`),
      ...status.local.new.filter((e) => !conflictPaths.has(e.path)).map((e) => `new ${e.path}`),
      ...status.local.deleted.filter((e) => !e.id || !conflicted.has(e.id)).map((e) => `deleted ${e.path}`),
      ...status.local.moved.filter((e) => (!e.id || !conflicted.has(e.id)) && !conflictPaths.has(e.path)).map((e) => `moved ${e.path}`),
      ...(status.remote?.changed ?? []).filter((e) => !e.id || !conflicted.has(e.id)).map((e) => `remote changed ${e.path}`),
      ...(status.remote?.new ?? []).filter((e) => !conflicted.has(e.id)).map((e) => `remote new ${e.title}`),
      ...(status.remote?.deleted ?? []).filter((e) => !e.id || !conflicted.has(e.id)).map((e) => `remote deleted ${e.path}`),
    ];
    assert.deepEqual(unexplained, [], 'invariant 1: status is not clean after the final sync');
    // Paths converge in the same sync as content: a pull right after plans nothing, no move either.
    const again = await runPull({ ...common, dryRun: true, force: false });
    const pendingPull = again.plan.filter((l) => !l.id || !conflicted.has(l.id)).map((l) => `${l.action} ${l.from ? `${l.from} → ` : ''}${l.path}`);
    assert.deepEqual(pendingPull, [], 'invariant 1: a pull after the final sync still has work (paths did not converge)');
    // (2) no edit lost
    const everywhere = new Set<string>();
    for (const f of [...files, ...conflictCopies()]) for (const t of tokensOf(readFileSync(f, 'utf8'))) everywhere.add(t);
    for (const p of remote) for (const t of tokensOf(emu.api.body(p.id))) everywhere.add(t);
    const lost = [...written].filter((t) => !exempt.has(t) && !everywhere.has(t));
    assert.deepEqual(lost, [], 'invariant 2: edits lost');
    // (3) no duplicate pages
    const count = new Map<string, number>();
    for (const p of remote) for (const t of new Set(tokensOf(p.title + ' ' + emu.api.body(p.id)).filter((x) => created.has(x) && p.title.includes(x)))) count.set(t, (count.get(t) ?? 0) + 1);
    const titles = remote.map((p) => p.title);
    assert.equal(new Set(titles).size, titles.length, 'invariant 3: duplicate titles');
    const dup = [...count].filter(([, k]) => k > 1);
    assert.deepEqual(dup, [], 'invariant 3: a created page exists more than once');
    // Pages created locally: each creation token is in at most one current page body.
    const bodies = new Map<string, number>();
    for (const p of remote) for (const t of new Set(tokensOf(emu.api.body(p.id)).filter((x) => created.has(x)))) bodies.set(t, (bodies.get(t) ?? 0) + 1);
    const dupBodies = [...bodies].filter(([, k]) => k > 1);
    assert.deepEqual(dupBodies, [], 'invariant 3: a created page exists more than once');
  }
}
