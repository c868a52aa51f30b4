/**
 * The live editor against real processes: `csync pull`, `push`, `sync` and the daemon (`csync watch`: its real
 * watcher, polling every second, pushing 50 ms after a save) killed with SIGKILL at random moments while the editor
 * (live-editor-harness.ts) changes, creates, renames and deletes files and another user edits pages. Every case runs
 * the daemon at least once; two daemon runs in a row are a restart after kill -9. Then the editor stops and two
 * `csync sync` runs finish the work. Invariants: every token the editor wrote last is in a file, a conflict copy or a
 * page; nothing outside the workspace is touched; a daemon never exits by itself while the editor works; the final
 * sync exits 0 (or 6: conflicts, each with its copy).
 * Every run explores the fixed seed and one fresh seed (printed; replay command on failure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { startEmulator } from '../../src/emulator/index.js';
import { cleanEnv, cliArgs, ROOT } from '../helpers/cli.js';
import { announce, checkSeed, suiteSeeds } from '../helpers/seeds.js';
import { editor, editorOpArb, fastTmp, readOr, snapshot, tokens, walk } from './live-editor-harness.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_LIVEKILL_CASES ?? (SOAK ? 40 : 4));
const seeds = suiteSeeds('CSYNC_LIVEKILL', 20261203, Math.ceil(CASES / 2), Math.floor(CASES / 2));
// Strict by default since the fs-safety re-check (item 2) landed; CSYNC_LIVE_STRICT=0 brings the exemptions back
// (to tell those two known patterns apart from a new failure while diagnosing).
const STRICT = process.env.CSYNC_LIVE_STRICT !== '0';
// CSYNC_LIVEKILL_EDITOR_SCALE=n (for exploring): the editor makes up to n times as many changes per case. At 1 (the
// default) the cases are the same as without it, so a seed replays as before.
const EDITOR_SCALE = Math.max(1, Number(process.env.CSYNC_LIVEKILL_EDITOR_SCALE ?? 1));

/** A one-shot command killed `killAfterMs` after its start; the daemon after `afterRuns` finished runs, then `killAfterMs`. */
type KillRun = { k: 'pull' | 'push' | 'sync'; killAfterMs: number } | { k: 'daemon'; afterRuns: number; killAfterMs: number };
const runArb: fc.Arbitrary<KillRun> = fc.oneof(
  fc.record({ k: fc.constantFrom('pull' as const, 'push' as const, 'sync' as const), killAfterMs: fc.integer({ min: 50, max: 2500 }) }),
  // Counted in the daemon's own steps (runs finished: polls, pushes, rescans), not in time, so a busy machine does
  // not turn every case into a kill during start-up: at once, during its first poll, or after a few polls and pushes.
  fc.record({ k: fc.constant('daemon' as const), afterRuns: fc.integer({ min: 0, max: 2 }), killAfterMs: fc.integer({ min: 0, max: 1000 }) }),
);
const killCaseArb = fc.record({
  pages: fc.integer({ min: 2, max: 5 }),
  // At least one daemon run per case (the first run becomes one when none was drawn).
  runs: fc
    .array(runArb, { minLength: 2, maxLength: 3 })
    .map((rs) => (rs.some((r) => r.k === 'daemon') ? rs : [{ k: 'daemon' as const, afterRuns: rs[0]!.killAfterMs % 3, killAfterMs: rs[0]!.killAfterMs % 1000 }, ...rs.slice(1)])),
  editor: fc.array(fc.record({ op: editorOpArb, delayMs: fc.integer({ min: 0, max: 400 }) }), { minLength: Math.round(2 * EDITOR_SCALE), maxLength: Math.round(10 * EDITOR_SCALE) }),
});
/** The daemon as `csync watch` runs it, made quick: a poll each second, a push 50 ms after a save, a rescan each 5 s. */
const DAEMON_ARGS = ['--listen', '127.0.0.1:0', '--debounce', '50', '--poll', '1', '--rescan', '5'];
/** Runs the daemon finished (polls, pushes, rescans; failed ones too), from its JSON log lines. */
const runsDone = (out: string): number => out.match(/"msg":"(poll|push|rescan) (done|failed; retrying)"/g)?.length ?? 0;
type KillCase = typeof killCaseArb extends fc.Arbitrary<infer T> ? T : never;

