import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseFile } from '../../src/format/front-matter.js';
import { conflictCopies, withPulledWorkspace, withWorkspace } from '../helpers/workspace.js';
import { unpack as storedText } from '../../src/state/sqlite/store.js';

const LISTING_ROUTES = /^GET \/wiki\/(api\/v2\/(spaces|spaces\/\{id\}\/pages|spaces\/\{id\}\/content\/labels|labels\/\{id\}\/pages)|rest\/api\/content\/search)$/;

function mtimes(dir: string, files: string[]): Map<string, number> {
  return new Map(files.map((f) => [f, statSync(join(dir, f)).mtimeMs]));
}

test('the demo space pulls completely; a second pull makes only listing requests and writes nothing', async () => {
  await withWorkspace(async (ws) => {
    const first = await ws.csync(['pull']);
    assert.equal(first.code, 0, first.stderr);
    const pages = ws.emu.api.pages('DEMO');
    const files = ws.files('content');
    assert.equal(files.length, pages.length, 'one file per page');
    const ids = new Set(files.map((f) => parseFile(readFileSync(join(ws.dir, f), 'utf8')).meta.id));
    for (const p of pages) assert.ok(ids.has(p.id), `page ${p.title} has a file`);
    assert.deepEqual(ws.files('attachments').map((f) => f.split('/').pop()), ['logo.png', 'report.csv']);
    assert.deepEqual(ws.emu.invalidRequests(), []);
    // Bodies came with the listing: no per-page GETs.
    assert.equal(ws.emu.requestCounts()['GET /wiki/api/v2/pages/{id}'] ?? 0, 0);
    const before = mtimes(ws.dir, [...files, ...ws.files('attachments')]);
    ws.emu.resetLog();
    const second = await ws.csync(['pull']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Already up to date: DEMO \(\d+ pages checked, nothing written\)/);
    for (const r of ws.emu.requestLog()) assert.match(`${r.method} ${r.route}`, LISTING_ROUTES, `a no-op pull made ${r.method} ${r.route}`);
    assert.deepEqual(mtimes(ws.dir, [...files, ...ws.files('attachments')]), before, 'nothing was rewritten');
  });
});

test('remote rename, move and delete are mirrored with no leftovers', async () => {
  await withPulledWorkspace(async (ws) => {
    const api = ws.emu.api;
    const retro = api.pageByTitle('DEMO', '2026-11-09 Retro')!;
    const install = api.pageByTitle('DEMO', 'Installation')!; // has children Linux, macOS
    const images = api.pageByTitle('DEMO', 'Images and files')!; // has attachments
    const planning = api.pageByTitle('DEMO', '2026-11-16 Planning')!;
    api.renamePage(retro.id, 'Retrospective');
    api.renamePage(install.id, 'Setup');
    api.movePage(images.id, api.pageByTitle('DEMO', 'Architecture')!.id);
    api.deletePage(planning.id);
    const r = await ws.csync(['pull']);
    assert.equal(r.code, 0, r.stderr);
    const files = ws.files('content');
    const home = 'content/DEMO/Demo space home';
    assert.ok(files.includes(`${home}/Meeting notes/Retrospective.md`));
    assert.ok(!files.includes(`${home}/Meeting notes/2026-11-09 Retro.md`));
    assert.ok(files.includes(`${home}/Getting started/Setup.md`));
    assert.ok(files.includes(`${home}/Getting started/Setup/Linux.md`), 'children follow a renamed parent');
    assert.ok(!existsSync(join(ws.dir, home, 'Getting started', 'Installation')), 'the old children folder is gone');
    assert.ok(files.includes(`${home}/Architecture/Images and files.md`));
    assert.deepEqual(ws.files('attachments').filter((f) => f.endsWith('logo.png')), [`attachments/DEMO/Demo space home/Architecture/Images and files/logo.png`], 'attachments move with their page');
    assert.ok(!files.some((f) => f.includes('2026-11-16 Planning')), 'the deleted page left content/');
    const trash = readdirSync(join(ws.dir, 'cache', 'trash'), { recursive: true }).map(String);
    assert.ok(trash.some((f) => f.endsWith('2026-11-16 Planning.md')), 'the deleted page is in cache/trash');
    assert.equal(existsSync(join(ws.dir, 'cache', 'moving')), false, 'no staging leftovers');
    assert.equal(files.length, api.pages('DEMO').length);
    // The front matter of the renamed page carries the new title and the same id.
    const meta = parseFile(readFileSync(join(ws.dir, home, 'Meeting notes', 'Retrospective.md'), 'utf8')).meta;
    assert.deepEqual([meta.id, meta.title], [retro.id, 'Retrospective']);
  });
});

