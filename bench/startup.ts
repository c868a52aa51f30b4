/** CLI start-up time and peak RSS: `csync --version` and `csync --help` (median of 5), built CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`csync ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Peak RSS in MB through GNU time (Linux), or NaN where it is missing. */
function peakMb(args: string[]): number {
  if (!existsSync('/usr/bin/time')) return Number.NaN;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' });
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
};
