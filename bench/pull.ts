/**
 * Pull benchmarks: a full pull of 10,000 and of 100,000 pages (in the default Markdown format, and in the storage
 * format, which converts nothing), a no-op pull of 10,000 and of 100,000 (storage), a no-op sync (pull + push) of 10,000, each by the
 * real CLI (built dist/) in a child process against the emulator on 127.0.0.1 (in this process). Reports requests
 * by endpoint, wall time and the CLI's peak RSS (from /usr/bin/time).
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

type Format = 'markdown' | 'storage';

function workspace(spaceKey: string, format: Format = 'markdown'): string {
  const ws = mkdtempSync(join(tmpdir(), 'csync-bench-'));
  mkdirSync(join(ws, 'config'));
  writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: [spaceKey], format }));
  return ws;
}

/** The routes a no-op run may use: the space, its page listing, labels, and the CQL attachment listing. */
const LISTING_ROUTES = /^GET \/wiki\/(api\/v2\/(spaces|spaces\/\{id\}\/pages|spaces\/\{id\}\/content\/labels|labels\/\{id\}\/pages)|rest\/api\/content\/search)$/;

function byEndpoint(emu: Emulator): string {
  return Object.entries(emu.requestCounts())
    .map(([k, v]) => `${k.replace('/wiki/api/v2', 'v2').replace('/wiki/rest/api', 'v1')}=${v}`)
    .join('; ');
}

async function fullPull(pages: number, format: Format = 'markdown') {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  const emu = await startEmulator({ seed: pages, port: 0 });
  const ws = workspace('BENCH', format);
  try {
    const r = await runCli(ws, emu, ['pull']);
    if (r.code !== 0) throw new Error(`pull exited ${r.code}: ${r.stderr.slice(-500)}`);
    const requests = emu.requestLog().length;
    const listing = Math.ceil(pages / 250);
    return { pages, format, requests, listingWithBodiesGoal: listing, wallMs: Math.round(r.wallMs), pagesPerSecond: Math.round(pages / (r.wallMs / 1000)), peakRssMB: r.peakRssMB ?? -1, bodiesServed: emu.store.bodiesServed, endpoints: byEndpoint(emu) };
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

/** A second run of `command` right after a full pull: what a run that finds nothing to do costs. */
async function noop(command: 'pull' | 'sync', pages: number, format: Format = 'markdown') {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  const emu = await startEmulator({ seed: pages, port: 0 });
  const ws = workspace('BENCH', format);
  try {
    const first = await runCli(ws, emu, ['pull']);
    if (first.code !== 0) throw new Error(`pull exited ${first.code}: ${first.stderr.slice(-500)}`);
    emu.resetLog();
    const servedBefore = emu.store.bodiesServed;
    const r = await runCli(ws, emu, [command]);
    if (r.code !== 0) throw new Error(`no-op ${command} exited ${r.code}: ${r.stderr.slice(-500)}`);
    const log = emu.requestLog();
    const writes = log.filter((x) => x.method !== 'GET').length;
    const notListing = log.filter((x) => !LISTING_ROUTES.test(`${x.method} ${x.route}`)).length;
    return {
      pages,
      command,
      format,
      firstPullPeakRssMB: first.peakRssMB ?? -1,
      firstPullWallMs: Math.round(first.wallMs),
      requests: log.length,
      writes,
      onlyListingRequests: notListing === 0,
      bodiesServed: emu.store.bodiesServed - servedBefore,
      wallMs: Math.round(r.wallMs),
      peakRssMB: r.peakRssMB ?? -1,
      upToDate: /Already up to date/.test(r.stdout),
      endpoints: byEndpoint(emu),
    };
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

export const scenarios = {
  'pull-10k': () => fullPull(10_000),
  'pull-10k-storage': () => fullPull(10_000, 'storage'),
  'pull-100k': () => fullPull(100_000),
  'pull-100k-storage': () => fullPull(100_000, 'storage'),
  'noop-pull-10k': () => noop('pull', 10_000),
  // The 10k counterpart of noop-pull-100k (same format), for the "100k next to 10k" comparison.
  'noop-pull-10k-storage': () => noop('pull', 10_000, 'storage'),
  // The first pull in the storage format (6x faster to write than Markdown at 100k); a no-op run converts nothing.
  'noop-pull-100k': () => noop('pull', 100_000, 'storage'),
  'noop-sync-10k': () => noop('sync', 10_000),
};