test('a local edit plus a remote edit gives a conflict copy with the local file intact (exit 6)', async () => {
  await withPulledWorkspace(async (ws) => {
    const page = ws.emu.api.pageByTitle('DEMO', 'Configuration')!;
    const file = join(ws.dir, 'content/DEMO/Demo space home/Getting started/Configuration.md');
    const mine = readFileSync(file, 'utf8') + '\nMy local edit.\n';
    writeFileSync(file, mine);
    ws.emu.api.editPage(page.id, { body: '<p>Their remote edit.</p>' });
    const r = await ws.csync(['pull']);
    assert.equal(r.code, 6, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), mine, 'the local file is untouched');
    const copy = ws.files('content').find((f) => /Configuration\.conflict-\d{8}-\d{6}-remote\.md$/.test(f));
    assert.ok(copy, 'a conflict copy sits beside the file');
    assert.match(readFileSync(join(ws.dir, copy), 'utf8'), /Their remote edit\./);
    assert.ok(r.stdout.includes(`CONFLICT content/DEMO/Demo space home/Getting started/Configuration.md`));
    assert.ok(r.stdout.includes(copy!), 'the output names the copy');
    // A remote change to the same page with the local file unedited elsewhere still flows.
    const other = ws.emu.api.pageByTitle('DEMO', 'First sync')!;
    ws.emu.api.editPage(other.id, { body: '<p>Changed remotely.</p>' });
    const again = await ws.csync(['pull']);
    assert.equal(again.code, 6, 'the conflict remains until resolved');
    assert.equal(conflictCopies(ws.files('content')).length, 1, 'no second copy of the same remote version');
    assert.match(readFileSync(join(ws.dir, 'content/DEMO/Demo space home/Getting started/First sync.md'), 'utf8'), /Changed remotely\./);
    assert.equal(readFileSync(file, 'utf8'), mine);
  });
});

test('hostile titles land inside content/ with distinct names and map back to their pages', async () => {
  await withWorkspace(async (ws) => {
    const api = ws.emu.api;
    const titles = ['../../x', 'a/b', 'CON', 'x'.repeat(300), 'Rocket 🚀 launch', 'Caf\u00e9', 'Cafe\u0301', 'Readme', 'README', '...', 'tab\there', 'trailing dot.', 'back\\slash', 'nul\u0000byte'];
    const ids = new Map<string, string>();
    for (const t of titles) ids.set(api.createPage('DEMO', t, `<p>${t.length}</p>`).id, t);
    const r = await ws.csync(['pull']);
    assert.equal(r.code, 0, r.stderr);
    const files = ws.files('content');
    assert.equal(files.length, api.pages('DEMO').length, 'every page has its own file');
    assert.equal(new Set(files.map((f) => f.normalize('NFC').toLowerCase())).size, files.length, 'names are distinct ignoring case and normalisation');
    const seen = new Map<string, string>();
    for (const f of files) {
      assert.ok(f.startsWith('content/DEMO/'), `${f} is inside content/DEMO`);
      for (const part of f.split('/')) {
        assert.ok(Buffer.byteLength(part) <= 255, `${part.slice(0, 20)}… fits a file name`);
        assert.doesNotMatch(part, /^(con|prn|aux|nul)(\.|$)/i);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(part, /[\u0000-\u001f<>:"\\|?*]/);
        assert.doesNotMatch(part, /[ .]$/);
      }
      const meta = parseFile(readFileSync(join(ws.dir, f), 'utf8')).meta;
      seen.set(meta.id!, meta.title!);
    }
    for (const [id, title] of ids) assert.equal(seen.get(id), title, `page ${JSON.stringify(title)} round-trips through its file`);
    assert.equal(existsSync(join(ws.dir, '..', 'x.md')), false);
  });
});

test('safety gate: a mass delete stops the run with nothing changed (exit 7) unless --force', async () => {
  await withPulledWorkspace(async (ws) => {
    const before = ws.files('content');
    const pages = ws.emu.api.pages('DEMO');
    for (const p of pages.slice(Math.floor(pages.length / 3))) ws.emu.api.deletePage(p.id);
    const r = await ws.csync(['pull']);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /would delete \d+ page\(s\), more than the limit \(50% of 39 page\(s\)\); nothing was changed/);
    assert.deepEqual(ws.files('content'), before);
    const forced = await ws.csync(['pull', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(ws.files('content').length, ws.emu.api.pages('DEMO').length);
  });
});

test('--dry-run prints the plan and changes nothing at all, not even cache/state.db', async () => {
  await withWorkspace(async (ws) => {
    const r = await ws.csync(['pull', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Dry run for DEMO: nothing was changed/);
    assert.match(r.stdout, /new\s+content\/DEMO\/Demo space home\.md/);
    assert.deepEqual(ws.files('content'), []);
    assert.deepEqual(ws.files('cache'), []);
    assert.deepEqual(ws.files('attachments'), []);
    assert.equal(ws.emu.requestLog().filter((x) => x.method !== 'GET').length, 0);
  });
});

test('one process per workspace: a live holder is named (exit 8); a stale lock is taken over', async () => {
  await withWorkspace(async (ws) => {
    const lock = join(ws.dir, 'cache', 'csync.lock');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(ws.dir, 'cache'), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), command: 'watch', startedAt: '2026-11-22T10:00:00.000Z' }));
    const r = await ws.csync(['pull']);
    assert.equal(r.code, 8);
    assert.match(r.stderr, new RegExp(`in use by another csync process: pid ${process.pid} .* running 'watch' since 2026-11-22T10:00:00.000Z`));
    assert.deepEqual(ws.files('content'), []);
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), command: 'pull', startedAt: '2026-11-22T10:00:00.000Z' }));
    const r2 = await ws.csync(['pull']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(existsSync(lock), false, 'the lock is released at the end');
  });
});

