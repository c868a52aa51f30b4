/**
 * kill -9 at seeded points of a large export, then `export resume` until it completes (issue 15's acceptance). A case
 * draws where the runs die, in phase order: while the listing (which carries the bodies) is under way, while a resume
 * fetches the bodies the listing did not bring (by id), while the pages are rendered (mid-group: the render
 * checkpoints every 100 pages), and late (pages.jsonl being written, the zip being streamed, or the zip published but
 * the job not yet marked completed). After every run: it asked for no body the cache already held, listed without
 * bodies once the job had a selection, and sent no request at all once every body was cached. At the end the job is
 * completed, `csync export verify` passes, nothing is left staged, and the zip holds exactly the files of an
 * uninterrupted `--no-cache` export of the same pages (same paths, same sha256; the manifests equal but for the job id
 * and the time).
 *
 * Size: `npm test` exports 600 pages (one fixed and one fresh seed); CSYNC_SOAK=1 exports 2,000 pages, the issue's
 * size (three fixed cases and three fresh). Replay one seed: EXPORT_KILL_SEED=<n> node scripts/run-tests.mjs
 * test/export/export-kill-resume.test.ts (printed with each failure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { readZip } from '../../src/export/zip-read.js';
import { cleanEnv, cliArgs, runCli } from '../helpers/cli.js';
import { assertSeededAsync } from '../helpers/seeds.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const PAGES = SOAK ? 2000 : 600;
const LISTINGS = Math.ceil(PAGES / 250);
const FILE = 'test/export/export-kill-resume.test.ts';
const BULK_ROUTE = '/wiki/api/v2/pages';
const LIST_ROUTE = '/wiki/api/v2/spaces/{id}/pages';
const FORMATS = ['--format', 'md', '--format', 'json', '--no-attachments'];

type Late = 'jsonl' | 'zip' | 'published';
interface Plan {
  /** Kill after this share (per mille) of the listing requests were answered; null: no kill while listing. */
  listing: number | null;
  /** Kill after this share of the resume's body requests were answered (only after a kill while listing). */
  fetch: number | null;
  /** Kill after this share of the pages still to render were written. */
  render: number | null;
  late: Late | null;
}

