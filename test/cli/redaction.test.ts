/**
 * Secrets never appear anywhere: a known token is fed to commands in every way a user can give it, and every byte
 * of stdout, stderr and every file the commands leave in the workspace (logs, config, state) is searched for it,
 * raw and in the base64 form Basic auth uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const t = tempDir();
  try {
    const results: CliResult[] = [];
    results.push(await runCli(['init', '-w', t.dir, '--url', 'https://acme.atlassian.net', '--email', EMAIL, '--space', 'DOC', '--token-stdin'], { input: TOKEN }));
    assert.equal(results[0]!.code, 0, results[0]!.stderr);
    assert.match(readFileSync(join(t.dir, '.env'), 'utf8'), new RegExp(`CONFLUENCE_API_TOKEN=${TOKEN}`), 'init stores the token in .env');
    const env = { CONFLUENCE_API_TOKEN: TOKEN, CONFLUENCE_EMAIL: EMAIL, CSYNC_LOG_LEVEL: 'trace' };
    results.push(await runCli(['doctor', '-w', t.dir, '--log-level', 'trace'], { env }));
    results.push(await runCli(['doctor', '-w', t.dir, '--json'], { env }));
    // A config file holding the token and a broken value: the error must not echo it.
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: 'https://acme.atlassian.net', apiToken: 42 } }));
    results.push(await runCli(['doctor', '-w', t.dir, '--json'], { env }));
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: TOKEN } }));
    results.push(await runCli(['doctor', '-w', t.dir], { env }));
    // The user's own config file held the token above; put a clean one back so the scan below checks our writes.
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: 'https://acme.atlassian.net' }, spaces: ['DOC'] }));
    results.push(await runCli(['pull', '-w', t.dir, '--log-level', 'trace'], { env }));
    results.push(await runCli(['doctor', '-w', t.dir, `--bogus=${TOKEN}`], { env }));
    for (const [i, r] of results.entries()) {
      assertClean(`stdout of command ${i}`, r.stdout);
      assertClean(`stderr of command ${i}`, r.stderr);
    }
    // The URL one must still have said something useful.
    assert.match(results[4]!.stdout, /site\.url = .*\[REDACTED\].* is invalid/);
    const files = filesUnder(t.dir).filter((f) => !f.endsWith('.env'));
    assert.ok(files.some((f) => f.includes(`${join('logs', 'csync')}`)), 'commands wrote a log file');
    for (const f of files) assertClean(f, readFileSync(f, 'latin1'));
  } finally {
    t.cleanup();
  }
});
