/**
 * Daemon benchmarks. watcher-idle-10k: 10,000 page files in 100 folders; the watcher runs in a child process (so
 * only its own CPU and memory are measured) and sits idle for 60 s (20 s with CSYNC_BENCH_QUICK=1). Goal: idle CPU < 1%.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(ROOT, 'bench', 'daemon-watcher-child.ts');

function makeTree(dir: string, files: number, perFolder: number): void {
  for (let i = 0; i < files; i++) {
    const folder = join(dir, 'content', 'S', `d${Math.floor(i / perFolder)}`);
    if (i % perFolder === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `p${i % perFolder}.md`), `# Page ${i}\n\nSome text.\n`);
  }
  mkdirSync(join(dir, 'attachments', 'S'), { recursive: true });
}

function runChild(workspace: string, seconds: number): Promise<Record<string, number | boolean>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, workspace, String(seconds)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`watcher child exited ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | boolean>);
    });
  });
}

export const scenarios = {
  'watcher-idle-10k': async () => {
    const files = 10_000;
    const seconds = process.env.CSYNC_BENCH_QUICK === '1' ? 20 : 60;
    const dir = mkdtempSync(join(tmpdir(), 'csync-bench-watch-'));
    try {
      makeTree(dir, files, 100);
      const r = await runChild(dir, seconds);
      return { files, folders: files / 100, ...r, goalIdleCpuBelowPercent: 1, goalMet: Number(r.idleCpuPercent) < 1 };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
