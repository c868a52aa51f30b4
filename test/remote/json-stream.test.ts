/**
 * Unit tests of src/remote/json-stream.ts: a JSON body written in pieces is byte for byte `JSON.stringify` (any
 * string, surrogates and escapes across the piece boundaries included), and an answer read without its long strings
 * is the same JSON with those strings empty, however the bytes are cut into chunks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonBody, LONG_STRING, LongStringDropper } from '../../src/remote/json-stream.js';
import { createConfluenceClient } from '../../src/remote/index.js';
import { assertSeeded } from '../helpers/seeds.js';
import { baseOptions, sendJson, withServer } from './helpers.js';

const FILE = 'test/remote/json-stream.test.ts';

/** Strings with everything JSON escapes or must not split: quotes, backslashes, controls, surrogates (paired and lone), multi-byte text. */
const unit = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\ud83d\ude00', '\ud800', '\udfff', 'é', '€', '<p>', '\u2028'),
);
/** A string of at least LONG_STRING units: a random pattern repeated, with a random head so pieces end anywhere. */
const longString = fc.tuple(fc.array(unit, { minLength: 1, maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 5 }), fc.integer({ min: 0, max: 3000 })).map(([parts, head, extra]) => {
  const pattern = parts.join('') || 'x';
  const s = head + pattern.repeat(Math.ceil((LONG_STRING + extra) / pattern.length));
  return s;
});

function bytesOf(pieces: Iterable<string>): Buffer {
  return Buffer.concat([...pieces].map((p) => Buffer.from(p, 'utf8')));
}

test('jsonBody: the pieces are the bytes of JSON.stringify, and the length is theirs (twice over: a retry sends it again)', () => {
  assertSeeded('CSYNC_JSONSTREAM', FILE, 'body-bytes', { seed: 20261204, runs: 60 }, fc.property(longString, fc.option(longString), fc.string({ unit: 'binary', maxLength: 20 }), (value, second, title) => {
    const json = { id: '7', status: 'current', title, body: { representation: 'storage', value }, ...(second !== null ? { extra: [second, 1, null, title] } : {}), version: { number: 2 } };
    const b = jsonBody(json);
    assert.ok(b, 'a value with a long string is written in pieces');
    const expected = Buffer.from(JSON.stringify(json), 'utf8');
    assert.equal(b.length, expected.length);
    assert.ok(bytesOf(b.pieces()).equals(expected), 'first attempt');
    assert.ok(bytesOf(b.pieces()).equals(expected), 'second attempt');
    for (const p of b.pieces()) assert.ok(p.length <= 6 * 16 * 1024 + 64, 'no piece holds the whole body');
  }));
});

test('jsonBody: no long string, or a short string holding the placeholder pattern, goes as one JSON text', () => {
  assert.equal(jsonBody({ title: 'T', body: { value: '<p>x</p>' } }), undefined);
  assert.equal(jsonBody({ title: 'x'.repeat(LONG_STRING - 1) }), undefined);
  const b = jsonBody({ a: 'x'.repeat(LONG_STRING) });
  assert.ok(b);
  assert.equal(bytesOf(b.pieces()).toString('utf8'), JSON.stringify({ a: 'x'.repeat(LONG_STRING) }));
  const atRoot = jsonBody('y'.repeat(LONG_STRING));
  assert.ok(atRoot);
  assert.equal(bytesOf(atRoot.pieces()).toString('utf8'), JSON.stringify('y'.repeat(LONG_STRING)));
});

test('LongStringDropper: the answer without its long strings, whatever the chunks', () => {
  assertSeeded('CSYNC_JSONSTREAM', FILE, 'drop-long', { seed: 20261205, runs: 60 }, fc.property(longString, fc.string({ unit: 'binary', maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }), (value, title, cuts) => {
    const answer = { id: '9', title, status: 'current', body: { storage: { value, representation: 'storage' } }, version: { number: 3, message: title }, _links: { webui: '/x' } };
    const bytes = Buffer.from(JSON.stringify(answer), 'utf8');
    const d = new LongStringDropper();
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const n = cuts[i % cuts.length]!;
      d.push(bytes.subarray(at, at + n));
      at += n;
    }
    const kept = d.text();
    assert.equal(d.dropped, 1);
    assert.ok(kept.length < 1000, 'the long string is not kept');
    assert.deepEqual(JSON.parse(kept), { ...answer, body: { storage: { value: '', representation: 'storage' } } });
  }));
});

