import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quoteWord, renderTemplate, renderUnit, unitWorkspace, UNIT_NAME } from '../../src/daemon/unit.js';
import { ROOT, tempDir } from '../helpers/cli.js';

/** systemd-analyze is required, not optional: CI (.ci/run) installs it. A missing tool fails with the fix. */
function verify(unitText: string, dir: string): { status: number | null; output: string } {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    assert.fail('systemd-analyze is not installed: the unit cannot be verified. Install it with `apt-get install -y systemd` (CI does this in .ci/run).');
  }
  const file = join(dir, UNIT_NAME);
  writeFileSync(file, unitText);
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

test('the shipped template is the renderer with placeholders (they cannot drift apart)', () => {
  assert.equal(readFileSync(join(ROOT, 'systemd', UNIT_NAME), 'utf8'), renderTemplate());
});

test('a rendered unit passes systemd-analyze verify with no warning, basic and strict sandbox', () => {
  const t = tempDir('csync unit %x $y-');
  try {
    const ws = join(t.dir, 'my wiki');
    mkdirSync(ws);
    for (const sandbox of ['basic', 'strict'] as const) {
      const text = renderUnit({ execPath: process.execPath, cliPath: join(ROOT, 'dist', 'cli', 'main.js'), workspace: ws, sandbox });
      const r = verify(text, t.dir);
      assert.equal(r.output, '', `${sandbox}: systemd-analyze said:\n${r.output}\n--- unit ---\n${text}`);
      assert.equal(r.status, 0, sandbox);
    }
  } finally {
    t.cleanup();
  }
});

test('systemd-analyze does catch a broken unit (the check above can fail)', () => {
  const t = tempDir('csync-unit-');
  try {
    const text = renderUnit({ execPath: '/nonexistent/node', cliPath: '/x/main.js', workspace: t.dir });
    const r = verify(text.replace('Type=simple', 'Type=simple\nNotAKey=1'), t.dir);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /NotAKey/);
    assert.match(r.output, /nonexistent\/node/);
  } finally {
    t.cleanup();
  }
});

test('the unit carries the daemon contract: restart, drain time, signals, env file, journal, hardening', () => {
  const text = renderUnit({ execPath: '/usr/bin/node', cliPath: '/opt/csync/dist/cli/main.js', workspace: '/home/ann/wiki/' });
  const has = (line: string) => assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
  has('Type=simple');
  has('ExecStart=/usr/bin/node /opt/csync/dist/cli/main.js watch --workspace /home/ann/wiki');
  has('WorkingDirectory=/home/ann/wiki');
  has('EnvironmentFile=-/home/ann/wiki/.env');
  has('Restart=on-failure');
  has('RestartSec=10');
  has('KillSignal=SIGTERM');
  has('TimeoutStopSec=20');
  has('ExecReload=/bin/kill -HUP $MAINPID');
  has('StandardOutput=journal');
  has('NoNewPrivileges=yes');
  has('WantedBy=default.target');
  for (const absent of ['MemoryDenyWriteExecute', 'LockPersonality', 'RestrictRealtime', 'PrivateTmp', 'ProtectSystem']) {
    assert.doesNotMatch(text, new RegExp(absent), absent);
  }
  const strict = renderUnit({ execPath: '/usr/bin/node', cliPath: '/c.js', workspace: '/home/ann/wiki', sandbox: 'strict', restartSec: 3 });
  for (const line of ['PrivateTmp=yes', 'ProtectSystem=strict', 'ProtectHome=read-only', 'ReadWritePaths=/home/ann/wiki', 'RestartSec=3']) {
    assert.ok(strict.split('\n').includes(line), line);
  }
  assert.doesNotMatch(strict, /MemoryDenyWriteExecute/);
});

test('quoteWord: plain words bare; spaces, quotes, backslashes quoted; % and $ escaped for systemd', () => {
  const table: Array<[string, string]> = [
    ['/usr/bin/node', '/usr/bin/node'],
    ['--workspace', '--workspace'],
    ['/home/ann/my wiki', '"/home/ann/my wiki"'],
    ['/a/"q"', '"/a/\\"q\\""'],
    ['/a\\b', '"/a\\\\b"'],
    ['/50%', '/50%%'],
    ['/$HOME', '"/$$HOME"'],
    ['', '""'],
  ];
  for (const [input, out] of table) assert.equal(quoteWord(input), out, input);
});

test('unitWorkspace reads back the workspace; foreign units and bad paths are recognised', () => {
  for (const ws of ['/home/ann/wiki', '/tmp/with space/and "quote"', '/p/50%']) {
    assert.equal(unitWorkspace(renderUnit({ execPath: '/n', cliPath: '/c', workspace: ws })), ws);
  }
  assert.equal(unitWorkspace('[Unit]\nDescription=someone else\n'), undefined);
  assert.throws(() => renderUnit({ execPath: '/n', cliPath: '/c', workspace: 'relative/ws' }), { code: 'CSYNC_CONFIG', message: /absolute/ });
  assert.throws(() => renderUnit({ execPath: '/n', cliPath: '/c', workspace: '/a\nExecStartPre=/bin/evil' }), { code: 'CSYNC_CONFIG', message: /line break/ });
});
