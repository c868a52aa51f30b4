/**
 * A file a stopped pull left in cache/moving/<id>.md is put back at its page's path by the next run, but never over a
 * file the user created there after that run's scan: the put-back is a no-clobber move (safe-fs moveNoClobber: a hard
 * link that fails when the name is taken). The window between the scan and the move is opened deterministically with
 * the test-only pause (CSYNC_TEST_PAUSE_BEFORE_REPLACE, ..._MARK, ..._GO in safe-fs.ts).
 * The real CLI in a child process, the emulator as Confluence, real files and state.db.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgs, cleanEnv } from '../helpers/cli.js';
import { leaveAside, type TestWorkspace, workspaceWithEmulator, writes } from '../helpers/workspace.js';

/** Runs the CLI paused right before its put-back of `rel`; `during` runs in the pause, which then ends at once. */
async function pausedAt(ws: TestWorkspace, args: string[], rel: string, during: () => void): Promise<{ code: number | null; out: string; paused: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'csync-pause-'));
  const mark = join(dir, 'pause.mark');
  const go = join(dir, 'pause.go');
  const env = cleanEnv({
    CONFLUENCE_EMAIL: ws.emu.credentials.email,
    CONFLUENCE_API_TOKEN: ws.emu.credentials.token,
    CSYNC_PROFILE: 'fast',
    CSYNC_RATE_REQUESTS_PER_SECOND: '200',
    CSYNC_RATE_BURST: '200',
    // A cap only: the pause ends as soon as the test creates `go`.
    CSYNC_TEST_PAUSE_BEFORE_REPLACE: '120000',
    CSYNC_TEST_PAUSE_MARK: mark,
    CSYNC_TEST_PAUSE_GO: go,
  });
  const child = spawn(process.execPath, [...cliArgs(), '-w', ws.dir, '--no-progress', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  let done = false;
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const watcher = (async () => {
    try {
      while (!done) {
        if (existsSync(mark) && readFileSync(mark, 'utf8').split('\n').includes(rel)) {
          during();
          return true;
        }
        // Any other pause (none expected) is let go at once.
        if (existsSync(mark)) writeFileSync(go, '');
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    } finally {
      writeFileSync(go, '');
    }
  })();
  const code = await closed;
  done = true;
  const paused = await watcher;
  rmSync(dir, { recursive: true, force: true });
  return { code, out, paused };
}

for (const next of ['push', 'pull'] as const) {
  test(`a file created at the page's path while the next ${next} puts the moved-aside file back survives; the page's file stays in cache/moving, with a warning`, async () => {
    const ws = await workspaceWithEmulator({ seed: 'demo' });
    try {
      assert.equal((await ws.csync(['pull'])).code, 0);
      const { rel, original, id, aside } = leaveAside(ws, 'Architecture');
      ws.emu.resetLog();
      const users = 'The user wrote this file here meanwhile.\n';
      const r = await pausedAt(ws, [next], rel, () => writeFileSync(join(ws.dir, rel), users));
      assert.ok(r.paused, `the run reached the put-back of ${rel}: ${r.out}`);
      assert.equal(readFileSync(join(ws.dir, rel), 'utf8'), users, "the user's file is not overwritten");
      assert.equal(readFileSync(aside, 'utf8'), original, "the page's file stays where it was put aside");
      assert.ok(r.out.includes(`warning: ${rel}: a file appeared here while csync was putting the page's file back from cache/moving/${id}.md; both left as they are`), r.out);
      assert.equal(r.code, 10, r.out);
      assert.deepEqual(writes(ws), [], 'nothing written to Confluence for it');
      assert.equal(ws.emu.api.page(id).status, 'current');
    } finally {
      await ws.close();
    }
  });
}
