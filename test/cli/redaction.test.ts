/**
 * Secrets never appear anywhere: a known token is fed to commands in every way a user can give it — init from
 * stdin, the environment, a config file — and the commands talk to the emulator (which accepts exactly that token),
 * so requests with the Authorization header really happen. Every byte of stdout, stderr and every file the commands
 * leave in the workspace (logs, config, state.db, pages) is searched for it, raw, URL-encoded and in the base64
 * form Basic auth uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

const TOKEN = 'tok-REDACTME-9f8e7d6c5b4a';
const EMAIL = 'leak@example.com';
const FORMS = [TOKEN, Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64'), encodeURIComponent(TOKEN)];

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

function assertClean(what: string, text: string): void {
  for (const f of FORMS) assert.ok(!text.includes(f), `${what} contains the token (${f.slice(0, 6)}…)`);
}

test('a known token appears in no output, log or file (except the .env the user asked to hold it)', async () => {
  const emu = await startEmulator({ seed: 'demo', credentials: { email: EMAIL, token: TOKEN } });
  const t = tempDir();
  try {
    const results: CliResult[] = [];
    results.push(await runCli(['init', '-w', t.dir, '--url', emu.url, '--email', EMAIL, '--space', 'DEMO', '--token-stdin'], { input: TOKEN }));
    assert.equal(results[0]!.code, 0, results[0]!.stderr);
    assert.match(readFileSync(join(t.dir, '.env'), 'utf8'), new RegExp(`CONFLUENCE_API_TOKEN=${TOKEN}`), 'init stores the token in .env');
    // Credentials from .env (written by init), at trace level.
    results.push(await runCli(['doctor', '-w', t.dir, '--log-level', 'trace']));
    results.push(await runCli(['pull', '-w', t.dir, '--log-level', 'trace']));
    assert.equal(results[2]!.code, 0, results[2]!.stderr);
    // Credentials from the environment, JSON output.
    const env = { CONFLUENCE_API_TOKEN: TOKEN, CONFLUENCE_EMAIL: EMAIL, CSYNC_LOG_LEVEL: 'trace' };
    results.push(await runCli(['doctor', '-w', t.dir, '--json'], { env }));
    // A wrong token next to the right one: the 401 error message must not echo either.
    results.push(await runCli(['pull', '-w', t.dir, '--log-level', 'trace'], { env: { CSYNC_SITE_API_TOKEN: `${TOKEN}x`, CONFLUENCE_EMAIL: EMAIL } }));
    assert.equal(results[4]!.code, 4, `a rejected token is exit 4: ${results[4]!.stderr}`);
    // A config file holding the token and a broken value: the error must not echo it.
    const cfg = join(t.dir, 'config', 'csync.json');
    const original = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, JSON.stringify({ site: { url: emu.url, apiToken: 42 } }));
    results.push(await runCli(['doctor', '-w', t.dir, '--json'], { env }));
    writeFileSync(cfg, JSON.stringify({ site: { url: TOKEN } }));
    results.push(await runCli(['doctor', '-w', t.dir], { env }));
    results.push(await runCli(['doctor', '-w', t.dir, `--bogus=${TOKEN}`], { env }));
    for (const [i, r] of results.entries()) {
      assertClean(`stdout of command ${i}`, r.stdout);
      assertClean(`stderr of command ${i}`, r.stderr);
    }
    assert.match(results[6]!.stdout, /site\.url = .*\[REDACTED\].* is invalid/);
    // The user's own config file held the token above; put the original back so the scan checks only our writes.
    writeFileSync(cfg, original);
    const files = filesUnder(t.dir).filter((f) => !f.endsWith('.env'));
    assert.ok(files.some((f) => f.includes(join('logs', 'csync'))), 'commands wrote a log file');
    assert.ok(files.some((f) => f.endsWith('state.db')), 'pull wrote the state database');
    assert.ok(files.some((f) => f.endsWith('.md')), 'pull wrote pages');
    for (const f of files) assertClean(f, readFileSync(f, 'latin1'));
    assert.ok(emu.requestLog().length > 5, 'the commands really talked to the server');
  } finally {
    t.cleanup();
    await emu.close();
  }
});
