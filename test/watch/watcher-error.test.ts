/**
 * The daemon rescans the local tree after a watcher error (issue 13, item 3): a save the watcher never reported
 * (CSYNC_TEST_WATCHER_DROP_EVENTS=1) is pushed by the rescan a watcher error asks for, with the timer rescan set to an
 * hour so nothing else can push it. The error comes from the test-only hook CSYNC_TEST_WATCHER_ERROR_ON (watcher.ts):
 * the test runs as root here, so an unreadable folder (chmod 000) raises nothing, and an inotify limit is machine-wide.
 * The real CLI in a child process, the emulator as Confluence, real files and state.db.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { startDaemonProcess, until, type DaemonProcess } from './daemon.js';

const ARCH = 'content/DEMO/Demo space home/Architecture.md';
const TRIGGER = '.csync-test-watcher-error';

test('after a watcher error the daemon rescans at once: a save the watcher never reported reaches Confluence, and the log says why', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '1', '--rescan', '3600'], {
      CONFLUENCE_EMAIL: ws.emu.credentials.email,
      CONFLUENCE_API_TOKEN: ws.emu.credentials.token,
      CSYNC_PROFILE: 'fast',
      CSYNC_RATE_REQUESTS_PER_SECOND: '200',
      CSYNC_RATE_BURST: '200',
      CSYNC_TEST_WATCHER_DROP_EVENTS: '1',
      CSYNC_TEST_WATCHER_ERROR_ON: TRIGGER,
    });
    const daemon = d;
    await until(async () => (await daemon.health()).status === 200, '/healthz 200 after the first pass', 60_000, d);
    const arch = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    const v0 = arch.version.number;
    const file = join(ws.dir, ARCH);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nSaved while the watcher was deaf.\n`);
    // Several polls go by: neither a poll nor anything but a rescan pushes the save the watcher never reported.
    const polls = () => daemon.lines.filter((l) => l.msg === 'poll done' && l.module === 'daemon').length;
    const pollsBefore = polls();
    await until(() => polls() >= pollsBefore + 2, 'two polls after the save', 30_000, d);
    assert.equal(ws.emu.api.page(arch.id).version.number, v0, 'not pushed before the watcher error');
    const linesBefore = d.lines.length;

    // The watcher fails (a dot name: scans ignore it).
    writeFileSync(join(ws.dir, 'content', TRIGGER), 'x');
    await until(() => /Saved while the watcher was deaf\./.test(ws.emu.api.body(arch.id)), 'the rescan after the watcher error pushes the save', 60_000, d);
    assert.equal(ws.emu.api.page(arch.id).version.number, v0 + 1);
    await until(() => daemon.lines.slice(linesBefore).some((l) => l.msg === 'rescan done' && Number(l.pagesPushed) === 1), 'a "rescan done" log line with pagesPushed 1', 30_000, d);

    const after = d.lines.slice(linesBefore);
    const error = after.findIndex((l) => l.module === 'daemon' && /file watcher: out of watches \(ENOSPC\)/.test(String(l.msg)));
    const why = after.findIndex((l) => l.module === 'daemon' && l.reason === 'watcher error' && /rescan requested: the file watcher failed/.test(String(l.msg)));
    const rescan = after.findIndex((l) => l.msg === 'rescan done' && l.module === 'daemon');
    assert.ok(error >= 0, `the watcher error is logged: ${JSON.stringify(after)}`);
    assert.ok(why > error, 'then the rescan it asks for, with the reason');
    assert.ok(rescan > why && Number(after[rescan]!.pagesPushed) === 1, 'the next rescan is the one that pushed the save');
    assert.equal(d.lines.filter((l) => l.msg === 'push done' && l.module === 'daemon').length, 0, 'no watcher-driven push: the watcher reported nothing');
    d.child.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.stderr());
  } finally {
    d?.kill();
    await ws.close();
  }
});
