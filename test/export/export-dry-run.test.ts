/**
 * `csync export --dry-run` and `--validate-only` through the real CLI against the emulator: they write nothing (no
 * bundle, no job row, no cache entry, not even SQLite's -wal/-shm beside jobs.db or state.db: the whole workspace is
 * compared byte for byte, with mtimes) and send fewer requests than the export they stand for: the listing without
 * bodies, no attachment listing or download, labels only to filter on, and the space id the workspace already knows
 * (an earlier export, its sync state) instead of a lookup by key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

const V2 = '/wiki/api/v2';

/** Every file and folder of the workspace: a file's sha256, size and mtime. */
function snapshot(ws: TestWorkspace): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        out[`${relative(ws.dir, p)}/`] = 'folder';
        walk(p);
      } else out[relative(ws.dir, p)] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${statSync(p).size} ${statSync(p).mtimeMs}`;
    }
  };
  walk(ws.dir);
  return out;
}

test('export --dry-run / --validate-only: nothing written (no job, no cache, no bundle), fewer requests than the export, no bodies or attachments', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const current = [...ws.emu.store.pages.values()].filter((p) => p.status === 'current' && ws.emu.store.spaces.get(p.spaceId)?.key === 'DEMO').length;
    assert.ok(current > 5);
    const zip = join(ws.dir, 'out', 'demo.zip');
    const folder = join(ws.dir, 'demo');
    const formats = ['--format', 'md', '--format', 'json', '--format', 'pdf'];
    const routes = () => ws.emu.requestLog().map((q) => `${q.method} ${q.route}${q.query.includes('body-format') ? ' +bodies' : ''}`).sort();

    /** A dry run (or validate-only) of the same export: what it printed, what it sent; the workspace is unchanged. */
    const dry = async (flag: '--dry-run' | '--validate-only', target: string[]) => {
      const before = snapshot(ws);
      ws.emu.resetLog();
      const r = await ws.csync(['export', flag, ...formats, ...target, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { ok: boolean; dryRun: boolean; items: number; requests: number; pages?: Array<{ title: string }> };
      assert.equal(out.items, current, 'every current page of the space');
      assert.equal(out.dryRun, flag === '--dry-run');
      assert.equal(out.pages?.length, flag === '--dry-run' ? current : undefined);
      assert.equal(out.requests, ws.emu.requestLog().length, 'it counts what it sent');
      assert.deepEqual(snapshot(ws), before, `${flag} changed the workspace`);
      assert.equal(existsSync(zip), false);
      assert.equal(existsSync(folder), false);
      const sent = routes();
      assert.deepEqual(sent.filter((q) => q.endsWith('+bodies')), [], 'no bodies');
      assert.deepEqual(sent.filter((q) => /attachment|download|content\/search|labels/.test(q)), [], 'no attachments (listed or downloaded), no labels');
      assert.ok(ws.emu.requestLog().every((q) => q.method === 'GET'));
      return sent;
    };

    // A workspace that never exported or synced: the space's id is looked up (and not remembered: nothing is written).
    for (const flag of ['--dry-run', '--validate-only'] as const) {
      assert.deepEqual(await dry(flag, ['--zip', zip]), [`GET ${V2}/spaces`, `GET ${V2}/spaces/{id}/pages`]);
      assert.deepEqual(await dry(flag, ['--out', folder]), [`GET ${V2}/spaces`, `GET ${V2}/spaces/{id}/pages`]);
    }
    assert.deepEqual(Object.keys(snapshot(ws)), ['config/', 'config/csync.json'], 'no cache/, no logs/, no job, not even the zip\'s folder');

    // The export itself: the same listing with bodies, the space's labels (pages.jsonl), the attachments.
    ws.emu.resetLog();
    const real = await ws.csync(['export', ...formats, '--zip', zip, '--json']);
    assert.equal(real.code, 0, real.stderr);
    const firstExport = routes();
    assert.ok(firstExport.includes(`GET ${V2}/spaces/{id}/pages +bodies`));
    assert.ok(firstExport.some((q) => /download|attachments/.test(q)), `the export downloads the attachments: ${firstExport.join(', ')}`);
    const jobs = async () => (JSON.parse((await ws.csync(['export', 'list', '--json'])).stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id);
    const jobIds = await jobs();
    assert.equal(jobIds.length, 1);
    rmSync(zip);

    // After an export, the id it remembered is read (jobs.db, read only): the dry run sends the listing only,
    // fewer requests than the re-export of the same unchanged pages.
    for (const flag of ['--dry-run', '--validate-only'] as const) {
      const sent = await dry(flag, ['--zip', zip]);
      assert.deepEqual(sent, [`GET ${V2}/spaces/{id}/pages`]);
      assert.ok(sent.length < firstExport.length);
    }
    ws.emu.resetLog();
    const again = await ws.csync(['export', ...formats, '--zip', zip, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const reExport = routes();
    assert.ok(reExport.length > 1, `a re-export lists the pages and more: ${reExport.join(', ')}`);
    assert.deepEqual((await jobs()).sort(), [...jobIds, (JSON.parse(again.stdout) as { jobId: string }).jobId].sort(), 'the two exports are the only jobs: dry runs record none');

    // A synced workspace (cache/state.db) with no export history: the id comes from the sync state, read without
    // leaving state.db-wal / -shm behind.
    rmSync(join(ws.dir, 'cache', 'export'), { recursive: true, force: true });
    rmSync(zip);
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.ok(existsSync(join(ws.dir, 'cache', 'state.db')));
    for (const flag of ['--dry-run', '--validate-only'] as const) assert.deepEqual(await dry(flag, ['--out', folder]), [`GET ${V2}/spaces/{id}/pages`]);
    assert.equal(existsSync(join(ws.dir, 'cache', 'export')), false);

    // Labels only: the label's listing, without bodies; the space is not listed.
    ws.emu.resetLog();
    const before = snapshot(ws);
    const byLabel = await ws.csync(['export', '--dry-run', '--label', 'runbook', '--out', folder, '--json']);
    assert.equal(byLabel.code, 0, byLabel.stderr);
    assert.equal((JSON.parse(byLabel.stdout) as { items: number }).items, 2);
    assert.deepEqual(snapshot(ws), before);
    assert.ok(routes().every((q) => !q.endsWith('+bodies') && !q.includes('/spaces/{id}/pages')), routes().join(', '));
  } finally {
    await ws.close();
  }
});
