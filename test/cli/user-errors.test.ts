/** User errors get one-line messages and documented exit codes, never "unexpected error" (exit 1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileOf, workspaceWithEmulator, writes } from '../helpers/workspace.js';

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at |unexpected error/, s);

test('an unknown space is a configuration problem: exit 3, one line naming the space (Cloud and Data Center)', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    for (const cmd of [['status', '--space', 'NOPE'], ['pull', '--space', 'NOPE'], ['pull', '--space', 'NOPE', '--dry-run']]) {
      const r = await ws.csync(cmd);
      assert.equal(r.code, 3, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^csync: space NOPE not found\n {2}hint: check the space key/);
      noStack(r.stderr);
    }
    // Data Center answers 404 for GET /rest/api/space/NOPE.
    writeFileSync(join(ws.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: ws.emu.origin }, spaces: ['NOPE'] }));
    const dc = await ws.csync(['pull'], { CONFLUENCE_PAT: ws.emu.credentials.pat, CONFLUENCE_EMAIL: '', CONFLUENCE_API_TOKEN: '' });
    assert.equal(dc.code, 3, dc.stderr);
    assert.match(dc.stderr, /^csync: space NOPE not found/);
    noStack(dc.stderr);
  } finally {
    await ws.close();
  }
});

test('a 413 from Confluence refuses that file alone: a warning names it, the rest is pushed, exit 10', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const arch = fileOf(ws, 'Architecture');
    writeFileSync(join(ws.dir, arch), `${readFileSync(join(ws.dir, arch), 'utf8')}\nedited\n`);
    const dir = join(ws.dir, 'attachments', arch.slice('content/'.length, -'.md'.length));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'huge.bin'), Buffer.alloc(21 * 1024 * 1024, 7)); // over the emulator's 20 MB request limit
    const r = await ws.csync(['push']);
    assert.equal(r.code, 10, r.stderr + r.stdout);
    assert.match(r.stdout, /warning: attachments\/.*huge\.bin: not uploaded: .*too large \(413\)/);
    assert.match(r.stdout, /1 updated/);
    noStack(r.stderr);
  } finally {
    await ws.close();
  }
});

test('a space folder that cannot be listed stops push and status with its name (files are never taken for deleted)', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    ws.emu.resetLog();
    // A folder that loops onto itself: readdir fails with ELOOP (root may read any folder, so no chmod here).
    renameSync(join(ws.dir, 'content', 'DEMO'), join(ws.dir, 'content', 'DEMO.real'));
    symlinkSync('DEMO', join(ws.dir, 'content', 'DEMO'));
    for (const cmd of [['push'], ['status', '--local'], ['push', '--dry-run']]) {
      const r = await ws.csync(cmd);
      assert.notEqual(r.code, 0, `${cmd.join(' ')} must not pass`);
      assert.notEqual(r.code, 1, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /content\/DEMO/, r.stderr);
      noStack(r.stderr);
    }
    assert.deepEqual(writes(ws), [], 'nothing was deleted or changed in Confluence');
  } finally {
    await ws.close();
  }
});

test('when several page pushes fail, every failure is logged and the error says how many', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo', config: { retry: { maxRetries: 0 }, concurrency: { pages: 4 } } });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const titles = ['Architecture', 'Onboarding', 'Tables', 'Installation'];
    for (const t of titles) {
      const f = fileOf(ws, t);
      writeFileSync(join(ws.dir, f), `${readFileSync(join(ws.dir, f), 'utf8')}\nedited\n`);
    }
    ws.emu.scriptFaults([{ kind: 'http500', method: 'PUT', count: 4 }]);
    const r = await ws.csync(['push']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /3 more task\(s\) failed too/);
    noStack(r.stderr);
    const log = readdirSync(join(ws.dir, 'logs')).map((n) => readFileSync(join(ws.dir, 'logs', n), 'utf8')).join('');
    const failed = log.split('\n').filter((l) => l.includes('"task failed"'));
    assert.equal(failed.length, 4, log);
    for (const t of titles) assert.ok(failed.some((l) => l.includes(`${t}.md`)), `the failure of ${t} is logged`);
  } finally {
    await ws.close();
  }
});

test('a 413 for a page body: that page is reported and skipped (exit 10), the rest is pushed, nothing is lost', async () => {
  // The emulator's body limit lowered to 64 KiB (Confluence's is ~5 MiB): the same answer, for a small file.
  const ws = await workspaceWithEmulator({ seed: 'demo', maxPageBodyBytes: 64 * 1024 });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const arch = fileOf(ws, 'Architecture');
    const onboarding = fileOf(ws, 'Onboarding');
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    const before = { version: page.version, body: ws.emu.api.body(page.id) };
    // 20 kB of Markdown (under sync.maxPageBytes) whose storage is over the body limit: every `&` is `&amp;`.
    const big = `${readFileSync(join(ws.dir, arch), 'utf8')}\n${`${'&'.repeat(1000)}\n\n`.repeat(20)}`;
    writeFileSync(join(ws.dir, arch), big);
    writeFileSync(join(ws.dir, onboarding), `${readFileSync(join(ws.dir, onboarding), 'utf8')}\nsmall edit\n`);
    const r = await ws.csync(['push']);
    assert.equal(r.code, 10, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`warning: ${arch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not pushed: .*too large \\(413\\)`));
    assert.match(r.stdout, /1 updated/);
    noStack(r.stderr);
    // Nothing lost: the file is as written, the page as it was; the next push tries again (and says so again).
    assert.equal(readFileSync(join(ws.dir, arch), 'utf8'), big);
    const now = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    assert.equal(now.version, before.version);
    assert.equal(ws.emu.api.body(page.id), before.body);
    const status = await ws.csync(['status', '--local']);
    assert.match(status.stdout, new RegExp(`modified: +${arch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // Made smaller, it is pushed.
    writeFileSync(join(ws.dir, arch), big.replace(/&/g, 'x'));
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(ws.emu.api.body(page.id), /xxxxxxxxxx/);
  } finally {
    await ws.close();
  }
});
