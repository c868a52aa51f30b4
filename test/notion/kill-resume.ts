/**
 * kill -9 during `csync import notion`, then rerun, at any size: the real CLI against the emulator's Notion API
 * (in this process, on 127.0.0.1, no latency, no rate limit), then `csync push` into the emulator's Confluence.
 *
 * 1. A reference workspace imports the generated Notion workspace without interruption.
 * 2. Another workspace imports the same one and is killed (SIGKILL) at seeded random points: the first three
 *    quarters of the kills while items are fetched (after a random number of Notion requests of the run), the rest
 *    while files are written (after a random number of items were written, read from the checkpoint file). Each kill is followed by a rerun of the same command, until a run
 *    finishes.
 * 3. Checks: the files are byte for byte those of the reference; after an item's checkpoint (its row finished in the
 *    checkpoint file) no later run sends any request about it (its page, its blocks, its comments); the push
 *    creates exactly one Confluence page per file, no title twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanEnv, cliArgs, runCli } from '../helpers/cli.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';
import { prng } from '../../src/emulator/bench-body.js';

export interface KillResumeOptions {
  pages: number;
  blocksPerPage: number;
  /** Kills to attempt (fewer happen when a run finishes before its kill point). */
  kills: number;
  /** Kill k draws its point from seeds[k % seeds.length] (the suite's fixed seed, then a fresh one). */
  seeds: number[];
  /** Shown in every failure: the command that replays this seed. */
  replay: string;
  /** Items in flight (`--items`). */
  items?: number;
  /** Per-CLI-run time limit. */
  runTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface KillResumeReport {
  kills: Array<{ phase: 'fetch' | 'write'; at: number; finishedBefore: number }>;
  runs: number;
  cleanRequests: number;
  interruptedRequests: number;
  files: number;
  pushedPages: number;
  ms: { clean: number; interrupted: number; push: number };
}

const SPACE = 'GEN';
const notionEnv = (ws: TestWorkspace) => ({ NOTION_TOKEN: ws.emu.notion!.token, NOTION_API_URL: ws.emu.notion!.url });

function tree(ws: TestWorkspace): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of ['content', 'attachments']) for (const f of ws.files(sub)) out.set(f, readFileSync(join(ws.dir, f), 'utf8'));
  return out;
}

const dashed = (raw: string): string => {
  const hex = raw.replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : raw;
};

/** The imported item (page or database) a Notion request is about, or undefined (search, users, files). */
function itemOf(ws: TestWorkspace, path: string, query: string): string | undefined {
  const store = ws.emu.notion!.store;
  const m = /^\/notion\/v1\/(pages|blocks|databases|data_sources|comments)(?:\/([^/?]+))?/.exec(path);
  if (!m) return undefined;
  const id = m[1] === 'comments' ? dashed(new URLSearchParams(query.replace(/^\?/, '')).get('block_id') ?? '') : dashed(m[2] ?? '');
  if (m[1] === 'blocks') return store.pageOf(id) ?? id;
  if (m[1] === 'data_sources') return store.dataSources.get(id)?.databaseId ?? id;
  return id;
}

/** The checkpoint file's view of the current run: items finished (fetched) and items written. */
function checkpointState(ws: TestWorkspace): { finished: Set<string>; written: number; total: number; runFinished: boolean } {
  const file = join(ws.dir, 'cache', 'notion-import.db');
  if (!existsSync(file)) return { finished: new Set(), written: 0, total: 0, runFinished: false };
  const db = new Database(file, { readonly: true });
  try {
    const run = (db.prepare('SELECT MAX(id) AS id FROM runs').get() as { id: number | null }).id ?? 0;
    const finished = new Set((db.prepare('SELECT id FROM items WHERE seen_run = ?').all(run) as Array<{ id: string }>).map((r) => r.id));
    const written = (db.prepare('SELECT COUNT(*) AS n FROM items WHERE written_run = ?').get(run) as { n: number }).n;
    const total = (db.prepare('SELECT COUNT(*) AS n FROM items WHERE queued_run = ? OR seen_run = ?').get(run, run) as { n: number }).n;
    const runFinished = (db.prepare('SELECT finished FROM runs WHERE id = ?').get(run) as { finished: string | null } | undefined)?.finished != null;
    return { finished, written, total, runFinished };
  } finally {
    db.close();
  }
}

