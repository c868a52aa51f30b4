/** The v1 API the emulator serves: attachments (upload, new version, data, download), labels, CQL search, move, user. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { call, demo, multipart } from './helpers.js';

let emu: Emulator;
let now = Date.UTC(2026, 10, 1, 12, 0);
before(async () => {
  emu = await startEmulator({ seed: 'demo', clock: () => now });
});
after(async () => {
  const invalid = [...emu.invalidRequests()];
  await emu.close();
  assert.deepEqual(invalid, [], 'no request of this file should fail OpenAPI validation');
});

const NOCHECK = { 'X-Atlassian-Token': 'nocheck' };

function upload(method: 'POST' | 'PUT', path: string, files: Array<{ filename: string; data: string; contentType?: string }>, comment?: string) {
  const mp = multipart([...files.map((f) => ({ name: 'file', filename: f.filename, contentType: f.contentType ?? 'text/plain', data: f.data })), { name: 'minorEdit', data: 'true' }, ...(comment ? [{ name: 'comment', data: comment }] : [])]);
  return call(emu, method, path, { raw: mp.body, headers: { ...NOCHECK, 'Content-Type': mp.contentType } });
}

describe('attachments', () => {
  test('POST upload; the same name again → 400; PUT adds a version; POST .../data new data; download → 302 → bytes', async () => {
    const page = emu.api.createPage('DEMO', 'Attachment host', '<p>files</p>');
    const base = `/wiki/rest/api/content/${page.id}/child/attachment`;
    const up = await upload('POST', base, [{ filename: 'notes.txt', data: 'first' }], 'a comment');
    assert.equal(up.status, 200, up.text);
    assert.equal(up.json.size, 1);
    const att = up.json.results[0];
    assert.equal(att.title, 'notes.txt');
    assert.equal(att.version.number, 1);
    assert.equal(att.extensions.fileSize, 5);
    assert.equal(att.metadata.comment, 'a comment');
    const again = await upload('POST', base, [{ filename: 'notes.txt', data: 'other' }]);
    assert.equal(again.status, 400);
    assert.match(again.json.message, /same file name/);

    const put = await upload('PUT', base, [{ filename: 'notes.txt', data: 'second!' }]);
    assert.equal(put.status, 200);
    assert.equal(put.json.results[0].id, att.id);
    assert.equal(put.json.results[0].version.number, 2);
    const putNew = await upload('PUT', base, [{ filename: 'fresh.txt', data: 'new' }]);
    assert.equal(putNew.json.results[0].version.number, 1, 'PUT creates when the name is new');
    assert.notEqual(putNew.json.results[0].id, att.id);

    const data = await upload('POST', `${base}/${att.id}/data`, [{ filename: 'notes.txt', data: 'third data' }]);
    assert.equal(data.status, 200);
    assert.equal(data.json.id, att.id);
    assert.equal(data.json.version.number, 3);
    assert.equal((await upload('POST', `${base}/att1/data`, [{ filename: 'x.txt', data: 'x' }])).status, 404);

    const dl = await call(emu, 'GET', `${base}/${att.id}/download`);
    assert.equal(dl.status, 302);
    const location = dl.headers.get('location')!;
    assert.ok(location.startsWith(`${emu.url}/download/attachments/${page.id}/notes.txt?version=3`), location);
    const bytes = await call(emu, 'GET', location.slice(emu.origin.length));
    assert.equal(bytes.status, 200);
    assert.equal(bytes.text, 'third data');
    assert.equal(bytes.headers.get('content-type'), 'text/plain');
    assert.equal((await call(emu, 'GET', location.slice(emu.origin.length), { auth: 'none' })).status, 401, 'downloads need credentials too');
    // Earlier versions stay downloadable with ?version=N.
    const v1 = await call(emu, 'GET', `${base}/${att.id}/download?version=1`);
    assert.equal(v1.status, 302);
    assert.match(v1.headers.get('location')!, /[?&]version=1(&|$)/);
    assert.equal((await call(emu, 'GET', v1.headers.get('location')!.slice(emu.origin.length))).text, 'first');
    assert.equal((await call(emu, 'GET', `${base}/${att.id}/download?version=2`, { redirect: 'follow' })).text, 'second!');
    assert.equal((await call(emu, 'GET', `${base}/${att.id}/download?version=3`, { redirect: 'follow' })).text, 'third data');
    assert.equal((await call(emu, 'GET', `${base}/${att.id}/download?version=9`)).status, 404);
    // Following the redirect with fetch gives the bytes directly.
    const followed = await call(emu, 'GET', `${base}/${att.id}/download`, { redirect: 'follow' });
    assert.equal(followed.text, 'third data');

    const list = await call(emu, 'GET', `/wiki/api/v2/pages/${page.id}/attachments?filename=fresh.txt`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.results.map((a: { title: string }) => a.title),
      ['fresh.txt'],
    );
    assert.equal((await upload('POST', '/wiki/rest/api/content/42/child/attachment', [{ filename: 'a.txt', data: 'a' }])).status, 404);
  });

  test('Data Center path for upload and download', async () => {
    const page = emu.api.createPage('DEMO', 'DC attachment host', '<p>files</p>');
    const mp = multipart([{ name: 'file', filename: 'dc.bin', contentType: 'application/octet-stream', data: Buffer.from([0, 1, 2, 255]) }, { name: 'minorEdit', data: 'true' }]);
    const up = await call(emu, 'POST', `/rest/api/content/${page.id}/child/attachment`, { auth: 'pat', raw: mp.body, headers: { ...NOCHECK, 'Content-Type': mp.contentType } });
    assert.equal(up.status, 200, up.text);
    const dl = await call(emu, 'GET', `/rest/api/content/${page.id}/child/attachment/${up.json.results[0].id}/download`, { auth: 'pat' });
    assert.equal(dl.status, 302);
    assert.ok(dl.headers.get('location')!.startsWith(`${emu.origin}/download/attachments/`));
    const res = await fetch(dl.headers.get('location')!, { headers: { Authorization: `Bearer ${emu.credentials.pat}` } });
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 1, 2, 255]);
  });
});

describe('labels', () => {
  test('add (one object, an array), remove (query and path forms)', async () => {
    const page = emu.api.createPage('DEMO', 'Label host', '<p>l</p>');
    const path = `/wiki/rest/api/content/${page.id}/label`;
    const one = await call(emu, 'POST', path, { body: { prefix: 'global', name: 'alpha' } });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(
      one.json.results.map((l: { name: string }) => l.name),
      ['alpha'],
    );
    const many = await call(emu, 'POST', path, {
      body: [
        { prefix: 'global', name: 'beta' },
        { prefix: 'global', name: 'gamma' },
        { prefix: 'global', name: 'alpha' },
      ],
    });
    assert.deepEqual(
      many.json.results.map((l: { name: string }) => l.name),
      ['alpha', 'beta', 'gamma'],
    );
    assert.equal((await call(emu, 'POST', path, { body: { prefix: 'global', name: 'two words' } })).status, 400);
    assert.equal((await call(emu, 'DELETE', `${path}?name=beta`)).status, 204);
    assert.equal((await call(emu, 'DELETE', `${path}/gamma`)).status, 204);
    assert.deepEqual(emu.api.page(page.id).labels, ['alpha']);
    assert.equal((await call(emu, 'DELETE', `${path}?name=beta`)).status, 404);
    assert.equal((await call(emu, 'DELETE', `${path}/nothere`)).status, 404);
    const v2 = await call(emu, 'GET', `/wiki/api/v2/pages/${page.id}/labels`);
    assert.deepEqual(
      v2.json.results.map((l: { name: string }) => l.name),
      ['alpha'],
    );
  });
});

describe('CQL search', () => {
  // A small tree with controlled timestamps: created and modified at known minutes.
  const at = (h: number, m = 0) => Date.UTC(2026, 10, 1, h, m);
  let root: string;
  let a: string;
  let b: string;
  let c: string;
  before(() => {
    const s = emu.api.createSpace('CQL', 'CQL space');
    now = at(8);
    root = emu.store.createPage({ spaceId: s.id, title: 'Root', body: '<p>r</p>' }).id;
    now = at(9);
    a = emu.store.createPage({ spaceId: s.id, title: 'Alpha page', parentId: root, body: '<p>a</p>' }).id;
    now = at(10);
    b = emu.store.createPage({ spaceId: s.id, title: 'Beta page', parentId: root, body: '<p>b</p>' }).id;
    now = at(11);
    c = emu.store.createPage({ spaceId: s.id, title: 'Gamma', parentId: a, body: '<p>c</p>' }).id;
    now = at(12);
    emu.api.editPage(a, { body: '<p>a2</p>' }); // a: created 09:00, modified 12:00
    emu.api.setLabels(b, ['red', 'blue']);
    emu.api.setLabels(c, ['red']);
    emu.api.addAttachment(c, 'data.csv', 'x,y');
    now = at(13);
  });

  async function ids(cql: string, path = '/wiki/rest/api/content/search'): Promise<string[]> {
    const r = await call(emu, 'GET', `${path}?cql=${encodeURIComponent(cql)}&limit=100`);
    assert.equal(r.status, 200, `${cql}: ${r.text}`);
    return r.json.results.map((x: { id?: string; content?: { id: string } }) => x.content?.id ?? x.id);
  }
  const sorted = (x: string[]) => [...x].sort();

  test('space, type, title, id, parent, ancestor, label', async () => {
    assert.deepEqual(sorted(await ids('space = CQL and type = page')), sorted([root, a, b, c]));
    assert.deepEqual(sorted(await ids('space = "CQL" AND type = attachment')).length, 1);
    assert.deepEqual(await ids('space = CQL and title = "Beta page"'), [b]);
    assert.deepEqual(sorted(await ids('space = CQL and title ~ "page"')), sorted([a, b]));
    assert.deepEqual(await ids(`id = ${c}`), [c]);
    assert.deepEqual(sorted(await ids(`parent = ${root}`)), sorted([a, b]));
    assert.deepEqual(sorted(await ids(`ancestor = ${root} and type = page`)), sorted([a, b, c]));
    assert.deepEqual(sorted(await ids('label = red')), sorted([b, c]));
    assert.deepEqual(await ids('label = blue'), [b]);
  });

  test('AND, OR, NOT, parentheses, IN, NOT IN, !=', async () => {
    assert.deepEqual(sorted(await ids(`space = CQL and type = page and (label = red OR id = ${root})`)), sorted([root, b, c]));
    assert.deepEqual(await ids(`space = CQL and type = page and label = red and not label = blue`), [c]);
    assert.deepEqual(sorted(await ids(`id IN (${a}, ${c})`)), sorted([a, c]));
    assert.deepEqual(sorted(await ids(`space = CQL and type = page and id NOT IN (${a}, ${c})`)), sorted([root, b]));
    assert.deepEqual(sorted(await ids(`space = CQL and type = page and title != Gamma and title != Root`)), sorted([a, b]));
    assert.deepEqual(sorted(await ids(`space = CQL and type = page and (parent = ${a} or parent = ${root}) and not (label = blue)`)), sorted([a, c]));
  });

  test('lastmodified and created with = != > >= < <=, ORDER BY lastmodified desc', async () => {
    const q = (cond: string) => ids(`space = CQL and type = page and ${cond}`).then(sorted);
    assert.deepEqual(await q('lastmodified = "2026/11/01 12:00"'), [a]);
    assert.deepEqual(await q('lastmodified != "2026/11/01 12:00"'), sorted([root, b, c]));
    assert.deepEqual(await q('lastmodified > "2026/11/01 10:00"'), sorted([a, c]));
    assert.deepEqual(await q('lastmodified >= "2026/11/01 10:00"'), sorted([a, b, c]));
    assert.deepEqual(await q('lastmodified < "2026/11/01 10:00"'), [root]);
    assert.deepEqual(await q('lastmodified <= "2026/11/01 10:00"'), sorted([root, b]));
    assert.deepEqual(await q('created = "2026/11/01 09:00"'), [a]);
    assert.deepEqual(await q('created > "2026/11/01 09:00"'), sorted([b, c]));
    assert.deepEqual(await q('created <= "2026-11-01"'), []);
    assert.deepEqual(await q('created >= "2026-11-01"'), sorted([root, a, b, c]));
    assert.deepEqual(await ids('space = CQL and type = page order by lastmodified desc'), [a, c, b, root]);
    assert.deepEqual(await ids('space = CQL and type = page order by lastmodified'), [root, b, c, a]);
  });

  test('/search wraps results; bad CQL → 400; cursor pagination', async () => {
    const wrapped = await call(emu, 'GET', `/wiki/rest/api/search?cql=${encodeURIComponent('space = CQL and type = page')}`);
    assert.equal(wrapped.status, 200);
    assert.equal(wrapped.json.totalSize, 4);
    assert.ok(wrapped.json.results.every((r: { entityType: string; content: { type: string } }) => r.entityType === 'content' && r.content.type === 'page'));
    const bad = await call(emu, 'GET', `/wiki/rest/api/content/search?cql=${encodeURIComponent('space = = CQL')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /Could not parse cql/);
    assert.equal((await call(emu, 'GET', `/wiki/rest/api/content/search?cql=${encodeURIComponent('color = red')}`)).status, 400);
    const seen: string[] = [];
    let next: string | undefined = `/wiki/rest/api/content/search?cql=${encodeURIComponent('space = CQL and type = page order by lastmodified desc')}&limit=1`;
    let pages = 0;
    while (next) {
      const r = await call(emu, 'GET', next);
      assert.equal(r.status, 200);
      seen.push(...r.json.results.map((x: { id: string }) => x.id));
      const link = r.headers.get('link');
      next = r.json._links.next ? `/wiki${r.json._links.next}` : undefined;
      if (next) assert.equal(link, `<${next}>; rel="next"`);
      else assert.equal(link, null);
      pages++;
    }
    assert.equal(pages, 4);
    assert.deepEqual(seen, [a, c, b, root]);
  });
});

describe('CQL pagination under change', () => {
  test('ORDER BY lastmodified desc: a served hit edited between pages neither repeats nor pushes others out', async () => {
    const s = emu.api.createSpace('CQLP', 'CQL paging');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      now = Date.UTC(2026, 10, 2, 8, i);
      ids.push(emu.store.createPage({ spaceId: s.id, title: `P${i}`, body: '<p/>' }).id);
    }
    const cql = encodeURIComponent('space = CQLP order by lastmodified desc');
    const first = await call(emu, 'GET', `/wiki/rest/api/content/search?cql=${cql}&limit=2`);
    const seen: string[] = first.json.results.map((r: { id: string }) => r.id);
    assert.deepEqual(seen, [ids[5], ids[4]]);
    // The last hit served is edited: it moves to the front of the ordering.
    now = Date.UTC(2026, 10, 2, 9, 0);
    emu.api.editPage(ids[4]!, { body: '<p>edited</p>' });
    let next: string | undefined = `/wiki${first.json._links.next}`;
    while (next) {
      const r = await call(emu, 'GET', next);
      assert.equal(r.status, 200);
      seen.push(...r.json.results.map((x: { id: string }) => x.id));
      next = r.json._links.next ? `/wiki${r.json._links.next}` : undefined;
    }
    assert.deepEqual(seen, [ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]);
    assert.equal((await call(emu, 'GET', `/wiki/rest/api/content/search?cql=${cql}&cursor=bm9wZQ`)).status, 400);
  });
});

describe('misc', () => {
  test('user/current, longtask', async () => {
    const me = await call(emu, 'GET', '/wiki/rest/api/user/current');
    assert.equal(me.status, 200);
    assert.equal(me.json.email, emu.credentials.email);
    assert.equal(me.json.type, 'known');
    const tasks = await call(emu, 'GET', '/wiki/rest/api/longtask');
    assert.equal(tasks.status, 200);
    assert.deepEqual(tasks.json.results, []);
    assert.equal((await call(emu, 'GET', '/wiki/rest/api/longtask/123')).status, 404);
  });

  test('move append / before / after', async () => {
    const { page } = demo(emu);
    const parent = emu.api.createPage('DEMO', 'Move target', '<p>t</p>');
    const mover = emu.api.createPage('DEMO', 'Mover', '<p>m</p>');
    const r = await call(emu, 'PUT', `/wiki/rest/api/content/${mover.id}/move/append/${parent.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.pageId, mover.id);
    assert.equal(emu.api.page(mover.id).parentId, parent.id);
    assert.equal(emu.api.page(mover.id).version.number, 2, 'a move is a new version');
    const sibling = page('Tables');
    assert.equal((await call(emu, 'PUT', `/wiki/rest/api/content/${mover.id}/move/before/${sibling.id}`)).status, 200);
    assert.equal(emu.api.page(mover.id).parentId, sibling.parentId);
    assert.equal((await call(emu, 'PUT', `/wiki/rest/api/content/${mover.id}/move/after/${parent.id}`)).status, 200);
    assert.equal(emu.api.page(mover.id).parentId, parent.parentId);
    assert.equal((await call(emu, 'PUT', `/wiki/rest/api/content/${mover.id}/move/append/99999999`)).status, 404);
    // Below itself or its own child: Confluence Cloud's 400.
    const child = emu.api.createPage('DEMO', 'Mover child', '<p>c</p>', mover.id);
    for (const target of [mover.id, child.id]) {
      const cyc = await call(emu, 'PUT', `/wiki/rest/api/content/${mover.id}/move/append/${target}`);
      assert.equal(cyc.status, 400);
      assert.match(cyc.text, /Cannot add an existing ancestor as a child!/);
    }
    assert.equal(emu.api.page(mover.id).parentId, parent.parentId, 'not moved');
  });
});
