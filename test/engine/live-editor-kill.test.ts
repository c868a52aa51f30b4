/**
 * The live editor against the real CLI: `csync pull`, `push` and `sync` processes killed with SIGKILL at random
 * moments while the editor (live-editor-harness.ts) changes, creates, renames and deletes files and another user
 * edits pages. Then the editor stops and two `csync sync` runs finish the work. Invariants: every token the editor
 * wrote last is in a file, a conflict copy or a page (issue 13 item 2's pattern aside, see live-editor.property);
 * nothing outside the workspace is touched; the final sync exits 0 (or 6: conflicts, each with its copy).
 * Every run explores the fixed seed and one fresh seed (printed; replay command on failure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { startEmulator } from '../../src/emulator/index.js';
import { cleanEnv, cliArgs, ROOT } from '../helpers/cli.js';
import { announce, checkSeed, suiteSeeds } from '../helpers/seeds.js';
import { editor, editorOpArb, readOr, snapshot, tokens, walk } from './live-editor-harness.js';

const SOAK = process.env.CSYNC_SOAK === '1';
const CASES = Number(process.env.CSYNC_LIVEKILL_CASES ?? (SOAK ? 40 : 4));
const seeds = suiteSeeds('CSYNC_LIVEKILL', 20261203, Math.ceil(CASES / 2), Math.floor(CASES / 2));
// Strict by default since the fs-safety re-check (item 2) landed; CSYNC_LIVE_STRICT=0 brings the exemptions back
// (to tell those two known patterns apart from a new failure while diagnosing).
const STRICT = process.env.CSYNC_LIVE_STRICT !== '0';

const killCaseArb = fc.record({
  pages: fc.integer({ min: 2, max: 5 }),
  runs: fc.array(fc.record({ k: fc.constantFrom('pull' as const, 'push' as const, 'sync' as const), killAfterMs: fc.integer({ min: 50, max: 2500 }) }), { minLength: 2, maxLength: 3 }),
  editor: fc.array(fc.record({ op: editorOpArb, delayMs: fc.integer({ min: 0, max: 400 }) }), { minLength: 2, maxLength: 10 }),
});
type KillCase = typeof killCaseArb extends fc.Arbitrary<infer T> ? T : never;

async function runCase(c: KillCase, known: string[]): Promise<void> {
  const emu = await startEmulator({ seed: 'empty' });
  const top = mkdtempSync(join(tmpdir(), 'csync-livekill-'));
  const ws = join(top, 'ws');
  const outside = join(top, 'outside');
  const log: string[] = [];
  try {
    const key = 'LIVE';
    emu.api.createSpace(key);
    const home = emu.api.createPage(key, 'Home', '<p>home</p>', null);
    for (let p = 0; p < c.pages; p++) emu.api.createPage(key, `Page ${p}`, `<p>page ${p}</p><p>middle</p>`, home.id);
    mkdirSync(join(ws, 'config'), { recursive: true });
    writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ site: { url: emu.url }, spaces: [key] }));
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.md'), 'not for Confluence\n');
    const before = snapshot(outside);
    const env = cleanEnv({ CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '500', CSYNC_RATE_BURST: '500' });
    const cli = (command: string, killAfterMs?: number) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [...cliArgs(), command, '-w', ws, '--no-progress'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        child.on('close', (code, signal) => {
          if (timer) clearTimeout(timer);
          resolve({ code, signal, out });
        });
      });
    const first = await cli('pull');
    assert.equal(first.code, 0, first.out);
    let n = 0;
    const root = join(ws, 'content', key);
    const engine = (async () => {
      for (const r of c.runs) {
        const res = await cli(r.k, r.killAfterMs);
        log.push(`${r.k} killed after ${r.killAfterMs} ms: ${res.signal ?? `exit ${res.code}`}`);
      }
    })();
    // A CLI process is not observable from here: every save counts as made during a pull (item 2's pattern).
    const [, ed] = await Promise.all([engine, editor(c.editor, { root, emu, key, token: () => `tok${++n}x`, log, pulling: () => true })]);
    const fin1 = await cli('sync');
    const fin2 = await cli('sync');
    log.push(`final syncs: exit ${fin1.code}, exit ${fin2.code}`);
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
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n  case log:\n    ${log.join('\n    ')}`);
  } finally {
    await emu.close();
    rmSync(top, { recursive: true, force: true });
  }
}

announce('live-editor-kill', seeds);
test(`live editor with kill -9: CLI pull/push/sync killed at random moments while an editor changes files, ${seeds.map((x) => `${x.cases} cases of ${x.kind} seed ${x.seed}`).join(' + ')}`, { timeout: SOAK ? Infinity : 600_000 }, async () => {
  const failed: string[] = [];
  const known: string[] = [];
  for (const s of seeds) {
    await checkSeed('CSYNC_LIVEKILL', 'live-editor-kill', s, fc.asyncProperty(killCaseArb, (c) => runCase(c, known)), {}, { shrink: false }).catch((err: unknown) => failed.push(err instanceof Error ? err.message : String(err)));
  }
  if (known.length) console.log(`live-editor-kill: known failure ITEM2 (issue 13 item 2, save during a pull) in ${known.length} case(s) (run without CSYNC_LIVE_STRICT=0 to fail on them)`);
  if (failed.length) throw new Error(failed.join('\n\n'));
});
