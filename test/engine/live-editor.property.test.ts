/**
 * The "live editor" suite (issue 13): while pull, push and sync run against the emulator, with faults (runs that
 * crash part way, lost answers, writes whose record is lost) and another user editing in Confluence, an editor keeps
 * changing, creating, renaming and deleting files at random moments. Invariants, after the editor stops and a
 * fault-free sync:
 *   (1) every byte the editor wrote last is in a file, in Confluence or in a conflict copy: each token the editor
 *       wrote is found unless the editor itself deleted the file holding it;
 *   (2) nothing outside the workspace is touched (a sibling folder and its files keep their bytes and mtimes);
 *   (3) every run terminates (a request budget per run, a step counter);
 *   (4) a run without faults does not fail because files change under it.
 * A 'daemon' run is the daemon's own passes (src/daemon/passes.ts: the marked push, the poll, the rescan) with one
 * daemon per case kept across its runs.
 * The engine runs in-process (cheap cases: the editor's writes land between the engine's awaits, at file and HTTP
 * boundaries); live-editor-kill.test.ts does the same with the real CLI killed by SIGKILL.
 * Every run explores the fixed seed and one fresh seed; the editor's timing is part of the case (delays in ms), so a
 * replay repeats the same operations at the same moments, though not always the same interleaving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createChangeCheck, createLocalState, type DaemonEngine } from '../../src/daemon/engine-state.js';
import type { LoopCallbacks } from '../../src/daemon/loop.js';
import { daemonPasses } from '../../src/daemon/passes.js';
import { startExports } from '../../src/daemon/session.js';
import { runPull } from '../../src/engine/pull.js';
import { createMetrics } from '../../src/obs/metrics.js';
import { runPush } from '../../src/engine/push.js';
import { getFormat } from '../../src/format/index.js';
import { silentLogger } from '../../src/obs/logger.js';
import type { ConfluenceClient } from '../../src/remote/index.js';
import { announce, checkSeed, suiteSeeds } from '../helpers/seeds.js';
import { applyFault, editor, fastTmp, liveCaseArb, snapshot, TOKEN_RE, walk, type LiveCase, type Run } from './live-editor-harness.js';
import { createClient, requestBudget } from './sync-harness.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_LIVE_CASES ?? (SOAK ? Number(process.env.CSYNC_SOAK_CASES ?? 2000) / 2 : 200));
const seeds = SOAK && process.env.CSYNC_LIVE_SEED === undefined ? suiteSeeds('CSYNC_LIVE', 20261203, 0, CASES).filter((x) => x.cases > 0) : suiteSeeds('CSYNC_LIVE', 20261203, Math.ceil((CASES * 3) / 4), Math.floor(CASES / 4));
const MAX_REQUESTS_PER_RUN = 800;
const tokens = (text: string) => text.match(TOKEN_RE) ?? [];
const readOr = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Failures this suite found, both fixed (the pull's re-check before replacing; a file renamed under a pull is left to
 * the next run). CSYNC_LIVE_STRICT=0 exempts them again by exact pattern, for diagnosis; by default they fail the suite:
 * - ITEM2: issue 13 item 2, "a save during a pull is lost": a pull replaces a file without re-checking it against
 *   its scan (src/engine/pull/execute.ts, fixed there by the fs-safety work). Pattern: the token was written while
 *   a pull ran, to the file of a page another user had edited (so the pull downloads or merges that very page).
 * - VANISHED: a pull fails with ENOENT when a file it scanned is renamed or deleted before it reads it
 *   (src/engine/pull/execute.ts). Pattern: a fault-free pull failing with ENOENT from src/engine/pull/.
 */
// Strict by default since the fs-safety re-check (item 2) landed; CSYNC_LIVE_STRICT=0 brings the exemptions back
// (to tell those two known patterns apart from a new failure while diagnosing).
const STRICT = process.env.CSYNC_LIVE_STRICT !== '0';
const known = { ITEM2: [] as string[], VANISHED: [] as string[] };

let spaceCounter = 0;

