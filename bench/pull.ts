/**
 * Pull benchmarks: a full pull of 10,000 and of 100,000 pages, and a no-op pull of 10,000, each by the real CLI
 * (built dist/) in a child process against the emulator on 127.0.0.1 (in this process). Reports requests by
 * endpoint, wall time and the CLI's peak RSS (from /usr/bin/time).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../src/emulator/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

interface RunResult {
  code: number | null;
  wallMs: number;
  peakRssMB: number | undefined;
  stdout: string;
  stderr: string;
}

function runCli(ws: string, emu: Emulator, args: string[]): Promise<RunResult> {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const argv = useTime ? ['-f', 'CSYNC_PEAK_RSS_KB=%M', process.execPath, CLI, ...args, '-w', ws, '--no-progress'] : [CLI, ...args, '-w', ws, '--no-progress'];
  const env = { ...process.env, CONFLUENCE_URL: emu.url, CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000', CSYNC_CONCURRENCY_PAGES: '8' };
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const kb = /CSYNC_PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1];
      resolve({ code, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, peakRssMB: kb ? Math.round(Number(kb) / 1024) : undefined, stdout, stderr });
    });
  });
}

function workspace(spaceKey: string): string {
  const ws = mkdtempSync(join(tmpdir(), 'csync-bench-'));
  mkdirSync(join(ws, 'config'));
  writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: [spaceKey] }));
  return ws;
}

function byEndpoint(emu: Emulator): string {
  return Object.entries(emu.requestCounts())
    .map(([k, v]) => `${k.replace('/wiki/api/v2', 'v2').replace('/wiki/rest/api', 'v1')}=${v}`)
    .join('; ');
}

async function fullPull(pages: number) {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  const emu = await startEmulator({ seed: pages, port: 0 });
  const ws = workspace('BENCH');
  try {
    const r = await runCli(ws, emu, ['pull']);
    if (r.code !== 0) throw new Error(`pull exited ${r.code}: ${r.stderr.slice(-500)}`);
    const requests = emu.requestLog().length;
    const listing = Math.ceil(pages / 250);
    return { pages, requests, listingWithBodiesGoal: listing, wallMs: Math.round(r.wallMs), pagesPerSecond: Math.round(pages / (r.wallMs / 1000)), peakRssMB: r.peakRssMB ?? -1, bodiesServed: emu.store.bodiesServed, endpoints: byEndpoint(emu) };
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

export const scenarios = {
  'pull-10k': () => fullPull(10_000),
  'pull-100k': () => fullPull(100_000),
  'noop-pull-10k': async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
    const emu = await startEmulator({ seed: 10_000, port: 0 });
    const ws = workspace('BENCH');
    try {
      const first = await runCli(ws, emu, ['pull']);
      if (first.code !== 0) throw new Error(`pull exited ${first.code}: ${first.stderr.slice(-500)}`);
      emu.resetLog();
      const r = await runCli(ws, emu, ['pull']);
      if (r.code !== 0) throw new Error(`no-op pull exited ${r.code}`);
      const writes = emu.requestLog().filter((x) => x.method !== 'GET').length;
      return { pages: 10_000, requests: emu.requestLog().length, writes, wallMs: Math.round(r.wallMs), peakRssMB: r.peakRssMB ?? -1, upToDate: /Already up to date/.test(r.stdout), endpoints: byEndpoint(emu) };
    } finally {
      await emu.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
};
