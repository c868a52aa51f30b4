/**
 * Crash safety of push (issue 13, item 6): kill -9 the real CLI at several points of a push of 60 page updates; the
 * reruns recognise the updates that reached Confluence (pending updates, src/engine/sent.ts) instead of taking them
 * for someone else's edits. At the end: exit 0, no conflict, no conflict copy, every page exactly one version newer
 * (no update sent twice), every file equal to its synced base and its page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseFile } from '../../src/format/front-matter.js';
import { cleanEnv, cliArgs, ROOT } from '../helpers/cli.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { unpack as storedText } from '../../src/state/sqlite/store.js';

const PAGES = 60;
/** Kill the push once this many more updates were answered (each rerun starts counting again). */
const KILL_AFTER = [3, 12, 1, 20, 9];

test(`kill -9 at ${KILL_AFTER.length} points of a ${PAGES}-update push: the reruns recognise their own updates (exit 0, no conflict, no extra version)`, { timeout: 300_000 }, async () => {
  const ws = await workspaceWithEmulator({ seed: PAGES + 1, spaces: ['BENCH'], latencyMs: 2 });
  const env = cleanEnv({ CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_RATE_REQUESTS_PER_SECOND: '500', CSYNC_RATE_BURST: '500' });
  const runOnce = (command: string, killAfterUpdates?: number) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...cliArgs(), command, '-w', ws.dir, '--no-progress'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const from = ws.emu.requestLog().length;
      const timer =
        killAfterUpdates === undefined
          ? undefined
          : setInterval(() => {
              const done = ws.emu.requestLog().slice(from).filter((r) => r.method === 'PUT' && r.status === 200).length;
              if (done >= killAfterUpdates) child.kill('SIGKILL');
            }, 1);
      child.on('close', (code, signal) => {
        if (timer) clearInterval(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  try {
    const pulled = await runOnce('pull');
    assert.equal(pulled.code, 0, pulled.stderr);
    const files = ws.files('content').filter((f) => f.endsWith('.md'));
    assert.equal(files.length, PAGES + 1);
    const ids = new Map<string, string>();
    let n = 0;
    for (const f of files) {
      const abs = join(ws.dir, f);
      const text = readFileSync(abs, 'utf8');
      const id = String(parseFile(text).meta.id);
      if (ws.emu.api.page(id).parentId === null) continue; // the home page stays as it is
      ids.set(f, id);
      writeFileSync(abs, `${text.replace(/\n*$/, '\n')}\nEdit number ${++n} with _emphasis_ and a [link](https://example.com/${n}).\n\n+ one\n+ two\n`);
    }
    assert.equal(ids.size, PAGES);
    let killed = 0;
    for (const [i, k] of KILL_AFTER.entries()) {
      const r = await runOnce('push', k);
      if (r.signal === 'SIGKILL') killed++;
      else assert.equal(r.code, 0, `a push that was not killed succeeds: ${r.stderr}`);
      if (i === 1) {
        // A pull after a killed push takes the versions it sent for its own: nothing to download or merge.
        const p = await runOnce('pull');
        assert.equal(p.code, 0, `a pull after the kill succeeds without conflicts: ${p.stdout}\n${p.stderr}`);
        assert.match(p.stdout, /Already up to date|nothing written/, p.stdout);
      }
    }
    assert.ok(killed >= 3, `pushes were killed part way (${killed} of ${KILL_AFTER.length})`);
    const final = await runOnce('push');
    assert.equal(final.code, 0, `the rerun succeeds without conflicts: ${final.stdout}\n${final.stderr}`);
    assert.match(final.stdout, / 0 conflicted/);
    assert.doesNotMatch(final.stdout + final.stderr, /identically|both sides/i, 'no update is taken for a change made on both sides');
    assert.deepEqual(ws.files('content').filter((f) => /\.conflict-/.test(f)), [], 'no conflict copy');
    for (const [f, id] of ids) {
      const page = ws.emu.api.page(id);
      assert.equal(page.version.number, 2, `${f}: exactly one new version (the update was not sent twice)`);
      assert.match(ws.emu.api.body(id), /Edit number \d+/, `${f}: Confluence holds the edit`);
    }
    const db = new Database(join(ws.dir, 'cache', 'state.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const rows = (db.prepare('SELECT path, base, version, status FROM pages').all() as Array<{ path: string; base: string | Buffer; version: number; status: string }>).map((r) => ({ ...r, base: storedText(r.base) }));
      for (const r of rows.filter((x) => ids.has(x.path))) {
        assert.equal(r.status, 'synced', r.path);
        assert.equal(r.version, 2, `${r.path}: the state knows the version sent`);
        assert.equal(readFileSync(join(ws.dir, r.path), 'utf8'), r.base, `${r.path}: the file is its synced base`);
      }
      assert.equal((db.prepare('SELECT count(*) AS n FROM pending_updates').get() as { n: number }).n, 0, 'no pending update is left');
    } finally {
      db.close();
    }
    const status = await runOnce('status');
    assert.equal(status.code, 0, status.stderr);
    const again = await runOnce('push');
    assert.equal(again.code, 0, again.stderr);
    for (const id of ids.values()) assert.equal(ws.emu.api.page(id).version.number, 2, 'a push after that sends nothing');
    assert.deepEqual(ws.emu.invalidRequests(), []);
  } finally {
    await ws.close();
  }
});