async function runCase(emu: Emulator, client: ConfluenceClient, c: LiveCase): Promise<void> {
  // One emulator and one client serve every case (starting them cost more than most cases): each case has its own
  // space, and the request log starts empty (the crash faults count requests from the start of a run).
  const key = `LIVE${++spaceCounter}`;
  emu.resetLog();
  emu.clearFaults();
  emu.api.createSpace(key);
  const home = emu.api.createPage(key, 'Home', '<p>home</p>', null);
  for (let p = 0; p < c.pages; p++) emu.api.createPage(key, `Page ${p}`, `<p>page ${p}</p><p>middle</p><p>end</p>`, p > 1 && p % 2 === 0 ? emu.api.pages(key)[1]!.id : home.id);
  const top = mkdtempSync(join(fastTmp(), 'csync-live-'));
  const ws = join(top, 'ws');
  const outside = join(top, 'outside');
  mkdirSync(join(outside, 'notes'), { recursive: true });
  writeFileSync(join(outside, 'secret.md'), '---\ntitle: Secret\n---\nnot for Confluence\n');
  writeFileSync(join(outside, 'notes', 'Home.md'), 'a file with a page-like name\n');
  const before = snapshot(outside);
  const root = join(ws, 'content', key);
  const log: string[] = [];
  let n = 0;
  const token = () => `tok${++n}x`;
  const steps: string[] = [];
  const unexpected: string[] = [];
  const common = { workspace: ws, api: client, spaces: [key], formatFor: () => getFormat('markdown'), maxDelete: { percent: 100 }, force: false, dryRun: false, concurrency: c.concurrency, logger: silentLogger() };
  let pulling = false;
  let vanished = false;
  // The daemon's passes, as `csync watch` composes them (one per case, alive across the case's daemon runs, like a
  // daemon that keeps running while the editor works): the watcher is played by the files changed since the last
  // daemon run, so the marked push, the poll and the rescan each get their turn.
  let daemon: { passes: Required<LoopCallbacks>; close(): void; since: number } | undefined;
  const startDaemonPasses = async () => {
    const base = loadConfig({ workspace: ws, env: {} });
    const config = { ...base, sync: { ...base.sync, maxDeletePercent: 100 }, concurrency: { ...base.concurrency, pages: c.concurrency } };
    const engine: DaemonEngine = { config, client, spaces: [key] };
    const logger = silentLogger();
    const { exports, close } = await startExports(engine, logger);
    const state = createLocalState(engine, createMetrics(), logger, undefined);
    return { passes: daemonPasses({ engine, logger, check: createChangeCheck(engine, logger), state, exports }), close, since: 0 };
  };
  const marked = (since: number) =>
    walk(root).filter((f) => {
      try {
        return f.endsWith('.md') && lstatSync(f).mtimeMs >= since;
      } catch {
        return false;
      }
    }).map((f) => relative(ws, f));
  const daemonRun = async (): Promise<void> => {
    const fresh = daemon === undefined;
    daemon ??= await startDaemonPasses();
    const d = daemon;
    const signal = new AbortController().signal;
    const poll = async () => {
      pulling = true;
      try {
        await d.passes.pollRemote(signal);
      } finally {
        pulling = false;
      }
    };
    // A daemon starts with its start-up pass (the first poll: pull, then push everything), then reacts to saves.
    if (fresh) await poll();
    const paths = marked(d.since);
    d.since = Date.now();
    if (paths.length) await d.passes.pushPaths(paths, signal);
    if (!fresh) await poll();
    await d.passes.rescanLocal(signal);
  };
  const attempt = async (r: Run): Promise<string> => {
    let left = 0;
    const end = applyFault(emu, r.fault);
    const budget = requestBudget(emu, MAX_REQUESTS_PER_RUN);
    try {
      if (r.k === 'daemon') {
        await daemonRun();
        return 'ok';
      }
      if (r.k !== 'push') {
        pulling = true;
        try {
          left += (await runPull(common)).skipped.length;
        } finally {
          pulling = false;
        }
      }
      if (r.k !== 'pull') left += (await runPush(common)).skipped.length;
      return left ? `ok, ${left} path(s) left to the next run` : 'ok';
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const where = ((err as Error).stack ?? '').split('\n').find((l) => l.includes('/src/')) ?? '';
      if (r.fault.kind === 'none' && !STRICT && e.code === 'ENOENT' && /src\/engine\/pull\//.test(where)) vanished = true;
      else if (r.fault.kind === 'none') unexpected.push(`a fault-free ${r.k} failed: ${e.code ?? ''} ${e.message ?? String(err)} ${where}`);
      return `failed (${e.code ?? 'error'})`;
    } finally {
      if (budget()) steps.push(`invariant 3: a ${r.k} made more than ${MAX_REQUESTS_PER_RUN} requests`);
      end();
      emu.clearFaults();
    }
  };
  try {
    log.push(`initial sync: ${await attempt({ k: 'sync', fault: { kind: 'none' } })}`);
    const engine = (async () => {
      for (const r of c.runs) log.push(`${r.k} with ${JSON.stringify(r.fault)}: ${await attempt(r)}`);
    })();
    const [, ed] = await Promise.all([engine, editor(c.editor, { root, emu, key, token, log, pulling: () => pulling })]);
    // The editor stops; faults stop; one more sync, and a second one for what the first left to the next run.
    const fin = await attempt({ k: 'sync', fault: { kind: 'none' } });
    log.push(`final sync: ${fin}`);
    // The second one only when the first left something to the next run (a failure, a path skipped): otherwise it
    // has nothing to do, and most cases are cheaper without it.
    if (fin !== 'ok') log.push(`final sync: ${await attempt({ k: 'sync', fault: { kind: 'none' } })}`);
    assert.deepEqual(steps, [], 'invariant 3: a run did not terminate within its request budget');
    assert.deepEqual(unexpected, [], 'invariant 4: a run without faults failed while the editor worked');
    // (1) every byte the editor wrote last
    const present = new Set<string>();
    for (const f of walk(root)) if (f.endsWith('.md')) for (const t of tokens(readOr(f) ?? '')) present.add(t);
    for (const p of emu.api.pages(key)) for (const t of tokens(emu.api.body(p.id))) present.add(t);
    let lost = [...ed.written.keys()].filter((t) => !ed.deleted.has(t) && !present.has(t));
    const item2 = (t: string) => {
      const w = ed.written.get(t)!;
      return w.duringPull && w.id !== undefined && ed.remoteEdited.has(w.id);
    };
    if (!STRICT && lost.length && lost.every(item2)) {
      known.ITEM2.push(`lost ${lost.join(', ')}`);
      lost = [];
    }
    assert.deepEqual(lost, [], 'invariant 1: bytes the editor wrote last are in no file, no conflict copy and no page');
    if (vanished) known.VANISHED.push('a pull failed with ENOENT');
    // (2) nothing outside the workspace
    assert.equal(snapshot(outside), before, 'invariant 2: a file outside the workspace was touched');
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n  case log:\n    ${log.join('\n    ')}`);
  } finally {
    daemon?.close();
    rmSync(top, { recursive: true, force: true });
  }
}

announce('live-editor.property', seeds);
test(`live editor: pull, push, sync and the daemon's passes with faults while an editor changes files, ${seeds.map((x) => `${x.cases} cases of ${x.kind} seed ${x.seed}`).join(' + ')}, 3 invariants`, { timeout: SOAK ? Infinity : 900_000 }, async () => {
  const failed: string[] = [];
  const emu = await startEmulator({ seed: 'empty' });
  emu.faults.set({ stallMs: 200 });
  const client = createClient(emu);
  try {
    for (const s of seeds) {
      await checkSeed('CSYNC_LIVE', 'live-editor.property', s, fc.asyncProperty(liveCaseArb, (c) => runCase(emu, client, c)), {}, { shrink: false }).catch((err: unknown) =>
        failed.push(err instanceof Error ? err.message : String(err)),
      );
    }
  } finally {
    await client.close();
    await emu.close();
  }
  // Known failures owned elsewhere (see `known`): counted and printed, so they stay visible until fixed.
  for (const [kind, cases] of Object.entries(known)) if (cases.length) console.log(`live-editor.property: known failure ${kind} in ${cases.length} case(s) (run without CSYNC_LIVE_STRICT=0 to fail on them)`);
  if (failed.length) throw new Error(failed.join('\n\n'));
});
