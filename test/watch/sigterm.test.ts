/**
 * SIGTERM's bound is enforced (issue 13, item 13): a run still going 8 s after SIGTERM is cancelled through its
 * AbortSignal (queue, requests and writes together), the daemon exits (within 10 s: not timed here) with 130 (cancelled; 0 when the
 * run finished), nothing is sent or written after the exit, the lock is released, and a rerun converges.
 * The emulator answers every request after --latency so runs are long.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator } from '../../src/emulator/index.js';
import { listFiles } from '../helpers/files.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';
import { startDaemonProcess, until, type DaemonProcess } from './daemon.js';

function envOf(emu: Emulator): Record<string, string> {
  return { CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
}

/** Every file under the workspace (content, attachments, cache) with its size and mtime. */
function snapshot(dir: string): string {
  return listFiles(dir)
    .map((f) => {
      const s = statSync(f);
      return `${f} ${s.size} ${s.mtimeMs}`;
    })
    .sort()
    .join('\n');
}

async function sigtermDuring(ws: TestWorkspace, d: DaemonProcess, kind: 'poll' | 'push'): Promise<{ code: number | null; exitAt: number }> {
  await until(async () => (await d.health()).body.running === kind, `a ${kind} in flight`, 30_000, d);
  d.child.kill('SIGTERM');
  const { code } = await d.exited;
  return { code, exitAt: Date.now() };
}

/**
 * The stop as the daemon logged it: the run had its 8 s drain before it was cancelled (measured between the daemon's
 * own "stopping" and "exiting" lines: its drain timer never fires early, however loaded the machine). How long the
 * whole stop took is not asserted: wall time on a shared machine is not the product's.
 */
function assertDrainedFirst(d: DaemonProcess): void {
  const stopping = d.lines.find((l) => l.msg === 'stopping' && l.module === 'daemon');
  const exiting = d.lines.find((l) => l.msg === 'exiting' && l.module === 'daemon');
  assert.ok(stopping && exiting, `"stopping" and "exiting" log lines: ${d.lines.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
  const ms = Number(exiting.time) - Number(stopping.time);
  assert.ok(ms >= 7_500, `the run had its 8 s to finish before it was cancelled, exiting came ${ms} ms after stopping`);
}

async function afterExit(ws: TestWorkspace, d: DaemonProcess, exitAt: number): Promise<void> {
  // Nothing written after the exit, nothing sent after it.
  const files = snapshot(ws.dir);
  await sleep(1500);
  assert.equal(snapshot(ws.dir), files, 'no file changed after the exit');
  const late = ws.emu.requestLog().filter((r) => r.at > exitAt);
  assert.deepEqual(late, [], 'no request reached Confluence after the exit');
  assert.ok(!existsSync(join(ws.dir, 'cache', 'csync.lock')), 'the lock is released');
  const exiting = d.lines.find((l) => l.msg === 'exiting');
  assert.equal(exiting?.cancelled, true, 'the run in flight was cancelled');
  assert.equal(exiting?.code, 130);
  assert.ok(!d.lines.some((l) => /done$/.test(String(l.msg)) && Number(l.time) > exitAt), 'no run finished after the exit');
}

test('SIGTERM during a long pull (every answer 6 s): cancelled after its 8 s, exit 130, nothing sent or written after, a rerun converges', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '1', '--rescan', '3600'], envOf(ws.emu));
    const daemon = d;
    await until(async () => (await daemon.health()).status === 200, '/healthz 200 after the first pass', 60_000, d);
    const titles = ['Architecture', 'Getting started', '2026-11-02 Planning'];
    for (const t of titles) {
      const p = ws.emu.api.pageByTitle('DEMO', t)!;
      ws.emu.api.editPage(p.id, { body: `${ws.emu.api.body(p.id)}<p>Remote edit of ${t} before SIGTERM.</p>` });
    }
    ws.emu.setLatency(6000);
    const { code, exitAt } = await sigtermDuring(ws, d, 'poll');
    assert.equal(code, 130, d.stderr());
    assertDrainedFirst(d);
    await afterExit(ws, d, exitAt);

    ws.emu.setLatency(0);
    const rerun = await ws.csync(['sync']);
    assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout);
    const all = listFiles(join(ws.dir, 'content')).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const t of titles) assert.match(all, new RegExp(`Remote edit of ${t} before SIGTERM\\.`), `${t} pulled by the rerun`);
    const again = await ws.csync(['sync']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /up to date|nothing|0 /i);
  } finally {
    d?.kill();
    await ws.close();
  }
});

test('SIGTERM during a long push (every answer 6 s): cancelled after its 8 s, exit 130, nothing sent or written after, a rerun converges', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  let d: DaemonProcess | undefined;
  try {
    // A debounce long enough for the 20 saves to make one push.
    d = await startDaemonProcess(ws.dir, ['--debounce', '1500', '--poll', '600', '--rescan', '3600'], envOf(ws.emu));
    const daemon = d;
    await until(async () => (await daemon.health()).status === 200, '/healthz 200 after the first pass', 60_000, d);
    const files = listFiles(join(ws.dir, 'content')).filter((f) => f.endsWith('.md')).slice(0, 20);
    ws.emu.setLatency(6000);
    for (const f of files) writeFileSync(f, `${readFileSync(f, 'utf8')}\nLocal edit before SIGTERM.\n`);
    const { code, exitAt } = await sigtermDuring(ws, d, 'push');
    assert.equal(code, 130, d.stderr());
    assertDrainedFirst(d);
    await afterExit(ws, d, exitAt);

    // Requests torn down at the abort may still land in Confluence (the emulator answers each once its latency is
    // over, client gone or not): once each has, the rerun recognises them and pushes the rest.
    await until(() => ws.emu.requestLog().every((r) => r.status !== 0), 'every request the daemon sent has been applied or refused', 30_000);
    ws.emu.setLatency(0);
    const rerun = await ws.csync(['push']);
    assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout);
    for (const f of files) {
      const id = String(/^id: *"?(\d+)/m.exec(readFileSync(f, 'utf8'))?.[1]);
      assert.match(ws.emu.api.body(id), /Local edit before SIGTERM\./, `${f} reached its page`);
    }
    ws.emu.resetLog();
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(ws.emu.requestLog().filter((r) => r.method !== 'GET'), [], 'nothing left to push');
  } finally {
    d?.kill();
    await ws.close();
  }
});