test('LongStringDropper: short answers and error bodies are kept byte for byte', () => {
  for (const text of ['{"message":"Version conflict \\"7\\" \\\\ é"}', '[]', '{"a":"' + 'z'.repeat(LONG_STRING) + '"}', 'not json "unterminated']) {
    const d = new LongStringDropper();
    for (const c of Buffer.from(text, 'utf8')) d.push(Buffer.from([c]));
    assert.equal(d.text(), text);
    assert.equal(d.dropped, 0);
  }
});

/** A storage body of ~3 MB with what JSON escapes and what UTF-8 makes multi-byte, in every piece. */
function bigStorage(): string {
  const para = '<p>Quotes " and \\ backslashes, tabs\t, é, €, 😀 (a surrogate pair), <strong>bold</strong> &amp; more.</p>\n';
  return para.repeat(Math.ceil(3e6 / para.length));
}

test('client: a big create and update send exactly JSON.stringify of their input with its Content-Length, one request each; the answer\'s repeated body is not kept', async () => {
  const body = bigStorage();
  const seen: Array<{ method: string; raw: Buffer; headers: Record<string, string | string[] | undefined> }> = [];
  await withServer(
    (req, res, text) => {
      seen.push({ method: req.method ?? '', raw: Buffer.from(text, 'utf8'), headers: req.headers });
      const input = JSON.parse(text) as { title: string; body: { value: string }; version?: { number: number } };
      // Confluence answers with the page, its body included.
      sendJson(res, 200, { id: '77', status: 'current', title: input.title, spaceId: '100', parentId: '9', version: { number: input.version?.number ?? 1 }, body: { storage: { value: input.body.value, representation: 'storage' } } });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const made = await c.createPage({ spaceId: '100', parentId: '9', title: 'Big', body });
      assert.deepEqual([made.id, made.title, made.version.number, made.body], ['77', 'Big', 1, undefined]);
      const updated = await c.updatePage({ id: '77', title: 'Big', parentId: '9', body: body + '<p>more</p>', version: 2, message: 'm' });
      assert.deepEqual([updated.version.number, updated.title, updated.body], [2, 'Big', undefined]);
      // A small page's answer keeps its body, as before.
      const small = await c.updatePage({ id: '77', title: 'Big', body: '<p>x</p>', version: 3 });
      assert.equal(small.body, '<p>x</p>');
      assert.equal(c.stats().requests, 3);
      await c.close();
    },
  );
  assert.deepEqual(seen.map((s) => s.method), ['POST', 'PUT', 'PUT']);
  const expected = [
    { spaceId: '100', status: 'current', title: 'Big', parentId: '9', body: { representation: 'storage', value: body } },
    { id: '77', status: 'current', title: 'Big', parentId: '9', body: { representation: 'storage', value: body + '<p>more</p>' }, version: { number: 2, message: 'm' } },
  ];
  for (const [i, e] of expected.entries()) {
    const bytes = Buffer.from(JSON.stringify(e), 'utf8');
    assert.ok(seen[i]!.raw.equals(bytes), `request ${i}: the bytes of JSON.stringify`);
    assert.equal(seen[i]!.headers['content-length'], String(bytes.length));
    assert.equal(seen[i]!.headers['content-type'], 'application/json');
    assert.equal(seen[i]!.headers['transfer-encoding'], undefined);
  }
});

test('client: a big update retried after a 429 sends the whole body again, the same bytes', async () => {
  const body = bigStorage();
  const raws: Buffer[] = [];
  await withServer(
    (_req, res, text) => {
      raws.push(Buffer.from(text, 'utf8'));
      if (raws.length === 1) return sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '0' });
      sendJson(res, 200, { id: '5', status: 'current', title: 'T', spaceId: '100', version: { number: 4 }, body: { storage: { value: body, representation: 'storage' } } });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const p = await c.updatePage({ id: '5', title: 'T', body, version: 4 });
      assert.equal(p.version.number, 4);
      await c.close();
    },
  );
  const expected = Buffer.from(JSON.stringify({ id: '5', status: 'current', title: 'T', body: { representation: 'storage', value: body }, version: { number: 4 } }), 'utf8');
  assert.equal(raws.length, 2);
  for (const r of raws) assert.ok(r.equals(expected));
});
