/**
 * `csync resolve --keep remote` on an ordinary conflict replaces the local file: the replaced bytes are kept in
 * cache/trash (nothing is ever silently lost) and the command says where. `--keep local` says the remote version it
 * drops stays in Confluence's history. Real CLI, real files, the emulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileOf, withPulledWorkspace, withWorkspace, writes, type TestWorkspace } from '../helpers/workspace.js';

const copies = (ws: TestWorkspace) => ws.files('content').filter((f) => f.includes('.conflict-'));

/** Architecture edited on both sides; the push stops on the conflict (exit 6) and saves the remote version beside the file. */
async function bothChanged(ws: TestWorkspace): Promise<{ rel: string; id: string; mine: Buffer }> {
  assert.equal((await ws.csync(['pull'])).code, 0);
  const rel = fileOf(ws, 'Architecture');
  const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
  ws.emu.api.editPage(page.id, { body: ws.emu.api.body(page.id).replace('Edit it in Confluence', 'Remote wording') });
  // Bytes a lossy round trip would not keep: CRLF, a trailing space, no final newline.
  const mine = Buffer.from(readFileSync(join(ws.dir, rel), 'utf8').replace('Edit it in Confluence', 'Local wording, mine alone').replace(/\n/g, '\r\n') + 'last line ', 'utf8');
  writeFileSync(join(ws.dir, rel), mine);
  const push = await ws.csync(['push']);
  assert.equal(push.code, 6, push.stdout + push.stderr);
  assert.equal(copies(ws).length, 1);
  return { rel, id: page.id, mine };
}

test('resolve --keep remote on a both-changed conflict keeps the replaced local bytes in cache/trash and prints where (was: overwritten, no copy anywhere)', async () => {
  await withWorkspace(async (ws) => {
    const { rel, id, mine } = await bothChanged(ws);
    const version = ws.emu.api.page(id).version.number;
    const dry = await ws.csync(['resolve', rel, '--keep', 'remote', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, new RegExp(`^Dry run: would replace .*Architecture\\.md with the remote version ${version} from .*Architecture\\.conflict-.*; your file goes to cache/trash\\.$`, 'm'));
    assert.deepEqual(readFileSync(join(ws.dir, rel)), mine, 'the dry run changed nothing');
    assert.deepEqual(ws.files('cache/trash'), []);

    const r = await ws.csync(['resolve', rel, '--keep', 'remote']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = /^Resolved: (.*)\. Your file is kept at '(cache\/trash\/\d{8}T\d{6}\/.+\/Architecture\.md)'\.$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(`${m[1]}.`, dry.stdout.replace('Dry run: would ', '').trim(), 'the dry run said what the run did');
    assert.deepEqual(ws.files('cache/trash'), [m[2]], 'one file in the trash, the one named');
    assert.deepEqual(readFileSync(join(ws.dir, m[2]!)), mine, 'the trash copy holds the local bytes exactly');
    assert.ok(m[2]!.endsWith(`/${rel}`), 'kept under its workspace path');

    assert.match(readFileSync(join(ws.dir, rel), 'utf8'), /Remote wording/);
    assert.deepEqual(copies(ws), [], 'the conflict copy is gone');
    ws.emu.resetLog();
    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.deepEqual(writes(ws), [], 'nothing sent: the file is the remote version');
    assert.equal(ws.emu.api.page(id).version.number, version);
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  });
});

test('resolve --keep remote --json names the trash copy; a file that already holds the remote text is not trashed', async () => {
  await withWorkspace(async (ws) => {
    const { rel } = await bothChanged(ws);
    // The user copied the remote version into the file: replacing it loses nothing, so nothing goes to the trash.
    writeFileSync(join(ws.dir, rel), readFileSync(join(ws.dir, copies(ws)[0]!)));
    const dry = await ws.csync(['resolve', rel, '--keep', 'remote', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.doesNotMatch(dry.stdout, /trash/);
    const r = await ws.csync(['--json', 'resolve', rel, '--keep', 'remote']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const data = JSON.parse(r.stdout) as { ok: boolean; keep: string; trashed?: string };
    assert.equal(data.ok, true);
    assert.equal(data.trashed, undefined);
    assert.ok(!existsSync(join(ws.dir, 'cache/trash')) || ws.files('cache/trash').length === 0);
    assert.match(readFileSync(join(ws.dir, rel), 'utf8'), /Remote wording/);
  });
});

test('resolve --keep remote --json on a both-changed conflict: "trashed" is the file holding the local bytes', async () => {
  await withWorkspace(async (ws) => {
    const { rel, mine } = await bothChanged(ws);
    const r = await ws.csync(['--json', 'resolve', rel, '--keep', 'remote']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const data = JSON.parse(r.stdout) as { ok: boolean; path: string; keep: string; trashed?: string };
    assert.equal(data.path, rel);
    assert.ok(data.trashed?.startsWith('cache/trash/'), r.stdout);
    assert.deepEqual(readFileSync(join(ws.dir, data.trashed!)), mine);
  });
});

test('resolve --keep local says the remote version it drops stays in the page history; nothing goes to the trash', async () => {
  await withWorkspace(async (ws) => {
    const { rel, id, mine } = await bothChanged(ws);
    const version = ws.emu.api.page(id).version.number;
    const r = await ws.csync(['resolve', rel, '--keep', 'local']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`the next csync push uploads it over the remote version ${version} \\(version ${version} stays in the page's history in Confluence\\)\\.`));
    assert.deepEqual(readFileSync(join(ws.dir, rel)), mine, 'the file is untouched');
    assert.deepEqual(ws.files('cache/trash'), []);
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.equal(ws.emu.api.page(id).version.number, version + 1);
    assert.match(ws.emu.api.body(id), /Local wording, mine alone/);
  });
});

test('resolve --keep remote on a page deleted in Confluence and changed here: the local bytes go to cache/trash and the command names the copy', async () => {
  await withPulledWorkspace(async (ws) => {
    const rel = fileOf(ws, 'Architecture');
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    const mine = `${readFileSync(join(ws.dir, rel), 'utf8')}\nMy edit of a page deleted over there.\n`;
    writeFileSync(join(ws.dir, rel), mine);
    ws.emu.api.purgePage(page.id);
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 6, pull.stdout + pull.stderr);
    const dry = await ws.csync(['resolve', rel, '--keep', 'remote', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /would drop .*Architecture\.md \(the page was deleted in Confluence\); your file goes to cache\/trash\./);
    const r = await ws.csync(['resolve', rel, '--keep', 'remote']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = /Your file is kept at '(cache\/trash\/\d{8}T\d{6}\/.+\/Architecture\.md)'\.$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(readFileSync(join(ws.dir, m[1]!), 'utf8'), mine);
    assert.ok(!existsSync(join(ws.dir, rel)), 'the file is gone from content/');
    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.equal(ws.emu.api.pages('DEMO').filter((p) => p.title === 'Architecture').length, 0, 'not published again');
  });
});