test('the state database passes integrity_check and holds the merge base of every page', async () => {
  await withPulledWorkspace(async (ws) => {
    const db = new Database(join(ws.dir, 'cache', 'state.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const rows = (db.prepare('SELECT path, base, hash FROM pages').all() as Array<{ path: string; base: string | Buffer; hash: string }>).map((r) => ({ ...r, base: storedText(r.base) }));
      assert.equal(rows.length, ws.emu.api.pages('DEMO').length);
      for (const row of rows) assert.equal(readFileSync(join(ws.dir, row.path), 'utf8'), row.base);
      assert.equal((db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'ok'").get() as { n: number }).n, 1);
    } finally {
      db.close();
    }
  });
});

test('edits on both sides that do not overlap are merged by pull, and sync pushes the merge: nothing lost, no conflict', async () => {
  await withPulledWorkspace(async (ws) => {
    const page = ws.emu.api.pageByTitle('DEMO', 'Configuration')!;
    const file = join(ws.dir, 'content/DEMO/Demo space home/Getting started/Configuration.md');
    writeFileSync(file, readFileSync(file, 'utf8') + '\nMy local note at the end.\n');
    const body = ws.emu.api.body(page.id);
    ws.emu.api.editPage(page.id, { body: `<p>Their remote note at the top.</p>${body}` });
    const versionBefore = ws.emu.api.pageByTitle('DEMO', 'Configuration')!.version.number;
    const r = await ws.csync(['sync']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 page\(s\) changed on both sides were merged/);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /Their remote note at the top\./);
    assert.match(text, /My local note at the end\./);
    assert.deepEqual(conflictCopies(ws.files('content')), [], 'no conflict copy');
    const remote = ws.emu.api.body(page.id);
    assert.match(remote, /Their remote note at the top\./);
    assert.match(remote, /My local note at the end\./);
    assert.equal(ws.emu.api.pageByTitle('DEMO', 'Configuration')!.version.number, versionBefore + 1, 'the merge is one new version');
    const status = await ws.csync(['status']);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    ws.emu.resetLog();
    const again = await ws.csync(['sync']);
    assert.equal(again.code, 0);
    assert.equal(ws.emu.requestLog().filter((q) => q.method !== 'GET').length, 0, 'a second sync writes nothing');
  });
});
