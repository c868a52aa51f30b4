/**
 * Runs the real CLI in a child process (the TypeScript source through tsx, or dist/ under `npm test`) and returns what a
 * user would see. The environment is hermetic: no CONFLUENCE_*, ATLASSIAN_* or CSYNC_* variables leak in from the
 * machine; tests pass the ones they mean.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** `npm test` sets CSYNC_TEST_CLI=dist after building: the built CLI starts twice as fast as tsx. */
export const USE_DIST = process.env.CSYNC_TEST_CLI === 'dist';
export const CLI_ENTRY = USE_DIST ? join(ROOT, 'dist', 'cli', 'main.js') : join(ROOT, 'src', 'cli', 'main.ts');
/** Arguments for `node` that run the CLI: spawn(process.execPath, [...cliArgs(), 'pull', ...]). */
export function cliArgs(): string[] {
  return USE_DIST ? [CLI_ENTRY] : ['--import', 'tsx', CLI_ENTRY];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(CONFLUENCE_|ATLASSIAN_|CSYNC_)/.test(k)) continue;
    env[k] = v;
  }
  env.NO_COLOR = '1';
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...cliArgs(), ...args], {
      cwd: options.cwd ?? ROOT,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'csync-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
