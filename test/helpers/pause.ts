/**
 * Runs the real CLI paused right before a file replacement (src/local/safe-fs.ts testPause, CSYNC_TEST_PAUSE_*), so a
 * test can change the workspace in the window between a scan and a write deterministically.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, cliArgs } from './cli.js';
import type { TestWorkspace } from './workspace.js';

/**
 * `during` runs in the pause before the replacement of `at` (a workspace path; the first replacement when not given),
 * and the pause then ends at once; any other pause is let go at once. `paused`: whether `during` ran.
 */
export async function runPaused(ws: TestWorkspace, args: string[], during: () => void, at?: string): Promise<{ code: number | null; out: string; paused: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'csync-pause-'));
  const mark = join(dir, 'pause.mark');
  const go = join(dir, 'pause.go');
  const env = cleanEnv({
    CONFLUENCE_EMAIL: ws.emu.credentials.email,
    CONFLUENCE_API_TOKEN: ws.emu.credentials.token,
    CSYNC_PROFILE: 'fast',
    CSYNC_RATE_REQUESTS_PER_SECOND: '200',
    CSYNC_RATE_BURST: '200',
    // A cap only: the pause ends as soon as the test creates `go`.
    CSYNC_TEST_PAUSE_BEFORE_REPLACE: '120000',
    CSYNC_TEST_PAUSE_MARK: mark,
    CSYNC_TEST_PAUSE_GO: go,
  });
  const child = spawn(process.execPath, [...cliArgs(), '-w', ws.dir, '--no-progress', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  let done = false;
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const watcher = (async () => {
    try {
      while (!done) {
        if (existsSync(mark) && (at === undefined || readFileSync(mark, 'utf8').split('\n').includes(at))) {
          during();
          return true;
        }
        // Any other pause is let go at once.
        if (existsSync(mark)) writeFileSync(go, '');
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    } finally {
      writeFileSync(go, '');
    }
  })();
  const code = await closed;
  done = true;
  const paused = await watcher;
  rmSync(dir, { recursive: true, force: true });
  return { code, out, paused };
}
