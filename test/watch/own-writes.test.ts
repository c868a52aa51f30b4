/**
 * The daemon does not pull its own pushes back: after a local save is pushed, the next polls' change check (one CQL
 * request) recognises the versions that push created, so an idle daemon makes no pull; a change by someone else is
 * still pulled at the next poll. The real CLI as a child process, the emulator as Confluence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FULL_PULL_EVERY } from '../../src/cli/commands/watch.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { startDaemonProcess, until, type DaemonProcess } from './daemon.js';

const ARCH = 'content/DEMO/Demo space home/Architecture.md';
const START = 'content/DEMO/Demo space home/Getting started.md';
const LISTING = 'GET /wiki/api/v2/spaces/{id}/pages';

test('csync watch: an idle daemon after a local save makes no pull (its own write is not a remote change); another user\'s edit still is', { timeout: 180_000 }, async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '1'], env);
    const daemon = d;
    await until(async () => (await daemon.health()).status === 200, '/healthz 200 after the first pass', 60_000, d);
    const polls = () => daemon.lines.filter((l) => l.msg === 'poll done').length;
    const listings = (from: number) => ws.emu.requestLog().slice(from).filter((r) => `${r.method} ${r.route}` === LISTING).length;
    /** Pulls the daemon makes regardless of the change check (every FULL_PULL_EVERY-th poll) among polls (a, b]. */
    const forced = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + 1 + i).filter((k) => k % FULL_PULL_EVERY === 0).length;

    for (let round = 1; round <= 2; round++) {
      const arch = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
      const v0 = arch.version.number;
      const pushes = () => daemon.lines.filter((l) => l.msg === 'push done' && Number(l.pagesPushed ?? 0) > 0).length;
      const pushes0 = pushes();
      writeFileSync(join(ws.dir, ARCH), `${readFileSync(join(ws.dir, ARCH), 'utf8')}\nSaved locally, round ${round}.\n`);
      await until(() => ws.emu.api.page(arch.id).version.number === v0 + 1, `round ${round}: the save is pushed`, 20_000, d);
      await until(() => pushes() > pushes0, `round ${round}: the push run ends`, 10_000, d);
      const [log0, polls0] = [ws.emu.requestLog().length, polls()];
      await until(() => polls() >= polls0 + 4, `round ${round}: four polls after the push`, 30_000, d);
      const polls1 = polls();
      assert.equal(listings(log0), forced(polls0, polls1), `round ${round}: no pull after our own push over polls ${polls0 + 1}..${polls1} (only the periodic full pulls)`);
    }

    // Someone else's edit is still seen by the change check, at the next poll or the one after.
    const start = ws.emu.api.pageByTitle('DEMO', 'Getting started')!;
    const polls0 = polls();
    ws.emu.api.editPage(start.id, { body: ws.emu.api.body(start.id).replace('Another point', 'Another point, edited by someone else') });
    await until(() => /edited by someone else/.test(readFileSync(join(ws.dir, START), 'utf8')), 'the remote edit reaches the file', 20_000, d);
    assert.ok(polls() - polls0 <= 3, `pulled within ${polls() - polls0} polls`);
  } finally {
    if (d) {
      d.child.kill('SIGTERM');
      await d.exited;
    }
    await ws.close();
  }
});
