/**
 * `csync import notion` at scale: the real CLI (built dist/) in a child process against the emulator's Notion API
 * (in this process) behind Notion's documented limit (3 requests per second, burst 10, 429 rate_limited with
 * Retry-After). Pages of 500 blocks (headings, paragraphs, lists, to-dos, code). Reports peak RSS of the CLI
 * (/usr/bin/time), requests, 429 share, the achieved request rate against the limit, and wall time.
 *   NOTION_BENCH_RPS=N overrides the limit (both sides) for a quick run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import type { Metrics } from './run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const BLOCKS_PER_PAGE = 500;

async function importBlocks(blocks: number): Promise<Metrics> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  const rps = Number(process.env.NOTION_BENCH_RPS ?? 3);
  const pages = Math.ceil(blocks / BLOCKS_PER_PAGE);
  const emu = await startEmulator({ seed: 'empty', notion: { seed: { pages, blocksPerPage: BLOCKS_PER_PAGE }, rateLimit: { rps, burst: 10 } } });
  const ws = mkdtempSync(join(tmpdir(), 'csync-bench-notion-'));
  try {
    mkdirSync(join(ws, 'config'));
    writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['NOTION'], format: 'markdown' }));
    const rootId = [...emu.notion!.store.pages.keys()][0]!;
    const useTime = existsSync('/usr/bin/time');
    const args = [CLI, 'import', 'notion', '--root', rootId, '--space', 'NOTION', '--rps', String(rps), '--json', '-w', ws, '--no-progress'];
    const env = { ...process.env, NOTION_TOKEN: emu.notion!.token, NOTION_API_URL: emu.notion!.url };
    const t0 = performance.now();
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(useTime ? '/usr/bin/time' : process.execPath, useTime ? ['-f', 'CSYNC_PEAK_RSS_KB=%M', process.execPath, ...args] : args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const wallMs = performance.now() - t0;
    if (r.code !== 0) throw new Error(`import failed (${r.code}): ${r.stderr.slice(-2000)}`);
    const s = JSON.parse(r.stdout) as { api: { calls: number; rateLimited: number }; durationMs: number; fetchMs: number; requestsPerSecond: number; peakRssMb: number; files: { written: number } };
    const log = emu.requestLog().filter((e) => e.path.startsWith('/notion/v1/'));
    const limited = log.filter((e) => e.status === 429).length;
    const kb = /CSYNC_PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1];
    // The rate achieved while fetching: requests over the fetch phase (start-up and the write phase, which sends no
    // request, excluded).
    const achieved = log.length / (s.fetchMs / 1000);
    return {
      blocks: pages * BLOCKS_PER_PAGE,
      pages,
      files_written: s.files.written,
      requests: log.length,
      rate_limited_429: limited,
      share_429_pct: Math.round((limited / Math.max(1, log.length)) * 10000) / 100,
      limit_rps: rps,
      achieved_rps: Math.round(achieved * 100) / 100,
      achieved_pct_of_limit: Math.round((achieved / rps) * 1000) / 10,
      fetch_s: Math.round(s.fetchMs / 100) / 10,
      import_s: Math.round(s.durationMs / 100) / 10,
      wall_s: Math.round(wallMs / 100) / 10,
      cli_peak_rss_mb: kb ? Math.round(Number(kb) / 1024) : s.peakRssMb,
    };
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

export const scenarios = {
  'notion-import-10k-blocks': () => importBlocks(10_000),
  'notion-import-100k-blocks': () => importBlocks(100_000),
};
