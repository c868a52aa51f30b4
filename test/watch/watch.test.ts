/**
 * `csync watch` end to end: the real CLI in a child process, the emulator as Confluence, real files and state.db.
 * Short --debounce and --poll keep the runtime down; every wait is bounded and names what it waited for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';
import { startDaemonProcess, until, type DaemonProcess } from './daemon.js';
import { unpack as storedText } from '../../src/state/sqlite/store.js';

const ARCH = 'content/DEMO/Demo space home/Architecture.md';
const START = 'content/DEMO/Demo space home/Getting started.md';
const RATE = 'content/DEMO/Demo space home/Architecture/Rate limits.md';
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

function read(dir: string, rel: string): string {
  return readFileSync(join(dir, rel), 'utf8');
}

function edit(dir: string, rel: string, fn: (text: string) => string): string {
  const text = fn(read(dir, rel));
  writeFileSync(join(dir, rel), text);
  return text;
}

function pageOf(emu: Emulator, title: string) {
  const p = emu.api.pageByTitle('DEMO', title);
  assert.ok(p, `page ${title}`);
  return p;
}

async function healthy(d: DaemonProcess): Promise<boolean> {
  return (await d.health()).status === 200;
}

test('csync watch: local edit → page, new attachment file → upload, remote edit → file, both → conflict copy; /healthz, /metrics; a one-shot push exits 8; SIGTERM mid-push drains, commits state.db, exits 0', async () => {
  const ws: TestWorkspace = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    // No pull first: the daemon's first pass pulls the space.
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '1'], envOf(ws.emu));
    const daemon = d;
    await until(() => healthy(daemon), '/healthz 200 after the first pull', 60_000, d);
    assert.ok(existsSync(join(ws.dir, ARCH)), 'the first pass pulled the space');
    const lock = JSON.parse(read(ws.dir, 'cache/csync.lock')) as { command: string; pid: number };
    assert.equal(lock.command, 'watch');
    assert.equal(lock.pid, d.child.pid);

    // Local edit → the page is updated (version + 1), by the daemon alone.
    const arch = pageOf(ws.emu, 'Architecture');
    const v0 = arch.version.number;
    edit(ws.dir, ARCH, (t) => `${t}\nAdded while the daemon watches.\n`);
    await until(() => /Added while the daemon watches\./.test(ws.emu.api.body(arch.id)), 'the local edit reaches the page', 20_000, d);
    assert.equal(ws.emu.api.page(arch.id).version.number, v0 + 1);

    // A file dropped next to a page is uploaded as its attachment, by the daemon alone.
    const images = pageOf(ws.emu, 'Images and files');
    writeFileSync(join(ws.dir, 'attachments/DEMO/Demo space home/Formatting guide/Images and files/dropped.txt'), 'dropped while the daemon watches\n');
    await until(() => ws.emu.api.attachments(images.id).some((a) => a.title === 'dropped.txt' && a.data.toString('utf8') === 'dropped while the daemon watches\n'), 'the dropped file is uploaded', 20_000, d);

    // Remote edit → the file is updated at the next poll.
    const pollCount = () => d!.lines.filter((l) => l.msg === 'poll done').length;
    const start = pageOf(ws.emu, 'Getting started');
    const pollsBeforeEdit = pollCount();
    ws.emu.api.editPage(start.id, { body: ws.emu.api.body(start.id).replace('Another point', 'Another point, edited in Confluence') });
    await until(() => /Another point, edited in Confluence/.test(read(ws.dir, START)), 'the remote edit reaches the file', 20_000, d);
    // Seen by the change check at the next poll or the one after, not only by the full pull every 10 polls.
    assert.ok(pollCount() - pollsBeforeEdit <= 3, `pulled within ${pollCount() - pollsBeforeEdit} polls`);
    assert.ok(!d.lines.some((l) => /change check/.test(String(l.msg))), 'the CQL change check is accepted');

    // Between changes a poll is one CQL request, not a pull; a remote delete (which that request may not show) is
    // still picked up by the full pull every FULL_PULL_EVERY (10) polls.
    const pullsSoFar = () => d!.lines.filter((l) => l.module === 'pull' && l.msg === 'planned').length;
    const pollsSoFar = pollCount;
    const [pulls0, polls0] = [pullsSoFar(), pollsSoFar()];
    ws.emu.api.deletePage(pageOf(ws.emu, 'Rate limits').id);
    await until(() => !existsSync(join(ws.dir, RATE)), 'the remotely deleted page leaves content/', 30_000, d);
    assert.ok(pollsSoFar() - polls0 >= 2, 'several polls ran');
    assert.ok(pullsSoFar() - pulls0 < pollsSoFar() - polls0, `fewer pulls (${pullsSoFar() - pulls0}) than polls (${pollsSoFar() - polls0})`);

    // Both sides change the same line → a conflict copy beside the file; the local file is kept; other pages go on.
    const planning = pageOf(ws.emu, '2026-11-02 Planning');
    ws.emu.api.editPage(planning.id, { body: ws.emu.api.body(planning.id).replace('Edit it in Confluence', 'Remote wording') });
    const remoteBody = ws.emu.api.body(planning.id);
    const localText = edit(ws.dir, PLANNING, (t) => t.replace('Edit it in Confluence', 'Local wording'));
    const copies = () => ws.files('content').filter((f) => f.startsWith(PLANNING.replace(/\.md$/, '.conflict-')));
    await until(() => copies().length === 1, 'a conflict copy of the planning page', 20_000, d);
    assert.match(read(ws.dir, copies()[0]!), /Remote wording/);
    assert.equal(read(ws.dir, PLANNING), localText, 'the local file is intact');
    assert.equal(ws.emu.api.body(planning.id), remoteBody, 'the page keeps the remote edit');
    await until(async () => (await daemon.health()).body.conflicts === 1, '/healthz counts the conflict', 10_000, d);
    // A conflict does not stop other pages.
    edit(ws.dir, ARCH, (t) => `${t}\nAnd a second local line.\n`);
    await until(() => /And a second local line\./.test(ws.emu.api.body(arch.id)), 'a later edit of another page is pushed', 20_000, d);

    // /healthz: the documented fields, healthy with the conflict reported.
    const h = await d.health();
    assert.equal(h.status, 200);
    assert.equal(h.body.healthy, true);
    assert.deepEqual(h.body.reasons, []);
    assert.equal(h.body.ready, true);
    assert.equal(h.body.breaker, 'closed');
    assert.equal(h.body.conflicts, 1);
    assert.equal(h.body.consecutiveFailures, 0);
    assert.equal(h.body.lastError, null);
    assert.equal(typeof h.body.queueDepth, 'number');
    for (const k of ['lastSuccessfulPull', 'lastSuccessfulPush']) assert.ok(!Number.isNaN(Date.parse(String(h.body[k]))), `${k} is a time`);
    assert.deepEqual(h.body.watcher, { ready: true, error: null });

    // /metrics: Prometheus text with request counters, pages both ways, conflicts, save-to-remote latency, process.
    // Counters move when a run ends, a moment after its last write reached Confluence: wait for the second push to end.
    const pushedNow = async () => Number(/^csync_pages_total\{direction="pushed"\} (\d+)$/m.exec(await daemon.metrics())?.[1] ?? NaN);
    await until(async () => (await pushedNow()) >= 2, 'the second push has ended', 10_000, d);
    const m = await d.metrics();
    const value = (re: RegExp) => Number(re.exec(m)?.[1] ?? NaN);
    assert.ok(value(/^csync_http_requests_total\{source="confluence",operation="pages\.update",status="200"\} (\d+)$/m) >= 2, 'PUTs counted by operation and status');
    assert.ok(value(/^csync_http_requests_total\{source="confluence",operation="pages\.list",status="200"\} (\d+)$/m) >= 2, 'pulls counted');
    assert.ok(value(/^csync_http_requests_total\{source="confluence",operation="search\.cql",status="200"\} (\d+)$/m) >= 5, 'change checks counted');
    assert.match(m, /^csync_http_request_duration_seconds_count\{source="confluence",operation="pages\.update"\} \d+$/m);
    assert.ok(value(/^csync_pages_total\{direction="pushed"\} (\d+)$/m) >= 2, 'pages pushed');
    assert.ok(value(/^csync_pages_total\{direction="pulled"\} (\d+)$/m) >= 36, 'pages pulled (the first pass and the remote edit)');
    assert.equal(value(/^csync_conflicts_total (\d+)$/m), 1);
    assert.ok(value(/^csync_save_to_remote_seconds_count (\d+)$/m) >= 2, 'save-to-remote latencies observed');
    assert.match(m, /^csync_save_to_remote_seconds_bucket\{le="1"\} \d+$/m);
    assert.match(m, /^csync_sync_duration_seconds_count\{kind="poll",outcome="ok"\} \d+$/m);
    assert.match(m, /^csync_queue_depth \d+$/m);
    assert.match(m, /^csync_breaker_state 0$/m);
    assert.match(m, /^csync_process_resident_memory_bytes \d+/m);
    assert.doesNotMatch(m, new RegExp(ws.emu.credentials.token));

    // A one-shot command while the daemon runs: exit 8 with a message that names the daemon. Nothing is pushed.
    edit(ws.dir, START, (t) => `${t}\nPushed by the daemon, not by the one-shot.\n`);
    const oneShot = await ws.csync(['push']);
    assert.equal(oneShot.code, 8, oneShot.stderr);
    assert.match(oneShot.stderr, new RegExp(`workspace is in use by another csync process: pid ${d.child.pid} on .* running 'watch'`));
    assert.match(oneShot.stderr, /hint: the daemon is syncing this workspace; stop it \(systemctl --user stop confluence-sync\) or let it do the work/);
    assert.equal(oneShot.stdout, '');
    await until(() => /Pushed by the daemon/.test(ws.emu.api.body(start.id)), 'the daemon pushes that edit itself', 20_000, d);

    // SIGTERM while a push is in flight (every answer takes 1.5 s): the push finishes, state.db records it, exit 0.
    ws.emu.setLatency(1500);
    edit(ws.dir, ARCH, (t) => `${t}\nSaved just before SIGTERM.\n`);
    await until(async () => (await daemon.health()).body.running === 'push', 'a push in flight', 20_000, d);
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    // Exit 0 and "drained" (below): the push finished within the drain bound (a run still going at its end is
    // cancelled: exit 130). Wall time on a shared machine is not asserted.
    assert.equal(code, 0, d.stderr());
    assert.match(ws.emu.api.body(arch.id), /Saved just before SIGTERM\./);
    const remoteVersion = ws.emu.api.page(arch.id).version.number;
    const db = new Database(join(ws.dir, 'cache', 'state.db'), { readonly: true });
    try {
      const raw = db.prepare('SELECT version, base FROM pages WHERE id = ?').get(arch.id) as { version: number; base: string | Buffer };
      const row = { ...raw, base: storedText(raw.base) };
      assert.equal(row.version, remoteVersion, 'state.db has the version the push created');
      assert.match(row.base, /Saved just before SIGTERM\./);
      const lastPush = db.prepare("SELECT status FROM runs WHERE command = 'push' ORDER BY id DESC LIMIT 1").get() as { status: string };
      assert.equal(lastPush.status, 'ok');
    } finally {
      db.close();
    }
    assert.ok(!existsSync(join(ws.dir, 'cache', 'csync.lock')), 'the lock is released');
    const stoppedLine = d.lines.find((l) => l.msg === 'daemon stopped');
    assert.ok(stoppedLine, 'a "daemon stopped" log line');
    assert.equal(stoppedLine.drained, true);
    // journald-style logs: every stdout line is JSON; no secret anywhere.
    assert.deepEqual(d.other, []);
    assert.ok(d.lines.some((l) => l.msg === 'push done' && l.module === 'daemon'));
    const all = JSON.stringify(d.lines) + d.stderr();
    assert.ok(!all.includes(ws.emu.credentials.token), 'the token never appears in the logs');
    // The file the daemon was stopped on is in sync: a one-shot push now has nothing to do.
    ws.emu.setLatency(0);
    ws.emu.resetLog();
    const after = await ws.csync(['push']);
    assert.equal(after.code, 6, after.stderr + after.stdout); // the planning conflict is still unresolved
    assert.deepEqual(ws.emu.requestLog().filter((r) => r.method !== 'GET'), [], 'nothing left to push');
  } finally {
    d?.kill();
    await ws.close();
  }
});

test('csync watch: Confluence down 30 s → stays up, /healthz 503, then recovers by itself and syncs what changed meanwhile', async () => {
  const t = tempDir('csync-watch-down-');
  const dataFile = join(t.dir, 'emulator.json');
  let emu = await startEmulator({ seed: 'demo', dataFile });
  const port = emu.port;
  let d: DaemonProcess | undefined;
  try {
    const ws = join(t.dir, 'ws');
    const cfg = join(ws, 'config');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'csync.json'), JSON.stringify({ site: { url: emu.url }, spaces: ['DEMO'] }));
    // Short client retries and breaker, and a 3 s cap on the daemon's backoff, to keep the test short.
    const env = envOf(emu, { CSYNC_RETRY_MAX_RETRIES: '1', CSYNC_RETRY_BASE_DELAY_MS: '100', CSYNC_BREAKER_HALF_OPEN_AFTER_MS: '1000', CSYNC_TIMEOUTS_CONNECT_MS: '1000' });
    d = await startDaemonProcess(ws, ['--debounce', '200', '--poll', '1', '--max-backoff', '3'], env);
    const daemon = d;
    await until(() => healthy(daemon), '/healthz 200 after the first pull', 60_000, d);

    // Down: the emulator stops (its data saved); a local edit is made meanwhile.
    await emu.save();
    await emu.close();
    const downAt = Date.now();
    edit(ws, ARCH, (t2) => `${t2}\nWritten while Confluence was down.\n`);
    await until(async () => (await daemon.health()).status === 503, '/healthz 503 while Confluence is down', 20_000, d);
    const down = await d.health();
    assert.equal(down.body.healthy, false);
    assert.ok(Number(down.body.consecutiveFailures) >= 1);
    assert.match(String((down.body.lastError as { code: string }).code), /^CSYNC_(NETWORK|CIRCUIT_OPEN|TIMEOUT)$/);
    assert.ok((down.body.reasons as string[]).some((r) => /consecutive failed run/.test(r)));
    // Stay down for 30 s in all; the daemon must still be running and serving at the end of it.
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - downAt))));
    assert.equal(d.child.exitCode, null, 'the daemon is still running');
    assert.equal((await d.health()).status, 503);
    assert.match(await d.metrics(), /^csync_sync_duration_seconds_count\{kind="(push|poll)",outcome="error"\} [1-9]\d*$/m);

    // Back on the same port with the same data; a remote edit made right away.
    emu = await startEmulator({ seed: 'demo', dataFile, port });
    const start = pageOf(emu, 'Getting started');
    emu.api.editPage(start.id, { body: emu.api.body(start.id).replace('One point', 'One point, edited while the daemon was retrying') });
    const arch = pageOf(emu, 'Architecture');
    await until(() => /Written while Confluence was down\./.test(emu.api.body(arch.id)), 'the edit made during the outage is pushed', 30_000, d);
    await until(() => /edited while the daemon was retrying/.test(read(ws, START)), 'the remote edit is pulled', 30_000, d);
    await until(() => healthy(daemon), '/healthz 200 again', 30_000, d);
    const up = await d.health();
    assert.equal(up.body.consecutiveFailures, 0);
    d.child.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.stderr());
  } finally {
    d?.kill();
    await emu.close();
    t.cleanup();
  }
});

test('csync watch refuses a non-loopback --listen unless --listen-remote; a second daemon on the same workspace exits 8; SIGHUP re-reads the config (flags still win); SIGINT exits 0', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    const env = envOf(ws.emu);
    const remote = await runCli(['watch', '-w', ws.dir, '--listen', '0.0.0.0:0'], { env, timeoutMs: 60_000 });
    assert.equal(remote.code, 3, remote.stderr);
    assert.match(remote.stderr, /refusing to serve \/healthz and \/metrics on non-loopback address 0\.0\.0\.0/);
    assert.ok(!existsSync(join(ws.dir, 'cache', 'csync.lock')), 'the lock is released after a failed start');
    d = await startDaemonProcess(ws.dir, ['--poll', '60'], env);
    const second = await runCli(['watch', '-w', ws.dir, '--listen', '127.0.0.1:0'], { env, timeoutMs: 60_000 });
    assert.equal(second.code, 8, second.stderr);
    assert.match(second.stderr, /running 'watch'/);

    const daemon = d;
    await until(() => healthy(daemon), '/healthz 200', 60_000, d);
    const cfgFile = join(ws.dir, 'config', 'csync.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, watch: { debounceMs: 321, pollSeconds: 5 } }));
    d.child.kill('SIGHUP');
    await until(() => daemon.lines.some((l) => l.msg === 'configuration reloaded'), 'the reload', 20_000, d);
    const reread = d.lines.find((l) => l.msg === 'configuration re-read')!;
    assert.equal(reread.debounceMs, 321, 'the new file value');
    assert.equal(reread.pollSeconds, 60, '--poll 60 on the command line still wins');
    assert.equal(d.child.exitCode, null, 'still running after SIGHUP');
    await until(() => healthy(daemon), '/healthz 200 after the reload', 20_000, d);
    d.child.kill('SIGINT');
    assert.equal((await d.exited).code, 0, d.stderr());
  } finally {
    d?.kill();
    await ws.close();
  }
});
