/**
 * The symlink and hostile-file suite (issue 13, items 1, 2, 4, 5, 7), end to end: the real CLI, real files, the
 * emulator. Invariant everywhere: nothing outside the workspace is read into Confluence or written, a file csync
 * must not touch is named in a warning and the run exits 10, and no user byte is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { attachmentDir } from '../../src/engine/resolver.js';
import { cliArgs, cleanEnv, tempDir } from '../helpers/cli.js';
import { runPaused } from '../helpers/pause.js';
import { fileOf, type TestWorkspace, workspaceWithEmulator } from '../helpers/workspace.js';

const SECRET = 'TOP-SECRET-outside-the-workspace\n';

async function pulled(): Promise<{ ws: TestWorkspace; outside: string; cleanup: () => Promise<void> }> {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const out = tempDir('csync-outside-');
  const r = await ws.csync(['pull']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return {
    ws,
    outside: out.dir,
    cleanup: async () => {
      await ws.close();
      out.cleanup();
    },
  };
}

/** Every page body and attachment in the emulator: none may hold the secret. */
function assertSecretNotSent(ws: TestWorkspace): void {
  for (const p of ws.emu.api.pages('DEMO')) {
    assert.ok(!ws.emu.api.body(p.id).includes('TOP-SECRET'), `page ${p.title} holds the outside file`);
    for (const a of ws.emu.api.attachments(p.id)) assert.ok(!a.data.toString('utf8').includes('TOP-SECRET'), `attachment ${a.title} holds the outside file`);
  }
}

test('a tracked page, a page folder and an attachment replaced by links, and a new link: never read, written or deleted through; warned, exit 10', async () => {
  const { ws, outside, cleanup } = await pulled();
  try {
    const secretFile = join(outside, 'secret.md');
    writeFileSync(secretFile, SECRET);
    // A tracked page file becomes a link to an outside file.
    const arch = fileOf(ws, 'Architecture');
    const archId = ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id;
    unlinkSync(join(ws.dir, arch));
    symlinkSync(secretFile, join(ws.dir, arch));
    // A tracked attachment becomes a link.
    const attDir = attachmentDir(fileOf(ws, 'Images and files'));
    unlinkSync(join(ws.dir, attDir, 'report.csv'));
    symlinkSync(secretFile, join(ws.dir, attDir, 'report.csv'));
    // A page folder (a page with children) becomes a link to an outside folder holding a copy of it.
    const child = ws.files('content').find((f) => f.split('/').length >= 5)!;
    const folder = dirname(child);
    const outsideFolder = join(outside, 'folder');
    renameSync(join(ws.dir, folder), outsideFolder);
    symlinkSync(outsideFolder, join(ws.dir, folder));
    const childName = child.slice(folder.length + 1);
    writeFileSync(join(outsideFolder, childName), readFileSync(join(outsideFolder, childName), 'utf8') + '\nTOP-SECRET edit through the folder link\n');
    // A new link among the untracked files.
    symlinkSync(secretFile, join(ws.dir, dirname(arch), 'Linked.md'));
    const pagesBefore = ws.emu.api.pages('DEMO').length;

    const push = await ws.csync(['push']);
    assert.equal(push.code, 10, push.stdout + push.stderr);
    assert.match(push.stdout, new RegExp(`warning: ${arch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: skipped: it is a symbolic link`));
    assert.match(push.stdout, /report\.csv: skipped: it is a symbolic link/);
    assert.match(push.stdout, new RegExp(`${childName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: skipped: .* is a symbolic link`));
    assert.match(push.stdout, /Linked\.md: skipped: it is a symbolic link/);
    assertSecretNotSent(ws);
    assert.equal(ws.emu.api.pages('DEMO').length, pagesBefore, 'no page created or deleted');
    assert.equal(ws.emu.api.page(archId)?.status ?? 'current', 'current', 'the linked page is not taken for deleted');

    // Edits in Confluence: pull must not write through the links.
    ws.emu.api.editPage(archId, { body: '<p>edited on the web</p>' });
    const childId = ws.emu.api.pages('DEMO').find((p) => child.endsWith(`/${p.title}.md`))!.id;
    ws.emu.api.editPage(childId, { body: '<p>child edited on the web</p>' });
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 10, pull.stdout + pull.stderr);
    assert.equal(readFileSync(secretFile, 'utf8'), SECRET, 'the outside file is untouched');
    assert.ok(readFileSync(join(outsideFolder, childName), 'utf8').includes('TOP-SECRET edit through the folder link'), 'the outside folder is untouched');
    assert.match(pull.stdout, /skipped: it is a symbolic link/);

    // Status does not call the linked page in sync.
    const status = await ws.csync(['status', '--local']);
    assert.doesNotMatch(status.stdout, /Everything in sync/);
  } finally {
    await cleanup();
  }
});

