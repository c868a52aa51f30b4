/**
 * Export benchmarks, by the real CLI (built dist/) in a child process against the emulator on 127.0.0.1:
 * - export-md-1k: 1,000 pages to Markdown (a folder): pages/s, requests, wall time, the CLI's peak RSS;
 * - export-md-1k-again: the same export once more: unchanged pages come from the cache (listing requests only);
 * - export-pdf-500, export-pdf-1k: 500 / 1,000 pages to one PDF (a folder): pages/s, PDF pages and size, peak RSS;
 * - export-zip-1k, export-zip-2k, export-zip-1k-again: the export-10k shape at 1k and 2k pages, and a re-export of unchanged pages;
 * - export-10k: 10,000 pages to Markdown and JSON in one streamed zip, in a workspace that never synced: requests (goal ≤ ceil(N/250),
 *   plus the space lookup and the label listing JSON needs), wall time, peak RSS (goal ≤ 150 MB);
 * - export-10k-again: the same export once more (the space id is remembered): ceil(N/250) listing requests + the label listing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import type { Metrics } from './run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** The built CLI in a child process against `emu`, under GNU time when present (peak RSS); `extraEnv` (default: Confluence rates of 1000/s) is added to the environment. */
export function runCli(ws: string, emu: Emulator, args: string[], extraEnv: Record<string, string> = { CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000' }): Promise<{ code: number | null; wallMs: number; peakRssMB: number | undefined; stderr: string }> {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const argv = [...(useTime ? ['-f', 'CSYNC_PEAK_RSS_KB=%M', process.execPath] : []), CLI, ...args, '-w', ws, '--no-progress'];
  const env = { ...process.env, CONFLUENCE_URL: emu.url, CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, ...extraEnv };
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const kb = /CSYNC_PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1];
      resolve({ code, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, peakRssMB: kb ? Math.round(Number(kb) / 1024) : undefined, stderr });
    });
  });
}

async function withBench<T>(pages: number, fn: (emu: Emulator, ws: string) => Promise<T>): Promise<T> {
  const emu = await startEmulator({ seed: pages });
  const ws = mkdtempSync(join(tmpdir(), 'csync-bench-export-'));
  mkdirSync(join(ws, 'config'));
  writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['BENCH'] }));
  try {
    return await fn(emu, ws);
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

async function exportOnce(emu: Emulator, ws: string, pages: number, args: string[]): Promise<Metrics> {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  emu.resetLog();
  const r = await runCli(ws, emu, ['export', '--no-attachments', ...args]);
  if (r.code !== 0) throw new Error(`export failed (${r.code}): ${r.stderr.slice(0, 500)}`);
  const log = emu.requestLog();
  return {
    pages,
    wallMs: Math.round(r.wallMs),
    pagesPerSec: Number(((pages * 1000) / r.wallMs).toFixed(1)),
    requests: log.length,
    // The breakdown: the space's listing (bodies included, 250 a request), its lookup by key (a workspace that never
    // synced or exported it), the label listing (pages.jsonl carries labels), bodies by id (none expected).
    listingRequests: log.filter((q) => q.route === '/wiki/api/v2/spaces/{id}/pages').length,
    spaceLookups: log.filter((q) => q.route === '/wiki/api/v2/spaces').length,
    labelRequests: log.filter((q) => q.route.includes('labels')).length,
    bodyRequests: log.filter((q) => q.route === '/wiki/api/v2/pages').length,
    peakRssMB: r.peakRssMB ?? 'n/a',
  };
}

/** `pages` pages to one PDF: the export's figures plus the PDF's size and page count (pdfinfo, when installed). */
function exportPdf(pages: number): Promise<Metrics> {
  return withBench(pages, async (emu, ws) => {
    const m = await exportOnce(emu, ws, pages, ['--format', 'pdf', '--out', join(ws, 'out')]);
    const pdf = join(ws, 'out', 'export.pdf');
    let pdfPages: number | string = 'n/a';
    try {
      pdfPages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf]).toString())?.[1]);
    } catch {
      /* no poppler-utils */
    }
    return { ...m, pdfPages, pdfMB: Number((statSync(pdf).size / 2 ** 20).toFixed(1)) };
  });
}

/** N pages to Markdown and JSON in one streamed zip (the export-10k shape); `again`: measures a second run over unchanged pages. */
function zipExport(pages: number, again = false): Promise<Metrics> {
  return withBench(pages, async (emu, ws) => {
    const args = ['--format', 'md', '--format', 'json', '--zip', join(ws, 'out.zip')];
    let m = await exportOnce(emu, ws, pages, args);
    if (again) m = await exportOnce(emu, ws, pages, args);
    return { ...m, zipMB: Number((statSync(join(ws, 'out.zip')).size / 2 ** 20).toFixed(1)) };
  });
}

export const scenarios = {
  'export-md-1k': () => withBench(1000, (emu, ws) => exportOnce(emu, ws, 1000, ['--format', 'md', '--out', join(ws, 'out')])),
  'export-md-1k-again': () =>
    withBench(1000, async (emu, ws) => {
      await exportOnce(emu, ws, 1000, ['--format', 'md', '--out', join(ws, 'out')]);
      return exportOnce(emu, ws, 1000, ['--format', 'md', '--out', join(ws, 'out')]);
    }),
  'export-10k': () => zipExport(10000),
  'export-10k-again': () => zipExport(10000, true),
  // The same export at 1k and 2k pages: peak RSS must not grow with N beyond small per-item records.
  'export-zip-1k': () => zipExport(1000),
  'export-zip-2k': () => zipExport(2000),
  // 1k pages to md + json zip twice: the second run (unchanged pages) costs listing requests only.
  'export-zip-1k-again': () => zipExport(1000, true),
  'export-pdf-500': () => exportPdf(500),
  'export-pdf-1k': () => exportPdf(1000),
};
