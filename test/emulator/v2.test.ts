/** The v2 API as the emulator serves it, over plain fetch: spaces, pages, the version rule, tree, labels, attachments. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { call, demo } from './helpers.js';

let emu: Emulator;
before(async () => {
  emu = await startEmulator({ seed: 'demo' });
});
after(async () => {
  const invalid = [...emu.invalidRequests()];
  await emu.close();
  assert.deepEqual(invalid, [], 'no request of this file should fail OpenAPI validation');
});

const V2 = '/wiki/api/v2';

async function createPage(title: string, body = '<p>x</p>', parentId?: string) {
  const r = await call(emu, 'POST', `${V2}/pages`, {
    body: { spaceId: demo(emu).space.id, status: 'current', title, ...(parentId ? { parentId } : {}), body: { representation: 'storage', value: body } },
  });
  assert.equal(r.status, 200, r.text);
  return r.json as { id: string; version: { number: number }; parentId: string; body: { storage: { value: string } } };
}

describe('spaces', () => {
  test('list, by key, by id, operations', async () => {
    const all = await call(emu, 'GET', `${V2}/spaces`);
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.json.results.map((s: { key: string }) => s.key),
      ['DEMO'],
    );
    const byKey = await call(emu, 'GET', `${V2}/spaces?keys=DEMO`);
    assert.equal(byKey.json.results.length, 1);
    const none = await call(emu, 'GET', `${V2}/spaces?keys=NOPE`);
    assert.equal(none.json.results.length, 0);
    const id = byKey.json.results[0].id as string;
    const byId = await call(emu, 'GET', `${V2}/spaces/${id}`);
    assert.equal(byId.status, 200);
    assert.equal(byId.json.key, 'DEMO');
    assert.equal(byId.json.homepageId, demo(emu).page('Demo space home').id);
    assert.equal((await call(emu, 'GET', `${V2}/spaces/999999999`)).status, 404);
    const ops = await call(emu, 'GET', `${V2}/spaces/${id}/operations`);
    assert.equal(ops.status, 200);
    assert.ok(ops.json.operations.some((o: { operation: string; targetType: string }) => o.operation === 'create' && o.targetType === 'page'));
  });

  test('space pages: body-format=storage, depth=root, title and status filters', async () => {
    const { space } = demo(emu);
    const noBody = await call(emu, 'GET', `${V2}/spaces/${space.id}/pages?limit=250`);
    assert.equal(noBody.status, 200);
    const current = emu.api.pages('DEMO').length;
    assert.equal(noBody.json.results.length, current);
    assert.deepEqual(noBody.json.results[0].body, {});
    const withBody = await call(emu, 'GET', `${V2}/spaces/${space.id}/pages?limit=5&body-format=storage`);
    assert.equal(withBody.json.results.length, 5);
    for (const p of withBody.json.results) {
      assert.equal(p.body.storage.representation, 'storage');
      assert.equal(p.body.storage.value, emu.api.body(p.id));
    }
    const root = await call(emu, 'GET', `${V2}/spaces/${space.id}/pages?depth=root`);
    assert.deepEqual(
      root.json.results.map((p: { title: string }) => p.title),
      ['Demo space home'],
    );
    const titled = await call(emu, 'GET', `${V2}/spaces/${space.id}/pages?title=${encodeURIComponent('Tables')}`);
    assert.equal(titled.json.results.length, 1);
    assert.equal(titled.json.results[0].title, 'Tables');
    const victim = await createPage('Space listing trashed one');
    assert.equal((await call(emu, 'DELETE', `${V2}/pages/${victim.id}`)).status, 204);
    const trashed = await call(emu, 'GET', `${V2}/spaces/${space.id}/pages?status=trashed`);
    assert.deepEqual(
      trashed.json.results.map((p: { id: string }) => p.id),
      [victim.id],
    );
    const currentAgain = await call(emu, 'GET', `${V2}/spaces/${space.id}/pages?limit=250`);
    assert.ok(!currentAgain.json.results.some((p: { id: string }) => p.id === victim.id));
    assert.equal((await call(emu, 'GET', `${V2}/spaces/424242/pages`)).status, 404);
  });
});

describe('pages', () => {
  test('bulk by ids (250 allowed, 251 rejected)', async () => {
    const ids = emu.api.pages('DEMO').slice(0, 3).map((p) => p.id);
    const r = await call(emu, 'GET', `${V2}/pages?id=${ids.join(',')}&body-format=storage`);
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.results.map((p: { id: string }) => p.id),
      ids,
    );
    assert.ok(r.json.results.every((p: { body: { storage?: unknown } }) => p.body.storage));
    const many = Array.from({ length: 250 }, (_, i) => String(100000 + i));
    assert.equal((await call(emu, 'GET', `${V2}/pages?id=${many.join(',')}&limit=250`)).status, 200);
    const before = emu.invalidRequests().length;
    const tooMany = await call(emu, 'GET', `${V2}/pages?id=${[...many, '999999'].join(',')}`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.errors[0].status, 400);
    assert.equal(emu.invalidRequests().length, before + 1);
    emu.resetLog();
  });

  test('create answers 200 with the stored (rewritten) body and version 1', async () => {
    const home = demo(emu).page('Demo space home');
    const p = await createPage('Created over v2', '<p>a<br/>b</p>');
    assert.equal(p.version.number, 1);
    assert.equal(p.parentId, home.id, 'no parentId → below the space home page');
    assert.equal(p.body.storage.value, '<p>a<br />b</p>');
    assert.equal(emu.api.page(p.id).title, 'Created over v2');
    const dup = await call(emu, 'POST', `${V2}/pages`, { body: { spaceId: demo(emu).space.id, title: 'Created over v2', body: { representation: 'storage', value: '' } } });
    assert.equal(dup.status, 400, 'titles are unique in a space');
    const noSpace = await call(emu, 'POST', `${V2}/pages`, { body: { spaceId: '31337', title: 'x', body: { representation: 'storage', value: '' } } });
    assert.equal(noSpace.status, 404);
    const trashedParent = await createPage('Soon trashed parent');
    emu.api.deletePage(trashedParent.id);
    const underTrash = await call(emu, 'POST', `${V2}/pages`, { body: { spaceId: demo(emu).space.id, title: 'Under a trashed parent', parentId: trashedParent.id, body: { representation: 'storage', value: '' } } });
    assert.equal(underTrash.status, 404, 'a trashed page cannot be a parent');
    assert.equal(emu.api.pageByTitle('DEMO', 'Under a trashed parent'), undefined);
  });

  test('bodies over 5 MB → 413; requests over 20 MB → 413 (the answer arrives)', async () => {
    const big = await call(emu, 'POST', `${V2}/pages`, { body: { spaceId: demo(emu).space.id, title: 'Too big', body: { representation: 'storage', value: `<p>${'x'.repeat(5 * 1024 * 1024)}</p>` } } });
    assert.equal(big.status, 413);
    assert.equal(big.json.errors[0].status, 413);
    const huge = await call(emu, 'POST', `${V2}/pages`, { raw: Buffer.alloc(21 * 1024 * 1024, 0x20), headers: { 'Content-Type': 'application/json' } });
    assert.equal(huge.status, 413);
    assert.equal(emu.api.pageByTitle('DEMO', 'Too big'), undefined);
  });

  test('get: version=N, include-labels, body-format', async () => {
    const p = await createPage('Versioned', '<p>one</p>');
    const upd = await call(emu, 'PUT', `${V2}/pages/${p.id}`, {
      body: { id: p.id, status: 'current', title: 'Versioned', body: { representation: 'storage', value: '<p>two</p>' }, version: { number: 2, message: 'second' } },
    });
    assert.equal(upd.status, 200, upd.text);
    const latest = await call(emu, 'GET', `${V2}/pages/${p.id}?body-format=storage`);
    assert.equal(latest.json.version.number, 2);
    assert.equal(latest.json.version.message, 'second');
    assert.equal(latest.json.body.storage.value, '<p>two</p>');
    const v1 = await call(emu, 'GET', `${V2}/pages/${p.id}?version=1&body-format=storage`);
    assert.equal(v1.status, 200);
    assert.equal(v1.json.version.number, 1);
    assert.equal(v1.json.body.storage.value, '<p>one</p>');
    assert.equal((await call(emu, 'GET', `${V2}/pages/${p.id}?version=7`)).status, 404);
    const noLabels = await call(emu, 'GET', `${V2}/pages/${demo(emu).page('Getting started').id}`);
    assert.equal(noLabels.json.labels, undefined);
    assert.deepEqual(noLabels.json.body, {});
    const labelled = await call(emu, 'GET', `${V2}/pages/${demo(emu).page('Getting started').id}?include-labels=true`);
    assert.deepEqual(
      labelled.json.labels.results.map((l: { name: string }) => l.name),
      ['guide', 'start-here'],
    );
    assert.equal((await call(emu, 'GET', `${V2}/pages/77777777`)).status, 404);
  });

  test('update must carry current+1, else 409 with the v2 envelope', async () => {
    const p = await createPage('Version rule', '<p>v1</p>');
    const put = (n: number, title = 'Version rule') =>
      call(emu, 'PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'current', title, body: { representation: 'storage', value: `<p>v${n}</p>` }, version: { number: n } } });
    const same = await put(1);
    assert.equal(same.status, 409);
    assert.deepEqual(same.json, {
      errors: [{ status: 409, code: 'CONFLICT', title: 'Version must be incremented when updating a page. Current Version: [1]. Provided version: [1]', detail: null }],
    });
    const skip = await put(3);
    assert.equal(skip.status, 409);
    assert.equal(skip.json.errors[0].title, 'Version must be incremented when updating a page. Current Version: [1]. Provided version: [3]');
    const ok = await put(2, 'Version rule renamed');
    assert.equal(ok.status, 200);
    assert.equal(ok.json.version.number, 2);
    assert.equal(ok.json.title, 'Version rule renamed');
    assert.equal(emu.api.page(p.id).version.number, 2);
    const stale = await put(2);
    assert.equal(stale.status, 409);
    assert.match(stale.json.errors[0].title, /Current Version: \[2\]\. Provided version: \[2\]/);
    // An edit by someone else bumps the version: the old +1 no longer fits.
    emu.api.editPage(p.id, { body: '<p>theirs</p>' });
    assert.equal((await put(3)).status, 409);
    assert.equal((await put(4)).status, 200);
  });

  test('update moves a page (parentId) but never below itself (400, Confluence Cloud\'s message)', async () => {
    const a = await createPage('Mover A');
    const b = await createPage('Mover B', '<p>b</p>', a.id);
    const c = await createPage('Mover C', '<p>c</p>', b.id);
    const put = (id: string, title: string, parentId: string) => call(emu, 'PUT', `${V2}/pages/${id}`, { body: { id, status: 'current', title, parentId, body: { representation: 'storage', value: '<p>x</p>' }, version: { number: 2 } } });
    for (const [target, what] of [
      [b.id, 'its child'],
      [c.id, 'its grandchild'],
      [a.id, 'itself'],
    ] as const) {
      const r = await put(a.id, 'Mover A', target);
      assert.equal(r.status, 400, `below ${what}`);
      assert.match(r.text, /Cannot add an existing ancestor as a child!/);
    }
    assert.equal(emu.api.page(a.id).version.number, 1, 'nothing changed');
    assert.equal(emu.api.page(a.id).parentId, demo(emu).space.homepageId);
    assert.throws(() => emu.api.movePage(a.id, c.id), /existing ancestor/, 'the test API refuses it too');
    const home = demo(emu).page('Meeting notes');
    const moveB = await call(emu, 'PUT', `${V2}/pages/${b.id}`, { body: { id: b.id, status: 'current', title: 'Mover B', parentId: home.id, body: { representation: 'storage', value: '<p>b</p>' }, version: { number: 2 } } });
    assert.equal(moveB.status, 200);
    assert.equal(emu.api.page(b.id).parentId, home.id);
  });

  test('delete → trash; purge only trashed; restore with PUT status current', async () => {
    const p = await createPage('Lifecycle');
    assert.equal((await call(emu, 'DELETE', `${V2}/pages/${p.id}?purge=true`)).status, 400, 'a current page cannot be purged');
    assert.equal((await call(emu, 'DELETE', `${V2}/pages/${p.id}`)).status, 204);
    assert.equal(emu.api.page(p.id).status, 'trashed');
    const trashed = await call(emu, 'GET', `${V2}/pages/${p.id}`);
    assert.equal(trashed.json.status, 'trashed');
    assert.equal((await call(emu, 'DELETE', `${V2}/pages/${p.id}`)).status, 404, 'trashing twice');
    const before = emu.api.body(p.id);
    assert.equal((await call(emu, 'PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'current', title: 'Lifecycle', body: { representation: 'storage', value: '<p>x</p>' }, version: { number: 5 } } })).status, 409, 'a restore still names the next version');
    // The v2 spec (PageUpdateRequest.status): "For restoration, page contents will not be updated and only the page
    // status will be changed."
    const restore = await call(emu, 'PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'current', title: 'Lifecycle renamed', body: { representation: 'storage', value: '<p>new text</p>' }, version: { number: 2 } } });
    assert.equal(restore.status, 200);
    assert.equal(restore.json.status, 'current');
    assert.equal(restore.json.title, 'Lifecycle', 'the title is not updated by a restore');
    assert.equal(restore.json.version.number, 1, 'nor is the version');
    assert.equal(emu.api.page(p.id).status, 'current');
    assert.equal(emu.api.body(p.id), before, 'nor the body');
    const update = await call(emu, 'PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'current', title: 'Lifecycle', body: { representation: 'storage', value: '<p>new text</p>' }, version: { number: 2 } } });
    assert.equal(update.status, 200, 'once current, the content goes in a normal update');
    assert.match(emu.api.body(p.id), /new text/);
    assert.equal((await call(emu, 'DELETE', `${V2}/pages/${p.id}`)).status, 204);
    assert.equal((await call(emu, 'DELETE', `${V2}/pages/${p.id}?purge=true`)).status, 204);
    assert.equal(emu.store.pages.has(p.id), false);
    assert.equal((await call(emu, 'GET', `${V2}/pages/${p.id}`)).status, 404);
  });
});

describe('title index', () => {
  test('a title is taken while its page is current: trash frees it, restore and rename take it again; create is O(1) in the space size', async () => {
    const p = await createPage('Indexed title');
    const dup = await call(emu, 'POST', `${V2}/pages`, { body: { spaceId: demo(emu).space.id, status: 'current', title: 'Indexed title', body: { representation: 'storage', value: '' } } });
    assert.equal(dup.status, 400);
    emu.api.deletePage(p.id);
    const other = await createPage('Indexed title', '<p>second</p>');
    assert.equal(emu.api.pageByTitle('DEMO', 'Indexed title')?.id, other.id);
    const restore = await call(emu, 'PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'current', title: 'Indexed title', body: { representation: 'storage', value: '' }, version: { number: 2 } } });
    assert.equal(restore.status, 400, 'a restore whose title was taken meanwhile is refused');
    emu.api.renamePage(other.id, 'Indexed title moved');
    assert.equal(emu.api.pageByTitle('DEMO', 'Indexed title'), undefined, 'a rename frees the old title');
    assert.equal((await call(emu, 'PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'current', title: 'Indexed title', body: { representation: 'storage', value: '' }, version: { number: 2 } } })).status, 200);
    assert.equal(emu.api.pageByTitle('DEMO', 'Indexed title')?.id, p.id);
  });

  test('createPage does not look at the other pages of the space (a lookup, not a scan)', async () => {
    const big = await startEmulator({ seed: 20_000 });
    try {
      const space = big.api.space('BENCH');
      // Count page reads during creates: a scan would read every page of the space per create.
      let reads = 0;
      const pages = big.store.pages;
      const get = pages.get.bind(pages);
      pages.get = (id: string) => {
        reads++;
        return get(id);
      };
      for (let i = 0; i < 50; i++) big.store.createPage({ spaceId: space.id, title: `Fresh ${i}`, parentId: null, body: '' });
      pages.get = get;
      assert.ok(reads < 50 * 5, `${reads} page reads for 50 creates in a space of 20,000 pages`);
      assert.throws(() => big.store.createPage({ spaceId: space.id, title: 'Bench page 000007', parentId: null, body: '' }), /already exists/);
    } finally {
      await big.close();
    }
  });
});

describe('tree', () => {
  test('children, descendants, ancestors', async () => {
    const { page } = demo(emu);
    const inst = page('Installation');
    const gs = page('Getting started');
    const kids = await call(emu, 'GET', `${V2}/pages/${gs.id}/children`);
    assert.equal(kids.status, 200);
    assert.deepEqual(
      kids.json.results.map((c: { title: string }) => c.title),
      ['Installation', 'Configuration', 'First sync'],
    );
    const desc = await call(emu, 'GET', `${V2}/pages/${gs.id}/descendants`);
    assert.deepEqual(desc.json.results.map((d: { title: string }) => d.title).sort(), ['Configuration', 'First sync', 'Installation', 'Linux', 'macOS']);
    const linux = desc.json.results.find((d: { title: string }) => d.title === 'Linux');
    assert.equal(linux.depth, 2);
    assert.equal(linux.parentId, inst.id);
    const shallow = await call(emu, 'GET', `${V2}/pages/${gs.id}/descendants?depth=1`);
    assert.equal(shallow.json.results.length, 3);
    const anc = await call(emu, 'GET', `${V2}/pages/${page('Linux').id}/ancestors`);
    assert.deepEqual(
      anc.json.results.map((a: { id: string }) => a.id),
      [page('Demo space home').id, gs.id, inst.id],
    );
    assert.equal((await call(emu, 'GET', `${V2}/pages/5555555/children`)).status, 404);
  });

  test('versions, newest first, paginated', async () => {
    const p = await createPage('Many versions');
    for (let n = 2; n <= 4; n++) emu.api.editPage(p.id, { body: `<p>${n}</p>`, message: `m${n}` });
    const r1 = await call(emu, 'GET', `${V2}/pages/${p.id}/versions?limit=2`);
    assert.equal(r1.status, 200);
    assert.deepEqual(
      r1.json.results.map((v: { number: number }) => v.number),
      [4, 3],
    );
    assert.ok(r1.json._links.next);
    const r2 = await call(emu, 'GET', `/wiki${r1.json._links.next.replace(/^\/wiki/, '')}`);
    assert.deepEqual(
      r2.json.results.map((v: { number: number }) => v.number),
      [2, 1],
    );
    assert.equal(r2.json._links.next, undefined);
  });
});

describe('labels', () => {
  test('page labels, space content labels, label → pages', async () => {
    const { page, space } = demo(emu);
    const pl = await call(emu, 'GET', `${V2}/pages/${page('Getting started').id}/labels`);
    assert.deepEqual(pl.json.results.map((l: { name: string }) => l.name).sort(), ['guide', 'start-here']);
    const sl = await call(emu, 'GET', `${V2}/spaces/${space.id}/content/labels`);
    assert.deepEqual(sl.json.results.map((l: { name: string }) => l.name).sort(), ['architecture', 'guide', 'runbook', 'start-here']);
    const runbook = sl.json.results.find((l: { name: string }) => l.name === 'runbook');
    const lp = await call(emu, 'GET', `${V2}/labels/${runbook.id}/pages?body-format=storage`);
    assert.equal(lp.status, 200);
    assert.deepEqual(lp.json.results.map((p: { title: string }) => p.title).sort(), ['On-call', 'Release process']);
    assert.ok(lp.json.results[0].body.storage.value.length > 0);
    assert.equal((await call(emu, 'GET', `${V2}/labels/999999999/pages`)).status, 404);
  });
});

describe('attachments', () => {
  test('page attachments, attachment get and delete', async () => {
    const page = demo(emu).page('Images and files');
    const list = await call(emu, 'GET', `${V2}/pages/${page.id}/attachments`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.results.map((a: { title: string }) => a.title),
      ['logo.png', 'report.csv'],
    );
    const csv = list.json.results[1];
    assert.equal(csv.mediaType, 'text/csv');
    assert.equal(csv.fileSize, Buffer.byteLength('name,value\nalpha,1\nbeta,2\n'));
    const filtered = await call(emu, 'GET', `${V2}/pages/${page.id}/attachments?filename=logo.png`);
    assert.equal(filtered.json.results.length, 1);
    const one = await call(emu, 'GET', `${V2}/attachments/${csv.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.json.title, 'report.csv');
    assert.equal(one.json.pageId, page.id);
    const extra = emu.api.addAttachment(page.id, 'gone.txt', 'bye');
    // The spec types the DELETE id as an integer: the number without "att".
    const numeric = extra.id.replace(/^att/, '');
    assert.equal((await call(emu, 'DELETE', `${V2}/attachments/${numeric}?purge=true`)).status, 400, 'only trashed attachments can be purged');
    assert.equal(emu.store.attachments.get(extra.id)?.status, 'current');
    assert.equal((await call(emu, 'DELETE', `${V2}/attachments/${numeric}`)).status, 204);
    assert.equal(emu.store.attachments.get(extra.id)?.status, 'trashed');
    assert.equal((await call(emu, 'GET', `${V2}/attachments/${extra.id}`)).status, 404);
    assert.equal((await call(emu, 'DELETE', `${V2}/attachments/${numeric}`)).status, 404);
    assert.equal((await call(emu, 'DELETE', `${V2}/attachments/${numeric}?purge=true`)).status, 204);
    assert.equal(emu.store.attachments.has(extra.id), false, 'purged');
    assert.equal((await call(emu, 'GET', `${V2}/pages/${page.id}/attachments`)).json.results.length, 2);
  });
});

describe('Data Center paths', () => {
  test('the root serves Data Center (/rest/api, no v2); /wiki serves Cloud, links keep the prefix', async () => {
    const { space, page } = demo(emu);
    const dc = await call(emu, 'GET', `/api/v2/spaces/${space.id}/pages?limit=2`);
    assert.equal(dc.status, 404, 'Data Center has no v2 API');
    const cloud = await call(emu, 'GET', `/wiki/api/v2/spaces/${space.id}/pages?limit=2`);
    assert.match(cloud.json._links.next, /^\/wiki\/api\/v2\/spaces\//);
    assert.equal(cloud.json._links.base, emu.url);
    const got = await call(emu, 'GET', `/rest/api/content/${page('Tables').id}`, { auth: 'pat' });
    assert.equal(got.status, 200);
    assert.equal(got.json.title, 'Tables');
    const v1 = await call(emu, 'GET', '/rest/api/user/current', { auth: 'pat' });
    assert.equal(v1.status, 200);
    assert.equal(v1.json.username, 'demo', 'Data Center users have a username');
    assert.equal((await call(emu, 'GET', '/nothing/here')).status, 404);
  });
});
