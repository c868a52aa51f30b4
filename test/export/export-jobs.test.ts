/**
 * Export jobs through the real CLI: kill -9 in the middle of a 600-page export (while the listing, which carries the
 * bodies, is under way), then `export resume` lists again without bodies and fetches by id only the bodies that were
 * not cached yet (counted at the emulator, id by id), records a page deleted in the meantime as failed (exit 11) and
 * leaves a bundle that verifies; `export cancel` of an interrupted job removes its partial bundle and the job can no
 * longer be resumed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, cliArgs, runCli } from '../helpers/cli.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

const PAGES = 600;
const BULK_ROUTE = '/wiki/api/v2/pages';
const LIST_ROUTE = '/wiki/api/v2/spaces/{id}/pages';

const listingsDone = (ws: TestWorkspace) => ws.emu.requestLog().filter((q) => q.method === 'GET' && q.route === LIST_ROUTE && q.status === 200).length;
/** The page ids a bulk request asked for. */
const idsOf = (query: string) => new URLSearchParams(query).getAll('id').flatMap((v) => v.split(','));

const envOf = (ws: TestWorkspace) => ({ CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' });
/** The CLI with a long timeout: rendering hundreds of pages on a busy 2-core machine. */
const csyncLong = (ws: TestWorkspace, args: string[]) => runCli(['-w', ws.dir, '--no-progress', ...args], { env: envOf(ws), timeoutMs: 300_000 });

/** Starts an export and SIGKILLs it once `listings` listing requests (250 pages with their bodies each) were answered. */
async function exportKilledAfter(ws: TestWorkspace, out: string, listings: number): Promise<void> {
  const env = cleanEnv(envOf(ws));
  const child = spawn(process.execPath, [...cliArgs(), '-w', ws.dir, '--no-progress', 'export', '--format', 'md', '--no-attachments', '--out', out], { env, stdio: 'ignore' });
  const closed = new Promise((r) => child.on('close', r));
  const deadline = Date.now() + 60_000;
  while (listingsDone(ws) < listings && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await closed;
  assert.ok(listingsDone(ws) >= listings, 'the export got as far as the listing before the kill');
  assert.ok(ws.emu.requestLog().filter((q) => q.route === LIST_ROUTE).every((q) => q.query.includes('body-format=storage')), 'the listing carries the bodies');
}

function cachedBodies(ws: TestWorkspace): Set<string> {
  const dir = join(ws.dir, 'cache', 'export', 'bodies');
  // A body whose write the kill interrupted has a folder but no <version>.json yet: not cached.
  return new Set(existsSync(dir) ? readdirSync(dir).filter((id) => readdirSync(join(dir, id)).some((f) => /^\d+\.json$/.test(f))) : []);
}

async function onlyJob(ws: TestWorkspace, state: string): Promise<{ id: string; state: string }> {
  const list = await ws.csync(['export', 'list', '--json']);
  const jobs = (JSON.parse(list.stdout) as { jobs: Array<{ id: string; state: string }> }).jobs.filter((j) => j.state === state);
  assert.equal(jobs.length, 1, list.stdout);
  return jobs[0]!;
}

test('kill -9 mid-export, then resume: only uncached bodies are fetched, a page deleted meanwhile fails (exit 11), the bundle verifies', async () => {
  const ws = await workspaceWithEmulator({ seed: PAGES, spaces: ['BENCH'] });
  try {
    ws.emu.setLatency(300);
    const out = join(ws.dir, 'bench-bundle');
    await exportKilledAfter(ws, out, 2);
    assert.equal(existsSync(out), false, 'no bundle under its name after a kill');
    const job = await onlyJob(ws, 'running');
    const status = await ws.csync(['export', 'status', job.id.slice(0, 12)]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /running \(interrupted: its process is gone/);

    const cached = cachedBodies(ws);
    assert.ok(cached.size >= 250 && cached.size < PAGES, `cached ${cached.size}`);
    const victim = [...ws.emu.store.pages.values()].find((p) => p.status === 'current' && !cached.has(p.id))!;

    // The resume lists again (the selection was not finished) and then asks for the uncached bodies by id: the
    // victim goes to the trash as the first of those requests arrives (it is answered 300 ms later).
    ws.emu.resetLog();
    const resumed = csyncLong(ws, ['export', 'resume', job.id]);
    const deadline = Date.now() + 120_000;
    while (!ws.emu.requestLog().some((q) => q.route === BULK_ROUTE) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ws.emu.store.trashPage(victim);
    const r = await resumed;
    assert.equal(r.code, 11, r.stderr);
    assert.match(r.stdout, new RegExp(`exported ${PAGES - 1} of ${PAGES} item\\(s\\)`));
    assert.match(r.stdout, new RegExp(`failed: ${victim.title} \\(${victim.id}\\): CSYNC_NOT_FOUND`));
    const log = ws.emu.requestLog();
    const listings = log.filter((q) => q.route === LIST_ROUTE);
    assert.equal(listings.length, Math.ceil(PAGES / 250), 'the space listed once more');
    assert.ok(listings.every((q) => !q.query.includes('body-format')), 'without bodies: the cached ones are not fetched again');
    const bulk = log.filter((q) => q.route === BULK_ROUTE);
    assert.equal(bulk.length, Math.ceil((PAGES - cached.size) / 250), `body requests on resume (cached before: ${cached.size})`);
    const asked = bulk.flatMap((q) => idsOf(q.query));
    assert.equal(asked.length, PAGES - cached.size, 'each uncached body asked for once');
    assert.deepEqual(asked.filter((id) => cached.has(id)), [], 'no cached body fetched again');

    const v = await ws.csync(['export', 'verify', out]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: Array<{ id: string; status: string; error?: string }> };
    assert.equal(manifest.items.length, PAGES);
    assert.equal(manifest.items.find((i) => i.id === victim.id)?.status, 'failed');
    assert.equal(manifest.items.filter((i) => i.status === 'done').length, PAGES - 1);
    assert.equal(readdirSync(ws.dir).filter((n) => n.includes('.partial')).length, 0, 'no staging folder left');
    const again = await ws.csync(['export', 'resume', job.id]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /is completed: nothing to resume/);
  } finally {
    await ws.close();
  }
});

test('export cancel of an interrupted job removes its partial bundle; a cancelled job cannot be resumed', async () => {
  const ws = await workspaceWithEmulator({ seed: PAGES, spaces: ['BENCH'] });
  try {
    ws.emu.setLatency(300);
    const out = join(ws.dir, 'cancelled');
    await exportKilledAfter(ws, out, 1);
    const job = await onlyJob(ws, 'running');
    assert.equal(readdirSync(ws.dir).filter((n) => n.includes('.partial')).length, 1, 'a staging folder while interrupted');
    const c = await ws.csync(['export', 'cancel', job.id]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /cancelled/);
    assert.equal(readdirSync(ws.dir).filter((n) => n.includes('.partial')).length, 0, 'staging folder removed');
    assert.equal(existsSync(out), false);
    const r = await ws.csync(['export', 'resume', job.id]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is cancelled: nothing to resume/);
    const s = await ws.csync(['export', 'status', 'nosuchjob']);
    assert.equal(s.code, 2, 'an unknown job id is a usage error');
    assert.match(s.stderr, /no export job nosuchjob/);
  } finally {
    await ws.close();
  }
});
