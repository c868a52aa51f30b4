/**
 * Issue 13, item 15: `csync export --help`'s own example exited 2 (usage). Every example `csync export --help` shows
 * is run as written in a configured workspace (the emulator): the parser accepts each one (no usage error from the
 * argument parser) and none ends in an unexpected error (exit 1). What the examples name (a definition, a job, a
 * batch file, a daemon) need not exist: the command then says so with its own message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI_ENTRY, cleanEnv, ROOT, USE_DIST, tempDir } from '../helpers/cli.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

/** The CLI run from another folder (tsx named by its full path: it is not found from there by name). */
function runIn(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const node = USE_DIST ? [CLI_ENTRY] : ['--import', import.meta.resolve('tsx'), CLI_ENTRY];
  return new Promise((resolve, reject) => {
    // Asynchronous: the emulator answers from this process.
    const child = spawn(process.execPath, [...node, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('every example of csync export --help parses and runs without an unexpected error', { timeout: 600_000 }, async () => {
  const source = readFileSync(join(ROOT, 'src', 'cli', 'commands', 'export.ts'), 'utf8');
  const examples = [...source.matchAll(/\.example\('csync ([^']+)'/g)].map((m) => m[1]!);
  assert.ok(examples.length >= 5, `the examples were found: ${examples.length}`);
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  // The examples write relative paths (runbooks.zip, ctx/): run them from a scratch folder.
  const cwd = tempDir('csync-examples-');
  try {
    const help = await runIn(cwd.dir, ['export', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Examples:/);
    const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast' };
    for (const example of examples) {
      const args = example.split(' ');
      const r = await runIn(cwd.dir, ['-w', ws.dir, '--no-progress', ...args], env);
      const said = `${example}: exit ${r.code}\n${r.stdout}${r.stderr}`;
      assert.doesNotMatch(r.stderr, /Unknown argument|Unknown command|Not enough (non-option )?arguments|Missing required argument|Invalid values|Arguments? .* mutually exclusive/, said);
      assert.notEqual(r.code, 1, said);
      assert.notEqual(r.code, null, said);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${said}`);
    }
  } finally {
    cwd.cleanup();
    await ws.close();
  }
});