/** Runs the CLI with a pause right before each file replacement; `during` runs once the pause has begun. */
/** The CLI paused at its first file replacement, `during` run in the pause (test/helpers/pause.ts). */
async function withPause(ws: TestWorkspace, args: string[], during: () => void): Promise<{ code: number | null; stdout: string }> {
  const r = await runPaused(ws, args, during);
  assert.ok(r.paused, `the run reached a file replacement: ${r.out}`);
  return { code: r.code, stdout: r.out };
}

test('a save between the scan and the write of a pull survives: the file is left alone (exit 10), and the next sync sends it, merged with the web edit', async () => {
  const { ws, cleanup } = await pulled();
  try {
    const arch = fileOf(ws, 'Architecture');
    const id = ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id;
    const abs = join(ws.dir, arch);
    const original = readFileSync(abs, 'utf8');
    ws.emu.api.editPage(id, { body: `<p>web edit at the top</p>${ws.emu.api.body(id)}` });
    const saved = `${original}\nThe user's save during the pull.\n`;
    const r = await withPause(ws, ['pull'], () => writeFileSync(abs, saved));
    assert.equal(r.code, 10, r.stdout);
    assert.match(r.stdout, new RegExp(`${arch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: changed while csync was working on it; left as it is`));
    assert.equal(readFileSync(abs, 'utf8'), saved, 'the save is in the file');

    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    const body = ws.emu.api.body(id);
    assert.match(body, /The user's save during the pull/);
    assert.match(body, /web edit at the top/);
    assert.match(readFileSync(abs, 'utf8'), /The user's save during the pull/);
  } finally {
    await cleanup();
  }
});

test('a link swapped in for a page file between the scan and the write of a pull: the outside file is never written', async () => {
  const { ws, outside, cleanup } = await pulled();
  try {
    const arch = fileOf(ws, 'Architecture');
    const id = ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id;
    const abs = join(ws.dir, arch);
    const secretFile = join(outside, 'secret.md');
    writeFileSync(secretFile, SECRET);
    ws.emu.api.editPage(id, { body: '<p>web edit</p>' });
    const r = await withPause(ws, ['pull'], () => {
      unlinkSync(abs);
      symlinkSync(secretFile, abs);
    });
    assert.equal(r.code, 10, r.stdout);
    assert.equal(readFileSync(secretFile, 'utf8'), SECRET, 'the outside file is untouched');
    assert.match(r.stdout, /skipped: it is a symbolic link|changed while csync was working on it/);
    const push = await ws.csync(['push']);
    assert.equal(push.code, 10, push.stdout);
    assertSecretNotSent(ws);
  } finally {
    await cleanup();
  }
});

test('binary, invalid UTF-8 and NUL bytes are never pushed nor rewritten, and not "in sync" (exit 10); a CRLF file round-trips', async () => {
  const { ws, cleanup } = await pulled();
  try {
    const arch = fileOf(ws, 'Architecture');
    const id = ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id;
    const bodyBefore = ws.emu.api.body(id);
    const bad = Buffer.concat([readFileSync(join(ws.dir, arch)), Buffer.from([0xc3, 0x28, 0xff, 0x0a])]);
    writeFileSync(join(ws.dir, arch), bad);
    const dir = dirname(arch);
    const nul = Buffer.from('---\ntitle: Nul page\n---\nhello\u0000world\n', 'utf8');
    writeFileSync(join(ws.dir, dir, 'Nul page.md'), nul);
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xfe]);
    writeFileSync(join(ws.dir, dir, 'Binary.md'), binary);

    const status = await ws.csync(['status', '--local']);
    assert.doesNotMatch(status.stdout, /Everything in sync/, 'an edited file that is not UTF-8 is not in sync');

    const push = await ws.csync(['push']);
    assert.equal(push.code, 10, push.stdout + push.stderr);
    assert.match(push.stdout, new RegExp(`${arch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: skipped: not a text file`));
    assert.match(push.stdout, /Nul page\.md: skipped: not a text file/);
    assert.match(push.stdout, /Binary\.md: skipped: not a text file/);
    assert.equal(ws.emu.api.body(id), bodyBefore, 'not pushed');
    assert.ok(!ws.emu.api.pageByTitle('DEMO', 'Nul page') && !ws.emu.api.pageByTitle('DEMO', 'Binary'), 'not created');
    assert.ok(!ws.emu.api.body(id).includes('\ufffd'));

    // A web edit meanwhile: pull leaves the file as it is, bytes and all.
    ws.emu.api.editPage(id, { body: '<p>web edit</p>' });
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 10, pull.stdout + pull.stderr);
    assert.deepEqual(readFileSync(join(ws.dir, arch)), bad, 'never rewritten');
    assert.deepEqual(readFileSync(join(ws.dir, dir, 'Nul page.md')), nul);
    assert.deepEqual(readFileSync(join(ws.dir, dir, 'Binary.md')), binary);

    // CRLF: an edited CRLF file is pushed as text and stays byte for byte.
    const other = fileOf(ws, 'Images and files');
    const otherId = ws.emu.api.pageByTitle('DEMO', 'Images and files')!.id;
    const crlf = `${readFileSync(join(ws.dir, other), 'utf8').replace(/\r?\n/g, '\r\n')}\r\nA CRLF line.\r\n`;
    writeFileSync(join(ws.dir, other), crlf);
    const push2 = await ws.csync(['push', other]);
    assert.equal(push2.code, 0, push2.stdout + push2.stderr);
    assert.match(ws.emu.api.body(otherId), /A CRLF line\./);
    assert.ok(!ws.emu.api.body(otherId).includes('\r'), 'no stray carriage returns in Confluence');
    assert.equal(readFileSync(join(ws.dir, other), 'utf8'), crlf, 'the CRLF file is unchanged');
  } finally {
    await cleanup();
  }
});