/** Written items of the current run, read cheaply while the CLI runs (undefined while the file is not there). */
function writtenCount(ws: TestWorkspace): number | undefined {
  const file = join(ws.dir, 'cache', 'notion-import.db');
  if (!existsSync(file)) return undefined;
  try {
    const db = new Database(file, { readonly: true, timeout: 100 });
    try {
      const run = (db.prepare('SELECT MAX(id) AS id FROM runs').get() as { id: number | null }).id ?? 0;
      return (db.prepare('SELECT COUNT(*) AS n FROM items WHERE written_run = ?').get(run) as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

export async function killAndResume(o: KillResumeOptions): Promise<KillResumeReport> {
  const log = o.log ?? (() => undefined);
  const rngs = o.seeds.map(prng);
  const spec = { seed: { pages: o.pages, blocksPerPage: o.blocksPerPage }, rateLimit: false as const };
  const timeout = o.runTimeoutMs ?? 600_000;
  const ref = await workspaceWithEmulator({ seed: 'empty', spaces: [SPACE], notion: spec });
  const ws = await workspaceWithEmulator({ seed: 'empty', spaces: [SPACE], notion: spec });
  const fail = (msg: string) => `${msg}\nreplay: ${o.replay}`;
  try {
    const rootId = [...ref.emu.notion!.store.pages.keys()][0]!;
    const args = ['import', 'notion', '--root', rootId, '--space', SPACE, '--rps', '2000', '--items', String(o.items ?? 8)];
    let t = Date.now();
    const clean = await runCli(['-w', ref.dir, '--no-progress', ...args], { env: notionEnv(ref), timeoutMs: timeout });
    assert.equal(clean.code, 0, fail(`the uninterrupted import failed: ${clean.stderr}`));
    const cleanMs = Date.now() - t;
    const cleanRequests = ref.emu.requestLog().filter((e) => e.path.startsWith('/notion/')).length;
    const items = checkpointState(ref).total;
    log(`uninterrupted import: ${o.pages} pages, ${cleanRequests} requests, ${(cleanMs / 1000).toFixed(1)} s`);

    t = Date.now();
    const report: KillResumeReport = { kills: [], runs: 0, cleanRequests, interruptedRequests: 0, files: 0, pushedPages: 0, ms: { clean: cleanMs, interrupted: 0, push: 0 } };
    // Items whose checkpoint was in the file when the run they finished in was killed: no later run may ask for them.
    let finished = new Set<string>();
    for (let k = 0; ; k++) {
      const rng = rngs[k % rngs.length]!;
      const state = checkpointState(ws);
      const fetched = state.total > 0 && state.finished.size === state.total;
      const want = k < o.kills;
      // The last quarter of the kills fall in the write phase (a kill there ends the fetching for good), the others
      // while items are fetched.
      const phase: 'fetch' | 'write' = fetched || k >= o.kills - Math.ceil(o.kills / 4) ? 'write' : 'fetch';
      const left = Math.max(1, cleanRequests * (1 - state.finished.size / items));
      const at = phase === 'fetch' ? Math.max(2, Math.floor(left * (0.05 + rng() * 0.6))) : Math.max(1, Math.floor(items * (0.02 + rng() * 0.9)));
      ws.emu.resetLog();
      const child = spawn(process.execPath, [...cliArgs(), '-w', ws.dir, '--no-progress', ...args], { env: cleanEnv(notionEnv(ws)), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.resume();
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
      const guard = setTimeout(() => child.kill('SIGKILL'), timeout);
      let killed = false;
      const poll = want
        ? setInterval(
            () => {
              if (killed) return;
              const reached = phase === 'fetch' ? ws.emu.requestLog().length >= at : (writtenCount(ws) ?? 0) >= at;
              if (reached) {
                killed = true;
                child.kill('SIGKILL');
              }
            },
            phase === 'fetch' ? 2 : 20,
          )
        : undefined;
      const r = await done;
      if (poll) clearInterval(poll);
      clearTimeout(guard);
      report.runs++;
      const runLog = ws.emu.requestLog();
      report.interruptedRequests += runLog.filter((e) => e.path.startsWith('/notion/')).length;
      for (const e of runLog) {
        const item = itemOf(ws, e.path, e.query);
        assert.ok(item === undefined || !finished.has(item), fail(`run ${report.runs}: ${e.method} ${e.path}${e.query} asks again for ${item}, finished before the kill that ended run ${report.runs - 1}`));
      }
      // A kill that lands after the import recorded its run as finished (the last items can be written between two
      // polls) did not interrupt anything: that run is the finished one, and a further run would be a new re-import.
      if (killed && checkpointState(ws).runFinished) {
        log(`kill ${report.kills.length + 1} came after the import had finished: that run counts as the finished one`);
        break;
      }
      if (!killed) {
        assert.equal(r.signal, null, fail(`run ${report.runs} was stopped by ${r.signal} (time limit ${timeout} ms?)`));
        assert.equal(r.code, 0, fail(`run ${report.runs} failed: ${stderr.slice(-2000)}`));
        break;
      }
      finished = checkpointState(ws).finished;
      report.kills.push({ phase, at, finishedBefore: finished.size });
      log(`kill ${report.kills.length}: ${phase} phase after ${at} ${phase === 'fetch' ? 'requests' : 'written items'} (${finished.size}/${items} items fetched)`);
    }
    report.ms.interrupted = Date.now() - t;

    const a = tree(ref);
    const b = tree(ws);
    const missing = [...a.keys()].filter((f) => !b.has(f));
    const extra = [...b.keys()].filter((f) => !a.has(f));
    assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }, { missing: [], extra: [] }, fail('the interrupted import has other files than the uninterrupted one'));
    for (const [f, text] of a) assert.equal(b.get(f), text, fail(`${f} differs from the uninterrupted import`));
    report.files = ws.files('content').length;

    t = Date.now();
    ws.emu.api.createSpace(SPACE);
    const push = await runCli(['-w', ws.dir, '--no-progress', 'push'], { env: { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000' }, timeoutMs: timeout });
    report.ms.push = Date.now() - t;
    assert.equal(push.code, 0, fail(`push failed: ${push.stderr.slice(-2000)}${push.stdout.slice(-2000)}`));
    const pages = [...ws.emu.store.pages.values()].filter((p) => p.status === 'current');
    const titles = new Map<string, number>();
    for (const p of pages) titles.set(p.title, (titles.get(p.title) ?? 0) + 1);
    const twice = [...titles].filter(([, n]) => n > 1).map(([title]) => title);
    assert.deepEqual(twice, [], fail('pages pushed twice'));
    assert.equal(pages.length, report.files, fail('one Confluence page per imported file'));
    report.pushedPages = pages.length;
    log(`push: ${pages.length} pages in ${(report.ms.push / 1000).toFixed(1)} s`);
    return report;
  } finally {
    await ref.close();
    await ws.close();
  }
}
