/**
 * `csync export --via` interrupted during the download (Ctrl-C): the real CLI against a loopback job API that sends
 * half the bundle and then stalls. The partial zip is removed before the process exits (130), and one left by a run
 * that could not clean up (killed) is removed by the next run; a run still in progress keeps its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cleanEnv, cliArgs, ROOT, tempDir } from '../helpers/cli.js';
import { until } from '../watch/daemon.js';

test('export --via: Ctrl-C during the download removes the partial zip; the next run removes one a killed run left', async () => {
  const stalled: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'POST') res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'j1' }));
    else if (req.url === '/exports/j1') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'j1', name: 'big', state: 'completed', step: 'completed', progress: { items: 1, done: 1, failed: 0, bytes: 0, requests: 1 }, etaSeconds: 0, error: null }));
    } else {
      // Half of a 2 MB body, then nothing: the client is mid-download when it is interrupted.
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(2 * 2 ** 20), 'x-checksum-sha256': 'a'.repeat(64) });
      res.write(Buffer.alloc(2 ** 20, 1));
      stalled.push(res);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const t = tempDir();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const partials = () => readdirSync(t.dir).filter((n) => n.endsWith('.partial'));
  const interruptedRun = async () => {
    const child = spawn(process.execPath, [...cliArgs(), 'export', '--via', url, 'big', '--out', join(t.dir, 'big.zip'), '--no-progress', '-w', t.dir], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const own = () => partials().filter((n) => n.includes(`-via-${child.pid}-`));
    await until(() => own().length === 1 && statSync(join(t.dir, own()[0]!)).size > 0, 'the download has begun', 60_000);
    const during = partials();
    child.kill('SIGINT');
    const code = await exited;
    return { code, stderr, during };
  };
  try {
    const first = await interruptedRun();
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /interrupted/);
    assert.deepEqual(partials(), [], 'no partial zip after Ctrl-C');
    assert.ok(!existsSync(join(t.dir, 'big.zip')));

    // A killed run's leftover (its process is gone), and one of a run still going (this test's own pid: alive).
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(t.dir, `.big.zip.csync-via-${gone}-abcdef.zip.partial`), 'half');
    writeFileSync(join(t.dir, `.big.zip.csync-via-${process.pid}-123456.zip.partial`), 'going');
    const second = await interruptedRun();
    assert.ok(!second.during.includes(`.big.zip.csync-via-${gone}-abcdef.zip.partial`), `the leftover is removed when the next run starts: ${second.during.join(', ')}`);
    assert.equal(second.code, 130, second.stderr);
    assert.match(second.stderr, /removed 1 partial download\(s\) an interrupted run left/);
    assert.deepEqual(partials(), [`.big.zip.csync-via-${process.pid}-123456.zip.partial`], 'a live run keeps its own');
  } finally {
    for (const r of stalled) r.destroy();
    server.close();
    t.cleanup();
  }
});
