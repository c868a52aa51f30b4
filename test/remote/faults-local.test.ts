/**
 * Chaos against a scripted server: 20% of answers are faults (500, 503, reset, stall, truncated body). Reads must all
 * succeed; creates whose answers are lost must never make duplicates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createConfluenceClient } from '../../src/remote/index.js';
import { baseOptions, sendJson, withServer } from './helpers.js';
import { prng } from '../../src/emulator/bench-body.js';

type Fault = 'none' | '500' | '503' | 'reset' | 'stall' | 'truncated';
const FAULTS: Fault[] = ['500', '503', 'reset', 'stall', 'truncated'];

function injector(rate: number, seed: number) {
  const rnd = prng(seed);
  const counts: Record<Fault, number> = { none: 0, '500': 0, '503': 0, reset: 0, stall: 0, truncated: 0 };
  return {
    counts,
    next(): Fault {
      const f: Fault = rnd() < rate ? FAULTS[Math.floor(rnd() * FAULTS.length)]! : 'none';
      counts[f]++;
      return f;
    },
  };
}

/** Applies a fault; returns true when it answered (the caller must not). */
function applyFault(f: Fault, req: IncomingMessage, res: ServerResponse, okBody: unknown): boolean {
  switch (f) {
    case '500':
      sendJson(res, 500, { message: 'injected' });
      return true;
    case '503':
      sendJson(res, 503, { message: 'injected' }, { 'retry-after': '0' });
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'stall':
      return true; // never answers; the client's response timeout ends it
    case 'truncated': {
      const text = JSON.stringify(okBody);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      res.destroy();
      return true;
    }
    default:
      return false;
  }
}

const opts = (url: string) =>
  baseOptions(url, {
    rate: { requestsPerSecond: 5000, burst: 5000, maxConcurrent: 8 },
    retry: { maxRetries: 10, baseDelayMs: 1, maxDelayMs: 10 },
    // Long enough that a loaded machine's slow answer is not mistaken for a stall.
    timeouts: { connectMs: 1000, responseMs: 400 },
    breaker: { failureThreshold: 30, halfOpenAfterMs: 50 },
  });

test('1,000 reads with 20% injected faults all succeed', async () => {
  const inj = injector(0.2, 42);
  await withServer(
    (req, res) => {
      const id = new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '0';
      const body = { id, status: 'current', title: `P${id}`, spaceId: '1', parentId: null, version: { number: 1 }, body: { storage: { value: `<p>${id}</p>` } } };
      if (applyFault(inj.next(), req, res, body)) return;
      sendJson(res, 200, body);
    },
    async (url) => {
      const c = createConfluenceClient(opts(url));
      const ids = Array.from({ length: 1000 }, (_, i) => String(i + 1));
      let next = 0;
      const got: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < ids.length) {
            const id = ids[next++]!;
            const p = await c.getPage(id, { body: true });
            assert.equal(p?.body, `<p>${id}</p>`);
            got.push(id);
          }
        }),
      );
      assert.equal(got.length, 1000);
      const s = c.stats();
      const injected = FAULTS.reduce((n, f) => n + inj.counts[f], 0);
      assert.ok(injected >= 150, `about 20% of attempts were faults: ${injected}`);
      // Each fault costs a retry (a machine under load may add a timeout or two of its own).
      assert.ok(s.retries >= injected, `${s.retries} retries for ${injected} faults`);
      assert.equal(s.requests, 1000 + s.retries);
      await c.close();
    },
  );
  for (const f of FAULTS) assert.ok(inj.counts[f] > 0, `fault ${f} was exercised`);
});

test('creates under injected timeouts and resets never make a duplicate page', async () => {
  const inj = injector(0.35, 7);
  const pages = new Map<string, { id: string; title: string; parentId: string; body: { storage: { value: string; representation: string } } }>();
  let posts = 0;
  await withServer(
    (req, res, body) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST') {
        posts++;
        const input = JSON.parse(body) as { title: string; parentId: string; spaceId: string; body: { value: string } };
        if ([...pages.values()].some((p) => p.title === input.title)) return sendJson(res, 400, { errors: [{ title: 'A page with this title already exists' }] });
        const f = inj.next();
        // Faults before the write (nothing applied) and after it (applied, answer lost) both happen.
        if (f === '500' || f === '503') return applyFault(f, req, res, {});
        const p = { id: String(1000 + pages.size), title: input.title, parentId: input.parentId, body: { storage: { value: input.body.value, representation: 'storage' } } };
        pages.set(p.id, p);
        const answer = { ...p, status: 'current', spaceId: '1', version: { number: 1 } };
        if (applyFault(f, req, res, answer)) return;
        return sendJson(res, 200, answer);
      }
      const title = u.searchParams.get('title');
      const hits = [...pages.values()].filter((p) => p.title === title).map((p) => ({ ...p, status: 'current', spaceId: '1', version: { number: 1 } }));
      sendJson(res, 200, { results: hits, _links: {} });
    },
    async (url) => {
      const c = createConfluenceClient(opts(url));
      const titles = Array.from({ length: 60 }, (_, i) => `Page ${i}`);
      const made = await Promise.all(titles.map((title) => c.createPage({ spaceId: '1', parentId: '9', title, body: '<p/>' })));
      assert.deepEqual(made.map((p) => p.title), titles);
      assert.equal(pages.size, 60, 'exactly one page per title');
      assert.equal(new Set(made.map((p) => p.id)).size, 60);
      assert.ok(c.stats().verifiedWrites > 0, 'some creates needed verification');
      assert.ok(posts > 60, 'some creates were resent after finding nothing');
      await c.close();
    },
  );
});
