/**
 * The deprecated Cloud v1 content endpoints (served with `deprecatedV1: 'live'`, the default; 410 with 'gone'),
 * validated against the emulator's supplementary document spec/confluence-v1-legacy.openapi.json.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { basicAuth, call, multipart, withEmu } from './helpers.js';

/** A GET with a JSON body (fetch refuses to send one; md2confluence's HTTP client does). */
function getWithBody(url: string, authorization: string, body: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(url, { method: 'GET', headers: { Authorization: authorization, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.setEncoding('utf8').on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const V1 = '/wiki/rest/api';
const NOCHECK = { 'X-Atlassian-Token': 'no-check' };

describe('deprecated v1 content endpoints', () => {
  test('read, find by title, create, update with the version rule and title uniqueness', async () => {
    await withEmu({ seed: 'demo' }, async (emu) => {
      const tables = emu.api.pageByTitle('DEMO', 'Tables')!;
      const got = await call(emu, 'GET', `${V1}/content/${tables.id}?expand=body.storage,version,ancestors`);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.json.type, 'page');
      assert.equal(got.json.space.key, 'DEMO');
      assert.equal(got.json.version.number, 1);
      assert.equal(got.json.body.storage.representation, 'storage');
      assert.equal(got.json.body.storage.value, emu.api.body(tables.id));
      assert.deepEqual(got.json.ancestors.map((a: { title: string }) => a.title), ['Demo space home', 'Formatting guide']);
      const found = await call(emu, 'GET', `${V1}/content?spaceKey=DEMO&title=Tables&expand=version`);
      assert.deepEqual(found.json.results.map((r: { id: string }) => r.id), [tables.id]);
      assert.equal(found.json.size, 1);
      assert.deepEqual((await call(emu, 'GET', `${V1}/content?spaceKey=DEMO&title=Nope`)).json.results, []);

      const parent = emu.api.pageByTitle('DEMO', 'Demo space home')!;
      const made = await call(emu, 'POST', `${V1}/content`, { body: { type: 'page', title: 'Legacy page', space: { key: 'DEMO' }, ancestors: [{ id: parent.id }], body: { storage: { value: '<p>v1</p>', representation: 'storage' } } } });
      assert.equal(made.status, 200, made.text);
      assert.equal(made.json.version.number, 1);
      assert.equal(emu.api.page(made.json.id).parentId, parent.id);
      const dup = await call(emu, 'POST', `${V1}/content`, { body: { type: 'page', title: 'Legacy page', space: { key: 'DEMO' }, body: { storage: { value: '', representation: 'storage' } } } });
      assert.equal(dup.status, 400);
      assert.match(dup.json.message, /A page with this title already exists/);
      const put = (number: number) => call(emu, 'PUT', `${V1}/content/${made.json.id}`, { body: { id: made.json.id, type: 'page', title: 'Legacy page', version: { number }, body: { storage: { value: `<p>v${number}</p>`, representation: 'storage' } } } });
      const stale = await put(1);
      assert.equal(stale.status, 409);
      assert.equal(stale.json.statusCode, 409);
      assert.equal(stale.json.message, 'Version must be incremented on update. Current version is: 1');
      const ok = await put(2);
      assert.equal(ok.status, 200);
      assert.equal(emu.api.body(made.json.id), '<p>v2</p>');
      const wiki = await call(emu, 'PUT', `${V1}/content/${made.json.id}`, { body: { id: made.json.id, type: 'page', title: 'Legacy page', version: { number: 3 }, body: { wiki: { value: 'h2. From wiki', representation: 'wiki' } } } });
      assert.equal(wiki.status, 200, wiki.text);
      assert.equal(emu.api.body(made.json.id), '<h2>From wiki</h2>');
      const adf = await call(emu, 'GET', `${V1}/content/${made.json.id}?expand=body.atlas_doc_format`);
      assert.deepEqual(JSON.parse(adf.json.body.atlas_doc_format.value), { type: 'doc', version: 1, content: [{ type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'From wiki' }] }] });
      const v2 = await call(emu, 'GET', `/wiki/api/v2/pages/${made.json.id}?body-format=storage`);
      assert.equal(v2.json.version.number, 3, 'v1 and v2 read the same page');
      assert.equal(v2.json.body.storage.value, '<h2>From wiki</h2>');
      assert.deepEqual(emu.invalidRequests(), []);
    });
  });

  test('child pages paged 25 by default with _links.next; attachments; labels; contentbody/convert', async () => {
    await withEmu({ seed: 'demo' }, async (emu) => {
      const parent = emu.api.createPage('DEMO', 'Many children', '<p/>');
      for (let i = 0; i < 30; i++) emu.api.createPage('DEMO', `Child ${String(i).padStart(2, '0')}`, '<p/>', parent.id);
      const first = await call(emu, 'GET', `${V1}/content/${parent.id}/child/page`);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.limit, 25);
      assert.equal(first.json.size, 25);
      assert.equal(first.json.results[0].title, 'Child 00');
      assert.match(first.json._links.next, new RegExp(`^/rest/api/content/${parent.id}/child/page\\?.*start=25`));
      const second = await call(emu, 'GET', `/wiki${first.json._links.next}`);
      assert.equal(second.json.size, 5);
      assert.equal(second.json._links.next, undefined);
      assert.equal(second.json.results[4].title, 'Child 29');

      const mp = multipart([{ name: 'file', filename: 'a.txt', contentType: 'text/plain', data: 'a' }, { name: 'minorEdit', data: 'true' }]);
      assert.equal((await call(emu, 'POST', `${V1}/content/${parent.id}/child/attachment`, { raw: mp.body, headers: { ...NOCHECK, 'Content-Type': mp.contentType } })).status, 200);
      const atts = await call(emu, 'GET', `${V1}/content/${parent.id}/child/attachment?filename=a.txt`);
      assert.deepEqual(atts.json.results.map((a: { title: string }) => a.title), ['a.txt']);
      emu.api.setLabels(parent.id, ['one', 'two']);
      const labels = await call(emu, 'GET', `${V1}/content/${parent.id}/label?limit=1`);
      assert.deepEqual(labels.json.results.map((l: { name: string }) => l.name), ['one']);
      assert.ok(labels.json._links.next);

      const conv = await call(emu, 'POST', `${V1}/contentbody/convert/atlas_doc_format`, { body: { value: '<p>Hi <strong>there</strong></p>', representation: 'storage' } });
      assert.equal(conv.status, 200, conv.text);
      assert.equal(conv.json.representation, 'atlas_doc_format');
      assert.deepEqual(JSON.parse(conv.json.value).content[0].content[1], { type: 'text', text: 'there', marks: [{ type: 'strong' }] });
      const view = await call(emu, 'POST', `${V1}/contentbody/convert/view`, { body: { value: 'h1. Big', representation: 'wiki' } });
      assert.equal(view.json.value, '<h1>Big</h1>');
      const toWiki = await call(emu, 'POST', `${V1}/contentbody/convert/wiki`, { body: { value: '<p>x</p>', representation: 'storage' } });
      assert.equal(toWiki.status, 400);
      assert.match(toWiki.json.message, /Cannot convert to wiki/);
      assert.equal((await call(emu, 'GET', `${V1}/space/DEMO`)).json.key, 'DEMO');
      assert.deepEqual(emu.invalidRequests(), []);
    });
  });

  test('requests as released publishing tools send them are served', async () => {
    await withEmu({ seed: 'demo' }, async (emu) => {
      // confluence-site 4.0.1 creates with `version: {}` and a wiki body; md2confluence 1.0.5 GETs with a JSON body,
      // converts wiki through contentbody/convert/storage and PUTs the whole object it read back with version + 1.
      const made = await call(emu, 'POST', `${V1}/content`, { body: { title: 'From a tool', version: {}, space: { key: 'DEMO' }, type: 'page', ancestors: [{ id: emu.api.pageByTitle('DEMO', 'Demo space home')!.id }], body: { storage: { value: 'h1. Tool\n\n* a\n* b', representation: 'wiki' } } } });
      assert.equal(made.status, 200, made.text);
      assert.equal(emu.api.body(made.json.id), '<h1>Tool</h1><ul><li>a</li><li>b</li></ul>');
      const converted = await call(emu, 'POST', `${V1}/contentbody/convert/storage`, { body: { value: 'Some *bold*', representation: 'wiki' } });
      assert.equal(converted.json.value, '<p>Some <strong>bold</strong></p>');
      const read = await getWithBody(`${emu.origin}${V1}/content/${made.json.id}`, basicAuth(emu.credentials.email, emu.credentials.token), { some: 'payload' });
      assert.equal(read.status, 200, JSON.stringify(read.json));
      const page = { ...read.json, title: 'From a tool', body: { storage: { value: converted.json.value, representation: 'storage' } } };
      page.version.number = read.json.version.number + 1;
      const put = await call(emu, 'PUT', `${V1}/content/${made.json.id}`, { body: page });
      assert.equal(put.status, 200, put.text);
      assert.equal(emu.api.body(made.json.id), '<p>Some <strong>bold</strong></p>');
      const v2 = await call(emu, 'GET', `/wiki/api/v2/pages/${made.json.id}?body-format=storage`);
      assert.equal(v2.json.body.storage.value, emu.api.body(made.json.id), 'v2 reads what v1 wrote');
      assert.deepEqual(emu.invalidRequests(), []);
    });
  });

  test('requests the supplementary schema rejects are 400 and recorded', async () => {
    await withEmu({ seed: 'demo' }, async (emu) => {
      const tables = emu.api.pageByTitle('DEMO', 'Tables')!;
      const r = await call(emu, 'GET', `${V1}/content/${tables.id}?colour=blue`);
      assert.equal(r.status, 400);
      assert.match(r.json.message, /colour.*not allowed/);
      const noVersion = await call(emu, 'PUT', `${V1}/content/${tables.id}`, { body: { type: 'page', title: 'Tables' } });
      assert.equal(noVersion.status, 400);
      assert.equal(emu.invalidRequests().length, 2);
    });
  });

  test("deprecatedV1: 'gone' answers them 410 with Confluence's message; the documented v1 endpoints still work", async () => {
    await withEmu({ seed: 'demo', deprecatedV1: 'gone' }, async (emu) => {
      const tables = emu.api.pageByTitle('DEMO', 'Tables')!;
      for (const [method, path] of [['GET', `${V1}/content/${tables.id}`], ['GET', `${V1}/content?spaceKey=DEMO&title=Tables`], ['POST', `${V1}/content`], ['GET', `${V1}/content/${tables.id}/child/page`]] as const) {
        const r = await call(emu, method, path, method === 'POST' ? { body: { type: 'page', title: 'x', space: { key: 'DEMO' } } } : {});
        assert.equal(r.status, 410, `${method} ${path}`);
        assert.equal(r.json.message, 'com.atlassian.confluence.api.service.exceptions.GoneException: This deprecated endpoint has been removed.');
      }
      assert.equal(emu.api.pageByTitle('DEMO', 'x'), undefined);
      assert.equal((await call(emu, 'GET', `${V1}/content/search?cql=type%3Dpage&limit=1`)).status, 200);
      assert.equal((await call(emu, 'GET', `/wiki/api/v2/pages/${tables.id}`)).status, 200);
    });
  });
});
