/**
 * The daemon never loses a save (issue 13, items 3, 8 and 15): a change the file watcher never reported is pushed by
 * the timer rescan; a tracked page whose title looks like an editor temporary is pushed on save; `csync resolve`
 * works while the daemon runs (the daemon resolves between two runs and pushes the kept file).
 * The real CLI in a child process, the emulator as Confluence, real files and state.db.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { startDaemonProcess, until, type DaemonProcess } from './daemon.js';

const ARCH = 'content/DEMO/Demo space home/Architecture.md';
const PLANNING = 'content/DEMO/Demo space home/Meeting notes/2026-11-02 Planning.md';

function envOf(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CONFLUENCE_EMAIL: emu.credentials.email,
    CONFLUENCE_API_TOKEN: emu.credentials.token,
    CSYNC_PROFILE: 'fast',
    CSYNC_RATE_REQUESTS_PER_SECOND: '200',
    CSYNC_RATE_BURST: '200',
    ...extra,
  };
}

function edit(dir: string, rel: string, fn: (text: string) => string): string {
  const text = fn(readFileSync(join(dir, rel), 'utf8'));
  writeFileSync(join(dir, rel), text);
  return text;
}

const healthy = async (d: DaemonProcess) => (await d.health()).status === 200;
const count = (d: DaemonProcess, msg: string) => d.lines.filter((l) => l.msg === msg && l.module === 'daemon').length;

test('a save the watcher never reports (CSYNC_TEST_WATCHER_DROP_EVENTS=1) is pushed by the timer rescan; an idle rescan sends no request', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '600', '--rescan', '5'], envOf(ws.emu, { CSYNC_TEST_WATCHER_DROP_EVENTS: '1' }));
    const daemon = d;
    await until(() => healthy(daemon), '/healthz 200 after the first pass', 60_000, d);
    const arch = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    const v0 = arch.version.number;
    const rescansBefore = count(d, 'rescan done');
    edit(ws.dir, ARCH, (t) => `${t}\nSaved while the watcher was deaf.\n`);
    await until(() => /Saved while the watcher was deaf\./.test(ws.emu.api.body(arch.id)), 'the rescan pushes the save', 20_000, d);
    assert.equal(ws.emu.api.page(arch.id).version.number, v0 + 1);
    assert.equal(count(d, 'push done'), 0, 'no watcher-driven push: the watcher reported nothing');
    // The run's log line comes when the run ends, a moment after its write reached Confluence.
    await until(() => daemon.lines.some((l) => l.msg === 'rescan done' && Number(l.pagesPushed) === 1), 'a "rescan done" log line with pagesPushed 1', 10_000, d);
    // Pushed by the next rescan (or the one after, when one was scanning as the file was saved), counted in the
    // daemon's own log lines rather than in wall time.
    const pushedBy = d.lines.filter((l) => l.msg === 'rescan done' && l.module === 'daemon').findIndex((l) => Number(l.pagesPushed) === 1);
    assert.ok(pushedBy <= rescansBefore + 1, `pushed by rescan ${pushedBy + 1}; ${rescansBefore} rescan(s) had finished before the save`);

    // Idle: two more rescans, not one request to Confluence (stat fast path, nothing to push).
    await until(() => count(daemon, 'rescan done') >= 2, 'the rescan after the push', 20_000, d);
    ws.emu.resetLog();
    const before = count(d, 'rescan done');
    await until(() => count(daemon, 'rescan done') >= before + 2, 'two idle rescans', 20_000, d);
    assert.deepEqual(ws.emu.requestLog(), [], 'an idle rescan sends nothing');
    assert.match(await d.metrics(), /^csync_sync_duration_seconds_count\{kind="rescan",outcome="ok"\} [1-9]\d*$/m);
    d.child.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.stderr());
  } finally {
    d?.kill();
    await ws.close();
  }
});

test('a tracked page titled like an editor temporary (~$Budget) is pushed on save by the daemon; an untracked ~$ file is not a page', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    const home = ws.emu.api.pageByTitle('DEMO', 'Demo space home')!;
    const budget = ws.emu.api.createPage('DEMO', '~$Budget', '<p>Budget v1</p>', home.id);
    // Pulled before the daemon starts, so its folders are watched from the start (a folder the first pass creates is
    // watched a moment later; a save in that moment is the rescan's job, tested above).
    const pulled = await ws.csync(['pull']);
    assert.equal(pulled.code, 0, pulled.stderr);
    // A rescan interval far beyond the test: only the watcher can push the save.
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '600', '--rescan', '3600'], envOf(ws.emu));
    const daemon = d;
    await until(() => healthy(daemon), '/healthz 200 after the first pass', 60_000, d);
    const file = 'content/DEMO/Demo space home/~$Budget.md';
    assert.ok(existsSync(join(ws.dir, file)), 'the page was pulled to its file');
    edit(ws.dir, file, (t) => t.replace('Budget v1', 'Budget v2, saved while the daemon watches'));
    // An Office owner file beside it: ignored (untracked), never created as a page.
    writeFileSync(join(ws.dir, 'content/DEMO/Demo space home/~$Report.md'), 'owner file\n');
    await until(() => /Budget v2, saved while the daemon watches/.test(ws.emu.api.body(budget.id)), 'the save of ~$Budget reaches its page', 20_000, d);
    assert.equal(count(d, 'rescan done'), 0, 'pushed by the watcher, not by a rescan');
    assert.equal(ws.emu.api.pageByTitle('DEMO', '~$Report'), undefined, 'no page for an untracked editor file');
    d.child.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.stderr());
  } finally {
    d?.kill();
    await ws.close();
  }
});

test('csync resolve while the daemon runs: the daemon resolves between two runs and pushes the kept file; errors keep their exit codes; --dry-run works alongside', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '1'], envOf(ws.emu));
    const daemon = d;
    await until(() => healthy(daemon), '/healthz 200 after the first pass', 60_000, d);
    const control = JSON.parse(readFileSync(join(ws.dir, 'cache', 'daemon.json'), 'utf8')) as { pid: number; url: string; token: string };
    assert.equal(control.pid, d.child.pid);
    assert.equal(control.url, d.url);
    assert.equal(statSync(join(ws.dir, 'cache', 'daemon.json')).mode & 0o777, 0o600, 'the token file is private');

    // Both sides change the same line: a conflict copy, the local file kept.
    const planning = ws.emu.api.pageByTitle('DEMO', '2026-11-02 Planning')!;
    ws.emu.api.editPage(planning.id, { body: ws.emu.api.body(planning.id).replace('Edit it in Confluence', 'Remote wording') });
    edit(ws.dir, PLANNING, (t) => t.replace('Edit it in Confluence', 'Local wording'));
    const copies = () => ws.files('content').filter((f) => f.startsWith(PLANNING.replace(/\.md$/, '.conflict-')));
    await until(async () => copies().length === 1 && (await daemon.health()).body.conflicts === 1, 'a conflict copy, counted by /healthz', 30_000, d);

    // Errors come back with their own exit code and message.
    const none = await ws.csync(['resolve', ARCH, '--keep', 'local']);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /no conflict recorded for content\/DEMO\/Demo space home\/Architecture\.md/);
    // A dry run reads only: it works alongside the daemon and changes nothing.
    const dry = await ws.csync(['resolve', PLANNING, '--keep', 'local', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: would keep/);
    assert.equal(copies().length, 1);

    const r = await ws.csync(['resolve', PLANNING, '--keep', 'local']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Resolved: keep content\/DEMO\/Demo space home\/Meeting notes\/2026-11-02 Planning\.md; .*\(done by the running daemon\)/);
    assert.deepEqual(copies(), [], 'the copy is gone');
    await until(() => /Local wording/.test(ws.emu.api.body(planning.id)), 'the kept file is pushed by the daemon', 20_000, d);
    await until(async () => (await daemon.health()).body.conflicts === 0, '/healthz counts no conflict', 10_000, d);
    assert.ok(d.lines.some((l) => l.msg === 'conflict resolved on request of csync resolve'));

    // A forged request (wrong token) is refused.
    const forged = await fetch(`${d.url}/control/resolve`, { method: 'POST', headers: { 'x-csync-token': 'nope' }, body: '{}' });
    assert.equal(forged.status, 403);
    d.child.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.stderr());
    assert.ok(!existsSync(join(ws.dir, 'cache', 'daemon.json')), 'the control file goes with the daemon');
    // Without the daemon, resolve works as before (and says there is nothing left).
    const after = await ws.csync(['resolve', PLANNING, '--keep', 'local']);
    assert.equal(after.code, 2, after.stderr);
  } finally {
    d?.kill();
    await ws.close();
  }
});
