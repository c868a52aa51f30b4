/** The admin API under /__emulator, --data persistence across restarts, and the real `csync emulator` command. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startEmulator } from '../../src/emulator/index.js';
import { cleanEnv, cliArgs, ROOT, tempDir } from '../helpers/cli.js';
import { basicAuth, call, demo, withEmu } from './helpers.js';

async function admin(origin: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${origin}/__emulator${path}`, {
    method,
    headers: { ...(body !== undefined && !Buffer.isBuffer(body) ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('admin endpoints', () => {
  test('requests, invalid, reset-log, faults', async () => {
    await withEmu({}, async (emu) => {
      const id = demo(emu).page('Tables').id;
      await call(emu, 'GET', `/wiki/api/v2/pages/${id}`);
      await call(emu, 'GET', `/wiki/api/v2/pages/${id}`);
      await call(emu, 'GET', '/wiki/api/v2/spaces?limit=999');
      const req = await admin(emu.origin, 'GET', '/requests');
      assert.equal(req.status, 200);
      assert.equal(req.json.total, 3, 'admin requests are not logged');
      assert.deepEqual(req.json.counts, { 'GET /wiki/api/v2/pages/{id}': 2, 'GET /wiki/api/v2/spaces': 1 });
      assert.deepEqual(req.json.counts, emu.requestCounts());
      const inv = await admin(emu.origin, 'GET', '/invalid');
      assert.equal(inv.json.invalid.length, 1);
      assert.equal(inv.json.invalid[0].path, '/wiki/api/v2/spaces');
      assert.equal((await admin(emu.origin, 'POST', '/reset-log')).status, 204);
      assert.equal(emu.requestLog().length, 0);
      assert.equal(emu.invalidRequests().length, 0);

      const f = await admin(emu.origin, 'POST', '/faults', { script: [{ kind: 'http502', method: 'GET', path: '/spaces', count: 2 }] });
      assert.deepEqual(f.json, { probability: 0, pending: 2 });
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 502);
      assert.equal((await call(emu, 'GET', `/wiki/api/v2/pages/${id}`)).status, 200);
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 502);
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 200);
      const p = await admin(emu.origin, 'POST', '/faults', { probability: 1, kinds: ['http500'] });
      assert.equal(p.json.probability, 1);
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 500);
      assert.deepEqual((await admin(emu.origin, 'POST', '/faults', { clear: true })).json, { probability: 0, pending: 0 });
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 200);
      assert.equal((await admin(emu.origin, 'GET', '/nothing')).status, 404);
    });
  });

  test('pages create / edit / delete and attachments, as another user', async () => {
    await withEmu({}, async (emu) => {
      const created = await admin(emu.origin, 'POST', '/pages', { space: 'DEMO', title: 'From admin', body: '<p>a<br/></p>' });
      assert.equal(created.status, 200);
      assert.equal(created.json.version, 1);
      const page = emu.api.page(created.json.id);
      assert.equal(page.authorId, '6a2c9f0e11d2b4a7c8e9f012');
      assert.equal(page.body, '<p>a<br /></p>', 'admin writes are rewritten too');
      const edited = await admin(emu.origin, 'PUT', `/pages/${page.id}`, { body: '<p>b</p>', title: 'From admin, edited' });
      assert.deepEqual(edited.json, { id: page.id, version: 2 });
      const v2 = await call(emu, 'GET', `/wiki/api/v2/pages/${page.id}?body-format=storage`);
      assert.equal(v2.json.title, 'From admin, edited');
      assert.equal(v2.json.body.storage.value, '<p>b</p>');
      assert.equal(v2.json.version.authorId, '6a2c9f0e11d2b4a7c8e9f012');
      const listed = await admin(emu.origin, 'GET', '/pages?space=DEMO');
      assert.ok(listed.json.pages.some((p: { id: string; version: number }) => p.id === page.id && p.version === 2));
      const att = await admin(emu.origin, 'POST', `/pages/${page.id}/attachments?name=blob.bin`, Buffer.from([9, 8, 7]), { 'Content-Type': 'application/x-test' });
      assert.equal(att.status, 200);
      assert.equal(att.json.version, 1);
      const atts = await call(emu, 'GET', `/wiki/api/v2/pages/${page.id}/attachments`);
      assert.equal(atts.json.results[0].title, 'blob.bin');
      assert.equal(atts.json.results[0].mediaType, 'application/x-test');
      assert.equal(atts.json.results[0].fileSize, 3);
      assert.equal((await admin(emu.origin, 'DELETE', `/pages/${page.id}`)).status, 204);
      assert.equal(emu.api.page(page.id).status, 'trashed');
      assert.equal((await admin(emu.origin, 'POST', '/pages', { space: 'NOPE', title: 'x', body: '' })).status, 400);
      assert.equal((await admin(emu.origin, 'PUT', '/pages/1', { body: 'x' })).status, 400);
      assert.equal(emu.requestLog().filter((r) => r.path.startsWith('/__emulator')).length, 0);
    });
  });
});

describe('--data persistence', () => {
  test('state survives close and restart; ids keep counting', async () => {
    const { dir, cleanup } = tempDir('csync-emu-data-');
    try {
      const dataFile = join(dir, 'state.json');
      let createdId: string;
      let attId: string;
      {
        const emu = await startEmulator({ seed: 'demo', dataFile });
        const r = await call(emu, 'POST', '/wiki/api/v2/pages', { body: { spaceId: demo(emu).space.id, status: 'current', title: 'Persisted', body: { representation: 'storage', value: '<p>kept</p>' } } });
        createdId = r.json.id;
        await call(emu, 'POST', `/wiki/rest/api/content/${createdId}/label`, { body: { prefix: 'global', name: 'kept' } });
        attId = emu.api.addAttachment(createdId, 'bytes.bin', Buffer.from([0, 0])).id;
        emu.api.addAttachment(createdId, 'bytes.bin', Buffer.from([1, 2, 3])); // version 2
        emu.api.deletePage(demo(emu).page('Tables').id);
        await emu.save();
        assert.ok(existsSync(dataFile));
        emu.api.editPage(createdId, { body: '<p>kept, edited</p>' });
        await emu.close(); // saves the last change
      }
      const saved = JSON.parse(readFileSync(dataFile, 'utf8')) as { pages: Array<{ id: string; version: { number: number } }> };
      assert.equal(saved.pages.find((p) => p.id === createdId)?.version.number, 2);
      const emu = await startEmulator({ seed: 'empty', dataFile });
      try {
        const page = await call(emu, 'GET', `/wiki/api/v2/pages/${createdId}?body-format=storage&include-labels=true`);
        assert.equal(page.status, 200);
        assert.equal(page.json.version.number, 2);
        assert.equal(page.json.body.storage.value, '<p>kept, edited</p>');
        assert.deepEqual(
          page.json.labels.results.map((l: { name: string }) => l.name),
          ['kept'],
        );
        assert.equal(emu.api.pageByTitle('DEMO', 'Tables'), undefined, 'the trashed page stayed trashed');
        const att = await call(emu, 'GET', `/wiki/api/v2/attachments/${attId}`);
        assert.equal(att.status, 200);
        const bytes = await call(emu, 'GET', att.json.downloadLink.startsWith('/wiki') ? att.json.downloadLink : `/wiki${att.json.downloadLink}`);
        assert.deepEqual([...Buffer.from(bytes.text, 'latin1')], [1, 2, 3]);
        assert.equal(att.json.version.number, 2);
        const old = await call(emu, 'GET', `/wiki/rest/api/content/${createdId}/child/attachment/${attId}/download?version=1`, { redirect: 'follow' });
        assert.deepEqual([...Buffer.from(old.text, 'latin1')], [0, 0], 'earlier versions survive the restart');
        const next = await call(emu, 'POST', '/wiki/api/v2/pages', { body: { spaceId: demo(emu).space.id, status: 'current', title: 'After restart', body: { representation: 'storage', value: '' } } });
        assert.equal(next.status, 200);
        assert.ok(Number(next.json.id) > Number(attId.slice(3)), 'no id is reused');
      } finally {
        await emu.close();
      }
    } finally {
      cleanup();
    }
  });
});

/** Waits until `check` holds (the --data file is written 200 ms after a change); gives up after `tries` polls. */
async function eventually(check: () => boolean, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('--data autosave', () => {
  test('HTTP and admin changes reach the file without close()', async () => {
    const { dir, cleanup } = tempDir('csync-emu-autosave-');
    const dataFile = join(dir, 'state.json');
    const emu = await startEmulator({ seed: 'demo', dataFile });
    try {
      const titles = () => (existsSync(dataFile) ? (JSON.parse(readFileSync(dataFile, 'utf8')) as { pages: Array<{ title: string }> }).pages.map((p) => p.title) : []);
      const r = await call(emu, 'POST', '/wiki/api/v2/pages', { body: { spaceId: demo(emu).space.id, status: 'current', title: 'Autosaved over HTTP', body: { representation: 'storage', value: '' } } });
      assert.equal(r.status, 200);
      assert.ok(await eventually(() => titles().includes('Autosaved over HTTP')), 'HTTP change saved');
      assert.equal((await admin(emu.origin, 'POST', '/pages', { space: 'DEMO', title: 'Autosaved over admin', body: '' })).status, 200);
      assert.ok(await eventually(() => titles().includes('Autosaved over admin')), 'admin change saved');
    } finally {
      await emu.close();
      cleanup();
    }
  });
});

describe('csync emulator', () => {
  test('prints its URL, serves requests, exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [...cliArgs(), 'emulator', '--port', '0', '--seed', 'demo'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/wiki)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        exited.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)), reject);
      });
      const res = await fetch(`${url}/api/v2/spaces`, { headers: { Authorization: basicAuth('demo@example.com', 'demo-token') } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { results: Array<{ key: string }> };
      assert.deepEqual(
        body.results.map((s) => s.key),
        ['DEMO'],
      );
      assert.match(stdout, /DEMO \(\d+ pages\)/);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.match(stdout, /emulator stopped/);
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
