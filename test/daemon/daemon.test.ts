import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, tempDir } from '../helpers/cli.js';

type Line = { event: string } & Record<string, unknown>;

test('the assembled daemon: saves pushed, /healthz and /metrics, SIGHUP reload, SIGTERM drains the push in flight and exits 0', async () => {
  const t = tempDir('csync-daemon-');
  mkdirSync(join(t.dir, 'content', 'DOC'), { recursive: true });
  mkdirSync(join(t.dir, 'attachments'), { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'daemon', 'daemon-child.ts'), t.dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Line[] = [];
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Line);
      buf = buf.slice(i + 1);
    }
  });
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  /** Polls for a condition; fails only if it never happens (no time limit is asserted). */
  const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
    for (let i = 0; i < 600; i++) {
      if (await cond()) return;
      await sleep(50);
    }
    assert.fail(`never happened: ${what}; lines: ${JSON.stringify(lines)}`);
  };
  const count = (event: string) => lines.filter((l) => l.event === event).length;
  try {
    await until(() => count('started') === 1, 'started');
    const url = lines.find((l) => l.event === 'started')!.url as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await until(async () => (await fetch(`${url}/healthz`)).status === 200, 'healthy');
    const h = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
    assert.equal(h.ready, true);
    assert.equal(h.breaker, 'closed');
    assert.deepEqual(h.watcher, { ready: true, error: null });

    // A burst of saves to two files (one push, unless the machine delays the events past the quiet time: the
    // fake-clock tests prove the batching; here the point is that every save arrives and no temporary does).
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(t.dir, 'content', 'DOC', 'A.md'), `a${i}\n`);
      writeFileSync(join(t.dir, 'content', 'DOC', 'B.md'), `b${i}\n`);
      writeFileSync(join(t.dir, 'content', 'DOC', '.A.md.swp'), `swap${i}\n`);
    }
    const pushed = () => lines.filter((l) => l.event === 'push-end').flatMap((l) => l.paths as string[]);
    await until(() => new Set(pushed()).size === 2, 'both files pushed');
    await until(() => count('push-start') === count('push-end'), 'no push in flight');
    assert.deepEqual([...new Set(pushed())].sort(), ['content/DOC/A.md', 'content/DOC/B.md']);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, new RegExp(`csync_sync_duration_seconds_count\\{kind="push",outcome="ok"\\} ${count('push-end')}\n`));
    assert.match(metrics, new RegExp(`csync_pages_total\\{direction="pushed"\\} ${pushed().length}\n`));
    assert.match(metrics, new RegExp(`csync_save_to_remote_seconds_count ${pushed().length}\n`));

    // SIGHUP: a new loop with the new settings, which polls at once.
    child.kill('SIGHUP');
    await until(() => count('reload') === 1 && count('poll') === 2, 'reload and poll');

    // SIGTERM while a push is in flight: the push finishes, then the daemon exits 0.
    writeFileSync(join(t.dir, 'content', 'DOC', 'C.md'), 'c\n');
    // The push of that file (a late event of the burst above may start a push of its own first: not that one).
    const pushesC = () => lines.some((l) => l.event === 'push-start' && (l.paths as string[]).includes('content/DOC/C.md'));
    await until(pushesC, 'the push of C.md started');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const stopped = lines.find((l) => l.event === 'stopped')!;
    assert.equal(stopped.signal, 'SIGTERM');
    assert.equal(stopped.drained, true);
    const end = lines.findIndex((l) => l.event === 'push-end' && (l.paths as string[]).includes('content/DOC/C.md'));
    assert.ok(end >= 0 && end < lines.indexOf(stopped), 'the push in flight finished before the daemon stopped');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    t.cleanup();
  }
});