async function runCase(c: KillCase, known: string[]): Promise<void> {
  const emu = await startEmulator({ seed: 'empty' });
  const top = mkdtempSync(join(fastTmp(), 'csync-livekill-'));
  const ws = join(top, 'ws');
  const outside = join(top, 'outside');
  const log: string[] = [];
  try {
    const key = 'LIVE';
    emu.api.createSpace(key);
    const home = emu.api.createPage(key, 'Home', '<p>home</p>', null);
    for (let p = 0; p < c.pages; p++) emu.api.createPage(key, `Page ${p}`, `<p>page ${p}</p><p>middle</p>`, home.id);
    mkdirSync(join(ws, 'config'), { recursive: true });
    // The editor's random deletes (a few of 3 to 6 pages) would trip push's delete safety gate (50% by default): that
    // refusal is the product working, not a lost byte, and it would stop every later push of the case.
    writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ site: { url: emu.url }, spaces: [key], sync: { maxDeletePercent: 100 } }));
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.md'), 'not for Confluence\n');
    const before = snapshot(outside);
    const env = cleanEnv({ CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '500', CSYNC_RATE_BURST: '500' });
    const cli = (command: string, killAfterMs?: number, afterRuns = 0) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; up: boolean }>((resolve) => {
        const args = command === 'daemon' ? ['watch', '-w', ws, ...DAEMON_ARGS] : [command, '-w', ws, '--no-progress'];
        const child = spawn(process.execPath, [...cliArgs(), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let timer: NodeJS.Timeout | undefined;
        const killIn = (ms: number) => {
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => child.kill('SIGKILL'), ms);
        };
        // A one-shot command is killed `killAfterMs` after its start; the daemon that long after its `afterRuns`-th
        // finished run once it is up (on a busy machine its start alone can take seconds), or after 30 s without.
        const daemon = command === 'daemon';
        let up = false;
        let armed = false;
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (!daemon || armed) return;
          up ||= out.includes('"msg":"daemon started"');
          if (up && runsDone(out) >= afterRuns) {
            armed = true;
            killIn(killAfterMs ?? 0);
          }
        });
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        if (killAfterMs !== undefined) killIn(daemon ? 30_000 : killAfterMs);
        child.on('close', (code, signal) => {
          if (timer) clearTimeout(timer);
          resolve({ code, signal, out, up });
        });
      });
    const first = await cli('pull');
    assert.equal(first.code, 0, first.out);
    let n = 0;
    const root = join(ws, 'content', key);
    const daemonExits: string[] = [];
    const engine = (async () => {
      for (const r of c.runs) {
        const res = await cli(r.k, r.killAfterMs, r.k === 'daemon' ? r.afterRuns : 0);
        log.push(`${r.k} killed ${r.killAfterMs} ms after ${r.k === 'daemon' ? `its run ${r.afterRuns}` : 'its start'}: ${res.signal ?? `exit ${res.code}`}`);
        if (r.k === 'daemon') {
          log.push(`  daemon: ${runsDone(res.out)} run(s) done before the kill`);
          if (!res.up) daemonExits.push(`the daemon was not up within 30 s: ${res.out.slice(-1500)}`);
          else if (res.signal !== 'SIGKILL') daemonExits.push(`the daemon exited by itself (exit ${res.code}): ${res.out.slice(-1500)}`);
        }
      }
    })();
    // A CLI process is not observable from here: every save counts as made during a pull (item 2's pattern).
    const [, ed] = await Promise.all([engine, editor(c.editor, { root, emu, key, token: () => `tok${++n}x`, log, pulling: () => true })]);
    const fin1 = await cli('sync');
    const fin2 = await cli('sync');
    log.push(`final syncs: exit ${fin1.code}, exit ${fin2.code}`);
    assert.deepEqual(daemonExits, [], 'a daemon keeps running while the editor works (until it is killed)');
    assert.ok(fin2.code === 0 || fin2.code === 6, `the final sync succeeds (or reports conflicts): ${fin2.out}`);
    const present = new Set<string>();
    for (const f of walk(root)) if (f.endsWith('.md')) for (const t of tokens(readOr(f) ?? '')) present.add(t);
    for (const p of emu.api.pages(key)) for (const t of tokens(emu.api.body(p.id))) present.add(t);
    let lost = [...ed.written.keys()].filter((t) => !ed.deleted.has(t) && !present.has(t));
    const item2 = (t: string) => {
      const w = ed.written.get(t)!;
      return w.id !== undefined && ed.remoteEdited.has(w.id);
    };
    if (!STRICT && lost.length && lost.every(item2)) {
      known.push(`lost ${lost.join(', ')}`);
      lost = [];
    }
    assert.deepEqual(lost, [], 'bytes the editor wrote last are in no file, no conflict copy and no page');
    assert.equal(snapshot(outside), before, 'a file outside the workspace was touched');
    // CSYNC_LIVE_VERBOSE=1 prints every case's log (what the daemon managed before each kill), not only a failing one's.
    if (process.env.CSYNC_LIVE_VERBOSE === '1') console.log(`case log:\n    ${log.join('\n    ')}`);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n  case log:\n    ${log.join('\n    ')}`);
  } finally {
    await emu.close();
    rmSync(top, { recursive: true, force: true });
  }
}

announce('live-editor-kill', seeds);
test(`live editor with kill -9: CLI pull/push/sync and the daemon killed at random moments while an editor changes files, ${seeds.map((x) => `${x.cases} cases of ${x.kind} seed ${x.seed}`).join(' + ')}`, { timeout: SOAK ? Infinity : 600_000 }, async () => {
  const failed: string[] = [];
  const known: string[] = [];
  for (const s of seeds) {
    await checkSeed('CSYNC_LIVEKILL', 'live-editor-kill', s, fc.asyncProperty(killCaseArb, (c) => runCase(c, known)), EDITOR_SCALE === 1 ? {} : { CSYNC_LIVEKILL_EDITOR_SCALE: String(EDITOR_SCALE) }, { shrink: false }).catch((err: unknown) => failed.push(err instanceof Error ? err.message : String(err)));
  }
  if (known.length) console.log(`live-editor-kill: known failure ITEM2 (issue 13 item 2, save during a pull) in ${known.length} case(s) (run without CSYNC_LIVE_STRICT=0 to fail on them)`);
  if (failed.length) throw new Error(failed.join('\n\n'));
});
