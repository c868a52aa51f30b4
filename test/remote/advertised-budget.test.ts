/**
 * The budget the server advertises, end to end with the real CLI (issue 18): a first publish of new pages against an
 * emulator whose token bucket sends X-RateLimit-Limit / -Remaining / -Reset on every answer.
 * - A generous server (100 req/s, bucket 200): every page is created once, no 429, and `csync doctor` reports a
 *   pace above the profile's 10 req/s taken from those headers (a silent server leaves the profile's 10 req/s).
 * - `--rate-limit 10` (burst 20, the profile's own rate): every page is created once with no 429 storm.
 * How much faster the generous publish is, is a benchmark (bench/first-publish.ts), not asserted: wall time on a
 * shared machine says nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { initAndPull } from '../helpers/workspace.js';

async function firstPublish(pages: number, rateLimit: EmulatorOptions['rateLimit']) {
  const emu = await startEmulator({ seed: 'demo' });
  const tmp = tempDir('csync-advertised-');
  const ws = tmp.dir;
  try {
    await initAndPull(ws, emu);
    const folder = join(ws, 'content', 'DEMO', 'Demo space home');
    mkdirSync(folder, { recursive: true });
    const titles = Array.from({ length: pages }, (_, i) => `Published ${String(i + 1).padStart(3, '0')}`);
    for (const t of titles) writeFileSync(join(folder, `${t}.md`), `## ${t}\n\nSome **text**.\n`);
    emu.setRateLimit(rateLimit);
    emu.resetLog();
    const push = await runCli(['push', '-w', ws, '--no-progress'], { timeoutMs: 240_000 });
    const log = emu.requestLog();
    const inConfluence = emu.api.pages('DEMO').map((p) => p.title);
    const doctor = await runCli(['doctor', '-w', ws, '--json'], { timeoutMs: 120_000 });
    return { push, doctor, titles, inConfluence, limited: log.filter((r) => r.status === 429).length, requests: log.length };
  } finally {
    await emu.close();
    tmp.cleanup();
  }
}

function rateCheck(doctorJson: string): string {
  const report = JSON.parse(doctorJson) as { checks: { name: string; detail?: string }[] };
  return report.checks.find((c) => c.name === 'rate limit')?.detail ?? '';
}

const pace = (detail: string) => Number(/alone, ([\d.]+) req\/s/.exec(detail)?.[1]);

test('a server advertising a generous budget: the first publish paces to it (every page once, no 429), the doctor shows the pace', async () => {
  const r = await firstPublish(60, { rps: 100, burst: 200 });
  assert.equal(r.push.code, 0, r.push.stderr);
  for (const t of r.titles) assert.equal(r.inConfluence.filter((x) => x === t).length, 1, `${t} once`);
  assert.equal(r.limited, 0);
  const detail = rateCheck(r.doctor.stdout);
  assert.match(detail, /x-ratelimit-reset=/, detail);
  assert.ok(pace(detail) > 10, `paced above the profile's 10 req/s: ${detail}`);

  const silent = await firstPublish(5, undefined);
  assert.equal(silent.push.code, 0, silent.push.stderr);
  const quiet = rateCheck(silent.doctor.stdout);
  assert.match(quiet, /no rate-limit headers seen/, quiet);
  assert.equal(pace(quiet), 9.5, `95% of the profile's rate where the server says nothing: ${quiet}`);
});

test('--rate-limit 10: a first publish of 200 pages creates every page once with no 429 storm', async () => {
  const r = await firstPublish(200, { rps: 10, burst: 20 });
  assert.equal(r.push.code, 0, r.push.stderr);
  for (const t of r.titles) assert.equal(r.inConfluence.filter((x) => x === t).length, 1, `${t} once`);
  console.log(`--rate-limit 10: ${r.requests} requests, ${r.limited} × 429`);
  assert.ok(r.limited <= 2, `${r.limited} of ${r.requests} answers were 429`);
});
