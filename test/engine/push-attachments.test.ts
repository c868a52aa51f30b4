/**
 * Attachment push end to end: the real CLI, SQLite and the emulator. New files are uploaded, changed ones become new
 * versions, removed ones are deleted behind the safety gates; a change on both sides is kept as a conflict copy by
 * push and by pull, and settled with `csync resolve`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { attachmentDir } from '../../src/engine/resolver.js';
import { fileOf, type TestWorkspace, workspaceWithEmulator, writes } from '../helpers/workspace.js';

interface Ctx {
  ws: TestWorkspace;
  pageId: string;
  /** Workspace-relative folder of the page's attachments. */
  dir: string;
  abs: (name: string) => string;
  remote: (name: string) => { version: number; data: string } | undefined;
}

async function pulled(): Promise<Ctx> {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const r = await ws.csync(['pull']);
  assert.equal(r.code, 0, r.stderr);
  ws.emu.resetLog();
  const pageId = ws.emu.api.pageByTitle('DEMO', 'Images and files')!.id;
  const dir = attachmentDir(fileOf(ws, 'Images and files'));
  return {
    ws,
    pageId,
    dir,
    abs: (name) => join(ws.dir, dir, name),
    remote: (name) => {
      const a = ws.emu.api.attachments(pageId).find((x) => x.title === name);
      return a ? { version: a.version, data: a.data.toString('utf8') } : undefined;
    },
  };
}

function attachmentRows(ws: TestWorkspace): Array<{ path: string; version: number; status: string; copy_path: string | null }> {
  const db = new Database(join(ws.dir, 'cache', 'state.db'), { readonly: true });
  try {
    return db.prepare('SELECT path, version, status, copy_path FROM attachments ORDER BY path').all() as never;
  } finally {
    db.close();
  }
}

test('a new file is uploaded to the page of its folder, a changed one becomes a new version; reruns, status and pull see nothing to do', async () => {
  const c = await pulled();
  try {
    assert.ok(existsSync(c.abs('report.csv')), 'pull mirrored the seeded attachment');
    writeFileSync(c.abs('notes.txt'), 'uploaded from the workspace\n');
    writeFileSync(c.abs('report.csv'), 'name,value\nalpha,1\nbeta,2\ngamma,3\n');
    const before = c.remote('report.csv')!.version;

    const status = await c.ws.csync(['status', '--local']);
    assert.match(status.stdout, new RegExp(`new: +${c.dir}/notes\\.txt`));
    assert.match(status.stdout, new RegExp(`modified: +${c.dir}/report\\.csv`));

    const r = await c.ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Attachments: 1 uploaded, 1 new versions, 0 deleted, 0 conflicted/);
    assert.deepEqual(c.remote('notes.txt'), { version: 1, data: 'uploaded from the workspace\n' });
    assert.deepEqual(c.remote('report.csv'), { version: before + 1, data: 'name,value\nalpha,1\nbeta,2\ngamma,3\n' });
    // The media type comes from the file name.
    assert.equal(c.ws.emu.api.attachments(c.pageId).find((a) => a.title === 'notes.txt')!.mediaType, 'text/plain');
    assert.deepEqual(writes(c.ws).sort(), ['POST /wiki/rest/api/content/{id}/child/attachment', 'POST /wiki/rest/api/content/{id}/child/attachment/{attachmentId}/data']);

    c.ws.emu.resetLog();
    const again = await c.ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to push/);
    assert.deepEqual(writes(c.ws), []);
    const clean = await c.ws.csync(['status']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /Everything in sync/);
    const pull = await c.ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /Already up to date/);
    assert.equal(readFileSync(c.abs('notes.txt'), 'utf8'), 'uploaded from the workspace\n');
  } finally {
    await c.ws.close();
  }
});

