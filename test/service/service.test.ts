import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unitWorkspace } from '../../src/daemon/unit.js';
import { isActive, serviceStatus, uninstallUnit, userUnitDir } from '../../src/daemon/service-files.js';
import { cleanEnv, ROOT, tempDir, type CliResult } from '../helpers/cli.js';

const HARNESS = join(ROOT, 'test', 'service', 'harness.ts');

/** `csync service …` through the real CLI (app.ts), with a temporary XDG_CONFIG_HOME and HOME. */
function csync(args: string[], home: string, extra: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HARNESS, ...args], {
      cwd: ROOT,
      env: cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...extra }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function workspace(root: string, name: string): string {
  const ws = join(root, name);
  mkdirSync(join(ws, 'config'), { recursive: true });
  writeFileSync(join(ws, 'config', 'csync.json'), '{}\n');
  return ws;
}

test('install writes the unit, is idempotent, refuses another workspace\'s unit without --force, replaces it with --force', async () => {
  const t = tempDir();
  try {
    const a = workspace(t.dir, 'my wiki');
    const b = workspace(t.dir, 'b');
    const r = await csync(['service', 'install', '-w', a], t.dir);
    assert.equal(r.code, 0, r.stderr);
    const unitFile = join(t.dir, '.config', 'systemd', 'user', 'confluence-sync.service');
    const text = readFileSync(unitFile, 'utf8');
    assert.equal(unitWorkspace(text), a);
    assert.ok(text.includes(`ExecStart=${process.execPath} `), text);
    assert.ok(text.includes(`watch --workspace "${a}"`), text);
    assert.match(r.stdout, /systemctl --user daemon-reload && systemctl --user enable --now confluence-sync/);
    assert.doesNotMatch(text, /PrivateTmp/);

    const again = await csync(['service', 'install', '-w', a, '--json'], t.dir);
    assert.equal(again.code, 0, again.stderr);
    const j = JSON.parse(again.stdout) as { ok: boolean; changed: boolean; unitFile: string; commands: string[] };
    assert.deepEqual([j.ok, j.changed, j.unitFile], [true, false, unitFile]);
    assert.equal(j.commands.length, 1);

    const refused = await csync(['service', 'install', '-w', b], t.dir);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /already installed \(for workspace .*\/my wiki\)/);
    assert.match(refused.stderr, /hint: .*--force/);
    assert.equal(unitWorkspace(readFileSync(unitFile, 'utf8')), a);

    const forced = await csync(['service', 'install', '-w', b, '--force', '--strict-sandbox'], t.dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /replaced the unit for .*\/my wiki/);
    const replaced = readFileSync(unitFile, 'utf8');
    assert.equal(unitWorkspace(replaced), b);
    assert.match(replaced, /^ProtectSystem=strict$/m);
  } finally {
    t.cleanup();
  }
});

test('install refuses a folder that is not a workspace, and --print writes nothing', async () => {
  const t = tempDir();
  try {
    const r = await csync(['service', 'install', '-w', join(t.dir, 'nothing')], t.dir);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /not a csync workspace/);
    const ws = workspace(t.dir, 'w');
    const p = await csync(['service', 'install', '-w', ws, '--print'], t.dir);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^\[Service\]$/m);
    assert.equal(existsSync(join(t.dir, '.config', 'systemd')), false);
  } finally {
    t.cleanup();
  }
});

test('status reports installed/enabled/workspace and tolerates a missing systemctl; uninstall removes unit and enable link', async () => {
  const t = tempDir();
  try {
    const ws = workspace(t.dir, 'w');
    const noSystemctl = { PATH: join(t.dir, 'empty-bin') };
    let s = await csync(['service', 'status', '-w', ws, '--json'], t.dir, noSystemctl);
    assert.equal(s.code, 0, s.stderr);
    assert.deepEqual(pick(JSON.parse(s.stdout)), { installed: false, workspace: null, enabled: false, active: null });

    assert.equal((await csync(['service', 'install', '-w', ws], t.dir)).code, 0);
    const dir = join(t.dir, '.config', 'systemd', 'user');
    mkdirSync(join(dir, 'default.target.wants'));
    symlinkSync(join(dir, 'confluence-sync.service'), join(dir, 'default.target.wants', 'confluence-sync.service'));
    assert.deepEqual(pick({ ...serviceStatus({ dir, workspace: ws, active: () => 'inactive' }) }), { installed: true, workspace: ws, enabled: true, active: 'inactive' });
    s = await csync(['service', 'status', '-w', ws], t.dir, noSystemctl);
    assert.match(s.stdout, /installed for .*\/w/);
    assert.match(s.stdout, /enabled: yes {4}active: unknown/);

    const other = workspace(t.dir, 'other');
    const refused = await csync(['service', 'uninstall', '-w', other], t.dir);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /not .*\/other/);

    const u = await csync(['service', 'uninstall', '-w', ws, '--json'], t.dir);
    assert.equal(u.code, 0, u.stderr);
    const uj = JSON.parse(u.stdout) as { removed: boolean; enableLinkRemoved: boolean; commands: string[] };
    assert.equal(uj.removed, true);
    assert.equal(uj.enableLinkRemoved, true);
    assert.match(uj.commands[0]!, /systemctl --user stop confluence-sync/);
    assert.equal(existsSync(join(dir, 'confluence-sync.service')), false);
    assert.equal(existsSync(join(dir, 'default.target.wants', 'confluence-sync.service')), false);
    // Uninstalling again is not an error.
    assert.deepEqual(uninstallUnit({ dir, workspace: ws, force: false }).removed, false);
  } finally {
    t.cleanup();
  }
});

test('userUnitDir honours CSYNC_TEST_SYSTEMD_DIR, then XDG_CONFIG_HOME, then HOME', () => {
  assert.equal(userUnitDir({ CSYNC_TEST_SYSTEMD_DIR: '/tmp/units', XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/tmp/units');
  assert.equal(userUnitDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/systemd/user');
  assert.equal(userUnitDir({ XDG_CONFIG_HOME: 'relative', HOME: '/h' }), '/h/.config/systemd/user');
  assert.equal(userUnitDir({ HOME: '/h' }), '/h/.config/systemd/user');
});

test('isActive reads systemctl output and turns its absence into null', () => {
  const fake = (stdout: string, error?: Error) => (() => ({ stdout, stderr: '', status: 3, error })) as never;
  assert.equal(isActive(fake('inactive\n')), 'inactive');
  assert.equal(isActive(fake('active\n')), 'active');
  assert.equal(isActive(fake('', new Error('ENOENT'))), null);
  assert.equal(isActive(fake('')), null);
});

function pick(j: Record<string, unknown>) {
  return { installed: j.installed, workspace: j.workspace, enabled: j.enabled, active: j.active };
}
