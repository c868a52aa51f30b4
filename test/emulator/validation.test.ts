/** OpenAPI validation of requests (400/403/404, recorded), authentication, and answers checked against the spec. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { basicAuth, call, demo, multipart, withEmu } from './helpers.js';
import { responseProblems } from './openapi.js';

const V2 = '/wiki/api/v2';
let emu: Emulator;
before(async () => {
  emu = await startEmulator({ seed: 'demo' });
});
after(async () => {
  await emu.close();
});

/** Sends a request that must be rejected with `status` and recorded in invalidRequests() with a matching problem. */
async function rejected(method: string, path: string, opts: Parameters<typeof call>[3], status: number, problem: RegExp) {
  emu.resetLog();
  const r = await call(emu, method, path, opts);
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  const invalid = emu.invalidRequests();
  assert.equal(invalid.length, 1, `${method} ${path} recorded once`);
  assert.equal(invalid[0]!.method, method);
  assert.equal(invalid[0]!.path, path.split('?')[0]);
  assert.ok(invalid[0]!.problems.some((p) => problem.test(p)), `${invalid[0]!.problems.join('; ')} should match ${problem}`);
  return r;
}

describe('request validation', () => {
  test('wrong body shape and unknown enum values', async () => {
    const space = demo(emu).space;
    const r = await rejected('POST', `${V2}/pages`, { body: { spaceId: Number(space.id), title: 'Numeric space id', body: { representation: 'storage', value: '' } } }, 400, /spaceId.*string/);
    assert.equal(r.json.errors[0].status, 400);
    assert.equal(r.json.errors[0].code, 'INVALID_REQUEST_PARAMETER');
    assert.equal(emu.api.pageByTitle('DEMO', 'Numeric space id'), undefined, 'nothing created');
    await rejected('POST', `${V2}/pages`, { body: { spaceId: space.id, status: 'bogus', title: 'Bogus status' } }, 400, /status.*allowed|bogus|equal to one of/);
    const p = demo(emu).page('Tables');
    await rejected('PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'bogus', title: 'Tables', body: { representation: 'storage', value: '' }, version: { number: 2 } } }, 400, /status/);
    assert.equal(emu.api.page(p.id).version.number, 1, 'nothing updated');
    await rejected('PUT', `${V2}/pages/${p.id}`, { body: { id: p.id, status: 'current', title: 'Tables', body: { representation: 'storage', value: '' } } }, 400, /version/);
    await rejected('GET', `${V2}/spaces/${space.id}/pages?body-format=html`, {}, 400, /body-format/);
    await rejected('GET', `${V2}/pages/${p.id}?body-format=wiki-markup`, {}, 400, /body-format/);
  });

  test('limits, unknown parameters, path types, unknown operations, malformed JSON', async () => {
    const space = demo(emu).space;
    await rejected('GET', `${V2}/spaces/${space.id}/pages?limit=251`, {}, 400, /limit/);
    await rejected('GET', `${V2}/spaces?limit=0`, {}, 400, /limit/);
    await rejected('GET', `${V2}/spaces?colour=blue`, {}, 400, /colour.*not allowed/);
    await rejected('GET', `${V2}/pages/abc`, {}, 400, /path parameter 'id'/);
    const nf = await rejected('GET', `${V2}/no/such/thing`, {}, 404, /not an operation/);
    assert.equal(nf.json.errors[0].status, 404);
    const v1nf = await rejected('GET', '/wiki/rest/api/content/1/child/comment', {}, 404, /not an operation/);
    assert.equal(v1nf.json.statusCode, 404);
    emu.resetLog();
    const bad = await call(emu, 'POST', `${V2}/pages`, { raw: '{"spaceId": ', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.errors[0].title, /Malformed JSON/);
    assert.equal((await call(emu, 'GET', `${V2}/spaces?limit=250`)).status, 200);
  });

  test('multipart: missing X-Atlassian-Token → 403 XSRF; missing required fields → 400', async () => {
    const page = demo(emu).page('Images and files');
    const path = `/wiki/rest/api/content/${page.id}/child/attachment`;
    const full = multipart([
      { name: 'file', filename: 'x.txt', contentType: 'text/plain', data: 'x' },
      { name: 'minorEdit', data: 'true' },
    ]);
    const xsrf = await rejected('POST', path, { raw: full.body, headers: { 'Content-Type': full.contentType } }, 403, /X-Atlassian-Token/);
    assert.equal(xsrf.json.message, 'XSRF check failed');
    await rejected('POST', path, { raw: full.body, headers: { 'Content-Type': full.contentType, 'X-Atlassian-Token': 'yes-please' } }, 403, /X-Atlassian-Token/);
    const noFile = multipart([{ name: 'minorEdit', data: 'true' }]);
    await rejected('POST', path, { raw: noFile.body, headers: { 'Content-Type': noFile.contentType, 'X-Atlassian-Token': 'nocheck' } }, 400, /'file' is required/);
    const noMinor = multipart([{ name: 'file', filename: 'y.txt', data: 'y' }]);
    await rejected('PUT', path, { raw: noMinor.body, headers: { 'Content-Type': noMinor.contentType, 'X-Atlassian-Token': 'no-check' } }, 400, /'minorEdit' is required/);
    assert.equal(emu.api.attachments(page.id).length, 2, 'nothing uploaded');
    emu.resetLog();
    const ok = await call(emu, 'POST', path, { raw: full.body, headers: { 'Content-Type': full.contentType, 'X-Atlassian-Token': 'no-check' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(emu.invalidRequests(), []);
  });

  test('strict: false lets invalid requests through unrecorded', async () => {
    await withEmu({ strict: false }, async (lax) => {
      const r = await call(lax, 'GET', `${V2}/spaces?limit=251&colour=blue`);
      assert.equal(r.status, 200);
      assert.deepEqual(lax.invalidRequests(), []);
    });
  });
});

describe('authentication', () => {
  test('no Authorization → 401; wrong token → 401 with Atlassian’s message; PAT works; wrong PAT → 401', async () => {
    emu.resetLog();
    const none = await call(emu, 'GET', `${V2}/spaces`, { auth: 'none' });
    assert.equal(none.status, 401);
    assert.equal(none.json.errors[0].status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Basic realm="Confluence"');
    const wrong = await call(emu, 'GET', `${V2}/spaces`, { auth: { authorization: basicAuth(emu.credentials.email, 'not-the-token') } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.errors[0].title, 'Basic authentication with passwords is deprecated. For more information, see: https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/');
    const wrongEmail = await call(emu, 'GET', `${V2}/spaces`, { auth: { authorization: basicAuth('someone@example.com', emu.credentials.token) } });
    assert.equal(wrongEmail.status, 401);
    const v1 = await call(emu, 'GET', '/wiki/rest/api/user/current', { auth: { authorization: basicAuth(emu.credentials.email, 'x') } });
    assert.equal(v1.status, 401);
    assert.equal(v1.json.statusCode, 401);
    assert.match(v1.json.message, /Basic authentication with passwords is deprecated/);
    assert.equal((await call(emu, 'GET', `${V2}/spaces`, { auth: 'pat' })).status, 200);
    assert.equal((await call(emu, 'GET', '/rest/api/user/current', { auth: 'pat' })).status, 200);
    assert.equal((await call(emu, 'GET', `${V2}/spaces`, { auth: { authorization: 'Bearer wrong-pat' } })).status, 401);
    assert.equal((await call(emu, 'GET', `${V2}/spaces`, { auth: { authorization: 'Digest abc' } })).status, 401);
    assert.deepEqual(
      emu.requestLog().map((e) => e.status),
      [401, 401, 401, 401, 200, 200, 401, 401],
    );
    assert.deepEqual(emu.invalidRequests(), []);
  });

  test('configured credentials replace the demo ones', async () => {
    await withEmu({ credentials: { email: 'me@corp.example', token: 't0k', pat: 'p4t' } }, async (own) => {
      assert.deepEqual(own.credentials, { email: 'me@corp.example', token: 't0k', pat: 'p4t' });
      assert.equal((await call(own, 'GET', `${V2}/spaces`)).status, 200);
      assert.equal((await call(own, 'GET', `${V2}/spaces`, { auth: { authorization: basicAuth('demo@example.com', 'demo-token') } })).status, 401);
      assert.equal((await call(own, 'GET', `${V2}/spaces`, { auth: { authorization: 'Bearer demo-pat' } })).status, 401);
    });
  });
});

describe('answers match the v2 response schemas', () => {
  test('space list, page list (with bodies), page single, attachments list, create and update', async () => {
    const { space, page } = demo(emu);
    const check = (method: string, template: string, body: unknown) => assert.deepEqual(responseProblems(method, template, 200, body), [], `${method} ${template}`);
    const spaces = await call(emu, 'GET', `${V2}/spaces`);
    check('GET', '/spaces', spaces.json);
    check('GET', '/spaces/{id}', (await call(emu, 'GET', `${V2}/spaces/${space.id}`)).json);
    const list = await call(emu, 'GET', `${V2}/spaces/${space.id}/pages?body-format=storage&limit=250`);
    assert.ok(list.json.results.length > 20);
    check('GET', '/spaces/{id}/pages', list.json);
    check('GET', '/pages', (await call(emu, 'GET', `${V2}/pages?limit=3`)).json);
    const single = await call(emu, 'GET', `${V2}/pages/${page('Getting started').id}?body-format=storage&include-labels=true`);
    check('GET', '/pages/{id}', single.json);
    check('GET', '/pages/{id}/attachments', (await call(emu, 'GET', `${V2}/pages/${page('Images and files').id}/attachments`)).json);
    check('GET', '/pages/{id}/children', (await call(emu, 'GET', `${V2}/pages/${page('Getting started').id}/children`)).json);
    check('GET', '/pages/{id}/versions', (await call(emu, 'GET', `${V2}/pages/${page('Getting started').id}/versions`)).json);
    const created = await call(emu, 'POST', `${V2}/pages`, { body: { spaceId: space.id, status: 'current', title: 'Schema check', body: { representation: 'storage', value: '<p>s</p>' } } });
    check('POST', '/pages', created.json);
    const updated = await call(emu, 'PUT', `${V2}/pages/${created.json.id}`, {
      body: { id: created.json.id, status: 'current', title: 'Schema check', body: { representation: 'storage', value: '<p>t</p>' }, version: { number: 2 } },
    });
    check('PUT', '/pages/{id}', updated.json);
    const gs = page('Getting started').id;
    const labels = await call(emu, 'GET', `${V2}/pages/${gs}/labels`);
    check('GET', '/pages/{id}/labels', labels.json);
    check('GET', '/spaces/{id}/content/labels', (await call(emu, 'GET', `${V2}/spaces/${space.id}/content/labels`)).json);
    check('GET', '/labels/{id}/pages', (await call(emu, 'GET', `${V2}/labels/${labels.json.results[0].id}/pages?body-format=storage`)).json);
    check('GET', '/pages/{id}/ancestors', (await call(emu, 'GET', `${V2}/pages/${page('Linux').id}/ancestors`)).json);
    check('GET', '/pages/{id}/descendants', (await call(emu, 'GET', `${V2}/pages/${gs}/descendants`)).json);
    check('GET', '/spaces/{id}/operations', (await call(emu, 'GET', `${V2}/spaces/${space.id}/operations`)).json);
    const atts = await call(emu, 'GET', `${V2}/pages/${page('Images and files').id}/attachments`);
    check('GET', '/attachments/{id}', (await call(emu, 'GET', `${V2}/attachments/${atts.json.results[0].id}`)).json);
    // The validator bites: a wrong type or a bad date is reported.
    assert.notDeepEqual(responseProblems('GET', '/pages/{id}', 200, { ...single.json, version: { ...single.json.version, number: '2' } }), []);
    assert.notDeepEqual(responseProblems('GET', '/pages/{id}', 200, { ...single.json, createdAt: 'yesterday' }), []);
    assert.notDeepEqual(responseProblems('GET', '/spaces', 200, { results: [{ ...spaces.json.results[0], type: 'bogus' }] }), []);
  });
});
