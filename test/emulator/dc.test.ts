/** The Data Center flavour's REST API at /rest/api (no /wiki): its shapes, offset paging, version rule and errors. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cleanEnv, cliArgs, ROOT, runCli } from '../helpers/cli.js';
import { call, multipart, withEmu } from './helpers.js';

const NOCHECK = { 'X-Atlassian-Token': 'no-check' };

describe('Data Center flavour', () => {
  test('space by key, content listing paged by start/limit with _links.next, the PAT as Bearer', async () => {
    await withEmu({ seed: 'demo', flavour: 'data-center' }, async (emu) => {
      const space = await call(emu, 'GET', '/rest/api/space/DEMO?expand=homepage', { auth: 'pat' });
      assert.equal(space.status, 200);
      assert.equal(space.json.key, 'DEMO');
      assert.equal(space.json.homepage.title, 'Demo space home');
      assert.equal((await call(emu, 'GET', '/rest/api/space/NOPE', { auth: 'pat' })).json.statusCode, 404);
      assert.equal((await call(emu, 'GET', '/rest/api/space/DEMO', { auth: { authorization: 'Bearer wrong' } })).status, 401);
      const total = emu.api.pages('DEMO').length;
      const seen: string[] = [];
      let next: string | undefined = '/rest/api/content?spaceKey=DEMO&type=page&limit=10&expand=version,space,ancestors,body.storage';
      let rounds = 0;
      while (next) {
        const r = await call(emu, 'GET', next, { auth: 'pat' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.start, rounds * 10);
        assert.equal(r.json.limit, 10);
        assert.equal(r.json.size, r.json.results.length);
        for (const p of r.json.results) {
          seen.push(p.id);
          assert.equal(p.space.key, 'DEMO');
          assert.equal(typeof p.body.storage.value, 'string');
          assert.equal(typeof p.version.by.username, 'string', 'DC users carry a username');
        }
        next = r.json._links.next;
        if (next) assert.match(next, /^\/rest\/api\/content\?.*start=\d+/);
        rounds++;
      }
      assert.equal(seen.length, total);
      assert.equal(new Set(seen).size, total, 'no page twice');
      assert.equal(rounds, Math.ceil(total / 10));
      const limited = await call(emu, 'GET', '/rest/api/content?spaceKey=DEMO&limit=1000&expand=body.storage', { auth: 'pat' });
      assert.equal(limited.json.limit, 100, 'DC clamps an expanded listing to 100');
      const home = emu.api.pageByTitle('DEMO', 'Demo space home')!;
      const child = await call(emu, 'GET', `/rest/api/content/${emu.api.pageByTitle('DEMO', 'Tables')!.id}?expand=ancestors`, { auth: 'pat' });
      assert.equal(child.json.ancestors[0].id, home.id, 'ancestors root first');
      assert.deepEqual(emu.invalidRequests(), []);
    });
  });

  test('create, update with the version rule (409), title uniqueness (400), trash and purge', async () => {
    await withEmu({ seed: 'demo', flavour: 'data-center' }, async (emu) => {
      const home = emu.api.pageByTitle('DEMO', 'Demo space home')!;
      const made = await call(emu, 'POST', '/rest/api/content', { auth: 'pat', body: { type: 'page', title: 'DC page', space: { key: 'DEMO' }, ancestors: [{ id: home.id }], body: { storage: { value: '<p>one</p>', representation: 'storage' } } } });
      assert.equal(made.status, 200, made.text);
      assert.equal(made.json.version.number, 1);
      assert.equal(made.json.ancestors.at(-1).id, home.id);
      const dup = await call(emu, 'POST', '/rest/api/content', { auth: 'pat', body: { type: 'page', title: 'DC page', space: { key: 'DEMO' }, body: { storage: { value: '', representation: 'storage' } } } });
      assert.equal(dup.status, 400);
      assert.match(dup.json.message, /A page with this title already exists/);
      const put = (number: number, title = 'DC page') => call(emu, 'PUT', `/rest/api/content/${made.json.id}`, { auth: 'pat', body: { id: made.json.id, type: 'page', title, version: { number }, body: { storage: { value: `<p>v${number}</p>`, representation: 'storage' } } } });
      const stale = await put(1);
      assert.equal(stale.status, 409);
      assert.equal(stale.json.message, 'Version must be incremented on update. Current version is: 1');
      const ok = await put(2);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.version.number, 2);
      assert.equal(ok.json.body.storage.value, '<p>v2</p>');
      assert.equal((await put(3, 'Tables')).status, 400, 'a title taken in the space');
      const guide = emu.api.pageByTitle('DEMO', 'Formatting guide')!;
      const moved = await call(emu, 'PUT', `/rest/api/content/${made.json.id}`, { auth: 'pat', body: { id: made.json.id, type: 'page', title: 'DC page', ancestors: [{ id: guide.id }], version: { number: 3 }, body: { storage: { value: '<p>moved</p>', representation: 'storage' } } } });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(emu.api.page(made.json.id).parentId, guide.id, 'ancestors on a PUT move the page');
      const cycle = await call(emu, 'PUT', `/rest/api/content/${guide.id}`, { auth: 'pat', body: { id: guide.id, type: 'page', title: 'Formatting guide', ancestors: [{ id: made.json.id }], version: { number: emu.api.page(guide.id).version.number + 1 } } });
      assert.equal(cycle.status, 400);
      assert.match(cycle.json.message, /Cannot add an existing ancestor as a child!/);
      assert.equal((await call(emu, 'DELETE', `/rest/api/content/${made.json.id}`, { auth: 'pat' })).status, 204);
      const restored = await call(emu, 'PUT', `/rest/api/content/${made.json.id}`, { auth: 'pat', body: { id: made.json.id, type: 'page', status: 'current', title: 'DC page', version: { number: 4 } } });
      assert.equal(restored.status, 200, restored.text);
      assert.equal(restored.json.status, 'current', 'PUT status=current restores from the trash');
      assert.equal(emu.api.body(made.json.id), '<p>moved</p>', 'as it was');
      assert.equal((await call(emu, 'DELETE', `/rest/api/content/${made.json.id}`, { auth: 'pat' })).status, 204);
      assert.equal((await call(emu, 'GET', `/rest/api/content/${made.json.id}`, { auth: 'pat' })).status, 404);
      assert.equal((await call(emu, 'GET', `/rest/api/content/${made.json.id}?status=trashed`, { auth: 'pat' })).json.status, 'trashed');
      assert.equal((await call(emu, 'DELETE', `/rest/api/content/${made.json.id}?status=trashed`, { auth: 'pat' })).status, 204);
      const gone = await call(emu, 'GET', `/rest/api/content/${made.json.id}?status=trashed`, { auth: 'pat' });
      assert.equal(gone.status, 404);
      assert.match(gone.json.message, /No content found with id: ContentId\{id=\d+\}/);
    });
  });

  test('CQL search with expand and offset paging; child pages; attachments; labels', async () => {
    await withEmu({ seed: 'demo', flavour: 'data-center' }, async (emu) => {
      const guide = emu.api.pageByTitle('DEMO', 'Formatting guide')!;
      emu.api.setLabels(guide.id, ['howto', 'style']);
      const s1 = await call(emu, 'GET', '/rest/api/content/search?cql=type%3Dpage%20and%20space%3D%22DEMO%22&limit=5&expand=body.storage,version,ancestors,metadata.labels', { auth: 'pat' });
      assert.equal(s1.status, 200, s1.text);
      assert.equal(s1.json.size, 5);
      assert.match(s1.json._links.next, /start=5/);
      const s2 = await call(emu, 'GET', s1.json._links.next, { auth: 'pat' });
      assert.equal(s2.json.start, 5);
      assert.notEqual(s2.json.results[0].id, s1.json.results[0].id);
      const labelled = await call(emu, 'GET', `/rest/api/content/search?cql=${encodeURIComponent('label = "howto"')}&expand=metadata.labels`, { auth: 'pat' });
      assert.deepEqual(labelled.json.results.map((r: { id: string }) => r.id), [guide.id]);
      assert.deepEqual(labelled.json.results[0].metadata.labels.results.map((l: { name: string }) => l.name), ['howto', 'style']);
      assert.equal((await call(emu, 'GET', '/rest/api/content/search?cql=type%20%3D%3D', { auth: 'pat' })).status, 400);
      const kids = emu.api.pages('DEMO').filter((p) => p.parentId === guide.id).length;
      const c1 = await call(emu, 'GET', `/rest/api/content/${guide.id}/child/page?limit=2`, { auth: 'pat' });
      assert.equal(c1.json.size, 2);
      assert.ok(kids > 2);
      assert.match(c1.json._links.next, new RegExp(`/rest/api/content/${guide.id}/child/page\\?.*start=2`));
      const files = emu.api.pageByTitle('DEMO', 'Images and files')!;
      const mp = multipart([{ name: 'file', filename: 'dc.txt', contentType: 'text/plain', data: 'dc' }]);
      assert.equal((await call(emu, 'POST', `/rest/api/content/${files.id}/child/attachment`, { auth: 'pat', raw: mp.body, headers: { ...NOCHECK, 'Content-Type': mp.contentType } })).status, 200);
      const atts = await call(emu, 'GET', `/rest/api/content/${files.id}/child/attachment?limit=1`, { auth: 'pat' });
      assert.equal(atts.json.size, 1);
      assert.ok(atts.json._links.next, 'more attachments on the next page');
      const labels = await call(emu, 'GET', `/rest/api/content/${guide.id}/label`, { auth: 'pat' });
      assert.deepEqual(labels.json.results.map((l: { name: string }) => l.name), ['howto', 'style']);
      assert.equal((await call(emu, 'POST', `/rest/api/content/${guide.id}/label`, { auth: 'pat', body: [{ prefix: 'global', name: 'added' }] })).status, 200);
      assert.deepEqual(emu.api.page(guide.id).labels, ['howto', 'style', 'added']);
    });
  });

  test('flavours: data-center serves no /wiki and no v2; cloud serves no root API; both serves each on its own paths', async () => {
    await withEmu({ seed: 'demo', flavour: 'data-center' }, async (emu) => {
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 404);
      assert.equal((await call(emu, 'GET', '/wiki/rest/api/user/current')).status, 404);
      assert.equal((await call(emu, 'GET', '/api/v2/spaces', { auth: 'pat' })).status, 404);
    });
    await withEmu({ seed: 'demo', flavour: 'cloud' }, async (emu) => {
      assert.equal(emu.url, `${emu.origin}/wiki`);
      assert.equal((await call(emu, 'GET', '/rest/api/space/DEMO', { auth: 'pat' })).status, 404);
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 200);
    });
    await withEmu({ seed: 'demo' }, async (emu) => {
      assert.equal(emu.flavour, 'both');
      assert.equal((await call(emu, 'GET', '/rest/api/space/DEMO', { auth: 'pat' })).status, 200);
      assert.equal((await call(emu, 'GET', '/wiki/api/v2/spaces')).status, 200);
    });
  });
});

describe('csync emulator --flavour', () => {
  test('data-center prints the Data Center URL and PAT and serves /rest/api; a bad flavour is a usage error', async () => {
    const bad = await runCli(['emulator', '--flavour', 'server']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /flavour/);
    const child = spawn(process.execPath, [...cliArgs(), 'emulator', '--port', '0', '--flavour', 'data-center'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    try {
      let stdout = '';
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          const m = /Data Center: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m && /Ctrl-C/.test(stdout)) resolve(m[1]!);
        });
        exited.then((code) => reject(new Error(`exited ${code} before listening`)), reject);
      });
      assert.match(stdout, /personal access token demo-pat as Bearer/);
      assert.match(stdout, /csync init --url http:\/\/127\.0\.0\.1:\d+ --pat --space DEMO --token-stdin/);
      assert.doesNotMatch(stdout, /\/wiki/, 'no Cloud paths in Data Center mode');
      const res = await fetch(`${url}/rest/api/space/DEMO`, { headers: { Authorization: 'Bearer demo-pat' } });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { key: string }).key, 'DEMO');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
