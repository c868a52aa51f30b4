/** Every client operation against the emulator, which validates each request against the OpenAPI documents. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteError } from '../../src/core/errors.js';
import { drain, withEmulator } from './emulator-helpers.js';

test('every operation works against the emulator and passes its OpenAPI validation', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csync-emu-ops-'));
  try {
    await withEmulator({ seed: 'demo' }, {}, async (emu, c) => {
      const done = new Set<string>();
      const op = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        const before = emu.requestLog().length;
        const r = await fn();
        assert.ok(emu.requestLog().length > before, `${name} sent a request`);
        done.add(name);
        return r;
      };
      const space = await op('getSpaceByKey', () => c.getSpaceByKey('DEMO'));
      assert.equal(space.key, 'DEMO');
      const spaces = await op('listSpaces', () => drain(c.listSpaces()));
      assert.ok(spaces.some((s) => s.key === 'DEMO'));
      const pages = await op('listPages', () => drain(c.listPages(space.id, { bodies: true })));
      assert.ok(pages.length > 10 && pages.every((p) => typeof p.body === 'string'));
      const home = pages.find((p) => p.id === space.homepageId)!;
      const child = pages.find((p) => p.parentId === home.id)!;
      const bulk = await op('getPagesByIds', () => drain(c.getPagesByIds(pages.map((p) => p.id), { bodies: true })));
      assert.deepEqual(bulk.map((p) => p.id), pages.map((p) => p.id));
      const one = await op('getPage', () => c.getPage(child.id, { body: true, labels: true }));
      assert.equal(one?.title, child.title);
      assert.equal(await op('getPage (missing)', () => c.getPage('999999999')), null);
      const kids = await op('getChildren', () => drain(c.getChildren(home.id)));
      assert.ok(kids.some((k) => k.id === child.id));
      const desc = await op('getDescendants', () => drain(c.getDescendants(home.id, { depth: 5 })));
      assert.ok(desc.length >= kids.length);
      const deep = pages.find((p) => p.parentId === child.id) ?? child;
      const anc = await op('getAncestors', () => c.getAncestors(deep.id));
      assert.equal(anc[0]?.id, home.id, 'top of the tree first');
      assert.equal((await op('findPageByTitle', () => c.findPageByTitle(space.id, child.title)))?.id, child.id);

      const created = await op('createPage', () => c.createPage({ spaceId: space.id, parentId: home.id, title: 'Client test page', body: '<p>hello</p>' }));
      assert.equal(created.version.number, 1);
      const updated = await op('updatePage', () => c.updatePage({ id: created.id, title: 'Client test page (renamed)', body: '<p>hello again</p>', version: 2, message: 'edit' }));
      assert.equal(updated.version.number, 2);
      await op('movePage', () => c.movePage(created.id, child.id));
      assert.equal((await c.getPage(created.id))?.parentId, child.id);
      const versions = await op('getVersions', () => drain(c.getVersions(created.id)));
      assert.ok(versions.length >= 2);
      const first = await op('getPageVersion', () => c.getPageVersion!(created.id, 1));
      assert.deepEqual([first?.version.number, first?.title, first?.body], [1, 'Client test page', '<p>hello</p>'], 'version 1 as it was, with its body');
      assert.equal(first?.authorId, created.authorId);
      assert.equal(await c.getPageVersion!('999999999', 1), null, 'a missing page: null');

      await op('addLabels', () => c.addLabels(created.id, ['howto', 'client-test']));
      assert.deepEqual((await op('getLabels', () => c.getLabels(created.id))).sort(), ['client-test', 'howto']);
      await op('removeLabel', () => c.removeLabel(created.id, 'client-test'));
      const spaceLabels = await op('listSpaceLabels', () => c.listSpaceLabels(space.id));
      assert.deepEqual(spaceLabels.get(created.id), ['howto']);

      const file = join(dir, 'notes.txt');
      await writeFile(file, 'first version');
      const att = await op('uploadAttachment', () => c.uploadAttachment({ pageId: created.id, fileName: 'notes.txt', filePath: file, mediaType: 'text/plain', comment: 'first' }));
      await writeFile(file, 'second version, longer');
      const att2 = await op('uploadAttachment (new version)', () => c.uploadAttachment({ pageId: created.id, fileName: 'notes.txt', filePath: file }));
      assert.equal(att2.id, att.id);
      assert.equal(att2.version, att.version + 1);
      const listed = await op('listAttachments', () => drain(c.listAttachments(created.id)));
      assert.deepEqual(listed.map((a) => a.title), ['notes.txt']);
      assert.equal((await op('findAttachment', () => c.findAttachment(created.id, 'notes.txt')))?.id, att.id);
      const inSpace = await op('listSpaceAttachments', () => drain(c.listSpaceAttachments('DEMO')));
      assert.ok(inSpace.some((a) => a.id === att.id && a.pageId === created.id));
      const dest = join(dir, 'out', 'notes.txt');
      const dl = await op('downloadAttachment', () => c.downloadAttachment(att2, dest));
      assert.equal(await readFile(dest, 'utf8'), 'second version, longer');
      assert.equal(dl.sha256, createHash('sha256').update('second version, longer').digest('hex'));
      await op('deleteAttachment', () => c.deleteAttachment(att.id));
      assert.deepEqual(await drain(c.listAttachments(created.id)), []);

      const hits = await op('searchCql', () => drain(c.searchCql('space = DEMO and type = page')));
      assert.ok(hits.length >= pages.length);
      await op('longtask', () => assert.rejects(c.longtask('12345'), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_NOT_FOUND'));
      assert.match((await op('currentUser', () => c.currentUser())).displayName ?? '', /Demo/);
      assert.ok((await op('spaceOperations', () => c.spaceOperations(space.id))).some((o) => o.operation === 'create'));

      await op('deletePage', () => c.deletePage(created.id));
      assert.equal((await c.getPage(created.id))?.status ?? 'gone', 'trashed');
      const restored = await op('restorePage', () => c.restorePage(created.id));
      assert.equal(restored.status, 'current');
      await c.deletePage(created.id);
      await op('purgePage', () => c.purgePage(created.id));

      assert.deepEqual(emu.invalidRequests(), []);
      assert.equal(done.size, 33);
      const unexpected = emu.requestLog().filter((r) => r.status >= 400 && !/longtask|999999999/.test(r.path));
      assert.deepEqual(unexpected, []);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('updatePage on a page trashed meanwhile: Confluence restores it without its content, so the client sends the content in a second PUT', async () => {
  await withEmulator({ seed: 'demo' }, {}, async (emu, c) => {
    const p = emu.api.pageByTitle('DEMO', 'Tables')!;
    emu.api.deletePage(p.id);
    emu.resetLog();
    const r = await c.updatePage({ id: p.id, title: 'Tables', body: '<p>edited while trashed</p>', version: p.version.number + 1 });
    assert.equal(r.status, 'current');
    assert.equal(r.version.number, 2);
    assert.match(emu.api.body(p.id), /edited while trashed/);
    assert.equal(emu.requestCounts()['PUT /wiki/api/v2/pages/{id}'], 2, 'restore, then the content');
    // An update of a current page stays one PUT.
    emu.resetLog();
    await c.updatePage({ id: p.id, title: 'Tables', body: '<p>again</p>', version: 3 });
    assert.equal(emu.requestCounts()['PUT /wiki/api/v2/pages/{id}'], 1);
    // restorePage is the status alone: the contents stay as they were in the trash.
    emu.api.deletePage(p.id);
    const restored = await c.restorePage(p.id);
    assert.equal(restored.status, 'current');
    assert.match(emu.api.body(p.id), /again/);
    assert.deepEqual(emu.invalidRequests(), []);
  });
});
