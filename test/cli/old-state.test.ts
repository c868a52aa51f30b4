import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/state/sqlite/migrations.js';
import { fileOf, workspaceWithEmulator } from '../helpers/workspace.js';

/** Rebuilds cache/state.db as csync's first schema held it (migration 1 only), with the rows the pull wrote. */
function downgradeToSchema1(dbPath: string): void {
  const old = `${dbPath}.old`;
  const db = new Database(old);
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  db.pragma('journal_mode = WAL');
  db.exec(`ATTACH DATABASE '${dbPath.replace(/'/g, "''")}' AS cur`);
  db.exec('INSERT INTO spaces SELECT * FROM cur.spaces');
  db.exec('INSERT INTO pages SELECT * FROM cur.pages');
  db.exec('INSERT INTO attachments SELECT id, page_id, file_name, version, size, media_type, path, hash FROM cur.attachments');
  db.exec('INSERT INTO runs SELECT * FROM cur.runs');
  db.exec('DETACH DATABASE cur');
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  renameSync(old, dbPath);
  for (const suffix of ['-wal', '-shm']) rmSync(`${old}${suffix}`, { force: true });
}

const digest = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const schemaOf = (p: string) => {
  const db = new Database(p, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

test('a state.db from an older csync: read-only commands read it without touching the file; the next pull upgrades it', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const dbPath = join(ws.dir, 'cache', 'state.db');
    downgradeToSchema1(dbPath);
    assert.equal(schemaOf(dbPath), 1);
    const before = digest(dbPath);
    const arch = fileOf(ws, 'Architecture');
    writeFileSync(join(ws.dir, arch), `${readFileSync(join(ws.dir, arch), 'utf8')}\nlocal edit\n`);

    const status = await ws.csync(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /modified: +.*Architecture\.md/);
    const diff = await ws.csync(['diff', arch]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /\+local edit/);
    const doctor = await ws.csync(['doctor']);
    assert.doesNotMatch(doctor.stdout + doctor.stderr, /SQLITE|no column/);
    assert.match(doctor.stdout, /state schema +cache\/state\.db has schema 1 of \d+/);
    for (const cmd of [['pull', '--dry-run'], ['push', '--dry-run']]) {
      const r = await ws.csync(cmd);
      assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /SQLITE|no column/);
    }
    assert.equal(digest(dbPath), before, 'read-only commands leave the older file as it was');
    assert.equal(schemaOf(dbPath), 1);

    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(schemaOf(dbPath), MIGRATIONS.length, 'a writing command upgrades the file');
    const after = await ws.csync(['status']);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /Everything in sync/);
  } finally {
    await ws.close();
  }
});

test('a state.db from a newer csync is refused with a one-line error and exit 3, never opened for writing', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const dbPath = join(ws.dir, 'cache', 'state.db');
    const db = new Database(dbPath);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    for (const cmd of [['status'], ['pull']]) {
      const r = await ws.csync(cmd);
      assert.equal(r.code, 3, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /written by a newer csync/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    await ws.close();
  }
});
