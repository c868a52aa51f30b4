/**
 * After a pull, a no-op pull and `csync status --local` take the stat fast path: they read no page file (issue 18,
 * flat memory and a fast CLI). The racy-mtime rule stays (issue 13, soak finding B): a file written within a
 * filesystem tick of its record keeps no mtime, so an edit that keeps its size and mtime is still found.
 * The real CLI against the emulator; the files each command opens for reading are logged by a preloaded hook.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStateStore } from '../../src/state/index.js';
import { RACY_MTIME_MS } from '../../src/state/sqlite/store.js';
import { fileOf, workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

const HOOK = fileURLToPath(new URL('./fixtures/read-log.mjs', import.meta.url));

/** Runs csync and returns its result with the workspace files (content/, attachments/) it opened for reading. */
async function withReads(ws: TestWorkspace, args: string[]) {
  const log = `${ws.dir}.reads.log`;
  rmSync(log, { force: true });
  const r = await ws.csync(args, { NODE_OPTIONS: `--import=${HOOK}`, CSYNC_TEST_READ_LOG: log });
  assert.equal(r.code, 0, `csync ${args.join(' ')}: ${r.stderr}`);
  const all = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  const reads = all.filter((p) => p.startsWith(ws.dir)).map((p) => p.slice(ws.dir.length + 1)).filter((p) => /^(content|attachments)\//.test(p));
  return { ...r, reads, logged: all.length };
}

/** The stored mtime of every tracked file (pages and attachments), by path. */
function storedMtimes(ws: TestWorkspace): Map<string, number> {
  const st = openStateStore(join(ws.dir, 'cache', 'state.db'), { readonly: true });
  try {
    return new Map([...st.pageMetasOfSpace('DEMO'), ...st.attachmentsOfSpace('DEMO')].map((r) => [r.path, r.mtimeMs]));
  } finally {
    st.close();
  }
}

/** Waits until every file written so far is out of the racy window (its mtime older than RACY_MTIME_MS). */
const pastRacyWindow = () => new Promise((r) => setTimeout(r, RACY_MTIME_MS + 200));

test('after a pull, a no-op pull and status --local read no page file; a same-size, same-mtime edit in the racy window is still found and pushed', { timeout: 180_000 }, async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    const first = await withReads(ws, ['pull']);
    assert.ok(first.logged > 0, 'the read hook is loaded');
    const tracked = storedMtimes(ws);
    assert.ok(tracked.size > 30, `the demo space is pulled (${tracked.size} files)`);
    // Written moments ago: within the racy window, so their mtimes are not trusted yet.
    for (const [path, mtime] of tracked) assert.ok(mtime === 0 || Date.now() - mtime >= RACY_MTIME_MS, `${path}: a racy mtime was stored`);

    // Once past the window, a pull hashes each file once more and stores its mtime (the stat of the file it wrote).
    await pastRacyWindow();
    await withReads(ws, ['pull']);
    for (const [path, mtime] of storedMtimes(ws)) assert.equal(mtime, statSync(join(ws.dir, path)).mtimeMs, `${path}: its mtime is stored`);

    // From then on, nothing is read: the stat fast path decides.
    const noop = await withReads(ws, ['pull']);
    assert.match(noop.stdout, /Already up to date: DEMO/);
    assert.deepEqual(noop.reads, [], 'a no-op pull reads no file');
    const status = await withReads(ws, ['status', '--local']);
    assert.match(status.stdout, /Everything in sync: DEMO/);
    assert.deepEqual(status.reads, [], 'status --local reads no file');

    // A web edit, pulled: the new file is recorded without its mtime (racy). An edit of the same size right after,
    // with the mtime put back (what a save within the same mtime tick looks like), is still found.
    const page = fileOf(ws, 'Onboarding');
    const id = /^id: *"?(\d+)"?$/m.exec(readFileSync(join(ws.dir, page), 'utf8'))![1]!;
    ws.emu.api.editPage(id, { body: '<p>Read the guide first, then ask.</p>' });
    const pulled = await withReads(ws, ['pull']);
    assert.match(pulled.stdout, /1 updated|updated: 1|Onboarding/, pulled.stdout);
    const abs = join(ws.dir, page);
    const written = statSync(abs);
    const text = readFileSync(abs, 'utf8');
    assert.match(text, /Read the guide first, then ask\./);
    assert.equal(storedMtimes(ws).get(page), 0, 'the file just written keeps no mtime in the record');
    const edited = text.replace('Read the guide first', 'Read the guide FIRST');
    assert.equal(edited.length, text.length);
    writeFileSync(abs, edited);
    utimesSync(abs, written.atimeMs / 1000, written.mtimeMs / 1000);
    assert.ok(Math.abs(statSync(abs).mtimeMs - written.mtimeMs) < 1, 'same size, same mtime (to the stat fast path)');
    const seen = await withReads(ws, ['status', '--local']);
    assert.match(seen.stdout, new RegExp(`modified: +${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), seen.stdout);
    assert.deepEqual([...new Set(seen.reads)], [page], 'status read only the racy file');

    // Later pulls neither overwrite nor trust it (its content is not the record's), and push sends it.
    await pastRacyWindow();
    await withReads(ws, ['pull']);
    assert.equal(readFileSync(abs, 'utf8'), edited, 'the pull left the edit in place');
    assert.equal(storedMtimes(ws).get(page), 0, 'and stored no mtime for it');
    const pushed = await ws.csync(['push']);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(ws.emu.api.body(id), /Read the guide FIRST, then ask\./);
  } finally {
    rmSync(`${ws.dir}.reads.log`, { force: true });
    await ws.close();
  }
});
