/**
 * Jira export benchmarks, by the real CLI (built dist/) in a child process against the emulator on 127.0.0.1:
 * - export-jira-5k: 5,000 generated issues (every 10th with 25 comments: more than the 20 an issue embeds) by JQL
 *   into Markdown + JSON Lines: search requests (pages of up to 100), comment requests, wall time, peak RSS;
 * - export-jira-5k-again: the same export once more: unchanged issues come from the cache (key + updated), so only
 *   the search pages are sent.
 * - jira-comments-latency: the selection step alone (search + comment pages) of 1,000 issues (100 with more than 20
 *   comments) in process, with 100 ms of emulator latency per request (a far server): the export's comment paging
 *   (4 issues at a time) against reading them one issue after another, as the export did before.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { ExportCache } from '../src/export/cache.js';
import { selectJira } from '../src/export/jira.js';
import { createJiraClient } from '../src/remote/jira/index.js';
import { runCli } from './export.js';
import type { Metrics } from './run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const ISSUES = 5000;

async function withBench<T>(fn: (emu: Emulator, ws: string) => Promise<T>): Promise<T> {
  const emu = await startEmulator({ seed: 'empty', jiraIssues: ISSUES, flavour: 'cloud' });
  const ws = mkdtempSync(join(tmpdir(), 'csync-bench-jira-'));
  mkdirSync(join(ws, 'config'));
  writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({}));
  try {
    return await fn(emu, ws);
  } finally {
    await emu.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

async function exportOnce(emu: Emulator, ws: string): Promise<Metrics> {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  emu.resetLog();
  const r = await runCli(ws, emu, ['export', '--jql', 'project = BENCH', '--format', 'md', '--format', 'json', '--out', join(ws, 'out')], { CSYNC_JIRA_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_JIRA_RATE_BURST: '1000' });
  if (r.code !== 0) throw new Error(`export failed (${r.code}): ${r.stderr.slice(0, 500)}`);
  const log = emu.requestLog();
  return {
    issues: ISSUES,
    wallMs: Math.round(r.wallMs),
    issuesPerSec: Number(((ISSUES * 1000) / r.wallMs).toFixed(1)),
    requests: log.length,
    searchRequests: log.filter((q) => q.route === '/rest/api/3/search/jql').length,
    commentRequests: log.filter((q) => q.route === '/rest/api/3/issue/{key}/comment').length,
    peakRssMB: r.peakRssMB ?? 'n/a',
  };
}

async function commentsLatency(): Promise<Metrics> {
  const emu = await startEmulator({ seed: 'empty', jiraIssues: 1000, flavour: 'cloud', latencyMs: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'csync-bench-jira-lat-'));
  const client = () =>
    createJiraClient({
      baseUrl: emu.origin,
      flavour: 'cloud',
      auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
      rate: { requestsPerSecond: 1000, burst: 1000, maxConcurrent: 4 },
      retry: { maxRetries: 3, baseDelayMs: 50, maxDelayMs: 2000 },
      timeouts: { connectMs: 10_000, responseMs: 60_000 },
      breaker: { failureThreshold: 20, halfOpenAfterMs: 5000 },
    });
  try {
    // Before: one issue's comments after the other.
    let j = client();
    let t = performance.now();
    for await (const issue of j.search('project = BENCH')) await j.complete(issue);
    const sequentialMs = performance.now() - t;
    await j.close();
    const sequentialRequests = emu.requestLog().length;
    emu.resetLog();
    // Now: the export's selection (comment pages of 4 issues at a time).
    j = client();
    t = performance.now();
    const items = await selectJira(j, new ExportCache(join(dir, 'cache')), false, { source: 'jira', jql: 'project = BENCH', labels: [], linked: false }, new Set());
    const concurrentMs = performance.now() - t;
    await j.close();
    return {
      issues: items.length,
      latencyMsPerRequest: 100,
      requests: emu.requestLog().length,
      sequentialRequests,
      commentRequests: emu.requestLog().filter((q) => q.route === '/rest/api/3/issue/{key}/comment').length,
      sequentialMs: Math.round(sequentialMs),
      concurrentMs: Math.round(concurrentMs),
    };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const scenarios = {
  'jira-comments-latency': commentsLatency,
  'export-jira-5k': () => withBench((emu, ws) => exportOnce(emu, ws)),
  'export-jira-5k-again': () =>
    withBench(async (emu, ws) => {
      await exportOnce(emu, ws);
      return exportOnce(emu, ws);
    }),
};
