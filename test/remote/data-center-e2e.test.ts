/**
 * Data Center end to end through the real CLI: `csync init --pat` against the emulator's Data Center flavour (URL
 * without /wiki, token demo-pat), doctor, pull, a local edit and a new page pushed, a remote edit pulled, sync,
 * export (Markdown + JSON bundle, verified).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

test('Data Center: init --pat, doctor, pull, push, pull, sync, export against the emulator', async () => {
  const emu = await startEmulator({ seed: 'demo', flavour: 'data-center' });
  const t = tempDir();
  const w = ['-w', t.dir];
  try {
    assert.equal(emu.url, emu.origin, 'the Data Center base URL has no /wiki');
    const init = await runCli(['init', ...w, '--url', emu.url, '--pat', '--space', 'DEMO', '--token-stdin'], { input: `${emu.credentials.pat}\n` });
    assert.equal(init.code, 0, init.stderr);
    assert.doesNotMatch(init.stdout + init.stderr, /demo-pat/, 'the token is never printed');
    const doctor = await runCli(['doctor', ...w]);
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /Data Center at http:\/\/127\.0\.0\.1:\d+ \(v1 http:\/\/127\.0\.0\.1:\d+\/rest\/api\)/);
    assert.match(doctor.stdout, /signed in as Demo User/);

    const pull = await runCli(['pull', ...w]);
    assert.equal(pull.code, 0, pull.stderr);
    const pages = emu.api.pages('DEMO');
    assert.match(pull.stdout, new RegExp(`Pulled DEMO: ${pages.length} new`));
    const tables = join(t.dir, 'content', 'DEMO', 'Demo space home', 'Formatting guide', 'Tables.md');
    assert.ok(existsSync(tables));
    assert.ok(existsSync(join(t.dir, 'attachments')), 'attachments folder');

    writeFileSync(tables, `${readFileSync(tables, 'utf8')}\nAn edit made on Data Center.\n`);
    writeFileSync(join(t.dir, 'content', 'DEMO', 'Demo space home', 'Made on DC.md'), '# Hello\n\nA page created through the Data Center API.\n');
    const before = emu.api.pageByTitle('DEMO', 'Tables')!.version.number;
    const push = await runCli(['push', ...w]);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /1 updated, 1 created/);
    const edited = emu.api.pageByTitle('DEMO', 'Tables')!;
    assert.equal(edited.version.number, before + 1);
    assert.match(emu.api.body(edited.id), /An edit made on Data Center\./);
    const made = emu.api.pageByTitle('DEMO', 'Made on DC');
    assert.ok(made, 'the new page exists on the server');
    assert.equal(made.parentId, emu.api.pageByTitle('DEMO', 'Demo space home')!.id);
    assert.match(emu.api.body(made.id), /A page created through the Data Center API\./);

    const again = await runCli(['pull', ...w]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Already up to date: DEMO/);

    emu.api.editPage(edited.id, { body: '<p>Rewritten on the server.</p>' });
    emu.api.createPage('DEMO', 'Remote DC page', '<p>from the server</p>');
    const sync = await runCli(['sync', ...w]);
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(readFileSync(tables, 'utf8'), /Rewritten on the server\./);
    assert.ok(existsSync(join(t.dir, 'content', 'DEMO', 'Demo space home', 'Remote DC page.md')));
    const status = await runCli(['status', ...w]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Everything in sync: DEMO/);

    // Export through the Data Center API: every page of the space in the bundle, and the bundle verifies.
    const bundle = join(t.dir, 'bundle');
    const exp = await runCli(['export', ...w, '--format', 'md', '--format', 'json', '--out', bundle]);
    assert.equal(exp.code, 0, exp.stderr);
    const count = emu.api.pages('DEMO').length;
    assert.match(exp.stdout, new RegExp(`exported ${count} of ${count} item`));
    const jsonl = readFileSync(join(bundle, 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { title: string; storage: string });
    assert.equal(jsonl.length, count);
    assert.match(jsonl.find((p) => p.title === 'Tables')!.storage, /Rewritten on the server\./);
    assert.ok(existsSync(join(bundle, 'markdown', 'index.md')));
    const verify = await runCli(['export', 'verify', bundle, ...w]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.doesNotMatch(readFileSync(join(bundle, 'manifest.json'), 'utf8'), /demo-pat/, 'no token in the bundle');

    const log = emu.requestLog();
    assert.ok(log.length > 0);
    assert.ok(log.every((r) => r.path.startsWith('/rest/api/') || r.path.startsWith('/download/')), `only Data Center paths: ${[...new Set(log.map((r) => r.route))].join(', ')}`);
    assert.ok(log.every((r) => r.status < 400), `no failed request: ${JSON.stringify(log.filter((r) => r.status >= 400))}`);
  } finally {
    t.cleanup();
    await emu.close();
  }
});
