/** Small things a new user trips over, each through the real CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { fileOf, workspaceWithEmulator, writes } from '../helpers/workspace.js';

test('a first push in a fresh workspace publishes its files (no pull needed); titles the space already has are refused', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    mkdirSync(join(ws.dir, 'content', 'DEMO', 'Guide'), { recursive: true });
    writeFileSync(join(ws.dir, 'content', 'DEMO', 'Guide.md'), '# Guide\n\nWritten in git first.\n');
    writeFileSync(join(ws.dir, 'content', 'DEMO', 'Guide', 'Install.md'), 'Install steps.\n');
    writeFileSync(join(ws.dir, 'content', 'DEMO', 'Architecture.md'), 'A page of that title exists already.\n');
    const dry = await ws.csync(['push', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /create +content\/DEMO\/Guide\.md/);
    assert.match(dry.stdout, /create +content\/DEMO\/Guide\/Install\.md/);
    assert.ok(!existsSync(join(ws.dir, 'cache', 'state.db')), 'a dry run writes no state');
    assert.deepEqual(writes(ws), []);
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /2 created/);
    assert.match(r.stdout, /Architecture\.md: a page titled "Architecture" already exists in DEMO; not created/);
    const home = ws.emu.api.pageByTitle('DEMO', 'Demo space home')!;
    const guide = ws.emu.api.pageByTitle('DEMO', 'Guide')!;
    assert.equal(guide.parentId, home.id);
    assert.equal(ws.emu.api.pageByTitle('DEMO', 'Install')!.parentId, guide.id);
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(readFileSync(join(ws.dir, fileOf(ws, 'Guide')), 'utf8'), /Written in git first\./);
    // The log file is where the README says it is.
    assert.ok(existsSync(join(ws.dir, 'logs', 'csync.1.log')), 'logs/csync.1.log');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes('logs/csync.N.log') && !readme.includes('logs/csync.log'), 'the README names the log files as they are');
  } finally {
    await ws.close();
  }
});

test('pull counts merged pages and the bytes of conflict copies; the resolve command it suggests is shell-quoted', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const api = ws.emu.api;
    // Both sides change different lines: merged.
    const merged = fileOf(ws, 'Onboarding');
    writeFileSync(join(ws.dir, merged), `${readFileSync(join(ws.dir, merged), 'utf8')}\nA local line at the end.\n`);
    const onboarding = api.pageByTitle('DEMO', 'Onboarding')!;
    api.editPage(onboarding.id, { body: `<p>A remote line first.</p>${api.body(onboarding.id)}` });
    // Both sides change the same line: a conflict copy.
    const conflicted = fileOf(ws, 'First sync');
    writeFileSync(join(ws.dir, conflicted), readFileSync(join(ws.dir, conflicted), 'utf8').replace(/Edit it in Confluence/, 'Local wording'));
    const first = api.pageByTitle('DEMO', 'First sync')!;
    api.editPage(first.id, { body: api.body(first.id).replace(/Edit it in Confluence/, 'Remote wording') });
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 6, pull.stderr);
    assert.match(pull.stdout, /1 merged/);
    assert.match(pull.stdout, /1 conflicted/);
    assert.doesNotMatch(pull.stdout, /^0 B written/m, 'the conflict copy and the merge were written');
    const push = await ws.csync(['push']);
    assert.equal(push.code, 6, push.stderr);
    assert.ok(push.stdout.includes(`(csync resolve '${conflicted}' --keep local|remote|merged)`), push.stdout);
  } finally {
    await ws.close();
  }
});

test('the emulator on a port in use: one line, exit 3, no stack trace', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await runCli(['emulator', '--port', String(port)], { timeoutMs: 30_000 });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^csync: port ${port} on 127\\.0\\.0\\.1 is already in use\\n {2}hint: `));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    server.close();
  }
});

test('a site URL without /wiki on another host: init says it is taken for Data Center; doctor says what to change on a 404', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const t = tempDir();
  try {
    const url = `${ws.emu.origin}/other`;
    const init = await runCli(['init', '-w', t.dir, '--url', url, '--email', ws.emu.credentials.email, '--space', 'DEMO', '--no-interactive']);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, new RegExp(`note: +${url.replace(/[.]/g, '\\.')} is taken for Confluence Data Center .*set site\\.url to ${url.replace(/[.]/g, '\\.')}/wiki`));
    const doctor = await runCli(['-w', t.dir, 'doctor'], { env: { CONFLUENCE_API_TOKEN: ws.emu.credentials.token } });
    assert.equal(doctor.code, 3, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /taken for Data Center because the URL does not end in \/wiki/);
    assert.match(doctor.stdout, /if this is Confluence Cloud, set site\.url to .*\/other\/wiki/);
  } finally {
    t.cleanup();
    await ws.close();
  }
});