test('a removed file deletes the attachment; --no-delete keeps it; deleting most attachments stops at the safety gate (exit 7) until --force', async () => {
  const c = await pulled();
  try {
    // Four attachments in the space, so one delete is within the 50 % gate.
    writeFileSync(c.abs('a.txt'), 'a\n');
    writeFileSync(c.abs('b.txt'), 'b\n');
    assert.equal((await c.ws.csync(['push'])).code, 0);
    unlinkSync(c.abs('a.txt'));
    const kept = await c.ws.csync(['push', '--no-delete']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.ok(c.remote('a.txt'), '--no-delete leaves the attachment');
    const r = await c.ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(c.remote('a.txt'), undefined);
    assert.ok(!attachmentRows(c.ws).some((x) => x.path.endsWith('/a.txt')));

    for (const n of ['b.txt', 'report.csv', 'logo.png']) unlinkSync(c.abs(n));
    c.ws.emu.resetLog();
    const gated = await c.ws.csync(['push']);
    assert.equal(gated.code, 7, gated.stdout + gated.stderr);
    assert.match(gated.stderr, /would delete 3 attachment\(s\), more than the limit \(50% of 3 attachment\(s\)\)/);
    assert.deepEqual(writes(c.ws), [], 'nothing was changed');
    const forced = await c.ws.csync(['push', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(c.ws.emu.api.attachments(c.pageId), []);
  } finally {
    await c.ws.close();
  }
});

test('changed here and in Confluence: push keeps the local file, saves the remote one beside it (exit 6); resolve --keep local uploads it', async () => {
  const c = await pulled();
  try {
    writeFileSync(c.abs('report.csv'), 'local edit\n');
    c.ws.emu.api.addAttachment(c.pageId, 'report.csv', 'remote edit\n', 'text/csv');
    const remoteVersion = c.remote('report.csv')!.version;
    c.ws.emu.resetLog();
    const r = await c.ws.csync(['push']);
    assert.equal(r.code, 6, r.stdout + r.stderr);
    assert.equal(readFileSync(c.abs('report.csv'), 'utf8'), 'local edit\n');
    const copies = readdirSync(join(c.ws.dir, c.dir)).filter((n) => /^report\.conflict-.*\.csv$/.test(n));
    assert.equal(copies.length, 1);
    assert.equal(readFileSync(c.abs(copies[0]!), 'utf8'), 'remote edit\n');
    assert.deepEqual(c.remote('report.csv'), { version: remoteVersion, data: 'remote edit\n' }, 'nothing was overwritten');
    assert.deepEqual(writes(c.ws), []);

    // Until resolved, nothing is pushed and status names the conflict.
    const status = await c.ws.csync(['status', '--local']);
    assert.equal(status.code, 6);
    assert.match(status.stdout, new RegExp(`attachment-both-modified: ${c.dir}/report\\.csv`));
    assert.equal((await c.ws.csync(['push'])).code, 6);
    assert.equal(c.remote('report.csv')!.version, remoteVersion);

    const merged = await c.ws.csync(['resolve', `${c.dir}/report.csv`, '--keep', 'merged']);
    assert.equal(merged.code, 2, 'attachments cannot be merged');
    const res = await c.ws.csync(['resolve', `${c.dir}/report.csv`, '--keep', 'local']);
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!existsSync(c.abs(copies[0]!)), 'the copy is gone');
    const p = await c.ws.csync(['push']);
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(c.remote('report.csv'), { version: remoteVersion + 1, data: 'local edit\n' });
    assert.match((await c.ws.csync(['status'])).stdout, /Everything in sync/);
  } finally {
    await c.ws.close();
  }
});

test('pull never overwrites a changed attachment: a remote change becomes a conflict copy; resolve --keep remote takes it', async () => {
  const c = await pulled();
  try {
    writeFileSync(c.abs('report.csv'), 'local edit\n');
    c.ws.emu.api.addAttachment(c.pageId, 'report.csv', 'remote edit\n', 'text/csv');
    // A file the user added where someone else's attachment of the same name now lands, and an identical one.
    writeFileSync(c.abs('plan.txt'), 'my plan\n');
    c.ws.emu.api.addAttachment(c.pageId, 'plan.txt', 'their plan\n', 'text/plain');
    writeFileSync(c.abs('same.txt'), 'same bytes\n');
    c.ws.emu.api.addAttachment(c.pageId, 'same.txt', 'same bytes\n', 'text/plain');
    const r = await c.ws.csync(['pull']);
    assert.equal(r.code, 6, r.stdout + r.stderr);
    assert.equal(readFileSync(c.abs('report.csv'), 'utf8'), 'local edit\n');
    assert.equal(readFileSync(c.abs('plan.txt'), 'utf8'), 'my plan\n');
    const names = readdirSync(join(c.ws.dir, c.dir));
    const copyOf = (stem: string, ext: string) => names.find((n) => n.startsWith(`${stem}.conflict-`) && n.endsWith(ext));
    assert.equal(readFileSync(c.abs(copyOf('report', '.csv')!), 'utf8'), 'remote edit\n');
    assert.equal(readFileSync(c.abs(copyOf('plan', '.txt')!), 'utf8'), 'their plan\n');
    assert.equal(copyOf('same', '.txt'), undefined, 'identical bytes are simply adopted');
    const rows = attachmentRows(c.ws);
    assert.equal(rows.find((x) => x.path.endsWith('/same.txt'))!.status, 'synced');
    assert.equal(rows.filter((x) => x.status === 'conflict').length, 2);

    const res = await c.ws.csync(['resolve', `${c.dir}/report.csv`, '--keep', 'remote']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(readFileSync(c.abs('report.csv'), 'utf8'), 'remote edit\n');
    assert.equal(names.filter((n) => n.startsWith('report.conflict-')).filter((n) => existsSync(c.abs(n))).length, 0);
    assert.equal((await c.ws.csync(['resolve', c.abs(copyOf('plan', '.txt')!), '--keep', 'local'])).code, 0, 'the copy path names the conflict too');
    c.ws.emu.resetLog();
    const p = await c.ws.csync(['push']);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(c.remote('report.csv')!.data, 'remote edit\n');
    assert.equal(c.remote('plan.txt')!.data, 'my plan\n');
    assert.deepEqual(writes(c.ws), ['POST /wiki/rest/api/content/{id}/child/attachment/{attachmentId}/data']);
  } finally {
    await c.ws.close();
  }
});

test('sync sends a local attachment edit and a local delete instead of restoring the remote file', async () => {
  const c = await pulled();
  try {
    writeFileSync(c.abs('report.csv'), 'edited before sync\n');
    unlinkSync(c.abs('logo.png'));
    writeFileSync(c.abs('extra.txt'), 'x\n');
    writeFileSync(c.abs('extra2.txt'), 'y\n');
    const r = await c.ws.csync(['sync']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(c.remote('report.csv')!.data, 'edited before sync\n');
    assert.equal(c.remote('logo.png'), undefined);
    assert.ok(!existsSync(c.abs('logo.png')), 'pull did not bring the deleted file back');
    assert.match((await c.ws.csync(['status'])).stdout, /Everything in sync/);
  } finally {
    await c.ws.close();
  }
});

test('a run that stopped between upload and record adopts its own upload on rerun: no second attachment, no extra version', async () => {
  const c = await pulled();
  try {
    writeFileSync(c.abs('diagram.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
    assert.equal((await c.ws.csync(['push'])).code, 0);
    // What a crash right after the upload leaves: the attachment exists, the state does not know it.
    const db = new Database(join(c.ws.dir, 'cache', 'state.db'));
    db.prepare("DELETE FROM attachments WHERE path LIKE '%/diagram.svg'").run();
    db.close();
    c.ws.emu.resetLog();
    const r = await c.ws.csync(['push']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(writes(c.ws), []);
    assert.equal(c.ws.emu.api.attachments(c.pageId).filter((a) => a.title === 'diagram.svg').length, 1);
    assert.equal(c.remote('diagram.svg')!.version, 1);
    assert.ok(!readdirSync(join(c.ws.dir, c.dir)).some((n) => n.includes('.conflict-')), 'no conflict copy for our own bytes');
    assert.ok(attachmentRows(c.ws).some((x) => x.path.endsWith('/diagram.svg') && x.status === 'synced'));
  } finally {
    await c.ws.close();
  }
});

test('an upload whose answer is lost is not sent twice', async () => {
  const c = await pulled();
  try {
    writeFileSync(c.abs('lost.txt'), 'answer lost\n');
    c.ws.emu.scriptFaults([{ kind: 'reset-after', method: 'POST', path: '/child/attachment', count: 1 }]);
    const r = await c.ws.csync(['push']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(c.ws.emu.api.attachments(c.pageId).filter((a) => a.title === 'lost.txt').length, 1);
    assert.equal(c.remote('lost.txt')!.version, 1);
    c.ws.emu.resetLog();
    assert.equal((await c.ws.csync(['push'])).code, 0);
    assert.deepEqual(writes(c.ws), []);
  } finally {
    await c.ws.close();
  }
});

test('a new page and its attachment go up in one push; a file in a folder without a page is reported, not uploaded; --dry-run changes nothing', async () => {
  const c = await pulled();
  try {
    const parent = fileOf(c.ws, 'Images and files');
    const pagePath = `${parent.slice(0, -3)}/Diagrams.md`;
    mkdirSync(dirname(join(c.ws.dir, pagePath)), { recursive: true });
    writeFileSync(join(c.ws.dir, pagePath), '# Diagrams\n\nSee the picture.\n');
    const att = `${attachmentDir(pagePath)}/flow.txt`;
    mkdirSync(dirname(join(c.ws.dir, att)), { recursive: true });
    writeFileSync(join(c.ws.dir, att), 'flow\n');
    const stray = 'attachments/DEMO/No such page/stray.txt';
    mkdirSync(dirname(join(c.ws.dir, stray)), { recursive: true });
    writeFileSync(join(c.ws.dir, stray), 'stray\n');

    const dry = await c.ws.csync(['push', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`upload +${att}`));
    assert.deepEqual(writes(c.ws), []);

    const r = await c.ws.csync(['push']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 created/);
    assert.match(r.stdout, /warning: attachments\/DEMO\/No such page\/stray\.txt: its folder belongs to no page \(content\/DEMO\/No such page\.md\); not uploaded/);
    const page = c.ws.emu.api.pageByTitle('DEMO', 'Diagrams')!;
    assert.deepEqual(c.ws.emu.api.attachments(page.id).map((a) => [a.title, a.data.toString()]), [['flow.txt', 'flow\n']]);
    rmSync(join(c.ws.dir, 'attachments/DEMO/No such page'), { recursive: true });
    assert.match((await c.ws.csync(['status'])).stdout, /Everything in sync/);
  } finally {
    await c.ws.close();
  }
});

test('a deleted page takes its attachments along: their local files go to cache/trash, nothing is left to upload', async () => {
  const c = await pulled();
  try {
    unlinkSync(join(c.ws.dir, fileOf(c.ws, 'Images and files')));
    const r = await c.ws.csync(['push', '--force']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /belongs to no page/);
    assert.ok(!existsSync(join(c.ws.dir, c.dir)), 'the attachment folder is gone');
    assert.ok(c.ws.files('cache/trash').some((p) => p.endsWith('report.csv')), 'the file is recoverable from cache/trash');
    assert.equal(attachmentRows(c.ws).length, 0);
  } finally {
    await c.ws.close();
  }
});

test('a page moved with its attachment folder: the page is re-parented, the attachments are only re-recorded; moved without it, the next pull brings them along', async () => {
  const c = await pulled();
  try {
    const from = fileOf(c.ws, 'Images and files');
    const to = 'content/DEMO/Demo space home/Images and files.md';
    const { renameSync } = await import('node:fs');
    renameSync(join(c.ws.dir, from), join(c.ws.dir, to));
    renameSync(join(c.ws.dir, c.dir), join(c.ws.dir, attachmentDir(to)));
    const status = await c.ws.csync(['status', '--local']);
    assert.match(status.stdout, /moved: +attachments\/DEMO\/Demo space home\/Formatting guide\/Images and files\/logo\.png → attachments\/DEMO\/Demo space home\/Images and files\/logo\.png/);
    const r = await c.ws.csync(['push']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /2 moved with their page/);
    assert.deepEqual(writes(c.ws), ['PUT /wiki/api/v2/pages/{id}'], 'no upload: the bytes did not change');
    assert.deepEqual(attachmentRows(c.ws).map((x) => x.path), [`${attachmentDir(to)}/logo.png`, `${attachmentDir(to)}/report.csv`]);
    assert.match((await c.ws.csync(['status'])).stdout, /Everything in sync/);

    // Back under "Formatting guide", this time leaving the attachment folder where it is.
    renameSync(join(c.ws.dir, to), join(c.ws.dir, from));
    c.ws.emu.resetLog();
    const back = await c.ws.csync(['sync']);
    assert.equal(back.code, 0, back.stdout + back.stderr);
    assert.deepEqual(writes(c.ws), ['PUT /wiki/api/v2/pages/{id}']);
    const pull = await c.ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.ok(existsSync(c.abs('logo.png')) && existsSync(c.abs('report.csv')), 'pull moved the attachments to the page folder');
    assert.match((await c.ws.csync(['status'])).stdout, /Everything in sync/);
  } finally {
    await c.ws.close();
  }
});