test('a 50 MB page file is refused before it is read (exit 10, one warning); the rest of the run is pushed', async () => {
  const { ws, cleanup } = await pulled();
  try {
    const dir = dirname(fileOf(ws, 'Architecture'));
    const line = 'A line of a very large page, repeated to make fifty megabytes of Markdown text.\n';
    const big = '---\ntitle: Huge\n---\n' + line.repeat(Math.ceil((50 * 1024 * 1024) / line.length));
    writeFileSync(join(ws.dir, dir, 'Huge.md'), big);
    writeFileSync(join(ws.dir, dir, 'Small.md'), 'a small new page\n');
    const started = Date.now();
    const push = await ws.csync(['push']);
    assert.equal(push.code, 10, push.stdout + push.stderr);
    assert.match(push.stdout, /Huge\.md: skipped: 50\.0 MiB is over the page size limit of 5\.0 MiB \(sync\.maxPageBytes\)/);
    assert.ok(!ws.emu.api.pageByTitle('DEMO', 'Huge'));
    assert.match(ws.emu.api.body(ws.emu.api.pageByTitle('DEMO', 'Small')!.id), /a small new page/);
    assert.ok(Date.now() - started < 60_000, 'refused quickly');
  } finally {
    await cleanup();
  }
});

test('write-file-atomic and csync temporaries a stopped run left are removed at the start of the next run (old ones only), never pushed as pages', async () => {
  const { ws, cleanup } = await pulled();
  try {
    const dir = join(ws.dir, dirname(fileOf(ws, 'Architecture')));
    const old = new Date(Date.now() - 10 * 60_000);
    const leftovers = ['Architecture.md.3141592653', 'Architecture.md.42', '.Architecture.md.csync-4000000-1.tmp'];
    for (const n of leftovers) {
      writeFileSync(join(dir, n), '---\ntitle: Leftover\n---\nhalf written\n');
      utimesSync(join(dir, n), old, old);
    }
    // Young (maybe another tool's write in progress) and not ours: kept.
    writeFileSync(join(dir, 'Fresh.md.2718281828'), 'in progress\n');
    writeFileSync(join(dir, 'data.csv.1234567'), 'not a page temporary\n');
    utimesSync(join(dir, 'data.csv.1234567'), old, old);
    mkdirSync(join(ws.dir, 'cache', 'incoming'), { recursive: true });
    writeFileSync(join(ws.dir, 'cache', 'incoming', '.att1.csync-4000000-2.tmp'), 'x');

    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    for (const n of leftovers) assert.ok(!existsSync(join(dir, n)), `${n} removed`);
    assert.ok(existsSync(join(dir, 'Fresh.md.2718281828')), 'a young temporary is kept');
    assert.ok(existsSync(join(dir, 'data.csv.1234567')), 'a file that is not a page temporary is kept');
    assert.ok(!existsSync(join(ws.dir, 'cache', 'incoming', '.att1.csync-4000000-2.tmp')));
    assert.ok(!ws.emu.api.pageByTitle('DEMO', 'Leftover') && !ws.emu.api.pages('DEMO').some((p) => /\.md\.\d+$/.test(p.title)), 'no temporary became a page');
  } finally {
    await cleanup();
  }
});

test('a save while push sends the page is not recorded as sent: the next push sends it (was: the file looked unchanged by stat, the save never left)', async () => {
  const { ws, cleanup } = await pulled();
  try {
    const arch = fileOf(ws, 'Architecture');
    const id = ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id;
    const abs = join(ws.dir, arch);
    writeFileSync(abs, `${readFileSync(abs, 'utf8')}\nFirst save.\n`);
    ws.emu.resetLog();
    ws.emu.setLatency(1500);
    const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
    const child = spawn(process.execPath, [...cliArgs(), '-w', ws.dir, '--no-progress', 'push'], { env: cleanEnv(env), stdio: 'ignore' });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    let saw = false;
    for (let i = 0; i < 2400 && !saw; i++) {
      saw = ws.emu.requestLog().some((r) => r.method === 'PUT');
      if (!saw) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(saw, 'the push sent the page');
    writeFileSync(abs, `${readFileSync(abs, 'utf8')}Second save, while the page was being sent.\n`);
    assert.equal(await closed, 0);
    ws.emu.setLatency(0);
    assert.match(ws.emu.api.body(id), /First save/);
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(ws.emu.api.body(id), /Second save, while the page was being sent/);
  } finally {
    await cleanup();
  }
});
