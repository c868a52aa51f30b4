/**
 * CLI start-up time and peak RSS: `csync --version` and `csync --help` (median of 5), built CLI; `startup` adds
 * `csync status --local` in a workspace of 1,000 pulled pages (Markdown), the issue-18 goal being <= 0.4 s (median of
 * 7); `startup-commands` is each workspace command's fixed cost: the command run where it stops at its configuration
 * check (an empty folder, no credentials: exit 3), i.e. loading the CLI, the command's module and the configuration.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(args: string[], env: NodeJS.ProcessEnv = process.env, expect = 0): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: 'ignore', env });
  if (r.status !== expect) throw new Error(`csync ${args.join(' ')} exited ${r.status} (expected ${expect})`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Peak RSS in MB through GNU time (Linux), or NaN where it is missing. */
function peakMb(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  if (!existsSync('/usr/bin/time')) return Number.NaN;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', env });
  const kb = Number(r.stderr.trim().split('\n').pop());
  return Number.isFinite(kb) ? Math.round(kb / 1024) : Number.NaN;
}

export const scenarios = {
  'cli-startup': async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
    const version = Array.from({ length: 5 }, () => time(['--version']));
    const help = Array.from({ length: 5 }, () => time(['--help']));
    const node = Array.from({ length: 5 }, () => {
      const t = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', '0']);
      return Number(process.hrtime.bigint() - t) / 1e6;
    });
    const rss = (args: string[]) => median(Array.from({ length: 5 }, () => peakMb(args)));
    return {
      versionMedianMs: Math.round(median(version)),
      helpMedianMs: Math.round(median(help)),
      bareNodeMedianMs: Math.round(median(node)),
      versionPeakMb: rss([CLI, '--version']),
      helpPeakMb: rss([CLI, '--help']),
      bareNodePeakMb: rss(['-e', '0']),
    };
  },
  'startup-commands': async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
    const ws = mkdtempSync(join(tmpdir(), 'csync-bench-commands-'));
    // No credentials and no config: every command below stops at its configuration check (exit 3).
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: ws };
    const commands = [['status', '--local'], ['status'], ['pull'], ['push'], ['sync'], ['diff'], ['doctor'], ['watch']];
    const out: Record<string, number | string> = {};
    try {
      for (const c of commands) out[`${c.join(' ')} ms`] = Math.round(median(Array.from({ length: 7 }, () => time([...c, '-w', ws], env, 3))));
      out['--version ms'] = Math.round(median(Array.from({ length: 7 }, () => time(['--version'], env))));
      out['--help ms'] = Math.round(median(Array.from({ length: 7 }, () => time(['--help'], env))));
      out['bare node ms'] = Math.round(
        median(
          Array.from({ length: 7 }, () => {
            const t = process.hrtime.bigint();
            spawnSync(process.execPath, ['-e', '0']);
            return Number(process.hrtime.bigint() - t) / 1e6;
          }),
        ),
      );
      out.loadAverage = (await import('node:os')).loadavg()[0]!.toFixed(1);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
    return out;
  },
  startup: async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
    // A workspace of 1,000 pages, pulled once by the CLI from the emulator (which is then closed: --local needs none).
    const emu = await startEmulator({ seed: 1000, port: 0 });
    const ws = mkdtempSync(join(tmpdir(), 'csync-bench-startup-'));
    mkdirSync(join(ws, 'config'));
    writeFileSync(join(ws, 'config', 'csync.json'), JSON.stringify({ spaces: ['BENCH'] }));
    const env = { ...process.env, CONFLUENCE_URL: emu.url, CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_RATE_REQUESTS_PER_SECOND: '1000', CSYNC_RATE_BURST: '1000' };
    const pull = async () => {
      const code = await new Promise<number | null>((res) => spawn(process.execPath, [CLI, 'pull', '-w', ws, '--no-progress'], { env, stdio: 'ignore' }).on('close', res));
      if (code !== 0) throw new Error(`pull of 1,000 pages exited ${code}`);
    };
    const status = ['status', '--local', '-w', ws];
    let statusMs: number[];
    let settledMs: number[];
    try {
      await pull();
      // status writes nothing: right after the pull it hashes the files whose mtimes were still too fresh to record
      // (those the pull wrote in its last RACY_MTIME_MS).
      statusMs = Array.from({ length: 7 }, () => time(status, env));
      // Settled: a no-op pull once those are past the racy window stores their mtimes; status then only stats.
      await new Promise((r) => setTimeout(r, 2_700));
      await pull();
      settledMs = Array.from({ length: 7 }, () => time(status, env));
    } finally {
      await emu.close();
    }
    try {
      const version = Array.from({ length: 5 }, () => time(['--version']));
      const help = Array.from({ length: 5 }, () => time(['--help']));
      const node = Array.from({ length: 5 }, () => {
        const t = process.hrtime.bigint();
        spawnSync(process.execPath, ['-e', '0']);
        return Number(process.hrtime.bigint() - t) / 1e6;
      });
      const rss = (args: string[]) => median(Array.from({ length: 3 }, () => peakMb(args, env)));
      return {
        files: 1000,
        statusLocalMedianMs: Math.round(median(statusMs)),
        statusLocalSettledMedianMs: Math.round(median(settledMs)),
        statusLocalGoalMs: 400,
        versionMedianMs: Math.round(median(version)),
        helpMedianMs: Math.round(median(help)),
        bareNodeMedianMs: Math.round(median(node)),
        statusLocalPeakMb: rss([CLI, ...status]),
        versionPeakMb: rss([CLI, '--version']),
        loadAverage: (await import('node:os')).loadavg()[0]!.toFixed(1),
      };
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  },
};
