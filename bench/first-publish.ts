/**
 * `first-publish-200`: the real CLI (default profile: 10 req/s, burst 20, 4 pages at once) pushes 200 new pages to
 * the emulator on 127.0.0.1 (no added latency unless CSYNC_BENCH_PUBLISH_LATENCY_MS), three times side by side:
 * - `generous`: the server advertises a generous budget (a 100 req/s token bucket, burst 200, sent as
 *   X-RateLimit-Limit / -Remaining / -Reset on every answer): csync should pace to it, not to its profile's 10 req/s;
 * - `limited`: `--rate-limit 10` (burst 20): the profile's pace is the server's; csync must publish everything with
 *   no 429 storm;
 * - `silent`: no rate limit and no headers: the profile's rate is the ceiling (the baseline);
 * - `unpaced`: as silent, with the profile's rate set to 1000 req/s: what the push pipeline itself takes.
 * Per run: wall time, requests, 429s, pages in Confluence afterwards, and the most page creates (POST) the emulator
 * had in flight at once. CSYNC_BENCH_PUBLISH_RUNS repeats each case (median wall time), CSYNC_BENCH_PUBLISH_CASES
 * picks cases (comma-separated).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorOptions } from '../src/emulator/index.js';
import { cleanEnv, cliArgs, ROOT } from '../test/helpers/cli.js';

const PAGES = Number(process.env.CSYNC_BENCH_PUBLISH_PAGES ?? 200);
const LATENCY_MS = Number(process.env.CSYNC_BENCH_PUBLISH_LATENCY_MS ?? 0);
/** Runs of each case (CSYNC_BENCH_PUBLISH_RUNS): wall times are their median, counts the median run's. */
const RUNS = Math.max(1, Number(process.env.CSYNC_BENCH_PUBLISH_RUNS ?? 1));
/** Only these cases (CSYNC_BENCH_PUBLISH_CASES=generous,silent), all when unset. */
const CASES = process.env.CSYNC_BENCH_PUBLISH_CASES?.split(',').filter(Boolean);

function run(args: string[], input = '', env: Record<string, string> = {}): Promise<{ code: number | null; out: string; wallMs: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliArgs(), ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out, wallMs: performance.now() - t0 }));
    child.stdin.end(input);
  });
}

/** One first publish of PAGES new pages; the rate limit goes on after init and the first pull. */
export async function firstPublish(rateLimit: EmulatorOptions['rateLimit'], env: Record<string, string> = {}): Promise<{ wallMs: number; requests: number; limited: number; pagesCreated: number; maxCreatesAlongside: number; code: number | null }> {
  const emu = await startEmulator({ seed: 'demo', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'csync-bench-publish-'));
  try {
    const init = await run(['init', '-w', dir, '--url', emu.url, '--email', emu.credentials.email, '--space', 'DEMO', '--token-stdin'], `${emu.credentials.token}\n`);
    if (init.code !== 0) throw new Error(`init: ${init.out}`);
    const pull = await run(['pull', '-w', dir, '--no-progress']);
    if (pull.code !== 0) throw new Error(`pull: ${pull.out}`);
    const folder = join(dir, 'content', 'DEMO', 'Demo space home');
    mkdirSync(folder, { recursive: true });
    for (let i = 1; i <= PAGES; i++) writeFileSync(join(folder, `Page ${String(i).padStart(3, '0')}.md`), `## Page ${i}\n\nSome **text** for page ${i}.\n\n- a\n- b\n`);
    const before = emu.api.pages('DEMO').length;
    emu.setLatency(LATENCY_MS);
    emu.setRateLimit(rateLimit);
    emu.resetLog();
    const push = await run(['push', '-w', dir, '--no-progress'], '', env);
    const log = emu.requestLog();
    return { wallMs: Math.round(push.wallMs), requests: log.length, limited: log.filter((r) => r.status === 429).length, pagesCreated: emu.api.pages('DEMO').length - before, maxCreatesAlongside: Math.max(0, ...log.filter((r) => r.method === 'POST' && r.route.endsWith('/api/v2/pages')).map((r) => r.alongside ?? 1)), code: push.code };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const scenarios = {
  'first-publish-200': async () => {
    const out: Record<string, number | string> = { pages: PAGES, latencyMs: LATENCY_MS, runs: RUNS };
    for (const [name, limit, env] of [
      ['generous', { rps: 100, burst: 200 }, {}],
      ['limited', { rps: 10, burst: 20 }, {}],
      ['silent', undefined, {}],
      // The floor: the same push with pacing out of the way (what the push pipeline itself takes).
      ['unpaced', undefined, { CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000' }],
    ] as const) {
      if (CASES && !CASES.includes(name)) continue;
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await firstPublish(limit, env));
      runs.sort((a, b) => a.wallMs - b.wallMs);
      const r = runs[Math.floor(runs.length / 2)]!;
      if (RUNS > 1) out[`${name}WallsS`] = runs.map((x) => x.wallMs / 1000).join(' / ');
      out[`${name}WallS`] = r.wallMs / 1000;
      out[`${name}Requests`] = r.requests;
      out[`${name}429s`] = r.limited;
      out[`${name}PagesCreated`] = r.pagesCreated;
      out[`${name}MaxCreatesAlongside`] = r.maxCreatesAlongside;
      out[`${name}Exit`] = String(r.code);
    }
    return out;
  },
};