const envOf = (ws: TestWorkspace) => ({ CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' });
const csync = (ws: TestWorkspace, args: string[]) => runCli(['-w', ws.dir, '--no-progress', ...args], { env: envOf(ws), timeoutMs: 600_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const per = (share: number, n: number) => Math.min(n, 1 + Math.floor((share / 1000) * n));

function answered(ws: TestWorkspace, route: string): number {
  return ws.emu.requestLog().filter((q) => q.method === 'GET' && q.route === route && q.status === 200).length;
}

/** Page ids whose body is in the export cache (a body whose write the kill cut has no <version>.json: not cached). */
function cachedBodies(ws: TestWorkspace): Set<string> {
  const dir = join(ws.dir, 'cache', 'export', 'bodies');
  return new Set(existsSync(dir) ? readdirSync(dir).filter((id) => readdirSync(join(dir, id)).some((f) => /^\d+\.json$/.test(f))) : []);
}

/** The job's hidden staging folder beside the target (none before the job starts, and none once published). */
function stageOf(ws: TestWorkspace): string | undefined {
  const name = readdirSync(ws.dir).find((n) => n.startsWith('.bundle.zip.csync-') && n.endsWith('.partial') && !n.endsWith('.zip.partial'));
  return name && join(ws.dir, name);
}

/** Markdown files in the stage written since `since` (ms). */
function writtenSince(stage: string, since: number): number {
  const dir = join(stage, 'markdown');
  let n = 0;
  try {
    for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
      if (!rel.endsWith('.md')) continue;
      try {
        if (statSync(join(dir, rel)).mtimeMs >= since) n++;
      } catch {
        /* renamed meanwhile */
      }
    }
  } catch {
    return 0;
  }
  return n;
}

function mdCount(stage: string | undefined): number {
  if (!stage || !existsSync(join(stage, 'markdown'))) return 0;
  return (readdirSync(join(stage, 'markdown'), { recursive: true }) as string[]).filter((f) => f.endsWith('.md')).length;
}

function jobRow(ws: TestWorkspace): { id: string; state: string; step: string } | undefined {
  const file = join(ws.dir, 'cache', 'export', 'jobs.db');
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT id, state, progress FROM jobs ORDER BY created_at DESC LIMIT 1').get() as { id: string; state: string; progress: string } | undefined;
    return row && { id: row.id, state: row.state, step: (JSON.parse(row.progress) as { step: string }).step };
  } catch {
    return undefined; // busy for an instant
  } finally {
    db.close();
  }
}

/** Every entry of a zip: name → sha256; and its manifest. */
async function zipFiles(file: string): Promise<{ files: Map<string, string>; manifest: Record<string, unknown> }> {
  const files = new Map<string, string>();
  let manifest: Record<string, unknown> = {};
  await readZip(file, async (e) => {
    if (e.isDir) return;
    const chunks: Buffer[] = [];
    for await (const c of await e.open()) chunks.push(c as Buffer);
    const data = Buffer.concat(chunks);
    files.set(e.name, createHash('sha256').update(data).digest('hex'));
    if (e.name === 'manifest.json') manifest = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
  });
  return { files, manifest };
}

interface Run {
  child: ChildProcess;
  exit: Promise<number | null>;
  exited: () => boolean;
}

function start(ws: TestWorkspace, args: string[]): Run {
  const child = spawn(process.execPath, [...cliArgs(), '-w', ws.dir, '--no-progress', ...args], { env: cleanEnv(envOf(ws)), stdio: 'ignore' });
  let done = false;
  const exit = new Promise<number | null>((r) => child.on('close', (code) => ((done = true), r(code))));
  return { child, exit, exited: () => done };
}

/** Polls `ready` until it holds (then SIGKILLs the run: true) or the run ends by itself (false). */
async function killWhen(run: Run, ready: () => boolean, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + 300_000;
  while (!run.exited() && Date.now() < deadline) {
    if (ready()) {
      run.child.kill('SIGKILL');
      await run.exit;
      return true;
    }
    await sleep(pollMs);
  }
  assert.ok(run.exited(), 'the run reached its kill point or ended within 5 minutes');
  return false;
}

async function killAndResume(plan: Plan, notes: string[]): Promise<void> {
  const ws = await workspaceWithEmulator({ seed: PAGES, spaces: ['BENCH'] });
  try {
    // Listing and body requests take 150 ms each: a kill can land between them.
    ws.emu.setLatency(150);
    const out = join(ws.dir, 'bundle.zip');
    let jobId: string | undefined;
    let killedWhileListing = false;
    let completedBy: number | null | undefined;
    for (const phase of ['listing', 'fetch', 'render', 'late'] as const) {
      if (plan[phase] === null) continue;
      if (phase === 'listing' && jobId) continue;
      if (phase === 'fetch' && !killedWhileListing) continue;
      const cached = cachedBodies(ws);
      const staged = stageOf(ws);
      const renderedBefore = mdCount(staged);
      if (phase === 'fetch' && cached.size === PAGES) continue;
      ws.emu.resetLog();
      const resumed = jobId !== undefined;
      const since = Date.now();
      const run = start(ws, jobId ? ['export', 'resume', jobId] : ['export', ...FORMATS, '--zip', out]);
      let ready: () => boolean;
      let pollMs = 10;
      if (phase === 'listing') {
        const k = per(plan.listing!, LISTINGS - 1);
        ready = () => answered(ws, LIST_ROUTE) >= k;
      } else if (phase === 'fetch') {
        const k = per(plan.fetch!, Math.ceil((PAGES - cached.size) / 250));
        ready = () => answered(ws, BULK_ROUTE) >= k;
      } else if (phase === 'render') {
        const k = per(plan.render!, Math.max(1, PAGES - renderedBefore));
        pollMs = 25;
        ready = () => {
          const stage = stageOf(ws);
          return stage !== undefined && writtenSince(stage, since) >= k;
        };
      } else {
        pollMs = 3;
        const late = plan.late!;
        ready = () => {
          const stage = stageOf(ws);
          if (late === 'jsonl') return stage !== undefined && existsSync(join(stage, 'pages.jsonl'));
          if (late === 'zip') return readdirSync(ws.dir).some((n) => n.endsWith('.zip.partial'));
          return existsSync(out) && jobRow(ws)?.state !== 'completed';
        };
      }
      const killed = await killWhen(run, ready, pollMs);
      const row = jobRow(ws);
      jobId ??= row?.id;
      notes.push(`${phase}: ${killed ? `killed at step ${row?.step} (${cachedBodies(ws).size} bodies cached, ${mdCount(stageOf(ws))} pages rendered)` : `run ended (${await run.exit}) before its kill point`}`);
      if (phase === 'listing' && killed) killedWhileListing = true;

      // What this run asked for.
      const log = ws.emu.requestLog();
      const asked = log.filter((q) => q.route === BULK_ROUTE).flatMap((q) => new URLSearchParams(q.query).getAll('id').flatMap((v) => v.split(',')));
      assert.deepEqual(asked.filter((id) => cached.has(id)), [], `${phase} run: no body the cache held was fetched again`);
      assert.equal(new Set(asked).size, asked.length, `${phase} run: each body asked for once`);
      if (resumed) {
        assert.ok(log.filter((q) => q.route === LIST_ROUTE).every((q) => !q.query.includes('body-format')), `${phase} run: a resume lists without bodies`);
      }
      if (resumed && cached.size === PAGES) assert.deepEqual(log.map((q) => `${q.method} ${q.route}`), [], `${phase} run: every body was cached, so no request at all`);
      if (!killed) {
        completedBy = await run.exit;
        break;
      }
    }
    assert.ok(jobId, 'the job was recorded');
    const cached = cachedBodies(ws);
    ws.emu.resetLog();
    const state = jobRow(ws)?.state;
    if (state !== 'completed') {
      // A kill between a file's temporary write and its rename leaves the temporary file in the stage (the window is
      // narrow, so one is planted here): the resume must not ship it.
      const stage = stageOf(ws);
      if (stage) {
        mkdirSync(join(stage, 'markdown'), { recursive: true });
        writeFileSync(join(stage, 'markdown', `index.md.${process.pid}.0badc0de.tmp`), 'half a file');
      }
      const r = await csync(ws, ['export', 'resume', jobId]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`exported ${PAGES} of ${PAGES} item\\(s\\)`));
      const asked = ws.emu.requestLog().filter((q) => q.route === BULK_ROUTE).flatMap((q) => new URLSearchParams(q.query).getAll('id').flatMap((v) => v.split(',')));
      assert.deepEqual(asked.filter((id) => cached.has(id)), [], 'the last resume fetched no cached body again');
      assert.equal(asked.length, PAGES - cached.size, 'the last resume fetched each missing body once');
      if (cached.size === PAGES) assert.deepEqual(ws.emu.requestLog().map((q) => q.route), [], 'the last resume sent no request');
    } else assert.equal(completedBy, 0, 'the run that completed the job exited 0');

    const list = await csync(ws, ['export', 'list', '--json']);
    const jobs = (JSON.parse(list.stdout) as { jobs: Array<{ id: string; state: string }> }).jobs;
    assert.deepEqual(jobs.map((j) => [j.id, j.state]), [[jobId, 'completed']]);
    const v = await csync(ws, ['export', 'verify', out]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.deepEqual(readdirSync(ws.dir).filter((n) => n.includes('.partial') || n.includes('.csync-')), [], 'nothing left staged');

    // An uninterrupted export of the same pages, every body fetched again.
    const ref = join(ws.dir, 'reference.zip');
    const r = await csync(ws, ['export', ...FORMATS, '--no-cache', '--zip', ref]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [got, want] = [await zipFiles(out), await zipFiles(ref)];
    const content = (z: { files: Map<string, string> }) => [...z.files].filter(([name]) => name !== 'manifest.json' && name !== 'SHA256SUMS').sort();
    assert.deepEqual(content(got), content(want), 'the same files with the same bytes as an uninterrupted export');
    assert.equal(got.files.size, PAGES + 4, 'every page, index.md, pages.jsonl, the manifest and SHA256SUMS');
    const timeless = (m: Record<string, unknown>) => ({ ...m, jobId: undefined, createdAt: undefined });
    assert.deepEqual(timeless(got.manifest), timeless(want.manifest), 'the manifests agree but for the job id and time');
    assert.ok((got.manifest.items as Array<{ status: string }>).every((i) => i.status === 'done'));
  } finally {
    await ws.close();
  }
}

// npm test: a kill in every phase; the soak also leaves phases out (a first run that renders, a resume that lists).
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => (SOAK ? fc.option(a, { nil: null, freq: 3 }) : a);
const share = maybe(fc.integer({ min: 0, max: 999 }));
const plans = fc
  .record<Plan>({ listing: share, fetch: share, render: share, late: maybe(fc.constantFrom<Late>('jsonl', 'zip', 'published')) })
  .filter((p) => p.listing !== null || p.render !== null || p.late !== null); // at least one kill

test(`kill -9 at seeded points of a ${PAGES}-page export (listing, fetch, render, zip), resumed: nothing cached is fetched again, the bundle verifies and equals an uninterrupted export`, { timeout: SOAK ? 7_200_000 : 1_200_000 }, async () => {
  await assertSeededAsync('EXPORT_KILL', FILE, 'kill-resume', { seed: 15_2000, runs: SOAK ? 6 : 2, shrink: false }, fc.asyncProperty(plans, async (plan) => {
    const notes: string[] = [];
    try {
      await killAndResume(plan, notes);
      console.log(`plan ${JSON.stringify(plan)}: ${notes.join('; ')}`);
    } catch (err) {
      (err as Error).message += `\nruns: ${notes.join('; ')}`;
      throw err;
    }
  }));
});
