/**
 * Crash safety: kill -9 the real CLI at random moments of a 2,000-page pull; after each kill a rerun (itself maybe
 * killed) carries on. At the end: the pull completes, every page file is whole and matches the state's base,
 * integrity_check passes, and the bodies downloaded stay within 2,000 plus what was in flight at the kills.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseFile } from '../../src/format/front-matter.js';
import { prng } from '../../src/emulator/bench-body.js';
import { cleanEnv, cliArgs, ROOT } from '../helpers/cli.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { unpack as storedText } from '../../src/state/sqlite/store.js';

const KILLS = Number(process.env.CSYNC_CRASH_KILLS ?? 20);
const PAGES = 2000;

test(`kill -9 at ${KILLS} random moments of a ${PAGES}-page pull: reruns converge, nothing partial or downloaded twice`, { timeout: 600_000 }, async () => {
  const ws = await workspaceWithEmulator({ seed: PAGES, spaces: ['BENCH'], latencyMs: 3 });
  const random = prng(Number(process.env.CSYNC_SEED ?? 20261122));
  const env = cleanEnv({ CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_RATE_REQUESTS_PER_SECOND: '500', CSYNC_RATE_BURST: '500', CSYNC_CONCURRENCY_PAGES: '8' });
  const runOnce = (killAfterMs?: number) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...cliArgs(), 'pull', '-w', ws.dir, '--no-progress'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, stderr });
      });
    });
  try {
    let killed = 0;
    for (let i = 0; i < KILLS; i++) {
      // Start-up takes ~0.5–1 s; the pull itself a few seconds: kill anywhere in that span.
      const r = await runOnce(400 + Math.floor(random() * 4000));
      if (r.signal === 'SIGKILL') killed++;
      else assert.equal(r.code, 0, `an unkilled run must succeed: ${r.stderr}`);
    }
    const final = await runOnce();
    assert.equal(final.code, 0, final.stderr);
    assert.ok(killed >= Math.min(KILLS, 3), `at least some runs were killed mid-way (${killed})`);
    const files = ws.files('content').filter((f) => f.endsWith('.md'));
    assert.equal(files.length, PAGES, 'every page has its file');
    const db = new Database(join(ws.dir, 'cache', 'state.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const bases = new Map((db.prepare('SELECT path, base FROM pages').all() as Array<{ path: string; base: string | Buffer }>).map((r) => [r.path, storedText(r.base)]));
      assert.equal(bases.size, PAGES);
      for (const f of files) {
        const text = readFileSync(join(ws.dir, f), 'utf8');
        assert.equal(text, bases.get(f), `${f} is whole and matches the synced base`);
        assert.ok(parseFile(text).meta.id, `${f} has its page id`);
      }
      assert.equal((db.prepare('SELECT count(*) AS n FROM staged_bodies').get() as { n: number }).n, 0, 'no staged body is left behind');
    } finally {
      db.close();
    }
    // Bodies are staged per listing page of 250 before any file is written: a kill loses at most the batch in flight.
    const bound = PAGES + killed * 250;
    assert.ok(ws.emu.store.bodiesServed <= bound, `${ws.emu.store.bodiesServed} bodies downloaded, bound ${bound}`);
    assert.deepEqual(ws.emu.invalidRequests(), []);
  } finally {
    await ws.close();
  }
});
