import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

const PRODUCT_COMMANDS = ['init', 'doctor', 'pull', 'push', 'sync', 'status', 'diff', 'resolve', 'watch', 'service', 'export', 'compare', 'emulator', 'demo'];

test('--help lists every product command and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of PRODUCT_COMMANDS) assert.match(r.stdout, new RegExp(`csync ${c}\\b`), `--help should list ${c}`);
  assert.match(r.stdout, /Exit codes: 0 ok, 1 error, 2 usage/);
});

test('every command has --help with at least one example', async () => {
  const results = await Promise.all(PRODUCT_COMMANDS.map((c) => runCli([c, '--help'])));
  results.forEach((r, i) => {
    assert.equal(r.code, 0, `${PRODUCT_COMMANDS[i]} --help: ${r.stderr}`);
    assert.match(r.stdout, /Examples:\n\s+csync /, `${PRODUCT_COMMANDS[i]} --help should show an example`);
  });
});

test('unknown commands and flags are usage errors (exit 2)', async () => {
  const [cmd, flag, missing] = await Promise.all([runCli(['pul']), runCli(['doctor', '--frobnicate']), runCli([])]);
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /Unknown command: pul|Did you mean pull/);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Unknown argument: frobnicate/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /name a command/);
});

test('a bad --profile value is a usage error naming the choices', async () => {
  const r = await runCli(['doctor', '--profile', 'turbo']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Invalid values:[\s\S]*profile[\s\S]*fast/);
});

test('--version prints the package version', async () => {
  const r = await runCli(['--version']);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('the completion command prints a shell completion script', async () => {
  const r = await runCli(['completion']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /_csync_yargs_completions|complete -o/);
});

test('init creates the workspace: config, .env with mode 600, folders, .gitignore', async () => {
  const t = tempDir();
  try {
    const r = await runCli(['init', '-w', t.dir, '--url', 'https://acme.atlassian.net/wiki/', '--email', 'me@acme.com', '--space', 'DOC', '--space', 'ENG']);
    assert.equal(r.code, 0, r.stderr);
    const cfg = JSON.parse(readFileSync(join(t.dir, 'config', 'csync.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(cfg, { site: { url: 'https://acme.atlassian.net/wiki' }, spaces: ['DOC', 'ENG'], format: 'markdown', profile: 'balanced' });
    assert.equal(statSync(join(t.dir, '.env')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(t.dir, '.env'), 'utf8'), /^CONFLUENCE_EMAIL=me@acme.com$/m);
    for (const d of ['config', 'content', 'attachments', 'cache', 'logs']) assert.ok(existsSync(join(t.dir, d)), d);
    assert.match(readFileSync(join(t.dir, '.gitignore'), 'utf8'), /^\.env$/m);
  } finally {
    t.cleanup();
  }
});

test('init refuses to overwrite without --force and overwrites with it', async () => {
  const t = tempDir();
  try {
    assert.equal((await runCli(['init', '-w', t.dir, '--space', 'DOC'])).code, 0);
    const before = readFileSync(join(t.dir, 'config', 'csync.json'), 'utf8');
    const again = await runCli(['init', '-w', t.dir, '--space', 'OTHER']);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /workspace already initialised[\s\S]*use --force/);
    assert.equal(readFileSync(join(t.dir, 'config', 'csync.json'), 'utf8'), before);
    const forced = await runCli(['init', '-w', t.dir, '--space', 'OTHER', '--force']);
    assert.equal(forced.code, 0);
    assert.match(readFileSync(join(t.dir, 'config', 'csync.json'), 'utf8'), /OTHER/);
  } finally {
    t.cleanup();
  }
});

test('init with invalid input writes nothing at all', async () => {
  const t = tempDir();
  try {
    const ws = join(t.dir, 'ws');
    const r = await runCli(['init', '-w', ws, '--url', 'not a url', '--space', 'DOC']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /site\.url = "not a url" .* is invalid: expected a URL/);
    assert.equal(existsSync(ws), false);
    const r2 = await runCli(['init', '-w', ws, '--space', 'bad key!']);
    assert.equal(r2.code, 3);
    assert.equal(existsSync(ws), false);
  } finally {
    t.cleanup();
  }
});

test('a missing credential gives a clear message and exit 3, and writes nothing', async () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'config'));
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: 'https://acme.atlassian.net' }, spaces: ['DOC'] }));
    const r = await runCli(['doctor', '-w', t.dir]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /FAIL\s+credentials\s+no Confluence credentials configured/);
    assert.match(r.stdout, /CONFLUENCE_API_TOKEN/);
    const pull = await runCli(['doctor', '-w', t.dir, '--json']);
    const parsed = JSON.parse(pull.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.checks.find((c) => c.name === 'credentials')?.ok, false);
  } finally {
    t.cleanup();
  }
});

test('a malformed config file is exit 3 with a one-line message', async () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'config'));
    writeFileSync(join(t.dir, 'config', 'csync.json'), '{"spaces": ["DOC",]}');
    const r = await runCli(['doctor', '-w', t.dir, '--json']);
    assert.equal(r.code, 3);
    const parsed = JSON.parse(r.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
    assert.match(parsed.checks[0]!.detail, /csync\.json is not valid JSON/);
  } finally {
    t.cleanup();
  }
});
