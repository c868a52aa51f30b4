/** `csync watch` against the emulator's Data Center flavour: a workspace made with `csync init --pat`, real CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startDaemonProcess, until, type DaemonProcess } from '../watch/daemon.js';

const TABLES = 'content/DEMO/Demo space home/Formatting guide/Tables.md';

test('Data Center: csync watch pulls the space, pushes a local edit, pulls a remote edit, stops on SIGTERM', async () => {
  const emu = await startEmulator({ seed: 'demo', flavour: 'data-center' });
  const t = tempDir();
  let d: DaemonProcess | undefined;
  try {
    const init = await runCli(['init', '-w', t.dir, '--url', emu.url, '--pat', '--space', 'DEMO', '--token-stdin'], { input: `${emu.credentials.pat}\n` });
    assert.equal(init.code, 0, init.stderr);
    d = await startDaemonProcess(t.dir, ['--debounce', '200', '--poll', '1'], { CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' });
    const daemon = d;
    await until(async () => (await daemon.health()).status === 200, '/healthz 200 after the first pull', 60_000, d);
    assert.ok(existsSync(join(t.dir, TABLES)), 'the first pass pulled the space');

    const tables = emu.api.pageByTitle('DEMO', 'Tables')!;
    const v0 = tables.version.number;
    writeFileSync(join(t.dir, TABLES), `${readFileSync(join(t.dir, TABLES), 'utf8')}\nEdited while the daemon watches a Data Center site.\n`);
    await until(() => /Edited while the daemon watches a Data Center site\./.test(emu.api.body(tables.id)), 'the local edit reaches the page', 20_000, d);
    assert.equal(emu.api.page(tables.id).version.number, v0 + 1);

    const start = emu.api.pageByTitle('DEMO', 'Getting started')!;
    emu.api.editPage(start.id, { body: '<p>Rewritten on the Data Center server.</p>' });
    const file = join(t.dir, 'content/DEMO/Demo space home/Getting started.md');
    await until(() => /Rewritten on the Data Center server\./.test(readFileSync(file, 'utf8')), 'the remote edit reaches the file', 20_000, d);

    d.child.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.stderr());
    const log = emu.requestLog();
    assert.ok(log.every((r) => r.path.startsWith('/rest/api/') || r.path.startsWith('/download/')), 'only Data Center paths');
    assert.ok(log.every((r) => r.status < 400), `no failed request: ${JSON.stringify(log.filter((r) => r.status >= 400).slice(0, 3))}`);
  } finally {
    d?.kill();
    t.cleanup();
    await emu.close();
  }
});
